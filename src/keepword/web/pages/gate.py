"""Pages: the commit gate (W1) as a form, the same question ``keepword propose`` asks.

``POST /gate`` answers it with the odds of the asked date, the date at the confidence
target, the cut line and the three ways to reach the target, and shows the client-readable
proposal; with a record id it also stores the proposed commitment, which ``POST
/gate/commit/{id}`` then promises. Bad input re-renders the form (422) with each error
beside its field, and nothing is written: :func:`keepword.services.gate.answer_form` says
what is wrong, the page only reads the text typed.
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
from keepword.domain.commitment import DEFAULT_CONFIDENCE
from keepword.domain.forecast import ForecastOptions
from keepword.domain.portfolio import Portfolio
from keepword.domain.text import ID_MAX, LIST_MAX, TEXT_MAX
from keepword.reports import proposal as proposals
from keepword.services import gate as gate_service
from keepword.services import portfolio as portfolio_service
from keepword.services.gate import Asked, GateQuestion, QuestionFields
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
    cut_line: bool = False


def _query(question: GateQuestion) -> str:
    """The question as a query string, for the proposal's download links."""
    pairs = [("project", question.project), ("due", question.due.isoformat())]
    if question.confidence is not None:
        pairs.append(("confidence", f"{question.confidence:g}"))
    pairs += [("team", person) for person in question.team or ()]
    return urlencode(pairs)


def _read(form: GateForm) -> tuple[QuestionFields, Errors]:
    """The form's text as the question's values, and the fields that are not even a date or
    a number; whether the question makes sense is the gate's to say."""
    unreadable: Errors = {}
    due: date | None = None
    if form.due.strip():
        try:
            due = date.fromisoformat(form.due.strip())
        except ValueError:
            unreadable["due"] = f"{form.due.strip()!r} is not a date (YYYY-MM-DD)"
    confidence: float | None = None
    if form.confidence.strip():
        try:
            confidence = float(form.confidence.strip())
        except ValueError:
            unreadable["confidence"] = f"{form.confidence.strip()!r} is not a number"
    question = QuestionFields(
        form.project, due, confidence, tuple(form.team), form.record, form.cut_line
    )
    return question, unreadable


def _options(keepword: Keepword) -> ForecastOptions:
    # As ``keepword propose`` without --as-of: the forecast starts on the app's today.
    return ForecastOptions(keepword.settings.now().date())


def _ask(keepword: Keepword, actor: Actor, form: GateForm) -> Asked:
    """The gate's answer to the form; InvalidFields, by field, when any of it is wrong."""
    question, unreadable = _read(form)
    return gate_service.ask_fields(
        keepword.uow,
        question,
        _options(keepword),
        actor=actor,
        now=keepword.settings.now(),
        input_errors=unreadable,
    )


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
    cut_line: Annotated[str, Form(max_length=ID_MAX)] = "",
) -> HTMLResponse:
    form = GateForm(project, due, confidence, team or [], record, bool(cut_line))
    question, unreadable = _read(form)
    answered = gate_service.answer_form(
        keepword.uow,
        question,
        _options(keepword),
        actor=actor,
        now=keepword.settings.now(),
        input_errors=unreadable,
    )
    asked = answered.asked
    if asked is None:
        errors = dict(answered.errors)
        return _form_page(request, answered.portfolio, form, errors=errors, status_code=422)
    return _form_page(
        request,
        asked.portfolio,
        form,
        answer=asked.answer,
        ways=proposals.option_lines(asked.answer, asked.portfolio),
        proposal_html=proposals.render_html(asked.answer, asked.portfolio),
        download=_query(asked.question),
        recorded=asked.recorded,
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
    asked = _ask(keepword, actor, GateForm(project, due, confidence, team or []))
    if suffix == "md":
        body, media = proposals.render_markdown(asked.answer, asked.portfolio), "text/markdown"
    else:
        body, media = proposals.render_html(asked.answer, asked.portfolio), "text/html"
    return Response(
        body,
        media_type=f"{media}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="proposal-{project}.{suffix}"'},
    )


@router.post("/gate/commit/{commitment}", dependencies=[allow(Action.COMMIT)])
def commit(
    keepword: KeepwordDep,
    actor: ActorDep,
    commitment: str,
    below_target: Annotated[str, Form(max_length=TEXT_MAX)] = "",
) -> RedirectResponse:
    result = gate_service.commit(
        keepword.uow,
        commitment,
        actor=actor,
        now=keepword.settings.now(),
        options=_options(keepword),
        below_target_reason=below_target,
        approval_below=keepword.settings.approval_below,
    )
    return RedirectResponse(f"/projects/{result.commitment.project}", status_code=303)
