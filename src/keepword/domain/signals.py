"""Risk signals on commitments, and the disclosure clock: how long the client has gone untold."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from keepword.domain.calendar import WorkingCalendar
from keepword.domain.errors import InvalidValue

DEFAULT_DISCLOSURE_TARGET = 1  # working days between detection and telling the client
DEFAULT_STALL_DAYS = 5  # working days without recorded progress before it is a signal


class SignalKind(enum.StrEnum):
    BELOW_TARGET = "below_target"  # P(on time) fell below the commitment's confidence target
    HEALTH_WORSENED = "health_worsened"  # at risk became off track
    CAPACITY_REMOVED = "capacity_removed"  # person-days taken off a committed project
    SCOPE_GREW = "scope_grew"  # more work in the commitment's scope than when it was made
    WARNING_SIGNS = "warning_signs"  # fixed date + growing scope + unstable dependency
    NO_PROGRESS = "no_progress"  # nothing started or done for a while on a committed project


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


Evidence = Mapping[str, str | int | float]


@dataclass(frozen=True)
class Signal:
    """A detected risk to one commitment, with its evidence in numbers and who owns it.

    It is disclosed when a communication that answers it is recorded as sent to the client;
    ``escalated_at`` is when its clock ran out undisclosed and it was escalated.
    """

    id: str
    kind: SignalKind
    commitment: str
    project: str
    detected_at: datetime
    severity: Severity
    summary: str  # what happened, in plain words
    evidence: Evidence
    owner: str | None = None
    disclosed_at: datetime | None = None
    communication: str | None = None
    escalated_at: datetime | None = None
    key: str = ""  # tells this occurrence from another of the same kind (see domain.risk)
    updated_at: datetime | None = None  # when its evidence last changed after detection

    def __post_init__(self) -> None:
        if self.detected_at.tzinfo is None:
            raise InvalidValue("detected_at must be timezone-aware (UTC)", "detected_at")
        if self.disclosed_at is not None and self.disclosed_at < self.detected_at:
            raise InvalidValue("disclosed before it was detected", "disclosed_at")

    @property
    def disclosed(self) -> bool:
        return self.disclosed_at is not None

    def disclosed_by(self, communication: str, at: datetime) -> Signal:
        """This signal, answered by ``communication`` sent at ``at``; its clock stops."""
        return replace(self, disclosed_at=max(at, self.detected_at), communication=communication)


@dataclass(frozen=True)
class DisclosureClock:
    """Where a signal stands against its disclosure target."""

    deadline: datetime
    elapsed: timedelta  # from detection to disclosure, or to now while undisclosed
    overdue: bool  # undisclosed past the deadline, or disclosed after it

    @property
    def latency_hours(self) -> float:
        return self.elapsed.total_seconds() / 3600


def add_working_days(start: datetime, days: int, calendar: WorkingCalendar) -> datetime:
    """The same time of day ``days`` working days after ``start``; a start on a day off
    counts from the beginning of the next working day."""
    if days < 1:
        raise InvalidValue(f"a disclosure target is at least 1 working day, not {days}")
    moment = start
    if not calendar.is_working_day(moment.date()):
        moment = moment.replace(hour=0, minute=0, second=0, microsecond=0)
        while not calendar.is_working_day(moment.date()):
            moment += timedelta(days=1)
    counted = 0
    while counted < days:
        moment += timedelta(days=1)
        if calendar.is_working_day(moment.date()):
            counted += 1
    return moment


def disclosure_clock(
    signal: Signal, now: datetime, target_days: int, calendar: WorkingCalendar
) -> DisclosureClock:
    """The signal's deadline (``target_days`` working days after detection) and its clock."""
    deadline = add_working_days(signal.detected_at, target_days, calendar)
    end = signal.disclosed_at or now
    elapsed = max(end - signal.detected_at, timedelta(0))
    return DisclosureClock(deadline, elapsed, end > deadline)
