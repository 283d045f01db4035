"""Honest drafts from the facts, and sending them: tested on the demo's W2 story with fakes."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from keepword.domain.communications import CommunicationKind
from keepword.domain.errors import InvalidTransition, NotFound
from keepword.domain.playbook import check
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import Severity, Signal, SignalKind
from keepword.drafts.render import JinjaRenderer, longdate, plain_text
from keepword.services import drafts
from keepword.services.forecasting import ForecastOptions
from tests.fakes import FakeUnitOfWorkFactory

TODAY = date(2026, 11, 23)  # the demo's Monday
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
OPTIONS = ForecastOptions(TODAY, trials=2000, seed=7)
RENDERER = JinjaRenderer()


def _signal(signal_id: str, kind: SignalKind, **changes: object) -> Signal:
    values: dict[str, object] = {
        "id": signal_id,
        "kind": kind,
        "commitment": "pitchwell-v1",
        "project": "pitchwell-app",
        "detected_at": datetime(2026, 11, 23, 8, 0, tzinfo=UTC),
        "severity": Severity.HIGH,
        "summary": "27 person-days (13%) taken off the app before 2027-03-26: Ravi, Hannah.",
        "evidence": {"removed": 27.2, "people": "ravi, hannah", "due": "2027-03-26"},
    }
    values.update(changes)
    return Signal(**values)  # type: ignore[arg-type]


@pytest.fixture
def moved(demo_portfolio: Portfolio) -> Portfolio:
    """The demo after the CTO moved both Pitchwell developers to the core platform (W2)."""
    applied = demo_portfolio.with_scenario(demo_portfolio.scenario("core-platform-security-fix"))
    return replace(applied, scenarios=())


@pytest.fixture
def uow(moved: Portfolio) -> FakeUnitOfWorkFactory:
    factory = FakeUnitOfWorkFactory()
    factory.store.portfolio = moved
    factory.store.signals = {"S-1": _signal("S-1", SignalKind.CAPACITY_REMOVED)}
    return factory


def _draft(uow: FakeUnitOfWorkFactory, **kwargs: object) -> drafts.Draft:
    return drafts.draft_message(
        uow,
        RENDERER,
        options=OPTIONS,
        actor="beth",
        now=NOW,
        **kwargs,  # type: ignore[arg-type]
    )


def _first_paragraph(body: str) -> str:
    return body.split("\n\n")[1]


def test_a_draft_for_a_signal_leads_with_the_impact_and_the_new_dates(
    uow: FakeUnitOfWorkFactory,
) -> None:
    result = _draft(uow, signal="S-1")
    dates = result.facts.dates
    assert dates is not None
    assert dates.late
    opening = _first_paragraph(result.message.body)
    for day in (dates.due, dates.p50, dates.p85):
        assert longdate(day) in opening
    assert "50 %" in opening
    assert "85 %" in opening
    assert result.message.body.startswith("Hi Marcus,")


def test_a_draft_for_people_the_team_moved_apologises_and_owns_it(
    uow: FakeUnitOfWorkFactory,
) -> None:
    result = _draft(uow, signal="S-1")
    body = result.message.body
    assert result.facts.at_fault
    assert "I am sorry" in body
    assert "We took Ravi Patel and Hannah Clarke off your project" in body
    assert "Ravi Patel is back on your project: Monday 4 January 2027" in body


def test_a_draft_proposes_call_times_on_the_leads_next_working_days(
    uow: FakeUnitOfWorkFactory, moved: Portfolio
) -> None:
    result = _draft(uow, signal="S-1")
    slots = result.facts.call_slots
    assert 2 <= len(slots) <= 3
    beth = moved.person("beth").calendar
    assert all(s.day > TODAY and beth.is_working_day(s.day) for s in slots)
    next_step = result.message.body.split("## Next step")[1]
    assert re.search(r"call\?.*Tuesday 24 November at 10:00", next_step)


def test_a_draft_passes_its_own_playbook_check(uow: FakeUnitOfWorkFactory) -> None:
    result = _draft(uow, signal="S-1")
    assert result.report.clean, [str(f) for f in result.report.findings]
    assert check(result.message.body, kind="delay").clean


def test_a_draft_is_stored_unsent_with_its_event(uow: FakeUnitOfWorkFactory) -> None:
    result = _draft(uow, signal="S-1")
    stored = uow.store.communications["M-1"]
    assert stored == result.message
    assert (stored.sent_at, stored.answers, stored.kind) == (None, ("S-1",), "delay")
    assert (stored.recipient, stored.author) == ("Marcus Bell", "Beth Morgan")
    [event] = uow.store.events
    assert (event.action, event.entity, event.entity_id) == ("created", "communication", "M-1")
    assert uow.store.signals["S-1"].disclosed_at is None


def test_a_draft_for_a_commitment_answers_all_its_open_undisclosed_signals(
    uow: FakeUnitOfWorkFactory,
) -> None:
    told = _signal("S-2", SignalKind.BELOW_TARGET).disclosed_by("M-9", NOW)
    uow.store.signals |= {
        "S-2": told,
        "S-3": _signal("S-3", SignalKind.BELOW_TARGET, evidence={}),
        "S-4": _signal("S-4", SignalKind.NO_PROGRESS, commitment="voice-bot-launch"),
    }
    result = _draft(uow, commitment="pitchwell-v1", kind="delay")
    assert result.message.answers == ("S-1", "S-3")
    assert result.report.clean, [str(f) for f in result.report.findings]


def test_a_draft_for_the_slip_also_tells_its_cause_on_the_same_promise(
    uow: FakeUnitOfWorkFactory,
) -> None:
    below = _signal(
        "S-2",
        SignalKind.BELOW_TARGET,
        evidence={"on_time": 0.19, "on_time_before": 0.88, "due": "2027-03-26"},
    )
    elsewhere = _signal("S-3", SignalKind.NO_PROGRESS, commitment="voice-bot-launch")
    uow.store.signals |= {"S-2": below, "S-3": elsewhere}
    result = _draft(uow, signal="S-2")
    assert result.message.answers == ("S-2", "S-1")
    # The cause is the team's own move of its people, not its estimate.
    assert "Ravi Patel and Hannah Clarke" in result.message.body
    assert "estimate did not hold" not in result.message.body


def test_what_still_progresses_can_be_given_or_found(uow: FakeUnitOfWorkFactory) -> None:
    given = _draft(uow, signal="S-1", progressing=["design sessions with Lucía (8 free days)"])
    assert "- design sessions with Lucía (8 free days)" in given.message.body
    found = _draft(uow, commitment="pitchwell-v1", kind="delay")
    assert any(line.startswith("Lucía Fernández") for line in found.facts.progressing)


def test_scope_the_client_asked_for_gets_no_apology_and_still_passes(
    uow: FakeUnitOfWorkFactory,
) -> None:
    uow.store.signals = {
        "S-1": _signal(
            "S-1",
            SignalKind.SCOPE_GREW,
            evidence={
                "requested_by": "client",
                "items_added": 3,
                "effort_added": 12.0,
                "growth": 0.15,
                "since": "2026-09-14",
            },
        )
    }
    result = _draft(uow, signal="S-1")
    assert not result.facts.at_fault
    assert "sorry" not in result.message.body.lower()
    assert "3 more items" in result.message.body
    assert result.report.clean, [str(f) for f in result.report.findings]


@pytest.mark.parametrize("kind", ["status", "phased-plan"])
def test_status_and_phased_plan_drafts_pass_their_checks(
    uow: FakeUnitOfWorkFactory, kind: str
) -> None:
    result = _draft(uow, commitment="pitchwell-v1", kind=kind)
    assert result.message.kind == kind
    assert result.report.clean, [str(f) for f in result.report.findings]
    assert "| Beta with the first sales team, then launch |" in result.message.body


def test_a_recovery_needs_an_incident(uow: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(drafts.DraftError, match="no incident"):
        _draft(uow, commitment="pitchwell-v1", kind="recovery")
    assert uow.store.communications == {}


def test_a_disclosed_signal_or_an_unknown_one_is_refused(uow: FakeUnitOfWorkFactory) -> None:
    uow.store.signals["S-1"] = uow.store.signals["S-1"].disclosed_by("M-3", NOW)
    with pytest.raises(drafts.DraftError, match="already disclosed by M-3"):
        _draft(uow, signal="S-1")
    with pytest.raises(NotFound, match="S-99"):
        _draft(uow, signal="S-99")


def test_sending_closes_the_clocks_of_the_signals_it_answers(
    uow: FakeUnitOfWorkFactory,
) -> None:
    message = _draft(uow, signal="S-1").message
    later = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    sent = drafts.send(uow, message.id, actor="beth", now=later)
    signal = uow.store.signals["S-1"]
    assert (signal.disclosed_at, signal.communication) == (later, "M-1")
    assert uow.store.communications["M-1"].sent_at == later
    [disclosure] = sent.disclosed
    assert (disclosure.signal, disclosure.latency_hours, disclosure.overdue) == ("S-1", 7.5, False)
    actions = [(e.action, e.entity, e.entity_id) for e in uow.store.events[1:]]
    assert actions == [("sent", "communication", "M-1"), ("disclosed", "signal", "S-1")]
    assert sent.warnings == ()


def test_sending_twice_is_refused(uow: FakeUnitOfWorkFactory) -> None:
    message = _draft(uow, signal="S-1").message
    drafts.send(uow, message.id, actor="beth", now=NOW)
    with pytest.raises(InvalidTransition, match="already sent"):
        drafts.send(uow, message.id, actor="beth", now=NOW)


def test_an_edited_body_with_hedging_is_sent_with_warnings(uow: FakeUnitOfWorkFactory) -> None:
    message = _draft(uow, signal="S-1").message
    edited = message.body.replace(
        "I am sorry.", "I am sorry. Hopefully it should be fine, fingers crossed."
    )
    sent = drafts.send(uow, message.id, body=edited, actor="beth", now=NOW)
    assert [(w.rule, w.phrase) for w in sent.warnings] == [
        ("hedging", "Hopefully"),
        ("hedging", "should be fine"),
        ("hedging", "fingers crossed"),
    ]
    assert uow.store.communications["M-1"].body == edited


def test_a_teams_template_replaces_the_packaged_one_of_the_same_name(
    uow: FakeUnitOfWorkFactory, tmp_path: Path
) -> None:
    (tmp_path / "delay.md.j2").write_text(
        "{% set subject = 'Our news' %}Dear {{ greeting_name }}: {{ dates.p85 | longdate }}.\n",
        encoding="utf-8",
    )
    renderer = JinjaRenderer(tmp_path)
    delay = drafts.draft_message(
        uow, renderer, options=OPTIONS, actor="beth", now=NOW, signal="S-1"
    )
    assert delay.message.subject == "Our news"
    assert delay.message.body.startswith("Dear Marcus: ")
    status = drafts.draft_message(
        uow,
        renderer,
        options=OPTIONS,
        actor="beth",
        now=NOW,
        commitment="pitchwell-v1",
        kind=CommunicationKind.STATUS,
    )
    assert status.message.body.startswith("Hi Marcus,")


def test_call_slots_skip_weekends_and_public_holidays(moved: Portfolio) -> None:
    beth = moved.person("beth").calendar  # England: 25 and 28 December 2026 are holidays
    slots = drafts.call_slots(beth, date(2026, 12, 24))
    assert [s.day for s in slots] == [date(2026, 12, 29), date(2026, 12, 29), date(2026, 12, 30)]


def test_the_plain_text_of_a_body_drops_markdown_marks() -> None:
    assert plain_text("## Next step\n\n**Sorry**, `x`.\n") == "Next step\n\nSorry, x.\n"
