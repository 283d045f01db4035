"""Projects and their scope: phases, work items with estimates, completed-item history."""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from keepword.domain.errors import InvalidValue


@dataclass(frozen=True)
class Client:
    """The customer organisation a project is for.

    ``time_zone`` (an IANA name such as ``Europe/London``) is the clock the client reads:
    call times and deadlines in what they are sent are written in it, and an incident's
    first contact is due at 09:00 of it. ``first_contact_weekends``: whether that first
    contact is due on a Saturday or Sunday morning too (the playbook says call first thing
    the next morning, even on a weekend); False moves it to Monday.
    """

    id: str
    name: str
    contact: str | None = None
    time_zone: str = "UTC"
    first_contact_weekends: bool = True

    def __post_init__(self) -> None:
        check_time_zone(self.time_zone)


@dataclass(frozen=True)
class Estimate:
    """Three-point effort in ideal person-days: 0 < optimistic ≤ likely ≤ pessimistic."""

    optimistic: float
    likely: float
    pessimistic: float

    def __post_init__(self) -> None:
        if self.optimistic <= 0:
            raise InvalidValue(f"optimistic ({self.optimistic:g}) must be above 0", "optimistic")
        if self.likely < self.optimistic:
            raise InvalidValue(
                f"likely ({self.likely:g}) is below optimistic ({self.optimistic:g})", "likely"
            )
        if self.pessimistic < self.likely:
            raise InvalidValue(
                f"pessimistic ({self.pessimistic:g}) is below likely ({self.likely:g})",
                "pessimistic",
            )

    @property
    def pert_mean(self) -> float:
        """Mean of the beta-PERT (λ = 4) distribution on these three points."""
        return (self.optimistic + 4 * self.likely + self.pessimistic) / 6


class ItemStatus(enum.StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"


@dataclass(frozen=True)
class WorkItem:
    """A unit of scope. Without an estimate it is counted by throughput.

    ``added`` is the day it joined the scope (None: it was there from the start), so that
    scope growth after a commitment can be told from the scope that was promised.
    """

    id: str
    title: str
    phase: str | None = None
    skill: str | None = None
    estimate: Estimate | None = None
    depends_on: tuple[str, ...] = ()
    status: ItemStatus = ItemStatus.TODO
    started: date | None = None
    done: date | None = None
    added: date | None = None

    def __post_init__(self) -> None:
        if self.status is ItemStatus.DONE and self.done is None:
            raise InvalidValue("a done item needs its done date", "done")
        if self.done is not None and self.status is not ItemStatus.DONE:
            raise InvalidValue(f"has a done date but its status is {self.status.value}", "status")
        if self.status is ItemStatus.TODO and self.started is not None:
            raise InvalidValue("has a started date but its status is todo", "started")
        if self.status is ItemStatus.IN_PROGRESS and self.started is None:
            raise InvalidValue("an item in progress needs its started date", "started")
        if self.started and self.done and self.done < self.started:
            raise InvalidValue(f"done ({self.done}) is before started ({self.started})", "done")
        if self.id in self.depends_on:
            raise InvalidValue("an item cannot depend on itself", "depends_on")


@dataclass(frozen=True)
class Phase:
    """An ordered slice of a project's scope."""

    id: str
    name: str


def check_time_zone(name: str) -> ZoneInfo:
    """The time zone of IANA name ``name``, or :class:`InvalidValue` on ``time_zone``."""
    try:
        if name in _NOT_ZONES:
            raise ValueError(name)
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # unknown, a path, a directory, a name too long
        raise InvalidValue(
            f"unknown time zone {name!r}: use an IANA name such as Europe/London", "time_zone"
        ) from None


# Files of the zone database that are not zones a client lives in.
_NOT_ZONES = frozenset({"", "localtime", "posixrules", "Factory"})


# A client's clock may run ahead of ours by a time zone or so; a day more is a typo.
CLOCK_SKEW = timedelta(days=1)


def check_happened(day: date, today: date, what: str, field: str | None = None) -> None:
    """Refuse a date something already happened on (started, done) that is after today,
    a day of clock skew aside."""
    if day > today + CLOCK_SKEW:
        raise InvalidValue(f"{what} {day} is in the future (today is {today})", field)


@dataclass(frozen=True)
class CompletedItem:
    """An item finished in the past: the evidence behind throughput forecasts.

    ``estimate`` and ``actual`` (person-days) feed the team's actual/estimate ratios.
    """

    id: str
    done: date
    started: date | None = None
    kind: str | None = None
    estimate: float | None = None
    actual: float | None = None

    def __post_init__(self) -> None:
        if self.started and self.done < self.started:
            raise InvalidValue(f"done ({self.done}) is before started ({self.started})", "done")
        for name in ("estimate", "actual"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise InvalidValue(f"{name} ({value:g}) must be above 0", name)


@dataclass(frozen=True)
class Dependency:
    """Something outside the team that the project rests on: a platform, an API, a vendor.

    ``unstable`` marks one that has been failing or changing under the team.
    """

    id: str
    name: str
    unstable: bool = False
    note: str = ""


@dataclass(frozen=True)
class Project:
    """An engagement for one client: its phases in order, its items in priority order.

    ``disclosure_target`` is the team's own limit, in working days, between a risk being
    detected and the client being told (None: the default of one working day).
    """

    id: str
    client: str
    name: str
    start: date
    lead: str | None = None
    phases: tuple[Phase, ...] = ()
    items: tuple[WorkItem, ...] = ()
    history: tuple[CompletedItem, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    disclosure_target: int | None = None

    def __post_init__(self) -> None:
        if self.disclosure_target is not None and self.disclosure_target <= 0:
            raise InvalidValue(
                f"disclosure_target ({self.disclosure_target}) must be at least 1 working day",
                "disclosure_target",
            )

    def item(self, item_id: str) -> WorkItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def remaining_items(self) -> tuple[WorkItem, ...]:
        return tuple(i for i in self.items if i.status is not ItemStatus.DONE)


_WHITE, _GREY, _BLACK = 0, 1, 2  # not yet visited, on the current path, finished


def find_cycle(graph: Mapping[str, Sequence[str]]) -> list[str] | None:
    """A dependency cycle in ``graph`` (node → nodes it depends on) as ``[a, b, …, a]``, or None.

    Edges to nodes outside the graph are ignored.
    """
    colour = dict.fromkeys(graph, _WHITE)
    for root in graph:
        if colour[root] != _WHITE:
            continue
        # Iterative depth-first search so that long chains cannot overflow the stack.
        path: list[str] = [root]
        stack: list[Iterator[str]] = [iter(graph[root])]
        colour[root] = _GREY
        while stack:
            child = next(stack[-1], None)
            if child is None:
                stack.pop()
                colour[path.pop()] = _BLACK
            elif child in colour and colour[child] == _GREY:
                return [*path[path.index(child) :], child]
            elif child in colour and colour[child] == _WHITE:
                colour[child] = _GREY
                path.append(child)
                stack.append(iter(graph[child]))
    return None
