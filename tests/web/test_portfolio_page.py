"""The portfolio dashboard, parsed as HTML."""

from __future__ import annotations

from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.domain.portfolio import Portfolio
from keepword.services import scenarios
from tests.factories import staff
from tests.web.html import get_page


def test_dashboard_shows_every_commitment_with_odds_and_health(
    web: TestClient, demo_portfolio: Portfolio
) -> None:
    page = get_page(web, "/")
    rows = page.select("table.portfolio tbody tr")
    assert {r["data-commitment"] for r in rows} == {c.id for c in demo_portfolio.commitments}
    headers = [th.text for th in page.select("table.portfolio thead th")]
    assert headers[:6] == ["Client", "Commitment", "Due", "On time", "P85 date", "Health"]
    # Every demo promise can be forecast: each row has its odds, its P85 date and health.
    for row in rows:
        cells = row.select("td")
        odds = cells[3].select_one(".odds")
        assert odds is not None, row
        assert odds.text.endswith("%")
        assert cells[4].select_one("time[datetime]") is not None
        assert cells[5].select_one(".health") is not None


def test_filters_narrow_the_table(web: TestClient, demo_portfolio: Portfolio) -> None:
    client = demo_portfolio.clients[0]
    page = get_page(web, f"/?client={client.id}")
    rows = page.select("table.portfolio tbody tr")
    theirs = {
        c.id
        for c in demo_portfolio.commitments
        if demo_portfolio.project(c.project).client == client.id
    }
    assert {r["data-commitment"] for r in rows} == theirs
    chosen = page.select_one("select[name=client] option[selected]")
    assert chosen is not None
    assert chosen["value"] == client.id


def test_dashboard_follows_a_change_made_after_it_was_first_shown(
    web: TestClient, demo_keepword: Keepword
) -> None:
    before = get_page(web, "/").select_one("tr[data-commitment=pitchwell-v1] .odds")
    assert before is not None
    assert before.text == "88%"
    moment = demo_keepword.settings.now()
    scenarios.apply_scenario(
        demo_keepword.uow,
        "core-platform-security-fix",
        actor=staff("test"),
        now=moment,
        today=moment.date(),
    )
    after = get_page(web, "/").select_one("tr[data-commitment=pitchwell-v1] .odds")
    assert after is not None
    assert after.text == "19%"


def test_lead_and_health_filters_narrow_the_table(
    web: TestClient, demo_portfolio: Portfolio
) -> None:
    lead = demo_portfolio.project("voice-bot").lead
    assert lead is not None
    page = get_page(web, f"/?lead={lead}")
    led = {p.id for p in demo_portfolio.projects if p.lead == lead}
    rows = page.select("table.portfolio tbody tr")
    assert rows
    assert {r["data-commitment"] for r in rows} == {
        c.id for c in demo_portfolio.commitments if c.project in led
    }
    off_track = get_page(web, "/?health=off_track").select("table.portfolio tbody tr")
    assert [r["data-commitment"] for r in off_track] == ["voice-bot-launch"]
    assert all(r.select_one(".health").text == "off track" for r in off_track)  # type: ignore[union-attr]
