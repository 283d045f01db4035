"""The W2 story in a real browser: the four-week move tried, applied, the client told."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.web.browser.conftest import Console, Served, log_in, screenshot


def test_four_week_move_from_whatif_to_a_sent_message(
    served: Served, page: Page, console: Console
) -> None:
    page.goto(served.url("/"))
    expect(page.locator("h1")).to_have_text("Portfolio")
    expect(page.locator("table.portfolio tbody tr")).to_have_count(7)
    screenshot(page, "01-dashboard")

    # The CTO tries the move first: Ravi and Hannah to the core platform for four weeks.
    page.get_by_role("link", name="What-if").click()
    screenshot(page, "02-whatif")
    page.locator("a[data-scenario=core-platform-security-fix]").click()
    pitchwell = page.locator("table.diff tr[data-commitment=pitchwell-v1]")
    expect(pitchwell.locator("td.before")).to_have_text("88%")
    expect(pitchwell.locator("td.after")).to_have_text("19%")
    screenshot(page, "03-whatif-diff")

    # Nothing was saved by trying it: the promise still stands at 88 % on the dashboard.
    page.goto(served.url("/?client=pitchwell"))
    expect(page.locator("tr[data-commitment=pitchwell-v1] .odds")).to_have_text("88%")
    page.go_back()

    page.get_by_role("button", name="Apply this scenario").click()
    expect(page.locator("h1")).to_contain_text("Applied")
    expect(page.locator("p.notice")).to_contain_text("raised")
    expect(page.locator("tr[data-commitment=pitchwell-v1] .odds")).to_have_text("19%")
    screenshot(page, "04-applied")

    page.locator("tr[data-commitment=pitchwell-v1] a").first.click()
    expect(page).to_have_url(re.compile(r"/projects/pitchwell-app$"))
    expect(page.locator("table.commitments tr[data-commitment=pitchwell-v1] .health")).to_have_text(
        "off track"
    )
    # Its charts drawn in the page by vega-embed, from the same spec as the files.
    expect(page.locator("figure.chart[data-rendered=true] svg")).to_have_count(2)
    screenshot(page, "05-project-pitchwell")

    # The signal the move raised, and its clock running: one working day to tell the client.
    page.locator(".signal-list a").first.click()
    expect(page.locator(".clock")).to_have_text("1 d 0 h left")
    signal = page.url.removeprefix(served.base)
    screenshot(page, "06-signal")
    page.get_by_role("button", name="Draft the message to the client").click()
    editor = page.locator("textarea#body")
    drafted = editor.input_value()
    expect(page.locator("#playbook")).to_contain_text("Clean")
    screenshot(page, "07-draft")

    # Edited into a vague reassurance, the playbook check objects as it is typed.
    editor.fill("Hi,\n\nAll good, we are on it.\n")
    expect(page.locator("#playbook .finding").first).to_be_visible()
    expect(page.locator("#playbook [data-rule=new-date]")).to_be_visible()
    screenshot(page, "08-draft-edited")
    editor.fill(drafted)
    expect(page.locator("#playbook")).to_contain_text("Clean")
    message = page.url.removeprefix(served.base)

    # Five hours later the lead has called the client; the clock has run all the while.
    served.restart("2026-11-23T14:00:00Z")
    # Five hours on, the session has gone idle past its timeout: log in again.
    console.expected.append("status of 401")
    page.goto(served.url(signal))
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(page, served, "beth")
    page.goto(served.url(signal))
    expect(page.locator(".clock")).to_have_text("19 h left")
    page.goto(served.url(message))
    page.get_by_role("button", name="Mark sent").click()
    expect(page.locator("p.notice")).to_contain_text("Sent")
    screenshot(page, "09-sent")

    # The signal's clock has stopped.
    page.locator("p.sub a[href^='/signals/']").first.click()
    expect(page.locator(".clock")).to_have_text("told after 5 h")
    expect(page.locator(".clock")).to_have_class(re.compile("stopped"))
    screenshot(page, "10-signal-told")
