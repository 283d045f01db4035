"""A project's timeline: which events touch it, and each in a sentence."""

from __future__ import annotations

from datetime import UTC, datetime

from keepword.domain.events import Event, projects_of
from keepword.services.history import by_day, entry

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TUESDAY = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
PEOPLE = {"amara": "Amara Okafor"}


def _allocation(fraction: float, project: str = "voice-bot") -> dict[str, object]:
    return {
        "person": "amara",
        "project": project,
        "fraction": fraction,
        "start": "2026-11-02",
        "end": "2027-01-29",
        "over_allocation": False,
    }


def _event(action: str, entity: str, entity_id: str, before: object, after: object) -> Event:
    return Event(MONDAY, "sam", action, entity, entity_id, before, after)


def test_events_touch_a_project_through_its_id_its_items_and_their_snapshots() -> None:
    mine = [
        _event("created", "project", "voice-bot", None, {"name": "Voice bot"}),
        _event("created", "item", "voice-bot/cf-workshop", None, {"title": "Workshop"}),
        _event("changed", "allocation", "amara@voice-bot/2026-11-02", _allocation(1), None),
        _event("raised", "signal", "S-1", None, {"project": "voice-bot", "summary": "late"}),
        _event(
            "created",
            "scenario",
            "move",
            None,
            {"name": "Move", "changes": [{"from_project": "other", "to_project": "voice-bot"}]},
        ),
    ]
    theirs = [
        _event("created", "project", "voice-bot-2", None, {"name": "Other"}),
        _event("created", "item", "voice-bot-2/cf-workshop", None, {"title": "Workshop"}),
        _event("created", "allocation", "amara@other/2026-11-02", None, _allocation(1, "other")),
        _event("created", "person", "amara", None, {"name": "Amara Okafor"}),
    ]
    assert all("voice-bot" in projects_of(e) for e in mine)
    assert not any("voice-bot" in projects_of(e) for e in theirs)


def test_an_allocation_change_reads_as_the_persons_share_before_and_after() -> None:
    changed = _event(
        "changed", "allocation", "amara@voice-bot/2026-11-02", _allocation(1.0), _allocation(0.0)
    )
    assert entry(changed, PEOPLE).text == "Amara Okafor's allocation changed from 100% to 0%"


def test_an_item_done_reads_as_done_and_an_estimate_change_with_its_points() -> None:
    item = {"title": "Workshop", "status": "todo", "estimate": None, "started": None}
    done = {**item, "status": "done", "started": "2026-11-23", "done": "2026-11-23"}
    assert (
        entry(_event("changed", "item", "p/w", item, done), PEOPLE).text == "item “Workshop” done"
    )
    estimated = {**item, "estimate": {"optimistic": 1, "likely": 2, "pessimistic": 4.5}}
    text = entry(_event("changed", "item", "p/w", item, estimated), PEOPLE).text
    assert text == "estimate of “Workshop” changed from no estimate to 1 – 2 – 4.5 person-days"


def test_a_commitment_committed_names_it_with_its_baseline_odds_never_a_flat_zero() -> None:
    after = {"project": "p", "due": "2027-01-11", "baseline": {"on_time": 0.001}}
    text = entry(_event("committed", "commitment", "pitchwell-v1", None, after), PEOPLE).text
    assert (
        text == "commitment pitchwell-v1 committed: due Mon 11 Jan 2027, baseline under 1% on time"
    )


def test_signals_incidents_and_unknown_events_are_worded() -> None:
    raised = _event("raised", "signal", "S-1", None, {"project": "p", "summary": "Scope grew."})
    assert entry(raised, PEOPLE).text == "signal raised: Scope grew."
    steps = [
        {"action": "Call the client", "status": "todo"},
        {"action": "Rebuild", "status": "todo"},
    ]
    done = [steps[0], {**steps[1], "status": "done"}]
    step = _event("step_done", "incident", "I-1", {"steps": steps}, {"steps": done})
    assert entry(step, PEOPLE).text == "recovery step 2 of incident I-1 done: Rebuild"
    odd = _event("archived", "widget", "w-1", None, None)
    assert entry(odd, PEOPLE).text == "widget w-1 archived"


def test_entries_are_grouped_by_day_keeping_newest_first() -> None:
    late = entry(Event(TUESDAY, "sam", "raised", "signal", "S-2", None, {"summary": "b"}), PEOPLE)
    early = entry(Event(MONDAY, "sam", "raised", "signal", "S-1", None, {"summary": "a"}), PEOPLE)
    days = by_day([late, early, early])
    assert [(d.day.isoformat(), len(d.entries)) for d in days] == [
        ("2026-11-24", 1),
        ("2026-11-23", 2),
    ]
