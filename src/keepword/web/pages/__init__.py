"""The server-rendered pages, one module per area, included by :func:`create_app`."""

from keepword.web.pages import (
    dashboard,
    gate,
    incidents,
    plan,
    projects,
    signals,
    timeline,
    whatif,
)

routers = [
    dashboard.router,
    projects.router,
    timeline.router,
    gate.router,
    whatif.router,
    signals.router,
    incidents.router,
    plan.router,
]
