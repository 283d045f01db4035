"""Pages: incidents (W3), their first-contact clock and recovery steps; record one, tick steps.

The same services as ``keepword incident add|list|done``; each incident is shown as the
service's :class:`~keepword.services.incidents.IncidentView`, first-contact state included. A
recovery step has no owner of its own: the project's lead owns the recovery, so the pages
show the lead beside each step.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from keepword.domain.access import Action
from keepword.domain.errors import InvalidFields
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


def _form_page(
    request: Request,
    portfolio: Portfolio,
    form: incident_service.IncidentFields,
    *,
    errors: Errors | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The form as typed, each error beside its field."""
    return render(
        request,
        "incident_new.html",
        {
            "form": form,
            "errors": errors or {},
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
    form = incident_service.IncidentFields(occurred_at=f"{now:%Y-%m-%dT%H:%M}")
    return _form_page(request, portfolio, form)


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
    form = incident_service.IncidentFields(
        project, commitment, title, impact, own_factors, steps, occurred_at
    )
    try:
        recorded = incident_service.record_incident_fields(
            keepword.uow, form, actor=actor, now=keepword.settings.now()
        )
    except InvalidFields as refused:
        # The form again, as typed, with the choices it offers as they stand.
        portfolio = portfolio_service.current_portfolio(keepword.uow)
        return _form_page(request, portfolio, form, errors=refused.errors, status_code=422)
    return RedirectResponse(f"/incidents/{recorded.id}", status_code=303)


# --- one incident --------------------------------------------------------------------------


@router.get(
    "/incidents/{incident_id}",
    dependencies=[allow(Action.VIEW_INCIDENTS)],
    response_class=HTMLResponse,
    name="incident",
)
def incident_page(
    request: Request, keepword: KeepwordDep, actor: ActorDep, incident_id: str
) -> HTMLResponse:
    view = incident_service.find_incident(
        keepword.uow, incident_id, keepword.settings.now(), actor=actor
    )
    return render(request, "incident.html", {"view": view, "late": incident_service.is_late})


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
