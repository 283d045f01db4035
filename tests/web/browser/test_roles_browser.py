"""Roles in a real browser: a client user sees their own organisation's portal and nothing
else, a delivery lead the whole portfolio, and logging out locks the app again.

Over the demo as of its Monday: marcus is a client user of pitchwell, beth a delivery lead.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from keepword.adapters.planfile import read_plan
from keepword.domain.portfolio import Portfolio
from tests.conftest import DEMO_PLAN
from tests.e2e.cli import PASSWORD
from tests.web.browser.conftest import Console, Served, log_in, screenshot

CLIENT = "pitchwell"
_DATE = r"\w{3} \d{1,2} \w{3} \d{4}"  # as the pages show a date: "Mon 23 Nov 2026"


@pytest.fixture(scope="module")
def plan() -> Portfolio:
    return read_plan(DEMO_PLAN)


def test_a_client_user_sees_only_their_own_organisations_projects(
    served: Served, fresh_page: Page, console: Console, plan: Portfolio
) -> None:
    page = fresh_page
    clients = {c.id: c.name for c in plan.clients}
    own = [p for p in plan.projects if p.client == CLIENT]
    others = [p for p in plan.projects if p.client != CLIENT]
    assert own
    assert others

    log_in(page, served, "marcus")
    expect(page).to_have_url(served.url("/portal"))
    expect(page.locator("h1")).to_have_text(f"{clients[CLIENT]}: your projects")
    # Only "Your projects" in the nav, and marcus named as logged in, as a client.
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Your projects"]
    )
    expect(page.locator(".account-bar")).to_contain_text("marcus (client)")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    rows = page.locator("#portal-projects tr[data-project]")
    expect(rows).to_have_count(len(own))
    assert [r.get_attribute("data-project") for r in rows.all()] == [p.id for p in own]
    for project in own:
        expect(page.locator(f"tr[data-project={project.id}] td.project a")).to_have_text(
            project.name
        )
    _shows_nothing_of_the_others(page, plan, CLIENT)
    screenshot(page, "portal-marcus")

    # A project's page: each of its promises as a range, with the confidence promised.
    project = own[0]
    commitments = [c for c in plan.commitments if c.project == project.id]
    assert commitments
    page.get_by_role("link", name=project.name).click()
    expect(page).to_have_url(served.url(f"/portal/projects/{project.id}"))
    expect(page.locator("h1")).to_have_text(project.name)
    cards = page.locator(".card.promise[data-commitment]")
    expect(cards).to_have_count(len(commitments))
    for commitment in commitments:
        card = page.locator(f".card.promise[data-commitment={commitment.id}]")
        expect(card.locator(".confidence")).to_have_text(
            f"{round(commitment.confidence * 100)}% confidence target"
        )
        expect(card.locator(".due")).to_have_text(re.compile(rf"^by {_DATE}$"))
        expect(card.locator("p.range strong")).to_have_text(
            re.compile(rf"^between {_DATE} and {_DATE}$")
        )
        expect(card.locator("p.range")).to_contain_text("50% likely by")
        expect(card.locator("p.range")).to_contain_text("85% likely by")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Your projects"]
    )
    _shows_nothing_of_the_others(page, plan, CLIENT)
    screenshot(page, f"portal-marcus-{project.id}")

    # Another organisation's project is answered as one that does not exist.
    console.expected.append("status of 404")
    answer = page.goto(served.url(f"/portal/projects/{others[0].id}"))
    assert answer is not None
    assert answer.status == 404
    _shows_nothing_of_the_others(page, plan, CLIENT)

    # The portfolio is not theirs: 403, with the way back to their projects.
    console.expected.append("status of 403")
    answer = page.goto(served.url("/"))
    assert answer is not None
    assert answer.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
    expect(page.locator("main .error-message")).to_have_text("a client may not view the portfolio")
    _shows_nothing_of_the_others(page, plan, CLIENT)
    screenshot(page, "portal-marcus-403")
    page.get_by_role("link", name="Back to your projects").click()
    expect(page).to_have_url(served.url("/portal"))


def _shows_nothing_of_the_others(page: Page, plan: Portfolio, client: str) -> None:
    """No other organisation's name, nor any of their projects' names or ids, in the page."""
    text = page.locator("body").inner_text()
    html = page.content()
    for other in plan.clients:
        if other.id != client:
            assert other.name not in text, f"{other.name} shown to a client of {client}"
            assert other.name.replace("&", "&amp;") not in html
    for project in plan.projects:
        if project.client != client:
            assert project.name not in text, f"{project.name} shown to a client of {client}"
            assert f"/{project.id}" not in html


def test_a_delivery_lead_sees_the_whole_portfolio(
    served: Served, page: Page, plan: Portfolio
) -> None:
    page.goto(served.url("/"))
    expect(page.locator("h1")).to_have_text("Portfolio")
    rows = page.locator("table.portfolio tbody tr[data-commitment]")
    expect(rows).to_have_count(len(plan.commitments))
    shown = [r.get_attribute("data-commitment") for r in rows.all()]
    assert sorted(c for c in shown if c) == sorted(c.id for c in plan.commitments)
    assert len(set(shown)) == len(shown)  # one row per commitment

    # Clients of several organisations: every client with a commitment has its rows.
    clients = {c.id: c.name for c in plan.clients}
    projects = {p.id: p for p in plan.projects}
    for commitment in plan.commitments:
        client = clients[projects[commitment.project].client]
        expect(page.locator(f"tr[data-commitment={commitment.id}] td").first).to_have_text(client)
    assert len({projects[c.project].client for c in plan.commitments}) >= 3

    nav = page.get_by_role("navigation", name="Main").get_by_role("link")
    expect(nav).to_have_text(
        ["Portfolio", "Commit gate", "What-if", "Signals", "Incidents", "Plan"]
    )
    expect(page.locator(".account-bar")).to_contain_text("beth (delivery lead)")
    screenshot(page, "dashboard-beth")


def test_logging_out_asks_for_a_login_again(served: Served, page: Page, console: Console) -> None:
    page.goto(served.url("/"))
    expect(page.locator("h1")).to_have_text("Portfolio")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(served.url("/login"))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    screenshot(page, "logged-out")

    # Back to the portfolio, by the browser's back button or by its address: log in first.
    console.expected.append("status of 401")
    page.go_back()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator("table.portfolio")).to_have_count(0)
    answer = page.goto(served.url("/"))
    assert answer is not None
    assert answer.status == 401
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.get_by_label("Name")).to_be_visible()
    expect(page.get_by_label("Password")).to_be_visible()
    expect(page.locator("table.portfolio")).to_have_count(0)
    screenshot(page, "logged-out-401")

    # Logging in again from there lands back on the page asked for.
    log_in_from_here(page, "beth")
    expect(page).to_have_url(served.url("/"))
    expect(page.locator("table.portfolio tbody tr[data-commitment]").first).to_be_visible()


def log_in_from_here(page: Page, name: str) -> None:
    """Fill in the login form the page shows (the 401 page's, keeping where it was)."""
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
