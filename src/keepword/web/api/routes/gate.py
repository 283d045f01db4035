"""API routes: the commit gate (W1) — ask before promising, promise, and close a promise."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from keepword.domain.access import Action
from keepword.domain.commitment import CommitmentState, Health
from keepword.domain.forecast import ForecastOptions
from keepword.domain.ids import VALID_ID
from keepword.domain.text import ID_MAX
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS
from keepword.reports.proposal import option_lines
from keepword.services import gate
from keepword.web.api.schemas import (
    CommitmentDetail,
    Confidence,
    Line,
    Probability,
    Public,
    Ref,
    Refs,
    RequestBody,
    Seed,
    SeedField,
    SharePublic,
    Trials,
    TrialsField,
)
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter(tags=["gate"])

CommitmentId = Annotated[
    str,
    Field(
        pattern=f"^{VALID_ID.pattern}$",
        max_length=ID_MAX,
        description="Letters, digits, '.', '_' and '-', starting with a letter or digit.",
    ),
]


class ProposalRequest(RequestBody):
    project: Ref
    due: date = Field(description="The date the client asks for.")
    team: Refs | None = Field(
        None,
        description="Person ids to forecast with instead of the people allocated, each full "
        "time from the start.",
    )
    confidence: Confidence | None = Field(
        default=None, description="Default: the project's proposed commitment's, else 0.85."
    )
    record: CommitmentId | None = Field(
        None,
        description="Also store the asked date as a proposed commitment with this id (an "
        "existing proposal of that id is updated).",
    )
    cut_line: bool = Field(
        False,
        description="With `record`: store the phases that fit by `due` as the proposal, and "
        "the rest as a later one (`ID-rest`), due on the whole's date at the target.",
    )
    as_of: date | None = Field(default=None, description="Forecast as if today were this date.")
    trials: TrialsField = DEFAULT_TRIALS
    seed: SeedField = DEFAULT_SEED


class PhasePlanPublic(Public):
    id: str
    name: str
    items: int
    p50: date
    p85: date
    through_p50: date = Field(description="P50 of this phase and every phase before it.")
    through_p85: date
    on_time: Probability = Field(description="Of this phase and all before it, by the due date.")
    fits: bool


class MoveDatePublic(Public):
    date: date
    on_time: Probability
    reaches: bool


class CutScopePublic(Public):
    kept_phases: list[str]
    partial_phase: str | None
    partial_items: list[str]
    dropped_phases: list[str]
    dropped_items: list[str]
    kept: int
    on_time: Probability
    p50: date
    p85: date
    reaches: bool


class AddCapacityPublic(Public):
    skill: str | None
    person: str | None = Field(description="Null: a new person.")
    name: str
    fraction: float
    days_per_week: float
    free: float
    start: date
    end: date
    on_time: Probability
    reaches: bool


class OptionLinePublic(Public):
    label: str
    text: str
    on_time: Probability
    reaches: bool


class TeamMemberPublic(Public):
    person: str
    name: str
    skills: list[str]


class GateAnswerPublic(Public):
    project: str
    project_name: str
    client: str
    today: date
    start: date
    due: date
    confidence: Probability
    trials: int
    seed: int
    mode: str
    on_time: Probability
    meets_target: bool
    p50: date
    p85: date
    p95: date
    at_confidence: date = Field(description="The date at the confidence target.")
    phases: list[PhasePlanPublic]
    cut_line: list[str] = Field(description="The phases that fit by the due date.")
    move_date: MoveDatePublic = Field(description="Option (a): promise this date instead.")
    cut_scope: CutScopePublic | None = Field(
        description="Option (b): keep this scope; null when the asked date already fits."
    )
    add_capacity: AddCapacityPublic | None = Field(
        description="Option (c): add this much of someone's time; null when it already fits."
    )
    option_lines: list[OptionLinePublic] = Field(
        default=[], description="The options as sentences."
    )
    team: list[TeamMemberPublic]
    critical_items: list[SharePublic]
    critical_people: list[SharePublic]
    evidence: str
    recorded: CommitmentDetail | None = Field(
        default=None, description="The proposal stored, if asked."
    )


@router.post("/proposals", dependencies=[allow(Action.CHECK_GATE)])
def propose(request: ProposalRequest, keepword: KeepwordDep, actor: ActorDep) -> GateAnswerPublic:
    """Before promising a date: its odds, the date at the confidence target, the phases that
    fit, and three ways to reach the target (move the date, cut scope, add capacity). With
    `record`, which needs the right to record a proposal, the asked date is also stored."""
    moment = keepword.settings.now()
    question = gate.GateQuestion(
        request.project,
        request.due,
        request.confidence,
        tuple(request.team) if request.team is not None else None,
        request.record,
        request.cut_line,
    )
    options = ForecastOptions(request.as_of or moment.date(), request.trials, request.seed)
    asked = gate.ask(keepword.uow, question, options, actor=actor, now=moment)
    lines = option_lines(asked.answer, asked.portfolio)
    return GateAnswerPublic.model_validate(asked.answer).model_copy(
        update={
            "option_lines": [OptionLinePublic.model_validate(line) for line in lines],
            "recorded": CommitmentDetail.model_validate(asked.recorded) if asked.recorded else None,
        }
    )


class Committed(BaseModel):
    commitment: CommitmentDetail
    health: Health = Field(description="Of the baseline against the confidence target.")
    below_target: bool = Field(description="Committed with odds below its confidence target.")


class CommitRequest(RequestBody):
    below_target: Line | None = Field(
        None,
        description="Why it is promised though its odds are below its confidence target: "
        "needed then, and recorded with the promise.",
    )


@router.post("/commitments/{commitment_id}/commit", dependencies=[allow(Action.COMMIT)])
def commit(
    commitment_id: str,
    keepword: KeepwordDep,
    actor: ActorDep,
    request: CommitRequest | None = None,
    trials: Trials = DEFAULT_TRIALS,
    seed: Seed = DEFAULT_SEED,
) -> Committed:
    """Make a proposed commitment a promise, now, with today's forecast as its baseline.
    Below its confidence target the body gives the reason (`below_target`); below the
    team's approval threshold only an executive may."""
    moment = keepword.settings.now()
    options = ForecastOptions(moment.date(), trials, seed)
    result = gate.commit(
        keepword.uow,
        commitment_id,
        actor=actor,
        now=moment,
        options=options,
        below_target_reason=request.below_target if request else None,
        approval_below=keepword.settings.approval_below,
    )
    return Committed(
        commitment=CommitmentDetail.model_validate(result.commitment),
        health=result.health,
        below_target=result.below_target,
    )


@router.post("/commitments/{commitment_id}/approve", dependencies=[allow(Action.APPROVE_RISK)])
def approve(commitment_id: str, keepword: KeepwordDep, actor: ActorDep) -> CommitmentDetail:
    """Approve a proposal whose odds are below the team's approval threshold, so that it may
    be committed."""
    approved = gate.approve(keepword.uow, commitment_id, actor=actor, now=keepword.settings.now())
    return CommitmentDetail.model_validate(approved)


class CloseRequest(RequestBody):
    outcome: Literal["met", "missed", "renegotiated", "withdrawn"] = Field(
        description="met, missed or renegotiated; a proposal is withdrawn."
    )


@router.post("/commitments/{commitment_id}/close", dependencies=[allow(Action.CLOSE_COMMITMENT)])
def close(
    commitment_id: str, request: CloseRequest, keepword: KeepwordDep, actor: ActorDep
) -> CommitmentDetail:
    """End a commitment; a closed promise raises no more signals."""
    closed = gate.close_commitment(
        keepword.uow,
        commitment_id,
        CommitmentState(request.outcome),
        actor=actor,
        now=keepword.settings.now(),
    )
    return CommitmentDetail.model_validate(closed)
