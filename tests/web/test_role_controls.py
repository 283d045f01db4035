"""Each page offers a role only the buttons and links it may use: none answers 403."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.domain.access import Role
from keepword.web.app import create_app
from tests.web.accounts import BY_ROLE, client_as
from tests.web.html import get_page


@pytest.fixture
def app(demo_keepword: Keepword) -> object:
    return create_app(demo_keepword)


@pytest.fixture
def lead(app: object) -> Iterator[TestClient]:
    yield from client_as(app, BY_ROLE[Role.DELIVERY_LEAD])


@pytest.fixture
def executive(app: object) -> Iterator[TestClient]:
    yield from client_as(app, BY_ROLE[Role.EXECUTIVE])


@pytest.fixture
def engineer(app: object) -> Iterator[TestClient]:
    yield from client_as(app, BY_ROLE[Role.ENGINEER])


def test_an_executive_reads_signals_and_asks_the_gate_but_is_offered_no_action(
    lead: TestClient, executive: TestClient
) -> None:
    signal = lead.get("/api/v1/signals").json()[0]["id"]
    assert get_page(lead, f"/signals/{signal}").select_one("form[action$='/draft']")
    assert get_page(executive, f"/signals/{signal}").select_one("form[action$='/draft']") is None
    gate = get_page(executive, "/gate")
    assert gate.select_one("input[name=record]") is None  # asking is theirs, recording is not
    scenario = "/whatif/scenarios/core-platform-security-fix"
    assert get_page(lead, scenario).select_one("form[action$='/apply']")
    assert get_page(executive, scenario).select_one("form[action$='/apply']") is None


def test_an_engineer_sees_incidents_without_recording_or_closing_steps(
    lead: TestClient, engineer: TestClient
) -> None:
    recorded = lead.post(
        "/api/v1/incidents",
        json={"project": "voice-bot", "title": "Outage", "impact": "Calls dropped for an hour"},
    )
    assert recorded.status_code == 201, recorded.text
    incident = recorded.json()["id"]
    listing = get_page(engineer, "/incidents")
    assert listing.select_one("a[href='/incidents/new']") is None
    page = get_page(engineer, f"/incidents/{incident}")
    assert page.select_one("form[action*='/steps/']") is None
    assert get_page(lead, f"/incidents/{incident}").select_one("form[action*='/steps/']")
