"""``whatif``, ``scenario apply`` and ``risks`` through the installed entry point, with the
clock set by ``KEEPWORD_NOW``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import DEMO_PLAN
from tests.e2e.cli import at, keepword

SCENARIO = "core-platform-security-fix"


@pytest.fixture
def demo_db(tmp_path: Path) -> str:
    path = str(tmp_path / "keepword.db")
    monday = at("2026-11-23T09:00:00Z")
    assert keepword("--db", path, "init", env=monday).code == 0
    assert keepword("--db", path, "load", str(DEMO_PLAN), env=monday).code == 0
    return path


def test_whatif_prints_the_diff_and_what_still_progresses_and_saves_nothing(
    demo_db: str,
) -> None:
    monday = at("2026-11-23T09:30:00Z")
    history = keepword("--db", demo_db, "history", "--json", "--limit", "1000", env=monday)
    run = keepword("--db", demo_db, "whatif", SCENARIO, env=monday)
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    first = next(n for n, line in enumerate(lines) if "pitchwell-v1" in line)
    second = next(n for n, line in enumerate(lines) if "core-security-fix" in line)
    assert first < second  # most harmed first
    assert "on track → off track" in lines[first]
    assert "Lucía Fernández" in run.stdout
    assert "Clickable prototype" in run.stdout
    data = json.loads(keepword("--db", demo_db, "whatif", SCENARIO, "--json", env=monday).stdout)
    [pitchwell] = [c for c in data["commitments"] if c["commitment"] == "pitchwell-v1"]
    assert pitchwell["before"]["health"] == "on_track"
    assert pitchwell["after"]["health"] == "off_track"
    assert pitchwell["after"]["on_time"] < 0.5 <= pitchwell["before"]["on_time"]
    assert {p["person"] for p in data["still_progressing"]} == {"lucia", "beth"}
    after = keepword("--db", demo_db, "history", "--json", "--limit", "1000", env=monday)
    assert json.loads(after.stdout) == json.loads(history.stdout)


def test_applying_the_scenario_raises_signals_that_risks_lists_with_their_clocks(
    demo_db: str,
) -> None:
    applied = keepword(
        "--db", demo_db, "scenario", "apply", SCENARIO, env=at("2026-11-23T10:00:00Z")
    )
    assert applied.code == 0, applied.stderr
    assert "2 signals raised" in applied.stdout
    # Still inside the working day: nothing is overdue.
    same_day = keepword("--db", demo_db, "risks", "--json", env=at("2026-11-23T15:00:00Z"))
    signals = json.loads(same_day.stdout)
    kinds = {(s["commitment"], s["kind"]) for s in signals}
    assert ("pitchwell-v1", "capacity_removed") in kinds
    assert ("pitchwell-v1", "below_target") in kinds
    assert not any(s["overdue"] for s in signals)
    # The next afternoon every one of them is past its one working day, and escalated.
    late = keepword("--db", demo_db, "risks", env=at("2026-11-24T15:00:00Z"))
    assert late.code == 0
    assert "overdue" in late.stdout
    assert "Escalated" in late.stdout
    events = json.loads(
        keepword(
            "--db",
            demo_db,
            "history",
            "--json",
            "--entity",
            "signal",
            env=at("2026-11-24T15:00:00Z"),
        ).stdout
    )
    assert {e["action"] for e in events} == {"raised", "escalated"}
    again = keepword("--db", demo_db, "risks", env=at("2026-11-24T15:05:00Z"))
    assert "Escalated" not in again.stdout
    # Applied once: the scenario is gone.
    gone = keepword("--db", demo_db, "scenario", "apply", SCENARIO, env=at("2026-11-24T15:05:00Z"))
    assert gone.code == 1
    assert gone.stderr.strip() == f"keepword: error: no scenario with id '{SCENARIO}'"


def test_a_bad_clock_or_unknown_scenario_is_one_clean_line(demo_db: str) -> None:
    bad = keepword("--db", demo_db, "risks", env=at("last tuesday"))
    assert bad.code == 1
    assert bad.stderr.startswith("keepword: error: KEEPWORD_NOW='last tuesday'")
    assert "Traceback" not in bad.stderr
    unknown = keepword("--db", demo_db, "whatif", "nope", env=at("2026-11-23T10:00:00Z"))
    assert unknown.code == 1
    assert unknown.stderr.strip() == "keepword: error: no scenario with id 'nope'"


def test_one_change_at_a_time_says_what_it_did_to_the_odds(demo_db: str) -> None:
    noon = at("2026-11-23T12:00:00Z")
    done = keepword("--db", demo_db, "item", "done", "pitchwell-app", "ux-dashboard", env=noon)
    assert done.code == 0, done.stderr
    assert "Re-forecast pitchwell-v1" in done.stdout
    assert "core-security-fix" not in done.stdout
    off = keepword(
        "--db", demo_db, "time-off", "lucia", "2026-12-07", "2026-12-18", "--reason", "surgery",
        env=noon,
    )  # fmt: skip
    assert off.code == 0, off.stderr
    assert "Re-forecast core-security-fix" in off.stdout
    assert "Re-forecast pitchwell-v1" in off.stdout
    assert "taken off Pitchwell sales-enablement app" in off.stdout
    again = keepword("--db", demo_db, "item", "done", "pitchwell-app", "ux-dashboard", env=noon)
    assert again.code == 1
    assert (
        again.stderr.strip() == "keepword: error: item pitchwell-app/ux-dashboard is already done"
    )
