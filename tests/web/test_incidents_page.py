"""Incidents (W3) as pages, parsed as HTML: record one, tick a step, see it done."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from tests.web.conftest import event_count
from tests.web.html import get_page, one, soup

# Early on the demo's Monday: first contact is due 09:00 the next morning in Oslo.
FAILED = {
    "project": "freighttech-demo",
    "commitment": "freighttech-keynote",
    "title": "Live demo stopped on the rehearsal stage",
    "impact": "Halden's CDO watched the rehearsal demo stop in front of the event team.",
    "own_factors": "We built on a preview API without a fallback.\nWe kept adding features.",
    "steps": "Rebuild the demo resilient to platform failures @ 2026-12-14 17:00",
    "occurred_at": "2026-11-23T07:30",  # Monday 08:30 in Oslo, where Halden Freight is
}


def _record(client: TestClient) -> str:
    response = client.post("/incidents", data=FAILED, follow_redirects=False)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith("/incidents/")
    return location


def test_no_incidents_after_the_demo_load(web: TestClient) -> None:
    page = get_page(web, "/incidents")
    assert page.select_one("#incidents") is None
    assert one(page, "a[href='/incidents/new']")


def test_the_new_incident_form_has_its_fields(web: TestClient) -> None:
    form = one(get_page(web, "/incidents/new"), "form#incident-form")
    assert form["action"] == "/incidents"
    names = {field["name"] for field in form.select("[name]:not([type=hidden])")}
    assert names == {
        "project",
        "commitment",
        "title",
        "impact",
        "own_factors",
        "steps",
        "occurred_at",
    }
    assert one(form, "[name=occurred_at]")["value"] == "2026-11-23T09:00"


def test_a_recorded_incident_shows_its_steps_with_the_first_contact_added(
    web: TestClient,
) -> None:
    page = get_page(web, _record(web))
    assert "Live demo stopped on the rehearsal stage" in one(page, "h1").get_text()
    assert "event team" in one(page, "#impact").get_text()
    assert len(page.select("#own-factors li")) == 2
    rows = page.select("#steps tbody tr")
    actions = [one(r, "td.action").get_text() for r in rows]
    assert actions[0].startswith("First contact with the client")
    assert actions[1].startswith("Rebuild the demo")
    first_due = one(rows[0], "td.date time")["datetime"]
    # 09:00 the next morning on Halden's clock (Oslo, an hour ahead of UTC).
    assert str(first_due).startswith("2026-11-24T08:00")
    assert all(r["data-status"] == "todo" for r in rows)
    assert all(one(r, "td.owner").get_text() for r in rows)
    assert one(page, "#first-contact")["data-state"] == "open"


def test_the_list_shows_project_client_when_first_contact_and_steps(web: TestClient) -> None:
    incident = _record(web).rsplit("/", 1)[1]
    row = one(get_page(web, "/incidents"), f"#incidents tr[data-incident='{incident}']")
    assert one(row, "td.project a")["href"] == "/projects/freighttech-demo"
    assert one(row, "td.client").get_text(strip=True)
    assert "rehearsal stage" in one(row, "td.title").get_text()
    assert one(row, "td.date time")["datetime"] == "2026-11-23T07:30:00+00:00"
    contact = one(row, "td.first-contact")
    assert contact["data-state"] == "open"
    assert str(one(contact, "time")["datetime"]).startswith("2026-11-24T08:00")
    assert one(row, "td.steps").get_text(strip=True) == "0/2"


def test_marking_a_step_done_redirects_back_and_shows_it_done(
    web: TestClient, demo_keepword: Keepword
) -> None:
    location = _record(web)
    page = get_page(web, location)
    button = one(page, "#steps tr[data-step='1'] form")
    assert button["action"] == f"{location}/steps/1/done"
    done = web.post(str(button["action"]), follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == location
    page = get_page(web, location)
    first = one(page, "#steps tr[data-step='1']")
    assert first["data-status"] == "done"
    assert one(first, "td.done time")["datetime"] == "2026-11-23T09:00:00+00:00"
    assert first.select_one("form") is None
    assert one(page, "#steps tr[data-step='2']")["data-status"] == "todo"
    assert one(page, "#first-contact")["data-state"] == "met"
    row = one(get_page(web, "/incidents"), "#incidents tbody tr")
    assert one(row, "td.steps").get_text(strip=True) == "1/2"
    events = event_count(demo_keepword)
    again = web.post(str(button["action"]), follow_redirects=False)
    assert again.status_code == 409  # already done: a conflict, as in the API
    assert event_count(demo_keepword) == events


def test_an_unknown_incident_is_a_404_page(web: TestClient) -> None:
    assert web.get("/incidents/I-99").status_code == 404
    assert web.post("/incidents/I-99/steps/1/done", follow_redirects=False).status_code == 404


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"project": ""}, "project", "choose the project"),
        ({"project": "nope", "commitment": ""}, "project", "no project with id 'nope'"),
        ({"commitment": "pitchwell-v1"}, "commitment", "has no commitment 'pitchwell-v1'"),
        ({"title": "  "}, "title", "say what went wrong"),
        ({"impact": ""}, "impact", "what it did to the client"),
        ({"occurred_at": "2026-11-24T10:00"}, "occurred_at", "in the future"),
        ({"occurred_at": "yesterday"}, "occurred_at", "is not YYYY-MM-DD"),
        ({"steps": "Rebuild the demo"}, "steps", "line 1: write 'ACTION @"),
        ({"steps": "Rebuild @ soon"}, "steps", "'soon' is not YYYY-MM-DD"),
        ({"steps": "Rebuild @ 2026-11-19 12:00"}, "steps", "before the incident itself"),
    ],
    ids=[
        "no-project",
        "unknown-project",
        "commitment-of-another-project",
        "no-title",
        "no-impact",
        "in-the-future",
        "not-a-time",
        "step-without-time",
        "step-with-a-bad-time",
        "step-before-the-incident",
    ],
)
def test_bad_input_is_shown_beside_its_field_with_422_and_writes_nothing(
    web: TestClient, demo_keepword: Keepword, data: dict[str, str], field: str, message: str
) -> None:
    events = event_count(demo_keepword)
    response = web.post("/incidents", data={**FAILED, **data}, follow_redirects=False)
    assert response.status_code == 422
    page = soup(response.text)
    assert message in one(page, f"span.field-error#{field}-error").get_text()
    assert one(page, f"#incident-form [name={field}]")["aria-invalid"] == "true"
    assert len(page.select(".field-error")) == 1
    # What was typed is kept.
    assert one(page, "#incident-form [name=impact]").get_text() == {**FAILED, **data}["impact"]
    assert event_count(demo_keepword) == events
    assert get_page(web, "/incidents").select_one("#incidents") is None


def test_the_incident_shows_the_warnings_raised_before_it(web: TestClient) -> None:
    # The demo loads with the keynote's warning signs raised (fixed date, growing scope, an
    # unstable dependency), never told: the incident on that promise shows them.
    at_nine = web.post("/incidents", data={**FAILED, "occurred_at": "2026-11-23T09:00"})
    assert at_nine.status_code == 200, at_nine.text  # followed to the incident's page
    page = soup(at_nine.text)
    warnings = one(page, "#warnings")
    items = warnings.select("li[data-signal]")
    assert items
    assert any("never told" in li.get_text() for li in items)
    assert all(one(li, "a")["href"] == f"/signals/{li['data-signal']}" for li in items)


def test_a_reader_who_may_not_read_signals_sees_no_warnings(
    web: TestClient, demo_keepword: Keepword
) -> None:
    from keepword.domain.access import Role
    from keepword.web.app import create_app
    from tests.web.accounts import BY_ROLE, log_in

    location = _record(web)
    with TestClient(create_app(demo_keepword)) as engineer:
        log_in(engineer, BY_ROLE[Role.ENGINEER])
        page = get_page(engineer, location)
    assert page.select_one("#warnings") is None
