"""Pages: the commit gate (W1) as a form, the same question ``keepword propose`` asks.

``POST /gate`` answers it with the odds of the asked date, the date at the confidence
target, the cut line and the three ways to reach the target, and shows the client-readable
proposal; with a record id it also stores the proposed commitment, which ``POST
/gate/commit/{id}`` then promises. Bad input re-renders the form (422) with each error
beside its field, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from keepword.bootstrap import Keepword
from keepword.domain.access import Action, Actor
from keepword.domain.commitment import DEFAULT_CONFIDENCE, check_confidence
from keepword.domain.errors import InvalidFields, InvalidValue, KeepwordError, NotFound
from keepword.domain.forecast import ForecastOptions
from keepword.domain.portfolio import Portfolio
from keepword.domain.text import ID_MAX, LIST_MAX
from keepword.reports import proposal as proposals
from keepword.services import gate as gate_service
from keepword.services import portfolio as portfolio_service
from keepword.services.gate import GateQuestion
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import ActorDep, allow

router = APIRouter()

Errors = dict[str, str]


@dataclass
class GateForm:
    """The form as typed, re-shown as it was when it has errors."""

    project: str = ""
    due: str = ""
    confidence: str = f"{DEFAULT_CONFIDENCE:g}"
    team: list[str] = field(default_factory=list)
    record: str = ""


def _query(question: GateQuestion) -> str:
    """The question as a query string, for the proposal's download links."""
    pairs = [("project", question.project), ("due", question.due.isoformat())]
    if question.confidence is not None:
        pairs.append(("confidence", f"{question.confidence:g}"))
    pairs += [("team", person) for person in question.team or ()]
    return urlencode(pairs)


def _parse(form: GateForm, portfolio: Portfolio, today: date) -> tuple[GateQuestion | None, Errors]:
    """The question the form asks, or the error of each field that is wrong."""
    errors: Errors = {}
    project = form.project.strip()
    if not project:
        errors["project"] = "choose a project"
    else:
        try:
            portfolio.project(project)
        except NotFound as error:
            errors["project"] = str(error)
    due: date | None = None
    if not form.due.strip():
        errors["due"] = "give the date the client asks for"
    else:
        try:
            due = date.fromisoformat(form.due.strip())
        except ValueError:
            errors["due"] = f"{form.due.strip()!r} is not a date (YYYY-MM-DD)"
        else:
            if due < today:
                errors["due"] = f"{due} is in the past (today is {today})"
    confidence: float | None = None
    if form.confidence.strip():
        try:
            confidence = float(form.confidence.strip())
        except ValueError:
            errors["confidence"] = f"{form.confidence.strip()!r} is not a number"
        else:
            try:
                check_confidence(confidence)
            except InvalidValue as error:
                errors["confidence"] = error.message
    team = tuple(dict.fromkeys(p.strip() for p in form.team if p.strip()))
    try:
        gate_service.check_team(portfolio, team)
    except KeepwordError as error:
        errors["team"] = str(error)
    record = form.record.strip() or None
    if record is not None:
        try:
            gate_service.check_commitment_id(record)
        except KeepwordError as error:
            errors["record"] = str(error)
    if errors or due is None:
        return None, errors
    return GateQuestion(project, due, confidence, team or None, record), errors


def _options(keepword: Keepword) -> ForecastOptions:
    # As ``keepword propose`` without --as-of: the forecast starts on the app's today.
    return ForecastOptions(keepword.settings.now().date())


QUESTION_FIELDS = ("project", "due", "confidence", "team", "record")


def _form_page(
    request: Request,
    portfolio: Portfolio,
    form: GateForm,
    *,
    errors: Errors | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    return render(
        request,
        "gate.html",
        {
            "form": form,
            "errors": errors or {},
            "projects": [(p, portfolio.client(p.client).name) for p in portfolio.projects],
            "people": portfolio.people,
            **context,
        },
        status_code=status_code,
    )


@router.get(
    "/gate", dependencies=[allow(Action.CHECK_GATE)], response_class=HTMLResponse, name="gate"
)
def gate_form(
    request: Request,
    keepword: KeepwordDep,
    project: Annotated[str, Query()] = "",
) -> HTMLResponse:
    portfolio = portfolio_service.current_portfolio(keepword.uow)
    return _form_page(request, portfolio, GateForm(project=project))


@router.post("/gate", dependencies=[allow(Action.CHECK_GATE)], response_class=HTMLResponse)
def gate_answer(
    request: Request,
    keepword: KeepwordDep,
    actor: ActorDep,
    project: Annotated[str, Form(max_length=ID_MAX)] = "",
    due: Annotated[str, Form(max_length=ID_MAX)] = "",
    confidence: Annotated[str, Form(max_length=ID_MAX)] = "",
    team: Annotated[list[str] | None, Form(max_length=LIST_MAX)] = None,
    record: Annotated[str, Form(max_length=ID_MAX)] = "",
) -> HTMLResponse:
    form = GateForm(project, due, confidence, team or [], record)
    portfolio = portfolio_service.current_portfolio(keepword.uow)
    options = _options(keepword)
    question, errors = _parse(form, portfolio, options.today)
    if question is None:
        return _form_page(request, portfolio, form, errors=errors, status_code=422)
    try:
        asked = gate_service.ask(
            keepword.uow, question, options, actor=actor, now=keepword.settings.now()
        )
    except InvalidValue as error:  # the service names the part of the question at fault
        where = error.field if error.field in QUESTION_FIELDS else "due"
        return _form_page(request, portfolio, form, errors={where: error.message}, status_code=422)
    except KeepwordError as error:  # only recording can fail otherwise (the right to, a clash)
        return _form_page(request, portfolio, form, errors={"record": str(error)}, status_code=422)
    answer = asked.answer
    return _form_page(
        request,
        asked.portfolio,
        form,
        answer=answer,
        ways=proposals.option_lines(answer, asked.portfolio),
        proposal_html=proposals.render_html(answer, asked.portfolio),
        download=_query(question),
        recorded=asked.recorded,
    )


def _download(
    keepword: Keepword,
    actor: Actor,
    project: str,
    due: str,
    confidence: str,
    team: list[str] | None,
    suffix: str,
) -> Response:
    portfolio = portfolio_service.current_portfolio(keepword.uow)
    options = _options(keepword)
    form = GateForm(project, due, confidence, team or [])
    question, errors = _parse(form, portfolio, options.today)
    if question is None:
        raise InvalidFields(errors)
    asked = gate_service.ask(
        keepword.uow, question, options, actor=actor, now=keepword.settings.now()
    )
    answer, portfolio = asked.answer, asked.portfolio
    if suffix == "md":
        body, media = proposals.render_markdown(answer, portfolio), "text/markdown"
    else:
        body, media = proposals.render_html(answer, portfolio), "text/html"
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="proposal-{project}.{suffix}"'},
    )


@router.get(
    "/gate/proposal.{suffix}", dependencies=[allow(Action.CHECK_GATE)], name="gate_proposal"
)
def proposal_file(
    keepword: KeepwordDep,
    actor: ActorDep,
    suffix: Literal["html", "md"],
    project: Annotated[str, Query()] = "",
    due: Annotated[str, Query()] = "",
    confidence: Annotated[str, Query()] = "",
    team: Annotated[list[str] | None, Query()] = None,
) -> Response:
    """The proposal as a file a client can read, HTML or Markdown, asked again from the query."""
    return _download(keepword, actor, project, due, confidence, team, suffix)


@router.post("/gate/commit/{commitment}", dependencies=[allow(Action.COMMIT)])
def commit(keepword: KeepwordDep, actor: ActorDep, commitment: str) -> RedirectResponse:
    committed = gate_service.commit(
        keepword.uow,
        commitment,
        actor=actor,
        now=keepword.settings.now(),
        today=keepword.settings.now().date(),
        options=_options(keepword),
    )
    return RedirectResponse(f"/projects/{committed.project}", status_code=303)
