"""Test users of every role, and logging a test client in as one of them."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.demo import DEMO_NOW
from keepword.domain.access import Role
from keepword.services import accounts
from tests.factories import staff

PASSWORD = "seven lanterns over the quay"
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


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log ``client`` in as ``name``; it then sends the session's CSRF token with every
    request, as the pages' forms and HTMX do. The CSRF token."""
    answer = client.post(
        "/login", data={"name": name, "password": password}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    token = _CSRF.search(client.get("/account").text)
    assert token is not None
    client.headers["X-CSRF-Token"] = token.group(1)
    return token.group(1)
