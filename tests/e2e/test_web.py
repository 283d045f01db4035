"""The first web page, the JSON API and the health check, from a real server process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from keepword.demo import DEMO_USERS
from keepword.domain.portfolio import Portfolio
from keepword.web.api.routes.portfolio import PortfolioRow
from tests.conftest import DEMO_PLAN
from tests.e2e.cli import add_user, clean_env, keepword
from tests.e2e.server import logged_in, start_server, stop_server


@pytest.fixture
def served_demo(tmp_path: Path) -> Iterator[httpx.Client]:
    """The demo served by a real process, and a client logged in as a delivery lead."""
    env = clean_env(tmp_path)
    db = str(tmp_path / "web.db")
    keepword("--db", db, "init", env=env)
    keepword("--db", db, "load", str(DEMO_PLAN), env=env)
    add_user(db, "beth", "delivery-lead", env)
    server, base = start_server(["--db", db, "serve"], env)
    try:
        with logged_in(base, "beth") as client:
            yield client
    finally:
        stop_server(server)


def test_served_dashboard_lists_every_commitment_and_its_stylesheet(
    served_demo: httpx.Client, demo_portfolio: Portfolio
) -> None:
    response = served_demo.get("/")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.title is not None
    assert "Portfolio" in page.title.text
    rows = page.select("table.portfolio tbody tr")
    assert {r["data-commitment"] for r in rows} == {c.id for c in demo_portfolio.commitments}
    stylesheet = page.select_one("link[rel=stylesheet]")
    assert stylesheet is not None
    assert served_demo.get(str(stylesheet["href"])).status_code == 200


def test_portfolio_api_and_health(served_demo: httpx.Client, demo_portfolio: Portfolio) -> None:
    response = served_demo.get("/api/v1/portfolio")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    rows = response.json()
    assert {r["commitment_id"] for r in rows} == {c.id for c in demo_portfolio.commitments}
    assert set(rows[0]) == set(PortfolioRow.model_fields)
    assert all(r["on_time"] is None or 0 <= r["on_time"] <= 1 for r in rows)
    assert served_demo.get("/healthz").json()["status"] == "ok"


def test_empty_database_page_says_how_to_start(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    db = str(tmp_path / "empty.db")
    keepword("--db", db, "init", env=env)
    add_user(db, "ada", "admin", env)
    server, base = start_server(["--db", db, "serve"], env)
    try:
        with logged_in(base, "ada") as client:
            page = BeautifulSoup(client.get("/").text, "html.parser")
    finally:
        stop_server(server)
    empty = page.select_one(".empty")
    assert empty is not None
    assert "keepword load" in empty.text
    assert page.select("table.portfolio") == []


def test_demo_command_loads_prints_and_serves(tmp_path: Path, demo_portfolio: Portfolio) -> None:
    server, base = start_server(["demo"], clean_env(tmp_path))
    try:
        refused = httpx.get(base + "/api/v1/portfolio")
        login = httpx.get(base + "/login")
    finally:
        output = stop_server(server)
    assert "Portfolio: commitments by due date" in output
    # Nothing without logging in; the demo prints who can, with a new password each.
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    assert login.status_code == 200
    logins = output[output.index("Demo users") :]
    assert all(name in logins for name, _, _ in DEMO_USERS)
    assert f"Serving Keepword on {base}" in output
