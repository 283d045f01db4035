"""Signals with their disclosure clocks, and the messages that answer each."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from keepword.domain.access import Action
from keepword.services import signals
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import allow

router = APIRouter()


@router.get(
    "/signals",
    dependencies=[allow(Action.VIEW_SIGNALS)],
    response_class=HTMLResponse,
    name="signals",
)
def signals_page(
    request: Request,
    keepword: KeepwordDep,
    commitment: Annotated[str | None, Query()] = None,
    disclosed: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    views = signals.stored_signals(
        keepword.uow,
        keepword.settings.now(),
        include_disclosed=disclosed,
        commitment=commitment or None,
    )
    return render(
        request,
        "signals.html",
        {"views": views, "commitment": commitment, "disclosed": disclosed},
    )


@router.get(
    "/signals/{signal_id}",
    dependencies=[allow(Action.VIEW_SIGNALS)],
    response_class=HTMLResponse,
    name="signal",
)
def signal_page(request: Request, signal_id: str, keepword: KeepwordDep) -> HTMLResponse:
    answered = signals.answered_signal(keepword.uow, signal_id, keepword.settings.now())
    return render(request, "signal.html", {"view": answered.view, "messages": answered.messages})
