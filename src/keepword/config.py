"""One typed Settings object, built from the environment and the command line, never at import."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DATABASE_URL_VARIABLE = "KEEPWORD_DATABASE_URL"
ACTOR_VARIABLE = "KEEPWORD_ACTOR"


def data_dir() -> Path:
    """Where Keepword keeps its SQLite files by default (the user's data directory)."""
    return Path(platformdirs.user_data_dir("keepword", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """What Keepword needs to know to run.

    ``database_url``: a SQLAlchemy URL or a path to a SQLite file.
    ``actor``: who the events of this process are recorded as.
    """

    database_url: str
    actor: str


def load_settings(
    environ: Mapping[str, str] | None = None,
    *,
    database: str | None = None,
    default_database: str = "keepword.db",
) -> Settings:
    """Settings from ``--db`` (``database``), else ``$KEEPWORD_DATABASE_URL``, else the default."""
    env = os.environ if environ is None else environ
    url = database or env.get(DATABASE_URL_VARIABLE) or str(data_dir() / default_database)
    actor = env.get(ACTOR_VARIABLE) or _login_name()
    return Settings(database_url=url, actor=actor)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
