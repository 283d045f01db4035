"""Pages: incidents (W3), their first-contact clock and recovery steps; record one, tick steps.

The same services as ``keepword incident add|list|done``; each incident is shown as the
service's :class:`~keepword.services.incidents.IncidentView`, first-contact state included. A
recovery step has no owner of its own: the project's lead owns the recovery, so the pages
show the lead beside each step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from keepword.domain.access import Action
from keepword.domain.communications import RecoveryStep
from keepword.domain.errors import InvalidValue, KeepwordError
from keepword.domain.portfolio import Portfolio
from keepword.domain.text import ID_MAX, LINES_MAX, TEXT_MAX
from keepword.services import incidents as incident_service
from keepword.services import portfolio as portfolio_service
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import ActorDep, allow

router = APIRouter()

Errors = dict[str, str]


@router.get(
    "/incidents",
    dependencies=[allow(Action.VIEW_INCIDENTS)],
    response_class=HTMLResponse,
    name="incidents",
)
def incidents_page(request: Request, keepword: KeepwordDep) -> HTMLResponse:
    views = incident_service.incident_views(keepword.uow, keepword.settings.now())
    return render(request, "incidents.html", {"incidents": views})


# --- record one ----------------------------------------------------------------------------


@dataclass
class IncidentForm:
    """The form as typed, shown again as it was when it has errors."""

    project: str = ""
    commitment: str = ""
    title: str = ""
    impact: str = ""
    own_factors: str = ""
    steps: str = ""
    occurred_at: str = ""
    errors: Errors = field(default_factory=dict)


def _steps(text: str) -> tuple[list[tuple[str, datetime]], str | None]:
    """The steps, one a line as ``ACTION @ YYYY-MM-DD HH:MM`` (UTC), or what is wrong."""
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            steps.append(incident_service.parse_step(line))
        except InvalidValue as error:
            utc = " (UTC)" if error.field == "action" else ""
            return [], f"line {number}: {error.message}{utc}"
    return steps, None


def _form_page(
    request: Request, portfolio: Portfolio, form: IncidentForm, *, status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "incident_new.html",
        {
            "form": form,
            "errors": form.errors,
            "projects": [(p, portfolio.client(p.client).name) for p in portfolio.projects],
            "commitments": portfolio.commitments,
        },
        status_code=status_code,
    )


@router.get(
    "/incidents/new",
    dependencies=[allow(Action.RECORD_INCIDENTS)],
    response_class=HTMLResponse,
    name="new_incident",
)
def new_incident(request: Request, keepword: KeepwordDep) -> HTMLResponse:
    portfolio = portfolio_service.current_portfolio(keepword.uow)
    now = keepword.settings.now()
    form = IncidentForm(occurred_at=f"{now:%Y-%m-%dT%H:%M}")
    return _form_page(request, portfolio, form)


_SERVICE_FIELDS = {"title": "title", "impact": "impact", "steps": "steps", "due": "steps"}


@router.post(
    "/incidents",
    dependencies=[allow(Action.RECORD_INCIDENTS)],
    response_class=HTMLResponse,
    response_model=None,
)
def record_incident(
    request: Request,
    keepword: KeepwordDep,
    actor: ActorDep,
    project: Annotated[str, Form(max_length=ID_MAX)] = "",
    commitment: Annotated[str, Form(max_length=ID_MAX)] = "",
    title: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    impact: Annotated[str, Form(max_length=TEXT_MAX)] = "",
    own_factors: Annotated[str, Form(max_length=LINES_MAX)] = "",
    steps: Annotated[str, Form(max_length=LINES_MAX)] = "",
    occurred_at: Annotated[str, Form(max_length=ID_MAX)] = "",
) -> HTMLResponse | RedirectResponse:
    form = IncidentForm(project, commitment, title, impact, own_factors, steps, occurred_at)
    portfolio = portfolio_service.current_portfolio(keepword.uow)
    now = keepword.settings.now()
    errors = form.errors
    project, commitment = project.strip(), commitment.strip()
    if not project:
        errors["project"] = "choose the project it happened on"
    elif project not in {p.id for p in portfolio.projects}:
        errors["project"] = f"no project with id {project!r}"
    elif commitment and not any(
        c.id == commitment and c.project == project for c in portfolio.commitments
    ):
        errors["commitment"] = f"project {project!r} has no commitment {commitment!r}"
    if not title.strip():
        errors["title"] = "say what went wrong, in a few words"
    if not impact.strip():
        errors["impact"] = "say what it did to the client, in their terms"
    occurred = incident_service.parse_moment(occurred_at) if occurred_at.strip() else now
    if occurred is None:
        errors["occurred_at"] = f"{occurred_at.strip()!r} is not YYYY-MM-DD HH:MM"
    elif occurred > now:
        errors["occurred_at"] = f"{occurred:%Y-%m-%d %H:%M} UTC is in the future"
    recovery, wrong = _steps(steps)
    if wrong:
        errors["steps"] = wrong
    if errors or occurred is None:
        return _form_page(request, portfolio, form, status_code=422)
    try:
        recorded = incident_service.record_incident(
            keepword.uow,
            project,
            title,
            impact,
            own_factors.splitlines(),
            recovery,
            occurred,
            commitment or None,
            actor=actor,
            now=now,
        )
    except InvalidValue as error:
        errors[_SERVICE_FIELDS.get(error.field or "", "occurred_at")] = error.message
    except KeepwordError as error:  # the portfolio changed since it was read
        errors["project"] = str(error)
    else:
        return RedirectResponse(f"/incidents/{recorded.id}", status_code=303)
    return _form_page(request, portfolio, form, status_code=422)


# --- one incident --------------------------------------------------------------------------


@router.get(
    "/incidents/{incident_id}",
    dependencies=[allow(Action.VIEW_INCIDENTS)],
    response_class=HTMLResponse,
    name="incident",
)
def incident_page(request: Request, keepword: KeepwordDep, incident_id: str) -> HTMLResponse:
    view = incident_service.find_incident(keepword.uow, incident_id, keepword.settings.now())
    return render(request, "incident.html", {"view": view, "late": _late})


def _late(step: RecoveryStep, now: datetime) -> bool:
    """Whether ``step`` was done after its due time, or is not done and past it."""
    return (step.done_at or now) > step.due


@router.post(
    "/incidents/{incident_id}/steps/{number}/done", dependencies=[allow(Action.RECORD_INCIDENTS)]
)
def step_done(
    keepword: KeepwordDep, actor: ActorDep, incident_id: str, number: int
) -> RedirectResponse:
    incident_service.step_done(
        keepword.uow,
        incident_id,
        number,
        actor=actor,
        now=keepword.settings.now(),
    )
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)
