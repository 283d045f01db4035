"""Users, logins, sessions and access tokens, and the audit trail of each.

Passwords are hashed with Argon2id; a session id or a token is a random secret handed to
its user once and stored only as its SHA-256, so that a copy of the database opens nothing.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from keepword.domain.access import Action, Actor, Role, landing_of, requires
from keepword.domain.accounts import (
    LOGIN_FAILURES_ALLOWED,
    LOGIN_WINDOW,
    AccessToken,
    AuditEvent,
    AuditKind,
    Session,
    User,
)
from keepword.domain.errors import InvalidTransition, InvalidValue, KeepwordError, NotFound
from keepword.domain.ids import ID_RULE, is_valid_id
from keepword.domain.project import Client
from keepword.services.ports import AccountsUnitOfWork as UnitOfWork
from keepword.services.ports import AccountsUnitOfWorkFactory as UnitOfWorkFactory

PASSWORD_MIN = 8
PASSWORD_MAX = 128
COMMON_PASSWORDS_CHECKED = 10_000  # the most common passwords refused, from zxcvbn's list
# A session's last use is written at most this often, so that reading pages is not writing.
TOUCH_EVERY = timedelta(minutes=1)
TOKEN_PREFIX = "kw_"
AUDIT_SHOWN_WITH_USERS = 50  # the newest audit events beside the users, for an admin

_hasher = PasswordHasher()  # Argon2id, with the library's (RFC 9106 low-memory) parameters


class LoginRefused(KeepwordError):
    """Wrong name or password, or a disabled account: one message for all, on purpose."""

    def __init__(self) -> None:
        super().__init__("that name and password do not match an active account")


class TooManyAttempts(KeepwordError):
    """Too many failed logins for this account or from this address in the window."""

    def __init__(self) -> None:
        minutes = int(LOGIN_WINDOW.total_seconds() // 60)
        super().__init__(f"too many failed logins; try again in {minutes} minutes")


@dataclass(frozen=True)
class LoggedIn:
    """A new session: its secret id (for the cookie), its CSRF token (for forms), and the
    path of the page the user lands on."""

    session_id: str
    csrf_token: str
    actor: Actor
    lands_on: str


@dataclass(frozen=True)
class Caller:
    """Who a request's session or token belongs to; ``csrf_token`` is None for a token."""

    actor: Actor
    csrf_token: str | None = None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@functools.cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS_CHECKED])


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the name is unknown, so that it takes as long as a wrong password.
    return _hasher.hash(secrets.token_urlsafe(16))


def check_password(password: str, *, name: str) -> None:
    """Raise :class:`InvalidValue` (field ``password``) unless ``password`` may be used."""
    if len(password) < PASSWORD_MIN:
        raise InvalidValue(f"a password needs at least {PASSWORD_MIN} characters", "password")
    if len(password) > PASSWORD_MAX:
        raise InvalidValue(f"a password may have at most {PASSWORD_MAX} characters", "password")
    if password.lower() == name.lower():
        raise InvalidValue("a password must not be the user's name", "password")
    if password.lower() in _common_passwords():
        raise InvalidValue(
            "that password is one of the most common ones; choose another", "password"
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- users ---------------------------------------------------------------------------------


@requires(Action.MANAGE_USERS)
def add_user(
    uow: UnitOfWorkFactory,
    name: str,
    role: Role | str,
    password: str,
    *,
    organisation: str | None = None,
    actor: Actor,
    now: datetime,
) -> User:
    """A new user; a client user belongs to one client (``organisation``) of the portfolio.

    ``role`` may be a role's name as typed: one that names no role is refused as an
    :class:`InvalidValue` of field ``role``, before anything else is checked."""
    role = _role_of(role)
    if not is_valid_id(name):
        raise InvalidValue(f"user name {name!r}: {ID_RULE}", "name")
    check_password(password, name=name)
    with uow(write=True) as work:
        if work.users.get(name) is not None:
            raise InvalidTransition(f"there is already a user {name!r}")
        _check_organisation(work, role, organisation)
        user = User(
            name=name,
            role=role,
            organisation=organisation if role is Role.CLIENT else None,
            password_hash=_hasher.hash(password),
            created_at=now,
            password_changed_at=now,
        )
        work.users.save(user)
        _audit(work, actor, AuditKind.USER_ADDED, now, user=name, role=role.value)
        work.commit()
    return user


def _role_of(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise InvalidValue("choose a role", "role") from None


def _check_organisation(work: UnitOfWork, role: Role, organisation: str | None) -> None:
    if role is not Role.CLIENT:
        if organisation:
            raise InvalidValue("only a client user belongs to a client", "organisation")
        return
    if not organisation:
        raise InvalidValue("a client user needs the client they belong to", "organisation")
    if organisation not in {c.id for c in work.portfolio.get().clients}:
        raise InvalidValue(f"no client {organisation!r}", "organisation")


@requires(Action.MANAGE_USERS)
def list_users(uow: UnitOfWorkFactory, *, actor: Actor) -> list[User]:
    with uow() as work:
        return work.users.all()


@dataclass(frozen=True)
class UsersPage:
    """What an admin manages users with: every user, the roles and the clients a new user
    may be given, and the newest events of the audit trail, newest first."""

    users: list[User]
    roles: tuple[Role, ...]
    clients: tuple[Client, ...]
    audit: list[AuditEvent]


@requires(Action.MANAGE_USERS)
def users_page(uow: UnitOfWorkFactory, *, actor: Actor) -> UsersPage:
    """The users, the choices for a new one, and the newest
    ``AUDIT_SHOWN_WITH_USERS`` audit events, read at once."""
    with uow() as work:
        return UsersPage(
            users=work.users.all(),
            roles=tuple(Role),
            clients=work.portfolio.get().clients,
            audit=work.audit.latest(AUDIT_SHOWN_WITH_USERS),
        )


@requires(Action.MANAGE_USERS)
def set_password(
    uow: UnitOfWorkFactory, name: str, password: str, *, actor: Actor, now: datetime
) -> User:
    """Give ``name`` a new password; every session of theirs ends."""
    check_password(password, name=name)
    with uow(write=True) as work:
        changed = _replace_password(work, _user(work, name), password, actor, now)
        work.commit()
    return changed


@requires(Action.MANAGE_OWN_ACCOUNT)
def change_own_password(
    uow: UnitOfWorkFactory,
    current: str,
    new: str,
    *,
    actor: Actor,
    address: str,
    now: datetime,
) -> None:
    """The actor's own new password, given the current one; all their sessions end.

    The current password is a guess like a login's: a wrong one counts as a failed login
    of the account and the address, under the same limit (:class:`TooManyAttempts`), so a
    stolen session cannot try passwords one after another.
    """
    check_password(new, name=actor.name)
    with uow(write=True) as work:
        _refuse_when_limited(work, actor.name, address, now)
        user = _user(work, actor.name)
        if not _verify(user.password_hash, current):
            _record_failure(work, actor.name, address, now, AuditKind.PASSWORD_CHECK_FAILED)
            work.commit()
            raise InvalidValue("that is not your current password", "current")
        _replace_password(work, user, new, actor, now)
        work.commit()


def _replace_password(
    work: UnitOfWork, user: User, password: str, actor: Actor, now: datetime
) -> User:
    changed = replace(user, password_hash=_hasher.hash(password), password_changed_at=now)
    work.users.save(changed)
    ended = work.sessions.end_all_of(user.name, now)
    _audit(work, actor, AuditKind.PASSWORD_CHANGED, now, user=user.name, sessions=str(ended))
    return changed


@requires(Action.MANAGE_USERS)
def disable_user(uow: UnitOfWorkFactory, name: str, *, actor: Actor, now: datetime) -> User:
    """``name`` can no longer log in; their sessions end and their tokens stop working."""
    with uow(write=True) as work:
        user = _user(work, name)
        if user.disabled:
            raise InvalidTransition(f"user {name!r} is already disabled")
        disabled = replace(user, disabled=True)
        work.users.save(disabled)
        ended = work.sessions.end_all_of(name, now)
        _audit(work, actor, AuditKind.USER_DISABLED, now, user=name, sessions=str(ended))
        work.commit()
    return disabled


def _user(work: UnitOfWork, name: str) -> User:
    user = work.users.get(name)
    if user is None:
        raise NotFound(f"no user {name!r}")
    return user


# --- logins and sessions -------------------------------------------------------------------


def log_in(
    uow: UnitOfWorkFactory,
    name: str,
    password: str,
    *,
    address: str,
    now: datetime,
    previous_session: str | None = None,
    asked: str | None = None,
) -> LoggedIn:
    """A new session for ``name``, or :class:`LoginRefused` / :class:`TooManyAttempts`.

    An unknown name costs the same Argon2 verification as a wrong password and gets the
    same answer, so neither the reply nor its timing tells which names exist. A login ends
    the session the browser had (``previous_session``), whoever's it was, so a session id
    planted before the login opens nothing after it. The user lands on the page of this
    site they ``asked`` for, as :func:`~keepword.domain.access.landing_of` allows.
    """
    account = name[:80]
    with uow(write=True) as work:
        _refuse_when_limited(work, account, address, now)
        user = work.users.get(name)
        matches = _verify(user.password_hash if user else _dummy_hash(), password)
        if user is None or not matches or user.disabled:
            organisation = user.organisation if user else None
            _record_failure(work, account, address, now, AuditKind.LOGIN_FAILED, organisation)
            work.commit()
            raise LoginRefused()
        if _hasher.check_needs_rehash(user.password_hash):
            work.users.save(replace(user, password_hash=_hasher.hash(password)))
        session_id, csrf_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        work.sessions.add(Session(digest(session_id), user.name, csrf_token, now, now))
        work.audit.append(AuditEvent(now, user.name, AuditKind.LOGIN, user.organisation, address))
        if previous_session:
            _end_session(work, previous_session, address, now)
        work.commit()
    return LoggedIn(session_id, csrf_token, user.actor, landing_of(user.role, asked))


def _refuse_when_limited(work: UnitOfWork, account: str, address: str, now: datetime) -> None:
    """:class:`TooManyAttempts` (audited) once the account or the address has failed
    ``LOGIN_FAILURES_ALLOWED`` times in the window."""
    by_account, by_address = work.login_failures.count_since(
        now - LOGIN_WINDOW, account=account, address=address
    )
    if max(by_account, by_address) >= LOGIN_FAILURES_ALLOWED:
        work.audit.append(AuditEvent(now, account, AuditKind.LOGIN_LIMITED, address=address))
        work.commit()
        raise TooManyAttempts()


def _record_failure(
    work: UnitOfWork,
    account: str,
    address: str,
    now: datetime,
    kind: AuditKind,
    organisation: str | None = None,
) -> None:
    work.login_failures.forget_before(now - LOGIN_WINDOW)
    work.login_failures.add(account, address, now)
    work.audit.append(AuditEvent(now, account, kind, organisation, address))


def log_out(uow: UnitOfWorkFactory, session_id: str, *, address: str, now: datetime) -> None:
    """End the session ``session_id`` (a session already ended or unknown: nothing to do)."""
    with uow(write=True) as work:
        if _end_session(work, session_id, address, now):
            work.commit()


def _end_session(work: UnitOfWork, session_id: str, address: str, now: datetime) -> bool:
    """End a live session, audited as a logout; False when it was not alive to end."""
    session = work.sessions.get(digest(session_id))
    if session is None or session.ended_at is not None:
        return False
    work.sessions.end(session.id_hash, now)
    user = work.users.get(session.user)
    organisation = user.organisation if user else None
    work.audit.append(AuditEvent(now, session.user, AuditKind.LOGOUT, organisation, address))
    return True


def session_caller(uow: UnitOfWorkFactory, session_id: str, *, now: datetime) -> Caller | None:
    """Who holds session ``session_id``, if it is alive and its user is active."""
    id_hash = digest(session_id)
    with uow() as work:
        session = work.sessions.get(id_hash)
        if session is None or not session.alive(now):
            return None
        user = work.users.get(session.user)
        if user is None or user.disabled:
            return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        with uow(write=True) as work:
            work.sessions.touch(id_hash, now)
            work.commit()
    return Caller(user.actor, session.csrf_token)


# --- personal access tokens ----------------------------------------------------------------


@requires(Action.MANAGE_OWN_ACCOUNT)
def create_token(
    uow: UnitOfWorkFactory, name: str, *, actor: Actor, now: datetime
) -> tuple[AccessToken, str]:
    """A new token of the actor's for the API, and its secret, which is not kept."""
    label = name.strip()
    if not label or len(label) > 80:
        raise InvalidValue("a token needs a name of 1 to 80 characters", "name")
    token_id = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{token_id}_{secrets.token_urlsafe(32)}"
    token = AccessToken(token_id, actor.name, label, digest(secret), now)
    with uow(write=True) as work:
        work.tokens.add(token)
        _audit(work, actor, AuditKind.TOKEN_CREATED, now, token=token_id, name=label)
        work.commit()
    return token, secret


@requires(Action.MANAGE_OWN_ACCOUNT)
def tokens_of(uow: UnitOfWorkFactory, *, actor: Actor) -> list[AccessToken]:
    with uow() as work:
        return work.tokens.of_user(actor.name)


@requires(Action.MANAGE_OWN_ACCOUNT)
def revoke_token(
    uow: UnitOfWorkFactory, token_id: str, *, actor: Actor, now: datetime
) -> AccessToken:
    """Revoke one of the actor's tokens (an admin may revoke anyone's)."""
    with uow(write=True) as work:
        token = work.tokens.get(token_id)
        if token is None or not (token.user == actor.name or actor.may(Action.MANAGE_USERS)):
            raise NotFound(f"no token {token_id!r}")
        if token.revoked_at is not None:
            raise InvalidTransition(f"token {token_id!r} is already revoked")
        work.tokens.revoke(token_id, now)
        _audit(work, actor, AuditKind.TOKEN_REVOKED, now, token=token_id)
        work.commit()
    return replace(token, revoked_at=now)


def token_caller(uow: UnitOfWorkFactory, secret: str, *, now: datetime) -> Caller | None:
    """Who token ``secret`` belongs to, if it is not revoked and its user is active."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    with uow(write=True) as work:
        token = work.tokens.by_hash(digest(secret))
        if token is None or token.revoked_at is not None:
            return None
        user = work.users.get(token.user)
        if user is None or user.disabled:
            return None
        if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
            work.tokens.used(token.id, now)
            work.commit()
    return Caller(user.actor)


# --- the audit trail -----------------------------------------------------------------------


def record_denied(
    uow: UnitOfWorkFactory,
    actor: Actor,
    action: Action,
    *,
    request: str,
    address: str | None,
    now: datetime,
) -> None:
    """Keep a refused request (``request`` is its method and path, never its body)."""
    with uow(write=True) as work:
        work.audit.append(
            AuditEvent(
                now,
                actor.name,
                AuditKind.DENIED,
                actor.organisation,
                address,
                {"action": action.value, "request": request},
            )
        )
        work.commit()


@requires(Action.MANAGE_USERS)
def audit_trail(
    uow: UnitOfWorkFactory, *, actor: Actor, limit: int = 200, kind: AuditKind | None = None
) -> list[AuditEvent]:
    """The newest audit events first."""
    with uow() as work:
        return work.audit.latest(limit, kind)


def _audit(work: UnitOfWork, actor: Actor, kind: AuditKind, now: datetime, **detail: str) -> None:
    work.audit.append(AuditEvent(now, actor.name, kind, actor.organisation, None, detail))
