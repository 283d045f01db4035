"""In-memory stand-ins for the storage ports: services tested on state, not on mocks."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from keepword.domain.communications import Communication, Incident
from keepword.domain.events import Event, projects_of
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import Signal
from keepword.services.ports import CachedOdds

Record = TypeVar("Record", Signal, Communication, Incident)


class FakeStore:
    """The committed state, shared by every fake unit of work made from one factory."""

    def __init__(self) -> None:
        self.portfolio = Portfolio()
        self.events: list[Event] = []
        self.signals: dict[str, Signal] = {}
        self.communications: dict[str, Communication] = {}
        self.incidents: dict[str, Incident] = {}
        self.forecasts: dict[str, CachedOdds] = {}
        self.commits = 0


class FakePortfolioRepository:
    def __init__(self, portfolio: Portfolio) -> None:
        self.value = portfolio

    def get(self) -> Portfolio:
        return self.value

    def replace(self, portfolio: Portfolio) -> None:
        self.value = portfolio


class FakeEventLog:
    def __init__(self, events: list[Event]) -> None:
        self.added: list[Event] = []
        self._committed = events

    def append(self, events: Iterable[Event]) -> int:
        new = list(events)
        self.added += new
        return len(new)

    def count(self) -> int:
        return len(self._committed) + len(self.added)

    def version(self) -> str:
        return str(self.count())

    def about_project(
        self, project: str, limit: int | None = None, excluding: Collection[str] = ()
    ) -> list[Event]:
        every = [e for e in [*self._committed, *self.added][::-1] if project in projects_of(e)]
        return [e for e in every if e.entity not in excluding][:limit]

    def latest(
        self, limit: int = 50, entity: str | None = None, excluding: Collection[str] = ()
    ) -> list[Event]:
        every = [*self._committed, *self.added][::-1]
        wanted = [e for e in every if entity is None or e.entity == entity]
        return [e for e in wanted if e.entity not in excluding][:limit]


class FakeRecords(Generic[Record]):
    """Records by id; a copy of the committed ones, written back on commit."""

    def __init__(self, committed: dict[str, Record], prefix: str) -> None:
        self.value: dict[str, Record] = dict(committed)
        self._prefix = prefix

    def all(self) -> list[Record]:
        return sorted(self.value.values(), key=lambda r: int(r.id.split("-")[-1]))

    def get(self, record_id: str) -> Record | None:
        return self.value.get(record_id)

    def save(self, record: Record) -> None:
        self.value[record.id] = record

    def next_id(self) -> str:
        numbers = [int(key.removeprefix(self._prefix)) for key in self.value]
        return f"{self._prefix}{max(numbers, default=0) + 1}"


class FakeForecastCache:
    def __init__(self, committed: dict[str, CachedOdds]) -> None:
        self.value = dict(committed)

    def all(self) -> dict[str, CachedOdds]:
        return dict(self.value)

    def replace_project(self, project: str, odds: Sequence[CachedOdds]) -> None:
        self.value = {k: v for k, v in self.value.items() if v.project != project}
        self.value.update({o.commitment: o for o in odds})

    def drop_commitments(self, commitments: Sequence[str]) -> None:
        for commitment in commitments:
            self.value.pop(commitment, None)


class FakeUnitOfWork:
    """Keeps its changes apart from the store until ``commit``, like a transaction."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.portfolio = FakePortfolioRepository(store.portfolio)
        self.events = FakeEventLog(store.events)
        self.signals = FakeRecords(store.signals, "S-")
        self.communications = FakeRecords(store.communications, "M-")
        self.incidents = FakeRecords(store.incidents, "I-")
        self.forecasts = FakeForecastCache(store.forecasts)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        pass

    def commit(self) -> None:
        store: Any = self._store
        store.portfolio = self.portfolio.value
        start = len(store.events) + 1
        store.events += [replace(e, id=start + n) for n, e in enumerate(self.events.added)]
        self.events.added = []
        store.signals = dict(self.signals.value)
        store.communications = dict(self.communications.value)
        store.incidents = dict(self.incidents.value)
        store.forecasts = dict(self.forecasts.value)
        store.commits += 1


class FakeUnitOfWorkFactory:
    def __init__(self) -> None:
        self.store = FakeStore()

    def __call__(self, *, write: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)
