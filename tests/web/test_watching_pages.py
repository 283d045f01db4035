"""What-if, signals and the draft editor through the test client, parsed as HTML."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.services.portfolio import current_portfolio, stored_version
from keepword.web.app import create_app
from tests.web.accounts import log_in
from tests.web.html import soup


def _moves(**fields: str) -> dict[str, str]:
    return {f"moves-0-{name}": value for name, value in fields.items()}


def test_moves_picked_in_the_form_are_tried_unsaved_then_applied(
    web: TestClient, demo_keepword: Keepword
) -> None:
    version = stored_version(demo_keepword.uow)
    moves = _moves(
        person="ravi", from_project="pitchwell-app", to_project="fernhill-core",
        start="2026-11-30", end="2026-12-25",
    )  # fmt: skip
    tried = web.post("/whatif/try", data=moves)
    assert tried.status_code == 200
    page = soup(tried.text)
    row = page.select_one("table.diff tr[data-commitment=pitchwell-v1]")
    assert row is not None
    before, after = row.select_one("td.before"), row.select_one("td.after")
    assert before is not None
    assert after is not None
    assert before.text.strip() == "88%"
    assert int(after.text.strip().rstrip("%")) < 88
    assert stored_version(demo_keepword.uow) == version  # trying saves nothing
    hidden = {
        str(i["name"]): str(i["value"]) for i in page.select("form[action='/whatif/apply'] input")
    }
    applied = web.post("/whatif/apply", data=hidden, follow_redirects=False)
    assert applied.status_code == 303
    shown = web.get(applied.headers["location"])
    row = soup(shown.text).select_one("table.applied tr[data-commitment=pitchwell-v1] .odds")
    assert row is not None
    assert row.text == after.text.strip()
    assert stored_version(demo_keepword.uow) != version
    # A move tried on the page is not a saved scenario: the saved one is still there.
    saved = [s.id for s in current_portfolio(demo_keepword.uow).scenarios]
    assert saved == ["core-platform-security-fix"]


RAVI = {"person": "ravi", "from_project": "pitchwell-app", "start": "2026-11-30"}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "moves-0-person", "pick at least one person to move"),
        ({**RAVI, "person": "nobody", "end": "2026-12-25"}, "moves-0-person", "no such person"),
        ({**RAVI, "end": "2026-12-25", "percent": "250"}, "moves-0-percent", "at most 100"),
        ({**RAVI, "start": "30/11/2026", "end": "2026-12-25"}, "moves-0-start", "YYYY-MM-DD"),
        ({**RAVI, "end": "2026-11-20"}, "moves-0-end", "before start"),
    ],
)
def test_a_bad_move_is_refused_beside_its_field(
    web: TestClient, demo_keepword: Keepword, fields: dict[str, str], field: str, message: str
) -> None:
    version = stored_version(demo_keepword.uow)
    for url in ("/whatif/try", "/whatif/apply"):
        response = web.post(url, data=_moves(**fields))
        assert response.status_code == 422
        page = soup(response.text)
        error = page.select_one(f"#{field}-error")
        assert error is not None
        assert message in error.text
        control = page.select_one(f"#{field}")
        assert control is not None
        assert control["aria-invalid"] == "true"
        assert control["aria-describedby"] == f"{field}-error"
    assert stored_version(demo_keepword.uow) == version


def _first_signal(client: TestClient) -> str:
    row = soup(client.get("/signals").text).select_one("table.signals tr[data-signal]")
    assert row is not None
    return str(row["data-signal"])


def test_draft_check_as_typed_then_sent_stops_the_clock(web: TestClient) -> None:
    signal = _first_signal(web)
    drafted = web.post(f"/signals/{signal}/draft", follow_redirects=False)
    assert drafted.status_code == 303
    message = drafted.headers["location"]
    editor = soup(web.get(message).text)
    body = editor.select_one("textarea#body")
    assert body is not None
    assert editor.select_one("#playbook.clean") is not None
    vague = soup(web.post(f"{message}/check", data={"body": "Hi, all good, no worries."}).text)
    rules = {li["data-rule"] for li in vague.select("li.finding")}
    assert {"new-date", "confidence", "next-step"} <= rules
    sent = web.post(f"{message}/send", data={"body": body.text}, follow_redirects=False)
    assert sent.status_code == 303
    clock = soup(web.get(f"/signals/{signal}").text).select_one(".clock")
    assert clock is not None
    assert "stopped" in clock["class"]
    assert clock.text.startswith("told after")
    # Sent once: sending again is refused, and says so.
    again = web.post(f"{message}/send", data={"body": body.text})
    assert again.status_code == 409
    assert soup(again.text).select_one(".error-message") is not None


def test_a_draft_downloads_as_an_email_of_the_text_typed(web: TestClient) -> None:
    from email import message_from_string

    message = web.post(f"/signals/{_first_signal(web)}/draft", follow_redirects=False)
    page = message.headers["location"]
    button = soup(web.get(page).text).select_one("#download-eml")
    assert button is not None
    typed = "Hi Ingrid,\n\nThe date moves to **26 March 2027**, 85% likely.\n"
    downloaded = web.post(str(button["formaction"]), data={"body": typed})
    assert downloaded.status_code == 200
    assert downloaded.headers["content-type"].startswith("message/rfc822")
    assert downloaded.headers["content-disposition"].endswith('.eml"')
    email = message_from_string(downloaded.text)
    assert email["To"] == "Ingrid Solberg <ingrid.solberg@haldenfreight.example>"
    assert email["From"]
    assert email["Subject"]
    assert "The date moves to 26 March 2027, 85% likely." in email.get_payload()
    # Nothing was stored by downloading: the draft keeps its own text until it is sent.
    stored = web.get(f"{page}.eml")
    assert "The date moves to" not in stored.text


def test_dashboard_puts_promises_whose_client_is_untold_past_target_first(
    demo_keepword: Keepword,
) -> None:
    # Two days on, the FreightTech keynote's signals are past their one-day target.
    later = replace(demo_keepword.settings, fixed_now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    with TestClient(create_app(Keepword(later, demo_keepword.engine))) as client:
        log_in(client, "beth")
        page = soup(client.get("/").text)
    rows = page.select("table.portfolio tbody tr")
    assert rows[0]["data-commitment"] == "freighttech-keynote"
    assert "untold" in rows[0]["class"]
    assert all("untold" not in (r.get("class") or []) for r in rows[1:])
    panel = page.select(".signals-panel li.overdue")
    assert panel
    assert all("overdue" in li.text for li in panel)
