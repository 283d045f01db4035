"""Editing the plan in the browser, parsed as HTML: the forms save and redirect, and bad
input comes back (422) with what was typed and each error beside its field."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.services.history import recent_events
from keepword.services.portfolio import current_portfolio
from tests.factories import staff
from tests.web.conftest import event_count
from tests.web.html import get_page, soup


def saved(client: TestClient, url: str, form: dict[str, Any], goes_to: str) -> None:
    response = client.post(url, data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == goes_to


def refused(client: TestClient, url: str, form: dict[str, Any]) -> BeautifulSoup:
    response = client.post(url, data=form, follow_redirects=False)
    assert response.status_code == 422, response.text
    return soup(response.text)


def error_beside(soup: BeautifulSoup, name: str) -> str:
    """The error shown for field ``name``, checked to sit right after its input."""
    control = soup.select_one(f"[name={name}]")
    assert isinstance(control, Tag), name
    assert control["aria-invalid"] == "true"
    assert control["aria-describedby"] == f"{name}-error"
    after = control.find_next_sibling()
    assert isinstance(after, Tag)
    assert after.name == "span"
    assert after["id"] == f"{name}-error"
    assert "field-error" in after["class"]
    return after.get_text()


def row_ids(soup: BeautifulSoup, table: str, attribute: str) -> list[str]:
    return [str(r[attribute]) for r in soup.select(f"table#{table} tbody tr[{attribute}]")]


def test_the_plan_lists_clients_people_and_projects_with_links(
    web: TestClient, demo_keepword: Keepword
) -> None:
    soup = get_page(web, "/plan")
    portfolio = current_portfolio(demo_keepword.uow)
    assert row_ids(soup, "clients", "data-client") == [c.id for c in portfolio.clients]
    assert row_ids(soup, "people", "data-person") == [p.id for p in portfolio.people]
    assert row_ids(soup, "projects", "data-project") == [p.id for p in portfolio.projects]
    links = {a["href"] for a in soup.select("main a[href]")}
    assert {"/plan/clients/new", "/plan/people/new", "/plan/projects/new"} <= links
    assert "/plan/clients/pitchwell/edit" in links
    assert "/plan/projects/voice-bot" in links


def test_every_input_has_its_own_label(web: TestClient) -> None:
    for url in ("/plan/clients/new", "/plan/people/new", "/plan/projects/new",
                "/plan/projects/voice-bot/phases/new", "/plan/projects/voice-bot/items/new",
                "/plan/allocations/new", "/plan/commitments/new",
                "/plan/allocations/amara/voice-bot/2026-11-30/edit",
                "/plan/commitments/voice-bot-launch/edit"):  # fmt: skip
        soup = get_page(web, url)
        controls = soup.select(
            "form.edit input:not([type=hidden]), form.edit select, form.edit textarea"
        )
        assert controls, url
        for control in controls:
            label = soup.select_one(f"label[for={control['id']}]")
            assert label is not None, (url, control["name"])
            assert label.get_text(strip=True), (url, control["name"])


def test_a_whole_plan_is_built_through_the_forms(web: TestClient, demo_keepword: Keepword) -> None:
    seen = event_count(demo_keepword)
    saved(web, "/plan/clients/new", {"id": "globex", "name": "Globex", "contact": "Hank"}, "/plan")
    saved(web, "/plan/people/new",
          {"id": "zoe", "name": "Zoe Quinn", "skills": ["frontend", "qa"], "country": "GB",
           "working_days": ["mon", "tue", "wed", "thu"]}, "/plan")  # fmt: skip
    project = {"id": "kiosk", "name": "Kiosk", "client": "globex", "start": "2026-11-30",
               "lead": "zoe"}  # fmt: skip
    saved(web, "/plan/projects/new", project, "/projects/kiosk")
    saved(web, "/plan/projects/kiosk/phases/new", {"id": "mvp", "name": "MVP"}, "/projects/kiosk")
    item = {"id": "screens", "title": "Screens", "phase": "mvp", "skill": "frontend",
            "optimistic": "2", "likely": "3", "pessimistic": "6", "status": "todo"}  # fmt: skip
    saved(web, "/plan/projects/kiosk/items/new", item, "/projects/kiosk")
    saved(web, "/plan/projects/kiosk/items/new",
          {"id": "tests", "title": "Tests", "depends_on": ["screens"], "status": "todo"},
          "/projects/kiosk")  # fmt: skip
    allocation = {"person": "zoe", "project": "kiosk", "fraction": "0.5",
                  "start": "2026-11-30", "end": "2027-01-29"}  # fmt: skip
    saved(web, "/plan/allocations/new", allocation, "/projects/kiosk")
    proposal = {"id": "kiosk-mvp", "project": "kiosk", "title": "Kiosk MVP", "due": "2027-01-29",
                "phases": ["mvp"], "confidence": "0.85", "made_to": "Hank"}  # fmt: skip
    saved(web, "/plan/commitments/new", proposal, "/projects/kiosk")

    plan = get_page(web, "/plan")
    assert "globex" in row_ids(plan, "clients", "data-client")
    assert "zoe" in row_ids(plan, "people", "data-person")
    assert "kiosk" in row_ids(plan, "projects", "data-project")
    kiosk = get_page(web, "/plan/projects/kiosk")
    assert row_ids(kiosk, "phases", "data-phase") == ["mvp"]
    assert row_ids(kiosk, "items", "data-item") == ["screens", "tests"]
    assert row_ids(kiosk, "allocations", "data-allocation") == ["zoe@kiosk/2026-11-30"]
    assert row_ids(kiosk, "commitments", "data-commitment") == ["kiosk-mvp"]
    state = kiosk.select_one("tr[data-commitment=kiosk-mvp] td:nth-of-type(4)")
    assert state is not None
    assert state.get_text() == "proposed"
    # Each entity is one event; the new proposal's project was forecast.
    assert event_count(demo_keepword) >= seen + 8
    created = {
        (e.entity, e.entity_id)
        for e in recent_events(demo_keepword.uow, limit=20, actor=staff("beth"))
    }
    assert {("client", "globex"), ("item", "kiosk/tests"), ("commitment", "kiosk-mvp")} <= created


def test_an_edit_form_shows_the_current_values_and_saves_changes(
    web: TestClient, demo_keepword: Keepword
) -> None:
    form = get_page(web, "/plan/projects/voice-bot/items/new")
    assert form.select_one("select[name=phase] option[value=call-flows]") is not None
    soup = get_page(web, "/plan/clients/pitchwell/edit")
    name = soup.select_one("input[name=name]")
    assert name is not None
    assert name["value"] == "Pitchwell Ltd"
    identity = soup.select_one("input[name=id]")
    assert identity is not None
    assert identity.has_attr("readonly")
    values = {
        str(i["name"]): str(i.get("value", ""))
        for i in soup.select("form.edit input:not([type=hidden])")
    }
    saved(web, "/plan/clients/pitchwell/edit", {**values, "name": "Pitchwell"}, "/plan")
    assert current_portfolio(demo_keepword.uow).client("pitchwell").name == "Pitchwell"

    soup = get_page(web, "/plan/allocations/amara/voice-bot/2026-11-30/edit")
    fraction = soup.select_one("input[name=fraction]")
    assert fraction is not None
    assert fraction["value"] == "1"
    saved(web, "/plan/allocations/amara/voice-bot/2026-11-30/edit",
          {"person": "amara", "project": "voice-bot", "fraction": "0.8", "start": "2026-11-30",
           "end": "2027-03-31"}, "/projects/voice-bot")  # fmt: skip
    amara = [a for a in current_portfolio(demo_keepword.uow).allocations if a.person == "amara"]
    assert [a.fraction for a in amara] == [0.8]


@pytest.mark.parametrize(
    ("url", "form", "field", "says"),
    [
        ("/plan/projects/voice-bot/items/new",
         {"id": "x", "title": "X", "optimistic": "5", "likely": "6", "pessimistic": "2",
          "status": "todo"}, "pessimistic", "below likely"),
        ("/plan/allocations/new",
         {"person": "nobody", "project": "voice-bot", "fraction": "0.2", "start": "2026-12-01",
          "end": "2026-12-31"}, "person", "unknown person"),
        ("/plan/allocations/new",
         {"person": "owen", "project": "voice-bot", "fraction": "0.2", "start": "2026-12-31",
          "end": "2026-12-01"}, "end", "before start"),
        ("/plan/clients/new", {"id": "pitchwell", "name": "Pitchwell again"}, "id", "already"),
        ("/plan/projects/new",
         {"id": "x", "name": "X", "client": "pitchwell", "start": "next week"}, "start",
         "YYYY-MM-DD"),
        ("/plan/commitments/new",
         {"id": "x", "project": "voice-bot", "title": "X", "due": "2027-01-29",
          "confidence": "lots"}, "confidence", "a number"),
        ("/plan/commitments/pitchwell-v1/edit",
         {"project": "pitchwell-app", "title": "Pitchwell v1", "due": "2027-04-30",
          "confidence": "0.85"}, "due", "renegotiat"),
    ],
)  # fmt: skip
def test_bad_input_comes_back_with_the_error_beside_its_field_and_nothing_written(
    web: TestClient, demo_keepword: Keepword, url: str, form: dict[str, str], field: str,
    says: str,
) -> None:  # fmt: skip
    seen, before = event_count(demo_keepword), current_portfolio(demo_keepword.uow)
    soup = refused(web, url, form)
    assert says in error_beside(soup, field)
    control = soup.select_one(f"[name={field}]")
    assert control is not None
    if control.name == "input" and field in form:
        assert control["value"] == form[field]  # what was typed is kept
    assert event_count(demo_keepword) == seen
    assert current_portfolio(demo_keepword.uow) == before


def test_every_field_at_fault_is_shown_at_once(web: TestClient) -> None:
    soup = refused(web, "/plan/projects/voice-bot/items/new",
                   {"id": "bad id", "title": "", "optimistic": "x", "likely": "1",
                    "pessimistic": "1", "started": "2026-11-20", "status": "todo"})  # fmt: skip
    shown = {str(s["id"]).removesuffix("-error") for s in soup.select(".field-error[id]")}
    assert shown == {"id", "title", "optimistic", "started"}
    for name in shown:
        error_beside(soup, name)
    assert soup.select_one("[role=alert]") is not None


def test_unknown_ids_are_a_404_page(web: TestClient) -> None:
    for url in ("/plan/clients/nobody/edit", "/plan/projects/nothing/items/new",
                "/plan/projects/voice-bot/items/nothing/edit", "/plan/widgets/new",
                "/plan/allocations/amara/voice-bot/2020-01-01/edit"):  # fmt: skip
        assert web.get(url).status_code == 404, url
    response = web.post("/plan/people/nobody/edit", data={"name": "N"})
    assert response.status_code == 404


def test_an_engineer_sees_no_edit_links_and_starts_and_finishes_items(
    demo_keepword: Keepword,
) -> None:
    from keepword.domain.access import Role
    from keepword.domain.project import ItemStatus
    from keepword.web.app import create_app
    from tests.web.accounts import BY_ROLE, log_in

    with TestClient(create_app(demo_keepword)) as engineer:
        log_in(engineer, BY_ROLE[Role.ENGINEER])
        nav = {a.get_text() for a in get_page(engineer, "/").select("nav a")}
        assert nav == {"Portfolio", "Incidents", "Plan"}
        plan_page = get_page(engineer, "/plan")
        assert not plan_page.select("a[href$='/edit'], a[href$='/new']")
        page = get_page(engineer, "/plan/projects/pitchwell-app")
        assert not page.select("a[href$='/edit'], a[href*='/new']")
        start = page.select_one("tr[data-item='fe-perf'] form")
        assert start is not None
        assert start["action"] == "/plan/projects/pitchwell-app/items/fe-perf/start"
        token = str(page.select_one("input[name=csrf_token]")["value"])  # type: ignore[index]
        started = engineer.post(
            str(start["action"]), data={"csrf_token": token}, follow_redirects=False
        )
        assert started.status_code == 303
        done_form = get_page(engineer, "/plan/projects/pitchwell-app").select_one(
            "tr[data-item='fe-perf'] form"
        )
        assert done_form is not None
        assert str(done_form["action"]).endswith("/fe-perf/done")
        engineer.post(str(done_form["action"]), data={"csrf_token": token})
    item = current_portfolio(demo_keepword.uow).project("pitchwell-app").item("fe-perf")
    assert item.status is ItemStatus.DONE


def test_a_pasted_list_adds_its_items_or_shows_every_bad_line(
    web: TestClient, demo_keepword: Keepword
) -> None:
    page = get_page(web, "/plan/projects/voice-bot")
    form = page.select_one("#paste-items form")
    assert form is not None
    url = str(form["action"])
    bad = "Welsh greeting | 1/2/4 | voice-ml\nWelsh intents | 2/3 | voice-ml\n | 1/2/3\n"
    refused = web.post(url, data={"items": bad})
    assert refused.status_code == 422
    shown = soup(refused.text)
    errors = [li.get_text() for li in shown.select("#paste-items .error-message li")]
    assert [e.split(":")[0] for e in errors] == ["line 2", "line 3"]
    assert shown.select_one("#paste-items textarea").get_text() == bad  # type: ignore[union-attr]
    seen = event_count(demo_keepword)
    good = "Welsh greeting | 1/2/4 | voice-ml\nWelsh intents | 2/3/5 | voice-ml | understanding\n"
    saved_ = web.post(url, data={"items": good}, follow_redirects=False)
    assert saved_.status_code == 303
    items = {i.id: i for i in current_portfolio(demo_keepword.uow).project("voice-bot").items}
    assert items["welsh-intents"].phase == "understanding"
    assert items["welsh-greeting"].skill == "voice-ml"
    assert event_count(demo_keepword) > seen
