"""Pages: a project's event history as a timeline, newest first, grouped by day."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from keepword.domain.access import Action
from keepword.services.history import project_timeline
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import ActorDep, allow

router = APIRouter()

SHOWN = 500  # the newest events on the page; the API pages further back


@router.get(
    "/projects/{project}/timeline",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    response_class=HTMLResponse,
    name="timeline",
)
def timeline_page(
    request: Request, keepword: KeepwordDep, actor: ActorDep, project: str
) -> HTMLResponse:
    timeline = project_timeline(keepword.uow, project, SHOWN, actor=actor)
    return render(request, "timeline.html", {"timeline": timeline, "shown": SHOWN})
