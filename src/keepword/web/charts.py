"""A project's charts as the project page and the API serve them."""

from __future__ import annotations

from dataclasses import replace

from keepword.bootstrap import Keepword
from keepword.reports.charts import Chart, project_charts
from keepword.services.forecasting import forecast_project
from keepword.services.portfolio import current_portfolio
from keepword.services.projects import first_open_due
from keepword.services.watch import watch_options


def charts_of(keepword: Keepword, project_id: str) -> list[Chart]:
    """The project's charts now, against its earliest promise still open: the burn-up with
    the forecast fan, then the finish-week distribution. Raises CannotForecast or NotFound."""
    portfolio = current_portfolio(keepword.uow)
    options = replace(watch_options(keepword.settings.now()), curves=True)
    forecast = forecast_project(portfolio, project_id, options)
    due = first_open_due(portfolio, project_id)
    return project_charts(portfolio.project(project_id), forecast, due)
