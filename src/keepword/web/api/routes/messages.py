"""API routes: messages to clients — draft one from the facts, check any text against the
playbook, record it sent (which stops the clocks of the signals it answers)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from keepword.bootstrap import Keepword
from keepword.domain.access import Action, Actor
from keepword.domain.communications import CommunicationKind
from keepword.domain.forecast import ForecastOptions
from keepword.domain.playbook import FindingKind, PlaybookReport
from keepword.domain.text import MESSAGE_MAX
from keepword.drafts.render import team_renderer
from keepword.services import messages
from keepword.web.api.schemas import ProjectFilter, Public, Ref, RequestBody, UtcDateTime
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter(tags=["messages"])

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


@router.post("/drafts/check", dependencies=[allow(Action.DRAFT_MESSAGES)])
def check(request: CheckRequest, keepword: KeepwordDep) -> CheckPublic:
    """Check a text against the playbook: what it lacks and what it should not say, each
    with its line (the draft editor's live check). Nothing is stored."""
    report = messages.check_text(
        keepword.uow,
        request.text,
        kind=request.kind,
        message=request.message,
        signal=request.signal,
        at_fault=request.at_fault,
    )
    return _check(report)


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


@router.post("/messages/{message_id}/send", dependencies=[allow(Action.SEND_MESSAGES)])
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


@router.get("/messages", dependencies=[allow(Action.VIEW_SIGNALS)])
def list_messages(
    keepword: KeepwordDep,
    project: ProjectFilter = None,
    sent: Annotated[bool | None, Query(description="Only sent (true) or unsent (false).")] = None,
) -> list[MessagePublic]:
    """Messages to clients, drafted and sent, newest first."""
    found = messages.list_messages(keepword.uow, project, sent)
    return [MessagePublic.model_validate(m) for m in found]


@router.get("/messages/{message_id}", dependencies=[allow(Action.VIEW_SIGNALS)])
def get_message(message_id: str, keepword: KeepwordDep) -> MessagePublic:
    """One message to a client, drafted or sent."""
    return MessagePublic.model_validate(messages.find_message(keepword.uow, message_id))
