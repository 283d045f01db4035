"""The first web page, the JSON API and the health check, from a real server process."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup

from keepword.bootstrap import open_keepword
from keepword.config import Settings
from keepword.demo import DEMO_USERS
from keepword.domain.accounts import AuditKind
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


def test_several_web_processes_serve_one_database_and_see_each_others_writes(
    tmp_path: Path, demo_portfolio: Portfolio
) -> None:
    env = {**clean_env(tmp_path), "KEEPWORD_NOW": "2026-11-23T09:00:00Z"}
    db = str(tmp_path / "web.db")
    keepword("--db", db, "init", env=env)
    keepword("--db", db, "load", str(DEMO_PLAN), env=env)
    add_user(db, "beth", "delivery-lead", env)
    project = next(p for p in demo_portfolio.projects if p.remaining_items())
    item = project.remaining_items()[0]
    server, base = start_server(["--db", db, "serve", "--workers", "2"], env)
    try:
        with logged_in(base, "beth") as client:
            # Each request a connection of its own, so that both processes answer some.
            before = [
                httpx.get(f"{base}/api/v1/portfolio", cookies=client.cookies) for _ in range(6)
            ]
            done = client.post(f"{base}/api/v1/projects/{project.id}/items/{item.id}/done")
            items = [
                httpx.get(f"{base}/api/v1/projects/{project.id}", cookies=client.cookies)
                for _ in range(6)
            ]
    finally:
        stop_server(server)
    assert all(r.status_code == 200 for r in before)
    assert done.status_code == 200
    assert all(r.status_code == 200 for r in items)
    assert all(r.json() == items[0].json() for r in items)  # every process sees the write


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


# --- what a request says of itself ---------------------------------------------------------


def _new_server(tmp_path: Path, **settings: str) -> tuple[subprocess.Popen[str], str, str]:
    """``keepword serve`` on a new database with beth, with ``settings`` in its environment."""
    env = {**clean_env(tmp_path), **settings}
    db = str(tmp_path / "web.db")
    keepword("--db", db, "init", env=env)
    add_user(db, "beth", "delivery-lead", env)
    server, base = start_server(["--db", db, "serve"], env)
    return server, base, db


def test_a_request_for_another_host_is_refused_and_pages_never_name_one(tmp_path: Path) -> None:
    server, base, _ = _new_server(tmp_path)
    try:
        forged = httpx.get(f"{base}/login", headers={"Host": "evil.example"})
        assert forged.status_code == 400
        assert "evil.example" not in forged.text
        # A redirect built from the Host (a directory of the static files) is refused too.
        redirect = httpx.get(f"{base}/static", headers={"Host": "evil.example"})
        assert redirect.status_code == 400
        assert "evil.example" not in redirect.headers.get("location", "")
        page = httpx.get(f"{base}/login")
        assert page.status_code == 200
        sources = BeautifulSoup(page.text, "html.parser").select("script[src], link[href]")
        assert sources
        assert all(str(s.get("src") or s.get("href")).startswith("/static/") for s in sources)
    finally:
        stop_server(server)


def test_a_configured_public_name_is_answered(tmp_path: Path) -> None:
    server, base, _ = _new_server(tmp_path, KEEPWORD_ALLOWED_HOSTS="keepword.example.com")
    try:
        named = httpx.get(f"{base}/login", headers={"Host": "keepword.example.com"})
        assert named.status_code == 200
        assert "keepword.example.com" not in named.text  # paths, not URLs
        assert httpx.get(f"{base}/login", headers={"Host": "evil.example"}).status_code == 400
        # Serving on 127.0.0.1, that address is answered too.
        assert httpx.get(f"{base}/login").status_code == 200
    finally:
        stop_server(server)


@pytest.mark.parametrize(
    ("trusted", "recorded"), [(None, "127.0.0.1"), ("127.0.0.1", "203.0.113.9")]
)
def test_a_forwarded_address_is_believed_only_from_a_proxy_named_trusted(
    tmp_path: Path, trusted: str | None, recorded: str
) -> None:
    settings = {"KEEPWORD_TRUSTED_PROXIES": trusted} if trusted else {}
    server, base, db = _new_server(tmp_path, **settings)
    try:
        answer = httpx.post(
            f"{base}/login",
            data={"name": "beth", "password": "a wrong guess"},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        assert answer.status_code == 401
    finally:
        stop_server(server)
    opened = open_keepword(Settings(database_url=db, actor="test"))
    with opened.uow() as work:
        failed = work.audit.latest(10, AuditKind.LOGIN_FAILED)
    opened.close()
    assert [e.address for e in failed] == [recorded]


def test_serve_on_a_busy_port_says_so_before_claiming_to_serve(tmp_path: Path) -> None:
    import socket

    db = str(tmp_path / "keepword.db")
    assert keepword("--db", db, "init").code == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = keepword("--db", db, "serve", "--port", str(port), timeout=30)
    assert result.code == 1
    assert "Serving" not in result.stdout
    assert result.stderr == (
        f"keepword: error: cannot serve on 127.0.0.1:{port}: Address already in use "
        "(another program is listening there? stop it, or choose another --port)\n"
    )
