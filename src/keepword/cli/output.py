"""How the CLI shows things: Rich tables for people, JSON for programs."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from rich.console import Console
from rich.table import Table

from keepword.domain.events import Event, snapshot
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


def portfolio_table(rows: Sequence[CommitmentRow]) -> Table:
    table = Table(title="Portfolio: commitments by due date", title_justify="left")
    table.add_column("Client")
    table.add_column("Project")
    table.add_column("Commitment")
    table.add_column("Scope")
    table.add_column("Due", no_wrap=True)
    table.add_column("Target", justify="right")
    table.add_column("State")
    for row in rows:
        style = STATE_STYLES.get(row.state, "")
        table.add_row(
            row.client,
            row.project,
            row.commitment,
            row.scope,
            row.due.isoformat(),
            f"{row.confidence:.0%}",
            f"[{style}]{row.state.replace('_', ' ')}[/]",
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
