"""Users, sessions, access tokens, failed logins and the audit trail, each in its own table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, or_, select, update

from keepword.adapters.database import tables as t
from keepword.adapters.database.repository import utc, utc_or_none
from keepword.domain.access import Role
from keepword.domain.accounts import AccessToken, AuditEvent, AuditKind, Session, User


class UserRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def all(self) -> list[User]:
        return [_user(r) for r in self._db.execute(select(t.users).order_by(t.users.c.name))]

    def get(self, name: str) -> User | None:
        row = self._db.execute(select(t.users).where(t.users.c.name == name)).first()
        return None if row is None else _user(row)

    def save(self, user: User) -> None:
        values = {
            "name": user.name,
            "role": user.role.value,
            "organisation": user.organisation,
            "password_hash": user.password_hash,
            "disabled": user.disabled,
            "created_at": user.created_at,
            "password_changed_at": user.password_changed_at,
        }
        if self.get(user.name) is None:
            self._db.execute(insert(t.users), [values])
        else:
            self._db.execute(update(t.users).where(t.users.c.name == user.name).values(**values))


class SessionRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self, id_hash: str) -> Session | None:
        row = self._db.execute(select(t.sessions).where(t.sessions.c.id_hash == id_hash)).first()
        return None if row is None else _session(row)

    def add(self, session: Session) -> None:
        self._db.execute(
            insert(t.sessions),
            [
                {
                    "id_hash": session.id_hash,
                    "user_name": session.user,
                    "csrf_token": session.csrf_token,
                    "created_at": session.created_at,
                    "last_seen_at": session.last_seen_at,
                    "ended_at": session.ended_at,
                }
            ],
        )

    def touch(self, id_hash: str, now: datetime) -> None:
        self._db.execute(
            update(t.sessions).where(t.sessions.c.id_hash == id_hash).values(last_seen_at=now)
        )

    def end(self, id_hash: str, now: datetime) -> None:
        self._db.execute(
            update(t.sessions)
            .where(t.sessions.c.id_hash == id_hash, t.sessions.c.ended_at.is_(None))
            .values(ended_at=now)
        )

    def end_all_of(self, user: str, now: datetime) -> int:
        result = self._db.execute(
            update(t.sessions)
            .where(t.sessions.c.user_name == user, t.sessions.c.ended_at.is_(None))
            .values(ended_at=now)
        )
        return result.rowcount


class TokenRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def of_user(self, user: str) -> list[AccessToken]:
        query = select(t.access_tokens).where(t.access_tokens.c.user_name == user)
        return [_token(r) for r in self._db.execute(query.order_by(t.access_tokens.c.created_at))]

    def get(self, token_id: str) -> AccessToken | None:
        row = self._db.execute(
            select(t.access_tokens).where(t.access_tokens.c.id == token_id)
        ).first()
        return None if row is None else _token(row)

    def by_hash(self, token_hash: str) -> AccessToken | None:
        query = select(t.access_tokens).where(t.access_tokens.c.token_hash == token_hash)
        row = self._db.execute(query).first()
        return None if row is None else _token(row)

    def add(self, token: AccessToken) -> None:
        self._db.execute(
            insert(t.access_tokens),
            [
                {
                    "id": token.id,
                    "user_name": token.user,
                    "name": token.name,
                    "token_hash": token.token_hash,
                    "created_at": token.created_at,
                    "last_used_at": token.last_used_at,
                    "revoked_at": token.revoked_at,
                }
            ],
        )

    def used(self, token_id: str, now: datetime) -> None:
        self._db.execute(
            update(t.access_tokens).where(t.access_tokens.c.id == token_id).values(last_used_at=now)
        )

    def revoke(self, token_id: str, now: datetime) -> None:
        self._db.execute(
            update(t.access_tokens)
            .where(t.access_tokens.c.id == token_id, t.access_tokens.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


class LoginFailures:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def add(self, account: str, address: str, now: datetime) -> None:
        self._db.execute(
            insert(t.login_failures), [{"account": account, "address": address, "at": now}]
        )

    def count_since(self, since: datetime, *, account: str, address: str) -> tuple[int, int]:
        """Failures since ``since``: (for ``account``, from ``address``)."""
        table = t.login_failures
        recent = select(table.c.account, table.c.address).where(
            table.c.at >= since, or_(table.c.account == account, table.c.address == address)
        )
        rows = self._db.execute(recent).all()
        return sum(r.account == account for r in rows), sum(r.address == address for r in rows)

    def forget_before(self, moment: datetime) -> None:
        self._db.execute(delete(t.login_failures).where(t.login_failures.c.at < moment))


class AuditLog:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def append(self, event: AuditEvent) -> None:
        self._db.execute(
            insert(t.audit_events),
            [
                {
                    "at": event.at,
                    "actor": event.actor,
                    "organisation": event.organisation,
                    "kind": event.kind.value,
                    "address": event.address,
                    "detail": dict(event.detail),
                }
            ],
        )

    def latest(self, limit: int = 100, kind: AuditKind | None = None) -> list[AuditEvent]:
        query = select(t.audit_events).order_by(t.audit_events.c.id.desc()).limit(limit)
        if kind is not None:
            query = query.where(t.audit_events.c.kind == kind.value)
        return [_audit(r) for r in self._db.execute(query)]

    def count(self) -> int:
        return int(self._db.execute(select(func.count()).select_from(t.audit_events)).scalar_one())


def _user(row: Row[Any]) -> User:
    return User(
        name=row.name,
        role=Role(row.role),
        organisation=row.organisation,
        password_hash=row.password_hash,
        disabled=bool(row.disabled),
        created_at=utc(row.created_at),
        password_changed_at=utc(row.password_changed_at),
    )


def _session(row: Row[Any]) -> Session:
    return Session(
        id_hash=row.id_hash,
        user=row.user_name,
        csrf_token=row.csrf_token,
        created_at=utc(row.created_at),
        last_seen_at=utc(row.last_seen_at),
        ended_at=utc_or_none(row.ended_at),
    )


def _token(row: Row[Any]) -> AccessToken:
    return AccessToken(
        id=row.id,
        user=row.user_name,
        name=row.name,
        token_hash=row.token_hash,
        created_at=utc(row.created_at),
        last_used_at=utc_or_none(row.last_used_at),
        revoked_at=utc_or_none(row.revoked_at),
    )


def _audit(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        at=utc(row.at),
        actor=row.actor,
        organisation=row.organisation,
        kind=AuditKind(row.kind),
        address=row.address,
        detail=dict(row.detail or {}),
    )
