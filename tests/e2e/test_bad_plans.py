"""Malformed plan files: each gives located errors, exit code 1, and leaves the database as it was.

The files live in tests/data/bad_plans; each says what it expects in ``# expect:`` lines.
A few cases are made here instead: an empty file, a file that is not UTF-8, a 50 MB file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from keepword.adapters.database.engine import make_engine
from keepword.adapters.database.unit_of_work import SqlUnitOfWork
from keepword.adapters.planfile import write_plan
from tests.conftest import DEMO_PLAN
from tests.e2e.cli import keepword

BAD_PLANS = Path(__file__).resolve().parent.parent / "data" / "bad_plans"
EXPECT = "# expect:"


@dataclass(frozen=True)
class Snapshot:
    export: str
    events: int


@dataclass(frozen=True)
class LoadedDatabase:
    path: str
    snapshot: Callable[[], Snapshot]


@pytest.fixture(scope="module")
def loaded_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedDatabase]:
    """A database holding the demo portfolio, shared by every bad file in this module."""
    path = str(tmp_path_factory.mktemp("bad") / "keepword.db")
    keepword("--db", path, "init")
    assert keepword("--db", path, "load", str(DEMO_PLAN)).code == 0
    engine = make_engine(path)

    def snapshot() -> Snapshot:
        # What 'keepword export' prints, and how many events exist.
        with SqlUnitOfWork(engine) as uow:
            return Snapshot(write_plan(uow.portfolio.get()), uow.events.count())

    yield LoadedDatabase(path, snapshot)
    engine.dispose()


def _expectations(file: Path) -> list[str]:
    lines = file.read_text(encoding="utf-8").splitlines()
    return [line[len(EXPECT) :].strip() for line in lines if line.startswith(EXPECT)]


def _assert_refused(db: LoadedDatabase, file: Path, expected: list[str]) -> list[str]:
    before = db.snapshot()
    # Each file is a whole portfolio; replacing is the mode where the most must hold.
    result = keepword("--db", db.path, "load", str(file), "--replace", "--yes")
    assert result.code == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines, "no error message"
    for line in lines:
        assert line.startswith(f"keepword: error: {file}:"), line
    for text in expected:
        assert any(text in line for line in lines), f"{text!r} not in:\n{result.stderr}"
    assert db.snapshot() == before, "the database changed"
    return lines


def test_there_are_enough_bad_plan_files() -> None:
    files = sorted(BAD_PLANS.glob("*.yaml"))
    assert len(files) >= 25
    assert all(_expectations(f) for f in files), "every file says what it expects"


@pytest.mark.parametrize("file", sorted(BAD_PLANS.glob("*.yaml")), ids=lambda p: p.stem)
def test_bad_plan_file_is_refused_with_located_errors(
    loaded_db: LoadedDatabase, file: Path
) -> None:
    _assert_refused(loaded_db, file, _expectations(file))


def test_empty_file(loaded_db: LoadedDatabase, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    _assert_refused(loaded_db, empty, [":1:1: file is empty"])


def test_file_that_is_not_utf8(loaded_db: LoadedDatabase, tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(
        "keepword: 1\nclients:\n  - id: cafe\n    name: Café Müller\n".encode("latin-1")
    )
    _assert_refused(loaded_db, latin1, [":4:14: not UTF-8 text (byte 0xe9)"])


def test_fifty_megabyte_file(loaded_db: LoadedDatabase, tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    line = "  - {id: c%08d, name: A client with a long and descriptive name}\n"
    with huge.open("w", encoding="utf-8") as stream:
        stream.write("keepword: 1\nclients:\n")
        for n in range(50 * 1024 * 1024 // len(line % 0) + 1):
            stream.write(line % n)
    assert huge.stat().st_size >= 50 * 1024 * 1024
    _assert_refused(loaded_db, huge, [" MiB; plan files are limited to 10 MiB"])


def test_all_problems_are_reported_at_once(loaded_db: LoadedDatabase, tmp_path: Path) -> None:
    plan = tmp_path / "many.yaml"
    plan.write_text(
        "keepword: 1\n"
        "clients:\n"
        "  - {id: acme, name: Acme}\n"
        "  - {id: acme, name: Acme again}\n"
        "projects:\n"
        "  - id: site\n"
        "    client: nobody\n"
        "    name: Web site\n"
        "    start: 2026-11-02\n"
        "allocations:\n"
        "  - {person: ghost, project: site, fraction: 0.5, start: 2026-11-02, end: 2026-12-01}\n",
        encoding="utf-8",
    )
    lines = _assert_refused(
        loaded_db,
        plan,
        [
            ":4:6: clients[1].id: duplicate client id 'acme'",
            ":7:5: projects[0].client: unknown client 'nobody'",
            ":11:6: allocations[0].person: unknown person 'ghost'",
        ],
    )
    assert len(lines) == 3
