"""Users, their sessions and access tokens, and the audit trail of who got in and who was refused.

Only digests of secrets live here: a password's Argon2id hash, a session id's or a token's
SHA-256. The secrets themselves exist only in the hands of the user they were given to.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from keepword.domain.access import Actor, Role

SESSION_IDLE = timedelta(minutes=30)
SESSION_LIFETIME = timedelta(hours=12)
LOGIN_WINDOW = timedelta(minutes=15)
LOGIN_FAILURES_ALLOWED = 10  # per account and per address in LOGIN_WINDOW; then 429


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    password_hash: str
    created_at: datetime
    password_changed_at: datetime
    organisation: str | None = None  # a client user's client id
    disabled: bool = False

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.role, self.organisation)


@dataclass(frozen=True)
class Session:
    """A login: known to the server by its id's digest, so that it can be ended at any time."""

    id_hash: str
    user: str
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None

    def alive(self, now: datetime) -> bool:
        """Not ended, used within the idle timeout, and younger than the absolute one."""
        return (
            self.ended_at is None
            and now - self.last_seen_at < SESSION_IDLE
            and now - self.created_at < SESSION_LIFETIME
        )


@dataclass(frozen=True)
class AccessToken:
    """A personal access token for the API, shown once when made, stored by its digest."""

    id: str
    user: str
    name: str
    token_hash: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class AuditKind(enum.StrEnum):
    LOGIN = "login"
    LOGIN_FAILED = "login failed"
    PASSWORD_CHECK_FAILED = "wrong current password"  # changing one's own; counts as a failure
    LOGIN_LIMITED = "login limited"
    LOGOUT = "logout"
    DENIED = "denied"
    USER_ADDED = "user added"
    PASSWORD_CHANGED = "password changed"
    USER_DISABLED = "user disabled"
    TOKEN_CREATED = "token created"
    TOKEN_REVOKED = "token revoked"


@dataclass(frozen=True)
class AuditEvent:
    """``actor`` (of ``organisation``, for a client user) did or was refused ``kind``."""

    at: datetime
    actor: str
    kind: AuditKind
    organisation: str | None = None
    address: str | None = None
    detail: dict[str, str] = field(default_factory=dict)
    id: int | None = None
