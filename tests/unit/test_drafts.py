"""Honest drafts from the facts, and sending them: tested on the demo's W2 story with fakes."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from keepword.domain.calendar import WorkingCalendar
from keepword.domain.calls import CallSlot, call_slots, first_slot_by
from keepword.domain.client_wording import free_days, longdate
from keepword.domain.communications import (
    CommunicationKind,
    Incident,
    RecoveryStep,
    StepStatus,
)
from keepword.domain.errors import InvalidTransition, InvalidValue, KeepwordError, NotFound
from keepword.domain.forecast import ForecastOptions
from keepword.domain.playbook import check
from keepword.domain.portfolio import Portfolio
from keepword.domain.signals import Severity, Signal, SignalKind
from keepword.domain.wording import percent
from keepword.drafts.render import JinjaRenderer, plain_text
from keepword.services import incidents, messages
from keepword.services.message_facts import Dates, DraftFacts, away_window
from tests.factories import staff
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


def _draft(uow: FakeUnitOfWorkFactory, **kwargs: object) -> messages.Draft:
    return messages.draft_message(
        uow,
        RENDERER,
        options=OPTIONS,
        actor=staff("beth"),
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
    assert "50%" in opening
    assert "85%" in opening
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


def test_the_draft_says_what_progresses_as_the_what_if_of_the_same_move_did(
    demo_portfolio: Portfolio, uow: FakeUnitOfWorkFactory
) -> None:
    from keepword.domain.client_wording import progressing_line
    from keepword.services import scenarios
    from keepword.services.message_facts import PROGRESS_ITEMS_SHOWN

    scenario = demo_portfolio.scenario("core-platform-security-fix")
    asked = scenarios.what_if(demo_portfolio, scenario, OPTIONS)
    expected = tuple(
        progressing_line(p.name, p.free_days, (t for _, t in p.items[:PROGRESS_ITEMS_SHOWN]))
        for p in asked.progress
    )
    assert expected  # Beth and Lucía have free days while Ravi and Hannah are away
    assert _draft(uow, signal="S-1").facts.progressing == expected


def test_what_still_progresses_is_measured_while_the_people_are_away(
    uow: FakeUnitOfWorkFactory, moved: Portfolio
) -> None:
    # Ravi and Hannah are moved from 30 November to 25 December (their Christmas leave after
    # it is not the move's): the days of the move, as the what-if counts them.
    window = away_window(moved, "pitchwell-app", [uow.store.signals["S-1"]], OPTIONS)
    assert window == (date(2026, 11, 30), date(2026, 12, 25))


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
    with pytest.raises(messages.DraftError, match="no incident"):
        _draft(uow, commitment="pitchwell-v1", kind="recovery")
    assert uow.store.communications == {}


def test_a_disclosed_signal_or_an_unknown_one_is_refused(uow: FakeUnitOfWorkFactory) -> None:
    uow.store.signals["S-1"] = uow.store.signals["S-1"].disclosed_by("M-3", NOW)
    with pytest.raises(messages.DraftError, match="already disclosed by M-3"):
        _draft(uow, signal="S-1")
    with pytest.raises(NotFound, match="S-99"):
        _draft(uow, signal="S-99")


def test_sending_closes_the_clocks_of_the_signals_it_answers(
    uow: FakeUnitOfWorkFactory,
) -> None:
    message = _draft(uow, signal="S-1").message
    later = datetime(2026, 11, 23, 15, 30, tzinfo=UTC)
    sent = messages.send(uow, message.id, actor=staff("beth"), now=later)
    signal = uow.store.signals["S-1"]
    assert (signal.disclosed_at, signal.communication) == (later, "M-1")
    assert uow.store.communications["M-1"].sent_at == later
    [disclosure] = sent.disclosed
    assert (disclosure.signal, disclosure.latency_hours, disclosure.overdue) == ("S-1", 7.5, False)
    actions = [(e.action, e.entity, e.entity_id) for e in uow.store.events[1:]]
    assert actions == [("sent", "communication", "M-1"), ("disclosed", "signal", "S-1")]
    assert sent.warnings == ()


def test_sending_a_draft_older_than_its_signals_news_warns(uow: FakeUnitOfWorkFactory) -> None:
    message = _draft(uow, signal="S-1").message
    # More people were moved after the draft was written: the signal was brought up to date.
    grown = replace(
        uow.store.signals["S-1"],
        evidence={"removed": 40.0, "people": "ravi, hannah, lucia", "due": "2027-03-26"},
        updated_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
    )
    uow.store.signals["S-1"] = grown
    sent = messages.send(
        uow, message.id, actor=staff("beth"), now=datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    )
    assert sent.stale == ("S-1",)
    assert uow.store.signals["S-1"].disclosed_at is not None


def test_sending_twice_is_refused(uow: FakeUnitOfWorkFactory) -> None:
    message = _draft(uow, signal="S-1").message
    messages.send(uow, message.id, actor=staff("beth"), now=NOW)
    with pytest.raises(InvalidTransition, match="already sent"):
        messages.send(uow, message.id, actor=staff("beth"), now=NOW)


def test_an_edited_body_with_hedging_is_sent_with_warnings(uow: FakeUnitOfWorkFactory) -> None:
    message = _draft(uow, signal="S-1").message
    edited = message.body.replace(
        "I am sorry.", "I am sorry. Hopefully it should be fine, fingers crossed."
    )
    sent = messages.send(uow, message.id, body=edited, actor=staff("beth"), now=NOW)
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
    delay = messages.draft_message(
        uow, renderer, options=OPTIONS, actor=staff("beth"), now=NOW, signal="S-1"
    )
    assert delay.message.subject == "Our news"
    assert delay.message.body.startswith("Dear Marcus: ")
    status = messages.draft_message(
        uow,
        renderer,
        options=OPTIONS,
        actor=staff("beth"),
        now=NOW,
        commitment="pitchwell-v1",
        kind=CommunicationKind.STATUS,
    )
    assert status.message.body.startswith("Hi Marcus,")


def test_call_slots_skip_weekends_and_public_holidays(moved: Portfolio) -> None:
    beth = moved.person("beth").calendar  # England: 25 and 28 December 2026 are holidays
    slots = call_slots(beth, date(2026, 12, 24))
    assert [s.day for s in slots] == [date(2026, 12, 29), date(2026, 12, 29), date(2026, 12, 30)]


def test_the_plain_text_of_a_body_drops_markdown_marks() -> None:
    assert plain_text("## Next step\n\n**Sorry**, `x`.\n") == "Next step\n\nSorry, x.\n"


# --- review findings ---------------------------------------------------------------------


@pytest.fixture
def keynote(demo_portfolio: Portfolio) -> FakeUnitOfWorkFactory:
    """The demo's W3 story on its Monday: scope grew on the keynote, odds still above 85 %."""
    factory = FakeUnitOfWorkFactory()
    factory.store.portfolio = demo_portfolio
    on_keynote = {"commitment": "freighttech-keynote", "project": "freighttech-demo"}
    factory.store.signals = {
        "S-1": _signal(
            "S-1",
            SignalKind.SCOPE_GREW,
            summary="4 items joined the scope.",
            evidence={
                "items_added": 4,
                "effort_added": 16.0,
                "growth": 0.37,
                "since": "2026-10-05",
            },
            **on_keynote,
        ),
        "S-2": _signal(
            "S-2",
            SignalKind.WARNING_SIGNS,
            summary="Fixed date, growing scope, unstable dependency.",
            evidence={"growth": 0.37, "since": "2026-10-05"},
            **on_keynote,
        ),
    }
    return factory


def test_a_delay_draft_above_target_says_the_odds_hold_and_what_changed(
    keynote: FakeUnitOfWorkFactory,
) -> None:
    result = _draft(keynote, signal="S-1")
    dates = result.facts.dates
    assert dates is not None
    assert not dates.below_target
    assert not dates.late
    opening = _first_paragraph(result.message.body)
    assert "below the" not in opening
    assert f"is still {percent(dates.on_time)} likely by {longdate(dates.due)}" in opening
    assert "above the 85% we hold ourselves to, but the risk to that date has grown" in opening
    assert "the scope has grown by 37% since 5 October 2026" in opening
    assert "at risk" not in result.message.subject
    assert result.report.clean, [str(f) for f in result.report.findings]


def test_a_delay_draft_below_target_but_not_late_says_below() -> None:
    facts = _facts(Dates(date(2027, 3, 26), date(2027, 3, 10), date(2027, 3, 24), 0.7, 0.85, TODAY))
    body = RENDERER.render(facts).body
    assert "is now 70%, below the 85% we hold ourselves to" in body
    assert check(body, kind="delay").clean, [str(f) for f in check(body, kind="delay").findings]


def _facts(dates: Dates, **changes: object) -> DraftFacts:
    values: dict[str, object] = {
        "kind": CommunicationKind.DELAY,
        "today": TODAY,
        "client": "Pitchwell",
        "contact": None,
        "recipient": "Marcus Bell",
        "greeting_name": "Marcus",
        "project": "Pitchwell app",
        "project_id": "pitchwell-app",
        "commitment_id": "pitchwell-v1",
        "commitment": "Pitchwell v1",
        "dates": dates,
        "phases": (),
        "happened": ("Our estimate did not hold.",),
        "impact": None,
        "progressing": (),
        "at_fault": True,
        "own_factors": (),
        "make_right": (),
        "call_slots": (CallSlot(date(2026, 11, 24), time(10, 0)),),
        "lead": "Beth Morgan",
        "lead_email": None,
    }
    values.update(changes)
    return DraftFacts(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (0.3, "under a free day"),
        (0.5, "about 1 free day"),
        (1.2, "about 1 free day"),
        (1.5, "about 2 free days"),
        (2.5, "about 3 free days"),
        (9.4, "about 9 free days"),
    ],
)
def test_free_days_are_rounded_halves_up_with_the_right_plural(days: float, words: str) -> None:
    assert free_days(days) == words


def test_what_still_progresses_never_says_1_free_days(keynote: FakeUnitOfWorkFactory) -> None:
    result = _draft(keynote, signal="S-1")
    assert result.facts.progressing
    assert not any(re.search(r"\b1 free days\b", line) for line in result.facts.progressing)
    assert all(
        re.search(r"\((?:about \d+|under a) free days?\)", line)
        for line in result.facts.progressing
    )


def test_a_message_cannot_be_sent_before_it_was_drafted(uow: FakeUnitOfWorkFactory) -> None:
    message = _draft(uow, signal="S-1").message
    before = datetime(2026, 11, 23, 8, 59, tzinfo=UTC)
    with pytest.raises(messages.SendTimeError, match="drafted at 2026-11-23 09:00") as raised:
        messages.send(uow, message.id, actor=staff("beth"), now=before)
    assert isinstance(raised.value, KeepwordError)
    assert uow.store.communications["M-1"].sent_at is None
    assert uow.store.signals["S-1"].disclosed_at is None
    assert [e.action for e in uow.store.events] == ["created"]
    messages.send(uow, message.id, actor=staff("beth"), now=NOW)  # at the draft's own time is fine


def _incident_on_keynote(occurred_at: datetime, done: bool = False) -> Incident:
    deadline = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)  # Saturday 09:00 in Oslo
    first = RecoveryStep(incidents.FIRST_CONTACT, deadline)
    if done:
        first = replace(first, status=StepStatus.DONE, done_at=occurred_at)
    return Incident(
        id="I-1",
        project="freighttech-demo",
        title="Rehearsal demo failed in front of Halden's board",
        occurred_at=occurred_at,
        impact="The board saw the route re-planning stop twice.",
        own_factors=("We kept adding features until the last week.",),
        steps=(first,),
        commitment="freighttech-keynote",
    )


def test_a_recovery_offers_a_call_by_the_first_contacts_deadline(
    keynote: FakeUnitOfWorkFactory,
) -> None:
    friday_evening = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)
    keynote.store.incidents = {"I-1": _incident_on_keynote(friday_evening)}
    friday = date(2026, 11, 27)
    written = datetime(2026, 11, 27, 19, 0, tzinfo=UTC)
    result = messages.draft_message(
        keynote, RENDERER, options=ForecastOptions(friday, trials=2000, seed=7),
        actor=staff("james"), now=written, incident="I-1",
    )  # fmt: skip
    first = result.facts.call_slots[0]
    # Halden is in Oslo: the first contact is due Saturday 09:00 there, weekend or not,
    # and the first call offered is then, on their clock; the usual slots start Monday.
    assert (first.day, first.at, first.zone) == (date(2026, 11, 28), time(9, 0), "Europe/Oslo")
    assert len(result.facts.call_slots) == 3
    assert "Saturday 28 November at 09:00 CET" in result.message.body
    assert result.report.clean, [str(f) for f in result.report.findings]


def test_a_done_first_contact_leaves_the_usual_call_slots(
    keynote: FakeUnitOfWorkFactory,
) -> None:
    friday_evening = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)
    keynote.store.incidents = {"I-1": _incident_on_keynote(friday_evening, done=True)}
    monday = date(2026, 11, 30)
    result = messages.draft_message(
        keynote, RENDERER, options=ForecastOptions(monday, trials=2000, seed=7),
        actor=staff("james"), now=datetime(2026, 11, 30, 8, 0, tzinfo=UTC), incident="I-1",
    )  # fmt: skip
    assert result.facts.call_slots[0].day == date(2026, 12, 1)


def test_the_first_slot_by_a_deadline_is_first_thing_or_nothing_changes() -> None:
    usual = call_slots(WorkingCalendar(), date(2026, 11, 30))  # Tuesday, Wednesday
    deadline = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    evening = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    # Tuesday 10:00 is after a 09:00 deadline and Monday's times have gone: the call is
    # offered first thing, at 09:00 on Tuesday.
    moved = first_slot_by(usual, deadline, date(2026, 11, 30), evening)
    assert (moved[0].day, moved[0].at) == (date(2026, 12, 1), time(9, 0))
    assert moved[1:] == usual[:2]
    later = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert first_slot_by(usual, later, date(2026, 11, 30), evening) == usual
    early = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)
    moved = first_slot_by(
        usual, datetime(2026, 11, 30, 16, 0, tzinfo=UTC), date(2026, 11, 30), early
    )
    assert (moved[0].day, moved[0].at) == (date(2026, 11, 30), time(9, 0))
    assert moved[1:] == usual[:2]
    written_at_ten = datetime(2026, 11, 30, 10, 30, tzinfo=UTC)
    past_nine = first_slot_by(
        usual, datetime(2026, 11, 30, 16, 0, tzinfo=UTC), date(2026, 11, 30), written_at_ten
    )
    assert (past_nine[0].day, past_nine[0].at) == (date(2026, 11, 30), time(15, 0))


# --- addresses, the body as typed, checks of any text --------------------------------------


def test_a_draft_is_from_the_lead_and_to_the_clients_contact_unless_told_otherwise(
    uow: FakeUnitOfWorkFactory,
) -> None:
    result = _draft(uow, signal="S-1")
    assert str(result.sender) == "Beth Morgan <beth@fernhill-labs.co.uk>"
    assert str(result.to) == "Marcus Bell <marcus@pitchwell.example>"
    other = _draft(uow, commitment="pitchwell-v1", to="Ops <ops@pitchwell.example>")
    assert str(other.to) == "Ops <ops@pitchwell.example>"


def test_a_draft_to_something_that_is_not_an_address_stores_nothing(
    uow: FakeUnitOfWorkFactory,
) -> None:
    with pytest.raises(InvalidValue, match="'Marcus Bell' is not an email address") as raised:
        _draft(uow, signal="S-1", to="Marcus Bell")
    assert raised.value.field == "to"
    assert uow.store.communications == {}
    assert uow.store.events == []


@pytest.mark.parametrize(
    "typed",
    [
        "  \n",
        "{body}",
        "{body}".replace("\n", "\r\n"),
        "# {subject}\n\n{body}",
    ],
    ids=["blank", "unchanged", "unchanged-with-crlf", "unchanged-under-its-heading"],
)
def test_a_body_typed_as_the_draft_is_sent_as_drafted_without_warnings(
    uow: FakeUnitOfWorkFactory, typed: str
) -> None:
    drafted = replace(_draft(uow, signal="S-1").message, body="Hi Marcus,\n\nHopefully soon.")
    uow.store.communications[drafted.id] = drafted  # a draft the check finds fault with
    body = typed.format(subject=drafted.subject, body=drafted.body)
    sent = messages.send(uow, drafted.id, body=body, actor=staff("beth"), now=NOW)
    assert sent.warnings == ()
    assert uow.store.communications["M-1"].body == drafted.body


def test_an_edit_is_sent_without_its_subject_heading_and_with_plain_line_ends(
    uow: FakeUnitOfWorkFactory,
) -> None:
    message = _draft(uow, signal="S-1").message
    edited = message.body.replace("I am sorry.", "I am sorry. Hopefully it should be fine.")
    typed = f"# {message.subject}\n\n{edited}".replace("\n", "\r\n")
    sent = messages.send(uow, message.id, body=typed, actor=staff("beth"), now=NOW)
    assert uow.store.communications["M-1"].body == edited
    assert [w.phrase for w in sent.warnings] == ["Hopefully", "should be fine"]


def test_a_text_about_scope_the_client_asked_for_needs_no_apology(
    keynote: FakeUnitOfWorkFactory,
) -> None:
    keynote.store.signals["S-1"] = replace(
        keynote.store.signals["S-1"], evidence={"requested_by": "client"}
    )
    text = "Hi Ingrid,\n\nThe keynote demo is now due 26 March, 85 % likely.\n"
    rules = {f.rule for f in messages.check_text(keynote, text, signal="S-1").findings}
    assert "apology" not in rules
    assert "apology" in {f.rule for f in messages.check_text(keynote, text, signal="S-2").findings}
    told = messages.check_text(keynote, text, signal="S-1", at_fault=True)
    assert "apology" in {f.rule for f in told.findings}
    assert told.kind is CommunicationKind.DELAY
    with pytest.raises(NotFound, match="S-99"):
        messages.check_text(keynote, text, signal="S-99")


def test_a_text_editing_a_draft_is_checked_as_sending_it_will_be(
    uow: FakeUnitOfWorkFactory,
) -> None:
    message = _draft(uow, signal="S-1").message
    edited = message.body.replace("I am sorry.", "Fingers crossed.")
    report = messages.check_text(uow, edited, message=message.id)
    assert report == messages.check_edited(message, edited)
    assert {"apology", "hedging"} <= {f.rule for f in report.findings}
    as_status = messages.check_text(uow, edited, message=message.id, kind=CommunicationKind.STATUS)
    assert as_status.kind is CommunicationKind.STATUS
    assert "apology" not in {f.rule for f in as_status.findings}
    with pytest.raises(NotFound, match="M-9"):
        messages.check_text(uow, edited, message="M-9")


def test_a_message_is_read_with_the_check_of_its_body(uow: FakeUnitOfWorkFactory) -> None:
    message = _draft(uow, signal="S-1").message
    view = messages.message_view(uow, message.id)
    assert view.message == message
    assert view.report.clean
    with pytest.raises(NotFound, match="M-9"):
        messages.message_view(uow, "M-9")
