"""``keepword forecast`` and ``keepword chart``: one project's forecast, as tables or drawn
as an SVG or PNG file."""

from __future__ import annotations

import enum
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from keepword.cli import output
from keepword.cli.context import (
    AsOfOption,
    ConfidenceOption,
    JsonOption,
    SeedOption,
    TrialsOption,
    forecast_options,
    open_app,
    settings_of,
)
from keepword.domain.commitment import DEFAULT_CONFIDENCE
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS

ProjectArgument = Annotated[str, typer.Argument(help="Project id.")]


def forecast(
    ctx: typer.Context,
    project: ProjectArgument,
    trials: TrialsOption = DEFAULT_TRIALS,
    seed: SeedOption = DEFAULT_SEED,
    confidence: ConfidenceOption = DEFAULT_CONFIDENCE,
    as_of: AsOfOption = None,
    by: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            help="Also answer how many of the remaining items are done by this date.",
            show_default=False,
        ),
    ] = None,
    json: JsonOption = False,
) -> None:
    """P50/P85/P95 dates of a project's phases and commitments, and their odds of being on time."""
    from keepword.services import projects

    result = projects.project_forecast(
        open_app(ctx).uow,
        project,
        forecast_options(settings_of(ctx).now(), as_of, trials, seed, confidence, by),
    )
    if json:
        output.print_json(result)
        return
    for table in output.forecast_tables(result):
        output.console.print(table)
    if result.items_by is not None:
        by_date = result.items_by
        output.console.print(
            f"By {by_date.date}: {by_date.p50} of the {by_date.remaining} remaining items at "
            f"the median, at least {by_date.at_confidence} with {result.confidence:.0%} "
            "confidence."
        )
    output.console.print(f"[dim]Evidence: {result.evidence}.[/]")


class ChartKind(enum.StrEnum):
    BURN_UP = "burn-up"
    FINISH = "finish"


def chart(
    ctx: typer.Context,
    project: ProjectArgument,
    kind: Annotated[
        ChartKind,
        typer.Argument(
            help="burn-up: items done, scope and the forecast fan; "
            "finish: the week the project finishes."
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="File to write: FILE.svg or FILE.png.", show_default=False)
    ],
    as_of: AsOfOption = None,
    trials: TrialsOption = DEFAULT_TRIALS,
    seed: SeedOption = DEFAULT_SEED,
) -> None:
    """Draw a project's forecast as a chart file, with its earliest open commitment's due date."""
    # vl-convert (and the charts behind it) load here, not with every command.
    from keepword.reports import chart_files, charts
    from keepword.services import projects

    chart_files.check_suffix(out)  # before the forecast: a wrong name fails at once
    keepword = open_app(ctx)
    data = projects.chart_data(
        keepword.uow, project, forecast_options(keepword.settings.now(), as_of, trials, seed)
    )
    draw = charts.burn_up_chart if kind is ChartKind.BURN_UP else charts.finish_chart
    written = chart_files.write_chart(draw(data.project, data.forecast, data.due), out)
    output.console.print(
        f"Wrote the {kind.value} chart of {project} to {written} "
        f"({data.forecast.trials:,} trials from {data.forecast.start}"
        + (f", due {data.due}" if data.due else "")
        + ").",
        highlight=False,
        soft_wrap=True,
    )
