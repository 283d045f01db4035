"""Honest drafts: a message to the client built from the facts, stored unsent, then sent.

The facts come from the signals, the incident, a fresh forecast and the lead's calendar;
a renderer (the Jinja2 adapter in ``keepword.drafts``) turns them into words. Sending
records the message as sent and discloses the signals it answers, which stops their clocks.
:func:`list_messages` reads them as stored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from keepword.domain.access import Action, Actor, requires
from keepword.domain.calendar import WorkingCalendar
from keepword.domain.commitment import Commitment
from keepword.domain.communications import (
    Communication,
    CommunicationKind,
    Incident,
    addressed_to,
)
from keepword.domain.errors import InvalidValue, NotFound
from keepword.domain.events import Event, snapshot
from keepword.domain.forecast import CannotForecast, ForecastOptions, ProjectForecast
from keepword.domain.people import Person
from keepword.domain.playbook import (
    NEEDS_APOLOGY,
    Finding,
    PlaybookReport,
    check,
    has_apology,
)
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import (
    DEFAULT_DISCLOSURE_TARGET,
    Signal,
    SignalKind,
    disclosure_clock,
)
from keepword.domain.wording import and_list
from keepword.services import incidents, scenarios
from keepword.services.forecasting import forecast_project
from keepword.services.ports import UnitOfWork, UnitOfWorkFactory

# Proposed call times: (working days after today, minus one; time of day in the lead's day).
CALL_SLOTS = ((0, time(10, 0)), (0, time(15, 0)), (1, time(11, 0)))
# While an incident's first contact is open, a call is offered by its deadline at one of these.
FIRST_CONTACT_TIMES = (time(10, 0), time(15, 0))
PROGRESS_WINDOW_DAYS = 28  # "what still progresses" looks at the next four weeks
PROGRESS_ITEMS_SHOWN = 2
BACK_HORIZON_DAYS = 366  # how far ahead to look for a moved person's return

# Risks that come from the team's own decisions or its own estimate and scope control.
_OWN_FACTORS: dict[SignalKind, str] = {
    SignalKind.BELOW_TARGET: "Our estimate did not hold: the work is taking longer than we "
    "planned when we gave you the date.",
    SignalKind.HEALTH_WORSENED: "We saw the plan getting worse and should have told you sooner.",
    SignalKind.CAPACITY_REMOVED: "We took people off your project for other work of ours. "
    "That was our decision, and the delay is ours.",
    SignalKind.SCOPE_GREW: "We let the scope grow without re-planning the date with you.",
    SignalKind.WARNING_SIGNS: "We should have raised the risk earlier: a fixed date, growing "
    "scope and a dependency that was not stable.",
    SignalKind.NO_PROGRESS: "Work on your project stalled and we did not tell you at once.",
}
_CONSEQUENCES = frozenset({SignalKind.BELOW_TARGET, SignalKind.HEALTH_WORSENED})
CLIENT_REQUESTED = "client"  # evidence["requested_by"] of scope the client asked for


class DraftError(InvalidValue):
    """A draft cannot be made from what was asked (no such signal, no incident, ...)."""


class SendTimeError(InvalidValue):
    """A message cannot be recorded as sent before it was drafted."""


@dataclass(frozen=True)
class CallSlot:
    """A proposed time for the call, on one of the lead's working days (the lead's clock)."""

    day: date
    at: time


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


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str  # Markdown


class Renderer(Protocol):
    """Turns facts into a subject and a Markdown body (``keepword.drafts.render``)."""

    def render(self, facts: DraftFacts) -> Rendered: ...


@dataclass(frozen=True)
class Draft:
    message: Communication
    facts: DraftFacts
    report: PlaybookReport


@dataclass(frozen=True)
class Disclosure:
    """A signal whose clock the sent message stopped."""

    signal: str
    latency_hours: float
    deadline: datetime
    overdue: bool


@dataclass(frozen=True)
class Sent:
    message: Communication
    disclosed: tuple[Disclosure, ...]
    already_disclosed: tuple[str, ...]  # answered signals another message had disclosed
    warnings: tuple[Finding, ...]  # the playbook's findings on an edited body
    stale: tuple[str, ...] = ()  # answered signals whose evidence changed after the draft


@requires(Action.DRAFT_MESSAGES)
def draft_message(
    uow: UnitOfWorkFactory,
    renderer: Renderer,
    *,
    options: ForecastOptions,
    actor: Actor,
    now: datetime,
    signal: str | None = None,
    commitment: str | None = None,
    kind: CommunicationKind | str | None = None,
    incident: str | None = None,
    progressing: Sequence[str] | None = None,
) -> Draft:
    """Draft a message for ``signal``, or for ``commitment`` (or ``incident``) as ``kind``,
    and store it unsent.

    ``progressing`` is what can still move forward, as plain phrases; None asks
    ``scenarios.progressing`` about the time people are away (else the next four weeks).
    """
    with uow(write=True) as work:
        portfolio = work.portfolio.get()
        answered, target, found_incident = _subject_of(
            work, portfolio, signal, commitment, incident
        )
        chosen = CommunicationKind(kind) if kind else _default_kind(found_incident)
        if chosen is CommunicationKind.RECOVERY and found_incident is None:
            raise DraftError(
                f"no incident recorded for {target.id if target else 'this'}; "
                "record one with 'keepword incident add' first"
            )
        project_id = (
            target.project if target else found_incident.project if found_incident else None
        )
        if project_id is None:
            raise DraftError("say which commitment, signal or incident the message is about")
        facts = build_facts(
            portfolio,
            kind=chosen,
            project_id=project_id,
            commitment=target,
            signals=answered,
            incident=found_incident,
            options=options,
            progressing=progressing,
            now=now,
        )
        rendered = renderer.render(facts)
        message = Communication(
            id=work.communications.next_id(),
            project=project_id,
            kind=chosen,
            subject=rendered.subject,
            body=rendered.body,
            created_at=now,
            commitment=target.id if target else None,
            recipient=facts.recipient,
            author=facts.lead,
            answers=tuple(s.id for s in answered),
            incident=found_incident.id if found_incident else None,
            client=portfolio.project(project_id).client,
        )
        work.communications.save(message)
        work.events.append(
            [
                Event(
                    now, actor.name, "created", "communication", message.id, None, snapshot(message)
                )
            ]
        )
        work.commit()
    report = check(message.body, kind=chosen, expect_apology=_expects_apology(chosen, facts))
    return Draft(message, facts, report)


@requires(Action.SEND_MESSAGES)
def send(
    uow: UnitOfWorkFactory,
    message_id: str,
    *,
    actor: Actor,
    now: datetime,
    body: str | None = None,
) -> Sent:
    """Record message ``message_id`` as sent (with ``body`` if it was edited) and disclose the
    signals it answers; an edited body is checked against the playbook."""
    with uow(write=True) as work:
        message = work.communications.get(message_id)
        if message is None:
            raise NotFound(f"no message with id {message_id!r}")
        if now < message.created_at:
            raise SendTimeError(
                f"message {message.id} was drafted at {message.created_at:%Y-%m-%d %H:%M} UTC; "
                f"it cannot have been sent before that, at {now:%Y-%m-%d %H:%M} UTC",
                "sent_at",
            )
        portfolio = work.portfolio.get()
        _check_still_addressed(message, portfolio)
        warnings: tuple[Finding, ...] = ()
        if body is not None:
            warnings = check_edited(message, body).findings
        sent = message.marked_sent(now, body)
        work.communications.save(sent)
        events = [
            Event(
                now, actor.name, "sent", "communication", sent.id, snapshot(message), snapshot(sent)
            )
        ]
        disclosed: list[Disclosure] = []
        already: list[str] = []
        stale: list[str] = []
        for signal_id in sent.answers:
            signal = work.signals.get(signal_id)
            if signal is None:
                continue
            if signal.disclosed:
                already.append(signal.id)
                continue
            if signal.updated_at is not None and signal.updated_at > message.created_at:
                stale.append(signal.id)
            after = signal.disclosed_by(sent.id, now)
            work.signals.save(after)
            events.append(
                Event(
                    now,
                    actor.name,
                    "disclosed",
                    "signal",
                    signal.id,
                    snapshot(signal),
                    snapshot(after),
                )
            )
            disclosed.append(_disclosure(portfolio, after, now))
        work.events.append(events)
        work.commit()
    return Sent(sent, tuple(disclosed), tuple(already), warnings, tuple(stale))


def check_edited(message: Communication, body: str) -> PlaybookReport:
    """The playbook's check of ``body``, an edit of drafted ``message``: the same rules as
    for its kind, the apology expected only where the draft had one."""
    # A draft that rightly had no apology (the client's own change) is not nagged.
    expect = has_apology(message.body) if message.kind in NEEDS_APOLOGY else None
    return check(body, kind=message.kind, expect_apology=expect)


def find_message(uow: UnitOfWorkFactory, message_id: str) -> Communication:
    """The stored message ``message_id``, sent or not."""
    with uow() as work:
        message = work.communications.get(message_id)
    if message is None:
        raise NotFound(f"no message with id {message_id!r}")
    return message


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
    forecast = _forecast(portfolio, project_id, options, window, needed=commitment is not None)
    dates, phases = _dates(forecast, commitment) if forecast and commitment else (None, ())
    # Causes before consequences: a forecast that fell is what a move or new scope did.
    signals = sorted(signals, key=lambda s: s.kind in _CONSEQUENCES)
    caused = any(s.kind not in _CONSEQUENCES for s in signals)
    happened = [_happened(portfolio, s) for s in signals]
    if incident is not None:
        happened.insert(0, incident.title)
    own = [*incident.own_factors] if incident else []
    at_fault = incident is not None
    for signal in signals:
        if _client_requested(signal):
            continue
        at_fault = True
        if caused and signal.kind in _CONSEQUENCES:
            continue  # the cause's own factor says it
        factor = _own_factor(portfolio, signal)
        if factor not in own:
            own.append(factor)
    if not signals and incident is None and kind is CommunicationKind.DELAY:
        # A slip nobody else caused is the team's own estimate.
        at_fault = True
        own.append(_OWN_FACTORS[SignalKind.BELOW_TARGET])
    if progressing is None:
        progressing = _progress_phrases(portfolio, project_id, forecast)
    recipient = (commitment.made_to if commitment else None) or _name_of(client.contact)
    evidence: dict[str, str | int | float] = {}
    for signal in signals:
        evidence.update(signal.evidence)
    calendar = lead.calendar if lead else WorkingCalendar()
    slots = call_slots(calendar, options.today)
    if incident is not None:
        due = incidents.first_contact_due(incident, calendar)
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
        at_fault=at_fault,
        own_factors=tuple(own),
        make_right=_make_right(portfolio, project_id, incident, signals, options.today),
        call_slots=slots,
        lead=lead.name if lead else None,
        lead_email=lead.email if lead else None,
        signals=tuple(s.id for s in signals),
        incident=incident.id if incident else None,
        incident_title=incident.title if incident else None,
        evidence=evidence,
        changed=_changed(portfolio, signals),
    )


def call_slots(calendar: WorkingCalendar, today: date) -> tuple[CallSlot, ...]:
    """Two or three times for a call on the next working days after ``today``."""
    days: list[date] = []
    day = today
    while len(days) < max(n for n, _ in CALL_SLOTS) + 1:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    return tuple(CallSlot(days[n], at) for n, at in CALL_SLOTS)


def first_slot_by(
    slots: tuple[CallSlot, ...], deadline: datetime, today: date, now: datetime | None = None
) -> tuple[CallSlot, ...]:
    """``slots`` with a first one by ``deadline`` (UTC) when none is: the earliest of
    ``FIRST_CONTACT_TIMES`` from ``today`` on that is after ``now`` (the incident's next
    morning, when the message is written the evening before). Unchanged when the first
    slot already is by the deadline, or when no time before it is left."""
    if not slots or _at(slots[0]) <= deadline:
        return slots
    earliest = now if now is not None else datetime.combine(today, time(0, 0), tzinfo=UTC)
    day = today
    while day <= deadline.date():
        for at in FIRST_CONTACT_TIMES:
            moment = datetime.combine(day, at, tzinfo=UTC)
            if earliest < moment <= deadline:
                return (CallSlot(day, at), *slots[: len(CALL_SLOTS) - 1])
        day += timedelta(days=1)
    return slots


def _at(value: CallSlot) -> datetime:
    return datetime.combine(value.day, value.at, tzinfo=UTC)


# --- helpers -----------------------------------------------------------------------------


def _subject_of(
    work: UnitOfWork,
    portfolio: Portfolio,
    signal: str | None,
    commitment: str | None,
    incident: str | None,
) -> tuple[list[Signal], Commitment | None, Incident | None]:
    """The signals answered, the commitment and the incident the message is about."""
    found_incident: Incident | None = None
    if incident is not None:
        found_incident = work.incidents.get(incident)
        if found_incident is None:
            raise NotFound(f"no incident with id {incident!r}")
        commitment = commitment or found_incident.commitment
    answered: list[Signal] = []
    if signal is not None:
        found = work.signals.get(signal)
        if found is None:
            raise NotFound(f"no signal with id {signal!r}")
        if found.disclosed:
            raise DraftError(
                f"signal {found.id} was already disclosed by {found.communication} at "
                f"{found.disclosed_at:%Y-%m-%d %H:%M} UTC; draft a status message instead"
            )
        if commitment is not None and commitment != found.commitment:
            raise DraftError(f"signal {found.id} is about {found.commitment}, not {commitment}")
        # The other undisclosed signals on the same promise are the same story (a slip and
        # its cause): one honest message tells them all and stops all their clocks.
        answered = [found] + [
            s
            for s in work.signals.all()
            if s.commitment == found.commitment and not s.disclosed and s.id != found.id
        ]
        commitment = found.commitment
    target = portfolio.commitment(commitment) if commitment else None
    if found_incident is not None:
        _check_same_story(portfolio, found_incident, target)
    if target is not None and signal is None:
        answered = [s for s in work.signals.all() if s.commitment == target.id and not s.disclosed]
    if target is not None and found_incident is None:
        client = portfolio.project(target.project).client
        on_it = [
            i for i in work.incidents.all() if i.commitment == target.id and addressed_to(i, client)
        ]
        found_incident = on_it[-1] if on_it else None
    return answered, target, found_incident


def _check_same_story(
    portfolio: Portfolio, incident: Incident, commitment: Commitment | None
) -> None:
    """A message tells one client about its own project: the incident it draws on must be
    on the commitment's project (and that commitment, when it names one), and must have
    happened while the project was that client's."""
    if commitment is not None and (
        incident.project != commitment.project
        or (incident.commitment is not None and incident.commitment != commitment.id)
    ):
        about = incident.commitment or f"project {incident.project}"
        raise DraftError(
            f"incident {incident.id} is about {about}, not {commitment.id}", "incident"
        )
    if not addressed_to(incident, portfolio.project(incident.project).client):
        raise DraftError(
            f"incident {incident.id} happened while project {incident.project} was another "
            "client's; it cannot go in a message to this one",
            "incident",
        )


def _check_still_addressed(message: Communication, portfolio: Portfolio) -> None:
    """A draft goes only to the client it was drafted for: a project that has moved to
    another client since then needs a new draft, from that client's facts."""
    if not addressed_to(message, portfolio.project(message.project).client):
        raise DraftError(
            f"message {message.id} was drafted for another client of project "
            f"{message.project}; draft it again for its client now",
            "message",
        )


def _default_kind(incident: Incident | None) -> CommunicationKind:
    return CommunicationKind.RECOVERY if incident else CommunicationKind.DELAY


def _expects_apology(kind: CommunicationKind, facts: DraftFacts) -> bool | None:
    if kind in (CommunicationKind.DELAY, CommunicationKind.RECOVERY):
        return facts.at_fault
    return None


def _client_requested(signal: Signal) -> bool:
    return (
        signal.kind is SignalKind.SCOPE_GREW
        and signal.evidence.get("requested_by") == CLIENT_REQUESTED
    )


def _forecast(
    portfolio: Portfolio,
    project_id: str,
    options: ForecastOptions,
    window: tuple[date, date] | None,
    *,
    needed: bool,
) -> ProjectForecast | None:
    """The project's forecast, also of who is free in ``window``; None when it cannot be
    forecast and only what progresses was asked (a promise's dates must be forecast)."""
    if not needed and window is None:
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


def away_window(
    portfolio: Portfolio, project_id: str, signals: Sequence[Signal], options: ForecastOptions
) -> tuple[date, date] | None:
    """From the first working day someone the signals took off the project is away, to the
    day before the last of them is back, when both are known."""
    firsts: list[date] = []
    backs: list[date] = []
    for signal in signals:
        if signal.kind is not SignalKind.CAPACITY_REMOVED:
            continue
        for person in _people(portfolio, signal):
            back = _back_on(portfolio, person, project_id, options.today)
            if back is None:
                continue
            backs.append(back)
            mine = [
                a
                for a in portfolio.allocations
                if a.person == person.id and a.project == project_id
            ]
            day = options.today
            while day < back and any(a.start <= day <= a.end for a in mine):
                day += timedelta(days=1)
            firsts.append(day)
    if not backs:
        return None
    return min(firsts), max(backs) - timedelta(days=1)


def _progress_window(
    portfolio: Portfolio, project_id: str, signals: Sequence[Signal], options: ForecastOptions
) -> tuple[date, date]:
    """When people are away (the next four weeks when it is not known)."""
    away = away_window(portfolio, project_id, signals, options)
    return away or (options.today, options.today + timedelta(days=PROGRESS_WINDOW_DAYS - 1))


def _progress_phrases(
    portfolio: Portfolio, project_id: str, forecast: ProjectForecast | None
) -> tuple[str, ...]:
    """Who can still move the work on while people are away, and on what."""
    found = scenarios.progressing(portfolio, project_id, forecast) if forecast else []
    return tuple(
        f"{p.name} ({free_days(p.free_days)}): "
        + "; ".join(title for _, title in p.items[:PROGRESS_ITEMS_SHOWN])
        for p in found
    )


def free_days(days: float) -> str:
    """``about 1 free day``, ``about 3 free days`` (to the nearest day, halves up), or
    ``under a free day``."""
    whole = math.floor(days + 0.5)
    if whole < 1:
        return "under a free day"
    return f"about {whole} free day{'' if whole == 1 else 's'}"


def _changed(portfolio: Portfolio, signals: Sequence[Signal]) -> tuple[str, ...]:
    """What changed, one short clause a signal, for "..., but the risk has grown: ..."."""
    clauses: list[str] = []
    for signal in signals:
        clause = _change(portfolio, signal)
        if clause not in clauses:
            clauses.append(clause)
    return tuple(clauses)


def _change(portfolio: Portfolio, signal: Signal) -> str:
    e = signal.evidence
    try:
        if signal.kind in _CONSEQUENCES:
            before = e.get("on_time_before")
            was = f" from {_percent(before)}" if before is not None else ""
            return f"our forecast for the date fell{was} to {_percent(e['on_time'])}"
        if signal.kind is SignalKind.CAPACITY_REMOVED:
            people = _people(portfolio, signal)
            who = _names(people) if people else "people"
            return f"we moved {who} off your project for other work of ours"
        if signal.kind is SignalKind.SCOPE_GREW:
            return f"the scope has grown by {_percent(e['growth'])} since {_day(e['since'])}"
        if signal.kind is SignalKind.WARNING_SIGNS:
            return (
                "part of the work rests on features that are not yet stable, against a date "
                "that cannot move"
            )
        if signal.kind is SignalKind.NO_PROGRESS:
            return f"nothing on your project has moved since {_day(e['last_progress'])}"
    except (KeyError, TypeError, ValueError):
        pass
    return "the plan has changed since we made the promise"


def _people(portfolio: Portfolio, signal: Signal) -> list[Person]:
    ids = str(signal.evidence.get("people", "")).split(",")
    return [p for p in portfolio.people if p.id in {i.strip() for i in ids}]


def _names(people: Sequence[Person]) -> str:
    return and_list(p.name for p in people)


def _happened(portfolio: Portfolio, signal: Signal) -> str:
    """What happened, in words for the client: the signal's evidence, not its internal note."""
    e = signal.evidence
    try:
        if signal.kind in (SignalKind.BELOW_TARGET, SignalKind.HEALTH_WORSENED):
            before = e.get("on_time_before")
            was = f" from {_percent(before)}" if before is not None else ""
            return (
                f"Our latest forecast no longer backs the date: the chance of meeting "
                f"{_day(e['due'])} fell{was} to {_percent(e['on_time'])}."
            )
        if signal.kind is SignalKind.CAPACITY_REMOVED and _people(portfolio, signal):
            return (
                f"We moved {_names(_people(portfolio, signal))} off your project for other work "
                f"of ours: about {float(e['removed']):.0f} person-days before {_day(e['due'])}."
            )
        if signal.kind is SignalKind.SCOPE_GREW:
            return (
                f"The scope has grown since {_day(e['since'])}: {e['items_added']} more items, "
                f"about {float(e['effort_added']):.0f} person-days "
                f"({_percent(e['growth'])} more work)."
            )
        if signal.kind is SignalKind.WARNING_SIGNS:
            # The dependency's name stays out: the team owns its choice to build on it.
            return (
                f"The date cannot move, the scope has grown by {_percent(e['growth'])} since "
                f"{_day(e['since'])}, and part of the work rests on features that are not yet "
                "stable."
            )
        if signal.kind is SignalKind.NO_PROGRESS:
            return (
                f"Nothing on your project has started or finished since {_day(e['last_progress'])}."
            )
    except (KeyError, TypeError, ValueError):
        pass  # evidence in another shape: its summary still says it
    return signal.summary


def _own_factor(portfolio: Portfolio, signal: Signal) -> str:
    people = _people(portfolio, signal)
    if signal.kind is SignalKind.CAPACITY_REMOVED and people:
        return (
            f"We took {_names(people)} off your project for other work of ours. That was our "
            "decision, and the delay is ours."
        )
    return _OWN_FACTORS.get(signal.kind, "We did not see this coming early enough.")


def _percent(value: str | int | float) -> str:
    return f"{float(value) * 100:.0f} %"


def _day(value: str | int | float) -> str:
    day = date.fromisoformat(str(value))
    return f"{day.day} {day:%B %Y}"


def _make_right(
    portfolio: Portfolio,
    project_id: str,
    incident: Incident | None,
    signals: Sequence[Signal],
    today: date,
) -> tuple[Step, ...]:
    if incident is not None and incident.steps:
        return tuple(Step(s.action, s.due, s.done_at is not None) for s in incident.steps)
    steps: list[Step] = []
    for signal in signals:
        if signal.kind is not SignalKind.CAPACITY_REMOVED:
            continue
        for person in _people(portfolio, signal):
            back = _back_on(portfolio, person, project_id, today)
            if back is not None:
                at = datetime.combine(back, time(9, 0), tzinfo=UTC)
                steps.append(Step(f"{person.name} is back on your project", at))
    steps.sort(key=lambda s: s.due or datetime.max.replace(tzinfo=UTC))
    steps.append(
        Step("A short written update every week with the same two dates, until it is live")
    )
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


def _name_of(contact: str | None) -> str | None:
    """``Marcus Bell, founder and CEO`` → ``Marcus Bell``; ``Ann <a@b>`` → ``Ann``."""
    if not contact:
        return None
    name = contact.split("<")[0].split(",")[0].strip()
    return name or None


def _disclosure(portfolio: Portfolio, signal: Signal, now: datetime) -> Disclosure:
    project = portfolio.project(signal.project)
    lead = portfolio.person(project.lead) if project.lead else None
    target = project.disclosure_target or DEFAULT_DISCLOSURE_TARGET
    clock = disclosure_clock(signal, now, target, lead.calendar if lead else WorkingCalendar())
    return Disclosure(signal.id, clock.latency_hours, clock.deadline, clock.overdue)


def list_messages(
    uow: UnitOfWorkFactory, project: str | None = None, sent: bool | None = None
) -> list[Communication]:
    """Messages to clients, newest first: of one project or all, sent, unsent or both; an
    unknown project is an error."""
    with uow() as work:
        if project is not None:
            work.portfolio.get().project(project)  # raises NotFound
        found = [
            m
            for m in work.communications.all()
            if (project is None or m.project == project) and (sent is None or m.sent is sent)
        ]
    return sorted(found, key=lambda m: m.created_at, reverse=True)
