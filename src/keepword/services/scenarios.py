"""What-if across the portfolio (W2): a scenario, saved or made of moves of people, tried
in memory, its diff, and what can still progress; and applying either for real.

Only the projects a scenario touches are forecast again; every other commitment keeps its
cached odds, which is what makes a portfolio what-if fast enough to try before deciding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from keepword.domain.access import Action, Actor, requires
from keepword.domain.commitment import Health
from keepword.domain.errors import InvalidFields, InvalidPortfolio, InvalidValue
from keepword.domain.events import Event, snapshot
from keepword.domain.forecast import ForecastOptions, ProjectForecast
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus, WorkItem
from keepword.domain.scenario import Reallocation, Scenario, ScopeAddition
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS
from keepword.services.ports import CachedOdds, UnitOfWork, UnitOfWorkFactory
from keepword.services.watch import (
    current_state,
    forecast_odds,
    forecast_with_odds,
    record_change,
    stale_projects,
)

FREE_DAYS_WORTH_SHOWING = 0.5
ITEMS_SHOWN_PER_PERSON = 4


@dataclass(frozen=True)
class Standing:
    """A commitment's odds at one moment: P(on time), the 85 % date, health."""

    on_time: float | None
    p85: date | None
    health: Health | None
    problem: str | None = None


@dataclass(frozen=True)
class CommitmentDiff:
    """One commitment before and after a scenario."""

    commitment: str
    title: str
    client: str
    project: str
    due: date
    confidence: float
    before: Standing
    after: Standing

    @property
    def harm(self) -> float:
        """How much P(on time) falls (negative when it rises)."""
        return (self.before.on_time or 0.0) - (self.after.on_time or 0.0)

    @property
    def slip_days(self) -> int | None:
        if self.before.p85 is None or self.after.p85 is None:
            return None
        return (self.after.p85 - self.before.p85).days

    @property
    def health_changed(self) -> bool:
        return self.before.health is not self.after.health


@dataclass(frozen=True)
class Progress:
    """Someone left with free working days on a project, and the items they could take."""

    person: str
    name: str
    project: str
    free_days: float
    items: tuple[tuple[str, str], ...]  # (id, title), in priority order, ready ones first


@dataclass(frozen=True)
class WhatIf:
    """A scenario's effect: every touched commitment's diff (most harmed first) and what can
    still progress during the scenario's window."""

    scenario: Scenario
    touched: list[str]
    diffs: list[CommitmentDiff]
    progress: list[Progress]
    window: tuple[date, date] | None


def list_scenarios(uow: UnitOfWorkFactory) -> tuple[Scenario, ...]:
    """The saved scenarios not yet applied, with their changes."""
    with uow() as work:
        return work.portfolio.get().scenarios


def try_scenario(
    uow: UnitOfWorkFactory,
    scenario_id: str,
    *,
    now: datetime,
    as_of: date | None = None,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
) -> WhatIf:
    """The what-if of the saved scenario ``scenario_id``, forecast as of ``as_of`` (default:
    the day of ``now``); nothing is saved."""
    return _try(uow, lambda portfolio: portfolio.scenario(scenario_id), now, as_of, trials, seed)


def try_moves(
    uow: UnitOfWorkFactory,
    moves: Sequence[Move],
    *,
    now: datetime,
    as_of: date | None = None,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
    input_errors: Mapping[str, str] | None = None,
) -> WhatIf:
    """The what-if of ``moves`` as :func:`moves_scenario` makes them a scenario (its id the
    same as a saved one's of the same moves), forecast as :func:`try_scenario`; nothing is
    saved. Raises :class:`InvalidFields` naming ``moves.N.FIELD`` for every move at fault,
    ``input_errors`` (the fields the caller could not read) among them."""
    return _try(
        uow,
        lambda portfolio: moves_scenario(portfolio, moves, input_errors),
        now,
        as_of,
        trials,
        seed,
    )


def _try(
    uow: UnitOfWorkFactory,
    scenario_of: Callable[[Portfolio], Scenario],
    now: datetime,
    as_of: date | None,
    trials: int,
    seed: int,
) -> WhatIf:
    # The scenario is found in the very portfolio the odds were read with (one read of both).
    options = ForecastOptions(as_of or now.date(), trials, seed)
    portfolio, cached = current_state(uow, options, now=now)
    return what_if(portfolio, scenario_of(portfolio), options, cached)


def scenario_projects(scenario: Scenario) -> set[str]:
    """The projects a scenario changes the capacity or scope of."""
    touched: set[str] = set()
    for change in scenario.changes:
        if isinstance(change, Reallocation):
            touched.add(change.from_project)
            if change.to_project is not None:
                touched.add(change.to_project)
        else:
            touched.add(change.project)
    return touched


def scenario_window(scenario: Scenario) -> tuple[date, date] | None:
    """From the first day any reallocation starts to the last day any ends."""
    moves = [c for c in scenario.changes if isinstance(c, Reallocation)]
    if not moves:
        return None
    return min(c.start for c in moves), max(c.end for c in moves)


def what_if(
    portfolio: Portfolio,
    scenario: Scenario,
    options: ForecastOptions,
    cached: Mapping[str, CachedOdds] | None = None,
) -> WhatIf:
    """Re-forecast every commitment ``scenario`` touches, in memory; nothing is saved.

    ``cached`` odds stand for "before" where their inputs key still matches.
    """
    portfolio.check()
    changed = portfolio.with_scenario(scenario)
    changed.check()
    touched = sorted(scenario_projects(scenario))
    window = scenario_window(scenario)
    clients = {c.id: c.name for c in portfolio.clients}
    diffs: list[CommitmentDiff] = []
    progress: list[Progress] = []
    for project_id in touched:
        mine = [c for c in portfolio.commitments if c.project == project_id]
        before = _standings(_before_odds(portfolio, project_id, options, cached or {}))
        # Not cached: a scenario's forecast is read once, and asks who is free in its window.
        forecast, odds = forecast_with_odds(
            changed, project_id, replace(options, window=window), "", datetime.now(UTC)
        )
        after = _standings(odds)
        project = portfolio.project(project_id)
        for c in mine:
            diffs.append(
                CommitmentDiff(
                    c.id,
                    c.title,
                    clients.get(project.client, project.client),
                    project_id,
                    c.due,
                    c.confidence,
                    before.get(c.id, Standing(None, None, None)),
                    after.get(c.id, Standing(None, None, None)),
                )
            )
        if forecast is not None and window is not None and _loses_people(scenario, project_id):
            progress += progressing(changed, project_id, forecast)
    diffs.sort(key=lambda d: (-d.harm, d.due, d.commitment))
    return WhatIf(scenario, touched, diffs, progress, window)


def _before_odds(
    portfolio: Portfolio,
    project_id: str,
    options: ForecastOptions,
    cached: Mapping[str, CachedOdds],
) -> list[CachedOdds]:
    stale = stale_projects(portfolio, cached, options, [project_id])
    if project_id not in stale:
        return [cached[c.id] for c in portfolio.commitments if c.project == project_id]
    return forecast_odds(portfolio, project_id, options, stale[project_id], datetime.now(UTC))


def _standings(odds: list[CachedOdds]) -> dict[str, Standing]:
    return {
        o.commitment: Standing(o.on_time, o.p85, Health(o.health) if o.health else None, o.problem)
        for o in odds
    }


def _loses_people(scenario: Scenario, project_id: str) -> bool:
    return any(
        isinstance(c, Reallocation) and c.from_project == project_id for c in scenario.changes
    )


def progressing(portfolio: Portfolio, project_id: str, forecast: ProjectForecast) -> list[Progress]:
    """People with free days in the window, most free first, each offered the items that
    match their skills and are not already offered to someone freer: ready ones first, as
    many as their free days hold (by expected effort), at least one."""
    project = portfolio.project(project_id)
    done = {i.id for i in project.items if i.status is ItemStatus.DONE}
    offered: set[str] = set()
    found = []
    for share in sorted(forecast.free_in_window, key=lambda s: -s.value):
        if share.value < FREE_DAYS_WORTH_SHOWING:
            continue
        person = portfolio.person(share.id)
        could = [
            i
            for i in project.items
            if i.status is not ItemStatus.DONE
            and i.id not in offered
            and (i.skill is None or person.has_skill(i.skill))
        ]
        ordered = [i for i in could if _ready(i, done)] + [i for i in could if not _ready(i, done)]
        taken: list[WorkItem] = []
        effort = 0.0
        for item in ordered[:ITEMS_SHOWN_PER_PERSON]:
            size = item.estimate.pert_mean if item.estimate else 1.0
            if taken and effort + size > share.value:
                break
            taken.append(item)
            effort += size
        if not taken:
            continue
        offered |= {i.id for i in taken}
        items = tuple((i.id, i.title) for i in taken)
        found.append(Progress(person.id, person.name, project_id, round(share.value, 1), items))
    return found


def _ready(item: WorkItem, done: set[str]) -> bool:
    return all(d in done for d in item.depends_on)


# --- making it real ----------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One person's time moved off a project for a while, as picked in a form or a request.

    ``start`` or ``end`` None: not given (or not readable as a date); ``percent`` None: all
    their time on ``from_project``; ``to_project`` None: work outside the plan."""

    person: str
    from_project: str
    start: date | None
    end: date | None
    to_project: str | None = None
    percent: float | None = None


def moves_scenario(
    portfolio: Portfolio, moves: Sequence[Move], input_errors: Mapping[str, str] | None = None
) -> Scenario:
    """The moves as a scenario to try or apply, its id the same for the same moves.

    Raises :class:`InvalidFields` naming ``moves.N.FIELD`` for every move at fault, with
    ``input_errors`` (fields the caller could not read) among them."""
    errors = dict(input_errors or {})
    people = {p.id for p in portfolio.people}
    projects = {p.id for p in portfolio.projects}
    changes: list[Reallocation] = []
    for n, move in enumerate(moves):

        def fail(field: str, message: str, n: int = n) -> None:
            errors.setdefault(f"moves.{n}.{field}", message)

        if move.person not in people:
            fail("person", "choose who moves" if not move.person else "no such person")
        if move.from_project not in projects:
            fail("from_project", "choose the project they leave")
        if move.to_project is not None and move.to_project not in projects:
            fail("to_project", "no such project")
        if move.start is None:
            fail("start", "a date, as YYYY-MM-DD")
        if move.end is None:
            fail("end", "a date, as YYYY-MM-DD")
        if move.percent is not None and not 0 < move.percent <= 100:
            fail("percent", "a share above 0 and at most 100, or none for all their time")
        if (
            move.start is None
            or move.end is None
            or any(k.startswith(f"moves.{n}.") for k in errors)
        ):
            continue
        try:
            changes.append(
                Reallocation(
                    person=move.person,
                    from_project=move.from_project,
                    start=move.start,
                    end=move.end,
                    to_project=move.to_project,
                    fraction=None if move.percent is None else move.percent / 100,
                )
            )
        except InvalidValue as error:
            # The range's own check names "end"; the fraction is asked for as a percentage.
            field = {"fraction": "percent"}.get(error.field or "", error.field or "end")
            fail(field, error.message)
    if not moves and not errors:
        errors["moves.0.person"] = "pick at least one person to move"
    if errors:
        raise InvalidFields(errors)
    digest = hashlib.sha256(repr(changes).encode()).hexdigest()[:10]
    scenario = Scenario(f"moves-{digest}", _moves_name(portfolio, changes), changes=tuple(changes))
    try:
        portfolio.with_scenario(scenario).check()
    except InvalidPortfolio as error:
        raise InvalidFields({"__all__": str(error)}) from None
    return scenario


def _moves_name(portfolio: Portfolio, changes: Sequence[Reallocation]) -> str:
    names = {p.id: p.name for p in portfolio.people}
    who = sorted({names[c.person] for c in changes})
    first, last = min(c.start for c in changes), max(c.end for c in changes)
    return f"Move {', '.join(who)} from {first} to {last}"


@dataclass(frozen=True)
class ScenarioApplied:
    """A scenario made real (a saved one, or one made of moves and never saved) and the
    events of its changes, of the signals they raised and of the applying itself."""

    scenario: Scenario
    events: list[Event]

    @property
    def changes(self) -> list[Event]:
        """The events of the changes it made to the plan, not of signals nor of itself."""
        return [e for e in self.events if e.entity not in ("signal", "scenario")]

    @property
    def signals_raised(self) -> list[Event]:
        """The events of the signals its changes raised."""
        return [e for e in self.events if e.entity == "signal" and e.action == "raised"]

    @property
    def touched(self) -> list[str]:
        """The projects whose capacity or scope it changed, by id."""
        return sorted(scenario_projects(self.scenario))


@requires(Action.APPLY_SCENARIO)
def apply_saved(
    uow: UnitOfWorkFactory,
    scenario_id: str,
    *,
    actor: Actor,
    now: datetime,
    today: date,
) -> ScenarioApplied:
    """Apply a saved scenario to the stored portfolio: its changes become events (and the
    signals they raise), and the scenario leaves the list of scenarios not yet applied."""
    with uow(write=True) as work:
        before = work.portfolio.get()
        scenario = before.scenario(scenario_id)
        events = _apply(work, before, scenario, actor.name, now, today, saved=True)
        work.commit()
    return ScenarioApplied(scenario, events)


@requires(Action.APPLY_SCENARIO)
def apply_scenario(
    uow: UnitOfWorkFactory,
    scenario_id: str,
    *,
    actor: Actor,
    now: datetime,
    today: date,
) -> list[Event]:
    """:func:`apply_saved`, answering only the events it recorded."""
    return apply_saved(uow, scenario_id, actor=actor, now=now, today=today).events


@requires(Action.APPLY_SCENARIO)
def apply_moves(
    uow: UnitOfWorkFactory,
    moves: Sequence[Move],
    *,
    actor: Actor,
    now: datetime,
    today: date,
    input_errors: Mapping[str, str] | None = None,
) -> ScenarioApplied:
    """Apply ``moves`` to the stored portfolio as :func:`apply_saved` applies a scenario, the
    scenario made of them by :func:`moves_scenario` from the portfolio it changes (and never
    saved). Raises :class:`InvalidFields` naming ``moves.N.FIELD`` for every move at fault,
    ``input_errors`` (the fields the caller could not read) among them; nothing is stored."""
    with uow(write=True) as work:
        before = work.portfolio.get()
        scenario = moves_scenario(before, moves, input_errors)
        events = _apply(work, before, scenario, actor.name, now, today, saved=False)
        work.commit()
    return ScenarioApplied(scenario, events)


def _apply(
    work: UnitOfWork,
    before: Portfolio,
    scenario: Scenario,
    actor: str,
    now: datetime,
    today: date,
    *,
    saved: bool,
) -> list[Event]:
    dated = replace(
        scenario,
        changes=tuple(
            replace(c, item=replace(c.item, added=c.item.added or today))
            if isinstance(c, ScopeAddition)
            else c
            for c in scenario.changes
        ),
    )
    after = before.with_scenario(dated)
    if saved:  # an applied saved scenario leaves the list of those not yet applied
        after = replace(after, scenarios=tuple(s for s in after.scenarios if s.id != scenario.id))
    after.check()
    applied = Event(now, actor, "applied", "scenario", scenario.id, snapshot(scenario), None)
    return record_change(work, before, after, actor=actor, now=now, today=today, extra=(applied,))
