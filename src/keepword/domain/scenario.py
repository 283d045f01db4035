"""Scenarios: named allocation and scope changes, tried before (or instead of) being applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from keepword.domain.calendar import DateRange
from keepword.domain.errors import InvalidValue
from keepword.domain.project import WorkItem


@dataclass(frozen=True)
class Reallocation:
    """Move a person's time from one project to another (or out of the portfolio) for a while.

    ``fraction`` None moves all of the person's allocation to ``from_project`` in the range;
    ``to_project`` None means the time goes to work Keepword does not plan (the core platform,
    say).
    """

    person: str
    from_project: str
    start: date
    end: date
    to_project: str | None = None
    fraction: float | None = None

    def __post_init__(self) -> None:
        DateRange(self.start, self.end)
        if self.fraction is not None and not 0 < self.fraction <= 1:
            raise InvalidValue(
                f"fraction must be above 0 and at most 1, not {self.fraction}", "fraction"
            )
        if self.to_project == self.from_project:
            raise InvalidValue("to_project is the same as from_project", "to_project")


@dataclass(frozen=True)
class ScopeAddition:
    """Add a work item to a project, last in priority order."""

    project: str
    item: WorkItem


@dataclass(frozen=True)
class ScopeRemoval:
    """Take a work item out of a project's scope."""

    project: str
    item: str


ScenarioChange = Reallocation | ScopeAddition | ScopeRemoval


@dataclass(frozen=True)
class Scenario:
    """A named set of changes not yet applied."""

    id: str
    name: str
    description: str = ""
    changes: tuple[ScenarioChange, ...] = ()
