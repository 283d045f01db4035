"""The JSON API under /api/v1, over the demo as of its Monday, 2026-11-23."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.domain.portfolio import Portfolio
from keepword.services import portfolio as portfolio_service
from keepword.web.app import create_app
from tests.web.accounts import log_in

API = "/api/v1"
SCENARIO = "core-platform-security-fix"
FAST = {"trials": 2000}  # enough for the demo's stories, quick enough for a test

OUR_PATHS = {
    "/portfolio": {"get"},
    "/portal/projects": {"get"},
    "/portal/projects/{project_id}": {"get"},
    "/projects": {"get"},
    "/projects/{project_id}": {"get"},
    "/projects/{project_id}/forecast": {"get"},
    "/projects/{project_id}/charts": {"get"},
    "/events": {"get"},
    "/projects/{project_id}/events": {"get"},
    "/proposals": {"post"},
    "/commitments/{commitment_id}/approve": {"post"},
    "/commitments/{commitment_id}/commit": {"post"},
    "/commitments/{commitment_id}/close": {"post"},
    "/scenarios": {"get"},
    "/scenarios/{scenario_id}/whatif": {"get"},
    "/scenarios/{scenario_id}/apply": {"post"},
    "/whatif": {"post"},
    "/whatif/apply": {"post"},
    "/signals": {"get"},
    "/signals/{signal_id}": {"get"},
    "/signals/review": {"post"},
    "/signals/{signal_id}/draft": {"post"},
    "/drafts": {"post"},
    "/drafts/check": {"post"},
    "/messages/{message_id}/send": {"post"},
    "/messages": {"get"},
    "/messages/{message_id}": {"get"},
    "/incidents": {"get", "post"},
    "/incidents/{incident_id}": {"get"},
    "/incidents/{incident_id}/steps/{number}/done": {"post"},
    "/projects/{project_id}/items/{item_id}/start": {"post"},
    "/projects/{project_id}/items/{item_id}/done": {"post"},
    "/people/{person_id}/time-off": {"post"},
}


def _get(web: TestClient, url: str, **params: Any) -> Any:
    response = web.get(API + url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _post(web: TestClient, url: str, body: Any = None, status: int = 200, **params: Any) -> Any:
    response = web.post(API + url, json=body, params=params)
    assert response.status_code == status, response.text
    return response.json()


def _event_count(web: TestClient) -> int:
    return len(_get(web, "/events", limit=1000))


def _assert_error(body: Any, status: int, code: str) -> list[dict[str, str]]:
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "fields"}
    assert (error["status"], error["code"]) == (status, code)
    assert error["message"]
    fields: list[dict[str, str]] = error["fields"]
    return fields


# --- the portfolio and projects ------------------------------------------------------------


def test_portfolio_lists_every_commitment_with_odds_and_health(
    web: TestClient, demo_portfolio: Portfolio
) -> None:
    rows = _get(web, "/portfolio")
    assert {r["commitment_id"] for r in rows} == {c.id for c in demo_portfolio.commitments}
    launch = next(r for r in rows if r["commitment_id"] == "voice-bot-launch")
    assert launch["client"] == "Calder & Wye Building Society"
    assert (launch["due"], launch["state"], launch["confidence"]) == (
        "2027-01-18",
        "proposed",
        0.85,
    )
    assert launch["on_time"] < 0.02
    assert launch["health"] == "off_track"
    for row in rows:
        assert row["on_time"] is None or 0 <= row["on_time"] <= 1
        assert row["p50"] is None or row["p50"] <= row["p85"]
        assert row["open_signals"] >= row["overdue_signals"] >= 0
    keynote = next(r for r in rows if r["commitment_id"] == "freighttech-keynote")
    assert keynote["open_signals"] >= 1  # the demo's W3 story: scope grew, unstable platform


def test_portfolio_filters_by_client(web: TestClient) -> None:
    rows = _get(web, "/portfolio", client="pitchwell")
    assert [r["commitment_id"] for r in rows] == ["pitchwell-v1"]


def test_projects_and_one_project_with_its_plan(web: TestClient, demo_portfolio: Portfolio) -> None:
    projects = _get(web, "/projects")
    assert {p["id"] for p in projects} == {p.id for p in demo_portfolio.projects}
    project = _get(web, "/projects/voice-bot")
    assert [p["id"] for p in project["phases"]] == [
        "call-flows",
        "understanding",
        "self-service",
        "handoff-golive",
    ]
    assert len(project["items"]) == 34
    assert {i["status"] for i in project["items"]} <= {"todo", "in_progress", "done"}
    assert project["allocations"]
    assert all(0 < a["fraction"] <= 1 for a in project["allocations"])
    assert [c["id"] for c in project["commitments"]] == ["voice-bot-launch"]


def test_a_forecast_gives_dates_and_odds_of_the_whole_phases_and_commitments(
    web: TestClient,
) -> None:
    forecast = _get(web, "/projects/pitchwell-app/forecast", seed=7, **FAST)
    assert (forecast["trials"], forecast["seed"]) == (2000, 7)
    whole = forecast["whole"]
    assert whole["p50"] <= whole["p85"] <= whole["p95"]
    assert forecast["phases"]
    (v1,) = forecast["commitments"]
    assert v1["id"] == "pitchwell-v1"
    assert 0.5 < v1["on_time"] <= 1
    assert forecast["critical_items"]
    assert {p["id"] for p in forecast["critical_people"]} >= {"ravi"}
    again = _get(web, "/projects/pitchwell-app/forecast", seed=7, **FAST)
    assert again == forecast  # the same seed, the same answer


def test_a_projects_charts_are_the_pages_vega_lite_specs(web: TestClient) -> None:
    found = _get(web, "/projects/voice-bot/charts")
    assert [c["name"] for c in found] == ["burn-up-voice-bot", "finish-voice-bot"]
    for chart in found:
        assert chart["title"].startswith("Member voice bot")
        assert chart["description"]
        assert "vega-lite" in chart["spec"]["$schema"]
        assert chart["spec"]["layer"]


def test_events_newest_first_and_by_project(web: TestClient) -> None:
    events = _get(web, "/events", limit=5)
    assert len(events) == 5
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)
    assert events[0]["at"].endswith("Z")
    commitments = _get(web, "/events", entity="commitment", limit=100)
    assert commitments
    assert {e["entity"] for e in commitments} == {"commitment"}
    mine = _get(web, "/projects/voice-bot/events", limit=1000)
    assert mine
    assert any(e["entity_id"] == "voice-bot-launch" for e in mine)
    assert not any(e["entity_id"].startswith("pitchwell-app") for e in mine)


# --- the gate ------------------------------------------------------------------------------


def test_the_voice_bot_gate_for_11_january_answers_under_one_percent(web: TestClient) -> None:
    before = _event_count(web)
    answer = _post(web, "/proposals", {"project": "voice-bot", "due": "2027-01-11", **FAST})
    assert answer["on_time"] < 0.01
    assert not answer["meets_target"]
    assert answer["at_confidence"] > "2027-01-11"
    assert answer["cut_line"] == ["call-flows", "understanding", "self-service"]
    assert [p["fits"] for p in answer["phases"]] == [True, True, True, False]
    assert answer["move_date"]["date"] == answer["at_confidence"]
    assert answer["move_date"]["reaches"]
    assert answer["cut_scope"] is not None
    assert answer["add_capacity"] is not None
    assert [line["label"] for line in answer["option_lines"]] == [
        "Move the date",
        "Cut scope",
        "Add capacity",
    ]
    assert answer["recorded"] is None
    assert _event_count(web) == before  # asking records nothing


def test_a_recorded_proposal_can_be_committed_once_and_closed(web: TestClient) -> None:
    answer = _post(
        web,
        "/proposals",
        {"project": "voice-bot", "due": "2027-01-11", "record": "voice-bot-feb", **FAST},
    )
    assert answer["recorded"]["state"] == "proposed"
    unacknowledged = web.post(API + "/commitments/voice-bot-feb/commit", params=FAST)
    assert unacknowledged.status_code == 422
    assert "needs a reason" in unacknowledged.json()["error"]["message"]
    reason = {"below_target": "the client's launch event is booked"}
    committed = _post(web, "/commitments/voice-bot-feb/commit", reason, **FAST)
    assert committed["commitment"]["state"] == "committed"
    assert committed["commitment"]["baseline"]["below_target_reason"] == reason["below_target"]
    baseline = committed["commitment"]["baseline"]
    assert baseline["forecast_on"] == "2026-11-23"
    assert baseline["scope_items"] == 34
    assert committed["below_target"]
    assert baseline["on_time"] < 0.85
    again = web.post(API + "/commitments/voice-bot-feb/commit")
    assert again.status_code == 409
    _assert_error(again.json(), 409, "conflict")
    closed = _post(web, "/commitments/voice-bot-feb/close", {"outcome": "met"})
    assert closed["state"] == "met"


def test_an_executive_asks_the_gate_as_on_the_page_but_may_not_record(
    demo_keepword: Keepword,
) -> None:
    # One action per question: asking is "check a commitment at the gate", on the page and
    # here; storing the proposal is "record a proposal", which an executive may not do.
    with TestClient(create_app(demo_keepword)) as executive:
        log_in(executive, "eve")
        asked = {"project": "voice-bot", "due": "2027-02-05", **FAST}
        before = _event_count(executive)
        answer = executive.post(API + "/proposals", json=asked)
        assert answer.status_code == 200, answer.text
        assert answer.json()["recorded"] is None
        refused = executive.post(API + "/proposals", json={**asked, "record": "voice-bot-feb"})
        assert refused.status_code == 403
        assert "an executive may not record a proposal" in refused.text
        assert _event_count(executive) == before
        page = executive.post("/gate", data={**asked, "record": "voice-bot-feb"})
        assert page.status_code == 422
        assert "an executive may not record a proposal" in page.text
        assert _event_count(executive) == before


def test_bad_proposal_fields_are_422_with_each_field_named(web: TestClient) -> None:
    response = web.post(
        API + "/proposals",
        json={"project": "voice-bot", "due": "soon", "confidence": 2, "record": "bad id!"},
    )
    assert response.status_code == 422
    fields = _assert_error(response.json(), 422, "invalid")
    assert {f["field"] for f in fields} == {"due", "confidence", "record"}


def test_an_unknown_team_member_is_a_422_naming_the_team(web: TestClient) -> None:
    body = {"project": "voice-bot", "due": "2027-02-05", "team": ["amara", "ghost"], **FAST}
    response = web.post(API + "/proposals", json=body)
    assert response.status_code == 422, response.text
    fields = _assert_error(response.json(), 422, "invalid")
    assert [f["field"] for f in fields] == ["team"]
    assert "ghost" in fields[0]["message"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"team": []}, "team", "at least one person"),
        ({"team": ["siobhan"]}, "team", "nobody in the team named (siobhan) has skill"),
        ({"due": "2026-11-01"}, "due", "before project 'voice-bot' can start"),
    ],
)
def test_a_question_the_gate_cannot_answer_names_the_part_at_fault(
    web: TestClient, body: dict[str, object], field: str, message: str
) -> None:
    asked = {"project": "voice-bot", "due": "2027-02-05", **FAST, **body}
    response = web.post(API + "/proposals", json=asked)
    assert response.status_code == 422, response.text
    fields = _assert_error(response.json(), 422, "invalid")
    assert [f["field"] for f in fields] == [field]
    assert message in fields[0]["message"]


@pytest.mark.parametrize(("confidence", "status"), [(0.995, 200), (0.005, 200), (0, 422), (1, 422)])
def test_the_confidence_is_strictly_between_0_and_1_as_on_the_page(
    web: TestClient, confidence: float, status: int
) -> None:
    body = {"project": "voice-bot", "due": "2027-02-05", "confidence": confidence, **FAST}
    assert web.post(API + "/proposals", json=body).status_code == status
    params = {"confidence": confidence, **FAST}
    assert web.get(API + "/projects/voice-bot/forecast", params=params).status_code == status


def test_an_unknown_field_is_a_422_naming_it(web: TestClient) -> None:
    body = {"project": "voice-bot", "due": "2027-02-05", "sead": 7, **FAST}
    response = web.post(API + "/proposals", json=body)
    assert response.status_code == 422
    assert [f["field"] for f in _assert_error(response.json(), 422, "invalid")] == ["sead"]
    step = {"action": "Call", "due": "2026-11-23T12:00:00Z", "owner": "amara"}
    incident = {"project": "brightwater-billing", "title": "T", "impact": "I", "steps": [step]}
    response = web.post(API + "/incidents", json=incident)
    assert response.status_code == 422
    assert [f["field"] for f in _assert_error(response.json(), 422, "invalid")] == ["steps.0.owner"]


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", f"/projects/voice-bot/forecast?seed=-1&trials={FAST['trials']}", None),
        ("get", f"/scenarios/{SCENARIO}/whatif?seed=-1", None),
        ("post", "/proposals", {"project": "voice-bot", "due": "2027-02-05", "seed": -1}),
        ("post", "/commitments/voice-bot-launch/commit?seed=-1", None),
        ("post", "/whatif?seed=-1", {"moves": []}),
        ("get", "/projects/voice-bot/forecast?trials=99", None),
        ("post", "/proposals", {"project": "voice-bot", "due": "2027-02-05", "trials": 10**6}),
    ],
)
def test_a_negative_seed_or_too_many_trials_is_a_422_not_a_500(
    web: TestClient, method: str, url: str, body: Any
) -> None:
    response = web.request(method.upper(), API + url, json=body)
    assert response.status_code == 422, response.text
    fields = {f["field"] for f in _assert_error(response.json(), 422, "invalid")}
    assert {f.removeprefix("query.") for f in fields} in ({"seed"}, {"trials"})


def test_an_unexpected_error_is_logged_and_a_500_with_the_one_error_body(
    demo_keepword: Keepword, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("the secret internals of the failure")

    monkeypatch.setattr(portfolio_service, "dashboard", broken)
    with (
        TestClient(create_app(demo_keepword), raise_server_exceptions=False) as client,
        caplog.at_level(logging.ERROR, logger="keepword.web.api"),
    ):
        log_in(client, "beth")
        response = client.get(API + "/portfolio")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    _assert_error(response.json(), 500, "internal")
    assert "secret" not in response.text
    (record,) = [r for r in caplog.records if r.name == "keepword.web.api"]
    assert "GET /api/v1/portfolio" in record.getMessage()
    assert record.exc_info is not None
    assert isinstance(record.exc_info[1], RuntimeError)


# --- watching ------------------------------------------------------------------------------


def test_the_what_if_drops_pitchwell_sharply_and_saves_nothing(web: TestClient) -> None:
    (scenario,) = _get(web, "/scenarios")
    assert scenario["id"] == SCENARIO
    assert {c["kind"] for c in scenario["changes"]} == {"reallocation"}
    before = _event_count(web)
    result = _get(web, f"/scenarios/{SCENARIO}/whatif", **FAST)
    assert result["window"] == {"start": "2026-11-30", "end": "2026-12-25"}
    first = result["commitments"][0]  # most harmed first
    assert first["commitment"] == "pitchwell-v1"
    assert first["before"]["health"] == "on_track"
    assert first["after"]["health"] == "off_track"
    assert first["after"]["on_time"] < 0.5 <= first["before"]["on_time"]
    assert first["slip_days"] > 0
    assert {p["person"] for p in result["still_progressing"]} == {"lucia", "beth"}
    assert _event_count(web) == before
    assert [s["id"] for s in _get(web, "/scenarios")] == [SCENARIO]


def test_applying_the_scenario_writes_events_and_raises_signals_with_clocks(
    web: TestClient,
) -> None:
    before = _event_count(web)
    applied = _post(web, f"/scenarios/{SCENARIO}/apply")
    assert {e["entity"] for e in applied["changes"]} == {"allocation"}
    raised = {(s["commitment"], s["kind"]) for s in applied["signals_raised"]}
    assert raised == {("pitchwell-v1", "capacity_removed"), ("pitchwell-v1", "below_target")}
    assert _event_count(web) > before
    assert _get(web, "/scenarios") == []
    signals = _get(web, "/signals")
    mine = [s for s in signals if s["commitment"] == "pitchwell-v1"]
    assert len(mine) == 2
    for signal in mine:
        clock = signal["clock"]
        assert clock["deadline"] > signal["detected_at"]
        assert clock["elapsed_hours"] >= 0
        assert not clock["overdue"]
        assert not signal["disclosed"]
    gone = web.post(API + f"/scenarios/{SCENARIO}/apply")
    assert gone.status_code == 404


def _scenario_moves(web: TestClient) -> list[dict[str, Any]]:
    """The demo scenario's reallocations as moves, as typed on the what-if page."""
    (scenario,) = _get(web, "/scenarios")
    return [
        {
            "person": c["person"],
            "from_project": c["from_project"],
            "to_project": c["to_project"],
            "start": c["start"],
            "end": c["end"],
            "percent": None if c["fraction"] is None else c["fraction"] * 100,
        }
        for c in scenario["changes"]
    ]


def test_moves_tried_give_the_scenarios_diff_and_save_nothing(web: TestClient) -> None:
    moves = _scenario_moves(web)
    saved = _get(web, f"/scenarios/{SCENARIO}/whatif", **FAST)
    before = _event_count(web)
    tried = _post(web, "/whatif", {"moves": moves}, **FAST)
    assert tried["commitments"] == saved["commitments"]
    assert (tried["window"], tried["touched"]) == (saved["window"], saved["touched"])
    assert tried["scenario"]["id"].startswith("moves-")
    assert _post(web, "/whatif", {"moves": moves}, **FAST)["scenario"] == tried["scenario"]
    assert _event_count(web) == before
    assert [s["id"] for s in _get(web, "/scenarios")] == [SCENARIO]


@pytest.mark.parametrize(
    ("move", "field"),
    [
        ({"person": "ghost"}, "moves.0.person"),
        ({"to_project": "nowhere"}, "moves.0.to_project"),
        ({"percent": 150}, "moves.0.percent"),
        ({"end": "2026-11-01"}, "moves.0.end"),
        ({"start": "soon"}, "moves.0.start"),
        ({"percnt": 50}, "moves.0.percnt"),
    ],
)
def test_a_bad_move_is_a_422_naming_it(web: TestClient, move: dict[str, Any], field: str) -> None:
    (first, *_) = _scenario_moves(web)
    for url in ("/whatif", "/whatif/apply"):
        response = web.post(API + url, json={"moves": [{**first, **move}]})
        assert response.status_code == 422, response.text
        assert field in {f["field"] for f in _assert_error(response.json(), 422, "invalid")}
    none = web.post(API + "/whatif", json={"moves": []})
    assert none.status_code == 422


def test_moves_applied_record_events_and_raise_signals_as_the_scenario_does(
    web: TestClient,
) -> None:
    applied = _post(web, "/whatif/apply", {"moves": _scenario_moves(web)})
    assert applied["scenario"].startswith("moves-")
    assert {e["entity"] for e in applied["changes"]} == {"allocation"}
    raised = {(s["commitment"], s["kind"]) for s in applied["signals_raised"]}
    assert raised == {("pitchwell-v1", "capacity_removed"), ("pitchwell-v1", "below_target")}
    assert [s["id"] for s in _get(web, "/scenarios")] == [SCENARIO]  # the saved one stays
    one = _get(web, f"/signals/{applied['signals_raised'][0]['id']}")
    assert one["id"] == applied["signals_raised"][0]["id"]
    assert one["clock"]["deadline"] > one["detected_at"]
    assert one["clock"]["text"]


def test_the_review_lists_signals_and_rejects_a_bad_stall(web: TestClient) -> None:
    review = _post(web, "/signals/review", {"stall_days": 5})
    assert {s["id"] for s in review["signals"]} == {s["id"] for s in _get(web, "/signals")}
    assert set(review) == {"signals", "raised", "escalated"}
    bad = web.post(API + "/signals/review", json={"stall_days": 0})
    assert bad.status_code == 422
    assert [f["field"] for f in _assert_error(bad.json(), 422, "invalid")] == ["stall_days"]


def test_an_item_done_reforecasts_its_project_only(web: TestClient) -> None:
    done = _post(web, "/projects/pitchwell-app/items/ux-dashboard/done", {"on": "2026-11-23"})
    assert [e["entity_id"] for e in done["changes"]] == ["pitchwell-app/ux-dashboard"]
    assert [r["commitment"] for r in done["reforecast"]] == ["pitchwell-v1"]
    again = web.post(API + "/projects/pitchwell-app/items/ux-dashboard/done")
    assert again.status_code == 409
    _assert_error(again.json(), 409, "conflict")


def test_time_off_reforecasts_the_persons_projects(web: TestClient) -> None:
    off = _post(
        web, "/people/lucia/time-off", {"start": "2026-12-07", "end": "2026-12-18", "reason": "x"}
    )
    assert {r["commitment"] for r in off["reforecast"]} >= {"pitchwell-v1", "core-security-fix"}
    backwards = web.post(
        API + "/people/lucia/time-off", json={"start": "2026-12-18", "end": "2026-12-07"}
    )
    assert backwards.status_code == 422
    assert [f["field"] for f in _assert_error(backwards.json(), 422, "invalid")] == ["end"]


# --- messages ------------------------------------------------------------------------------


def test_a_draft_then_send_stops_that_signals_clock(web: TestClient) -> None:
    _post(web, f"/scenarios/{SCENARIO}/apply")
    signal = next(s for s in _get(web, "/signals") if s["kind"] == "capacity_removed")
    draft = _post(web, f"/signals/{signal['id']}/draft", status=201)
    message = draft["message"]
    assert message["subject"]
    assert message["body"]
    assert signal["id"] in message["answers"]
    assert not message["sent"]
    assert set(draft["check"]) == {"kind", "clean", "findings"}
    assert [m["id"] for m in _get(web, "/messages", sent=False)] == [message["id"]]

    sent = _post(web, f"/messages/{message['id']}/send")
    assert sent["message"]["sent_at"] == "2026-11-23T09:00:00Z"
    assert signal["id"] in {d["signal"] for d in sent["disclosed"]}
    assert signal["id"] not in {s["id"] for s in _get(web, "/signals")}
    told = next(s for s in _get(web, "/signals", all=True) if s["id"] == signal["id"])
    assert told["disclosed"]
    assert told["communication"] == message["id"]
    assert told["clock"]["text"].startswith("told after")
    assert _get(web, f"/signals/{signal['id']}") == told  # one signal, disclosed or not
    assert _get(web, f"/messages/{message['id']}") == sent["message"]
    twice = web.post(API + f"/messages/{message['id']}/send")
    assert twice.status_code == 409


def test_the_live_check_names_what_a_text_lacks_and_what_to_remove(web: TestClient) -> None:
    text = "Hi Marcus,\nUnfortunately the vendor let us down. We hope to finish soon."
    report = _post(web, "/drafts/check", {"text": text, "kind": "delay"})
    assert not report["clean"]
    rules = {(f["rule"], f["kind"]) for f in report["findings"]}
    assert {("new-date", "lacks"), ("apology", "lacks"), ("blame", "avoid")} <= rules
    blame = next(f for f in report["findings"] if f["rule"] == "blame")
    assert blame["line"] == 2
    # The client's own change is not the team's fault: no apology is asked for.
    excused = _post(web, "/drafts/check", {"text": text, "kind": "delay", "at_fault": False})
    assert "apology" not in {f["rule"] for f in excused["findings"]}
    unknown = web.post(API + "/drafts/check", json={"text": text, "signal": "S-999"})
    assert unknown.status_code == 404


def test_an_incident_gets_a_first_contact_and_its_steps_are_done(web: TestClient) -> None:
    incident = _post(
        web,
        "/incidents",
        {
            "project": "brightwater-billing",
            "title": "Sales information file late again",
            "impact": "Billing started four hours late",
            "steps": [{"action": "Re-run the export", "due": "2026-11-23T12:00:00Z"}],
            "occurred_at": "2026-11-23T08:00:00Z",
        },
        status=201,
    )
    actions = [s["action"] for s in incident["steps"]]
    assert any("First contact" in a for a in actions)
    assert [i["id"] for i in _get(web, "/incidents")] == [incident["id"]]
    contact = incident["first_contact"]
    assert (contact["deadline"], contact["state"]) == ("2026-11-24T09:00:00Z", "open")
    assert (contact["met"], contact["done_at"]) == (False, None)
    assert _get(web, f"/incidents/{incident['id']}") == incident
    done = _post(web, f"/incidents/{incident['id']}/steps/1/done")
    assert done["steps"][0]["status"] == "done"
    assert done["steps"][0]["done_at"] == "2026-11-23T09:00:00Z"
    assert done["first_contact"]["state"] == "open"  # step 1 is the export, due first
    called = _post(web, f"/incidents/{incident['id']}/steps/2/done")
    assert called["first_contact"]["state"] == "met"
    assert called["first_contact"]["met"]
    assert called["first_contact"]["done_at"] == "2026-11-23T09:00:00Z"
    assert _get(web, "/incidents")[0]["first_contact"] == called["first_contact"]
    assert web.post(API + f"/incidents/{incident['id']}/steps/1/done").status_code == 409
    assert web.post(API + f"/incidents/{incident['id']}/steps/0/done").status_code == 422


# --- errors and the OpenAPI document -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/projects/no-such"),
        ("get", "/projects/no-such/forecast"),
        ("get", "/projects/no-such/events"),
        ("get", "/scenarios/no-such/whatif"),
        ("post", "/commitments/no-such/commit"),
        ("post", "/signals/S-999/draft"),
        ("post", "/messages/M-999/send"),
        ("post", "/incidents/I-999/steps/1/done"),
        ("post", "/projects/voice-bot/items/no-such/start"),
        ("get", "/no/such/route"),
        ("get", "/projects/no-such/charts"),
        ("get", "/signals/S-999"),
        ("get", "/messages/M-999"),
        ("get", "/incidents/I-999"),
    ],
)
def test_unknown_ids_are_404_with_the_one_error_body(
    web: TestClient, method: str, url: str
) -> None:
    response = web.request(method.upper(), API + url)
    assert response.status_code == 404
    _assert_error(response.json(), 404, "not_found")


def _openapi(web: TestClient) -> dict[str, Any]:
    response = web.get(API + "/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_the_openapi_document_is_3_1_with_every_path(web: TestClient) -> None:
    document = _openapi(web)
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] == "Keepword API"
    assert document["info"]["version"]
    for path, methods in OUR_PATHS.items():
        assert path in document["paths"], path
        assert methods <= set(document["paths"][path]), path
    schemas = document["components"]["schemas"]
    # One name per schema: two models of one name would show as module-qualified names.
    assert not [name for name in schemas if "__" in name]
    refs: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.append(node["$ref"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)
    prefix = "#/components/schemas/"
    assert refs
    assert all(ref.startswith(prefix) and ref[len(prefix) :] in schemas for ref in refs)
    operations = [operation for item in document["paths"].values() for operation in item.values()]
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    for operation in operations:
        for parameter in operation.get("parameters", []):
            assert parameter["in"] in {"path", "query", "header", "cookie"}
            assert "schema" in parameter


def test_every_route_has_a_response_model_and_the_error_body(web: TestClient) -> None:
    document = _openapi(web)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            ok = [code for code in operation["responses"] if code.startswith("2")]
            assert len(ok) == 1, where
            schema = operation["responses"][ok[0]]["content"]["application/json"]["schema"]
            assert schema.get("$ref") or schema.get("items", {}).get("$ref"), where
            for code in ("404", "422"):
                error = operation["responses"][code]["content"]["application/json"]["schema"]
                assert error == {"$ref": "#/components/schemas/ErrorBody"}, where


def test_a_path_the_api_cannot_route_still_gets_the_one_error_body(web: TestClient) -> None:
    # A newline in a path parameter never reaches the API's mount (found by schemathesis).
    response = web.get(API + "/projects/a%0Ab")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
