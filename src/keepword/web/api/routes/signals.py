"""API routes: risk signals with their disclosure clocks, and the review that raises and
escalates them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from keepword.domain.access import Action
from keepword.domain.signals import DEFAULT_STALL_DAYS, Severity, SignalKind
from keepword.services import signals
from keepword.web.api.schemas import RequestBody, UtcDateTime
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter(tags=["signals"])


class ClockPublic(BaseModel):
    deadline: UtcDateTime = Field(description="When the client must have been told.")
    elapsed_hours: float = Field(description="From detection to disclosure, or to now.")
    overdue: bool = Field(description="Undisclosed past the deadline, or disclosed after it.")
    target_working_days: int
    text: str = Field(description="The clock as a person reads it: '5 h left', '1 d 2 h overdue'.")


class SignalPublic(BaseModel):
    id: str
    kind: SignalKind
    severity: Severity
    summary: str
    evidence: dict[str, str | int | float]
    commitment: str
    commitment_title: str
    project: str
    client: str
    owner: str | None
    owner_name: str | None
    detected_at: UtcDateTime
    updated_at: UtcDateTime | None
    disclosed: bool
    disclosed_at: UtcDateTime | None
    communication: str | None = Field(description="The message that disclosed it.")
    escalated_at: UtcDateTime | None
    overdue_undisclosed: bool
    clock: ClockPublic


def _signal(view: signals.SignalView, now: datetime) -> SignalPublic:
    s = view.signal
    return SignalPublic(
        id=s.id,
        kind=s.kind,
        severity=s.severity,
        summary=s.summary,
        evidence=dict(s.evidence),
        commitment=s.commitment,
        commitment_title=view.commitment_title,
        project=s.project,
        client=view.client,
        owner=s.owner,
        owner_name=view.owner_name,
        detected_at=s.detected_at,
        updated_at=s.updated_at,
        disclosed=s.disclosed,
        disclosed_at=s.disclosed_at,
        communication=s.communication,
        escalated_at=s.escalated_at,
        overdue_undisclosed=view.overdue_undisclosed,
        clock=ClockPublic(
            deadline=view.clock.deadline,
            elapsed_hours=round(view.clock.latency_hours, 1),
            overdue=view.clock.overdue,
            target_working_days=view.target_days,
            text=signals.clock_text(view, now),
        ),
    )


IncludeDisclosed = Annotated[bool, Query(alias="all", description="Also list disclosed signals.")]


@router.get("/signals", dependencies=[allow(Action.VIEW_SIGNALS)])
def list_signals(
    keepword: KeepwordDep, include_disclosed: IncludeDisclosed = False
) -> list[SignalPublic]:
    """Risk signals with their disclosure clocks: undisclosed past their target first (most
    overdue first), then the other undisclosed by deadline, then (if asked) the disclosed."""
    moment = keepword.settings.now()
    views = signals.stored_signals(keepword.uow, moment, include_disclosed=include_disclosed)
    return [_signal(v, moment) for v in views]


@router.get("/signals/{signal_id}", dependencies=[allow(Action.VIEW_SIGNALS)])
def get_signal(signal_id: str, keepword: KeepwordDep) -> SignalPublic:
    """One signal with its disclosure clock, disclosed or not."""
    moment = keepword.settings.now()
    return _signal(signals.signal_view(keepword.uow, signal_id, moment), moment)


class ReviewRequest(RequestBody):
    stall_days: int = Field(
        default=DEFAULT_STALL_DAYS,
        ge=1,
        description="Working days without progress before a signal.",
    )
    include_disclosed: bool = Field(default=False, description="Also list disclosed signals.")


class ReviewPublic(BaseModel):
    signals: list[SignalPublic]
    raised: list[str] = Field(description="Signals this review raised.")
    escalated: list[str] = Field(description="Undisclosed signals past target escalated now.")


@router.post("/signals/review", dependencies=[allow(Action.REVIEW_SIGNALS)])
def review(
    keepword: KeepwordDep, actor: ActorDep, request: ReviewRequest | None = None
) -> ReviewPublic:
    """What `keepword risks` does: bring forecasts up to date, raise the signals time calls
    for, escalate the undisclosed past their target, and list them."""
    request = request or ReviewRequest()
    moment = keepword.settings.now()
    result = signals.review(
        keepword.uow,
        actor=actor,
        now=moment,
        today=moment.date(),
        stall_days=request.stall_days,
        include_disclosed=request.include_disclosed,
    )
    return ReviewPublic(
        signals=[_signal(v, moment) for v in result.signals],
        raised=result.raised,
        escalated=result.escalated,
    )
