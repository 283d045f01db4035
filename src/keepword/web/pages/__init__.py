"""The server-rendered pages, one module per area, included by :func:`create_app`."""

from keepword.web.pages import dashboard, gate, incidents, plan, projects, signals, whatif

routers = [
    dashboard.router,
    projects.router,
    gate.router,
    whatif.router,
    signals.router,
    incidents.router,
    plan.router,
]
