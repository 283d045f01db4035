"""One project: its page (plan, people, the forecast and what decides the date), its
forecast on demand, and what its charts are drawn from."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from keepword.domain.access import Actor
from keepword.domain.commitment import Commitment
from keepword.domain.forecast import (
    CannotForecast,
    CommitmentOdds,
    ForecastOptions,
    ProjectForecast,
)
from keepword.domain.people import Allocation, Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Client, ItemStatus, Phase, Project, WorkItem
from keepword.domain.signals import Signal
from keepword.services.forecasting import forecast_project
from keepword.services.portfolio import current_portfolio
from keepword.services.ports import CachedOdds, UnitOfWorkFactory
from keepword.services.signals import SignalView, readable_signals, signal_views
from keepword.services.watch import as_commitment_odds, current_state, watch_options


@dataclass(frozen=True)
class PhaseItems:
    """A phase and its items, in plan order; ``phase`` is None for items in no phase."""

    phase: Phase | None
    items: list[WorkItem]
    done: int


@dataclass(frozen=True)
class Staffing:
    """Someone allocated to the project, over one period."""

    person: Person
    allocation: Allocation


@dataclass(frozen=True)
class CommitmentStanding:
    commitment: Commitment
    odds: CommitmentOdds | None  # None before it is first forecast


@dataclass(frozen=True)
class ProjectOverview:
    """Everything the project page shows."""

    project: Project
    client: Client
    lead: Person | None
    phases: list[PhaseItems]
    staffing: list[Staffing]
    commitments: list[CommitmentStanding]
    signals: list[SignalView]
    forecast: ProjectForecast | None
    problem: str | None  # why there is no forecast
    first_due: date | None  # of the earliest promise still open: the charts' due date


def first_open_due(portfolio: Portfolio, project_id: str) -> date | None:
    """The due date of the earliest promise still open on the project, if any."""
    return min(
        (c.due for c in portfolio.commitments if c.project == project_id and c.is_open),
        default=None,
    )


def project_forecast(
    uow: UnitOfWorkFactory, project_id: str, options: ForecastOptions
) -> ProjectForecast:
    """The stored project's forecast with ``options``; an unknown project: NotFound, one that
    cannot be forecast: CannotForecast."""
    return forecast_project(current_portfolio(uow), project_id, options)


@dataclass(frozen=True)
class ChartData:
    """What a project's charts are drawn from."""

    project: Project
    forecast: ProjectForecast  # with its curves
    due: date | None  # of the earliest promise still open, marked on the charts


def chart_data(uow: UnitOfWorkFactory, project_id: str, options: ForecastOptions) -> ChartData:
    """The stored project, its forecast with ``options`` and the curves the charts draw, and
    the due date of its earliest open promise; an unknown project: NotFound."""
    portfolio = current_portfolio(uow)
    project = portfolio.project(project_id)
    forecast = forecast_project(portfolio, project_id, replace(options, curves=True))
    return ChartData(project, forecast, first_open_due(portfolio, project_id))


def project_overview(
    uow: UnitOfWorkFactory, project_id: str, *, actor: Actor, now: datetime
) -> ProjectOverview:
    """The project's page as of ``now``: commitments' odds from the cache, and a fresh
    forecast of the project itself, with its curves, for the charts and criticality; its
    signals only for an actor who may read them."""
    options = watch_options(now)
    portfolio, cached = current_state(uow, options, now=now)
    with uow() as work:
        signals = [s for s in readable_signals(work, actor) or () if s.project == project_id]
    return overview_of(portfolio, project_id, cached, signals, options, now=now)


def overview_of(
    portfolio: Portfolio,
    project_id: str,
    cached: dict[str, CachedOdds],
    signals: list[Signal],
    options: ForecastOptions,
    *,
    now: datetime,
) -> ProjectOverview:
    """The overview over already-read state; forecasts the project with ``options``."""
    project = portfolio.project(project_id)
    forecast: ProjectForecast | None = None
    problem: str | None = None
    try:
        forecast = forecast_project(portfolio, project_id, replace(options, curves=True))
    except CannotForecast as error:
        problem = str(error)
    people = {p.id: p for p in portfolio.people}
    odds = as_commitment_odds(cached)
    return ProjectOverview(
        project=project,
        client=portfolio.client(project.client),
        lead=people.get(project.lead) if project.lead else None,
        phases=_phases(project),
        staffing=[
            Staffing(people[a.person], a)
            for a in sorted(portfolio.allocations, key=lambda a: (a.start, a.person))
            if a.project == project_id and a.person in people
        ],
        commitments=[
            CommitmentStanding(c, odds.get(c.id))
            for c in sorted(portfolio.commitments, key=lambda c: c.due)
            if c.project == project_id
        ],
        signals=signal_views(portfolio, signals, now),
        forecast=forecast,
        problem=problem,
        first_due=first_open_due(portfolio, project_id),
    )


def _phases(project: Project) -> list[PhaseItems]:
    groups: list[PhaseItems] = []
    for phase in (*project.phases, None):
        items = [i for i in project.items if i.phase == (phase.id if phase else None)]
        if phase is None and not items:
            continue
        done = sum(1 for i in items if i.status is ItemStatus.DONE)
        groups.append(PhaseItems(phase, items, done))
    return groups
