"""What a client reads never holds a person's private reasons: time off booked with a
reason shows in every client-facing output (proposals, drafts, the portal) as capacity
only, never as its reason or its dates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.domain.portfolio import Portfolio
from keepword.services.portfolio import current_portfolio
from keepword.web.app import create_app
from tests.web.accounts import client_as

API = "/api/v1"
PRIVATE = "PRIVATE-REASON"
LEAVE = {"start": "2026-12-07", "end": "2026-12-18"}  # Mon 7 Dec – Fri 18 Dec 2026
LEAVE_WORDS = ("7 Dec 2026", "18 Dec 2026", "2026-12-07", "2026-12-18")


@pytest.fixture
def app(demo_keepword: Keepword) -> Any:
    return create_app(demo_keepword)


@pytest.fixture
def beth(app: Any) -> Iterator[TestClient]:
    yield from client_as(app, "beth")


def _ok(response: Any) -> str:
    assert response.status_code in (200, 201), response.text
    return str(response.text)


def test_no_client_facing_output_holds_a_reason_for_time_off(
    app: Any, beth: TestClient, demo_keepword: Keepword
) -> None:
    portfolio: Portfolio = current_portfolio(demo_keepword.uow)
    for person in portfolio.people:
        _ok(beth.post(f"{API}/people/{person.id}/time-off", json={**LEAVE, "reason": PRIVATE}))
    # The team's own view keeps the reason: it is booked, and private, not lost.
    assert PRIVATE in _ok(beth.get(f"{API}/people"))

    read: dict[str, str] = {}
    for project in portfolio.projects:
        query = f"project={project.id}&due=2027-03-31"
        for suffix in ("md", "html"):
            url = f"/gate/proposal.{suffix}?{query}"
            read[url] = _ok(beth.get(url))
    for commitment in portfolio.commitments:
        for kind in ("status", "delay", "phased-plan"):
            body = {"commitment": commitment.id, "kind": kind}
            drafted = beth.post(f"{API}/drafts", json=body)
            if drafted.status_code == 201:
                read[f"draft {commitment.id} {kind}"] = drafted.json()["message"]["body"]
    for signal in beth.get(f"{API}/signals").json():
        drafted = beth.post(f"{API}/signals/{signal['id']}/draft", json={})
        read[f"draft for {signal['id']}"] = _ok(drafted)
    for name in ("priya", "marcus"):
        for client in client_as(app, name):
            read[f"{name} /portal"] = _ok(client.get("/portal"))
            for project in client.get(f"{API}/portal/projects").json():
                for url in (
                    f"/portal/projects/{project['id']}",
                    f"{API}/portal/projects/{project['id']}",
                ):
                    read[f"{name} {url}"] = _ok(client.get(url))

    assert sum(1 for key in read if key.startswith("/gate")) == 2 * len(portfolio.projects)
    assert any(key.startswith("draft") for key in read)
    assert any(key.startswith("priya /portal/projects") for key in read)
    for where, text in read.items():
        assert PRIVATE not in text, where
        if where.startswith(("/gate", "priya", "marcus")):
            assert not any(words in text for words in LEAVE_WORDS), where
