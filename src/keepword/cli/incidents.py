"""``keepword incident add|list|done``: incidents and their recovery steps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.table import Table

from keepword.cli import output
from keepword.cli.context import JsonOption, acting, command_group, open_app
from keepword.domain.communications import MOMENT_FORMATS
from keepword.domain.errors import InvalidValue

if TYPE_CHECKING:
    from keepword.services.incidents import IncidentView

MomentOption = Annotated[
    datetime | None,
    typer.Option(
        formats=list(MOMENT_FORMATS),
        help="When it happened, UTC, as YYYY-MM-DD HH:MM (default: now).",
        show_default=False,
    ),
]


incident_app = command_group(help="Incidents and their recovery steps.", no_args_is_help=True)


def _step(text: str) -> tuple[str, datetime]:
    from keepword.services import incidents

    try:
        return incidents.parse_step(text)
    except InvalidValue as error:
        # A step without its shape is quoted whole; a bad date is quoted by itself.
        message = f"{text!r}: {error.message}" if error.field == "action" else error.message
        raise typer.BadParameter(message, param_hint="--step") from None


@incident_app.command("add")
def incident_add(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project id.")],
    title: Annotated[str, typer.Option(help="What went wrong, in a few words.")],
    impact: Annotated[str, typer.Option(help="What it did to the client, in their terms.")],
    own_factor: Annotated[
        list[str] | None,
        typer.Option(
            help="One of the team's own contributing factors (repeatable).", show_default=False
        ),
    ] = None,
    step: Annotated[
        list[str] | None,
        typer.Option(
            help="A recovery step, 'ACTION @ YYYY-MM-DD HH:MM' UTC (repeatable).",
            show_default=False,
        ),
    ] = None,
    at: MomentOption = None,
    commitment: Annotated[
        str | None, typer.Option(help="The commitment it hit.", show_default=False)
    ] = None,
    json: JsonOption = False,
) -> None:
    """Record an incident; a first contact with the client is added if no step is one."""
    from keepword.services import incidents

    steps = [_step(s) for s in step or []]
    keepword = open_app(ctx)
    moment = keepword.settings.now()
    recorded = incidents.record_incident(
        keepword.uow,
        project,
        title,
        impact,
        own_factor or [],
        steps,
        at.replace(tzinfo=UTC) if at else None,
        commitment,
        actor=acting(keepword),
        now=moment,
    )
    if json:
        output.print_json(recorded.incident)
        return
    output.console.print(f"Recorded incident {recorded.incident.id}.", highlight=False)
    output.console.print(_incident_table(recorded))


@incident_app.command("list")
def incident_list(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option(help="Only this project's incidents.")] = None,
    json: JsonOption = False,
) -> None:
    """Incidents, newest first, with their recovery steps and clocks."""
    from keepword.services import incidents

    keepword = open_app(ctx)
    found = incidents.incident_views(keepword.uow, keepword.settings.now(), project)
    if json:
        output.print_json([view.incident for view in found])
        return
    if not found:
        output.console.print("No incidents.")
    for view in found:
        output.console.print(_incident_table(view))


@incident_app.command("done")
def incident_done(
    ctx: typer.Context,
    incident_id: Annotated[str, typer.Argument(metavar="ID", help="Incident id (I-1, …).")],
    number: Annotated[int, typer.Argument(metavar="STEP", help="Step number, from 1.", min=1)],
) -> None:
    """Mark a recovery step done now."""
    from keepword.services import incidents

    keepword = open_app(ctx)
    moment = keepword.settings.now()
    after = incidents.step_done(
        keepword.uow, incident_id, number, actor=acting(keepword), now=moment
    )
    done = after.steps[number - 1]
    late = " (after its due time)" if done.state == "done_late" else ""
    output.console.print(
        f"{after.incident.id} step {number} done: {done.step.action}{late}.", highlight=False
    )


def _incident_table(view: IncidentView) -> Table:
    incident = view.incident
    table = Table(
        title=f"{incident.id} {incident.title} ({incident.project}, "
        f"{incident.occurred_at:%Y-%m-%d %H:%M} UTC)",
        title_justify="left",
        caption=f"Impact: {incident.impact}",
        caption_justify="left",
        box=box.SIMPLE_HEAVY,
    )
    table.add_column("#", justify="right")
    table.add_column("Recovery step")
    table.add_column("Due (UTC)", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for shown in view.steps:
        step = shown.step
        if step.done_at is not None:
            status = f"[green]done {step.done_at:%Y-%m-%d %H:%M}[/]"
        elif shown.state == "overdue":
            status = "[red]overdue[/]"
        else:
            status = "to do"
        table.add_row(str(shown.number), step.action, f"{step.due:%Y-%m-%d %H:%M}", status)
    return table
