"""``keepword risks``: the open risk signals and their disclosure clocks."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from keepword.cli import output
from keepword.cli.context import JsonOption, acting, open_app
from keepword.domain.events import snapshot
from keepword.domain.signals import DEFAULT_STALL_DAYS

if TYPE_CHECKING:
    from keepword.services import signals


def risks(
    ctx: typer.Context,
    stall_days: Annotated[
        int, typer.Option(help="Working days without progress before it is a signal.", min=1)
    ] = DEFAULT_STALL_DAYS,
    all_: Annotated[bool, typer.Option("--all", help="Also list disclosed signals.")] = False,
    json: JsonOption = False,
) -> None:
    """Open risk signals with their disclosure clocks, those past their target first;
    overdue ones are escalated. The review is of now ($KEEPWORD_NOW replays a day)."""
    from keepword.services import signals

    keepword = open_app(ctx)
    moment = keepword.settings.now()
    result = signals.review(
        keepword.uow,
        actor=acting(keepword),
        now=moment,
        today=moment.date(),
        stall_days=stall_days,
        include_disclosed=all_,
    )
    if json:
        output.print_json(
            [
                {
                    **snapshot(v.signal),
                    "deadline": v.clock.deadline,
                    "elapsed_hours": round(v.clock.latency_hours, 1),
                    "overdue": v.clock.overdue,
                    "target_working_days": v.target_days,
                    "client": v.client,
                }
                for v in result.signals
            ]
        )
        return
    if not result.signals:
        output.console.print("No open signals.")
    else:
        output.console.print(_risks_table(result, moment))
    if result.escalated:
        output.console.print(
            f"[red]Escalated[/] (undisclosed past target): {', '.join(result.escalated)}",
            highlight=False,
        )


def _clock(view: signals.SignalView, moment: datetime) -> str:
    from keepword.services import signals

    text = signals.clock_text(view, moment)
    return f"[red]{text}[/]" if view.overdue_undisclosed else text


def _risks_table(result: signals.Review, moment: datetime) -> Table:
    table = Table(title="Risk signals", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Id", no_wrap=True)
    table.add_column("Client", overflow="fold", max_width=16)
    table.add_column("What happened", overflow="fold")
    table.add_column("Sev.", no_wrap=True)
    table.add_column("Owner", no_wrap=True)
    table.add_column("Detected", no_wrap=True)
    table.add_column("Clock", no_wrap=True)
    for v in result.signals:
        s = v.signal
        table.add_row(
            s.id,
            v.client,
            f"[bold]{s.kind.value.replace('_', ' ')}[/]: {s.summary}",
            s.severity.value,
            v.owner_name or "—",
            s.detected_at.strftime("%Y-%m-%d %H:%M"),
            _clock(v, moment),
        )
    return table
