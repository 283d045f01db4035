"""Risk signals: the review that raises them as time passes, their disclosure clocks and
escalation; and reading them as stored, for a reader who only wants to look."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from keepword.domain.access import Action, Actor, requires
from keepword.domain.calendar import WorkingCalendar
from keepword.domain.communications import Communication
from keepword.domain.errors import NotFound
from keepword.domain.events import Event, snapshot
from keepword.domain.forecast import ForecastOptions
from keepword.domain.portfolio import Portfolio
from keepword.domain.risk import Watch
from keepword.domain.signals import (
    DEFAULT_DISCLOSURE_TARGET,
    DEFAULT_STALL_DAYS,
    DisclosureClock,
    Signal,
    disclosure_clock,
)
from keepword.services.ports import UnitOfWork, UnitOfWorkFactory
from keepword.services.watch import odds_of, raise_signals, refresh


@dataclass(frozen=True)
class SignalView:
    """A signal with its disclosure clock and the names a person reads."""

    signal: Signal
    clock: DisclosureClock
    target_days: int
    commitment_title: str
    client: str
    owner_name: str | None

    @property
    def overdue_undisclosed(self) -> bool:
        return self.clock.overdue and not self.signal.disclosed


@dataclass(frozen=True)
class Review:
    """What a review found: every signal in view, and what it raised and escalated now."""

    signals: list[SignalView]
    raised: list[str]
    escalated: list[str]


@requires(Action.REVIEW_SIGNALS)
def review(
    uow: UnitOfWorkFactory,
    *,
    actor: Actor,
    now: datetime,
    today: date,
    stall_days: int = DEFAULT_STALL_DAYS,
    include_disclosed: bool = False,
) -> Review:
    """Bring forecasts up to date, raise the signals that time calls for (no progress, odds
    that drifted), escalate undisclosed signals past their target, and list them: those past
    their target first, most overdue first."""
    with uow(write=True) as work:
        portfolio = work.portfolio.get()
        refreshed = refresh(work, portfolio, ForecastOptions(today=today), now=now)
        watches = [
            Watch(
                commitment=c,
                before=None,
                after=portfolio,
                odds_before=odds_of(refreshed.before, c),
                odds_after=odds_of(refreshed.after, c),
                today=today,
                stall_days=stall_days,
            )
            for c in portfolio.commitments
        ]
        events = raise_signals(work, portfolio, watches, actor=actor.name, now=now)
        raised = [e.entity_id for e in events if e.action == "raised"]
        escalated: list[str] = []
        for signal in work.signals.all():
            clock = clock_of(portfolio, signal, now)
            if signal.disclosed or signal.escalated_at is not None or not clock.overdue:
                continue
            late = replace(signal, escalated_at=now)
            work.signals.save(late)
            # The notification itself: delivery channels (email, webhooks) read these events.
            events.append(
                Event(
                    now,
                    actor.name,
                    "escalated",
                    "signal",
                    signal.id,
                    snapshot(signal),
                    snapshot(late),
                )
            )
            escalated.append(signal.id)
        if events:
            work.events.append(events)
        work.commit()
        signals = work.signals.all()
    views = signal_views(portfolio, signals, now, include_disclosed=include_disclosed)
    return Review(views, raised, escalated)


def readable_signals(work: UnitOfWork, actor: Actor) -> list[Signal] | None:
    """Every stored signal, for an actor who may read signals; None for another."""
    return work.signals.all() if actor.may_read("signal") else None


def clock_text(view: SignalView, now: datetime) -> str:
    """The clock as a person reads it: ``told after 1 d 3 h``, ``2 d 4 h overdue``, ``5 h left``."""
    if view.signal.disclosed:
        return f"told after {_duration(view.clock.elapsed)}"
    if view.clock.overdue:
        return f"{_duration(now - view.clock.deadline)} overdue"
    return f"{_duration(view.clock.deadline - now)} left"


def _duration(span: timedelta) -> str:
    hours = int(span.total_seconds() // 3600)
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"


def target_days(portfolio: Portfolio, project_id: str) -> int:
    """The project team's disclosure target in working days (default one)."""
    project = next((p for p in portfolio.projects if p.id == project_id), None)
    if project is None or project.disclosure_target is None:
        return DEFAULT_DISCLOSURE_TARGET
    return project.disclosure_target


def clock_of(portfolio: Portfolio, signal: Signal, now: datetime) -> DisclosureClock:
    """The signal's disclosure clock, counted in its owner's working days."""
    return disclosure_clock(
        signal, now, target_days(portfolio, signal.project), _calendar(portfolio, signal.owner)
    )


def signal_views(
    portfolio: Portfolio, signals: list[Signal], now: datetime, *, include_disclosed: bool = False
) -> list[SignalView]:
    """Signals with clocks and names, undisclosed past target first (most overdue first),
    then the other undisclosed by deadline, then (if asked) the disclosed, newest first."""
    titles = {c.id: c.title for c in portfolio.commitments}
    clients = {c.id: c.name for c in portfolio.clients}
    project_clients = {p.id: clients.get(p.client, p.client) for p in portfolio.projects}
    people = {p.id: p.name for p in portfolio.people}
    # Looked up once per portfolio, not once per signal: the dashboard lists them all.
    targets = {p.id: target_days(portfolio, p.id) for p in portfolio.projects}
    calendars = {p.id: _calendar(portfolio, p.id) for p in portfolio.people}
    views = []
    for s in signals:
        if s.disclosed and not include_disclosed:
            continue
        target = targets.get(s.project, DEFAULT_DISCLOSURE_TARGET)
        calendar = calendars.get(s.owner or "", WorkingCalendar())
        views.append(
            SignalView(
                s,
                disclosure_clock(s, now, target, calendar),
                target,
                titles.get(s.commitment, s.commitment),
                project_clients.get(s.project, s.project),
                people.get(s.owner, s.owner) if s.owner else None,
            )
        )

    def order(view: SignalView) -> tuple[int, float, str]:
        if view.signal.disclosed:
            assert view.signal.disclosed_at is not None
            return (2, -view.signal.disclosed_at.timestamp(), view.signal.id)
        if view.overdue_undisclosed:
            return (0, view.clock.deadline.timestamp(), view.signal.id)
        return (1, view.clock.deadline.timestamp(), view.signal.id)

    return sorted(views, key=order)


def _calendar(portfolio: Portfolio, person_id: str | None) -> WorkingCalendar:
    # Weekends and public holidays stop the clock; the owner's own leave does not: someone
    # else on the team can tell the client.
    for person in portfolio.people:
        if person.id == person_id:
            return person.calendar.without_time_off()
    return WorkingCalendar()


def stored_signals(
    uow: UnitOfWorkFactory,
    now: datetime,
    *,
    include_disclosed: bool = False,
    commitment: str | None = None,
) -> list[SignalView]:
    """The stored signals with their clocks at ``now``, in the order of
    :func:`~keepword.services.signals.signal_views`; the disclosed ones only if asked, and
    only those about ``commitment`` when it is given."""
    with uow() as work:
        portfolio, signals = work.portfolio.get(), work.signals.all()
    if commitment is not None:
        signals = [s for s in signals if s.commitment == commitment]
    return signal_views(portfolio, signals, now, include_disclosed=include_disclosed)


def find_signal(uow: UnitOfWorkFactory, signal_id: str) -> Signal:
    """The stored signal ``signal_id``, disclosed or not."""
    with uow() as work:
        found = work.signals.get(signal_id)
    if found is None:
        raise NotFound(f"no signal with id {signal_id!r}")
    return found


def signal_view(uow: UnitOfWorkFactory, signal_id: str, now: datetime) -> SignalView:
    """The stored signal ``signal_id`` with its clock at ``now``, disclosed or not."""
    with uow() as work:
        found = work.signals.get(signal_id)
        portfolio = work.portfolio.get()
    if found is None:
        raise NotFound(f"no signal with id {signal_id!r}")
    (view,) = signal_views(portfolio, [found], now, include_disclosed=True)
    return view


@dataclass(frozen=True)
class AnsweredSignal:
    """A signal with its clock, and the messages that answer it, drafted or sent, newest
    first."""

    view: SignalView
    messages: tuple[Communication, ...]


def answered_signal(uow: UnitOfWorkFactory, signal_id: str, now: datetime) -> AnsweredSignal:
    """The stored signal ``signal_id`` with its clock at ``now`` and the messages answering
    it, disclosed or not."""
    with uow() as work:
        found = work.signals.get(signal_id)
        portfolio = work.portfolio.get()
        answering = [m for m in work.communications.all() if signal_id in m.answers]
    if found is None:
        raise NotFound(f"no signal with id {signal_id!r}")
    (view,) = signal_views(portfolio, [found], now, include_disclosed=True)
    newest_first = sorted(answering, key=lambda m: m.created_at, reverse=True)
    return AnsweredSignal(view, tuple(newest_first))
