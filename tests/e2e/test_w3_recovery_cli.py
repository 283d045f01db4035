"""W3 replayed through the entry point: the failed demo's warning signs are raised as the
plan loads; after the demo fails on stage the team records the incident, drafts the
recovery message, checks it, sends it the next morning, and the clocks stop."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import DEMO_PLAN
from tests.e2e.cli import at, keepword


def test_the_failed_demo_is_owned_told_and_its_clocks_stop(tmp_path: Path) -> None:
    db = str(tmp_path / "keepword.db")
    monday = at("2026-11-23T09:00:00Z")
    assert keepword("--db", db, "init", env=monday).code == 0
    assert keepword("--db", db, "load", str(DEMO_PLAN), env=monday).code == 0
    warned = json.loads(keepword("--db", db, "risks", "--json", env=monday).stdout)
    assert {(s["commitment"], s["kind"]) for s in warned} >= {
        ("freighttech-keynote", "scope_grew"),
        ("freighttech-keynote", "warning_signs"),
    }
    signs = next(s for s in warned if s["kind"] == "warning_signs")
    assert signs["evidence"]["unstable"] == "stratus-agents, stratus-realtime"
    assert signs["evidence"]["items_added"] == 4

    # The keynote, Wednesday 10 February 2027: the demo fails on stage in the afternoon.
    evening = at("2027-02-10T18:00:00Z")
    recorded = keepword(
        "--db", db, "incident", "add", "freighttech-demo",
        "--commitment", "freighttech-keynote",
        "--title", "Live demo stopped on the keynote stage",
        "--impact",
        "Halden's CDO was left without a working demo in front of the keynote audience.",
        "--own-factor", "We built the re-planning on a preview API without a recorded fallback.",
        "--own-factor", "We kept adding features to a fixed date instead of hardening what we had.",
        "--step",
        "Rebuild the demo resilient to platform failures, three weeks of our top team"
        " @ 2027-03-03 17:00",
        "--at", "2027-02-10 15:30",
        "--json",
        env=evening,
    )  # fmt: skip
    assert recorded.code == 0, recorded.stderr
    incident = json.loads(recorded.stdout)
    first, rebuild = incident["steps"]
    # First contact first thing the next morning: Thursday 09:00 in Oslo (08:00 UTC).
    assert first["due"].startswith("2027-02-11T08:00")
    assert "Rebuild" in rebuild["action"]

    out = tmp_path / "recovery"
    drafted = keepword(
        "--db", db, "draft", "--incident", incident["id"], "--out", str(out), env=evening
    )
    assert drafted.code == 0, drafted.stderr
    assert "Playbook check of the draft (recovery): clean." in drafted.stdout
    body = out.with_suffix(".md").read_text(encoding="utf-8")
    assert body.index("keynote audience") < body.index("preview API")  # impact before cause
    assert "sorry" in body.lower()
    assert "Stratus" not in body  # the team's own factors, nobody else's
    assert (
        keepword("--db", db, "check", str(out.with_suffix(".md")), "--kind", "recovery").code == 0
    )

    # Sent first thing next morning; the warning signs were never told before the fall.
    message = next(line for line in drafted.stdout.splitlines() if "Stored draft" in line)
    message_id = message.split()[2]
    sent = keepword("--db", db, "send", message_id, env=at("2027-02-11T08:15:00Z"))
    assert sent.code == 0, sent.stderr
    told = json.loads(
        keepword("--db", db, "risks", "--all", "--json", env=at("2027-02-11T08:20:00Z")).stdout
    )
    before_the_fall = [
        s
        for s in told
        if s["commitment"] == "freighttech-keynote" and s["detected_at"] < "2027-02-10"
    ]
    assert {s["kind"] for s in before_the_fall} == {"scope_grew", "warning_signs"}
    assert all(s["communication"] == message_id for s in before_the_fall)
    assert all(s["disclosed_at"].startswith("2027-02-11T08:15") for s in before_the_fall)
    # Months late against a one-working-day target: the record says so.
    assert all(s["overdue"] for s in before_the_fall)
    done = keepword(
        "--db", db, "incident", "done", incident["id"], "1", env=at("2027-02-11T08:20:00Z")
    )
    assert done.code == 0, done.stderr
