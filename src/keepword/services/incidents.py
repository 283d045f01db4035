"""Incidents (W3): what went wrong in front of the client, and the recovery steps' clock.

The first step of every recovery is reaching the client: if the team lists none due by
09:00 the next morning on the client's clock (weekends included unless the client says
otherwise), one is added. A step due before the incident is refused. Each incident is read with its
first-contact state (:class:`FirstContact`) and each step's (:class:`StepView`), the same
for the command line, the pages and the API. :func:`record_incident_fields` records one typed
in a form, reporting every field at fault at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from keepword.domain.access import Action, Actor, requires
from keepword.domain.communications import MOMENT_FORMATS, Incident, RecoveryStep
from keepword.domain.errors import InvalidFields, InvalidValue, KeepwordError, NotFound
from keepword.domain.events import Event, snapshot
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Client
from keepword.domain.signals import Signal
from keepword.services.ports import UnitOfWork, UnitOfWorkFactory

FIRST_CONTACT = "First contact with the client: call and written apology"
FIRST_CONTACT_AT = time(9, 0)  # the next morning, on the client's clock
NIGHT_ENDS = time(6, 0)  # an incident before this is "the night": due that same morning
SATURDAY = 5
# A step reaches the client when it says so; "call flows" is not a call.
_CONTACT = re.compile(
    r"\b(?:first contact|call(?!\s+(?:flows?|centre|center|reasons?|recordings?)\b)|phone|"
    r"reach out|apologi[sz]e|apology|speak to|talk to)\b",
    re.IGNORECASE,
)


def first_contact_deadline(occurred_at: datetime, client: Client) -> datetime:
    """When the client must have heard from the team: first thing the next morning, 09:00
    on the client's clock, even on a weekend unless the client says otherwise (then the
    Monday). An incident in the night (before 06:00 on the client's clock) is due that
    same morning. In UTC.

    Friday 16:30 in London → Saturday 09:00 (Monday 09:00 without weekends); Tuesday
    02:00 → Tuesday 09:00.
    """
    zone = ZoneInfo(client.time_zone)
    local = occurred_at.astimezone(zone)
    day = local.date() if local.time() < NIGHT_ENDS else local.date() + timedelta(days=1)
    while not client.first_contact_weekends and day.weekday() >= SATURDAY:
        day += timedelta(days=1)
    return datetime.combine(day, FIRST_CONTACT_AT, tzinfo=zone).astimezone(UTC)


def first_contact_due(incident: Incident, client: Client) -> datetime | None:
    """When the incident's first contact is due, while no step that reaches the client in
    time is done; None once one is."""
    deadline = first_contact_deadline(incident.occurred_at, client)
    contacts = [s for s in incident.steps if is_first_contact(s, deadline)]
    if not contacts or any(s.done_at is not None for s in contacts):
        return None
    return min(s.due for s in contacts)


def is_first_contact(step: RecoveryStep, deadline: datetime) -> bool:
    """Whether ``step`` reaches the client in words and is due by ``deadline``."""
    return step.due <= deadline and _CONTACT.search(step.action) is not None


FirstContactState = Literal["met", "late", "overdue", "open"]


@dataclass(frozen=True)
class FirstContact:
    """The incident's first contact with the client: when it is due, and how it went.

    ``state`` is ``met`` (done by the deadline), ``late`` (done after it), ``overdue`` (not
    done, deadline passed) or ``open`` (not done yet, still in time).
    """

    deadline: datetime
    state: FirstContactState
    done_at: datetime | None

    @property
    def met(self) -> bool:
        """Whether the client heard from the team in time."""
        return self.state == "met"


StepState = Literal["done", "done_late", "overdue", "open"]
LATE_STATES: frozenset[StepState] = frozenset({"done_late", "overdue"})


def step_state(step: RecoveryStep, now: datetime) -> StepState:
    """Where ``step`` stands at ``now``: ``done`` by its due time, ``done_late`` after it,
    ``overdue`` (not done, past its due time) or ``open`` (not done, still in time)."""
    if step.done_at is not None:
        return "done_late" if step.done_at > step.due else "done"
    return "overdue" if step.due < now else "open"


def is_late(step: RecoveryStep, now: datetime) -> bool:
    """Whether ``step`` was done after its due time, or is not done and past it, at ``now``."""
    return step_state(step, now) in LATE_STATES


@dataclass(frozen=True)
class StepView:
    """One recovery step, numbered from 1 as ``incident done`` takes it, with its state."""

    number: int
    step: RecoveryStep
    state: StepState

    @property
    def late(self) -> bool:
        """Done after its due time, or not done and past it."""
        return self.state in LATE_STATES


@dataclass(frozen=True)
class IncidentView:
    """One incident with its project's and client's names, who owns its recovery (the
    project's lead), its first-contact state and its steps' states."""

    incident: Incident
    project_name: str
    client: str
    lead: str | None
    owner: str  # the lead's name, or a sentence saying there is none
    first_contact: FirstContact
    steps: tuple[StepView, ...]
    # The risk signals raised on its project before it happened: what the team could have
    # acted on. None for a reader who may not read signals.
    warnings: tuple[Signal, ...] | None = None

    @property
    def done(self) -> int:
        """How many recovery steps are done."""
        return sum(s.done_at is not None for s in self.incident.steps)


def first_contact(incident: Incident, client: Client, now: datetime) -> FirstContact:
    """The first-contact state of ``incident`` at ``now``, its deadline on ``client``'s
    clock: the earliest done step that reaches the client and was planned in time decides
    it."""
    deadline = first_contact_deadline(incident.occurred_at, client)
    contacts = [s for s in incident.steps if is_first_contact(s, deadline)]
    done = sorted(s.done_at for s in contacts if s.done_at is not None)
    if done:
        return FirstContact(deadline, "met" if done[0] <= deadline else "late", done[0])
    return FirstContact(deadline, "overdue" if now > deadline else "open", None)


def incident_view(incident: Incident, portfolio: Portfolio, now: datetime) -> IncidentView:
    """``incident`` as shown at ``now``, its first contact counted on its client's clock."""
    project = portfolio.project(incident.project)
    lead = project.lead
    client = portfolio.client(project.client)
    return IncidentView(
        incident,
        project.name,
        client.name,
        lead,
        portfolio.person(lead).name if lead else "nobody (the project has no lead)",
        first_contact(incident, client, now),
        tuple(
            StepView(number, step, step_state(step, now))
            for number, step in enumerate(incident.steps, start=1)
        ),
    )


def incident_views(
    uow: UnitOfWorkFactory, now: datetime, project: str | None = None
) -> list[IncidentView]:
    """Incidents, newest first, of one project or all, each with its first-contact state."""
    with uow() as work:
        portfolio = work.portfolio.get()
        found = _incidents_of(work.incidents.all(), portfolio, project)
    return [incident_view(i, portfolio, now) for i in found]


def find_incident(
    uow: UnitOfWorkFactory, incident_id: str, now: datetime, *, actor: Actor | None = None
) -> IncidentView:
    """The incident ``incident_id`` with its first-contact state at ``now``; for an
    ``actor`` who may read signals, with the warnings raised on its project before it."""
    with uow() as work:
        found = work.incidents.get(incident_id)
        portfolio = work.portfolio.get()
        signals = work.signals.all() if actor is not None and actor.may_read("signal") else None
    if found is None:
        raise NotFound(f"no incident with id {incident_id!r}")
    view = incident_view(found, portfolio, now)
    if signals is None:
        return view
    before = tuple(
        sorted(
            (
                s
                for s in signals
                if s.project == found.project
                and s.detected_at <= found.occurred_at
                and (found.commitment is None or s.commitment == found.commitment)
            ),
            key=lambda s: s.detected_at,
        )
    )
    return replace(view, warnings=before)


def parse_moment(text: str) -> datetime | None:
    """``YYYY-MM-DD HH:MM`` (or with a ``T``, or a bare date) as a UTC time; None if it is not."""
    for pattern in MOMENT_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=UTC)
        except ValueError:
            continue
    return None


def parse_step(text: str) -> tuple[str, datetime]:
    """A recovery step typed as ``ACTION @ YYYY-MM-DD HH:MM`` (UTC): its action and due time.

    Raises :class:`InvalidValue` with field ``action`` when the text has no action or no
    ``@``, and with field ``due`` when what follows the last ``@`` is not a date.
    """
    action, at, when = text.rpartition("@")
    if not at or not action.strip():
        raise InvalidValue("write 'ACTION @ YYYY-MM-DD HH:MM'", "action")
    due = parse_moment(when)
    if due is None:
        raise InvalidValue(f"{when.strip()!r} is not YYYY-MM-DD [HH:MM]", "due")
    return action.strip(), due


@dataclass(frozen=True)
class IncidentFields:
    """An incident as typed in a form, every field as text, perhaps blank or wrong:
    ``own_factors`` and ``steps`` one a line (a step as ``ACTION @ YYYY-MM-DD HH:MM``, UTC),
    ``occurred_at`` blank for now."""

    project: str = ""
    commitment: str = ""
    title: str = ""
    impact: str = ""
    own_factors: str = ""
    steps: str = ""
    occurred_at: str = ""


INCIDENT_FIELDS = (
    "project",
    "commitment",
    "title",
    "impact",
    "own_factors",
    "steps",
    "occurred_at",
)
# Where a refusal of the recording itself belongs on the form; the rest is about the time.
_RECORD_FIELDS = {"title": "title", "impact": "impact", "steps": "steps", "due": "steps"}


@requires(Action.RECORD_INCIDENTS)
def record_incident_fields(
    uow: UnitOfWorkFactory, fields: IncidentFields, *, actor: Actor, now: datetime
) -> Incident:
    """Record the incident ``fields`` type, as :func:`record_incident` does; the incident recorded.

    Every field at fault is reported at once, as :class:`InvalidFields` keyed by
    :data:`INCIDENT_FIELDS`: no project chosen, or none of that id; a commitment not of that
    project; no title or impact; a time that is not one or is in the future; a step line
    that is not ``ACTION @ YYYY-MM-DD HH:MM`` or is due before the incident.
    """
    with uow() as work:
        portfolio = work.portfolio.get()
    errors: dict[str, str] = {}
    project, commitment = fields.project.strip(), fields.commitment.strip()
    if not project:
        errors["project"] = "choose the project it happened on"
    elif project not in {p.id for p in portfolio.projects}:
        errors["project"] = f"no project with id {project!r}"
    elif commitment and not any(
        c.id == commitment and c.project == project for c in portfolio.commitments
    ):
        errors["commitment"] = f"project {project!r} has no commitment {commitment!r}"
    if not fields.title.strip():
        errors["title"] = "say what went wrong, in a few words"
    if not fields.impact.strip():
        errors["impact"] = "say what it did to the client, in their terms"
    typed_at = fields.occurred_at.strip()
    occurred = parse_moment(typed_at) if typed_at else now
    if occurred is None:
        errors["occurred_at"] = f"{typed_at!r} is not YYYY-MM-DD HH:MM"
    elif occurred > now:
        errors["occurred_at"] = f"{occurred:%Y-%m-%d %H:%M} UTC is in the future"
    steps: list[tuple[str, datetime]] = []
    try:
        steps = _step_lines(fields.steps)
    except InvalidValue as wrong:
        errors["steps"] = wrong.message
    if errors or occurred is None:
        raise InvalidFields(errors)
    try:
        incident, _ = _record(
            uow,
            project,
            fields.title,
            fields.impact,
            fields.own_factors.splitlines(),
            steps,
            occurred,
            commitment or None,
            actor,
            now,
        )
    except InvalidValue as refused:
        raise InvalidFields(
            {_RECORD_FIELDS.get(refused.field or "", "occurred_at"): refused.message}
        ) from None
    except KeepwordError as refused:  # the portfolio changed since it was read
        raise InvalidFields({"project": str(refused)}) from None
    return incident


def _step_lines(text: str) -> list[tuple[str, datetime]]:
    """The steps typed one a line; :class:`InvalidValue` naming the first line at fault."""
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            steps.append(parse_step(line))
        except InvalidValue as error:
            utc = " (UTC)" if error.field == "action" else ""
            raise InvalidValue(f"line {number}: {error.message}{utc}", "steps") from None
    return steps


@requires(Action.RECORD_INCIDENTS)
def record_incident(
    uow: UnitOfWorkFactory,
    project: str,
    title: str,
    impact: str,
    own_factors: Sequence[str],
    steps: Sequence[tuple[str, datetime]],
    occurred_at: datetime | None = None,
    commitment: str | None = None,
    *,
    actor: Actor,
    now: datetime,
) -> IncidentView:
    """Record an incident with its recovery steps, the first contact added if missing (one
    with no time given happened ``now``); answered as shown at ``now``, with its
    first-contact state."""
    incident, portfolio = _record(
        uow, project, title, impact, own_factors, steps, occurred_at, commitment, actor, now
    )
    return incident_view(incident, portfolio, now)


def _record(
    uow: UnitOfWorkFactory,
    project: str,
    title: str,
    impact: str,
    own_factors: Sequence[str],
    steps: Sequence[tuple[str, datetime]],
    occurred_at: datetime | None,
    commitment: str | None,
    actor: Actor,
    now: datetime,
) -> tuple[Incident, Portfolio]:
    """The incident recorded, and the portfolio it was recorded against."""
    if occurred_at is None:
        occurred_at = now
    if occurred_at.tzinfo is None:
        raise InvalidValue("occurred_at must be timezone-aware (UTC)", "occurred_at")
    if occurred_at > now:
        raise InvalidValue(f"the incident is in the future ({occurred_at:%Y-%m-%d %H:%M})")
    if not title.strip():
        raise InvalidValue("an incident needs a title", "title")
    with uow(write=True) as work:
        portfolio = work.portfolio.get()
        found = portfolio.project(project)
        if commitment is not None and not any(
            c.id == commitment and c.project == found.id for c in portfolio.commitments
        ):
            raise NotFound(f"project {project!r} has no commitment {commitment!r}")
        recovery = [RecoveryStep(action.strip(), _aware(due)) for action, due in steps]
        if any(not step.action for step in recovery):
            raise InvalidValue("a recovery step needs its action", "steps")
        for step in recovery:
            if step.due < occurred_at:
                raise InvalidValue(
                    f"recovery step {step.action!r} is due {step.due:%Y-%m-%d %H:%M} UTC, "
                    f"before the incident itself ({occurred_at:%Y-%m-%d %H:%M} UTC)",
                    "steps",
                )
        deadline = first_contact_deadline(occurred_at, portfolio.client(found.client))
        if not any(is_first_contact(step, deadline) for step in recovery):
            recovery.insert(0, RecoveryStep(FIRST_CONTACT, deadline))
        incident = Incident(
            id=work.incidents.next_id(),
            project=found.id,
            title=title.strip(),
            occurred_at=occurred_at,
            impact=impact.strip(),
            own_factors=tuple(f.strip() for f in own_factors if f.strip()),
            steps=tuple(sorted(recovery, key=lambda s: s.due)),
            commitment=commitment,
            recorded_at=now,
            client=found.client,
        )
        work.incidents.save(incident)
        work.events.append(
            [Event(now, actor.name, "created", "incident", incident.id, None, snapshot(incident))]
        )
        work.commit()
    return incident, portfolio


@requires(Action.RECORD_INCIDENTS)
def step_done(
    uow: UnitOfWorkFactory, incident_id: str, number: int, *, actor: Actor, now: datetime
) -> IncidentView:
    """Mark recovery step ``number`` (1-based) of an incident done at ``now``; the incident
    answered as shown at ``now``, with its first-contact state."""
    with uow(write=True) as work:
        after = _step_done(work, incident_id, number, actor=actor, now=now)
        portfolio = work.portfolio.get()
        work.commit()
    return incident_view(after, portfolio, now)


def _step_done(
    work: UnitOfWork, incident_id: str, number: int, *, actor: Actor, now: datetime
) -> Incident:
    """Store the step done and its event; the caller commits."""
    before = work.incidents.get(incident_id)
    if before is None:
        raise NotFound(f"no incident with id {incident_id!r}")
    after = before.with_step_done(number, now)
    work.incidents.save(after)
    work.events.append(
        [
            Event(
                now,
                actor.name,
                "step_done",
                "incident",
                after.id,
                snapshot(before),
                snapshot(after),
            )
        ]
    )
    return after


def list_incidents(uow: UnitOfWorkFactory, project: str | None = None) -> list[Incident]:
    """Incidents, newest first, of one project or all; an unknown project is an error."""
    with uow() as work:
        return _incidents_of(work.incidents.all(), work.portfolio.get(), project)


def _incidents_of(
    incidents: Iterable[Incident], portfolio: Portfolio, project: str | None
) -> list[Incident]:
    if project is not None:
        portfolio.project(project)  # raises NotFound
    found = [i for i in incidents if project is None or i.project == project]
    return sorted(found, key=lambda i: i.occurred_at, reverse=True)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise InvalidValue("a step's due time must be timezone-aware (UTC)", "due")
    return moment
