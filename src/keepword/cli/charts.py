"""``keepword chart``: a project's forecast drawn as an SVG or PNG file."""

from __future__ import annotations

import enum
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from keepword.cli import output
from keepword.cli.context import AsOfOption, SeedOption, TrialsOption, forecast_options, open_app
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS


class ChartKind(enum.StrEnum):
    BURN_UP = "burn-up"
    FINISH = "finish"


def chart(
    ctx: typer.Context,
    project: Annotated[str, typer.Argument(help="Project id.")],
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
    from keepword.services import forecasting
    from keepword.services import portfolio as portfolio_service
    from keepword.services.projects import first_open_due

    chart_files.check_suffix(out)  # before the forecast: a wrong name fails at once
    keepword = open_app(ctx)
    stored = portfolio_service.current_portfolio(keepword.uow)
    subject = stored.project(project)
    moment = keepword.settings.now()
    options = replace(forecast_options(moment, as_of, trials, seed), curves=True)
    forecast = forecasting.forecast_project(stored, project, options)
    due = first_open_due(stored, project)
    draw = charts.burn_up_chart if kind is ChartKind.BURN_UP else charts.finish_chart
    written = chart_files.write_chart(draw(subject, forecast, due), out)
    output.console.print(
        f"Wrote the {kind.value} chart of {project} to {written} "
        f"({forecast.trials:,} trials from {forecast.start}"
        + (f", due {due}" if due else "")
        + ").",
        highlight=False,
        soft_wrap=True,
    )
