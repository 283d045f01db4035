"""Who is asking, and whether they may: sessions, tokens, CSRF, the route's action, headers.

- :class:`AccessMiddleware` finds the caller of every request (a session cookie, or a
  personal access token for the API), answers 401 to a protected path without one, and
  puts the security headers on every response.
- :func:`csrf_protect` refuses (403) a state-changing request sent cross-site, or sent with
  a session cookie but without the session's CSRF token (a form field or a header).
- :func:`allow` is each route's declared action, checked against the policy before the route
  reads anything, so a refused id is refused exactly as an unknown one.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keepword.bootstrap import Keepword
from keepword.domain.access import Action, Actor, Forbidden
from keepword.domain.errors import InvalidValue
from keepword.domain.text import MESSAGE_MAX, NUL, NUL_REFUSED, TEXT_MAX, check_text
from keepword.services import accounts
from keepword.services.accounts import Caller

SESSION_COOKIE = "keepword_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Reachable without logging in: the login form, assets, the health check, the API's schema.
PUBLIC_PATHS = frozenset({"/login", "/healthz", "/favicon.ico", "/api/v1/openapi.json"})
PUBLIC_PREFIXES = ("/static/",)

# Vega compiles chart expressions with `new Function`; only pages with charts allow it.
_CSP = (
    "default-src 'self'; script-src 'self'{eval}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)
CSP = _CSP.format(eval="")
CSP_WITH_CHARTS = _CSP.format(eval=" 'unsafe-eval'")


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def address_of(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy: uvicorn --proxy-headers)."""
    return request.client.host if request.client else "unknown"


class AccessMiddleware:
    """A pure ASGI middleware: the caller is put in the request's state and the headers on
    the response as it starts, without wrapping the response's body in a task as
    ``BaseHTTPMiddleware`` does, so a page served from memory costs little more than its
    session read."""

    def __init__(
        self,
        app: ASGIApp,
        keepword: Keepword,
        login_page: Callable[[Request], Response],
    ) -> None:
        self.app = app
        self._keepword = keepword
        self._login_page = login_page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        if path.startswith(PUBLIC_PREFIXES):
            caller = None  # the static files are the same for all: no session to read
        else:
            caller = await run_in_threadpool(self._caller, request)
        request.state.caller = caller  # kept in the scope: every later Request sees it
        logged_in = caller is not None
        if caller is None and not is_public(path):
            response = self._unauthenticated(request)
            _secure(response.headers, request, logged_in=False)
            await response(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                _secure(MutableHeaders(scope=message), request, logged_in=logged_in)
            await send(message)

        await self.app(scope, receive, send_secured)

    def _caller(self, request: Request) -> Caller | None:
        now = self._keepword.settings.now()
        authorization = request.headers.get("authorization", "")
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() == "bearer" and request.url.path.startswith("/api/"):
            return accounts.token_caller(self._keepword.uow, secret.strip(), now=now)
        session_id = request.cookies.get(SESSION_COOKIE)
        if session_id:
            return accounts.session_caller(self._keepword.uow, session_id, now=now)
        return None

    def _unauthenticated(self, request: Request) -> Response:
        if request.url.path.startswith("/api/"):
            body = {
                "error": {
                    "status": 401,
                    "code": "unauthenticated",
                    "message": "log in, or send a personal access token as a Bearer token",
                    "fields": [],
                }
            }
            return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
        return self._login_page(request)


def _secure(headers: MutableHeaders, request: Request, *, logged_in: bool) -> None:
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.url.scheme == "https":
        headers["Strict-Transport-Security"] = "max-age=31536000"
    if logged_in or not request.url.path.startswith(PUBLIC_PREFIXES):
        headers["Cache-Control"] = "no-store"


def caller_of(request: Request) -> Caller | None:
    caller: Caller | None = getattr(request.state, "caller", None)
    return caller


def actor_of(request: Request) -> Actor:
    """The logged-in actor; the middleware has answered 401 already for a request without."""
    caller = caller_of(request)
    if caller is None:  # a public path asking for an actor: a bug, not a user's mistake
        raise RuntimeError(f"{request.url.path} needs a logged-in user")
    return caller.actor


async def _actor_dependency(request: Request) -> Actor:
    # async: no worker thread for what reads the request's state (see rendering.KeepwordDep).
    return actor_of(request)


ActorDep = Annotated[Actor, Depends(_actor_dependency)]


def csrf_token_of(request: Request) -> str:
    """The session's CSRF token, for the forms of a page; empty without a session."""
    caller = caller_of(request)
    return (caller.csrf_token or "") if caller else ""


class CsrfRefused(Exception):
    """A state-changing request that may have been forged; answered 403, nothing done."""


def _same_origin(request: Request) -> bool:
    """False for a request a browser says came from another site, by either header."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


async def csrf_protect(request: Request) -> None:
    """Every app's dependency: refuse a forged state-changing request before the route runs."""
    if request.method in SAFE_METHODS:
        return
    if not _same_origin(request):
        raise CsrfRefused("this request came from another site")
    caller = caller_of(request)
    if caller is None or caller.csrf_token is None or request.url.path == "/login":
        # A token's caller has no ambient cookie to abuse; logging in (again) makes a new
        # session, guarded by the same-site check above.
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, caller.csrf_token):
        raise CsrfRefused("this form is missing its security token or it is stale; reload the page")


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def refuse_unstorable_text(request: Request) -> None:
    """Every app's dependency: text no field may hold (a NUL character, anywhere in the
    path, the query or a form; or a form field longer than a message) is refused with 422
    naming where, before anything reads or stores it. JSON bodies are checked by their
    schemas (``RequestBody``)."""
    if NUL in request.url.path:
        raise InvalidValue(f"the address {NUL_REFUSED}", "path")
    for name, value in request.query_params.multi_items():
        _check_field(name, value, MESSAGE_MAX)
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("content-type", "").startswith(FORM_TYPES):
        for name, field in (await request.form()).multi_items():
            if isinstance(field, str):
                _check_field(name, field, MESSAGE_MAX)


def _check_field(name: str, value: str, limit: int) -> None:
    check_text(name, "a field's name", TEXT_MAX)
    check_text(value, name, limit)


class _Allow:
    """The dependency of a route that does ``action``: the policy decides, before anything."""

    def __init__(self, action: Action) -> None:
        self.action = action

    async def __call__(self, request: Request) -> None:
        actor = actor_of(request)
        if not actor.may(self.action):
            raise Forbidden(actor, self.action)


def allow(action: Action) -> Any:
    """``dependencies=[allow(Action.X)]``: the action this route does."""
    return Depends(_Allow(action))


def route_action(dependencies: list[Any]) -> Action | None:
    """The action a route declared with :func:`allow`, if it declared one."""
    for dependency in dependencies:
        call = getattr(dependency, "dependency", None)
        if isinstance(call, _Allow):
            return call.action
    return None


def record_denied(request: Request, error: Forbidden) -> None:
    """The audit event of a refused request: who, what action, which method and path."""
    keepword: Keepword = request.app.state.keepword
    accounts.record_denied(
        keepword.uow,
        error.actor,
        error.action,
        request=f"{request.method} {request.url.path}",
        address=address_of(request),
        now=keepword.settings.now(),
    )
