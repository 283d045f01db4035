"""A project's page: phases and items, people, the forecast and what decides the date."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from keepword.domain.access import Action
from keepword.domain.errors import NotFound
from keepword.reports.chart_files import to_png, to_svg
from keepword.reports.charts import Chart, project_charts
from keepword.services.projects import ProjectOverview, project_overview
from keepword.web.charts import charts_of
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import CSP_WITH_CHARTS, ActorDep, allow

router = APIRouter()


@router.get(
    "/projects/{project_id}",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    response_class=HTMLResponse,
    name="project",
)
def project_page(
    request: Request, project_id: str, keepword: KeepwordDep, actor: ActorDep
) -> HTMLResponse:
    overview = project_overview(keepword.uow, project_id, actor=actor, now=keepword.settings.now())
    charts = _charts(overview)
    response = render(request, "project.html", {"view": overview, "charts": charts})
    if charts:  # Vega compiles its expressions with `new Function`
        response.headers["Content-Security-Policy"] = CSP_WITH_CHARTS
    return response


@router.get(
    "/projects/{project_id}/charts/{name}.{suffix}",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    name="chart_file",
)
def chart_file(project_id: str, name: str, suffix: str, keepword: KeepwordDep) -> Response:
    """A chart of the project page as a file: the same Vega-Lite spec, rendered to SVG or PNG."""
    chosen = next((c for c in charts_of(keepword, project_id) if c.name == name), None)
    if chosen is None or suffix not in ("svg", "png"):
        raise NotFound(f"no chart {name}.{suffix} for project {project_id!r}")
    headers = {"Content-Disposition": f'attachment; filename="{name}.{suffix}"'}
    if suffix == "svg":
        return Response(to_svg(chosen), media_type="image/svg+xml", headers=headers)
    return Response(to_png(chosen), media_type="image/png", headers=headers)


def _charts(overview: ProjectOverview) -> list[Chart]:
    if overview.forecast is None:
        return []
    return project_charts(overview.project, overview.forecast, overview.first_due)
