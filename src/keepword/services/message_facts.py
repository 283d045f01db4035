"""The facts a message to the client is written from, read from the portfolio as stored.

A fresh forecast gives the dates and who still has free days; the signals and the incident
give what happened and the team's part; the lead's calendar gives the times for a call.
Nothing here reads or commits a unit of work: :mod:`keepword.services.messages` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from keepword.domain.calendar import WorkingCalendar
from keepword.domain.calls import CallSlot, call_slots, first_slot_by
from keepword.domain.client_wording import (
    WEEKLY_UPDATE,
    back_on_project,
    progressing_line,
    what_changed,
    what_happened,
)
from keepword.domain.commitment import Commitment
from keepword.domain.communications import CommunicationKind, Incident
from keepword.domain.fault import causes_first, team_part
from keepword.domain.forecast import CannotForecast, ForecastOptions, ProjectForecast
from keepword.domain.people import Allocation, Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import Signal, SignalKind
from keepword.services import incidents, scenarios
from keepword.services.forecasting import forecast_project

PROGRESS_WINDOW_DAYS = 28  # "what still progresses" looks at the next four weeks
PROGRESS_ITEMS_SHOWN = 2
BACK_HORIZON_DAYS = 366  # how far ahead to look for a moved person's return
BACK_AT = time(9, 0)  # a returning person's step is due at the start of their first day back


@dataclass(frozen=True)
class Dates:
    """The commitment's fresh forecast: due date, the dates at 50 % and 85 %, the odds."""

    due: date
    p50: date
    p85: date
    on_time: float
    target: float  # the commitment's confidence target
    forecast_on: date

    @property
    def late(self) -> bool:
        """The 85 % date is after the promised one: the client should plan on a new date."""
        return self.p85 > self.due

    @property
    def below_target(self) -> bool:
        return self.on_time < self.target


@dataclass(frozen=True)
class PhaseDates:
    """One phase of the commitment: its dates, and whether it fits by the due date."""

    id: str
    name: str
    done: bool
    p50: date
    p85: date
    fits: bool


@dataclass(frozen=True)
class Step:
    """Something the team will do to make it right, by a time."""

    action: str
    due: datetime | None = None
    done: bool = False


@dataclass(frozen=True)
class DraftFacts:
    """Everything a template may use; docs/drafts.md lists each field."""

    kind: CommunicationKind
    today: date
    client: str
    contact: str | None  # the client's contact as written, perhaps with an address
    recipient: str | None
    greeting_name: str | None
    project: str
    project_id: str
    commitment_id: str | None
    commitment: str | None
    dates: Dates | None
    phases: tuple[PhaseDates, ...]
    happened: tuple[str, ...]
    impact: str | None  # an incident's impact on the client, in its own words
    progressing: tuple[str, ...]
    at_fault: bool
    own_factors: tuple[str, ...]
    make_right: tuple[Step, ...]
    call_slots: tuple[CallSlot, ...]
    lead: str | None
    lead_email: str | None
    signals: tuple[str, ...] = ()
    incident: str | None = None
    incident_title: str | None = None
    evidence: dict[str, str | int | float] = field(default_factory=dict)
    changed: tuple[str, ...] = ()  # what changed, one short clause per answered signal


def build_facts(
    portfolio: Portfolio,
    *,
    kind: CommunicationKind,
    project_id: str,
    options: ForecastOptions,
    commitment: Commitment | None = None,
    signals: Sequence[Signal] = (),
    incident: Incident | None = None,
    progressing: Sequence[str] | None = None,
    now: datetime | None = None,
) -> DraftFacts:
    """The facts of a message: what happened, the impact and new dates, fault, next step.

    ``now`` is when the message is written: while an incident's first contact is open, the
    first call offered is after it and by the first contact's deadline, when one fits.
    """
    project = portfolio.project(project_id)
    client = portfolio.client(project.client)
    lead = portfolio.person(project.lead) if project.lead else None
    # One forecast serves the dates and, with the window people are away, what progresses.
    window = (
        None
        if progressing is not None
        else _progress_window(portfolio, project_id, signals, options)
    )
    # New dates for a promise, except for a fixed date already past (the event is over: a
    # date after it means nothing); a recovery is written whether or not they can be had.
    dated = commitment if commitment and not commitment.event_over(options.today) else None
    forecast = _forecast(
        portfolio,
        project_id,
        options,
        window,
        wanted=dated is not None,
        needed=dated is not None and incident is None,
    )
    dates, phases = _dates(forecast, dated) if forecast and dated else (None, ())
    signals = causes_first(signals)
    moved = {s.id: tuple(p.name for p in _moved_people(portfolio, s)) for s in signals}
    happened = [what_happened(s, moved[s.id]) for s in signals]
    if incident is not None:
        happened.insert(0, incident.title)
    part = team_part(kind, signals, incident, moved)
    if progressing is None:
        progressing = _progressing_lines(portfolio, project_id, forecast)
    recipient = (commitment.made_to if commitment else None) or _name_of(client.contact)
    evidence: dict[str, str | int | float] = {}
    for signal in signals:
        evidence.update(signal.evidence)
    calendar = lead.calendar if lead else WorkingCalendar()
    slots = call_slots(calendar, options.today, client.time_zone)
    if incident is not None:
        due = incidents.first_contact_due(incident, client)
        if due is not None:
            slots = first_slot_by(slots, due, options.today, now)
    return DraftFacts(
        kind=kind,
        today=options.today,
        client=client.name,
        contact=client.contact,
        recipient=recipient,
        greeting_name=recipient.split()[0] if recipient else None,
        project=project.name,
        project_id=project.id,
        commitment_id=commitment.id if commitment else None,
        commitment=commitment.title if commitment else None,
        dates=dates,
        phases=phases,
        happened=tuple(happened),
        impact=incident.impact if incident else None,
        progressing=tuple(progressing),
        at_fault=part.at_fault,
        own_factors=part.own_factors,
        make_right=_make_right(
            portfolio, project_id, incident, signals, options.today, ZoneInfo(client.time_zone)
        ),
        call_slots=slots,
        lead=lead.name if lead else None,
        lead_email=lead.email if lead else None,
        signals=tuple(s.id for s in signals),
        incident=incident.id if incident else None,
        incident_title=incident.title if incident else None,
        evidence=evidence,
        changed=what_changed(signals, moved),
    )


def away_window(
    portfolio: Portfolio, project_id: str, signals: Sequence[Signal], options: ForecastOptions
) -> tuple[date, date] | None:
    """From the first day someone the signals took off the project is off it, to the last
    day before their allocation to it resumes, when both are known: the days of the move
    itself, as the what-if of the same move counts them (leave and holidays after it are
    not the move's)."""
    firsts: list[date] = []
    lasts: list[date] = []
    for signal in signals:
        if signal.kind is not SignalKind.CAPACITY_REMOVED:
            continue
        for person in _moved_people(portfolio, signal):
            mine = [
                a
                for a in portfolio.allocations
                if a.person == person.id and a.project == project_id
            ]
            gap = _allocation_gap(mine, options.today)
            if gap is not None:
                firsts.append(gap[0])
                lasts.append(gap[1])
    if not lasts:
        return None
    return min(firsts), max(lasts)


def _allocation_gap(mine: Sequence[Allocation], today: date) -> tuple[date, date] | None:
    """The first run of days from ``today`` on which none of ``mine`` covers a day, when an
    allocation resumes after it (within the horizon)."""

    def covered(day: date) -> bool:
        return any(a.start <= day <= a.end for a in mine)

    day = today
    while covered(day) and (day - today).days < BACK_HORIZON_DAYS:
        day += timedelta(days=1)
    first = day
    while not covered(day):
        day += timedelta(days=1)
        if (day - today).days >= BACK_HORIZON_DAYS:
            return None
    return first, day - timedelta(days=1)


def _progress_window(
    portfolio: Portfolio, project_id: str, signals: Sequence[Signal], options: ForecastOptions
) -> tuple[date, date]:
    """When people are away (the next four weeks when it is not known)."""
    away = away_window(portfolio, project_id, signals, options)
    return away or (options.today, options.today + timedelta(days=PROGRESS_WINDOW_DAYS - 1))


def _forecast(
    portfolio: Portfolio,
    project_id: str,
    options: ForecastOptions,
    window: tuple[date, date] | None,
    *,
    wanted: bool,
    needed: bool,
) -> ProjectForecast | None:
    """The project's forecast, also of who is free in ``window``; None when none is
    ``wanted`` and no window asked, or when it cannot be forecast and is not ``needed``
    (a delay's new dates must be forecast; a recovery is written without them)."""
    if not wanted and window is None:
        return None
    try:
        return forecast_project(portfolio, project_id, replace(options, window=window))
    except CannotForecast:
        if needed:
            raise
        return None


def _dates(
    forecast: ProjectForecast, commitment: Commitment
) -> tuple[Dates, tuple[PhaseDates, ...]]:
    finish = next(f for f in forecast.commitments if f.id == commitment.id)
    assert finish.on_time is not None
    dates = Dates(
        commitment.due,
        finish.p50,
        finish.p85,
        finish.on_time,
        commitment.confidence,
        forecast.start,
    )
    fitting = set(forecast.cut_lines.get(commitment.id, []))
    wanted = set(commitment.phases)
    phases = tuple(
        PhaseDates(p.id, p.name, p.items == 0, p.p50, p.p85, p.id in fitting)
        for p in forecast.phases
        if not wanted or p.id in wanted
    )
    return dates, phases


def _progressing_lines(
    portfolio: Portfolio, project_id: str, forecast: ProjectForecast | None
) -> tuple[str, ...]:
    """Who can still move the work on while people are away, and on what."""
    found = scenarios.progressing(portfolio, project_id, forecast) if forecast else []
    return tuple(
        progressing_line(
            p.name, p.free_days, (title for _, title in p.items[:PROGRESS_ITEMS_SHOWN])
        )
        for p in found
    )


def _make_right(
    portfolio: Portfolio,
    project_id: str,
    incident: Incident | None,
    signals: Sequence[Signal],
    today: date,
    zone: ZoneInfo,
) -> tuple[Step, ...]:
    """An incident's recovery steps; else each moved person's return, then weekly updates;
    each time on the client's clock ``zone``."""
    if incident is not None and incident.steps:
        return tuple(
            Step(s.action, s.due.astimezone(zone), s.done_at is not None) for s in incident.steps
        )
    steps: list[Step] = []
    for signal in signals:
        if signal.kind is not SignalKind.CAPACITY_REMOVED:
            continue
        for person in _moved_people(portfolio, signal):
            back = _back_on(portfolio, person, project_id, today)
            if back is not None:
                at = datetime.combine(back, BACK_AT, tzinfo=zone)
                steps.append(Step(back_on_project(person.name), at))
    steps.sort(key=lambda s: s.due or datetime.max.replace(tzinfo=UTC))
    steps.append(Step(WEEKLY_UPDATE))
    return tuple(steps)


def _back_on(portfolio: Portfolio, person: Person, project_id: str, today: date) -> date | None:
    """The first working day after a gap on which ``person`` works on the project again."""
    mine = [a for a in portfolio.allocations if a.person == person.id and a.project == project_id]
    away = False
    for n in range(1, BACK_HORIZON_DAYS):
        day = today + timedelta(days=n)
        if not person.calendar.is_working_day(day):
            continue
        on = any(a.start <= day <= a.end for a in mine)
        if not on:
            away = True
        elif away:
            return day
    return None


def _moved_people(portfolio: Portfolio, signal: Signal) -> list[Person]:
    """The people ``signal``'s evidence names (``people: "ravi, hannah"``), as in the plan."""
    ids = {i.strip() for i in str(signal.evidence.get("people", "")).split(",")}
    return [p for p in portfolio.people if p.id in ids]


def _name_of(contact: str | None) -> str | None:
    """``Marcus Bell, founder and CEO`` → ``Marcus Bell``; ``Ann <a@b>`` → ``Ann``."""
    if not contact:
        return None
    name = contact.split("<")[0].split(",")[0].strip()
    return name or None
