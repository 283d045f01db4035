"""What services need from storage; the database adapter and the test fakes both provide it."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Protocol, Self

from keepword.domain.events import Event
from keepword.domain.portfolio import Portfolio


class PortfolioStore(Protocol):
    def get(self) -> Portfolio: ...

    def replace(self, portfolio: Portfolio) -> None: ...


class EventStore(Protocol):
    def append(self, events: Iterable[Event]) -> int: ...

    def count(self) -> int: ...

    def latest(self, limit: int = 50, entity: str | None = None) -> list[Event]: ...


class UnitOfWork(Protocol):
    """One transaction: rolled back on leaving the ``with`` block unless committed."""

    @property
    def portfolio(self) -> PortfolioStore: ...

    @property
    def events(self) -> EventStore: ...

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
