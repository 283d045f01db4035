"""Pages: log in and out, and one's own account (password, personal access tokens)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from keepword.domain.access import Action, Actor, Role
from keepword.domain.errors import InvalidValue
from keepword.services import accounts
from keepword.services.accounts import LoginRefused, TooManyAttempts
from keepword.web.rendering import KeepwordDep, keepword_of, render
from keepword.web.security import SESSION_COOKIE, ActorDep, address_of, allow

router = APIRouter()


def home_of(actor: Actor) -> str:
    """Where a user lands after logging in: the portal for a client, else the portfolio."""
    return "/portal" if actor.role is Role.CLIENT else "/"


def _safe_next(target: str | None) -> str | None:
    # Only a path of this site: never "//elsewhere" or "https://elsewhere".
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def login_page(
    request: Request, *, status_code: int = 401, message: str | None = None, name: str = ""
) -> HTMLResponse:
    """The login form, answered to any protected page asked for without a live session."""
    target = request.query_params.get("next") or (
        request.url.path if request.method == "GET" and request.url.path != "/login" else None
    )
    context = {"message": message, "name": name, "next": _safe_next(target) or ""}
    return render(request, "login.html", context, status_code=status_code)


@router.get("/login", response_class=HTMLResponse, name="login")
def login_form(request: Request) -> HTMLResponse:
    return login_page(request, status_code=200)


@router.post("/login", response_class=HTMLResponse)
def log_in(
    request: Request,
    keepword: KeepwordDep,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    try:
        logged_in = accounts.log_in(
            keepword.uow,
            name,
            password,
            address=address_of(request),
            now=keepword.settings.now(),
        )
    except TooManyAttempts as error:
        return login_page(request, status_code=429, message=str(error), name=name)
    except LoginRefused as error:
        return login_page(request, status_code=401, message=str(error), name=name)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:  # whoever was logged in on this browser is not any more
        accounts.log_out(
            keepword.uow, previous, address=address_of(request), now=keepword.settings.now()
        )
    target = _safe_next(next) or home_of(logged_in.actor)
    if logged_in.actor.role is Role.CLIENT and not target.startswith("/portal"):
        target = "/portal"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        logged_in.session_id,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout", dependencies=[allow(Action.MANAGE_OWN_ACCOUNT)])
def log_out(request: Request, keepword: KeepwordDep) -> Response:
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        accounts.log_out(
            keepword.uow, session_id, address=address_of(request), now=keepword.settings.now()
        )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- one's own account ---------------------------------------------------------------------


def _account(
    request: Request,
    actor: Actor,
    *,
    errors: dict[str, str] | None = None,
    new_token: str | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    keepword = keepword_of(request)
    tokens = accounts.tokens_of(keepword.uow, actor=actor)
    context = {
        "tokens": tokens,
        "errors": errors or {},
        "new_token": new_token,
        "notice": notice,
    }
    return render(request, "account.html", context, status_code=status_code)


@router.get(
    "/account",
    response_class=HTMLResponse,
    name="account",
    dependencies=[allow(Action.MANAGE_OWN_ACCOUNT)],
)
def account_page(request: Request, actor: ActorDep) -> HTMLResponse:
    return _account(request, actor)


@router.post(
    "/account/password",
    response_class=HTMLResponse,
    dependencies=[allow(Action.MANAGE_OWN_ACCOUNT)],
)
def change_password(
    request: Request,
    keepword: KeepwordDep,
    actor: ActorDep,
    current: Annotated[str, Form(max_length=1000)] = "",
    new: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        accounts.change_own_password(
            keepword.uow,
            current,
            new,
            actor=actor,
            address=address_of(request),
            now=keepword.settings.now(),
        )
    except InvalidValue as error:
        field = "current" if error.field == "current" else "new"
        return _account(request, actor, errors={field: error.message}, status_code=422)
    except TooManyAttempts as error:
        return _account(request, actor, errors={"current": str(error)}, status_code=429)
    # Every session ended with the change, this one too: log in again with the new password.
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post(
    "/account/tokens", response_class=HTMLResponse, dependencies=[allow(Action.MANAGE_OWN_ACCOUNT)]
)
def create_token(
    request: Request,
    keepword: KeepwordDep,
    actor: ActorDep,
    name: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    try:
        _, secret = accounts.create_token(
            keepword.uow, name, actor=actor, now=keepword.settings.now()
        )
    except InvalidValue as error:
        return _account(request, actor, errors={"name": error.message}, status_code=422)
    return _account(request, actor, new_token=secret)


@router.post(
    "/account/tokens/{token_id}/revoke",
    response_class=HTMLResponse,
    dependencies=[allow(Action.MANAGE_OWN_ACCOUNT)],
)
def revoke_token(
    request: Request, token_id: str, keepword: KeepwordDep, actor: ActorDep
) -> HTMLResponse:
    accounts.revoke_token(keepword.uow, token_id, actor=actor, now=keepword.settings.now())
    return _account(request, actor, notice=f"Token {token_id} is revoked.")
