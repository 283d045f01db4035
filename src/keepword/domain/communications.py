"""Communications to clients, and incidents with their recovery steps."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.headerregistry import Address

from keepword.domain.errors import InvalidTransition, InvalidValue

# How a moment is typed on the command line and in the forms, always in UTC.
MOMENT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


class CommunicationKind(enum.StrEnum):
    DELAY = "delay"
    RECOVERY = "recovery"
    STATUS = "status"
    PHASED_PLAN = "phased-plan"


@dataclass(frozen=True)
class Communication:
    """A message to a client: drafted, perhaps edited, then recorded as sent.

    ``answers`` names the signals it tells the client about; sending it discloses them.
    ``client`` is the organisation it is addressed to, fixed when it is drafted: the portal
    shows a client only what was addressed to it, whoever the project belongs to later.
    """

    id: str
    project: str
    kind: CommunicationKind
    subject: str
    body: str  # Markdown
    created_at: datetime
    commitment: str | None = None
    recipient: str | None = None
    author: str | None = None
    answers: tuple[str, ...] = ()
    incident: str | None = None
    sent_at: datetime | None = None
    client: str | None = None

    def __post_init__(self) -> None:
        if not self.subject.strip():
            raise InvalidValue("a message needs a subject", "subject")
        if not self.body.strip():
            raise InvalidValue("a message needs a body", "body")

    @property
    def sent(self) -> bool:
        return self.sent_at is not None

    def marked_sent(self, at: datetime, body: str | None = None) -> Communication:
        """This message recorded as sent at ``at``, with the body as finally sent."""
        if self.sent_at is not None:
            raise InvalidTransition(f"message {self.id} was already sent at {self.sent_at}")
        return replace(self, sent_at=at, body=self.body if body is None else body)


class StepStatus(enum.StrEnum):
    TODO = "todo"
    DONE = "done"


@dataclass(frozen=True)
class RecoveryStep:
    """One thing the team does to make it right, due by a time."""

    action: str
    due: datetime
    status: StepStatus = StepStatus.TODO
    done_at: datetime | None = None

    def __post_init__(self) -> None:
        if (self.status is StepStatus.DONE) != (self.done_at is not None):
            raise InvalidValue("a done step has its done time, and only a done step", "done_at")


@dataclass(frozen=True)
class Incident:
    """Something that went wrong in front of the client (W3), and how the team recovers.

    ``own_factors`` are the team's own contributing factors, never anyone else's.
    ``client`` is whose project it happened on, fixed when it is recorded.
    """

    id: str
    project: str
    title: str
    occurred_at: datetime
    impact: str
    own_factors: tuple[str, ...] = ()
    steps: tuple[RecoveryStep, ...] = ()
    commitment: str | None = None
    recorded_at: datetime | None = None
    client: str | None = None

    def __post_init__(self) -> None:
        if not self.impact.strip():
            raise InvalidValue("an incident needs its impact on the client", "impact")

    def with_step_done(self, number: int, at: datetime) -> Incident:
        """This incident with step ``number`` (1-based) done at ``at``."""
        if not 1 <= number <= len(self.steps):
            raise InvalidValue(f"incident {self.id} has no step {number}", "step")
        step = self.steps[number - 1]
        if step.status is StepStatus.DONE:
            raise InvalidTransition(f"step {number} of incident {self.id} is already done")
        steps = list(self.steps)
        steps[number - 1] = replace(step, status=StepStatus.DONE, done_at=at)
        return replace(self, steps=tuple(steps))


def addressed_to(record: Communication | Incident, client: str) -> bool:
    """Whether ``record`` is ``client``'s: a message addressed to it, an incident that
    happened while the project was its. One made without a client (before they were kept)
    is its project's client's."""
    return record.client is None or record.client == client


def address_in(text: str | None) -> Address | None:
    """The email address in ``Marcus Bell <marcus@example.com>`` or a bare address, if any."""
    # The email package is loaded here, by the commands that address mail, not by --help.
    from email.headerregistry import Address
    from email.utils import getaddresses

    if not text:
        return None
    for name, addr in getaddresses([text]):
        if "@" in addr:
            local, _, domain = addr.partition("@")
            return Address(display_name=name, username=local, domain=domain)
    return None


def person_address(name: str | None, email: str | None) -> Address | None:
    """``email`` with ``name`` as its display name; None without an address."""
    from email.headerregistry import Address

    found = address_in(email)
    if found is None:
        return None
    return Address(display_name=name or found.display_name, addr_spec=found.addr_spec)
