"""The server-rendered pages, one module per capability, included by :func:`create_app`."""

from keepword.web.pages import (
    accounts,
    gate,
    history,
    incidents,
    messages,
    plan,
    portal,
    portfolio,
    projects,
    scenarios,
    signals,
)

routers = [
    accounts.router,
    portfolio.router,
    projects.router,
    history.router,
    gate.router,
    scenarios.router,
    signals.router,
    messages.router,
    incidents.router,
    plan.router,
    portal.router,
]
