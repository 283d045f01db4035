"""Every change to the plan goes through here: stored, recorded as events, and watched.

Watching means re-forecasting the commitments the change touches (and only those), keeping
the forecast cache current, and raising the risk signals that the change or the new odds
call for. The cache is per project: its rows carry a key of the project's forecast inputs,
and the events of a change say which projects to drop and forecast again.
:func:`reforecast_by` says what one change did to the odds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from keepword.domain.access import Actor
from keepword.domain.changes import portfolio_changes
from keepword.domain.commitment import Commitment, Health, health_of
from keepword.domain.events import Event, projects_of, snapshot
from keepword.domain.forecast import (
    CannotForecast,
    CommitmentOdds,
    ForecastOptions,
    ProjectForecast,
)
from keepword.domain.portfolio import Portfolio
from keepword.domain.risk import NewSignal, Odds, Watch, findings
from keepword.domain.signals import Signal, SignalKind
from keepword.services.ports import CachedOdds, UnitOfWork, UnitOfWorkFactory

# Raised by a change or a transition of the odds, not by a state that persists.
EVENT_KINDS = frozenset(
    {SignalKind.BELOW_TARGET, SignalKind.HEALTH_WORSENED, SignalKind.CAPACITY_REMOVED}
)


# Told one by one: a second removal of people is not the first one grown.
SEPARATE_KINDS = frozenset({SignalKind.CAPACITY_REMOVED})


def inputs_key(portfolio: Portfolio, project_id: str, options: ForecastOptions) -> str:
    """A digest of everything a forecast of ``project_id`` reads: when it changes, the
    cached forecast is stale."""
    project = portfolio.project(project_id)
    allocations = [a for a in portfolio.allocations if a.project == project_id]
    people = [portfolio.person(p) for p in sorted({a.person for a in allocations})]
    commitments = [c for c in portfolio.commitments if c.project == project_id]
    options = replace(options, by=None, window=None)
    parts = (project, *allocations, *people, *commitments)
    # The stored portfolio is shared while nothing changes, and a change replaces only the
    # objects it changes: the very same objects have the same digest, without a repr of
    # every item of the project again.
    seen = _KEYS_SEEN.get(project_id)
    if (
        seen is not None
        and seen[1] == options
        and len(seen[0]) == len(parts)
        and all(a is b for a, b in zip(seen[0], parts, strict=True))
    ):
        return seen[2]
    inputs = (project, allocations, people, commitments, options)
    # The domain values are frozen dataclasses of plain values, whose repr is complete and
    # the same in every process; it is several times cheaper than a JSON snapshot.
    key = hashlib.sha256(repr(inputs).encode()).hexdigest()
    _KEYS_SEEN[project_id] = (parts, options, key)
    return key


# By project id: the objects a key was last computed from (held, so that their identity is
# not reused), the options, and the key.
_KEYS_SEEN: dict[str, tuple[tuple[object, ...], ForecastOptions, str]] = {}


# Changes to these change the forecast of the projects they are about (and no other).
_ABOUT_ONE_PROJECT = frozenset({"project", "history", "item", "allocation", "commitment"})


def touched_projects(events: Iterable[Event], before: Portfolio, after: Portfolio) -> set[str]:
    """Projects whose forecast the events can change: their scope, history, people's
    allocations and calendars, or their commitments."""
    touched: set[str] = set()
    for event in events:
        if event.entity in _ABOUT_ONE_PROJECT:
            touched |= projects_of(event)
        elif event.entity == "person":
            touched |= {
                a.project
                for p in (before, after)
                for a in p.allocations
                if a.person == event.entity_id
            }
        elif event.entity == "skill":
            touched |= {p.id for p in after.projects}
    known = {p.id for p in after.projects}
    return touched & known


@dataclass(frozen=True)
class Refreshed:
    """The cached odds of the commitments on the refreshed projects, before and after."""

    before: dict[str, CachedOdds]
    after: dict[str, CachedOdds]


def stale_projects(
    portfolio: Portfolio,
    cached: Mapping[str, CachedOdds],
    options: ForecastOptions,
    projects: Iterable[str] | None = None,
) -> dict[str, str]:
    """The projects (default: every one with a commitment) whose cached odds no longer match
    their inputs, each with its current inputs key."""
    committed = {c.project for c in portfolio.commitments}
    wanted = committed if projects is None else set(projects) & committed
    stale: dict[str, str] = {}
    for project_id in sorted(wanted):
        key = inputs_key(portfolio, project_id, options)
        mine = [c for c in portfolio.commitments if c.project == project_id]
        if not all(c.id in cached and cached[c.id].inputs_key == key for c in mine):
            stale[project_id] = key
    return stale


def refresh(
    work: UnitOfWork,
    portfolio: Portfolio,
    options: ForecastOptions,
    *,
    now: datetime,
    projects: Iterable[str] | None = None,
    store: bool = True,
) -> Refreshed:
    """Bring the cache of ``projects`` (default: every project with a commitment) up to date:
    forecast a project again only if its inputs changed. With ``store`` False the fresh odds
    are returned and the cache is left as it was."""
    cached = work.forecasts.all()
    after = dict(cached)
    for project_id, key in stale_projects(portfolio, cached, options, projects).items():
        fresh = forecast_odds(portfolio, project_id, options, key, now)
        if store:
            work.forecasts.replace_project(project_id, fresh)
        for odds in fresh:
            after[odds.commitment] = odds
    gone = _orphans(portfolio, cached)
    if store:
        work.forecasts.drop_commitments(gone)
    for key in gone:
        after.pop(key, None)
    return Refreshed(cached, after)


def _orphans(portfolio: Portfolio, cached: Mapping[str, CachedOdds]) -> list[str]:
    """Cached commitments the portfolio no longer has."""
    current = {c.id for c in portfolio.commitments}
    return [k for k in cached if k not in current]


def watch_options(now: datetime) -> ForecastOptions:
    """The options the cache is kept with: today's date, default trials and seed. Signals
    compare against these only, never against a what-if read with other options."""
    return ForecastOptions(today=now.date())


def forecast_odds(
    portfolio: Portfolio, project_id: str, options: ForecastOptions, key: str, now: datetime
) -> list[CachedOdds]:
    """Forecast one project and turn its commitments' finishes into cache rows."""
    return forecast_with_odds(portfolio, project_id, options, key, now)[1]


def forecast_with_odds(
    portfolio: Portfolio, project_id: str, options: ForecastOptions, key: str, now: datetime
) -> tuple[ProjectForecast | None, list[CachedOdds]]:
    """The project's forecast (None when it cannot be made) and its commitments' odds, with
    health against each one's own target; a forecast that cannot be made says why."""
    # The engine loads numpy: only a cache miss pays for it, not every read of cached odds.
    from keepword.services.forecasting import forecast_project

    commitments = {c.id: c for c in portfolio.commitments if c.project == project_id}
    try:
        forecast = forecast_project(portfolio, project_id, options)
    except CannotForecast as error:
        return None, [
            CachedOdds(c, project_id, key, None, None, None, None, None, str(error), now)
            for c in commitments
        ]
    rows = []
    for finish in forecast.commitments:
        commitment = commitments[finish.id]
        on_time = finish.on_time if finish.on_time is not None else 0.0
        rows.append(
            CachedOdds(
                commitment=finish.id,
                project=project_id,
                inputs_key=key,
                on_time=on_time,
                p50=finish.p50,
                p85=finish.p85,
                at_confidence=finish.at_confidence,
                health=health_of(on_time, commitment.confidence).value,
                problem=None,
                computed_at=now,
            )
        )
    return forecast, rows


def record_change(
    work: UnitOfWork,
    before: Portfolio,
    after: Portfolio,
    *,
    actor: str,
    now: datetime,
    today: date,
    extra: tuple[Event, ...] = (),
) -> list[Event]:
    """Store ``after`` in place of ``before`` with one event per entity that changed (and
    ``extra`` events after them), re-forecast the projects they touch, and raise the signals
    they call for. The caller commits."""
    events = portfolio_changes(before, after, actor=actor, at=now)
    if events:
        work.portfolio.replace(after)
    every = [*events, *extra]
    touched = touched_projects(events, before, after)
    promised = {c.id for c in before.commitments if c.is_promised}
    if touched:
        refreshed = refresh(work, after, ForecastOptions(today=today), now=now, projects=touched)
        watches = [
            Watch(
                commitment=c,
                before=before,
                after=after,
                # A promise just made is seen for the first time: its odds as a proposal
                # are not what it fell from.
                odds_before=_odds(refreshed.before.get(c.id)) if c.id in promised else None,
                odds_after=_odds(refreshed.after.get(c.id)),
                today=today,
            )
            for c in after.commitments
            if c.project in touched
        ]
        every += raise_signals(work, after, watches, actor=actor, now=now)
    if every:
        work.events.append(every)
    return every


def raise_signals(
    work: UnitOfWork,
    portfolio: Portfolio,
    watches: Sequence[Watch],
    *,
    actor: str,
    now: datetime,
) -> list[Event]:
    """Store the new signals the watches call for, and the events that say so.

    A finding already recorded (same commitment, kind and key; for the kinds a change or a
    transition raises, only while undisclosed) is not new. One of the same kind still
    undisclosed is brought up to date instead: its clock keeps running from when
    it was first detected, since the client has still not been told.
    """
    existing = work.signals.all()
    events: list[Event] = []
    for watch in watches:
        for finding in findings(watch):
            same = [
                s for s in existing if s.commitment == finding.commitment and s.kind is finding.kind
            ]
            # A change-driven kind fires only on a new transition or change, so once its
            # signal was disclosed a new occurrence is news again; a state-driven kind
            # (scope grown, no progress) is the same news while its key is the same.
            seen = [s for s in same if not (s.disclosed and finding.kind in EVENT_KINDS)]
            if any(s.key == finding.key for s in seen):
                continue
            # Each removal of capacity is its own news; the other kinds describe the whole
            # of what is true now, so the open one is brought up to date.
            open_ = [s for s in same if not s.disclosed and finding.kind not in SEPARATE_KINDS]
            if open_:
                old = open_[-1]
                new = replace(
                    old,
                    severity=max(old.severity, finding.severity, key=lambda v: v.rank),
                    summary=finding.summary,
                    evidence=dict(finding.evidence),
                    key=finding.key,
                    updated_at=now,
                )
                events.append(
                    Event(now, actor, "changed", "signal", old.id, snapshot(old), snapshot(new))
                )
            else:
                new = _signal(work.signals.next_id(), finding, portfolio, now)
                events.append(Event(now, actor, "raised", "signal", new.id, None, snapshot(new)))
            work.signals.save(new)
            existing = [s for s in existing if s.id != new.id] + [new]
    return events


def _signal(signal_id: str, finding: NewSignal, portfolio: Portfolio, now: datetime) -> Signal:
    lead = portfolio.project(finding.project).lead
    return Signal(
        id=signal_id,
        kind=finding.kind,
        commitment=finding.commitment,
        project=finding.project,
        detected_at=now,
        severity=finding.severity,
        summary=finding.summary,
        evidence=dict(finding.evidence),
        owner=lead,
        key=finding.key,
    )


def _odds(cached: CachedOdds | None) -> Odds | None:
    if cached is None or cached.on_time is None or cached.p50 is None or cached.p85 is None:
        return None
    health = Health(cached.health) if cached.health else Health.ON_TRACK
    return Odds(cached.on_time, cached.p50, cached.p85, health)


def cached_odds(uow: UnitOfWorkFactory) -> dict[str, CachedOdds]:
    """The forecast cache as stored, fresh or not; nothing is forecast."""
    with uow() as work:
        return work.forecasts.all()


def current_odds(
    uow: UnitOfWorkFactory, options: ForecastOptions, *, now: datetime
) -> dict[str, CachedOdds]:
    """Every commitment's current odds: from the cache where it is fresh, the stale rest
    forecast again. Forecasts with the watch options are stored for the next reader; any
    other (another day, seed or trial count) is only read, so that the odds the signal rules
    compare with stay the watched ones."""
    return current_state(uow, options, now=now)[1]


def current_state(
    uow: UnitOfWorkFactory, options: ForecastOptions, *, now: datetime
) -> tuple[Portfolio, dict[str, CachedOdds]]:
    """The stored portfolio and every commitment's current odds, as :func:`current_odds`."""
    with uow() as work:
        portfolio, cached = work.portfolio.get(), work.forecasts.all()
    # The usual case, a page or a table read again: nothing to forecast, no write lock taken.
    if not stale_projects(portfolio, cached, options) and not _orphans(portfolio, cached):
        return portfolio, cached
    store = options == watch_options(now)
    with uow(write=store) as work:
        portfolio = work.portfolio.get()
        refreshed = refresh(work, portfolio, options, now=now, store=store)
        if store:
            work.commit()
    return portfolio, refreshed.after


def as_commitment_odds(cached: Mapping[str, CachedOdds]) -> dict[str, CommitmentOdds]:
    """Cache rows as the odds the portfolio table and page show."""
    return {
        key: CommitmentOdds(
            key, o.on_time, o.p50, o.p85, o.problem, Health(o.health) if o.health else None
        )
        for key, o in cached.items()
    }


def odds_of(cached: Mapping[str, CachedOdds], commitment: Commitment) -> Odds | None:
    """The cached odds of ``commitment`` as the risk rules read them."""
    return _odds(cached.get(commitment.id))


@dataclass(frozen=True)
class Reforecast:
    """A commitment a change forecast again: its cached odds before and after."""

    commitment: str
    before: CachedOdds
    after: CachedOdds


@dataclass(frozen=True)
class ChangeReport:
    """What one change recorded (signals raised included) and the commitments it moved."""

    events: list[Event]
    reforecast: list[Reforecast]


def reforecast_by(
    uow: UnitOfWorkFactory,
    change: Callable[[datetime], list[Event]],
    *,
    actor: Actor,
    now: datetime,
) -> ChangeReport:
    """Make ``change`` at ``now`` and list, by commitment id, the odds it forecast again;
    the events it recorded are those ``actor`` may read (an engineer's item done raises
    signals all the same, but does not read them)."""
    # The cache as it was, and as the change left it: the change forecast what it touched.
    before = cached_odds(uow)
    events = change(now)
    after = cached_odds(uow)
    moved = [
        Reforecast(commitment, old, odds)
        for commitment, odds in sorted(after.items())
        if (old := before.get(commitment)) is not None and old.inputs_key != odds.inputs_key
    ]
    return ChangeReport([e for e in events if actor.may_read(e.entity)], moved)
