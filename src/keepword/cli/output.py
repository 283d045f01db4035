"""How the CLI shows things: Rich tables for people, JSON for programs."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table

from keepword.domain.commitment import Health
from keepword.domain.events import Event, snapshot
from keepword.domain.wording import percent

if TYPE_CHECKING:  # the engine and the services load with the command that uses them
    from keepword.domain.forecast import CommitmentOdds, Finish, ProjectForecast
    from keepword.forecast.backtest import BacktestResult
    from keepword.services.portfolio import CommitmentRow

console = Console()


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(snapshot(value), indent=2, ensure_ascii=False) + "\n")


STATE_STYLES = {
    "proposed": "cyan",
    "committed": "green",
    "at_risk": "yellow",
    "missed": "red",
    "met": "dim green",
    "renegotiated": "magenta",
    "withdrawn": "dim",
}


HEALTH_STYLES = {"on_track": "green", "at_risk": "yellow", "off_track": "red"}


def health_text(health: Health | None, missing: str = "—") -> str:
    """A commitment's health in words and in its colour (``missing`` when it has none)."""
    if health is None:
        return missing
    return f"[{HEALTH_STYLES[health.value]}]{health.value.replace('_', ' ')}[/]"


def portfolio_table(
    rows: Sequence[CommitmentRow], odds: Mapping[str, CommitmentOdds] | None = None
) -> Table:
    # A narrow terminal (or a pipe, 80 columns) gets ids instead of long titles.
    narrow = console.width < 120
    table = Table(
        title="Portfolio: commitments by due date",
        title_justify="left",
        box=box.MINIMAL if narrow else box.HEAVY_HEAD,
        show_edge=not narrow,
        collapse_padding=narrow,  # 80 columns hold every figure, the odds first of all
    )
    if narrow:
        table.add_column("Client", overflow="ellipsis", no_wrap=True, max_width=9)
        table.add_column("Commitment", overflow="ellipsis", no_wrap=True, max_width=14)
    else:
        table.add_column("Client")
        table.add_column("Commitment")
    table.add_column("Due", no_wrap=True, min_width=10)
    if not narrow:
        table.add_column("Target", justify="right", min_width=6)
    table.add_column("State", no_wrap=True, min_width=9)
    if odds is not None:
        table.add_column("On time", justify="right", min_width=7)
        table.add_column("P85", no_wrap=True, min_width=10)
        table.add_column("Health", no_wrap=True, min_width=9)
    for row in rows:
        style = STATE_STYLES.get(row.state, "")
        cells = [
            row.client,
            row.commitment_id if narrow else row.commitment,
            row.due.isoformat(),
            *([] if narrow else [f"{row.confidence:.0%}"]),
            "[red]past due[/]" if row.past_due else f"[{style}]{row.state.replace('_', ' ')}[/]",
        ]
        if odds is not None:
            cells += _odds_cells(row, odds.get(row.commitment_id))
        table.add_row(*cells)
    return table


def _odds_cells(row: CommitmentRow, odds: CommitmentOdds | None) -> list[str]:
    if row.past_due:  # the date has gone: no odds of meeting it, whatever is forecast
        p85 = odds.p85.isoformat() if odds and odds.p85 else ""
        return ["[red]—[/]", f"[red]{p85}[/]", health_text(Health.OFF_TRACK)]
    if odds is None or odds.on_time is None or odds.p85 is None:
        return ["[dim]no forecast[/]", "", ""]
    colour = HEALTH_STYLES[odds.health.value] if odds.health else "default"
    late = "red" if odds.p85 > row.due else "default"
    return [
        f"[{colour}]{percent(odds.on_time, short=True)}[/]",
        f"[{late}]{odds.p85.isoformat()}[/]",
        health_text(odds.health, missing=""),
    ]


def forecast_tables(forecast: ProjectForecast) -> list[Table]:
    """The phases, the commitments and who decides the date, of one project's forecast.
    Names and ids are shortened only when the terminal is too narrow for them."""
    narrow = console.width < 120
    phases = Table(
        title=f"{forecast.project}: forecast from {forecast.start} "
        f"({forecast.mode} mode, {forecast.trials:,} trials, seed {forecast.seed})",
        title_justify="left",
        box=box.SIMPLE_HEAVY,
    )
    phases.add_column("Phase", overflow="ellipsis", no_wrap=True, max_width=28 if narrow else None)
    phases.add_column("Left", justify="right", min_width=4)
    for name in ("P50", "P85", "P95"):
        phases.add_column(name, no_wrap=True, min_width=10)
    for finish in [*forecast.phases, forecast.whole]:
        done = finish.items == 0
        phases.add_row(
            finish.name if finish is not forecast.whole else "[bold]Whole project[/]",
            str(finish.items),
            *(["[dim]done[/]", "", ""] if done else _dates(finish)),
        )
    tables = [phases]
    if forecast.commitments:
        promises = Table(title="Commitments", title_justify="left", box=box.SIMPLE_HEAVY)
        promises.add_column(
            "Commitment", overflow="ellipsis", no_wrap=True, max_width=14 if narrow else None
        )
        for name in ("Due", "On time", "P50", "P85", "P95"):
            promises.add_column(
                name, no_wrap=True, justify="right" if name == "On time" else "left"
            )
        cut_lines = Table.grid(padding=(0, 1))
        for finish in forecast.commitments:
            assert finish.due is not None
            assert finish.on_time is not None
            promises.add_row(
                finish.id,
                finish.due.isoformat(),
                percent(finish.on_time, short=True),
                *_dates(finish),
            )
            fitting = forecast.cut_lines.get(finish.id, [])
            cut_lines.add_row(
                f"[bold]{finish.id}[/]: by {finish.due} at {forecast.confidence:.0%}, "
                + (f"phases {', '.join(fitting)} fit" if fitting else "no phase fits")
            )
        tables += [promises, cut_lines]
    if forecast.critical_people:
        people = Table(title="Who decides the date", title_justify="left", box=box.SIMPLE_HEAVY)
        people.add_column("Person")
        people.add_column("Decides the date", justify="right")
        people.add_column("Idle person-days", justify="right")
        idle = {s.id: s.value for s in forecast.idle_people}
        for share in forecast.critical_people:
            people.add_row(share.name, f"{share.value:.0%}", f"{idle.get(share.id, 0):.1f}")
        tables.append(people)
    return tables


def _dates(finish: Finish) -> list[str]:
    return [d.isoformat() for d in (finish.p50, finish.p85, finish.p95)]


def backtest_json(project: str, result: BacktestResult) -> dict[str, Any]:
    """The backtest as one JSON object, in the documented shape."""
    return {
        "project": project,
        "results": [
            {
                "k": score.k,
                "origins": score.origins,
                "coverage": {
                    "p50": score.coverage_p50,
                    "p85": score.coverage_p85,
                    "p95": score.coverage_p95,
                },
                "pinball_85": score.pinball_85,
                "straight_line_pinball_85": score.straight_line_pinball_85,
            }
            for score in result.scores
        ],
    }


def backtest_table(project: str, result: BacktestResult) -> Table:
    table = Table(
        title=f"Backtest of {project}: the date K more items are done", title_justify="left"
    )
    for name in (
        "K",
        "Origins",
        "P50 cover",
        "P85 cover",
        "P95 cover",
        "Pinball 85",
        "Straight line",
    ):
        table.add_column(name, justify="right")
    for score in result.scores:
        table.add_row(
            str(score.k),
            str(score.origins),
            f"{score.coverage_p50:.2f}",
            f"{score.coverage_p85:.2f}",
            f"{score.coverage_p95:.2f}",
            f"{score.pinball_85:.2f} d",
            f"{score.straight_line_pinball_85:.2f} d",
        )
    return table


def rows_as_json(rows: Sequence[CommitmentRow]) -> list[dict[str, Any]]:
    return [asdict(r) for r in rows]


def events_table(events: Sequence[Event]) -> Table:
    table = Table(title="History: newest first", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("When (UTC)", no_wrap=True)
    table.add_column("Who")
    table.add_column("What")
    table.add_column("Entity")
    for event in events:
        table.add_row(
            str(event.id),
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor,
            event.action,
            f"{event.entity} {event.entity_id}",
        )
    return table
