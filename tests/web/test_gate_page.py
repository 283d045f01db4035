"""The commit gate as a form (W1), parsed as HTML: the demo's voice-bot figures."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.domain.commitment import CommitmentState
from keepword.services import portfolio as portfolio_service
from tests.web.conftest import event_count
from tests.web.html import one, soup

SIX_WEEKS = "2027-01-11"
ASKED = {"project": "voice-bot", "due": SIX_WEEKS, "confidence": "0.85"}


def _commitments(keepword: Keepword) -> dict[str, CommitmentState]:
    stored = portfolio_service.current_portfolio(keepword.uow)
    return {c.id: c.state for c in stored.commitments}


def test_the_form_offers_projects_people_and_an_85_percent_target(web: TestClient) -> None:
    response = web.get("/gate")
    assert response.status_code == 200
    page = soup(response.text)
    form = one(page, "form#gate-form")
    assert form["method"] == "post"
    options = [o["value"] for o in form.select("select[name=project] option")]
    assert "voice-bot" in options
    assert one(form, "input[name=due]")["type"] == "date"
    assert one(form, "input[name=confidence]")["value"] == "0.85"
    team = {box["value"] for box in form.select("input[type=checkbox][name=team]")}
    assert {"amara", "ravi"} <= team
    assert not form.select("input[type=checkbox][checked]")  # empty: the people allocated
    assert page.select_one("#answer") is None


def test_the_voice_bot_gate_answers_under_one_percent_the_85_date_and_the_cut_line(
    web: TestClient, demo_keepword: Keepword
) -> None:
    events = event_count(demo_keepword)
    response = web.post("/gate", data=ASKED)
    assert response.status_code == 200, response.text
    page = soup(response.text)
    answer = one(page, "#answer")
    assert one(answer, "#on-time").get_text(strip=True) == "under 1%"
    assert one(answer, "#at-confidence time")["datetime"] == "2027-01-29"
    assert one(answer, "#target").get_text(strip=True) == "85%"
    odds = " ".join(one(answer, "#odds").get_text().split())
    assert odds.startswith("P(on time by Mon 11 Jan 2027)")
    assert "(P50–P85)" in odds
    rows = answer.select("#phases tbody tr")
    assert [r["data-phase"] for r in rows if one(r, "td.fits").get_text() == "yes"] == [
        "call-flows",
        "understanding",
        "self-service",
    ]
    assert [one(r, "td.fits").get_text() for r in rows] == ["yes", "yes", "yes", "no"]
    ways = answer.select("#ways tbody tr")
    assert [one(w, "th").get_text() for w in ways] == [
        "Move the date",
        "Cut scope",
        "Add capacity",
    ]
    move = ways[0].select("td")
    assert move[0].get_text() == "promise Fri 29 Jan 2027 instead of Mon 11 Jan 2027"
    assert all(w.select("td")[-1].get_text(strip=True).endswith("%") for w in ways)
    # Asking writes nothing.
    assert event_count(demo_keepword) == events
    assert page.select_one("#recorded") is None


def test_the_proposal_is_shown_in_the_page_and_downloadable(web: TestClient) -> None:
    page = soup(web.post("/gate", data=ASKED).text)
    frame = one(page, "#proposal iframe")
    shown = soup(str(frame["srcdoc"]))
    assert "under 1%" in one(shown, "#answer").get_text()
    assert shown.find("script") is None
    links = {a.get_text(): str(a["href"]) for a in page.select("#proposal a[download]")}
    html = web.get(links["HTML"])
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert 'filename="proposal-voice-bot.html"' in html.headers["content-disposition"]
    assert html.text.startswith("<!DOCTYPE html>")
    assert "85% confidence" in one(soup(html.text), "#answer").get_text()
    markdown = web.get(links["Markdown"])
    assert markdown.status_code == 200
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith("# Proposal: Member voice bot")


def test_a_download_with_bad_input_is_refused(web: TestClient) -> None:
    response = web.get("/gate/proposal.md?project=voice-bot&due=2026-01-01")
    assert response.status_code == 422
    assert "in the past" in one(soup(response.text), ".error-message").get_text()


def test_recording_stores_a_proposal_that_the_commit_button_promises(
    web: TestClient, demo_keepword: Keepword
) -> None:
    response = web.post("/gate", data={**ASKED, "record": "voice-bot-phase-3"})
    assert response.status_code == 200, response.text
    recorded = one(soup(response.text), "#recorded")
    assert "voice-bot-phase-3" in recorded.get_text()
    assert _commitments(demo_keepword)["voice-bot-phase-3"] is CommitmentState.PROPOSED
    button = one(recorded, "form")
    assert button["action"] == "/gate/commit/voice-bot-phase-3"
    reason = one(button, "input[name=below_target]")
    assert reason.has_attr("required")  # the odds asked are below the target
    committed = web.post(
        str(button["action"]), data={"below_target": "phase 3 is what they need"},
        follow_redirects=False,
    )  # fmt: skip
    assert committed.status_code == 303
    assert committed.headers["location"] == "/projects/voice-bot"
    assert _commitments(demo_keepword)["voice-bot-phase-3"] is CommitmentState.COMMITTED
    again = web.post(str(button["action"]), follow_redirects=False)
    assert again.status_code == 409


def test_the_team_ticked_replaces_the_people_allocated(web: TestClient) -> None:
    team = ["amara", "tomasz", "siobhan"]
    response = web.post("/gate", data={**ASKED, "team": team})
    assert response.status_code == 200, response.text
    page = soup(response.text)
    checked = {box["value"] for box in page.select("input[name=team][checked]")}
    assert checked == set(team)
    assert one(page, "#on-time").get_text(strip=True).endswith("%")


def test_a_team_without_a_skill_the_scope_needs_is_refused_beside_the_team(
    web: TestClient,
) -> None:
    response = web.post("/gate", data={**ASKED, "team": ["amara", "tomasz"]})
    assert response.status_code == 422
    assert "has skill 'qa'" in one(soup(response.text), "#team-error").get_text()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"project": ""}, "project", "choose a project"),
        ({"project": "nope"}, "project", "no project with id 'nope'"),
        ({"due": ""}, "due", "give the date the client asks for"),
        ({"due": "2026-11-01"}, "due", "2026-11-01 is in the past"),
        ({"due": "2026-11-25"}, "due", "before project 'voice-bot' can start (2026-11-30)"),
        ({"confidence": "1.5"}, "confidence", "between 0 and 1"),
        ({"confidence": "0"}, "confidence", "between 0 and 1"),
        ({"confidence": "lots"}, "confidence", "is not a number"),
        ({"team": ["ghost"]}, "team", "no person with id 'ghost'"),
        ({"record": "bad id!"}, "record", "is not an id"),
        ({"record": "pitchwell-v1"}, "record", "record the proposal under another id"),
    ],
    ids=[
        "no-project",
        "unknown-project",
        "no-date",
        "past-date",
        "before-start",
        "confidence-above-one",
        "confidence-zero",
        "confidence-not-a-number",
        "unknown-person",
        "bad-id",
        "id-of-a-promise",
    ],
)
def test_bad_input_is_shown_beside_its_field_with_422_and_writes_nothing(
    web: TestClient, demo_keepword: Keepword, data: dict[str, object], field: str, message: str
) -> None:
    events, commitments = event_count(demo_keepword), _commitments(demo_keepword)
    response = web.post("/gate", data={**ASKED, "record": "vb-new", **data})
    assert response.status_code == 422
    page = soup(response.text)
    error = one(page, f"span.field-error#{field}-error")
    assert message in error.get_text()
    inputs = page.select(f"#gate-form [name={field}]")
    assert inputs
    assert all(i.get("aria-invalid") == "true" for i in inputs)
    assert len(page.select(".field-error")) == 1
    assert page.select_one("#answer") is None
    assert event_count(demo_keepword) == events
    assert _commitments(demo_keepword) == commitments


def test_the_cut_line_is_recorded_with_the_rest_as_a_later_proposal(
    web: TestClient, demo_keepword: Keepword
) -> None:
    response = web.post(
        "/gate", data={**ASKED, "due": "2027-01-11", "record": "vb-jan", "cut_line": "1"}
    )
    assert response.status_code == 200, response.text
    assert one(soup(response.text), "input[name=cut_line]").has_attr("checked")
    stored = portfolio_service.current_portfolio(demo_keepword.uow)
    cut, rest = stored.commitment("vb-jan"), stored.commitment("vb-jan-rest")
    assert cut.phases == ("call-flows", "understanding", "self-service")
    assert rest.phases == ("handoff-golive",)
    assert rest.due > cut.due
