"""Test users of every role, and logging a test client in as one of them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.demo import DEMO_NOW
from keepword.domain.access import Role
from keepword.services import accounts
from tests.e2e.cli import PASSWORD
from tests.e2e.server import log_in
from tests.factories import staff

__all__ = ["PASSWORD", "client_as", "log_in"]


def client_as(app: Any, name: str) -> Iterator[TestClient]:
    """A client of ``app`` logged in as ``name``, for a fixture to yield from."""
    with TestClient(app) as client:
        log_in(client, name)
        yield client


# One user of each role; two client users, of two of the demo's clients.
USERS: dict[str, tuple[Role, str | None]] = {
    "ada": (Role.ADMIN, None),
    "sam": (Role.SALES, None),
    "beth": (Role.DELIVERY_LEAD, None),
    "lucia": (Role.ENGINEER, None),
    "eve": (Role.EXECUTIVE, None),
    "marcus": (Role.CLIENT, "pitchwell"),
    "priya": (Role.CLIENT, "calder-wye"),
}
BY_ROLE = {role: name for name, (role, client) in USERS.items() if role is not Role.CLIENT}
CLIENT_A, CLIENT_B = "priya", "marcus"  # calder-wye (A) looking for pitchwell's (B) data


def add_test_users(keepword: Keepword) -> None:
    for name, (role, client) in USERS.items():
        accounts.add_user(
            keepword.uow, name, role, PASSWORD, organisation=client, actor=staff(), now=DEMO_NOW
        )
