"""The whole portfolio: load and export it, list its commitments, and the dashboard (every
commitment with its odds and health, the signals whose client has gone untold longest
first, filtered by client, lead and health)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime

from keepword.domain.access import Action, Actor, requires
from keepword.domain.changes import portfolio_changes
from keepword.domain.commitment import Health
from keepword.domain.errors import InvalidPortfolio, InvalidTransition, Problem
from keepword.domain.forecast import CommitmentOdds, ForecastOptions
from keepword.domain.merge import merge
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import Signal
from keepword.services.ports import CachedOdds, UnitOfWorkFactory
from keepword.services.signals import SignalView, readable_signals, signal_views
from keepword.services.watch import (
    as_commitment_odds,
    current_state,
    record_change,
    watch_options,
)


@dataclass(frozen=True)
class LoadResult:
    """What a load did (or, dry, would do): entity counts in the resulting portfolio,
    changes by action, what it removed, and how many stored entries the file did not name
    and a merge kept."""

    counts: dict[str, int]
    created: int
    changed: int
    removed: int
    signals: int = 0  # risk signals the change raised
    removals: tuple[tuple[str, str], ...] = ()  # (entity, id) of each removed entity
    kept: int = 0
    dry_run: bool = False

    @property
    def unchanged(self) -> bool:
        return not (self.created or self.changed or self.removed)


def portfolio_counts(portfolio: Portfolio) -> dict[str, int]:
    return {
        "clients": len(portfolio.clients),
        "people": len(portfolio.people),
        "projects": len(portfolio.projects),
        "items": sum(len(p.items) for p in portfolio.projects),
        "completed items": sum(len(p.history) for p in portfolio.projects),
        "allocations": len(portfolio.allocations),
        "commitments": len(portfolio.commitments),
        "scenarios": len(portfolio.scenarios),
    }


@requires(Action.LOAD_PORTFOLIO)
def load_portfolio(
    uow: UnitOfWorkFactory,
    portfolio: Portfolio,
    *,
    actor: Actor,
    now: datetime,
    today: date | None = None,
    replace_all: bool = False,
    dry_run: bool = False,
) -> LoadResult:
    """Merge ``portfolio`` (a plan file, whole or in part) into the stored one
    (``domain.merge``: nothing the file does not name is removed), or with ``replace_all``
    make the stored portfolio equal to it; one event per entity that changes, and a
    re-forecast of what changed. New items of projects already stored are dated ``today``
    (their ``added``), so that scope growth after a commitment shows. ``dry_run`` finds
    what would change and writes nothing.

    All or nothing: the resulting portfolio is checked first, and one transaction does the
    rest. Problems are located in ``portfolio``.
    """
    if replace_all:
        portfolio.check()
    today = today or now.date()
    with uow(write=True) as work:
        stored = work.portfolio.get()
        if replace_all:
            _check_state_changes(stored, portfolio)
            after, kept = portfolio, 0
        else:
            merged = merge(stored, portfolio)
            problems = merged.portfolio.problems() or _state_change_problems(
                stored, merged.portfolio
            )
            if problems:
                raise InvalidPortfolio([merged.in_file(p) for p in problems])
            after, kept = merged.portfolio, merged.kept
        after = _date_new_items(stored, after, today)
        if dry_run:
            events = portfolio_changes(stored, after, actor=actor.name, at=now)
        else:
            events = record_change(work, stored, after, actor=actor.name, now=now, today=today)
            if events:
                work.commit()
    actions = Counter(e.action for e in events if e.entity != "signal")
    raised = sum(1 for e in events if e.entity == "signal" and e.action == "raised")
    removals = tuple((e.entity, e.entity_id) for e in events if e.action == "removed")
    return LoadResult(
        portfolio_counts(after),
        actions["created"],
        actions["changed"],
        actions["removed"],
        raised,
        removals,
        kept,
        dry_run,
    )


def _date_new_items(stored: Portfolio, loaded: Portfolio, today: date) -> Portfolio:
    known = {p.id: {i.id for i in p.items} for p in stored.projects}
    result = loaded
    for project in loaded.projects:
        if project.id not in known:
            continue
        items = tuple(
            replace(i, added=today) if i.id not in known[project.id] and i.added is None else i
            for i in project.items
        )
        if items != project.items:
            result = result.with_project(replace(project, items=items))
    return result


def _check_state_changes(stored: Portfolio, loaded: Portfolio) -> None:
    """A plan file may not move a commitment where its state machine does not go."""
    problems = _state_change_problems(stored, loaded)
    if problems:
        raise InvalidPortfolio(problems)


def _state_change_problems(stored: Portfolio, loaded: Portfolio) -> list[Problem]:
    before = {c.id: c for c in stored.commitments}
    problems = []
    for index, commitment in enumerate(loaded.commitments):
        old = before.get(commitment.id)
        if old is None or old.state is commitment.state:
            continue
        try:
            old.moved_to(commitment.state)
        except InvalidTransition as error:
            problems.append(Problem(("commitments", index, "state"), str(error)))
    return problems


def stored_version(uow: UnitOfWorkFactory) -> str:
    """A token that changes whenever anything stored changes (every change is an event)."""
    with uow() as work:
        return work.events.version()


def current_portfolio(uow: UnitOfWorkFactory) -> Portfolio:
    """The stored portfolio."""
    with uow() as work:
        return work.portfolio.get()


@dataclass(frozen=True)
class CommitmentRow:
    """One line of the portfolio table."""

    client: str
    project: str
    project_id: str
    commitment: str
    commitment_id: str
    due: date
    state: str
    confidence: float
    scope: str
    past_due: bool = False  # still open after its date (as of the table's day)


def commitment_rows(portfolio: Portfolio, today: date | None = None) -> list[CommitmentRow]:
    """Every commitment with its client and project, by due date; with ``today``, those
    still open after their date marked past due."""
    clients = {c.id: c for c in portfolio.clients}
    projects = {p.id: p for p in portfolio.projects}
    rows = []
    for commitment in portfolio.commitments:
        project = projects[commitment.project]
        phases = {ph.id: ph.name for ph in project.phases}
        scope = (
            "whole project"
            if commitment.whole_project
            else ", ".join(phases.get(p, p) for p in commitment.phases)
        )
        rows.append(
            CommitmentRow(
                client=clients[project.client].name,
                project=project.name,
                project_id=project.id,
                commitment=commitment.title,
                commitment_id=commitment.id,
                due=commitment.due,
                state=commitment.state.value,
                confidence=commitment.confidence,
                scope=scope,
                past_due=today is not None and commitment.past_due(today),
            )
        )
    return sorted(rows, key=lambda r: (r.due, r.client, r.commitment_id))


@dataclass(frozen=True)
class CommitmentTable:
    """The portfolio table: every commitment by due date, and its odds by commitment id."""

    rows: list[CommitmentRow]
    odds: dict[str, CommitmentOdds]


def commitment_table(
    uow: UnitOfWorkFactory, *, now: datetime, as_of: date | None = None
) -> CommitmentTable:
    """Every commitment with its odds as of ``as_of`` (default: the day of ``now``), from the
    cache where it is fresh; only the watched day's forecasts are stored."""
    options = watch_options(now) if as_of is None else ForecastOptions(today=as_of)
    stored, cached = current_state(uow, options, now=now)
    return CommitmentTable(commitment_rows(stored, options.today), as_commitment_odds(cached))


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; ``None`` shows all."""

    client: str | None = None
    lead: str | None = None
    health: Health | None = None


@dataclass(frozen=True)
class Row:
    """One commitment on the dashboard."""

    commitment_id: str
    commitment: str
    project_id: str
    project: str
    client_id: str
    client: str
    lead: str | None
    due: date
    state: str
    confidence: float
    on_time: float | None
    p50: date | None
    p85: date | None
    health: Health | None
    problem: str | None
    # Undisclosed signals on it past their disclosure target, and all open ones; None for
    # an actor who may not read signals.
    overdue_signals: int | None
    open_signals: int | None
    # Why it was promised below its confidence target, when it was.
    below_target_reason: str | None = None
    # Still open after its date: shown first, off track, whatever the forecast says.
    past_due: bool = False


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows, and the choices its filters offer."""

    rows: list[Row]
    signals: list[SignalView]
    clients: list[Choice]
    leads: list[Choice]
    filters: Filters
    total: int  # commitments before filtering
    signals_shown: bool  # False: the reader may not read signals, and none is counted


def dashboard(
    uow: UnitOfWorkFactory, filters: Filters, *, actor: Actor, now: datetime
) -> Dashboard:
    """The dashboard as of ``now``, forecasts from the cache (stale projects re-forecast);
    the signals and their counts only for an actor who may read them."""
    portfolio, cached = current_state(uow, watch_options(now), now=now)
    with uow() as work:
        signals = readable_signals(work, actor)
    return dashboard_of(portfolio, cached, signals, filters, now=now)


def dashboard_of(
    portfolio: Portfolio,
    cached: Mapping[str, CachedOdds],
    signals: list[Signal] | None,
    filters: Filters,
    *,
    now: datetime,
) -> Dashboard:
    """The dashboard over a portfolio, its cached odds and its signals (None: the reader
    may not read signals, and none is counted)."""
    views = signal_views(portfolio, signals, now) if signals is not None else []
    overdue: dict[str, int] = {}
    open_: dict[str, int] = {}
    for view in views:
        key = view.signal.commitment
        open_[key] = open_.get(key, 0) + 1
        if view.overdue_undisclosed:
            overdue[key] = overdue.get(key, 0) + 1
    clients = {c.id: c.name for c in portfolio.clients}
    people = {p.id: p.name for p in portfolio.people}
    projects = {p.id: p for p in portfolio.projects}
    rows: list[Row] = []
    for commitment in portfolio.commitments:
        project = projects[commitment.project]
        odds = cached.get(commitment.id)
        past_due = commitment.past_due(now.date())
        health = Health(odds.health) if odds and odds.health else None
        rows.append(
            Row(
                commitment_id=commitment.id,
                commitment=commitment.title,
                project_id=project.id,
                project=project.name,
                client_id=project.client,
                client=clients.get(project.client, project.client),
                lead=project.lead,
                due=commitment.due,
                state=commitment.state.value,
                confidence=commitment.confidence,
                on_time=odds.on_time if odds else None,
                p50=odds.p50 if odds else None,
                p85=odds.p85 if odds else None,
                health=Health.OFF_TRACK if past_due else health,
                problem=odds.problem if odds else None,
                overdue_signals=overdue.get(commitment.id, 0) if signals is not None else None,
                open_signals=open_.get(commitment.id, 0) if signals is not None else None,
                below_target_reason=(
                    commitment.baseline.below_target_reason if commitment.baseline else None
                ),
                past_due=past_due,
            )
        )
    total = len(rows)
    shown = [row for row in rows if _matches(row, filters)]
    # Promises past their date lead, then those whose client has gone untold past the
    # target, then by due date.
    shown.sort(
        key=lambda r: (not r.past_due, not r.overdue_signals, r.due, r.client, r.commitment_id)
    )
    in_view = {row.commitment_id for row in shown}
    leads = sorted({p.lead for p in portfolio.projects if p.lead})
    return Dashboard(
        rows=shown,
        signals=[v for v in views if v.signal.commitment in in_view],
        clients=sorted((Choice(k, v) for k, v in clients.items()), key=lambda c: c.label),
        leads=[Choice(lead, people.get(lead, lead)) for lead in leads],
        filters=filters,
        total=total,
        signals_shown=signals is not None,
    )


def _matches(row: Row, filters: Filters) -> bool:
    return (
        (filters.client is None or row.client_id == filters.client)
        and (filters.lead is None or row.lead == filters.lead)
        and (filters.health is None or row.health == filters.health)
    )
