"""Creating and editing the plan over the JSON API: 201 and the entity, a 422 naming the
field (an unknown one too), a 404 for an unknown id, nothing written on error; PUT replaces
every editable field, so it needs them all."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.services.portfolio import current_portfolio
from tests.web.conftest import event_count

API = "/api/v1"


def fields_of(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    return {f["field"]: f["message"] for f in response.json()["error"]["fields"]}


def editable(public: dict[str, Any], *read_only: str) -> dict[str, Any]:
    """An entity as answered, without its id and the fields a PUT does not take."""
    return {k: v for k, v in public.items() if k not in ("id", *read_only)}


def test_a_client_is_created_listed_and_edited(web: TestClient, demo_keepword: Keepword) -> None:
    seen = event_count(demo_keepword)
    created = web.post(f"{API}/clients", json={"id": "globex", "name": "Globex"})
    assert created.status_code == 201, created.text
    assert created.json() == {
        "id": "globex",
        "name": "Globex",
        "contact": None,
        "time_zone": "UTC",
        "first_contact_weekends": True,
    }
    body = {**editable(created.json()), "contact": "Hank", "time_zone": "America/Chicago"}
    edited = web.put(f"{API}/clients/globex", json=body)
    assert edited.status_code == 200, edited.text
    listed = {c["id"]: c for c in web.get(f"{API}/clients").json()}
    assert (listed["globex"]["contact"], listed["globex"]["time_zone"]) == (
        "Hank",
        "America/Chicago",
    )
    unknown = web.put(f"{API}/clients/globex", json={**body, "time_zone": "Mars/Olympus"})
    assert "unknown time zone" in fields_of(unknown)["time_zone"]
    assert event_count(demo_keepword) == seen + 2


def test_a_person_keeps_their_time_off_across_an_edit(web: TestClient) -> None:
    body = {"id": "zoe", "name": "Zoe Quinn", "skills": ["qa"], "country": "GB"}
    assert web.post(f"{API}/people", json=body).status_code == 201
    lucia = next(p for p in web.get(f"{API}/people").json() if p["id"] == "lucia")
    assert lucia["time_off"]
    edit = {k: v for k, v in lucia.items() if k not in ("id", "time_off")}
    edited = web.put(f"{API}/people/lucia", json={**edit, "working_days": ["mon", "tue"]})
    assert edited.status_code == 200, edited.text
    assert edited.json()["working_days"] == ["mon", "tue"]
    assert edited.json()["time_off"] == lucia["time_off"]


def test_a_project_its_phase_item_allocation_and_proposal(
    web: TestClient, demo_keepword: Keepword
) -> None:
    project = {"id": "kiosk", "client": "pitchwell", "name": "Kiosk", "start": "2026-11-30"}
    added = web.post(f"{API}/projects", json=project)
    assert added.status_code == 201
    renamed = web.put(f"{API}/projects/kiosk", json={**editable(added.json()), "name": "Kiosk app"})
    assert renamed.json()["name"] == "Kiosk app"
    phase = web.post(f"{API}/projects/kiosk/phases", json={"id": "mvp", "name": "MVP"})
    assert phase.status_code == 201
    assert web.put(f"{API}/projects/kiosk/phases/mvp", json={"name": "First"}).status_code == 200
    item = {"id": "screens", "title": "Screens", "phase": "mvp", "skill": "frontend",
            "optimistic": 2, "likely": 3, "pessimistic": 6}  # fmt: skip
    created = web.post(f"{API}/projects/kiosk/items", json=item)
    assert created.status_code == 201, created.text
    assert created.json()["added"] == "2026-11-23"
    started = {**editable(created.json(), "project", "added"), "status": "in_progress",
               "started": "2026-11-23"}  # fmt: skip
    assert web.put(f"{API}/projects/kiosk/items/screens", json=started).status_code == 200
    assert [i["status"] for i in web.get(f"{API}/projects/kiosk/items").json()] == ["in_progress"]
    assert [p["name"] for p in web.get(f"{API}/projects/kiosk/phases").json()] == ["First"]

    allocation = {"person": "owen", "project": "kiosk", "fraction": 0.2,
                  "start": "2026-11-30", "end": "2027-01-29"}  # fmt: skip
    assert web.post(f"{API}/allocations", json=allocation).status_code == 201
    moved = web.put(
        f"{API}/allocations/owen/kiosk/2026-11-30",
        json={
            "fraction": 0.4,
            "start": "2026-12-07",
            "end": "2027-01-29",
            "over_allocation": False,
        },
    )
    assert moved.status_code == 200, moved.text
    mine = web.get(f"{API}/allocations", params={"project": "kiosk"}).json()
    assert [(a["fraction"], a["start"]) for a in mine] == [(0.4, "2026-12-07")]

    proposal = {"id": "kiosk-mvp", "project": "kiosk", "title": "Kiosk MVP",
                "due": "2027-01-29", "phases": ["mvp"]}  # fmt: skip
    proposed = web.post(f"{API}/commitments", json=proposal)
    assert proposed.status_code == 201, proposed.text
    assert proposed.json()["state"] == "proposed"
    terms = editable(proposed.json(), "state")
    later = web.put(f"{API}/commitments/kiosk-mvp", json={**terms, "due": "2027-02-12"})
    assert later.json()["due"] == "2027-02-12"
    assert current_portfolio(demo_keepword.uow).commitment("kiosk-mvp").due.isoformat() == (
        "2027-02-12"
    )


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/clients", {"id": "pitchwell", "name": "Again"}, "id"),
        ("/people", {"id": "zoe", "name": "Zoe", "skills": ["juggling"]}, "skills"),
        ("/projects", {"id": "x", "client": "nobody", "name": "X", "start": "2026-12-01"},
         "client"),
        ("/projects/voice-bot/items",
         {"id": "x", "title": "X", "optimistic": 5, "likely": 6, "pessimistic": 2}, "pessimistic"),
        ("/allocations", {"person": "nobody", "project": "voice-bot", "fraction": 0.5,
                          "start": "2026-12-01", "end": "2026-12-31"}, "person"),
        ("/allocations", {"person": "owen", "project": "voice-bot", "fraction": 0.2,
                          "start": "2026-12-31", "end": "2026-12-01"}, "end"),
        ("/commitments", {"id": "x", "project": "voice-bot", "title": "X", "due": "2027-01-01",
                          "confidence": 1.5}, "confidence"),
        ("/projects", {"id": "x", "client": "pitchwell", "name": "X", "start": "soon"}, "start"),
    ],
)  # fmt: skip
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(
    web: TestClient, demo_keepword: Keepword, url: str, body: dict[str, Any], field: str
) -> None:
    seen = event_count(demo_keepword)
    response = web.post(API + url, json=body)
    body_fields = fields_of(response)
    assert field in body_fields, body_fields
    assert response.json()["error"]["code"] == "invalid"
    assert event_count(demo_keepword) == seen


def test_a_committed_promise_refuses_a_new_due_date(
    web: TestClient, demo_keepword: Keepword
) -> None:
    seen = event_count(demo_keepword)
    committed = next(
        c
        for c in web.get(f"{API}/projects/pitchwell-app").json()["commitments"]
        if c["id"] == "pitchwell-v1"
    )
    terms = {**editable(committed, "state", "baseline", "approved_by"), "due": "2027-04-30"}
    fields = fields_of(web.put(f"{API}/commitments/pitchwell-v1", json=terms))
    assert "renegotiat" in fields["due"]
    assert event_count(demo_keepword) == seen


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/clients/nobody", {"name": "N", "contact": None, "time_zone": "UTC",
                             "first_contact_weekends": True}),
        ("/people/nobody", {"name": "N", "email": None, "skills": [], "country": None,
                            "subdivision": None, "working_days": ["mon"]}),
        ("/projects/nothing", {"client": "pitchwell", "name": "N", "start": "2026-12-01",
                               "lead": None, "disclosure_target": None}),
        ("/projects/nothing/phases/x", {"name": "N"}),
        ("/projects/voice-bot/items/nothing",
         {"title": "N", "phase": None, "skill": None, "optimistic": None, "likely": None,
          "pessimistic": None, "depends_on": [], "status": "todo", "started": None,
          "done": None}),
        ("/allocations/owen/voice-bot/2026-11-30",
         {"fraction": 0.1, "start": "2026-11-30", "end": "2026-12-30", "over_allocation": False}),
        ("/commitments/nothing", {"project": "voice-bot", "title": "N", "due": "2027-01-01",
                                  "phases": [], "confidence": 0.85, "made_by": None,
                                  "made_to": None, "made_on": None, "fixed_date": False}),
    ],
)  # fmt: skip
def test_an_unknown_id_is_a_404(web: TestClient, url: str, body: dict[str, Any]) -> None:
    response = web.put(API + url, json=body)
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"


CLOCK = {"time_zone": "Europe/London", "first_contact_weekends": True}


def _contact(keepword: Keepword, client: str) -> str | None:
    return current_portfolio(keepword.uow).client(client).contact


def test_an_unknown_field_is_a_422_naming_it_and_erases_nothing(
    web: TestClient, demo_keepword: Keepword
) -> None:
    seen, contact = event_count(demo_keepword), _contact(demo_keepword, "brightwater")
    assert contact
    typo = {"name": "Brightwater Utilities", "contact": contact, **CLOCK, "contakt": "x"}
    fields = fields_of(web.put(f"{API}/clients/brightwater", json=typo))
    assert set(fields) == {"contakt"}
    created = fields_of(web.post(f"{API}/clients", json={"id": "g", "name": "G", "nmae": "G"}))
    assert set(created) == {"nmae"}
    assert _contact(demo_keepword, "brightwater") == contact
    assert event_count(demo_keepword) == seen


def test_a_put_left_without_a_field_is_a_422_naming_it_not_a_reset(
    web: TestClient, demo_keepword: Keepword
) -> None:
    contact = _contact(demo_keepword, "brightwater")
    fields = fields_of(web.put(f"{API}/clients/brightwater", json={"name": "Brightwater", **CLOCK}))
    assert set(fields) == {"contact"}
    assert _contact(demo_keepword, "brightwater") == contact
    # Null is a value: the contact is removed only when asked.
    cleared = web.put(
        f"{API}/clients/brightwater",
        json={
            "name": "Brightwater",
            "contact": None,
            "time_zone": "Europe/London",
            "first_contact_weekends": True,
        },
    )
    assert cleared.status_code == 200, cleared.text
    assert _contact(demo_keepword, "brightwater") is None


def test_every_plan_route_is_in_the_openapi_document(web: TestClient) -> None:
    paths = web.get(f"{API}/openapi.json").json()["paths"]
    assert paths["/clients"]["post"]["responses"]["201"]["content"]
    edits = ("/people/{person_id}", "/projects/{project_id}/items/{item_id}",
             "/allocations/{person}/{project}/{start}", "/commitments/{commitment_id}")  # fmt: skip
    for path in edits:
        assert "422" in paths[path]["put"]["responses"]
        assert "200" in paths[path]["put"]["responses"]
    schemas = web.get(f"{API}/openapi.json").json()["components"]["schemas"]
    for name in ("ClientUpdate", "PersonUpdate", "ItemUpdate", "CommitmentUpdate"):
        assert set(schemas[name]["required"]) == set(schemas[name]["properties"]), name
        assert schemas[name]["additionalProperties"] is False, name
