"""A project's page: phases and items, people, the forecast and what decides the date."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from keepword.services.projects import project_overview
from keepword.web.rendering import KeepwordDep, render

router = APIRouter()


@router.get("/projects/{project_id}", response_class=HTMLResponse, name="project")
def project_page(request: Request, project_id: str, keepword: KeepwordDep) -> HTMLResponse:
    overview = project_overview(keepword.uow, project_id, now=keepword.settings.now())
    return render(request, "project.html", {"view": overview})
