"""``risks`` through the installed entry point: the signals a scenario applied raises, their
clocks and their escalation, with the clock set by ``KEEPWORD_NOW``."""

from __future__ import annotations

import json

from tests.e2e.cli import at, keepword

SCENARIO = "core-platform-security-fix"


def test_applying_the_scenario_raises_signals_that_risks_lists_with_their_clocks(
    monday_db: str,
) -> None:
    applied = keepword(
        "--db", monday_db, "scenario", "apply", SCENARIO, env=at("2026-11-23T10:00:00Z")
    )
    assert applied.code == 0, applied.stderr
    assert "2 signals raised" in applied.stdout
    # Still inside the working day: nothing is overdue.
    same_day = keepword("--db", monday_db, "risks", "--json", env=at("2026-11-23T15:00:00Z"))
    signals = json.loads(same_day.stdout)
    kinds = {(s["commitment"], s["kind"]) for s in signals}
    assert ("pitchwell-v1", "capacity_removed") in kinds
    assert ("pitchwell-v1", "below_target") in kinds
    assert not any(s["overdue"] for s in signals)
    # The next afternoon every one of them is past its one working day, and escalated.
    late = keepword("--db", monday_db, "risks", env=at("2026-11-24T15:00:00Z"))
    assert late.code == 0
    assert "overdue" in late.stdout
    assert "Escalated" in late.stdout
    events = json.loads(
        keepword(
            "--db",
            monday_db,
            "history",
            "--json",
            "--entity",
            "signal",
            env=at("2026-11-24T15:00:00Z"),
        ).stdout
    )
    assert {e["action"] for e in events} == {"raised", "escalated"}
    again = keepword("--db", monday_db, "risks", env=at("2026-11-24T15:05:00Z"))
    assert "Escalated" not in again.stdout
    # Applied once: the scenario is gone.
    gone = keepword(
        "--db", monday_db, "scenario", "apply", SCENARIO, env=at("2026-11-24T15:05:00Z")
    )
    assert gone.code == 1
    assert gone.stderr.strip() == f"keepword: error: no scenario with id '{SCENARIO}'"
