"""A unit of work: one transaction that rolls back unless the service commits it."""

from __future__ import annotations

from types import TracebackType
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine

from keepword.adapters.database.accounts import (
    AuditLog,
    LoginFailures,
    SessionRepository,
    TokenRepository,
    UserRepository,
)
from keepword.adapters.database.records import (
    CommunicationRepository,
    ForecastCacheRepository,
    IncidentRepository,
    SignalRepository,
)
from keepword.adapters.database.repository import EventLog, PortfolioRepository, StoredPortfolio

# One per database (engine) in this process: the portfolio as stored at the latest version.
_STORED: WeakKeyDictionary[Engine, StoredPortfolio] = WeakKeyDictionary()


class SqlUnitOfWork:
    """``with SqlUnitOfWork(engine, write=True) as uow: ...; uow.commit()``.

    ``write`` takes SQLite's write lock at the start (``BEGIN IMMEDIATE``); readers leave it off.
    """

    portfolio: PortfolioRepository
    events: EventLog
    signals: SignalRepository
    communications: CommunicationRepository
    incidents: IncidentRepository
    forecasts: ForecastCacheRepository
    users: UserRepository
    sessions: SessionRepository
    tokens: TokenRepository
    login_failures: LoginFailures
    audit: AuditLog

    def __init__(self, engine: Engine, *, write: bool = False) -> None:
        self._engine = engine.execution_options(sqlite_write=write) if write else engine
        self._stored = _STORED.setdefault(engine, StoredPortfolio())
        self._connection: Connection | None = None

    def __enter__(self) -> SqlUnitOfWork:
        self._connection = self._engine.connect()
        self._connection.begin()
        self.portfolio = PortfolioRepository(self._connection, self._stored)
        self.events = EventLog(self._connection)
        self.signals = SignalRepository(self._connection)
        self.communications = CommunicationRepository(self._connection)
        self.incidents = IncidentRepository(self._connection)
        self.forecasts = ForecastCacheRepository(self._connection)
        self.users = UserRepository(self._connection)
        self.sessions = SessionRepository(self._connection)
        self.tokens = TokenRepository(self._connection)
        self.login_failures = LoginFailures(self._connection)
        self.audit = AuditLog(self._connection)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._connection is not None
        try:
            self._connection.rollback()
        finally:
            self._connection.close()
            self._connection = None

    def commit(self) -> None:
        assert self._connection is not None
        version = self.events.version() if self.portfolio.written else None
        self._connection.commit()
        if version is not None:
            self.portfolio.committed(version)
