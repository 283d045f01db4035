"""When the lead can call the client: times on the lead's working days, on the client's
clock, and a first time by an incident's first-contact deadline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from keepword.domain.calendar import WorkingCalendar

# Proposed call times: (working days after today, minus one; time of day on the client's
# clock, within office hours there).
CALL_SLOTS = ((0, time(10, 0)), (0, time(15, 0)), (1, time(11, 0)))
# While an incident's first contact is open, a call is offered by its deadline (09:00 the
# next morning) at one of these: first thing, else later that day if the deadline allows.
FIRST_CONTACT_TIMES = (time(9, 0), time(10, 0), time(15, 0))


@dataclass(frozen=True)
class CallSlot:
    """A proposed time for the call, on one of the lead's working days, at a time of day on
    the client's clock (``zone``, an IANA name)."""

    day: date
    at: time
    zone: str = "UTC"

    @property
    def moment(self) -> datetime:
        """The slot as an aware time on the client's clock."""
        return datetime.combine(self.day, self.at, tzinfo=ZoneInfo(self.zone))


def call_slots(calendar: WorkingCalendar, today: date, zone: str = "UTC") -> tuple[CallSlot, ...]:
    """Two or three times for a call on the next working days after ``today``."""
    days: list[date] = []
    day = today
    while len(days) < max(n for n, _ in CALL_SLOTS) + 1:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            days.append(day)
    return tuple(CallSlot(days[n], at, zone) for n, at in CALL_SLOTS)


def first_slot_by(
    slots: tuple[CallSlot, ...], deadline: datetime, today: date, now: datetime | None = None
) -> tuple[CallSlot, ...]:
    """``slots`` with a first one by ``deadline`` when none is: the earliest of
    ``FIRST_CONTACT_TIMES`` (on the slots' clock) from ``today`` on that is after ``now``
    (the incident's next morning, when the message is written the evening before).
    Unchanged when the first slot already is by the deadline, or when no time before it is
    left."""
    if not slots or slots[0].moment <= deadline:
        return slots
    zone = slots[0].zone
    earliest = now if now is not None else datetime.combine(today, time(0, 0), tzinfo=UTC)
    day = today
    while day <= deadline.astimezone(ZoneInfo(zone)).date():
        for at in FIRST_CONTACT_TIMES:
            slot = CallSlot(day, at, zone)
            if earliest < slot.moment <= deadline:
                return (slot, *slots[: len(CALL_SLOTS) - 1])
        day += timedelta(days=1)
    return slots
