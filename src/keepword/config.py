"""One typed Settings object, built from the environment and the command line, never at import."""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from keepword.domain.errors import KeepwordError

DATABASE_URL_VARIABLE = "KEEPWORD_DATABASE_URL"
ACTOR_VARIABLE = "KEEPWORD_ACTOR"
USER_VARIABLE = "KEEPWORD_USER"  # the stored user the CLI acts as (default: the operator)
NOW_VARIABLE = "KEEPWORD_NOW"
TEMPLATES_VARIABLE = "KEEPWORD_TEMPLATES"  # the team's own draft templates (drafts.render)
ALLOWED_HOSTS_VARIABLE = "KEEPWORD_ALLOWED_HOSTS"  # names the web app answers to, commas between
TRUSTED_PROXIES_VARIABLE = "KEEPWORD_TRUSTED_PROXIES"  # addresses whose X-Forwarded-For counts
APPROVAL_BELOW_VARIABLE = "KEEPWORD_APPROVAL_BELOW"  # odds under which an executive commits
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def data_dir() -> Path:
    """Where Keepword keeps its SQLite files by default (the user's data directory)."""
    return Path(platformdirs.user_data_dir("keepword", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """What Keepword needs to know to run.

    ``database_url``: a SQLAlchemy URL or a path to a SQLite file.
    ``actor``: who the events of this process are recorded as.
    ``fixed_now``: the clock, when it is set (``$KEEPWORD_NOW``) to replay a day.
    ``user``: the stored user the CLI acts as, with that user's role (``$KEEPWORD_USER``);
    without it the CLI acts as the operator of the database, an admin.
    ``allowed_hosts``: the host names the web app answers to (``$KEEPWORD_ALLOWED_HOSTS``);
    a request naming another Host is refused, so no page or redirect is built from it.
    ``trusted_proxies``: the addresses of reverse proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed (``$KEEPWORD_TRUSTED_PROXIES``); none by default,
    since the caller's address feeds the login limits and the audit trail.
    ``approval_below``: odds under which only an executive (or an admin) may commit a
    promise (``$KEEPWORD_APPROVAL_BELOW``, such as 0.5); unset, anyone who may commit may.
    """

    database_url: str
    actor: str
    fixed_now: datetime | None = None
    user: str | None = None
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    trusted_proxies: tuple[str, ...] = ()
    approval_below: float | None = None

    def hosts_when_serving_on(self, address: str) -> tuple[str, ...]:
        """The allowed hosts, with ``address`` the server listens on when it is one
        address (not every one: 0.0.0.0 or ::)."""
        if address in ("0.0.0.0", "::", "") or address in self.allowed_hosts:
            return self.allowed_hosts
        return (*self.allowed_hosts, address)

    def now(self) -> datetime:
        """The current time in UTC, or the fixed one."""
        return self.fixed_now or datetime.now(UTC)


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
    user = env.get(USER_VARIABLE) or None
    return Settings(
        database_url=url,
        actor=user or actor,
        fixed_now=fixed_clock(env),
        user=user,
        allowed_hosts=_names(env.get(ALLOWED_HOSTS_VARIABLE)) or LOCAL_HOSTS,
        trusted_proxies=_names(env.get(TRUSTED_PROXIES_VARIABLE)),
        approval_below=_odds(env, APPROVAL_BELOW_VARIABLE),
    )


def _odds(env: Mapping[str, str], name: str) -> float | None:
    """A setting that is a probability strictly between 0 and 1, or None when unset."""
    text = env.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise KeepwordError(f"{name}={text!r} is not odds between 0 and 1, such as 0.5")
    return value


def _names(listed: str | None) -> tuple[str, ...]:
    """``"a.example, b.example"`` → ``("a.example", "b.example")``; unset or empty: ()."""
    return tuple(name.strip() for name in (listed or "").split(",") if name.strip())


def fixed_clock(environ: Mapping[str, str] | None = None) -> datetime | None:
    """``$KEEPWORD_NOW`` (ISO 8601; UTC unless it says otherwise), or None when unset."""
    env = os.environ if environ is None else environ
    fixed = env.get(NOW_VARIABLE)
    if not fixed:
        return None
    try:
        moment = datetime.fromisoformat(fixed)
    except ValueError:
        raise KeepwordError(
            f"{NOW_VARIABLE}={fixed!r} is not a date and time such as 2026-11-23T09:00:00Z"
        ) from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
