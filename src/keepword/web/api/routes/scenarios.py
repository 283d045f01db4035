"""API routes: scenarios and moves of people, tried in memory (the what-if) and applied."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from keepword.domain.access import Action
from keepword.domain.commitment import Health
from keepword.domain.scenario import Reallocation, Scenario, ScenarioChange, ScopeAddition
from keepword.domain.text import LIST_MAX
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS
from keepword.services import scenarios
from keepword.web.api.schemas import (
    AsOf,
    EventPublic,
    Probability,
    Public,
    Ref,
    RequestBody,
    Seed,
    SignalRef,
    Trials,
    WorkItemPublic,
    signals_raised,
)
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter(tags=["scenarios"])


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


@router.get("/scenarios", dependencies=[allow(Action.TRY_WHATIF)])
def list_scenarios(keepword: KeepwordDep) -> list[ScenarioPublic]:
    """The scenarios not yet applied, with their changes."""
    return [_scenario(s) for s in scenarios.list_scenarios(keepword.uow)]


# --- the what-if ---------------------------------------------------------------------------


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


def _what_if(result: scenarios.WhatIf) -> WhatIfPublic:
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


@router.get("/scenarios/{scenario_id}/whatif", dependencies=[allow(Action.TRY_WHATIF)])
def what_if(
    scenario_id: str,
    keepword: KeepwordDep,
    as_of: AsOf = None,
    trials: Trials = DEFAULT_TRIALS,
    seed: Seed = DEFAULT_SEED,
) -> WhatIfPublic:
    """Try a scenario in memory: every commitment it touches before and after, and what can
    still progress. Nothing is saved."""
    result = scenarios.try_scenario(
        keepword.uow,
        scenario_id,
        now=keepword.settings.now(),
        as_of=as_of,
        trials=trials,
        seed=seed,
    )
    return _what_if(result)


# --- applying ------------------------------------------------------------------------------


class Applied(BaseModel):
    scenario: str
    changes: list[EventPublic] = Field(description="The changes it made, as events.")
    signals_raised: list[SignalRef]


def _applied(applied: scenarios.ScenarioApplied) -> Applied:
    return Applied(
        scenario=applied.scenario.id,
        changes=[EventPublic.model_validate(e) for e in applied.changes],
        signals_raised=signals_raised(applied.events),
    )


@router.post("/scenarios/{scenario_id}/apply", dependencies=[allow(Action.APPLY_SCENARIO)])
def apply_scenario(scenario_id: str, keepword: KeepwordDep, actor: ActorDep) -> Applied:
    """Make a scenario real, now: its changes become events, forecasts and signals follow."""
    moment = keepword.settings.now()
    applied = scenarios.apply_saved(
        keepword.uow, scenario_id, actor=actor, now=moment, today=moment.date()
    )
    return _applied(applied)


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


@router.post("/whatif", dependencies=[allow(Action.TRY_WHATIF)])
def try_moves(
    request: MovesRequest,
    keepword: KeepwordDep,
    as_of: AsOf = None,
    trials: Trials = DEFAULT_TRIALS,
    seed: Seed = DEFAULT_SEED,
) -> WhatIfPublic:
    """Try moves of people in memory, as the what-if page does: the same answer as a saved
    scenario's what-if (its id is the same for the same moves). Nothing is saved."""
    result = scenarios.try_moves(
        keepword.uow,
        _moves(request),
        now=keepword.settings.now(),
        as_of=as_of,
        trials=trials,
        seed=seed,
    )
    return _what_if(result)


@router.post("/whatif/apply", dependencies=[allow(Action.APPLY_SCENARIO)])
def apply_moves(request: MovesRequest, keepword: KeepwordDep, actor: ActorDep) -> Applied:
    """Make moves of people real, now, as applying a scenario does: the changes become
    events, forecasts and signals follow. No scenario is saved."""
    moment = keepword.settings.now()
    applied = scenarios.apply_moves(
        keepword.uow, _moves(request), actor=actor, now=moment, today=moment.date()
    )
    return _applied(applied)
