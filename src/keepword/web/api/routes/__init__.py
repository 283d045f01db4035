"""The API's routers, one module per capability, included by
:func:`keepword.web.api.create_api`; their shared schemas are :mod:`keepword.web.api.schemas`."""

from keepword.web.api.routes import (
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

# In this order the routes, and the paths of the OpenAPI document, are listed.
routers = [
    portfolio.router,
    projects.router,
    history.router,
    plan.router,
    gate.router,
    scenarios.router,
    signals.router,
    plan.changes_router,
    messages.router,
    incidents.router,
    portal.router,
    accounts.router,
]
