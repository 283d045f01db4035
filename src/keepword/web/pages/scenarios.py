"""What-if: try a saved scenario, or moves picked here, see the portfolio diff, then apply.

Moves that cannot be tried or applied re-render the form (422) with each error beside its
field, and nothing is written: :mod:`keepword.services.scenarios` says what is wrong, the
page only reads the text typed.
"""

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
from keepword.domain.portfolio import Portfolio
from keepword.services import portfolio as portfolio_service
from keepword.services import scenarios
from keepword.services.portfolio import Filters, dashboard
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import ActorDep, allow

router = APIRouter()

MOVE_ROWS = 3
MOVE_FIELDS = ("person", "from_project", "to_project", "start", "end", "percent")
NOT_A_DATE = "a date, as YYYY-MM-DD"
NOT_A_NUMBER = "a number, such as 50"


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
    result = scenarios.try_scenario(keepword.uow, scenario_id, now=keepword.settings.now())
    return render(request, "whatif_result.html", {"result": result, "saved": True, "rows": []})


@router.post("/whatif/scenarios/{scenario_id}/apply", dependencies=[allow(Action.APPLY_SCENARIO)])
def apply_saved(scenario_id: str, keepword: KeepwordDep, actor: ActorDep) -> RedirectResponse:
    moment = keepword.settings.now()
    applied = scenarios.apply_saved(
        keepword.uow, scenario_id, actor=actor, now=moment, today=moment.date()
    )
    return _to_applied(applied)


@router.post("/whatif/try", dependencies=[allow(Action.TRY_WHATIF)], response_class=HTMLResponse)
async def try_moves(request: Request, keepword: KeepwordDep) -> HTMLResponse:
    typed = _read_moves(await request.form())
    try:
        result = scenarios.try_moves(
            keepword.uow,
            typed.moves,
            now=keepword.settings.now(),
            input_errors=typed.unreadable,
        )
    except InvalidFields as refused:
        return _refused(request, keepword, typed, refused)
    return render(
        request, "whatif_result.html", {"result": result, "saved": False, "rows": typed.rows}
    )


@router.post(
    "/whatif/apply", dependencies=[allow(Action.APPLY_SCENARIO)], response_class=HTMLResponse
)
async def apply_moves(request: Request, keepword: KeepwordDep, actor: ActorDep) -> Any:
    typed = _read_moves(await request.form())
    moment = keepword.settings.now()
    try:
        applied = scenarios.apply_moves(
            keepword.uow,
            typed.moves,
            actor=actor,
            now=moment,
            today=moment.date(),
            input_errors=typed.unreadable,
        )
    except InvalidFields as refused:
        return _refused(request, keepword, typed, refused)
    return _to_applied(applied)


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


def _to_applied(applied: scenarios.ScenarioApplied) -> RedirectResponse:
    query = urlencode(
        [("scenario", applied.scenario.name), ("signals", str(len(applied.signals_raised)))]
        + [("project", p) for p in applied.touched]
    )
    return RedirectResponse(f"/whatif/applied?{query}", status_code=303)


def _page(
    request: Request, portfolio: Portfolio, form: MovesForm, *, status_code: int = 200
) -> HTMLResponse:
    return render(
        request,
        "whatif.html",
        {"portfolio": portfolio, "form": form},
        status_code=status_code,
    )


def _refused(
    request: Request, keepword: Keepword, typed: TypedMoves, refused: InvalidFields
) -> HTMLResponse:
    """The form again, as typed, each error beside its field, with the choices it offers as
    they stand."""
    form = MovesForm(typed.rows, _form_fields(refused.errors, typed.filled))
    portfolio = portfolio_service.current_portfolio(keepword.uow)
    return _page(request, portfolio, form, status_code=422)


@dataclass(frozen=True)
class TypedMoves:
    """The form's rows as typed, the moves read from the filled ones (numbered as the
    service numbers them), the fields that are not even a date or a number, and which
    form row each move came from."""

    rows: list[dict[str, str]]
    moves: list[scenarios.Move]
    unreadable: dict[str, str]
    filled: list[int]


def _read_moves(data: FormData) -> TypedMoves:
    """The moves typed into the form; whether they make sense is the service's to say."""
    rows: list[dict[str, str]] = []
    moves: list[scenarios.Move] = []
    unreadable: dict[str, str] = {}
    for n in range(MOVE_ROWS):
        row = {f: str(data.get(f"moves-{n}-{f}", "")).strip() for f in MOVE_FIELDS}
        rows.append(row)
        if not any(row.values()):
            continue
        index = len(moves)  # the service numbers the moves given, not the form's rows
        start, end = _day(row["start"]), _day(row["end"])
        percent = _number(row["percent"]) if row["percent"] else None
        for field, value in (("start", start), ("end", end)):
            if row[field] and value is None:
                unreadable[f"moves.{index}.{field}"] = NOT_A_DATE
        if row["percent"] and percent is None:
            unreadable[f"moves.{index}.percent"] = NOT_A_NUMBER
        moves.append(
            scenarios.Move(
                person=row["person"],
                from_project=row["from_project"],
                start=start,
                end=end,
                to_project=row["to_project"] or None,
                percent=percent,
            )
        )
    filled = [n for n, row in enumerate(rows) if any(row.values())] or [0]
    return TypedMoves(rows, moves, unreadable, filled)


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
