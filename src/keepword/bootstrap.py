"""Wire the adapters to the services: one place that turns Settings into working parts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from keepword.adapters.database.engine import make_engine, normalise_url
from keepword.adapters.database.migrate import DatabaseNotReady, ensure_current, upgrade
from keepword.adapters.database.unit_of_work import SqlUnitOfWork
from keepword.config import Settings


@dataclass(frozen=True)
class Keepword:
    """The running application: settings, the engine, and units of work on it."""

    settings: Settings
    engine: Engine

    def uow(self, *, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, write=write)

    def close(self) -> None:
        self.engine.dispose()


def open_keepword(settings: Settings, *, migrate: bool = False) -> Keepword:
    """Connect to the configured database; with ``migrate`` bring its schema up to date first.

    Without ``migrate`` a database that is missing or behind raises ``DatabaseNotReady``.
    """
    url = normalise_url(settings.database_url)
    file = url.database if url.get_backend_name() == "sqlite" else None
    if not migrate and file and file != ":memory:" and not Path(file).exists():
        # Connecting would create an empty file; say what to do instead.
        raise DatabaseNotReady(f"no database at {file}; run 'keepword init' first")
    engine = make_engine(url)
    if migrate:
        upgrade(engine)
    else:
        ensure_current(engine)
    return Keepword(settings, engine)
