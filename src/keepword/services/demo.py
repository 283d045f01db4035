"""The demo: its portfolio loaded as of its own day, and its users with fresh passwords."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from keepword.domain.access import Actor, Role
from keepword.domain.portfolio import Portfolio
from keepword.services import accounts
from keepword.services.portfolio import CommitmentTable, commitment_table, load_portfolio
from keepword.services.ports import AccountsUnitOfWorkFactory

OPERATOR = Actor("demo", Role.ADMIN)


@dataclass(frozen=True)
class DemoLogin:
    """A demo user and the password it has until the demo is started again."""

    name: str
    role: Role
    client: str | None
    password: str


@dataclass(frozen=True)
class Demo:
    """The demo's commitments with their odds, and who may log in."""

    table: CommitmentTable
    logins: list[DemoLogin]


def start_demo(
    uow: AccountsUnitOfWorkFactory,
    plan: Portfolio,
    users: Sequence[tuple[str, Role, str | None]],
    *,
    now: datetime,
) -> Demo:
    """Load ``plan`` as the portfolio and give each of ``users`` (name, role, client) a new
    random password, adding the ones not there yet: a demo started again is not logged in
    to with last run's passwords."""
    load_portfolio(uow, plan, actor=OPERATOR, now=now, replace_all=True)
    with uow() as work:
        existing = {u.name for u in work.users.all()}
    logins = []
    for name, role, client in users:
        password = secrets.token_urlsafe(12)
        if name in existing:
            accounts.set_password(uow, name, password, actor=OPERATOR, now=now)
        else:
            accounts.add_user(
                uow, name, role, password, organisation=client, actor=OPERATOR, now=now
            )
        logins.append(DemoLogin(name, role, client, password))
    return Demo(commitment_table(uow, now=now), logins)
