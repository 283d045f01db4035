"""Fixtures of the CLI tests: a database holding the demo portfolio."""

from __future__ import annotations

import pytest

from tests.conftest import DEMO_PLAN
from tests.e2e.cli import keepword


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file with the demo plan loaded, once per test module (modules that need
    another demo database declare their own)."""
    path = str(tmp_path_factory.mktemp("demo") / "keepword.db")
    keepword("--db", path, "init")
    assert keepword("--db", path, "load", str(DEMO_PLAN)).code == 0
    return path
