"""Run Alembic migrations from code: ``keepword init`` and ``keepword db upgrade``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from keepword.domain.errors import KeepwordError

MIGRATIONS = Path(__file__).parent / "migrations"


class DatabaseNotReady(KeepwordError):
    """The database has not been created, or is behind this version of Keepword."""


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config_without_engine()).get_current_head()
    assert head is not None
    return head


def _config_without_engine() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Migrate the database to the newest schema (or ``revision``); returns (revision before,
    revision after)."""
    before = current_revision(engine)
    command.upgrade(_config(engine), revision)
    return before, head_revision() if revision == "head" else revision


def ensure_current(engine: Engine) -> None:
    """Raise :class:`DatabaseNotReady` unless the schema is at this Keepword's newest revision."""
    revision = current_revision(engine)
    if revision is None:
        raise DatabaseNotReady(
            f"database {engine.url.render_as_string(hide_password=True)} has no Keepword tables; "
            "run 'keepword init' first"
        )
    if revision != head_revision():
        raise DatabaseNotReady(
            f"database is at schema revision {revision}, this Keepword needs {head_revision()}; "
            "run 'keepword db upgrade'"
        )
