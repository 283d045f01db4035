"""API routes: watching the promises (W2) — scenarios and moves of people tried and
applied, risk signals and their disclosure clocks, the review — and the one-at-a-time
changes to the plan that are watched: an item started or done, time off booked."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from keepword.bootstrap import Keepword
from keepword.domain.access import Action, Actor
from keepword.domain.commitment import Health
from keepword.domain.events import Event
from keepword.domain.forecast import ForecastOptions
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus
from keepword.domain.scenario import Reallocation, Scenario, ScenarioChange, ScopeAddition
from keepword.domain.signals import DEFAULT_STALL_DAYS, Severity, SignalKind
from keepword.domain.text import LIST_MAX, TEXT_MAX
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS
from keepword.services import plan, scenarios, signals, watch
from keepword.services import portfolio as portfolio_service
from keepword.web.api.routes.portfolio import (
    AsOf,
    EventPublic,
    Probability,
    Public,
    Ref,
    RequestBody,
    Seed,
    Trials,
    UtcDateTime,
    WorkItemPublic,
)
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter()

# --- scenarios -----------------------------------------------------------------------------


class ReallocationPublic(BaseModel):
    kind: Literal["reallocation"] = "reallocation"
    person: str
    from_project: str
    to_project: str | None = Field(description="Null: work Keepword does not plan.")
    start: date
    end: date
    fraction: float | None = Field(description="Null: all of the person's allocation.")


class ScopeAdditionPublic(BaseModel):
    kind: Literal["scope_addition"] = "scope_addition"
    project: str
    item: WorkItemPublic


class ScopeRemovalPublic(BaseModel):
    kind: Literal["scope_removal"] = "scope_removal"
    project: str
    item: str


ChangePublic = Annotated[
    ReallocationPublic | ScopeAdditionPublic | ScopeRemovalPublic, Field(discriminator="kind")
]


class ScenarioPublic(BaseModel):
    id: str
    name: str
    description: str
    changes: list[ChangePublic]


def _change(
    change: ScenarioChange,
) -> ReallocationPublic | ScopeAdditionPublic | ScopeRemovalPublic:
    if isinstance(change, Reallocation):
        return ReallocationPublic(
            person=change.person,
            from_project=change.from_project,
            to_project=change.to_project,
            start=change.start,
            end=change.end,
            fraction=change.fraction,
        )
    if isinstance(change, ScopeAddition):
        return ScopeAdditionPublic(
            project=change.project, item=WorkItemPublic.model_validate(change.item)
        )
    return ScopeRemovalPublic(project=change.project, item=change.item)


def _scenario(scenario: Scenario) -> ScenarioPublic:
    return ScenarioPublic(
        id=scenario.id,
        name=scenario.name,
        description=scenario.description,
        changes=[_change(c) for c in scenario.changes],
    )


@router.get("/scenarios", dependencies=[allow(Action.TRY_WHATIF)], tags=["scenarios"])
def list_scenarios(keepword: KeepwordDep) -> list[ScenarioPublic]:
    """The scenarios not yet applied, with their changes."""
    stored = portfolio_service.current_portfolio(keepword.uow)
    return [_scenario(s) for s in stored.scenarios]


class StandingPublic(Public):
    on_time: Probability | None
    p85: date | None
    health: Health | None
    problem: str | None


class DiffPublic(Public):
    commitment: str
    title: str
    client: str
    project: str
    due: date
    confidence: Probability
    before: StandingPublic
    after: StandingPublic
    harm: float = Field(ge=-1, le=1, description="How much P(on time) falls (negative: rises).")
    slip_days: int | None = Field(description="How many days the P85 date moves.")
    health_changed: bool


class ItemRef(BaseModel):
    id: str
    title: str


class ProgressPublic(BaseModel):
    person: str
    name: str
    project: str
    free_days: float = Field(description="Median free working days in the scenario's window.")
    items: list[ItemRef] = Field(description="What they could take, ready ones first.")


class Window(BaseModel):
    start: date
    end: date


class WhatIfPublic(BaseModel):
    scenario: ScenarioPublic
    window: Window | None = Field(description="When the scenario moves people, if it does.")
    touched: list[str] = Field(description="The projects it changes.")
    commitments: list[DiffPublic] = Field(description="Every touched one, most harmed first.")
    still_progressing: list[ProgressPublic]


@router.get(
    "/scenarios/{scenario_id}/whatif", dependencies=[allow(Action.TRY_WHATIF)], tags=["scenarios"]
)
def what_if(
    scenario_id: str,
    keepword: KeepwordDep,
    as_of: AsOf = None,
    trials: Trials = DEFAULT_TRIALS,
    seed: Seed = DEFAULT_SEED,
) -> WhatIfPublic:
    """Try a scenario in memory: every commitment it touches before and after, and what can
    still progress. Nothing is saved."""
    return _what_if(keepword, lambda stored: stored.scenario(scenario_id), as_of, trials, seed)


def _what_if(
    keepword: Keepword,
    scenario_of: Callable[[Portfolio], Scenario],
    as_of: date | None,
    trials: int,
    seed: int,
) -> WhatIfPublic:
    """The what-if of the scenario ``scenario_of`` finds in the portfolio the odds are read
    with (one read of both)."""
    moment = keepword.settings.now()
    options = ForecastOptions(as_of or moment.date(), trials, seed)
    stored, cached = watch.current_state(keepword.uow, options, now=moment)
    result = scenarios.what_if(stored, scenario_of(stored), options, cached)
    return WhatIfPublic(
        scenario=_scenario(result.scenario),
        window=Window(start=result.window[0], end=result.window[1]) if result.window else None,
        touched=result.touched,
        commitments=[
            DiffPublic.model_validate(d).model_copy(update={"harm": round(d.harm, 4)})
            for d in result.diffs
        ],
        still_progressing=[
            ProgressPublic(
                person=p.person,
                name=p.name,
                project=p.project,
                free_days=p.free_days,
                items=[ItemRef(id=i, title=t) for i, t in p.items],
            )
            for p in result.progress
        ],
    )


class SignalRef(BaseModel):
    id: str
    commitment: str
    kind: SignalKind
    summary: str


class Applied(BaseModel):
    scenario: str
    changes: list[EventPublic] = Field(description="The changes it made, as events.")
    signals_raised: list[SignalRef]


def _raised(events: list[Event]) -> list[SignalRef]:
    return [
        SignalRef(
            id=e.entity_id,
            commitment=e.after["commitment"],
            kind=e.after["kind"],
            summary=e.after["summary"],
        )
        for e in events
        if e.entity == "signal" and e.action == "raised"
    ]


@router.post(
    "/scenarios/{scenario_id}/apply",
    dependencies=[allow(Action.APPLY_SCENARIO)],
    tags=["scenarios"],
)
def apply_scenario(scenario_id: str, keepword: KeepwordDep, actor: ActorDep) -> Applied:
    """Make a scenario real, now: its changes become events, forecasts and signals follow."""
    moment = keepword.settings.now()
    events = scenarios.apply_scenario(
        keepword.uow, scenario_id, actor=actor, now=moment, today=moment.date()
    )
    return _applied(scenario_id, events)


def _applied(scenario_id: str, events: list[Event]) -> Applied:
    return Applied(
        scenario=scenario_id,
        changes=[
            EventPublic.model_validate(e) for e in events if e.entity not in ("signal", "scenario")
        ],
        signals_raised=_raised(events),
    )


# --- moves of people, tried and applied without a saved scenario ----------------------------


class MoveRequest(RequestBody):
    """Some of a person's time moved off a project for a while."""

    person: Ref
    from_project: Ref = Field(description="The project they leave.")
    to_project: Ref | None = Field(
        default=None, description="The project they join; null: work Keepword does not plan."
    )
    start: date = Field(description="First day away.")
    end: date = Field(description="Last day away.")
    percent: float | None = Field(
        default=None,
        description="Percent of their time on from_project, above 0, at most 100; null: all.",
    )


class MovesRequest(RequestBody):
    moves: list[MoveRequest] = Field(
        max_length=LIST_MAX, description="At least one; a move at fault is named moves.N.FIELD."
    )


def _moves(request: MovesRequest) -> list[scenarios.Move]:
    return [scenarios.Move(**move.model_dump()) for move in request.moves]


@router.post("/whatif", dependencies=[allow(Action.TRY_WHATIF)], tags=["scenarios"])
def try_moves(
    request: MovesRequest,
    keepword: KeepwordDep,
    as_of: AsOf = None,
    trials: Trials = DEFAULT_TRIALS,
    seed: Seed = DEFAULT_SEED,
) -> WhatIfPublic:
    """Try moves of people in memory, as the what-if page does: the same answer as a saved
    scenario's what-if (its id is the same for the same moves). Nothing is saved."""
    moves = _moves(request)
    return _what_if(
        keepword, lambda stored: scenarios.moves_scenario(stored, moves), as_of, trials, seed
    )


@router.post("/whatif/apply", dependencies=[allow(Action.APPLY_SCENARIO)], tags=["scenarios"])
def apply_moves(request: MovesRequest, keepword: KeepwordDep, actor: ActorDep) -> Applied:
    """Make moves of people real, now, as applying a scenario does: the changes become
    events, forecasts and signals follow. No scenario is saved."""
    stored = portfolio_service.current_portfolio(keepword.uow)
    scenario = scenarios.moves_scenario(stored, _moves(request))
    moment = keepword.settings.now()
    events = scenarios.apply_changes(
        keepword.uow, scenario, actor=actor, now=moment, today=moment.date()
    )
    return _applied(scenario.id, events)


# --- signals -------------------------------------------------------------------------------


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


@router.get("/signals", dependencies=[allow(Action.VIEW_SIGNALS)], tags=["signals"])
def list_signals(
    keepword: KeepwordDep, include_disclosed: IncludeDisclosed = False
) -> list[SignalPublic]:
    """Risk signals with their disclosure clocks: undisclosed past their target first (most
    overdue first), then the other undisclosed by deadline, then (if asked) the disclosed."""
    moment = keepword.settings.now()
    views = signals.stored_signals(keepword.uow, moment, include_disclosed=include_disclosed)
    return [_signal(v, moment) for v in views]


@router.get("/signals/{signal_id}", dependencies=[allow(Action.VIEW_SIGNALS)], tags=["signals"])
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


@router.post("/signals/review", dependencies=[allow(Action.REVIEW_SIGNALS)], tags=["signals"])
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


# --- one change to the plan at a time ------------------------------------------------------


class ReforecastPublic(BaseModel):
    commitment: str
    on_time_before: Probability | None
    on_time_after: Probability | None
    p85_before: date | None
    p85_after: date | None


class ChangeResult(BaseModel):
    changes: list[EventPublic] = Field(description="What was recorded, as events.")
    reforecast: list[ReforecastPublic] = Field(description="Commitments forecast again.")
    signals_raised: list[SignalRef]


def _watched(
    keepword: Keepword, actor: Actor, change: Callable[[datetime], list[Event]]
) -> ChangeResult:
    """Make the change, and say what it did to the odds and which signals it raised."""
    report = watch.reforecast_by(keepword.uow, change, actor=actor, now=keepword.settings.now())
    events = report.events
    return ChangeResult(
        changes=[EventPublic.model_validate(e) for e in events if e.entity != "signal"],
        reforecast=[
            ReforecastPublic(
                commitment=moved.commitment,
                on_time_before=moved.before.on_time,
                on_time_after=moved.after.on_time,
                p85_before=moved.before.p85,
                p85_after=moved.after.p85,
            )
            for moved in report.reforecast
        ],
        signals_raised=_raised(events),
    )


class OnDay(RequestBody):
    on: date | None = Field(default=None, description="The day it happened (default: today).")


def _set_status(
    keepword: Keepword, actor: Actor, project: str, item: str, status: ItemStatus, on: date | None
) -> ChangeResult:
    return _watched(
        keepword,
        actor,
        lambda moment: plan.set_item_status(
            keepword.uow,
            project,
            item,
            status,
            on=on or moment.date(),
            actor=actor,
            now=moment,
        ),
    )


@router.post(
    "/projects/{project_id}/items/{item_id}/start",
    dependencies=[allow(Action.UPDATE_WORK)],
    tags=["plan changes"],
)
def start_item(
    project_id: str,
    item_id: str,
    keepword: KeepwordDep,
    actor: ActorDep,
    request: OnDay | None = None,
) -> ChangeResult:
    """Record that work on an item started; its project is forecast again."""
    on = request.on if request else None
    return _set_status(keepword, actor, project_id, item_id, ItemStatus.IN_PROGRESS, on)


@router.post(
    "/projects/{project_id}/items/{item_id}/done",
    dependencies=[allow(Action.UPDATE_WORK)],
    tags=["plan changes"],
)
def finish_item(
    project_id: str,
    item_id: str,
    keepword: KeepwordDep,
    actor: ActorDep,
    request: OnDay | None = None,
) -> ChangeResult:
    """Record that an item is done; its project is forecast again."""
    on = request.on if request else None
    return _set_status(keepword, actor, project_id, item_id, ItemStatus.DONE, on)


class TimeOffRequest(RequestBody):
    start: date = Field(description="First day off.")
    end: date = Field(description="Last day off.")
    reason: str = Field(default="", max_length=TEXT_MAX, description="Why, in a few words.")


@router.post(
    "/people/{person_id}/time-off", dependencies=[allow(Action.UPDATE_WORK)], tags=["plan changes"]
)
def book_time_off(
    person_id: str, request: TimeOffRequest, keepword: KeepwordDep, actor: ActorDep
) -> ChangeResult:
    """Book days off for a person; the projects they work on are forecast again."""
    return _watched(
        keepword,
        actor,
        lambda moment: plan.add_time_off(
            keepword.uow,
            person_id,
            request.start,
            request.end,
            reason=request.reason,
            actor=actor,
            now=moment,
        ),
    )
