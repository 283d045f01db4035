"""Engines for SQLite (the embedded default) and PostgreSQL, set up for durability."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

BUSY_TIMEOUT_SECONDS = 15
POOLED_CONNECTIONS = 20  # about the readers a busy web app serves at once


def normalise_url(url: str) -> URL:
    """A database URL with the driver Keepword uses: pysqlite for SQLite, psycopg 3 for PostgreSQL.

    A plain path (no ``://``) is taken as a SQLite file.
    """
    if "://" not in url:
        url = f"sqlite:///{Path(url).expanduser()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url``; nothing is created or migrated."""
    parsed = normalise_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_engine(
        parsed,
        pool_pre_ping=True,
        pool_size=POOLED_CONNECTIONS // 2,
        max_overflow=POOLED_CONNECTIONS,
    )


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # Connections are kept, not opened per request: opening one runs four PRAGMAs, and the
    # web app's readers each hold one for a moment (two per page: the session, the page).
    engine = create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_SECONDS},
        pool_size=POOLED_CONNECTIONS,
        max_overflow=POOLED_CONNECTIONS,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front, so two writers never deadlock upgrading a
        # read lock; readers stay deferred and run beside a writer under WAL.
        immediate = connection.get_execution_options().get("sqlite_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
