"""``item start|done`` and ``time-off`` through the installed entry point: one change to the
plan at a time, and what it did to the odds."""

from __future__ import annotations

from tests.e2e.cli import at, keepword


def test_one_change_at_a_time_says_what_it_did_to_the_odds(monday_db: str) -> None:
    noon = at("2026-11-23T12:00:00Z")
    done = keepword("--db", monday_db, "item", "done", "pitchwell-app", "ux-dashboard", env=noon)
    assert done.code == 0, done.stderr
    assert "Re-forecast pitchwell-v1" in done.stdout
    assert "core-security-fix" not in done.stdout
    off = keepword(
        "--db", monday_db, "time-off", "lucia", "2026-12-07", "2026-12-18", "--reason", "surgery",
        env=noon,
    )  # fmt: skip
    assert off.code == 0, off.stderr
    assert "Re-forecast core-security-fix" in off.stdout
    assert "Re-forecast pitchwell-v1" in off.stdout
    assert "taken off Pitchwell sales-enablement app" in off.stdout
    again = keepword("--db", monday_db, "item", "done", "pitchwell-app", "ux-dashboard", env=noon)
    assert again.code == 1
    assert (
        again.stderr.strip() == "keepword: error: item pitchwell-app/ux-dashboard is already done"
    )
