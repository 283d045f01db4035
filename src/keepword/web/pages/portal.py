"""The client portal's pages: a client user's own organisation's projects, read-only.

Both pages read :mod:`keepword.services.portal` only, whose views hold nothing internal; a
project of another organisation is answered as one that does not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from keepword.domain.access import Action
from keepword.services import portal as portal_service
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import ActorDep, allow

router = APIRouter()


@router.get(
    "/portal",
    dependencies=[allow(Action.VIEW_PORTAL)],
    response_class=HTMLResponse,
    name="portal",
)
def portal_page(request: Request, keepword: KeepwordDep, actor: ActorDep) -> HTMLResponse:
    home = portal_service.portal_projects(keepword.uow, actor=actor, now=keepword.settings.now())
    return render(request, "portal.html", {"home": home})


@router.get(
    "/portal/projects/{project_id}",
    dependencies=[allow(Action.VIEW_PORTAL)],
    response_class=HTMLResponse,
    name="portal_project",
)
def portal_project_page(
    request: Request, project_id: str, keepword: KeepwordDep, actor: ActorDep
) -> HTMLResponse:
    view = portal_service.portal_project(
        keepword.uow, project_id, actor=actor, now=keepword.settings.now()
    )
    return render(request, "portal_project.html", {"view": view})
