"""A project's page: promises with odds, the forecast and its charts, the plan, the people."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fastapi.testclient import TestClient

from keepword.domain.portfolio import Portfolio
from tests.web.html import get_page, soup


def test_project_page_shows_plan_people_forecast_and_what_decides_the_date(
    web: TestClient, demo_portfolio: Portfolio
) -> None:
    page = get_page(web, "/projects/voice-bot")
    project = demo_portfolio.project("voice-bot")
    assert page.h1 is not None
    assert page.h1.text == project.name
    promise = page.select_one("table.commitments tr[data-commitment=voice-bot-launch]")
    assert promise is not None
    assert promise.select_one(".odds") is not None
    assert promise.select_one(".odds").text == "under 1%"  # type: ignore[union-attr]
    assert {tr["data-item"] for tr in page.select("table.items tr[data-item]")} == {
        i.id for i in project.items
    }
    staffed = {a.person for a in demo_portfolio.allocations if a.project == "voice-bot"}
    assert {tr["data-person"] for tr in page.select("table.staffing tr[data-person]")} == staffed
    # What decides the date: the items and people most often on the critical path.
    people = [td.text for td in page.select("table.criticality")[1].select("tbody td:first-child")]
    assert people[:2] == ["Amara Okafor", "Tomasz Nowak"]
    forecast = page.select_one("#forecast-heading + p")
    assert forecast is not None
    assert "Fri 29 Jan 2027 in 85%" in forecast.text


def test_charts_carry_a_text_alternative_and_download_as_svg_and_png(web: TestClient) -> None:
    page = get_page(web, "/projects/voice-bot")
    figures = page.select("figure.chart")
    assert [f["id"] for f in figures] == ["chart-burn-up-voice-bot", "chart-finish-voice-bot"]
    for figure in figures:
        view = figure.select_one(".chart-view[role=img]")
        assert view is not None
        assert "Fri 29 Jan 2027" in str(view["aria-label"])
        svg_link = figure.select_one("a[href$='.svg']")
        png_link = figure.select_one("a[href$='.png']")
        assert svg_link is not None
        assert png_link is not None
        svg = web.get(str(svg_link["href"]))
        assert svg.headers["content-type"] == "image/svg+xml"
        root = ET.fromstring(svg.text)
        title = root.find("{http://www.w3.org/2000/svg}title")
        assert title is not None
        assert title.text == figure.select_one(".chart-title").text  # type: ignore[union-attr]
        png = web.get(str(png_link["href"]))
        assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert web.get("/projects/voice-bot/charts/nothing.svg").status_code == 404


def test_unknown_project_is_a_404_page(web: TestClient) -> None:
    response = web.get("/projects/no-such-project")
    assert response.status_code == 404
    page = soup(response.text)
    assert page.h1 is not None
    assert page.h1.text == "Not found"
