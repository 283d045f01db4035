"""Forecast charts: Vega-Lite specs with a text alternative, rendered to SVG and PNG files."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from keepword.domain.errors import InvalidValue
from keepword.domain.forecast import ForecastOptions, ProjectForecast
from keepword.domain.people import Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Estimate, ItemStatus
from keepword.domain.wording import day, percent
from keepword.reports import chart_files
from keepword.reports.charts import SCHEMA, Chart, burn_up_chart, finish_chart
from keepword.services.forecasting import forecast_project
from tests import factories as f

AS_OF = date(2026, 11, 23)
OPTIONS = ForecastOptions(today=AS_OF, trials=2000, seed=5, curves=True)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def pitchwell(demo_portfolio: Portfolio) -> ProjectForecast:
    return forecast_project(demo_portfolio, "pitchwell-app", OPTIONS)


@pytest.fixture(scope="module")
def due(demo_portfolio: Portfolio) -> date:
    [commitment] = [c for c in demo_portfolio.commitments if c.project == "pitchwell-app"]
    return commitment.due


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)


def _axis_titles(chart: Chart) -> set[str]:
    return {
        channel["title"]
        for layer in chart.spec["layer"]
        for name, channel in layer["encoding"].items()
        if name in ("x", "y") and "title" in channel
    }


def _rows(chart: Chart) -> list[dict[str, Any]]:
    """Every data row of every layer."""
    return [row for layer in chart.spec["layer"] for row in layer["data"]["values"]]


def _layer_values(chart: Chart, field: str) -> list[list[dict[str, Any]]]:
    return [
        layer["data"]["values"]
        for layer in chart.spec["layer"]
        if layer["encoding"].get("y", {}).get("field") == field
    ]


def test_the_finish_chart_spec_carries_its_title_axes_and_text_alternative(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast, due: date
) -> None:
    chart = finish_chart(demo_portfolio.project("pitchwell-app"), pitchwell, due)
    assert chart.spec["$schema"] == SCHEMA
    assert chart.spec["title"]["text"] == chart.title
    assert "Pitchwell" in chart.title
    assert chart.spec["description"] == chart.description
    assert _axis_titles(chart) == {"Week the project finishes", "Share of trials"}
    assert any("tooltip" in layer["encoding"] for layer in chart.spec["layer"])


def test_the_finish_text_states_the_dates_and_the_odds_of_the_due_date(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast, due: date
) -> None:
    chart = finish_chart(demo_portfolio.project("pitchwell-app"), pitchwell, due)
    [commitment] = pitchwell.commitments
    assert commitment.on_time is not None
    for text in (
        f"half finish the whole project by {day(pitchwell.whole.p50)}",
        f"85% by {day(pitchwell.whole.p85)}",
        f"due {day(due)}: {percent(commitment.on_time)} of trials finish by then",
    ):
        assert text in chart.description


def test_the_finish_chart_draws_the_weeks_and_a_labelled_rule_at_each_date(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast, due: date
) -> None:
    chart = finish_chart(demo_portfolio.project("pitchwell-app"), pitchwell, due)
    [bars] = _layer_values(chart, "share")
    assert sum(bar["share"] for bar in bars) == pytest.approx(1.0)
    labels = [row["label"] for row in _rows(chart)]
    rules = {row.get("date") for row in _rows(chart)}
    whole = pitchwell.whole
    assert {whole.p50.isoformat(), whole.p85.isoformat(), whole.p95.isoformat()} <= rules
    assert due.isoformat() in rules
    assert any(label.startswith("P85 ") for label in labels)
    assert any(label.startswith("Due ") and "on time" in label for label in labels)


def test_without_a_due_date_there_is_no_due_rule(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast
) -> None:
    chart = finish_chart(demo_portfolio.project("pitchwell-app"), pitchwell)
    labels = [row["label"] for row in _rows(chart)]
    assert not any(label.startswith("Due") for label in labels)
    assert "due" not in chart.description


def test_a_due_date_of_no_commitment_is_bounded_by_the_finish_weeks(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast
) -> None:
    after = pitchwell.finish_distribution[-1].week + timedelta(7)
    chart = finish_chart(demo_portfolio.project("pitchwell-app"), pitchwell, after)
    assert f"due {day(after)}: over 99% of trials finish by then" in chart.description
    mid_week = pitchwell.whole.p50
    text = finish_chart(demo_portfolio.project("pitchwell-app"), pitchwell, mid_week).description
    assert f"due {day(mid_week)}: between " in text


def test_the_burn_up_spec_carries_its_title_axes_and_text_alternative(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast, due: date
) -> None:
    chart = burn_up_chart(demo_portfolio.project("pitchwell-app"), pitchwell, due)
    assert chart.spec["title"]["text"] == chart.title
    assert chart.spec["description"] == chart.description
    assert _axis_titles(chart) == {"Date", "Items done"}
    legend = {node["datum"] for node in _walk(chart.spec) if "datum" in node}
    assert legend == {"Done so far", "Scope", "Forecast, P50 to P95", "Forecast, P85"}
    assert f"in half the trials by {day(pitchwell.whole.p50)}" in chart.description
    assert f"in 85% by {day(pitchwell.whole.p85)}" in chart.description
    assert f"due {day(due)}: " in chart.description


def test_the_burn_up_reaches_the_total_scope(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast
) -> None:
    project = demo_portfolio.project("pitchwell-app")
    total = len(project.items)
    chart = burn_up_chart(project, pitchwell)
    [scope, done] = _layer_values(chart, "items")
    assert scope[-1]["items"] == total
    done_so_far = total - len(project.remaining_items())
    assert done[-1] == {"date": AS_OF.isoformat(), "items": done_so_far, "label": day(AS_OF)}
    assert done[0]["date"] == project.start.isoformat()
    [fan] = _layer_values(chart, "p85")
    assert (fan[-1]["p50"], fan[-1]["p85"], fan[-1]["p95"]) == (total, total, total)
    assert fan[0]["date"] == AS_OF.isoformat()
    assert f"{done_so_far} of {total} items done by {day(AS_OF)}" in chart.description


def test_the_scope_line_grows_on_the_days_items_were_added() -> None:
    start = date(2026, 11, 2)
    items = (
        f.item("a", estimate=Estimate(1, 2, 3), status=ItemStatus.DONE, started=start, done=start),
        f.item("b", estimate=Estimate(1, 2, 3)),
        f.item("c", estimate=Estimate(1, 2, 3), added=date(2026, 11, 10)),
    )
    portfolio = f.portfolio(
        people=(Person("ana", "Ana Reyes", ("backend",)),),
        projects=(f.project("p", start=start, items=items),),
        allocations=(f.allocation("ana", "p", fraction=1.0, end=date(2027, 3, 31)),),
        commitments=(),
    )
    forecast = forecast_project(portfolio, "p", OPTIONS)
    chart = burn_up_chart(portfolio.project("p"), forecast)
    [scope, _] = _layer_values(chart, "items")
    assert [(row["date"], row["items"]) for row in scope] == [
        ("2026-11-02", 2),
        ("2026-11-10", 3),
        (forecast.whole.p95.isoformat(), 3),
    ]
    assert "the scope grew from 2 items at the start to 3" in chart.description


def test_the_svg_file_parses_and_is_titled_and_described(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast, due: date
) -> None:
    chart = finish_chart(demo_portfolio.project("pitchwell-app"), pitchwell, due)
    root = ET.fromstring(chart_files.to_svg(chart))
    assert root.tag == f"{SVG}svg"
    assert root.findtext(f"{SVG}title") == chart.title
    assert root.findtext(f"{SVG}desc") == chart.description
    drawn = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert chart.title in drawn
    assert "Share of trials" in drawn


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    position = len(chart_files.PNG_SIGNATURE)
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        yield kind, body
        position += 12 + length


def test_the_png_file_is_a_png_that_carries_its_title_and_description(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast, tmp_path: Path
) -> None:
    chart = burn_up_chart(demo_portfolio.project("pitchwell-app"), pitchwell)
    path = chart_files.write_chart(chart, tmp_path / "burn-up.PNG")
    data = path.read_bytes()
    assert data.startswith(chart_files.PNG_SIGNATURE)
    chunks = list(_png_chunks(data))
    assert chunks[0][0] == b"IHDR"
    width, height = struct.unpack(">II", chunks[0][1][:8])
    assert (width, height) == (1400, 600)
    texts = {
        body.split(b"\x00", 1)[0]: body.split(b"\x00", 5)[5] for k, body in chunks if k == b"iTXt"
    }
    assert texts[b"Title"].decode() == chart.title
    assert texts[b"Description"].decode() == chart.description
    assert chunks[-1][0] == b"IEND"


def test_a_chart_file_of_another_kind_is_refused_with_the_kinds_it_can_be(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast, tmp_path: Path
) -> None:
    chart = finish_chart(demo_portfolio.project("pitchwell-app"), pitchwell)
    target = tmp_path / "finish.jpg"
    with pytest.raises(InvalidValue, match=r"finish\.jpg.*\.svg or \.png"):
        chart_files.write_chart(chart, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_page_macro_holds_the_spec_the_text_alternative_and_the_downloads(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast, due: date
) -> None:
    chart = finish_chart(demo_portfolio.project("pitchwell-app"), pitchwell, due)
    environment = Environment(
        loader=PackageLoader("keepword.web", "templates"),
        autoescape=select_autoescape(),
        undefined=StrictUndefined,
    )
    template = environment.from_string(
        '{% from "_chart.html" import chart %}{{ chart(c, svg_href="/f.svg", png_href="/f.png") }}'
    )
    page = BeautifulSoup(template.render(c=chart), "html.parser")
    figure = page.select_one(f"figure.chart#chart-{chart.name}")
    assert figure is not None
    view = figure.select_one("div.chart-view[role=img]")
    assert view is not None
    assert view["aria-label"] == chart.description
    spec = figure.select_one("script.chart-spec[type='application/json']")
    assert spec is not None
    assert json.loads(spec.get_text()) == chart.spec
    caption = figure.select_one("figcaption")
    assert caption is not None
    assert chart.title in caption.get_text()
    assert chart.description in caption.get_text()
    assert [a["href"] for a in figure.select("a[download]")] == ["/f.svg", "/f.png"]
    bare = environment.from_string('{% from "_chart.html" import chart %}{{ chart(c) }}')
    assert BeautifulSoup(bare.render(c=chart), "html.parser").select("a") == []
