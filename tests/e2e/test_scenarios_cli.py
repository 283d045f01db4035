"""``whatif`` and ``scenario apply`` through the installed entry point, with the clock set by
``KEEPWORD_NOW``."""

from __future__ import annotations

import json

from tests.e2e.cli import at, keepword

SCENARIO = "core-platform-security-fix"


def test_whatif_prints_the_diff_and_what_still_progresses_and_saves_nothing(
    monday_db: str,
) -> None:
    monday = at("2026-11-23T09:30:00Z")
    history = keepword("--db", monday_db, "history", "--json", "--limit", "1000", env=monday)
    run = keepword("--db", monday_db, "whatif", SCENARIO, env=monday)
    assert run.code == 0, run.stderr
    lines = run.stdout.splitlines()
    first = next(n for n, line in enumerate(lines) if "pitchwell-v1" in line)
    second = next(n for n, line in enumerate(lines) if "core-security-fix" in line)
    assert first < second  # most harmed first
    assert "on track → off track" in lines[first]
    assert "Lucía Fernández" in run.stdout
    assert "Clickable prototype" in run.stdout
    data = json.loads(keepword("--db", monday_db, "whatif", SCENARIO, "--json", env=monday).stdout)
    [pitchwell] = [c for c in data["commitments"] if c["commitment"] == "pitchwell-v1"]
    assert pitchwell["before"]["health"] == "on_track"
    assert pitchwell["after"]["health"] == "off_track"
    assert pitchwell["after"]["on_time"] < 0.5 <= pitchwell["before"]["on_time"]
    assert {p["person"] for p in data["still_progressing"]} == {"lucia", "beth"}
    after = keepword("--db", monday_db, "history", "--json", "--limit", "1000", env=monday)
    assert json.loads(after.stdout) == json.loads(history.stdout)


def test_a_bad_clock_or_unknown_scenario_is_one_clean_line(monday_db: str) -> None:
    bad = keepword("--db", monday_db, "risks", env=at("last tuesday"))
    assert bad.code == 1
    assert bad.stderr.startswith("keepword: error: KEEPWORD_NOW='last tuesday'")
    assert "Traceback" not in bad.stderr
    unknown = keepword("--db", monday_db, "whatif", "nope", env=at("2026-11-23T10:00:00Z"))
    assert unknown.code == 1
    assert unknown.stderr.strip() == "keepword: error: no scenario with id 'nope'"
