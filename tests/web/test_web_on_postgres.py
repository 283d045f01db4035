"""The web app over a real PostgreSQL server, as a team runs it: the pages and the API write
and read back the same as over SQLite, and the dashboard follows every change."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url

from keepword.adapters.planfile import read_plan
from keepword.bootstrap import open_keepword
from keepword.config import Settings
from keepword.demo import DEMO_NOW
from keepword.services import portfolio as portfolio_service
from keepword.services import watch
from keepword.web.app import create_app
from tests.conftest import DEMO_PLAN, _admin_url, fresh_database
from tests.factories import staff
from tests.web.accounts import add_test_users, log_in
from tests.web.conftest import TEST_HOSTS
from tests.web.html import get_page, one, soup

pytestmark = pytest.mark.postgres


def _url(name: str) -> str:
    return make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)


def _settings(name: str) -> Settings:
    return Settings(
        database_url=_url(name), actor="web-test", fixed_now=DEMO_NOW, allowed_hosts=TEST_HOSTS
    )


@pytest.fixture(scope="module")
def demo_template(postgres_admin: Engine, postgres_template: str) -> Iterator[str]:
    """A PostgreSQL database holding the demo, loaded and forecast once, to copy per test."""
    with fresh_database(postgres_admin, postgres_template, prefix="keepword_demo") as name:
        keepword = open_keepword(_settings(name))
        portfolio_service.load_portfolio(
            keepword.uow, read_plan(DEMO_PLAN), actor=staff("demo"), now=DEMO_NOW
        )
        watch.current_odds(keepword.uow, watch.watch_options(DEMO_NOW), now=DEMO_NOW)
        add_test_users(keepword)
        keepword.close()
        yield name


@pytest.fixture
def web_pg(postgres_admin: Engine, demo_template: str) -> Iterator[TestClient]:
    with fresh_database(postgres_admin, demo_template) as name:
        keepword = open_keepword(_settings(name))
        with TestClient(create_app(keepword)) as client:
            log_in(client, "beth")
            yield client
        keepword.close()


def _odds(client: TestClient, commitment: str) -> str:
    return one(get_page(client, "/"), f"tr[data-commitment={commitment}] .odds").text


def test_applying_the_four_week_move_shows_on_the_dashboard(web_pg: TestClient) -> None:
    assert _odds(web_pg, "pitchwell-v1") == "88%"
    applied = web_pg.post(
        "/whatif/scenarios/core-platform-security-fix/apply", follow_redirects=False
    )
    assert applied.status_code == 303
    assert _odds(web_pg, "pitchwell-v1") == "19%"


def test_a_draft_sent_from_the_editor_stops_the_signal_clock(web_pg: TestClient) -> None:
    signal = str(one(get_page(web_pg, "/signals"), "table.signals tr[data-signal]")["data-signal"])
    message = web_pg.post(f"/signals/{signal}/draft", follow_redirects=False).headers["location"]
    body = one(get_page(web_pg, message), "textarea#body").text
    assert web_pg.post(f"{message}/send", data={"body": body}).status_code == 200
    clock = one(get_page(web_pg, f"/signals/{signal}"), ".clock")
    assert "stopped" in clock["class"]


def test_the_plan_api_creates_and_refuses_over_postgres(web_pg: TestClient) -> None:
    created = web_pg.post(
        "/api/v1/clients", json={"id": "globex", "name": "Globex", "contact": None}
    )
    assert created.status_code == 201, created.text
    clients = {c["id"] for c in web_pg.get("/api/v1/clients").json()}
    assert "globex" in clients
    events = web_pg.get("/api/v1/events?limit=1000").json()
    refused = web_pg.post(
        "/api/v1/projects",
        json={"id": "kiosk", "client": "nobody", "name": "Kiosk", "start": "2026-12-01"},
    )
    assert refused.status_code == 422
    assert {f["field"] for f in refused.json()["error"]["fields"]} == {"client"}
    assert web_pg.get("/api/v1/events?limit=1000").json() == events


def test_a_bad_move_on_the_page_writes_nothing(web_pg: TestClient) -> None:
    before = web_pg.get("/api/v1/events?limit=5").json()
    response = web_pg.post(
        "/whatif/apply",
        data={"moves-0-person": "ravi", "moves-0-from_project": "pitchwell-app",
              "moves-0-start": "2026-12-07", "moves-0-end": "2026-11-30"},
    )  # fmt: skip
    assert response.status_code == 422
    assert "before start" in one(soup(response.text), "#moves-0-end-error").text
    assert web_pg.get("/api/v1/events?limit=5").json() == before


def test_a_nul_is_refused_before_postgresql_could_fail_on_it(web_pg: TestClient) -> None:
    # PostgreSQL cannot store or compare a NUL: each is a 422 naming where, never a 500.
    before = web_pg.get("/api/v1/events?limit=5").json()
    api = web_pg.post("/api/v1/clients", json={"id": "globex", "name": "Glo\x00bex"})
    assert api.status_code == 422, api.text
    assert [f["field"] for f in api.json()["error"]["fields"]] == ["name"]
    form = web_pg.post("/plan/clients/new", data={"id": "globex", "name": "Glo\x00bex"})
    assert form.status_code == 422
    assert web_pg.get("/api/v1/projects/pitchwell%00app").status_code == 422
    assert web_pg.get("/projects/pitchwell%00app/timeline").status_code == 422
    assert web_pg.get("/api/v1/events?limit=5").json() == before
