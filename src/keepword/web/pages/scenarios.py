"""What-if: try a saved scenario, or moves picked here, see the portfolio diff, then apply."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from keepword.bootstrap import Keepword
from keepword.domain.access import Action
from keepword.domain.errors import InvalidFields
from keepword.domain.events import Event
from keepword.domain.forecast import ForecastOptions
from keepword.domain.portfolio import Portfolio
from keepword.domain.scenario import Scenario
from keepword.services import portfolio as portfolio_service
from keepword.services import scenarios, watch
from keepword.services.portfolio import Filters, dashboard
from keepword.services.ports import CachedOdds
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import ActorDep, allow

router = APIRouter()

MOVE_ROWS = 3
MOVE_FIELDS = ("person", "from_project", "to_project", "start", "end", "percent")


@dataclass(frozen=True)
class MovesForm:
    """The moves as typed, row by row, and what is wrong with them by field name."""

    rows: list[dict[str, str]]
    errors: dict[str, str]


@router.get(
    "/whatif", dependencies=[allow(Action.TRY_WHATIF)], response_class=HTMLResponse, name="whatif"
)
def whatif_page(request: Request, keepword: KeepwordDep) -> HTMLResponse:
    portfolio = portfolio_service.current_portfolio(keepword.uow)
    form = MovesForm([dict.fromkeys(MOVE_FIELDS, "") for _ in range(MOVE_ROWS)], {})
    return _page(request, portfolio, form)


@router.get(
    "/whatif/scenarios/{scenario_id}",
    dependencies=[allow(Action.TRY_WHATIF)],
    response_class=HTMLResponse,
)
def saved_scenario(request: Request, scenario_id: str, keepword: KeepwordDep) -> HTMLResponse:
    portfolio, cached, options = _watched(keepword)
    result = scenarios.what_if(portfolio, portfolio.scenario(scenario_id), options, cached)
    return render(request, "whatif_result.html", {"result": result, "saved": True, "rows": []})


@router.post("/whatif/scenarios/{scenario_id}/apply", dependencies=[allow(Action.APPLY_SCENARIO)])
def apply_saved(scenario_id: str, keepword: KeepwordDep, actor: ActorDep) -> RedirectResponse:
    moment = keepword.settings.now()
    scenario = portfolio_service.current_portfolio(keepword.uow).scenario(scenario_id)
    events = scenarios.apply_scenario(
        keepword.uow, scenario_id, actor=actor, now=moment, today=moment.date()
    )
    return _to_applied(scenario, events)


@router.post("/whatif/try", dependencies=[allow(Action.TRY_WHATIF)], response_class=HTMLResponse)
async def try_moves(request: Request, keepword: KeepwordDep) -> HTMLResponse:
    data = await request.form()
    portfolio, cached, options = _watched(keepword)
    scenario, form = _scenario_of(data, portfolio)
    if scenario is None:
        return _page(request, portfolio, form, status_code=422)
    result = scenarios.what_if(portfolio, scenario, options, cached)
    return render(
        request, "whatif_result.html", {"result": result, "saved": False, "rows": form.rows}
    )


@router.post(
    "/whatif/apply", dependencies=[allow(Action.APPLY_SCENARIO)], response_class=HTMLResponse
)
async def apply_moves(request: Request, keepword: KeepwordDep, actor: ActorDep) -> Any:
    portfolio = portfolio_service.current_portfolio(keepword.uow)
    scenario, form = _scenario_of(await request.form(), portfolio)
    if scenario is None:
        return _page(request, portfolio, form, status_code=422)
    moment = keepword.settings.now()
    events = scenarios.apply_changes(
        keepword.uow, scenario, actor=actor, now=moment, today=moment.date()
    )
    return _to_applied(scenario, events)


@router.get("/whatif/applied", dependencies=[allow(Action.TRY_WHATIF)], response_class=HTMLResponse)
def applied(
    request: Request,
    keepword: KeepwordDep,
    actor: ActorDep,
    scenario: Annotated[str, Query()],
    project: Annotated[list[str], Query()],
    signals: Annotated[int, Query()] = 0,
) -> HTMLResponse:
    """What an applied scenario left: the touched projects' promises as they stand now."""
    view = dashboard(keepword.uow, Filters(), actor=actor, now=keepword.settings.now())
    rows = [row for row in view.rows if row.project_id in set(project)]
    return render(
        request,
        "whatif_applied.html",
        {"scenario": scenario, "rows": rows, "signals": signals},
    )


def _to_applied(scenario: Scenario, events: list[Event]) -> RedirectResponse:
    raised = sum(1 for e in events if e.entity == "signal" and e.action == "raised")
    query = urlencode(
        [("scenario", scenario.name), ("signals", str(raised))]
        + [("project", p) for p in sorted(scenarios.scenario_projects(scenario))]
    )
    return RedirectResponse(f"/whatif/applied?{query}", status_code=303)


def _watched(keepword: Keepword) -> tuple[Portfolio, dict[str, CachedOdds], ForecastOptions]:
    """The stored portfolio, its watched odds (one read of both) and the watch options."""
    moment = keepword.settings.now()
    options = watch.watch_options(moment)
    portfolio, cached = watch.current_state(keepword.uow, options, now=moment)
    return portfolio, cached, options


def _page(
    request: Request, portfolio: Portfolio, form: MovesForm, *, status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "whatif.html",
        {"portfolio": portfolio, "form": form},
        status_code=status_code,
    )


def _scenario_of(data: FormData, portfolio: Portfolio) -> tuple[Scenario | None, MovesForm]:
    """The moves typed into the form as a scenario, or None and the errors by field."""
    rows: list[dict[str, str]] = []
    moves: list[scenarios.Move] = []
    unreadable: dict[str, str] = {}
    for n in range(MOVE_ROWS):
        row = {f: str(data.get(f"moves-{n}-{f}", "")).strip() for f in MOVE_FIELDS}
        rows.append(row)
        if not any(row.values()):
            continue
        index = len(moves)  # the service numbers the moves given, not the form's rows
        percent = _number(row["percent"]) if row["percent"] else None
        if row["percent"] and percent is None:
            unreadable[f"moves.{index}.percent"] = "a number, such as 50"
        moves.append(
            scenarios.Move(
                person=row["person"],
                from_project=row["from_project"],
                start=_day(row["start"]),
                end=_day(row["end"]),
                to_project=row["to_project"] or None,
                percent=percent,
            )
        )
    filled = [n for n, row in enumerate(rows) if any(row.values())] or [0]
    try:
        return scenarios.moves_scenario(portfolio, moves, unreadable), MovesForm(rows, {})
    except InvalidFields as error:
        return None, MovesForm(rows, _form_fields(error.errors, filled))


def _form_fields(errors: dict[str, str], rows: list[int]) -> dict[str, str]:
    """``moves.N.FIELD`` of the service as the form's ``moves-ROW-FIELD``."""
    named: dict[str, str] = {}
    for key, message in errors.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "moves" and int(parts[1]) < len(rows):
            named[f"moves-{rows[int(parts[1])]}-{parts[2]}"] = message
        else:
            named["__all__"] = message
    return named


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
