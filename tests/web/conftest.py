"""The web app over a real SQLite file holding the demo portfolio, as of the demo's Monday."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from keepword.adapters.planfile import read_plan
from keepword.bootstrap import Keepword, open_keepword
from keepword.config import Settings
from keepword.demo import DEMO_NOW
from keepword.domain.access import Role
from keepword.services import portfolio as portfolio_service
from keepword.services import watch
from keepword.web.app import create_app
from tests.conftest import DEMO_PLAN
from tests.factories import staff
from tests.web.accounts import BY_ROLE, add_test_users, log_in


def event_count(keepword: Keepword) -> int:
    """How many events are stored: what a refused edit must leave as it was."""
    with keepword.uow() as work:
        return work.events.count()


# The host TestClient (and schemathesis over ASGI) names in each request.
TEST_HOSTS = ("testserver",)


def _settings(path: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{path}",
        actor="web-test",
        fixed_now=DEMO_NOW,
        allowed_hosts=TEST_HOSTS,
    )


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo loaded and forecast once; each test works on its own copy."""
    path = tmp_path_factory.mktemp("web") / "demo.db"
    keepword = open_keepword(_settings(path), migrate=True)
    portfolio_service.load_portfolio(
        keepword.uow, read_plan(DEMO_PLAN), actor=staff("demo"), now=DEMO_NOW
    )
    watch.current_odds(keepword.uow, watch.watch_options(DEMO_NOW), now=DEMO_NOW)
    add_test_users(keepword)
    keepword.close()
    return path


@pytest.fixture
def demo_keepword(tmp_path: Path, demo_database: Path) -> Iterator[Keepword]:
    """A Keepword over a fresh copy of the demo database, its clock on the demo's Monday."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_database, path)
    keepword = open_keepword(_settings(path))
    yield keepword
    keepword.close()


@pytest.fixture
def web(demo_keepword: Keepword) -> Iterator[TestClient]:
    """A client of the web app over the demo, logged in as a delivery lead (beth); pages at
    ``/``, the API at ``/api/v1``."""
    with TestClient(create_app(demo_keepword)) as client:
        log_in(client, BY_ROLE[Role.DELIVERY_LEAD])
        yield client
