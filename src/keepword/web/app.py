"""The FastAPI application factory. Routes stay thin: they call services and render."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from sqlalchemy import text

from keepword import __version__
from keepword.bootstrap import Keepword
from keepword.services import portfolio as portfolio_service
from keepword.services import watch
from keepword.services.forecasting import ForecastOptions

HERE = Path(__file__).parent


class CommitmentPublic(BaseModel):
    client: str
    project: str
    project_id: str
    commitment: str
    commitment_id: str
    due: date
    state: str
    confidence: float
    scope: str


class Health(BaseModel):
    status: str
    version: str


def create_app(keepword: Keepword) -> FastAPI:
    """The web app over ``keepword``'s database."""
    app = FastAPI(title="Keepword", version=__version__)
    templates = Jinja2Templates(directory=HERE / "templates")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def rows() -> list[portfolio_service.CommitmentRow]:
        return portfolio_service.commitment_rows(portfolio_service.current_portfolio(keepword.uow))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def portfolio_page(request: Request) -> Any:
        moment = keepword.settings.now()
        cached = watch.current_odds(keepword.uow, ForecastOptions(today=moment.date()), now=moment)
        odds = watch.as_commitment_odds(cached)
        portfolio = portfolio_service.current_portfolio(keepword.uow)
        return templates.TemplateResponse(
            request,
            "portfolio.html",
            {
                "rows": portfolio_service.commitment_rows(portfolio),
                "odds": odds,
                "counts": portfolio_service.portfolio_counts(portfolio),
                "version": __version__,
            },
        )

    @app.get("/api/portfolio")
    def portfolio_api() -> list[CommitmentPublic]:
        return [CommitmentPublic(**asdict(row)) for row in rows()]

    @app.get("/healthz")
    def health() -> Health:
        with keepword.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return Health(status="ok", version=__version__)

    return app
