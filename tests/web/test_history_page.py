"""A project's event history as a timeline page, parsed as HTML."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.demo import DEMO_NOW
from keepword.domain.project import ItemStatus
from keepword.services import plan
from tests.factories import staff
from tests.web.html import get_page


def _entries(page: BeautifulSoup) -> list[dict[str, str]]:
    return [
        {
            "entity": str(li["data-entity"]),
            "id": str(li["data-entity-id"]),
            "action": str(li["data-action"]),
            "what": li.select_one(".what").get_text(strip=True),  # type: ignore[union-attr]
            "who": li.select_one(".who").get_text(strip=True),  # type: ignore[union-attr]
        }
        for li in page.select("li.timeline-entry")
    ]


def test_after_the_demo_load_the_voice_bot_timeline_lists_its_creation(web: TestClient) -> None:
    page = get_page(web, "/projects/voice-bot/timeline")
    entries = _entries(page)
    created = [e for e in entries if e["entity"] == "project"]
    assert [(e["id"], e["action"], e["who"]) for e in created] == [("voice-bot", "created", "demo")]
    assert created[0]["what"].startswith(
        "project “Member voice bot for card and balance calls” created"
    )
    # Its items, allocations and commitment, nobody else's.
    kinds = {e["entity"] for e in entries}
    assert {"item", "allocation", "commitment"} <= kinds
    assert all(e["id"].startswith("voice-bot/") for e in entries if e["entity"] == "item")
    assert "voice-bot-launch" in {e["id"] for e in entries if e["entity"] == "commitment"}
    assert "pitchwell-v1" not in {e["id"] for e in entries}
    days = [t["datetime"] for t in page.select("section.timeline-day > h2 > time")]
    assert days == ["2026-11-23"]


def test_an_item_done_shows_first(web: TestClient, demo_keepword: Keepword) -> None:
    plan.set_item_status(
        demo_keepword.uow,
        "voice-bot",
        "cf-workshop",
        ItemStatus.DONE,
        on=DEMO_NOW.date(),
        actor=staff("amara"),
        now=DEMO_NOW,
    )
    first = _entries(get_page(web, "/projects/voice-bot/timeline"))[0]
    assert (first["entity"], first["id"], first["who"]) == (
        "item",
        "voice-bot/cf-workshop",
        "amara",
    )
    assert first["what"] == "item “Call-flow workshop with the member contact-centre team” done"


def test_an_unknown_project_has_no_timeline(web: TestClient) -> None:
    assert web.get("/projects/no-such-project/timeline").status_code == 404
