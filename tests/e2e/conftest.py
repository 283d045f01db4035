"""Fixtures of the CLI tests: a database holding the demo portfolio."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import DEMO_PLAN
from tests.e2e.cli import at, keepword


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file with the demo plan loaded, once per test module (modules that need
    another demo database declare their own)."""
    path = str(tmp_path_factory.mktemp("demo") / "keepword.db")
    keepword("--db", path, "init")
    assert keepword("--db", path, "load", str(DEMO_PLAN)).code == 0
    return path


@pytest.fixture
def monday_db(tmp_path: Path) -> str:
    """A SQLite file of its own for each test, the demo plan loaded on the demo's Monday."""
    path = str(tmp_path / "keepword.db")
    monday = at("2026-11-23T09:00:00Z")
    assert keepword("--db", path, "init", env=monday).code == 0
    assert keepword("--db", path, "load", str(DEMO_PLAN), env=monday).code == 0
    return path
