"""API routes: messages to clients — draft one from the facts, check any text against the
playbook, record it sent (which stops the clocks of the signals it answers) — and incidents
with their recovery steps (W3)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from keepword.bootstrap import Keepword
from keepword.domain.access import Action, Actor
from keepword.domain.communications import CommunicationKind, Incident, StepStatus
from keepword.domain.forecast import ForecastOptions
from keepword.domain.playbook import NEEDS_APOLOGY, FindingKind, PlaybookReport, has_apology
from keepword.domain.playbook import check as playbook
from keepword.domain.signals import SignalKind
from keepword.domain.text import LIST_MAX, MESSAGE_MAX, TEXT_MAX
from keepword.drafts.render import team_renderer
from keepword.services import incidents, messages, signals
from keepword.services import portfolio as portfolio_service
from keepword.web.api.routes.portfolio import Line, Public, Ref, RequestBody, UtcDateTime
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter()

# --- drafts and the playbook check ---------------------------------------------------------


class MessagePublic(Public):
    id: str
    project: str
    kind: CommunicationKind
    subject: str
    body: str = Field(description="Markdown.")
    created_at: UtcDateTime
    commitment: str | None
    recipient: str | None
    author: str | None
    answers: list[str] = Field(description="The signals it tells the client about.")
    incident: str | None
    sent: bool
    sent_at: UtcDateTime | None


class FindingPublic(Public):
    rule: str
    kind: FindingKind = Field(description="lacks: add it; avoid: take it out.")
    message: str
    phrase: str | None = Field(description="The words that triggered it.")
    line: int | None = Field(description="1-based line of the phrase.")


class CheckPublic(Public):
    kind: CommunicationKind
    clean: bool
    findings: list[FindingPublic]


def _check(report: PlaybookReport) -> CheckPublic:
    return CheckPublic.model_validate(report)


class DraftPublic(BaseModel):
    message: MessagePublic = Field(description="Stored unsent; send it once it has gone.")
    check: CheckPublic


class DraftOptions(RequestBody):
    kind: CommunicationKind | None = Field(
        default=None, description="Default: delay, or recovery after an incident."
    )
    as_of: date | None = Field(default=None, description="Forecast as if today were this day.")


class DraftRequest(DraftOptions):
    signal: Ref | None = Field(default=None, description="Draft the message disclosing it.")
    commitment: Ref | None = Field(
        default=None, description="Draft about it (answers its undisclosed signals)."
    )
    incident: Ref | None = Field(default=None, description="Draft its recovery message.")


def _draft(keepword: Keepword, actor: Actor, request: DraftRequest) -> DraftPublic:
    moment = keepword.settings.now()
    result = messages.draft_message(
        keepword.uow,
        team_renderer(),
        options=ForecastOptions(today=request.as_of or moment.date()),
        actor=actor,
        now=moment,
        signal=request.signal,
        commitment=request.commitment,
        kind=request.kind,
        incident=request.incident,
    )
    return DraftPublic(
        message=MessagePublic.model_validate(result.message), check=_check(result.report)
    )


@router.post(
    "/signals/{signal_id}/draft",
    dependencies=[allow(Action.DRAFT_MESSAGES)],
    status_code=status.HTTP_201_CREATED,
    tags=["messages"],
)
def draft_for_signal(
    signal_id: str, keepword: KeepwordDep, actor: ActorDep, request: DraftOptions | None = None
) -> DraftPublic:
    """Draft the honest message that discloses a signal (and the other undisclosed signals
    on the same promise), check it, and store it unsent."""
    options = request or DraftOptions()
    return _draft(keepword, actor, DraftRequest(signal=signal_id, **options.model_dump()))


@router.post(
    "/drafts",
    dependencies=[allow(Action.DRAFT_MESSAGES)],
    status_code=status.HTTP_201_CREATED,
    tags=["messages"],
)
def draft(request: DraftRequest, keepword: KeepwordDep, actor: ActorDep) -> DraftPublic:
    """Draft a message about a signal, a commitment or an incident, as `keepword draft`."""
    return _draft(keepword, actor, request)


class CheckRequest(RequestBody):
    text: str = Field(max_length=MESSAGE_MAX, description="The message as written (Markdown).")
    kind: CommunicationKind | None = Field(
        default=None, description="Default: the draft's kind, else delay."
    )
    message: Ref | None = Field(
        default=None,
        description="The stored draft being edited: the check then expects what sending "
        "it will (an apology only if the draft had one).",
    )
    signal: Ref | None = Field(
        default=None,
        description="The signal it answers: scope the client asked for needs no apology.",
    )
    at_fault: bool | None = Field(
        default=None, description="Whether the team is at fault (overrides the above)."
    )


def _expect_apology(
    keepword: Keepword, request: CheckRequest
) -> tuple[CommunicationKind, bool | None]:
    kind = request.kind
    expect: bool | None = None
    if request.message is not None:
        drafted = messages.find_message(keepword.uow, request.message)
        kind = kind or drafted.kind
        # As 'send' checks an edited body: no apology nagged for where the draft had none.
        expect = has_apology(drafted.body) if kind in NEEDS_APOLOGY else None
    if request.signal is not None and request.message is None:
        signal = signals.find_signal(keepword.uow, request.signal)
        client_asked = (
            signal.kind is SignalKind.SCOPE_GREW
            and signal.evidence.get("requested_by") == messages.CLIENT_REQUESTED
        )
        expect = False if client_asked else None
    if request.at_fault is not None:
        expect = request.at_fault
    return kind or CommunicationKind.DELAY, expect


@router.post("/drafts/check", dependencies=[allow(Action.DRAFT_MESSAGES)], tags=["messages"])
def check(request: CheckRequest, keepword: KeepwordDep) -> CheckPublic:
    """Check a text against the playbook: what it lacks and what it should not say, each
    with its line (the draft editor's live check). Nothing is stored."""
    if request.message is not None and request.kind is None and request.at_fault is None:
        # The draft editor's case: the same check as sending the edit will make.
        drafted = messages.find_message(keepword.uow, request.message)
        return _check(messages.check_edited(drafted, request.text))
    kind, expect = _expect_apology(keepword, request)
    return _check(playbook(request.text, kind=kind, expect_apology=expect))


# --- sending -------------------------------------------------------------------------------


class SendRequest(RequestBody):
    body: str | None = Field(
        default=None, max_length=MESSAGE_MAX, description="The body as sent, if it was edited."
    )


class DisclosurePublic(Public):
    signal: str
    latency_hours: float = Field(description="How long the client went untold.")
    deadline: UtcDateTime
    overdue: bool = Field(description="Told after the deadline.")


class SentPublic(BaseModel):
    message: MessagePublic
    disclosed: list[DisclosurePublic] = Field(description="Signals whose clock it stopped.")
    already_disclosed: list[str] = Field(description="Answered signals told earlier.")
    stale: list[str] = Field(
        description="Answered signals that changed after the draft: tell the client what is new."
    )
    warnings: list[FindingPublic] = Field(description="The playbook's findings on an edited body.")


@router.post(
    "/messages/{message_id}/send", dependencies=[allow(Action.SEND_MESSAGES)], tags=["messages"]
)
def send(
    message_id: str, keepword: KeepwordDep, actor: ActorDep, request: SendRequest | None = None
) -> SentPublic:
    """Record that a drafted message went to the client: the signals it answers are
    disclosed, and their clocks stop."""
    result = messages.send(
        keepword.uow,
        message_id,
        body=request.body if request else None,
        actor=actor,
        now=keepword.settings.now(),
    )
    return SentPublic(
        message=MessagePublic.model_validate(result.message),
        disclosed=[DisclosurePublic.model_validate(d) for d in result.disclosed],
        already_disclosed=list(result.already_disclosed),
        stale=list(result.stale),
        warnings=[FindingPublic.model_validate(f) for f in result.warnings],
    )


ProjectFilter = Annotated[str | None, Query(description="Only this project's.")]


@router.get("/messages", dependencies=[allow(Action.VIEW_SIGNALS)], tags=["messages"])
def list_messages(
    keepword: KeepwordDep,
    project: ProjectFilter = None,
    sent: Annotated[bool | None, Query(description="Only sent (true) or unsent (false).")] = None,
) -> list[MessagePublic]:
    """Messages to clients, drafted and sent, newest first."""
    found = messages.list_messages(keepword.uow, project, sent)
    return [MessagePublic.model_validate(m) for m in found]


@router.get("/messages/{message_id}", dependencies=[allow(Action.VIEW_SIGNALS)], tags=["messages"])
def get_message(message_id: str, keepword: KeepwordDep) -> MessagePublic:
    """One message to a client, drafted or sent."""
    return MessagePublic.model_validate(messages.find_message(keepword.uow, message_id))


# --- incidents -----------------------------------------------------------------------------


class StepPublic(Public):
    action: str
    due: UtcDateTime
    status: StepStatus
    done_at: UtcDateTime | None


class FirstContactPublic(Public):
    deadline: UtcDateTime = Field(
        description="One working day after the incident, on the lead's calendar."
    )
    state: incidents.FirstContactState = Field(
        description="met (done by the deadline), late (done after it), overdue (not done, "
        "past it) or open (not done, still in time)."
    )
    met: bool = Field(description="The client heard from the team in time.")
    done_at: UtcDateTime | None = Field(description="When the first contact was done.")


class IncidentPublic(Public):
    id: str
    project: str
    title: str
    occurred_at: UtcDateTime
    impact: str
    own_factors: list[str]
    steps: list[StepPublic] = Field(description="Recovery steps by due time; numbered from 1.")
    commitment: str | None
    recorded_at: UtcDateTime | None
    first_contact: FirstContactPublic = Field(description="The client's first contact.")


def _incident(view: incidents.IncidentView) -> IncidentPublic:
    incident, contact = view.incident, view.first_contact
    return IncidentPublic(
        id=incident.id,
        project=incident.project,
        title=incident.title,
        occurred_at=incident.occurred_at,
        impact=incident.impact,
        own_factors=list(incident.own_factors),
        steps=[StepPublic.model_validate(s) for s in incident.steps],
        commitment=incident.commitment,
        recorded_at=incident.recorded_at,
        first_contact=FirstContactPublic.model_validate(contact),
    )


def _incident_now(keepword: Keepword, incident: Incident) -> IncidentPublic:
    """An incident just written, with its first-contact state now."""
    portfolio = portfolio_service.current_portfolio(keepword.uow)
    return _incident(incidents.incident_view(incident, portfolio, keepword.settings.now()))


@router.get("/incidents", dependencies=[allow(Action.VIEW_INCIDENTS)], tags=["incidents"])
def list_incidents(keepword: KeepwordDep, project: ProjectFilter = None) -> list[IncidentPublic]:
    """Incidents, newest first, with their recovery steps and first-contact state."""
    views = incidents.incident_views(keepword.uow, keepword.settings.now(), project)
    return [_incident(v) for v in views]


@router.get(
    "/incidents/{incident_id}", dependencies=[allow(Action.VIEW_INCIDENTS)], tags=["incidents"]
)
def get_incident(incident_id: str, keepword: KeepwordDep) -> IncidentPublic:
    """One incident with its recovery steps and first-contact state."""
    return _incident(incidents.find_incident(keepword.uow, incident_id, keepword.settings.now()))


class StepRequest(RequestBody):
    action: str = Field(min_length=1, max_length=TEXT_MAX)
    due: UtcDateTime = Field(description="UTC; a time without a zone is taken as UTC.")


class IncidentRequest(RequestBody):
    project: Ref
    title: str = Field(min_length=1, max_length=TEXT_MAX, description="What went wrong.")
    impact: str = Field(
        min_length=1, max_length=TEXT_MAX, description="What it did to the client, in their terms."
    )
    own_factors: list[Line] = Field(
        default=[],
        max_length=LIST_MAX,
        description="The team's own contributing factors, never anyone else's.",
    )
    steps: list[StepRequest] = Field(
        default=[],
        max_length=LIST_MAX,
        description="Recovery steps; a first contact with the client is added if none is one.",
    )
    occurred_at: UtcDateTime | None = Field(default=None, description="Default: now.")
    commitment: Ref | None = Field(default=None, description="The commitment it hit.")


@router.post(
    "/incidents",
    dependencies=[allow(Action.RECORD_INCIDENTS)],
    status_code=status.HTTP_201_CREATED,
    tags=["incidents"],
)
def record_incident(
    request: IncidentRequest, keepword: KeepwordDep, actor: ActorDep
) -> IncidentPublic:
    """Record an incident; a first contact with the client is added if no step is one."""
    moment = keepword.settings.now()
    recorded = incidents.record_incident(
        keepword.uow,
        request.project,
        request.title,
        request.impact,
        request.own_factors,
        [(s.action, s.due) for s in request.steps],
        request.occurred_at or moment,
        request.commitment,
        actor=actor,
        now=moment,
    )
    return _incident_now(keepword, recorded)


@router.post(
    "/incidents/{incident_id}/steps/{number}/done",
    dependencies=[allow(Action.RECORD_INCIDENTS)],
    tags=["incidents"],
)
def step_done(
    incident_id: str,
    number: Annotated[int, PathParam(ge=1, description="Step number, from 1.")],
    keepword: KeepwordDep,
    actor: ActorDep,
) -> IncidentPublic:
    """Mark a recovery step done now."""
    after = incidents.step_done(
        keepword.uow,
        incident_id,
        number,
        actor=actor,
        now=keepword.settings.now(),
    )
    return _incident_now(keepword, after)
