"""Load and export the whole portfolio, list its commitments, read its history."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, datetime

from keepword.domain.access import Action, Actor, requires
from keepword.domain.errors import InvalidPortfolio, InvalidTransition, Problem
from keepword.domain.events import Event
from keepword.domain.portfolio import Portfolio
from keepword.services.ports import UnitOfWorkFactory
from keepword.services.watch import record_change


@dataclass(frozen=True)
class LoadResult:
    """What a load did: entity counts in the new portfolio, and changes by action."""

    counts: dict[str, int]
    created: int
    changed: int
    removed: int
    signals: int = 0  # risk signals the change raised

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
) -> LoadResult:
    """Make the stored portfolio equal to ``portfolio``, one event per entity that changes,
    and re-forecast what changed. New items of projects already stored are dated ``today``
    (their ``added``), so that scope growth after a commitment shows.

    All or nothing: ``portfolio`` is checked first, and one transaction does the rest.
    """
    portfolio.check()
    with uow(write=True) as work:
        stored = work.portfolio.get()
        _check_state_changes(stored, portfolio)
        portfolio = _date_new_items(stored, portfolio, today or now.date())
        events = record_change(
            work, stored, portfolio, actor=actor.name, now=now, today=today or now.date()
        )
        if events:
            work.commit()
    actions = Counter(e.action for e in events if e.entity != "signal")
    raised = sum(1 for e in events if e.entity == "signal" and e.action == "raised")
    return LoadResult(
        portfolio_counts(portfolio),
        actions["created"],
        actions["changed"],
        actions["removed"],
        raised,
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
    if problems:
        raise InvalidPortfolio(problems)


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


def commitment_rows(portfolio: Portfolio) -> list[CommitmentRow]:
    """Every commitment with its client and project, by due date."""
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
            )
        )
    return sorted(rows, key=lambda r: (r.due, r.client, r.commitment_id))


def project_events(
    uow: UnitOfWorkFactory, project_id: str, limit: int, *, actor: Actor
) -> list[Event]:
    """The newest ``limit`` events about ``project_id`` that ``actor`` may read, newest
    first; an unknown project: NotFound."""
    with uow() as work:
        work.portfolio.get().project(project_id)  # raises NotFound
        return work.events.about_project(project_id, limit, excluding=actor.unreadable)


def recent_events(
    uow: UnitOfWorkFactory, limit: int = 50, entity: str | None = None, *, actor: Actor
) -> list[Event]:
    """The newest events that ``actor`` may read (of ``entity`` only, if given), newest
    first: events of a kind the actor may not read are left out, as if never recorded."""
    if entity is not None and not actor.may_read(entity):
        return []
    with uow() as work:
        return work.events.latest(limit, entity, excluding=actor.unreadable)
