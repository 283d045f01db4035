"""Every page reachable from the dashboard, opened in Chromium: 200, no console error, a
screenshot; and bad form input shown beside its field with nothing written."""

from __future__ import annotations

from urllib.parse import urldefrag, urlsplit

import httpx
from bs4 import BeautifulSoup
from playwright.sync_api import Page, expect

from tests.web.browser.conftest import Console, Served, cookies_of, screenshot

MAX_PAGES = 600
SHOTS_PER_KIND = 2  # screenshots of each kind of page (the same route with other ids)
ROUTE_WORDS = {
    "plan", "projects", "items", "phases", "people", "clients", "allocations", "commitments",
    "edit", "new", "signals", "messages", "incidents", "whatif", "scenarios", "charts",
    "gate", "timeline", "api", "v1",
}  # fmt: skip


def _kind(path: str) -> str:
    """``/plan/projects/voice-bot/items/x/edit`` → ``/plan/projects/*/items/*/edit``."""
    route = urlsplit(path).path
    return "/".join(p if p in ROUTE_WORDS or not p else "*" for p in route.split("/"))


def test_every_page_reachable_from_the_dashboard_opens_cleanly(served: Served, page: Page) -> None:
    queue, seen, opened, downloads = ["/"], {"/"}, list[str](), list[str]()
    shots: dict[str, int] = {}
    while queue and len(opened) < MAX_PAGES:
        path = queue.pop(0)
        response = page.goto(served.url(path))
        assert response is not None
        assert response.status == 200, f"{path}: {response.status}"
        opened.append(path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        kind = _kind(path)
        shots[kind] = shots.get(kind, 0) + 1
        if shots[kind] <= SHOTS_PER_KIND:
            screenshot(page, "page" + (path if path != "/" else "-dashboard"))
        for link in BeautifulSoup(page.content(), "html.parser").select("a[href]"):
            href = urldefrag(str(link["href"]))[0]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not href.startswith("/"):
                continue
            if href.startswith("/static/") or href in seen:
                continue
            seen.add(href)
            if link.has_attr("download"):  # a file (a chart, a proposal): fetched, not opened
                assert httpx.get(served.url(href), cookies=cookies_of(page)).status_code == 200, (
                    href
                )
                downloads.append(href)
                continue
            queue.append(href)
    assert not queue, f"more than {MAX_PAGES} pages: {queue[:5]}"
    # The dashboard reaches every area of the app.
    for area in ("/whatif", "/signals", "/gate", "/incidents", "/plan", "/projects/voice-bot"):
        assert area in opened, f"{area} is not reachable from the dashboard"
    assert "/api/v1/openapi.json" in opened
    assert "/projects/voice-bot/charts/burn-up-voice-bot.png" in downloads


def test_dashboard_filters_swap_the_table_in_place(served: Served, page: Page) -> None:
    page.goto(served.url("/"))
    page.locator("select[name=client]").select_option(label="Pitchwell Ltd")
    expect(page.locator("table.portfolio tbody tr")).to_have_count(1)
    expect(page).to_have_url(served.url("/?client=pitchwell&lead=&health="))
    page.locator("select[name=health]").select_option("off_track")
    expect(page.locator("p.empty")).to_contain_text("No commitment matches")
    screenshot(page, "dashboard-filtered")


def test_bad_move_shows_its_error_beside_the_field_and_saves_nothing(
    served: Served, page: Page, console: Console
) -> None:
    console.expected.append("status of 422")  # the refused form comes back as 422
    version = served.version()
    page.goto(served.url("/whatif"))
    page.get_by_label("Person 1").select_option(label="Ravi Patel")
    page.get_by_label("From project 1").select_option("pitchwell-app")
    page.get_by_label("First day 1").fill("2026-12-07")
    page.get_by_label("Last day 1").fill("2026-11-30")
    page.get_by_role("button", name="See what it does").click()
    last_day = page.get_by_label("Last day 1")
    expect(last_day).to_have_attribute("aria-invalid", "true")
    error = page.locator("#moves-0-end-error")
    expect(error).to_contain_text("before start")
    # Beside the field: the message follows the input's label in the same cell.
    assert error.evaluate(
        "e => e.previousElementSibling.contains(document.getElementById('moves-0-end'))"
    )
    expect(page.get_by_label("First day 1")).to_have_value("2026-12-07")
    screenshot(page, "whatif-bad-input")
    assert served.version() == version


def test_commit_gate_answers_in_the_page_with_the_proposal_beside_it(
    served: Served, page: Page
) -> None:
    page.goto(served.url("/gate"))
    page.get_by_label("Project").select_option("voice-bot")
    page.get_by_label("Date the client asks for").fill("2027-01-11")
    page.get_by_role("button", name="Ask the gate").click()
    expect(page.locator("main")).to_contain_text("under 1%")
    expect(page.locator("main")).to_contain_text("Fri 29 Jan 2027")
    proposal = page.frame_locator("iframe.proposal").locator("body")
    expect(proposal).to_contain_text("The chance of delivering the whole scope by then is under 1%")
    screenshot(page, "gate-answer")


def test_an_item_added_in_the_plan_form_is_on_the_project_page(served: Served, page: Page) -> None:
    page.goto(served.url("/projects/voice-bot"))
    page.get_by_role("link", name="Edit the plan").click()
    page.locator("a[href='/plan/projects/voice-bot/items/new']").first.click()
    page.get_by_label("Id").fill("welsh-ivr-menu")
    page.get_by_label("Title").fill("Welsh-language IVR menu")
    page.get_by_label("Optimistic (person-days)").fill("2")
    page.get_by_label("Likely (person-days)").fill("3")
    page.get_by_label("Pessimistic (person-days)").fill("6")
    screenshot(page, "plan-new-item")
    page.get_by_role("button", name="Create item").click()
    expect(page).to_have_url(served.url("/projects/voice-bot"))
    expect(page.locator("tr[data-item=welsh-ivr-menu]")).to_contain_text("Welsh-language IVR menu")
    screenshot(page, "project-after-new-item")
