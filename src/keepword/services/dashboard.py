"""The portfolio dashboard: every commitment with its odds and health, the signals whose
client has gone untold longest first, filtered by client, lead and health."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from keepword.domain.access import Actor
from keepword.domain.commitment import Health
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import Signal
from keepword.services.ports import CachedOdds, UnitOfWorkFactory
from keepword.services.risks import SignalView, readable_signals, signal_views
from keepword.services.watch import current_state, watch_options


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
                health=Health(odds.health) if odds and odds.health else None,
                problem=odds.problem if odds else None,
                overdue_signals=overdue.get(commitment.id, 0) if signals is not None else None,
                open_signals=open_.get(commitment.id, 0) if signals is not None else None,
            )
        )
    total = len(rows)
    shown = [row for row in rows if _matches(row, filters)]
    # The promises whose client has gone untold past the target lead, then by due date.
    shown.sort(key=lambda r: (not r.overdue_signals, r.due, r.client, r.commitment_id))
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
