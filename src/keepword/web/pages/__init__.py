"""The server-rendered pages, one module per area, included by :func:`create_app`."""

from keepword.web.pages import (
    account,
    admin,
    dashboard,
    gate,
    incidents,
    messages,
    plan,
    portal,
    projects,
    signals,
    timeline,
    whatif,
)

routers = [
    account.router,
    admin.router,
    dashboard.router,
    projects.router,
    timeline.router,
    gate.router,
    whatif.router,
    signals.router,
    messages.router,
    incidents.router,
    plan.router,
    portal.router,
]
