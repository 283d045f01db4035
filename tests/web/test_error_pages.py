"""Whatever goes wrong, a page says what, as a page: never raw JSON, never a bare 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.services import signals
from keepword.web.app import create_app
from tests.web.accounts import log_in
from tests.web.html import soup


def _error(response: object) -> tuple[str, str]:
    page = soup(response.text)  # type: ignore[attr-defined]
    assert page.h1 is not None
    message = page.select_one(".error-message")
    assert message is not None
    return page.h1.text, message.text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/signals?disclosed=maybe", 422),
        ("/whatif/applied", 422),
        ("/projects/no-such-project", 404),
        ("/signals/S-999", 404),
        ("/messages/M-999", 404),
        ("/whatif/scenarios/no-such-scenario", 404),
        ("/no/such/page", 404),
    ],
)
def test_bad_addresses_answer_with_a_page_that_says_what(
    web: TestClient, url: str, status: int
) -> None:
    response = web.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    title, message = _error(response)
    assert title
    assert message.strip()


def test_an_unexpected_failure_is_a_500_page_that_leaks_nothing(
    demo_keepword: Keepword, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(signals, "stored_signals", broken)
    with TestClient(create_app(demo_keepword), raise_server_exceptions=False) as client:
        log_in(client, "beth")
        response = client.get("/signals")
    assert response.status_code == 500
    title, message = _error(response)
    assert title == "Something went wrong"
    assert message == "The error is in the server's log."
    assert "secret" not in response.text
