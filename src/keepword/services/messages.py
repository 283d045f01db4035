"""Messages to clients: draft one from the facts and store it unsent, check an edit, send it.

:func:`draft_message` builds the facts (:mod:`keepword.services.message_facts`) and has a
renderer (the Jinja2 adapter in ``keepword.drafts``) turn them into words. :func:`send`
records the message as sent and discloses the signals it answers, which stops their clocks.
:func:`find_message` and :func:`list_messages` read them as stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
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

# Only until the API's check route asks keepword.domain.fault.asked_for_by_client itself.
from keepword.domain.fault import CLIENT_REQUESTED as CLIENT_REQUESTED
from keepword.domain.forecast import ForecastOptions
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
    disclosure_clock,
)
from keepword.services.message_facts import DraftFacts, build_facts
from keepword.services.ports import UnitOfWork, UnitOfWorkFactory


class DraftError(InvalidValue):
    """A draft cannot be made from what was asked (no such signal, no incident, ...)."""


class SendTimeError(InvalidValue):
    """A message cannot be recorded as sent before it was drafted."""


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
