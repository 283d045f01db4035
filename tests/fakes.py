"""In-memory stand-ins for the storage ports: services tested on state, not on mocks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from types import TracebackType
from typing import Self

from keepword.domain.events import Event
from keepword.domain.portfolio import Portfolio


class FakeStore:
    """The committed state, shared by every fake unit of work made from one factory."""

    def __init__(self) -> None:
        self.portfolio = Portfolio()
        self.events: list[Event] = []
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

    def latest(self, limit: int = 50, entity: str | None = None) -> list[Event]:
        every = [*self._committed, *self.added][::-1]
        return [e for e in every if entity is None or e.entity == entity][:limit]


class FakeUnitOfWork:
    """Keeps its changes apart from the store until ``commit``, like a transaction."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self.portfolio = FakePortfolioRepository(store.portfolio)
        self.events = FakeEventLog(store.events)

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
        self._store.portfolio = self.portfolio.value
        start = len(self._store.events) + 1
        self._store.events += [replace(e, id=start + n) for n, e in enumerate(self.events.added)]
        self.events.added = []
        self._store.commits += 1


class FakeUnitOfWorkFactory:
    def __init__(self) -> None:
        self.store = FakeStore()

    def __call__(self, *, write: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)
