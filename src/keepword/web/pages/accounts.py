"""Pages: log in and out, one's own account (password, personal access tokens), and, for
admins, the users (add, new password, disable) and the audit trail.

The same services as ``keepword user add|passwd|disable|list``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from keepword.domain.access import Action, Actor
from keepword.domain.errors import InvalidValue, NotFound
from keepword.domain.text import TEXT_MAX
from keepword.services import accounts, plan
from keepword.services.accounts import LoginRefused, TooManyAttempts
from keepword.web.rendering import KeepwordDep, keepword_of, render
from keepword.web.security import SESSION_COOKIE, ActorDep, address_of, allow

router = APIRouter()


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
            previous_session=request.cookies.get(SESSION_COOKIE),
            asked=_safe_next(next),
        )
    except TooManyAttempts as error:
        return login_page(request, status_code=429, message=str(error), name=name)
    except LoginRefused as error:
        return login_page(request, status_code=401, message=str(error), name=name)
    response = RedirectResponse(logged_in.lands_on, status_code=303)
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
    "/account/time-off",
    response_class=HTMLResponse,
    dependencies=[allow(Action.BOOK_OWN_TIME_OFF)],
)
def book_time_off(
    request: Request,
    keepword: KeepwordDep,
    actor: ActorDep,
    start: Annotated[str, Form(max_length=20)] = "",
    end: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=TEXT_MAX)] = "",
) -> Response:
    days: dict[str, date] = {}
    for field, typed in (("start", start), ("end", end)):
        try:
            days[field] = date.fromisoformat(typed.strip())
        except ValueError:
            errors = {field: "a date, written YYYY-MM-DD"}
            return _account(request, actor, errors=errors, status_code=422)
    first, last = days["start"], days["end"]
    try:
        plan.book_own_time_off(
            keepword.uow, first, last, reason=reason.strip(), actor=actor,
            now=keepword.settings.now(),
        )  # fmt: skip
    except InvalidValue as error:
        field = error.field if error.field in ("start", "end", "reason") else "end"
        return _account(request, actor, errors={field: error.message}, status_code=422)
    except NotFound as error:  # no person in the plan is this user
        return _account(request, actor, errors={"start": str(error)}, status_code=422)
    notice = f"Booked {first} to {last} off; your projects are forecast again."
    return _account(request, actor, notice=notice)


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


# --- users, for admins ---------------------------------------------------------------------

_MANAGE = [allow(Action.MANAGE_USERS)]


def _users_page(
    request: Request,
    actor: Actor,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    view = accounts.users_page(keepword_of(request).uow, actor=actor)
    context = {
        "users": view.users,
        "clients": view.clients,
        "roles": view.roles,
        "form": form or {},
        "errors": errors or {},
        "notice": notice,
        "audit": view.audit,
    }
    return render(request, "admin_users.html", context, status_code=status_code)


@router.get("/admin/users", response_class=HTMLResponse, name="users", dependencies=_MANAGE)
def users_page(request: Request, actor: ActorDep) -> HTMLResponse:
    return _users_page(request, actor)


@router.post("/admin/users", response_class=HTMLResponse, dependencies=_MANAGE)
def add_user(
    request: Request,
    keepword: KeepwordDep,
    actor: ActorDep,
    name: Annotated[str, Form(max_length=200)] = "",
    role: Annotated[str, Form(max_length=40)] = "",
    organisation: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    form = {"name": name, "role": role, "organisation": organisation}
    try:
        accounts.add_user(
            keepword.uow,
            name,
            role,
            password,
            organisation=organisation or None,
            actor=actor,
            now=keepword.settings.now(),
        )
    except InvalidValue as error:
        errors = {error.field or "name": error.message}
        return _users_page(request, actor, form=form, errors=errors, status_code=422)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/password", response_class=HTMLResponse, dependencies=_MANAGE)
def set_password(
    request: Request,
    name: str,
    keepword: KeepwordDep,
    actor: ActorDep,
    password: Annotated[str, Form(max_length=1000)] = "",
) -> HTMLResponse:
    try:
        accounts.set_password(
            keepword.uow, name, password, actor=actor, now=keepword.settings.now()
        )
    except InvalidValue as error:
        errors = {f"password-{name}": error.message}
        return _users_page(request, actor, errors=errors, status_code=422)
    return _users_page(request, actor, notice=f"{name} has a new password; their sessions ended.")


@router.post("/admin/users/{name}/disable", response_class=HTMLResponse, dependencies=_MANAGE)
def disable_user(request: Request, name: str, keepword: KeepwordDep, actor: ActorDep) -> Response:
    accounts.disable_user(keepword.uow, name, actor=actor, now=keepword.settings.now())
    return _users_page(request, actor, notice=f"{name} is disabled; their sessions ended.")
