"""The client portal: a client sees only their own organisation's projects, and nothing internal.

Over the demo as of its Monday: priya is a client user of calder-wye (the voice bot), marcus
of pitchwell (the sales-enablement app); beth is a delivery lead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.domain.access import Actor, Forbidden, Role
from keepword.domain.portfolio import Portfolio
from keepword.services import portal
from keepword.web.app import create_app
from tests.web.accounts import client_as
from tests.web.html import get_page, one, soup

API = "/api/v1"
SCENARIO = "core-platform-security-fix"
OWN_PROJECT = {"priya": "voice-bot", "marcus": "pitchwell-app"}


@pytest.fixture
def app(demo_keepword: Keepword) -> Any:
    return create_app(demo_keepword)


@pytest.fixture
def priya(app: Any) -> Iterator[TestClient]:
    yield from client_as(app, "priya")


@pytest.fixture
def marcus(app: Any) -> Iterator[TestClient]:
    yield from client_as(app, "marcus")


@pytest.fixture
def beth(app: Any) -> Iterator[TestClient]:
    yield from client_as(app, "beth")


def _portfolio(keepword: Keepword) -> Portfolio:
    with keepword.uow() as work:
        return work.portfolio.get()


def _post(client: TestClient, url: str, body: Any = None, status: int = 200) -> Any:
    response = client.post(API + url, json=body)
    assert response.status_code == status, response.text
    return response.json()


def _text(page: BeautifulSoup | Tag) -> str:
    """The page's words as a reader sees them, whitespace collapsed."""
    return " ".join(page.get_text().split())


def _promises(page: BeautifulSoup) -> dict[str, str]:
    """Each promise on a portal project page, by commitment id, as its text."""
    return {
        str(card["data-commitment"]): _text(soup(str(card)))
        for card in page.select(".promise[data-commitment]")
    }


def _internal_words(portfolio: Portfolio, client_id: str) -> list[str]:
    """What a client of ``client_id`` must never read: the team's names, who made each
    promise, and every other client's name and projects."""
    words = [p.name for p in portfolio.people]
    words += [c.made_by for c in portfolio.commitments if c.made_by]
    words += [c.name for c in portfolio.clients if c.id != client_id]
    words += [p.name for p in portfolio.projects if p.client != client_id]
    return words


# --- isolation -----------------------------------------------------------------------------


def test_a_client_sees_their_own_projects_and_no_other_clients(
    priya: TestClient, demo_keepword: Keepword
) -> None:
    page = get_page(priya, "/portal")
    assert "Calder & Wye Building Society" in one(page, "h1").get_text()
    listed = [str(row["data-project"]) for row in page.select("[data-project]")]
    assert listed == ["voice-bot"]
    text = _text(page)
    for word in _internal_words(_portfolio(demo_keepword), "calder-wye"):
        assert word not in text, word
    assert [p["id"] for p in priya.get(API + "/portal/projects").json()] == ["voice-bot"]


def test_another_clients_project_is_answered_as_one_that_does_not_exist(
    priya: TestClient,
) -> None:
    for url in ("/portal/projects/{}", API + "/portal/projects/{}"):
        theirs = priya.get(url.format("pitchwell-app"))
        nothing = priya.get(url.format("no-such-project"))
        assert theirs.status_code == nothing.status_code == 404
        assert theirs.text.replace("pitchwell-app", "X") == nothing.text.replace(
            "no-such-project", "X"
        )
        assert "Pitchwell" not in theirs.text


def test_staff_are_refused_the_portal(beth: TestClient) -> None:
    for url in ("/portal", "/portal/projects/voice-bot", API + "/portal/projects"):
        assert beth.get(url).status_code == 403, url


def test_the_portal_service_refuses_a_staff_actor(demo_keepword: Keepword) -> None:
    lead = Actor("beth", Role.DELIVERY_LEAD)
    with pytest.raises(Forbidden):
        portal.portal_projects(demo_keepword.uow, actor=lead, now=demo_keepword.settings.now())


# --- what a project page shows -------------------------------------------------------------


def test_every_promise_is_a_range_with_a_confidence(marcus: TestClient) -> None:
    page = get_page(marcus, "/portal/projects/pitchwell-app")
    promises = _promises(page)
    assert list(promises) == ["pitchwell-v1"]
    text = promises["pitchwell-v1"]
    assert "by Fri 26 Mar 2027, 85% confidence target" in text
    assert re.search(r"between .+ 2027 and .+ 2027: 50% likely by .+, 85% likely by ", text)
    assert "Current forecast" in text
    listed = _text(one(get_page(marcus, "/portal"), "[data-commitment='pitchwell-v1']"))
    assert "85% confidence target" in listed
    assert "between" in listed


def test_the_plan_shows_phases_with_items_done_and_nothing_internal(
    marcus: TestClient, demo_keepword: Keepword
) -> None:
    portfolio = _portfolio(demo_keepword)
    project = portfolio.project("pitchwell-app")
    page = get_page(marcus, "/portal/projects/pitchwell-app")
    phases = [td.get_text(strip=True) for td in page.select("table.phases td.phase")]
    assert phases == [p.name for p in project.phases]
    assert "4 of 4 items" in _text(one(page, "table.phases"))
    text = _text(page)
    for word in _internal_words(portfolio, "pitchwell"):
        assert word not in text, word
    for item in project.items:  # the plan is counted, never itemised with its estimates
        assert item.title not in text
    assert "draft" not in text.lower()


def test_a_proposal_is_not_shown_until_it_is_committed(priya: TestClient, beth: TestClient) -> None:
    page = get_page(priya, "/portal/projects/voice-bot")
    assert _promises(page) == {}
    assert "six to eight weeks" not in _text(page)

    _post(beth, "/commitments/voice-bot-launch/commit", {"below_target": "the board meets then"})
    promises = _promises(get_page(priya, "/portal/projects/voice-bot"))
    assert list(promises) == ["voice-bot-launch"]
    assert "85% confidence target" in promises["voice-bot-launch"]
    assert "85% likely by" in promises["voice-bot-launch"]


# --- no news before the team tells it ------------------------------------------------------


def test_a_slip_shows_only_once_the_client_is_told(
    marcus: TestClient, beth: TestClient, demo_keepword: Keepword
) -> None:
    before = _promises(get_page(marcus, "/portal/projects/pitchwell-app"))["pitchwell-v1"]
    _post(beth, f"/scenarios/{SCENARIO}/apply")
    signal = next(s for s in beth.get(API + "/signals").json() if s["commitment"] == "pitchwell-v1")
    draft = _post(beth, f"/signals/{signal['id']}/draft", status=201)["message"]

    page = get_page(marcus, "/portal/projects/pitchwell-app")
    untold = _promises(page)["pitchwell-v1"]
    # The range the promise was made on, said to be that; not the new forecast, nor the draft.
    assert "between Thu 31 Dec 2026 and Thu 14 Jan 2027" in untold
    assert "As last shared" in untold
    assert draft["subject"] not in _text(page)
    api = marcus.get(API + "/portal/projects/pitchwell-app").json()
    assert api["commitments"][0]["basis"] == "as last shared"
    assert api["messages"] == []

    _post(beth, f"/messages/{draft['id']}/send")
    status = _post(beth, "/drafts", {"commitment": "pitchwell-v1", "kind": "status"}, 201)
    page = get_page(marcus, "/portal/projects/pitchwell-app")
    told = _promises(page)["pitchwell-v1"]
    assert "Current forecast" in told
    assert told not in (before, untold)  # the new range, four weeks on
    subjects = [h.get_text(strip=True) for h in page.select(".message .subject")]
    assert subjects == [draft["subject"]]
    assert status["message"]["subject"] not in _text(page)
    # Outside the message the team sent, still no one's name.
    for body in page.select(".message-body"):
        body.decompose()
    text = _text(page)
    for word in _internal_words(_portfolio(demo_keepword), "pitchwell"):
        assert word not in text, word


def test_a_message_reads_as_formatted_text_and_runs_nothing_typed_into_it(
    marcus: TestClient, beth: TestClient
) -> None:
    _post(beth, f"/scenarios/{SCENARIO}/apply")
    signal = next(s for s in beth.get(API + "/signals").json() if s["commitment"] == "pitchwell-v1")
    draft = _post(beth, f"/signals/{signal['id']}/draft", status=201)["message"]
    typed = draft["body"] + "\n\n<script>alert('x')</script> [link](javascript:alert(1))\n"
    _post(beth, f"/messages/{draft['id']}/send", {"body": typed})
    page = get_page(marcus, "/portal/projects/pitchwell-app")
    body = one(page, ".message-body")
    assert "##" not in body.get_text()  # headings are headings, not Markdown marks
    assert body.select("h2, h3, p")
    assert body.select_one("script") is None
    assert "<script>alert('x')</script>" in body.get_text()  # shown as the text it is
    assert all(not str(a.get("href", "")).startswith("javascript") for a in body.select("a"))


# --- incidents -----------------------------------------------------------------------------


def test_an_incident_shows_its_impact_our_part_and_the_recovery_steps(
    priya: TestClient, marcus: TestClient, beth: TestClient
) -> None:
    _post(
        beth,
        "/incidents",
        {
            "project": "voice-bot",
            "title": "Test calls dropped during the member pilot",
            "impact": "Forty members were cut off mid-call",
            "own_factors": ["We skipped the load test on the telephony bridge"],
            "steps": [
                {"action": "Call the contact centre and apologise", "due": "2026-11-23T15:00"}
            ],
            "occurred_at": "2026-11-23T08:00:00Z",
        },
        status=201,
    )
    page = get_page(priya, "/portal/projects/voice-bot")
    incident = _text(one(page, ".incident"))
    assert "Test calls dropped during the member pilot" in incident
    assert "Forty members were cut off mid-call" in incident
    assert "We skipped the load test on the telephony bridge" in incident
    assert "Call the contact centre and apologise" in incident
    assert "to do" in incident
    (shown,) = priya.get(API + "/portal/projects/voice-bot").json()["incidents"]
    assert [s["status"] for s in shown["steps"]] == ["todo"]
    assert "Test calls dropped" not in marcus.get("/portal/projects/pitchwell-app").text


# --- one client's records never reach another ---------------------------------------------


def _incident_on(client: TestClient, project: str, title: str) -> str:
    body = {
        "project": project,
        "title": title,
        "impact": "The pilot stopped for an afternoon",
        "own_factors": ["We shipped without the load test"],
        "steps": [],
        "occurred_at": "2026-11-23T08:00:00Z",
    }
    return str(_post(client, "/incidents", body, status=201)["id"])


def test_a_message_to_one_client_cannot_carry_another_clients_incident(
    beth: TestClient, priya: TestClient, demo_keepword: Keepword
) -> None:
    pitchwells = _incident_on(beth, "pitchwell-app", "Pitchwell's dashboard went blank")
    before = len(beth.get(API + "/messages").json())
    for kind in ("recovery", "status", "delay", "phased-plan"):
        refused = beth.post(
            API + "/drafts",
            json={"incident": pitchwells, "commitment": "voice-bot-launch", "kind": kind},
        )
        assert refused.status_code == 422, (kind, refused.text)
        assert f"incident {pitchwells} is about project pitchwell-app" in refused.text
    assert len(beth.get(API + "/messages").json()) == before  # nothing drafted
    assert "Pitchwell" not in priya.get(API + "/portal/projects/voice-bot").text
    # Its own client's message may tell it.
    own = _post(beth, "/drafts", {"incident": pitchwells, "kind": "recovery"}, 201)
    assert own["message"]["project"] == "pitchwell-app"


def test_a_project_moved_to_another_client_takes_no_earlier_messages_or_incidents(
    beth: TestClient, marcus: TestClient, priya: TestClient
) -> None:
    incident = _incident_on(beth, "voice-bot", "Calder's test calls dropped")
    sent = _post(beth, "/drafts", {"commitment": "voice-bot-launch", "kind": "status"}, 201)
    _post(beth, f"/messages/{sent['message']['id']}/send")
    unsent = _post(beth, "/drafts", {"commitment": "voice-bot-launch", "kind": "status"}, 201)
    shown = priya.get(API + "/portal/projects/voice-bot").json()
    assert [m["subject"] for m in shown["messages"]] == [sent["message"]["subject"]]
    assert [i["title"] for i in shown["incidents"]] == ["Calder's test calls dropped"]

    project = beth.get(API + "/projects/voice-bot").json()
    moved = {k: project[k] for k in ("name", "start", "lead", "disclosure_target")}
    response = beth.put(API + "/projects/voice-bot", json={**moved, "client": "pitchwell"})
    assert response.status_code == 200, response.text

    now_pitchwells = marcus.get(API + "/portal/projects/voice-bot").json()
    assert now_pitchwells["messages"] == []
    assert now_pitchwells["incidents"] == []
    page = get_page(marcus, "/portal/projects/voice-bot")
    assert "Calder's test calls dropped" not in _text(page)
    assert sent["message"]["subject"] not in _text(page)
    # Calder & Wye's draft cannot go to Pitchwell, nor its incident into a new message.
    refused = beth.post(API + f"/messages/{unsent['message']['id']}/send")
    assert refused.status_code == 422, refused.text
    assert "drafted for another client" in refused.text
    refused = beth.post(API + "/drafts", json={"incident": incident, "kind": "recovery"})
    assert refused.status_code == 422, refused.text
    assert "another client's" in refused.text
    # A status message drafted now is Pitchwell's, and leaves the old incident out.
    fresh = _post(beth, "/drafts", {"commitment": "voice-bot-launch", "kind": "status"}, 201)
    assert "Calder's test calls dropped" not in fresh["message"]["body"]
    _post(beth, f"/messages/{fresh['message']['id']}/send")
    shown = marcus.get(API + "/portal/projects/voice-bot").json()
    assert [m["subject"] for m in shown["messages"]] == [fresh["message"]["subject"]]
