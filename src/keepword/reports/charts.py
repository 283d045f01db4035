"""Forecast charts as Vega-Lite specs, each with a text alternative that states its figures.

One spec serves both ways a chart is seen: a page renders it with vega-embed (tooltips), a
file is rendered from it by vl-convert (:mod:`keepword.reports.chart_files`). Pure: no I/O.
The charts read a forecast made with ``ForecastOptions(curves=True)``.

Dates go into the specs as ISO strings and are drawn on UTC scales, so that a browser west
of Greenwich does not show every date one day early.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from keepword.domain.forecast import Finish, ProjectForecast
from keepword.domain.project import ItemStatus, Project
from keepword.domain.wording import day, percent

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH, HEIGHT = 700, 300  # the whole chart, axes and legend included
LABEL_ROW = 14  # pixels between the labels of rules stacked at the top of a chart
LEVELS = (("p50", "P50", 0.5), ("p85", "P85", 0.85), ("p95", "P95", 0.95))

DUE_COLOUR = "#b42318"
RULE_COLOUR = "#475467"
DONE_COLOUR = "#1d4ed8"
SCOPE_COLOUR = "#667085"
FAN_COLOUR = "#f79009"
BAND_COLOUR = "#fec84b"
P85_COLOUR = "#dc6803"

Spec = dict[str, Any]


@dataclass(frozen=True)
class Chart:
    """A chart: ``name`` (unique on a page), its title, a text alternative, its spec."""

    name: str
    title: str
    description: str
    spec: Spec


def project_charts(
    project: Project, forecast: ProjectForecast, due: date | None = None
) -> list[Chart]:
    """The charts of a project's page, in the order shown: the burn-up, then the finish week."""
    return [burn_up_chart(project, forecast, due), finish_chart(project, forecast, due)]


def finish_chart(project: Project, forecast: ProjectForecast, due: date | None = None) -> Chart:
    """When the whole project finishes: the share of trials by week, P50/P85/P95 and ``due``."""
    whole = forecast.whole
    weeks = forecast.finish_distribution
    title = f"{project.name}: the week the project finishes"
    description = _finish_text(forecast, due)
    cumulative = 0.0
    bars = []
    for week in weeks:
        cumulative += week.share
        bars.append(
            {
                "week": week.week.isoformat(),
                "end": (week.week + timedelta(7)).isoformat(),
                "share": week.share,
                "label": f"Week of {day(week.week)}",
                "by_end": min(cumulative, 1.0),
            }
        )
    first = weeks[0].week if weeks else whole.p50
    last = weeks[-1].week + timedelta(7) if weeks else whole.p95 + timedelta(7)
    marks = [
        (f"{name} {_short(getattr(whole, attr))}", getattr(whole, attr)) for attr, name, _ in LEVELS
    ]
    if due is not None:
        first, last = min(first, due), max(last, due + timedelta(1))
    domain = (first, last)
    top = max((w.share for w in weeks), default=1.0)
    layers: list[Spec] = [
        {
            "data": {"values": bars},
            "mark": {"type": "bar", "color": FAN_COLOUR, "stroke": "white", "strokeWidth": 1},
            "encoding": {
                "x": _date_axis("week", "Week the project finishes"),
                "x2": {"field": "end"},
                "y": {
                    "field": "share",
                    "type": "quantitative",
                    "title": "Share of trials",
                    # Room above the tallest bar for the labels of the rules, with ticks
                    # no higher than 100 %.
                    "axis": {"format": ".0%", "values": _share_ticks(top)},
                    "scale": {"domain": [0, _headroom(top, len(marks) + 1)], "nice": False},
                },
                "y2": {"datum": 0},
                "tooltip": [
                    {"field": "label", "type": "nominal", "title": "Week"},
                    {"field": "share", "type": "quantitative", "format": ".1%", "title": "Trials"},
                    {
                        "field": "by_end",
                        "type": "quantitative",
                        "format": ".0%",
                        "title": "Finished by its end",
                    },
                ],
            },
        },
        *_rules(marks, domain, RULE_COLOUR, dash=True),
    ]
    if due is not None:
        layers += _rules([(_due_label(forecast, due), due)], domain, DUE_COLOUR, row=len(marks))
    return Chart(
        f"finish-{project.id}", title, description, _spec(title, forecast, description, layers)
    )


def burn_up_chart(project: Project, forecast: ProjectForecast, due: date | None = None) -> Chart:
    """Items done over time: done so far, the scope, the forecast fan, and ``due``."""
    start = forecast.start
    fan = forecast.burn_up
    done = _done_line(project, start)
    end = max([start, *(p.date for p in fan), *([due] if due else [])])
    scope = _scope_line(project, end)
    title = f"{project.name}: items done, and the forecast"
    description = _burn_up_text(project, forecast, due)
    domain = (project.start, end)
    legend = ("Done so far", "Scope", "Forecast, P50 to P95", "Forecast, P85")
    colours = (DONE_COLOUR, SCOPE_COLOUR, BAND_COLOUR, P85_COLOUR)
    scale = {"domain": list(legend), "range": list(colours)}

    def colour(label: str) -> Spec:
        return {
            "datum": label,
            "scale": scale,
            "legend": {
                "title": None,
                "orient": "bottom",
                "direction": "horizontal",
                "symbolType": "square",
                "symbolOpacity": 1,
            },
        }

    fan_rows = [
        {
            "date": p.date.isoformat(),
            "p50": p.p50,
            "p85": p.p85,
            "p95": p.p95,
            "label": day(p.date),
        }
        for p in fan
    ]
    items_axis = {
        "type": "quantitative",
        "title": "Items done",
        "scale": {"domain": [0, round(_headroom(len(project.items), 1 if due else 0), 1)]},
    }
    x = _date_axis("date", "Date")
    layers: list[Spec] = [
        {
            "data": {"values": fan_rows},
            "mark": {"type": "area", "opacity": 0.6},
            "encoding": {
                "x": x,
                "y": {"field": "p95", **items_axis},
                "y2": {"field": "p50"},
                "color": colour(legend[2]),
            },
        },
        _line(scope, legend[1], colour(legend[1]), x, items_axis, step=True, dash=[4, 3]),
        _line(done, legend[0], colour(legend[0]), x, items_axis, step=True),
        {
            "data": {"values": fan_rows},
            "mark": {"type": "line", "strokeWidth": 2, "point": {"filled": True, "size": 30}},
            "encoding": {
                "x": x,
                "y": {"field": "p85", **items_axis},
                "color": colour(legend[3]),
                "tooltip": [
                    {"field": "label", "type": "nominal", "title": "Date"},
                    {"field": "p50", "type": "quantitative", "title": "Items done, P50"},
                    {"field": "p85", "type": "quantitative", "title": "At least, at 85%"},
                    {"field": "p95", "type": "quantitative", "title": "At least, at 95%"},
                ],
            },
        },
    ]
    if due is not None:
        layers += _rules([(_due_label(forecast, due), due)], domain, DUE_COLOUR)
    return Chart(
        f"burn-up-{project.id}", title, description, _spec(title, forecast, description, layers)
    )


# --- the text alternatives ---------------------------------------------------------------


def _finish_text(forecast: ProjectForecast, due: date | None) -> str:
    whole = forecast.whole
    if forecast.mode == "done":
        return f"The project is done: its last item was done on {day(whole.p50)}." + (
            "" if due is None else f" It was due {day(due)}."
        )
    text = (
        f"Of {forecast.trials:,} trials from {day(forecast.start)}, half finish the whole "
        f"project by {day(whole.p50)}, 85% by {day(whole.p85)} and 95% by {day(whole.p95)}"
    )
    if forecast.finish_distribution:
        top = max(forecast.finish_distribution, key=lambda w: w.share)
        text += f"; the most common week is the week of {day(top.week)} ({percent(top.share)})"
    return text + _due_sentence(forecast, due) + "."


def _burn_up_text(project: Project, forecast: ProjectForecast, due: date | None) -> str:
    total = len(project.items)
    done = total - len(project.remaining_items())
    initial = sum(1 for i in project.items if i.added is None or i.added <= project.start)
    text = f"{done} of {total} items done by {day(forecast.start)}"
    if initial != total:
        text += f"; the scope grew from {initial} items at the start to {total}"
    if forecast.mode == "done":
        return text + "." + ("" if due is None else f" It was due {day(due)}.")
    whole = forecast.whole
    return (
        text + f". The forecast reaches all {total} in half the trials by {day(whole.p50)}, "
        f"in 85% by {day(whole.p85)} and in 95% by {day(whole.p95)}"
        + _due_sentence(forecast, due)
        + "."
    )


def _due_sentence(forecast: ProjectForecast, due: date | None) -> str:
    if due is None:
        return ""
    odds = _due_odds(forecast, due)
    if odds is None:
        return f"; due {day(due)}"
    low, high, scope = odds
    share = percent(low) if low == high else f"between {percent(low)} and {percent(high)}"
    if scope is None:
        return f"; due {day(due)}: {share} of trials finish by then"
    return f"; due {day(due)} for {scope.name}: {share} of trials finish its scope by then"


def _due_odds(forecast: ProjectForecast, due: date) -> tuple[float, float, Finish | None] | None:
    """The share of trials done by ``due``: exact from a commitment due that day (with that
    commitment when its scope is not the whole project), else bounded by the finish weeks."""
    due_then = [c for c in forecast.commitments if c.due == due and c.on_time is not None]
    whole = [c for c in due_then if c.items == forecast.whole.items]
    if whole and whole[0].on_time is not None:
        return whole[0].on_time, whole[0].on_time, None
    if due_then and due_then[0].on_time is not None:
        return due_then[0].on_time, due_then[0].on_time, due_then[0]
    weeks = forecast.finish_distribution
    if not weeks:
        return None
    # Weeks wholly before the due day count in full; the due day's own week may or may not.
    low = sum(w.share for w in weeks if w.week + timedelta(6) <= due)
    high = sum(w.share for w in weeks if w.week <= due)
    return min(low, 1.0), min(high, 1.0), None


def _due_label(forecast: ProjectForecast, due: date) -> str:
    odds = _due_odds(forecast, due)
    if odds is None or odds[0] != odds[1]:
        return f"Due {_short(due)}"
    return f"Due {_short(due)}: {percent(odds[0], short=True)} on time"


def _short(value: date) -> str:
    """``Fri 26 Mar``: a label beside a rule on a dated axis, which shows the year."""
    return f"{value:%a} {value.day} {value:%b}"


# --- the pieces of a spec ----------------------------------------------------------------


def _spec(title: str, forecast: ProjectForecast, description: str, layers: list[Spec]) -> Spec:
    subtitle = (
        f"{forecast.trials:,} trials from {day(forecast.start)}, seed {forecast.seed}"
        if forecast.mode != "done"
        else "Done"
    )
    return {
        "$schema": SCHEMA,
        "description": description,
        "title": {"text": title, "subtitle": subtitle, "anchor": "start"},
        "width": WIDTH,
        "height": HEIGHT,
        "autosize": {"type": "fit", "contains": "padding"},
        "background": "white",
        "config": {
            "font": "sans-serif",
            "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridOpacity": 0.5},
            "legend": {"labelFontSize": 11, "labelLimit": 240},
            "title": {"fontSize": 14, "subtitleFontSize": 11, "subtitleColor": "#475467"},
            "view": {"stroke": None},
        },
        "layer": layers,
    }


def _share_ticks(top: float) -> list[float]:
    """Round ticks from 0 up to ``top`` (at most 100 %), five or so of them."""
    step = next(s for s in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25) if top / s <= 6)
    return [round(n * step, 2) for n in range(int(min(top, 1.0) / step + 1e-9) + 1)]


def _headroom(top: float, rows: int) -> float:
    """An axis maximum that leaves room above ``top`` for ``rows`` labels of rules."""
    plot = HEIGHT - 90  # about what the title, the axis and the legend leave
    return top / (1 - (LABEL_ROW * rows + 8) / plot)


def _date_axis(field: str, title: str) -> Spec:
    return {
        "field": field,
        "type": "temporal",
        "title": title,
        # No explicit domain: the layers' data spans every date drawn, and Vega-Lite
        # warns about explicit date domains that it merges across layers.
        "scale": {"type": "utc"},
        # No formatType: Vega formats a UTC scale's labels in UTC (and VL drops a format that
        # comes with formatType "utc").
        "axis": {"format": "%-d %b %Y", "labelOverlap": True, "tickCount": 8},
    }


def _line(
    rows: list[Spec],
    name: str,
    colour: Spec,
    x: Spec,
    items_axis: Spec,
    *,
    step: bool = False,
    dash: list[int] | None = None,
) -> Spec:
    mark: Spec = {"type": "line", "strokeWidth": 2}
    if step:
        mark["interpolate"] = "step-after"
    if dash:
        mark["strokeDash"] = dash
    return {
        "data": {"values": rows},
        "mark": mark,
        "encoding": {
            "x": x,
            "y": {"field": "items", **items_axis},
            "color": colour,
            "tooltip": [
                {"field": "label", "type": "nominal", "title": "Date"},
                {"field": "items", "type": "quantitative", "title": name},
            ],
        },
    }


def _rules(
    marks: Sequence[tuple[str, date]],
    domain: tuple[date, date],
    colour: str,
    *,
    dash: bool = False,
    row: int = 0,
) -> list[Spec]:
    """Vertical rules at dates, each labelled at the top; a label near the right edge is set
    to the left of its rule so that it stays inside the chart."""
    span = max((domain[1] - domain[0]).days, 1)
    rows = [
        {
            "date": when.isoformat(),
            "label": label,
            "y": 4 + LABEL_ROW * (row + n),
            "right": (when - domain[0]).days / span > 0.7,
        }
        for n, (label, when) in enumerate(marks)
    ]
    x = {"field": "date", "type": "temporal", "scale": {"type": "utc"}}
    rule: Spec = {"type": "rule", "color": colour, "strokeWidth": 1.5}
    if dash:
        rule["strokeDash"] = [5, 4]
    text = {"type": "text", "color": colour, "baseline": "top", "fontSize": 11}
    return [
        {
            "data": {"values": rows},
            "mark": rule,
            "encoding": {"x": x, "tooltip": {"field": "label", "type": "nominal"}},
        },
        *(
            {
                "data": {"values": [r for r in rows if r["right"] is right]},
                "mark": {**text, "align": "right" if right else "left", "dx": -4 if right else 4},
                "encoding": {
                    "x": x,
                    "y": {"field": "y", "type": "quantitative", "scale": None},
                    "text": {"field": "label"},
                },
            }
            for right in (False, True)
            if any(r["right"] is right for r in rows)
        ),
    ]


# --- the actual lines --------------------------------------------------------------------


def _done_line(project: Project, start: date) -> list[Spec]:
    """Items done by each day they were done on, from the project start to ``start``.

    A done item without a date counts at the project start; one dated after ``start`` (a
    forecast replayed from the past) counts at ``start``, where the fan begins from it.
    """
    days = sorted(
        min(max(item.done or project.start, project.start), start)
        for item in project.items
        if item.status is ItemStatus.DONE
    )
    return _steps(days, project.start, start)


def _scope_line(project: Project, end: date) -> list[Spec]:
    """The items in scope on each day they were added, from the project start to ``end``."""
    days = sorted(
        min(max(item.added or project.start, project.start), end) for item in project.items
    )
    return _steps(days, project.start, end)


def _steps(days: list[date], first: date, last: date) -> list[Spec]:
    """A running count of ``days`` as step points: at ``first``, each new day, and ``last``."""
    counts: dict[date, int] = {first: 0}
    for n, when in enumerate(days, start=1):
        counts[when] = n
    counts.setdefault(last, len(days))
    counts[last] = max(counts[last], len(days))
    return [
        {"date": when.isoformat(), "items": n, "label": day(when)}
        for when, n in sorted(counts.items())
    ]
