"""What services need from storage; the database adapter and the test fakes both provide it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from keepword.domain.communications import Communication, Incident
from keepword.domain.events import Event
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import Signal

_Record = TypeVar("_Record")


class PortfolioStore(Protocol):
    def get(self) -> Portfolio: ...

    def replace(self, portfolio: Portfolio) -> None: ...


class EventStore(Protocol):
    def append(self, events: Iterable[Event]) -> int: ...

    def count(self) -> int: ...

    def version(self) -> str:
        """Changes whenever an event is appended: every change to the stored state is one."""
        ...

    def latest(self, limit: int = 50, entity: str | None = None) -> list[Event]: ...

    def about_project(self, project: str, limit: int | None = None) -> list[Event]:
        """The events about ``project`` (see ``domain.events.projects_of``), newest first."""
        ...


class RecordStore(Protocol[_Record]):
    """Records with an ``id`` (signals, communications, incidents), numbered as they come."""

    def all(self) -> list[_Record]: ...

    def get(self, record_id: str) -> _Record | None: ...

    def save(self, record: _Record) -> None: ...

    def next_id(self) -> str: ...


@dataclass(frozen=True)
class CachedOdds:
    """One commitment's cached forecast, valid while its project's inputs key is unchanged."""

    commitment: str
    project: str
    inputs_key: str
    on_time: float | None
    p50: date | None
    p85: date | None
    at_confidence: date | None
    health: str | None
    problem: str | None
    computed_at: datetime


class ForecastCache(Protocol):
    def all(self) -> dict[str, CachedOdds]: ...

    def replace_project(self, project: str, odds: Sequence[CachedOdds]) -> None: ...

    def drop_commitments(self, commitments: Sequence[str]) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: rolled back on leaving the ``with`` block unless committed."""

    @property
    def portfolio(self) -> PortfolioStore: ...

    @property
    def events(self) -> EventStore: ...

    @property
    def signals(self) -> RecordStore[Signal]: ...

    @property
    def communications(self) -> RecordStore[Communication]: ...

    @property
    def incidents(self) -> RecordStore[Incident]: ...

    @property
    def forecasts(self) -> ForecastCache: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = False) -> UnitOfWork: ...
