"""Run Alembic migrations from code (``keepword init``, ``keepword db upgrade``), and check a
database's schema before any other command works on it.

The check reads the ``alembic_version`` table and compares it with :data:`HEAD_REVISION`,
without importing Alembic or parsing the migration scripts: every command runs it, so it
must cost one query. A test keeps :data:`HEAD_REVISION` equal to the scripts' head.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from keepword.domain.errors import KeepwordError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
HEAD_REVISION = "0007"  # the newest script in migrations/versions
VERSION_TABLE = "alembic_version"


class DatabaseNotReady(KeepwordError):
    """The database has not been created, or is behind this version of Keepword."""


def _config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The head of the migration scripts, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The schema revision stored in the database; None before ``keepword init``."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        found = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return None if found is None else str(found)


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Migrate the database to the newest schema (or ``revision``); returns (revision before,
    revision after)."""
    from alembic import command

    before = current_revision(engine)
    command.upgrade(_config(engine), revision)
    return before, HEAD_REVISION if revision == "head" else revision


def ensure_current(engine: Engine) -> None:
    """Raise :class:`DatabaseNotReady` unless the schema is at this Keepword's newest revision."""
    revision = current_revision(engine)
    if revision is None:
        raise DatabaseNotReady(
            f"database {engine.url.render_as_string(hide_password=True)} has no Keepword tables; "
            "run 'keepword init' first"
        )
    if revision != HEAD_REVISION:
        raise DatabaseNotReady(
            f"database is at schema revision {revision}, this Keepword needs {HEAD_REVISION}; "
            "run 'keepword db upgrade'"
        )
