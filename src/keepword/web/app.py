"""The FastAPI application factory: the pages, the JSON API under /api/v1, static assets.

Routes stay thin: they parse the request, call the same services the CLI calls, and render.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from keepword import __version__
from keepword.bootstrap import Keepword
from keepword.domain.access import Forbidden
from keepword.domain.errors import KeepwordError
from keepword.web import pages
from keepword.web.api import create_api, error_response
from keepword.web.errors import status_of
from keepword.web.memo import PageMemo
from keepword.web.pages.accounts import login_page
from keepword.web.rendering import HERE, render
from keepword.web.security import (
    AccessMiddleware,
    CsrfRefused,
    csrf_protect,
    record_denied,
    refuse_unstorable_text,
)

logger = logging.getLogger(__name__)

_CANNOT = "That cannot be done"
# The title of an error page by its status (web.errors gives a domain error's); else _CANNOT.
_TITLES = {403: "Not allowed", 404: "Not found", 409: "Already done", 429: "Too many tries"}


class HealthCheck(BaseModel):
    status: str
    version: str


def create_app(keepword: Keepword, *, allowed_hosts: Sequence[str] | None = None) -> FastAPI:
    """The web app over ``keepword``'s database, answering requests for ``allowed_hosts``
    (default: the settings' ``allowed_hosts``) only."""
    app = FastAPI(
        title="Keepword",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        dependencies=[Depends(refuse_unstorable_text), Depends(csrf_protect)],
    )
    # Around everything, the API included: who is asking, 401 without a login, the headers.
    app.add_middleware(AccessMiddleware, keepword=keepword, login_page=login_page)
    # Outermost: a request for a host we are not is refused before anything reads its Host.
    hosts = allowed_hosts if allowed_hosts is not None else keepword.settings.allowed_hosts
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(hosts))
    app.state.keepword = keepword
    app.state.pages = PageMemo()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.mount("/api/v1", create_api(keepword), name="api")
    for router in pages.routers:
        app.include_router(router)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> FileResponse:
        # Asked for by browsers on pages without the icon link (the JSON documents).
        return FileResponse(HERE / "static" / "favicon.svg", media_type="image/svg+xml")

    @app.get("/healthz")
    def health() -> HealthCheck:
        with keepword.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return HealthCheck(status="ok", version=__version__)

    @app.exception_handler(KeepwordError)
    def domain_error(request: Request, error: KeepwordError) -> HTMLResponse:
        if isinstance(error, Forbidden):
            record_denied(request, error)
        status = status_of(error)
        return _error_page(request, status, _TITLES.get(status, _CANNOT), str(error))

    @app.exception_handler(CsrfRefused)
    def forged(request: Request, error: CsrfRefused) -> HTMLResponse:
        return _error_page(request, 403, "Not allowed", str(error))

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, error: RequestValidationError) -> HTMLResponse:
        # A hand-typed address or a form sent by hand: say which part of it is wrong.
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc'][1:]) or e['loc'][0]}: {e['msg']}"
            for e in error.errors()
        )
        in_form = any(e["loc"][:1] == ("body",) for e in error.errors())
        title = "That form is not right" if in_form else "That address is not right"
        return _error_page(request, 422, title, problems)

    @app.exception_handler(Exception)
    def failure(request: Request, error: Exception) -> HTMLResponse:
        # The API answers and logs its own failures; Starlette re-raises them up to here.
        if not request.url.path.startswith("/api/"):
            logger.error("%s %s failed", request.method, request.url.path, exc_info=error)
        return _error_page(
            request, 500, "Something went wrong", "The error is in the server's log."
        )

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if request.url.path.startswith("/api/"):
            # A path the /api/v1 mount cannot take (one with a %0A in it): the API's body.
            code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code)
            return error_response(error.status_code, code or "bad_request", str(error.detail))
        title = "Not found" if error.status_code == 404 else _CANNOT
        return _error_page(request, error.status_code, title, str(error.detail))

    return app


def _error_page(request: Request, status: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


def app_from_environment() -> FastAPI:
    """The app of one of several web processes: ``keepword serve --workers N`` starts each
    with the settings in its environment (the database, the clock, the host names)."""
    from keepword.bootstrap import open_keepword
    from keepword.config import load_settings

    settings = load_settings()
    return create_app(open_keepword(settings), allowed_hosts=settings.allowed_hosts)
