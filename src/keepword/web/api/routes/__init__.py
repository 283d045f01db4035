"""The API's routers, one module per area, included by :func:`keepword.web.api.create_api`."""

from keepword.web.api.routes import accounts, gate, messages, plan, portal, portfolio, watching

routers = [
    portfolio.router,
    plan.router,
    gate.router,
    watching.router,
    messages.router,
    portal.router,
    accounts.router,
]
