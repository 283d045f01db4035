"""``incident add|list|done`` through the installed entry point, with the clock set by
``KEEPWORD_NOW``; the recovery message drafted from the incident."""

from __future__ import annotations

import json

from tests.e2e.cli import at, keepword


def test_an_incident_gets_a_first_contact_and_its_steps_are_done_one_by_one(monday_db: str) -> None:
    friday = at("2026-11-28T08:00:00Z")
    added = keepword(
        "--db", monday_db, "incident", "add", "freighttech-demo",
        "--title", "Rehearsal demo failed in front of Halden's board",
        "--impact", "The board saw the route re-planning stop twice",
        "--own-factor", "We kept adding features until the last week",
        "--step", "Rebuild the demo to survive platform failures @ 2026-12-18 17:00",
        "--at", "2026-11-27 18:30", "--commitment", "freighttech-keynote", "--json",
        env=friday,
    )  # fmt: skip
    assert added.code == 0, added.stderr
    incident = json.loads(added.stdout)
    assert [s["action"] for s in incident["steps"]] == [
        "First contact with the client: call and written apology",
        "Rebuild the demo to survive platform failures",
    ]
    # Friday evening: 09:00 the next morning on Halden's clock (Oslo), a Saturday.
    assert incident["steps"][0]["due"] == "2026-11-28T08:00:00+00:00"
    listed = keepword("--db", monday_db, "incident", "list", env=friday)
    assert "I-1 Rehearsal demo failed" in listed.stdout
    assert "to do" in listed.stdout
    done = keepword("--db", monday_db, "incident", "done", "I-1", "1", env=friday)
    assert done.code == 0, done.stderr
    assert "I-1 step 1 done: First contact" in done.stdout
    twice = keepword("--db", monday_db, "incident", "done", "I-1", "1", env=friday)
    assert (twice.code, twice.stderr.count("\n")) == (1, 1)
    recovery = keepword(
        "--db", monday_db, "draft", "--incident", "I-1", "--as-of", "2026-11-28", env=friday
    )
    assert recovery.code == 0, recovery.stderr
    assert "I know the impact this had on you: The board saw" in recovery.stdout
    assert "Playbook check of the draft (recovery): clean." in recovery.stdout
    bad_step = keepword(
        "--db", monday_db, "incident", "add", "freighttech-demo", "--title", "x", "--impact", "y",
        "--step", "no date here", env=friday,
    )  # fmt: skip
    assert bad_step.code == 2


def test_a_recovery_drafts_after_the_event_without_forecasting_a_past_date(
    monday_db: str,
) -> None:
    keynote_evening = at("2027-02-10T18:00:00Z")
    added = keepword(
        "--db", monday_db, "incident", "add", "freighttech-demo",
        "--commitment", "freighttech-keynote", "--title", "Live demo stopped on stage",
        "--impact", "Halden's CDO was left without a working demo",
        "--at", "2027-02-10 15:30", env=keynote_evening,
    )  # fmt: skip
    assert added.code == 0, added.stderr
    # Three days on nobody is allocated to the project any more, and the keynote is over.
    later = at("2027-02-13T09:00:00Z")
    drafted = keepword("--db", monday_db, "draft", "--incident", "I-1", env=later)
    assert drafted.code == 0, drafted.stderr
    assert "I am sorry" in drafted.stdout
    assert "we promised" not in drafted.stdout  # no new date for an event that has passed
    assert "Our forecast gives" not in drafted.stdout
    table = keepword("--db", monday_db, "portfolio", "--json", env=later)
    rows = {r["commitment_id"]: r for r in json.loads(table.stdout)}
    assert rows["freighttech-keynote"]["past_due"] is True
    assert rows["pitchwell-v1"]["past_due"] is False
