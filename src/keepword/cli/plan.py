"""``keepword item start|done`` and ``keepword time-off``: one change to the plan at a time."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keepword.cli import output
from keepword.cli.context import acting, command_group, open_app
from keepword.domain.errors import KeepwordError
from keepword.domain.project import ItemStatus

if TYPE_CHECKING:
    from keepword.services.watch import ChangeReport

item_app = command_group(help="Work items: add a list of them, record that one started or is done.")

DayOption = Annotated[
    datetime | None,
    typer.Option(
        "--on", formats=["%Y-%m-%d"], help="The day it happened (default: today).",
        show_default=False,
    ),
]  # fmt: skip


ProjectArgument = Annotated[str, typer.Argument(help="Project id.")]
ItemArgument = Annotated[str, typer.Argument(help="Item id.")]


def _status_command(status: ItemStatus) -> Callable[..., None]:
    """The command that moves an item to ``status``; ``item start`` and ``item done``."""

    def command(
        ctx: typer.Context, project: ProjectArgument, item: ItemArgument, on: DayOption = None
    ) -> None:
        _set_status(ctx, project, item, status, on)

    return command


item_app.command("start", help="Record that work on an item started.")(
    _status_command(ItemStatus.IN_PROGRESS)
)
item_app.command("done", help="Record that an item is done.")(_status_command(ItemStatus.DONE))


@item_app.command("add-many")
def add_many(
    ctx: typer.Context,
    project: ProjectArgument,
    file: Annotated[
        Path, typer.Argument(help="One item a line: 'Title | o/m/p | skill | phase' (- for stdin).")
    ],
) -> None:
    """Add a list of items to a project at once, all or nothing; ids come from the titles."""
    from keepword.adapters.item_list import read_item_lines
    from keepword.services import plan

    source = "<stdin>" if str(file) == "-" else str(file)
    try:
        text = sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise KeepwordError(f"{source}: not UTF-8 text") from None
    lines = read_item_lines(text, source)
    keepword = open_app(ctx)
    added = plan.add_items(
        keepword.uow,
        project,
        lines,
        source=source,
        actor=acting(keepword),
        now=keepword.settings.now(),
    )
    output.console.print(
        f"Added {len(added)} items to {project}: {', '.join(i.id for i in added)}.",
        highlight=False,
    )


def _set_status(
    ctx: typer.Context, project: str, item: str, status: ItemStatus, on: datetime | None
) -> None:
    from keepword.services import plan

    keepword = open_app(ctx)
    report = plan.record_item_status(
        keepword.uow,
        project,
        item,
        status,
        on=on.date() if on else None,
        actor=acting(keepword),
        now=keepword.settings.now(),
    )
    _print_report(report)


def time_off(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Person id.")],
    start: Annotated[datetime, typer.Argument(formats=["%Y-%m-%d"], help="First day off.")],
    end: Annotated[datetime, typer.Argument(formats=["%Y-%m-%d"], help="Last day off.")],
    reason: Annotated[str, typer.Option(help="Why, in a few words.")] = "",
) -> None:
    """Book days off for a person; the projects they work on are forecast again."""
    from keepword.services import plan

    keepword = open_app(ctx)
    report = plan.book_time_off(
        keepword.uow,
        person,
        start.date(),
        end.date(),
        reason=reason,
        actor=acting(keepword),
        now=keepword.settings.now(),
    )
    _print_report(report)


def _print_report(report: ChangeReport) -> None:
    """Say what the change did to the odds and which signals it raised."""
    events = report.events
    changes = [e for e in events if e.entity != "signal"]
    output.console.print(
        f"Recorded {len(changes)} change{'s' if len(changes) != 1 else ''} "
        "(see 'keepword history').",
        highlight=False,
    )
    for moved in report.reforecast:
        old, odds = moved.before, moved.after
        if odds.on_time is None:
            continue
        was = "—" if old.on_time is None else f"{old.on_time:.0%}"
        output.console.print(
            f"Re-forecast {moved.commitment}: on time {was} → {odds.on_time:.0%}, "
            f"P85 {old.p85} → {odds.p85}.",
            highlight=False,
        )
    for event in events:
        if event.entity == "signal" and event.action == "raised":
            output.console.print(
                f"[yellow]Signal {event.entity_id}[/]: {event.after['summary']}", highlight=False
            )
