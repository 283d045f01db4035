"""API routes: who the caller is, their personal access tokens, and (for admins) the users.

The same services as the account and admin pages and ``keepword user|token``. A token's
secret is in the answer that made it, once; it is stored only as its digest.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from pydantic import Field

from keepword.domain.access import Action, Role
from keepword.services import accounts
from keepword.web.api.schemas import Public, RequestBody, UtcDateTime
from keepword.web.rendering import KeepwordDep
from keepword.web.security import ActorDep, allow

router = APIRouter(tags=["accounts"])

_OWN = [allow(Action.MANAGE_OWN_ACCOUNT)]
_USERS = [allow(Action.MANAGE_USERS)]
UserName = Annotated[str, Path(max_length=80)]


class MePublic(Public):
    name: str
    role: Role
    organisation: str | None = Field(description="A client user's client id.")


class TokenPublic(Public):
    id: str
    name: str
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class NewTokenPublic(TokenPublic):
    secret: str = Field(description="Send as `Authorization: Bearer …`; shown only here.")


class TokenRequest(RequestBody):
    name: str = Field(min_length=1, max_length=80, description="What the token is for.")


class UserPublic(Public):
    name: str
    role: Role
    organisation: str | None
    disabled: bool
    created_at: UtcDateTime


class UserRequest(RequestBody):
    name: str = Field(max_length=80)
    role: Role
    organisation: str | None = Field(default=None, max_length=80)
    password: str = Field(max_length=1000)


class PasswordRequest(RequestBody):
    password: str = Field(max_length=1000)


@router.get("/me", dependencies=_OWN)
def me(actor: ActorDep) -> MePublic:
    """Who the caller is: their name, role and, for a client user, their client."""
    return MePublic(name=actor.name, role=actor.role, organisation=actor.organisation)


@router.get("/tokens", dependencies=_OWN)
def list_tokens(keepword: KeepwordDep, actor: ActorDep) -> list[TokenPublic]:
    """The caller's personal access tokens (never their secrets)."""
    return [TokenPublic.model_validate(t) for t in accounts.tokens_of(keepword.uow, actor=actor)]


@router.post("/tokens", dependencies=_OWN, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenRequest, keepword: KeepwordDep, actor: ActorDep) -> NewTokenPublic:
    """A new token of the caller's, with its secret."""
    token, secret = accounts.create_token(
        keepword.uow, body.name, actor=actor, now=keepword.settings.now()
    )
    return NewTokenPublic(**TokenPublic.model_validate(token).model_dump(), secret=secret)


@router.post("/tokens/{token_id}/revoke", dependencies=_OWN)
def revoke_token(
    token_id: Annotated[str, Path(max_length=24)], keepword: KeepwordDep, actor: ActorDep
) -> TokenPublic:
    """Revoke one of the caller's tokens (an admin: anyone's)."""
    revoked = accounts.revoke_token(
        keepword.uow, token_id, actor=actor, now=keepword.settings.now()
    )
    return TokenPublic.model_validate(revoked)


@router.get("/users", dependencies=_USERS)
def list_users(keepword: KeepwordDep, actor: ActorDep) -> list[UserPublic]:
    """Every user, as on the admin page."""
    return [UserPublic.model_validate(u) for u in accounts.list_users(keepword.uow, actor=actor)]


@router.post("/users", dependencies=_USERS, status_code=status.HTTP_201_CREATED)
def add_user(body: UserRequest, keepword: KeepwordDep, actor: ActorDep) -> UserPublic:
    """Add a user; a client user names their client (``organisation``)."""
    user = accounts.add_user(
        keepword.uow,
        body.name,
        body.role,
        body.password,
        organisation=body.organisation,
        actor=actor,
        now=keepword.settings.now(),
    )
    return UserPublic.model_validate(user)


@router.put("/users/{name}/password", dependencies=_USERS)
def set_password(
    name: UserName, body: PasswordRequest, keepword: KeepwordDep, actor: ActorDep
) -> UserPublic:
    """A new password for a user; every session of theirs ends."""
    changed = accounts.set_password(
        keepword.uow, name, body.password, actor=actor, now=keepword.settings.now()
    )
    return UserPublic.model_validate(changed)


@router.post("/users/{name}/disable", dependencies=_USERS)
def disable_user(name: UserName, keepword: KeepwordDep, actor: ActorDep) -> UserPublic:
    """Disable a user: their sessions end and their tokens stop working."""
    disabled = accounts.disable_user(keepword.uow, name, actor=actor, now=keepword.settings.now())
    return UserPublic.model_validate(disabled)
