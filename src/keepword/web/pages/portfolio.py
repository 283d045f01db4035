"""The portfolio dashboard: every commitment, its odds and health, the signals untold longest."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from keepword.domain.access import Action
from keepword.domain.commitment import Health
from keepword.services.portfolio import Filters, dashboard, stored_version
from keepword.web.rendering import KeepwordDep, render_text
from keepword.web.security import ActorDep, allow, csrf_token_of

router = APIRouter()


@router.get(
    "/", dependencies=[allow(Action.VIEW_PORTFOLIO)], response_class=HTMLResponse, name="dashboard"
)
def dashboard_page(
    request: Request,
    keepword: KeepwordDep,
    actor: ActorDep,
    client: Annotated[str | None, Query()] = None,
    lead: Annotated[str | None, Query()] = None,
    health: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    filters = Filters(
        client=client or None,
        lead=lead or None,
        health=Health(health) if health in set(Health) else None,
    )
    now = keepword.settings.now()

    def page() -> str:
        view = dashboard(keepword.uow, filters, actor=actor, now=now)
        return render_text(request, "dashboard.html", {"view": view, "healths": list(Health)})

    # The page shows the stored state, the filters, the clock (to the minute) and who is
    # logged in (their name, and their session's CSRF token in its forms) only.
    minute = now.replace(second=0, microsecond=0)
    key = (stored_version(keepword.uow), filters, minute, csrf_token_of(request))
    return HTMLResponse(request.app.state.pages.get_or_render(key, page))
