"""Fixtures shared by every layer: databases (SQLite and PostgreSQL), the demo, factories."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from keepword.adapters.database.engine import make_engine
from keepword.adapters.database.migrate import upgrade
from keepword.adapters.planfile import read_plan
from keepword.domain.portfolio import Portfolio

ROOT = Path(__file__).resolve().parent.parent
DEMO_PLAN = ROOT / "src" / "keepword" / "demo" / "demo.yaml"
POSTGRES_URL_VARIABLE = "KEEPWORD_TEST_POSTGRES_URL"
REQUIRE_POSTGRES_VARIABLE = "KEEPWORD_REQUIRE_POSTGRES"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"

_postgres_skip_reason: list[str] = []


@pytest.fixture(scope="session")
def demo_portfolio() -> Portfolio:
    return read_plan(DEMO_PLAN)


# --- PostgreSQL: one migrated template per run, a fresh copy per test ----------------------


def _admin_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE, DEFAULT_POSTGRES_URL)
    return make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine]:
    """An autocommit engine on the server's maintenance database, or a skip that says why."""
    url = _admin_url()
    engine = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        engine.dispose()
        where = make_url(url).render_as_string()
        reason = f"PostgreSQL not reachable at {where}: {error.__class__.__name__}"
        if os.environ.get(REQUIRE_POSTGRES_VARIABLE):
            pytest.fail(reason + f" (and {REQUIRE_POSTGRES_VARIABLE} is set)")
        _postgres_skip_reason.append(reason)
        pytest.skip(reason)
    yield engine
    engine.dispose()


@contextmanager
def fresh_database(
    admin: Engine, template: str | None = None, *, prefix: str = "keepword_test"
) -> Iterator[str]:
    """A new PostgreSQL database, empty or a copy of ``template``, dropped (connections and
    all) on leaving: its name."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{template}"' if template is not None else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: Engine) -> Iterator[str]:
    with fresh_database(postgres_admin, prefix="keepword_template") as name:
        engine = make_engine(make_url(_admin_url()).set(database=name))
        upgrade(engine)
        engine.dispose()
        yield name


@pytest.fixture
def postgres_url(postgres_admin: Engine, postgres_template: str) -> Iterator[str]:
    """The URL of a fresh, migrated PostgreSQL database for one test."""
    with fresh_database(postgres_admin, postgres_template) as name:
        yield make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The URL of a fresh, migrated SQLite file for one test."""
    url = f"sqlite:///{tmp_path / 'keepword.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database, once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def pytest_unconfigure(config: pytest.Config) -> None:
    # After pytest's own closing line, so that it is the last thing a person reads.
    terminalreporter = config.pluginmanager.get_plugin("terminalreporter")
    if _postgres_skip_reason and terminalreporter is not None:
        terminalreporter.write_line(
            f"PostgreSQL tests were SKIPPED: {_postgres_skip_reason[0]}. "
            f"Start PostgreSQL on 127.0.0.1:5432 (trust auth) or set {POSTGRES_URL_VARIABLE} "
            "to a server URL, then run 'make test' again.",
            yellow=True,
            bold=True,
        )
