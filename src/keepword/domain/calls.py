"""When the lead can call the client: times on the lead's working days, and a first time by
an incident's first-contact deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from keepword.domain.calendar import WorkingCalendar

# Proposed call times: (working days after today, minus one; time of day in the lead's day).
CALL_SLOTS = ((0, time(10, 0)), (0, time(15, 0)), (1, time(11, 0)))
# While an incident's first contact is open, a call is offered by its deadline at one of these.
FIRST_CONTACT_TIMES = (time(10, 0), time(15, 0))


@dataclass(frozen=True)
class CallSlot:
    """A proposed time for the call, on one of the lead's working days (the lead's clock)."""

    day: date
    at: time


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
    if not slots or _moment(slots[0]) <= deadline:
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


def _moment(slot: CallSlot) -> datetime:
    return datetime.combine(slot.day, slot.at, tzinfo=UTC)
