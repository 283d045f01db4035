"""``keepword history`` (and ``history import``) and ``keepword backtest``: what happened,
the completed items a project's forecasts learn from, and how well such forecasts score."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from keepword.cli import output
from keepword.cli.context import JsonOption, SeedOption, acting, command_group, open_app
from keepword.domain.errors import KeepwordError
from keepword.forecast import DEFAULT_SEED

if TYPE_CHECKING:
    from keepword.adapters import histories

history_app = command_group(
    help="The event history, and the import of completed-item histories.",
    invoke_without_command=True,
)
HOURS_PER_DAY = 8.0


@history_app.callback()
def history(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="How many events to show.", min=1)] = 50,
    entity: Annotated[
        str | None, typer.Option(help="Only events of this kind of entity (item, commitment, …).")
    ] = None,
    json: JsonOption = False,
) -> None:
    """Show the event history, newest first."""
    from keepword.services import history

    if ctx.invoked_subcommand is not None:
        return
    keepword = open_app(ctx)
    events = history.recent_events(keepword.uow, limit, entity, actor=acting(keepword))
    if json:
        output.print_json(events)
    else:
        output.console.print(output.events_table(events))


@history_app.command("import")
def history_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV of completed items (docs/forecasting.md).")],
    project: Annotated[str, typer.Option(help="Project whose history this is.")],
    hours_per_day: Annotated[
        float, typer.Option(help="Hours in a person-day, to turn estimate/actual hours into days.")
    ] = HOURS_PER_DAY,
) -> None:
    """Load completed items into a project's history, all or nothing: a file with a row that
    cannot be read imports nothing, and every such row is listed by line."""
    from keepword.services import history

    read = _read_history(file)
    keepword = open_app(ctx)
    result = history.import_completed_rows(
        keepword.uow,
        project,
        read.items,
        rejected=read.rejected,
        source=str(file),
        hours_per_day=hours_per_day,
        actor=acting(keepword),
        now=keepword.settings.now(),
    )
    output.console.print(
        f"Imported {len(read.items)} rows of {file} into {project}: {result.added} new, "
        f"{result.updated} changed, {result.unchanged} as before; {result.total} completed "
        f"items in its history"
        + (f"; {len(read.notes)} noted (e.g. done before started)." if read.notes else "."),
        highlight=False,
    )


def _read_history(file: Path) -> histories.History:
    from keepword.adapters import histories

    try:
        return histories.read_history(file)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise KeepwordError(f"{file}: {getattr(error, 'strerror', None) or error}") from None


def backtest(
    file: Annotated[Path, typer.Argument(help="CSV of completed items to replay.")],
    trials: Annotated[int, typer.Option(help="Monte Carlo trials per origin.", min=100)] = 4000,
    seed: SeedOption = DEFAULT_SEED,
    model: Annotated[
        str,
        typer.Option(
            help="recalibrated (the forecasts' own model), calibrated, or plain resampling.",
        ),
    ] = "recalibrated",
    json: JsonOption = False,
) -> None:
    """Replay a real history: forecast from every origin and score coverage and pinball loss."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from keepword.forecast.backtest import MODELS
    from keepword.services import history

    if model not in MODELS:  # before the file is read: a usage error, as for any option
        raise typer.BadParameter(f"use one of {', '.join(MODELS)}", param_hint="--model")
    read = _read_history(file)
    with Progress(
        TextColumn("backtest {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:

        def advance(project: str, done_origins: int, origins: int | None) -> None:
            if not bar.tasks:
                bar.add_task(project, total=None)
            bar.update(bar.tasks[0].id, completed=done_origins, total=origins)

        replayed = history.backtest_history(
            read.items, source=file, model=model, trials=trials, seed=seed, progress=advance
        )
    if json:
        output.print_json(output.backtest_json(replayed.project, replayed.result))
    else:
        output.console.print(output.backtest_table(replayed.project, replayed.result))
