"""What services need from storage; the database adapter and the test fakes both provide it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from keepword.domain.accounts import AccessToken, AuditEvent, AuditKind, Session, User
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

    def latest(
        self, limit: int = 50, entity: str | None = None, excluding: Collection[str] = ()
    ) -> list[Event]:
        """The newest events (of ``entity`` only, if given; none of the kinds ``excluding``
        names), newest first."""
        ...

    def about_project(
        self, project: str, limit: int | None = None, excluding: Collection[str] = ()
    ) -> list[Event]:
        """The events about ``project`` (see ``domain.events.projects_of``) but of the
        kinds ``excluding`` names, newest first."""
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


class UserStore(Protocol):
    def all(self) -> list[User]: ...

    def get(self, name: str) -> User | None: ...

    def save(self, user: User) -> None: ...


class SessionStore(Protocol):
    def get(self, id_hash: str) -> Session | None: ...

    def add(self, session: Session) -> None: ...

    def touch(self, id_hash: str, now: datetime) -> None: ...

    def end(self, id_hash: str, now: datetime) -> None: ...

    def end_all_of(self, user: str, now: datetime) -> int: ...


class TokenStore(Protocol):
    def of_user(self, user: str) -> list[AccessToken]: ...

    def get(self, token_id: str) -> AccessToken | None: ...

    def by_hash(self, token_hash: str) -> AccessToken | None: ...

    def add(self, token: AccessToken) -> None: ...

    def used(self, token_id: str, now: datetime) -> None: ...

    def revoke(self, token_id: str, now: datetime) -> None: ...


class LoginFailureStore(Protocol):
    def add(self, account: str, address: str, now: datetime) -> None: ...

    def count_since(self, since: datetime, *, account: str, address: str) -> tuple[int, int]: ...

    def forget_before(self, moment: datetime) -> None: ...


class AuditStore(Protocol):
    def append(self, event: AuditEvent) -> None: ...

    def latest(self, limit: int = 100, kind: AuditKind | None = None) -> list[AuditEvent]: ...

    def count(self) -> int: ...


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


class AccountsUnitOfWork(UnitOfWork, Protocol):
    """A unit of work that also holds the accounts: users, sessions, tokens, the audit."""

    @property
    def users(self) -> UserStore: ...

    @property
    def sessions(self) -> SessionStore: ...

    @property
    def tokens(self) -> TokenStore: ...

    @property
    def login_failures(self) -> LoginFailureStore: ...

    @property
    def audit(self) -> AuditStore: ...


class AccountsUnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = False) -> AccountsUnitOfWork: ...
