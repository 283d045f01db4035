"""Skills, people and their allocations to projects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from keepword.domain.calendar import DateRange, WorkingCalendar
from keepword.domain.errors import InvalidValue


@dataclass(frozen=True)
class Skill:
    """A kind of work a person can do and an item can need (``backend``, ``design``)."""

    id: str
    name: str


@dataclass(frozen=True)
class Person:
    """Someone who does the work."""

    id: str
    name: str
    skills: tuple[str, ...] = ()
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)
    email: str | None = None

    def has_skill(self, skill: str) -> bool:
        return skill in self.skills


@dataclass(frozen=True)
class Allocation:
    """A share of a person's working time given to one project over a range of days.

    ``over_allocation`` marks a deliberate overbooking, which the portfolio then tolerates.
    """

    person: str
    project: str
    fraction: float
    start: date
    end: date
    over_allocation: bool = False

    def __post_init__(self) -> None:
        if not 0 < self.fraction <= 1:
            raise InvalidValue(
                f"fraction must be above 0 and at most 1, not {self.fraction}", "fraction"
            )
        DateRange(self.start, self.end)

    @property
    def period(self) -> DateRange:
        return DateRange(self.start, self.end)


@dataclass(frozen=True)
class OverAllocation:
    """A day on which one person's allocations add up to more than a whole person."""

    person: str
    day: date
    total: float
    allocations: tuple[int, ...]  # indices into the allocation list given


def find_over_allocations(allocations: Iterable[Allocation]) -> list[OverAllocation]:
    """Days where a person is allocated above 1.0, ignoring allocations marked deliberate.

    Reports the first such day per group of overlapping allocations, not every day.
    """
    by_person: dict[str, list[tuple[int, Allocation]]] = defaultdict(list)
    for index, allocation in enumerate(allocations):
        if not allocation.over_allocation:
            by_person[allocation.person].append((index, allocation))
    found: list[OverAllocation] = []
    for person, entries in by_person.items():
        reported: set[frozenset[int]] = set()
        # The total only changes where some allocation starts, so checking start days suffices.
        for day in sorted({a.start for _, a in entries}):
            active = [(i, a) for i, a in entries if a.start <= day <= a.end]
            total = sum(a.fraction for _, a in active)
            key = frozenset(i for i, _ in active)
            if total > 1 + 1e-9 and key not in reported:
                reported.add(key)
                found.append(OverAllocation(person, day, round(total, 6), tuple(sorted(key))))
    return found
