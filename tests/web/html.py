"""Reading pages as a user's browser would: parsed HTML, never string matching."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient


def soup(text: str) -> BeautifulSoup:
    """``text`` parsed as HTML."""
    return BeautifulSoup(text, "html.parser")


def one(page: BeautifulSoup | Tag, selector: str) -> Tag:
    """The element ``selector`` finds, failing the test when there is none."""
    found = page.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def get_page(client: TestClient, url: str) -> BeautifulSoup:
    """The page at ``url``, which must answer 200, parsed."""
    response = client.get(url)
    assert response.status_code == 200, response.text
    return soup(response.text)
