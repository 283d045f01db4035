"""Messages to clients: draft one from the facts and store it unsent, check an edit, send it.

:func:`draft_message` builds the facts (:mod:`keepword.services.message_facts`) and has a
renderer (the Jinja2 adapter in ``keepword.drafts``) turn them into words. :func:`send`
records the message as sent, with the body as typed, and discloses the signals it answers,
which stops their clocks. :func:`check_text` checks any text against the playbook, expecting
what the message it belongs to needs. :func:`find_message`, :func:`message_view` and
:func:`list_messages` read them as stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email.headerregistry import Address
from typing import Protocol

from keepword.domain.access import Action, Actor, requires
from keepword.domain.calendar import WorkingCalendar
from keepword.domain.commitment import Commitment
from keepword.domain.communications import (
    Communication,
    CommunicationKind,
    Incident,
    address_in,
    addressed_to,
    person_address,
)
from keepword.domain.errors import InvalidValue, NotFound
from keepword.domain.events import Event, snapshot
from keepword.domain.fault import asked_for_by_client
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
    """A stored draft with its facts, its playbook check, and who it is from and to: the
    lead's address, and the address asked for, else the client's contact's (None when there
    is none)."""

    message: Communication
    facts: DraftFacts
    report: PlaybookReport
    sender: Address | None = None
    to: Address | None = None


@dataclass(frozen=True)
class MessageView:
    """A stored message with the playbook's check of its body, as an edit of it would be."""

    message: Communication
    report: PlaybookReport


@dataclass(frozen=True)
class Addressed:
    """A message as it goes out by email: from the project lead's address, to the client's
    contact's (None where there is none)."""

    message: Communication
    sender: Address | None
    to: Address | None


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
    options: ForecastOptions | None = None,
    actor: Actor,
    now: datetime,
    signal: str | None = None,
    commitment: str | None = None,
    kind: CommunicationKind | str | None = None,
    incident: str | None = None,
    progressing: Sequence[str] | None = None,
    to: str | None = None,
) -> Draft:
    """Draft a message for ``signal``, or for ``commitment`` (or ``incident``) as ``kind``,
    and store it unsent.

    ``progressing`` is what can still move forward, as plain phrases; None asks
    ``scenarios.progressing`` about the time people are away (else the next four weeks).
    ``to`` is the client's address when it is not the contact's; one that holds no address
    is refused (field ``to``) before anything is stored. ``options`` default to a forecast
    from the day of ``now``.
    """
    asked_to = _address_asked(to)
    options = options or ForecastOptions(today=now.date())
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
    sender = person_address(facts.lead, facts.lead_email)
    return Draft(message, facts, report, sender, asked_to or address_in(facts.contact))


def _address_asked(to: str | None) -> Address | None:
    if not to:
        return None
    found = address_in(to)
    if found is None:
        raise InvalidValue(f"{to!r} is not an email address", "to")
    return found


@requires(Action.SEND_MESSAGES)
def send(
    uow: UnitOfWorkFactory,
    message_id: str,
    *,
    actor: Actor,
    now: datetime,
    body: str | None = None,
) -> Sent:
    """Record message ``message_id`` as sent and disclose the signals it answers.

    ``body`` is the body as typed, if any: see :func:`edited_body` for when it is an edit.
    An edit is stored as the body sent and checked against the playbook; its findings are
    the warnings.
    """
    with uow(write=True) as work:
        message = work.communications.get(message_id)
        if message is None:
            raise NotFound(f"no message with id {message_id!r}")
        body = edited_body(message, body)
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


def edited_body(message: Communication, typed: str | None) -> str | None:
    """The body ``typed`` for ``message`` as it is sent, or None when it is no edit.

    A form's CRLF line ends are plain line ends, and a leading ``# subject`` heading (the
    Markdown file ``draft --out`` writes starts with one) is not part of the body. A blank
    body, or one the same as the draft, leaves the draft as it is.
    """
    if typed is None:
        return None
    text = typed.replace("\r\n", "\n")
    first, _, rest = text.partition("\n")
    if first.strip() == f"# {message.subject}":
        text = rest.lstrip("\n")
    if not text.strip() or text == message.body:
        return None
    return text


def check_text(
    uow: UnitOfWorkFactory,
    text: str,
    *,
    kind: CommunicationKind | None = None,
    message: str | None = None,
    signal: str | None = None,
    at_fault: bool | None = None,
) -> PlaybookReport:
    """The playbook's check of ``text``, a message of ``kind`` (default: the draft's, else a
    delay); nothing is stored.

    With ``message``, the stored draft ``text`` edits, the check is the one sending it will
    make (an apology expected only where the draft had one); else with ``signal``, the
    signal it answers, scope the client asked for needs no apology. ``at_fault`` says
    outright whether the team is at fault, and so whether it apologises.
    """
    expect: bool | None = None
    with uow() as work:
        if message is not None:
            drafted = work.communications.get(message)
            if drafted is None:
                raise NotFound(f"no message with id {message!r}")
            kind = kind or drafted.kind
            expect = _apology_kept(drafted, kind)
        elif signal is not None:
            answered = work.signals.get(signal)
            if answered is None:
                raise NotFound(f"no signal with id {signal!r}")
            expect = False if asked_for_by_client(answered) else None
    if at_fault is not None:
        expect = at_fault
    return check(text, kind=kind or CommunicationKind.DELAY, expect_apology=expect)


def check_edited(message: Communication, body: str) -> PlaybookReport:
    """The playbook's check of ``body``, an edit of drafted ``message``: the same rules as
    for its kind, the apology expected only where the draft had one."""
    return check(body, kind=message.kind, expect_apology=_apology_kept(message, message.kind))


def _apology_kept(drafted: Communication, kind: CommunicationKind) -> bool | None:
    # A draft that rightly had no apology (the client's own change) is not nagged.
    return has_apology(drafted.body) if kind in NEEDS_APOLOGY else None


def find_message(uow: UnitOfWorkFactory, message_id: str) -> Communication:
    """The stored message ``message_id``, sent or not."""
    with uow() as work:
        message = work.communications.get(message_id)
    if message is None:
        raise NotFound(f"no message with id {message_id!r}")
    return message


def message_view(uow: UnitOfWorkFactory, message_id: str) -> MessageView:
    """The stored message ``message_id`` with the check of its body as it stands."""
    message = find_message(uow, message_id)
    return MessageView(message, check_edited(message, message.body))


def addressed_message(
    uow: UnitOfWorkFactory, message_id: str, body: str | None = None
) -> Addressed:
    """The stored message ``message_id`` addressed for email, with ``body`` (the text as
    typed in the editor, when there is any) in place of its own; nothing is stored."""
    with uow() as work:
        message = work.communications.get(message_id)
        portfolio = work.portfolio.get()
    if message is None:
        raise NotFound(f"no message with id {message_id!r}")
    if body and body.strip():
        message = replace(message, body=body)
    project = portfolio.project(message.project)
    lead = portfolio.person(project.lead) if project.lead else None
    client = portfolio.client(message.client or project.client)
    sender = person_address(lead.name, lead.email) if lead else None
    return Addressed(message, sender, address_in(client.contact))


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
