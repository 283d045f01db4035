"""Pages for admins: users (add, new password, disable) and the audit trail.

The same services as ``keepword user add|passwd|disable|list``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from keepword.domain.access import Action, Actor, Role
from keepword.domain.errors import InvalidValue
from keepword.services import accounts
from keepword.services import portfolio as portfolio_service
from keepword.web.rendering import KeepwordDep, keepword_of, render
from keepword.web.security import ActorDep, allow

router = APIRouter()

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
    keepword = keepword_of(request)
    context = {
        "users": accounts.list_users(keepword.uow, actor=actor),
        "clients": portfolio_service.current_portfolio(keepword.uow).clients,
        "roles": list(Role),
        "form": form or {},
        "errors": errors or {},
        "notice": notice,
        "audit": accounts.audit_trail(keepword.uow, actor=actor, limit=50),
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
    if role not in set(Role):
        return _users_page(
            request, actor, form=form, errors={"role": "choose a role"}, status_code=422
        )
    try:
        accounts.add_user(
            keepword.uow,
            name,
            Role(role),
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
