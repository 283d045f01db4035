"""W1 to W3 replayed on the demo with the storage faked: forecasts that follow every change,
the signals they raise, the what-if diff, and the disclosure clock under a controlled clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from keepword.adapters.planfile import read_plan
from keepword.domain.commitment import Commitment, Health
from keepword.domain.errors import InvalidFields
from keepword.domain.forecast import ForecastOptions
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Estimate, WorkItem
from keepword.domain.signals import SignalKind
from keepword.services import gate, plan, scenarios, signals, watch
from keepword.services.portfolio import load_portfolio
from tests.conftest import DEMO_PLAN
from tests.factories import staff
from tests.fakes import FakeUnitOfWorkFactory

TODAY = date(2026, 11, 23)
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SCENARIO = "core-platform-security-fix"


@pytest.fixture
def loaded(demo_portfolio: Portfolio) -> FakeUnitOfWorkFactory:
    uow = FakeUnitOfWorkFactory()
    load_portfolio(uow, demo_portfolio, actor=staff("demo"), now=MONDAY_9AM, today=TODAY)
    return uow


def commit_voice_bot(uow: FakeUnitOfWorkFactory) -> Commitment:
    """Sales makes the voice-bot promise on the demo's Monday (W1)."""
    return gate.commit(
        uow,
        "voice-bot-launch",
        actor=staff("tom"),
        now=MONDAY_9AM,
        today=TODAY,
        options=ForecastOptions(today=TODAY, trials=2000),
        below_target_reason="the launch date is the client's board meeting",
    ).commitment


def signals_of(uow: FakeUnitOfWorkFactory, commitment: str) -> set[SignalKind]:
    return {s.kind for s in uow.store.signals.values() if s.commitment == commitment}


def test_loading_the_demo_raises_the_failed_demos_warning_signs(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    assert signals_of(loaded, "freighttech-keynote") == {
        SignalKind.SCOPE_GREW,
        SignalKind.WARNING_SIGNS,
    }
    [grew] = [s for s in loaded.store.signals.values() if s.kind is SignalKind.SCOPE_GREW]
    assert grew.evidence["items_added"] == 4
    assert grew.owner == "james"
    # Every other commitment is on track or only proposed: nothing else to tell.
    assert {s.commitment for s in loaded.store.signals.values()} == {"freighttech-keynote"}
    # Every committed project's forecast is cached.
    assert set(loaded.store.forecasts) == {c.id for c in loaded.store.portfolio.commitments}


def test_what_if_diffs_the_reallocation_without_saving_it(loaded: FakeUnitOfWorkFactory) -> None:
    portfolio = loaded.store.portfolio
    commits, events = loaded.store.commits, len(loaded.store.events)
    result = scenarios.what_if(
        portfolio,
        portfolio.scenario(SCENARIO),
        ForecastOptions(today=TODAY),
        loaded.store.forecasts,
    )
    assert result.touched == ["fernhill-core", "pitchwell-app"]
    worst, other = result.diffs
    assert worst.commitment == "pitchwell-v1"
    assert worst.before.health is Health.ON_TRACK
    assert worst.after.health is Health.OFF_TRACK
    assert worst.before.on_time is not None
    assert worst.before.on_time >= 0.85
    assert worst.after.on_time is not None
    assert worst.after.on_time < 0.5
    # About the story's four-week slip.
    assert worst.slip_days is not None
    assert 14 <= worst.slip_days <= 35
    assert other.commitment == "core-security-fix"
    assert other.harm <= 0
    # The designer stays free for design work while the developers are away.
    lucia = next(p for p in result.progress if p.person == "lucia")
    assert lucia.free_days >= 3
    assert {item for item, _ in lucia.items} >= {"ux-prototype", "ux-mobile"}
    assert "ravi" not in {p.person for p in result.progress}
    assert (loaded.store.commits, len(loaded.store.events)) == (commits, events)


def test_applying_the_reallocation_flags_the_commitment_it_harms(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    before, raised_before = dict(loaded.store.forecasts), set(loaded.store.signals)
    applied_at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    applied = scenarios.apply_saved(
        loaded, SCENARIO, actor=staff("owen"), now=applied_at, today=TODAY
    )
    assert signals_of(loaded, "pitchwell-v1") == {
        SignalKind.CAPACITY_REMOVED,
        SignalKind.BELOW_TARGET,
    }
    assert SCENARIO not in {s.id for s in loaded.store.portfolio.scenarios}
    # What it answers is what a person is shown: which scenario, where, and what it raised.
    assert applied.scenario.id == SCENARIO
    assert applied.touched == ["fernhill-core", "pitchwell-app"]
    raised = {e.entity_id for e in applied.signals_raised}
    assert raised == set(loaded.store.signals) - raised_before
    assert applied.changes
    assert all(e.entity not in ("signal", "scenario") for e in applied.changes)
    after = loaded.store.forecasts
    # Only the two touched projects were forecast again; the others kept their cache.
    refreshed = {c for c in after if after[c].computed_at == applied_at}
    assert refreshed == {"pitchwell-v1", "core-security-fix"}
    assert all(after[c] == before[c] for c in after if c not in refreshed)
    assert after["pitchwell-v1"].health == Health.OFF_TRACK.value
    removed = next(
        s for s in loaded.store.signals.values() if s.kind is SignalKind.CAPACITY_REMOVED
    )
    assert removed.evidence["people"] == "ravi, hannah"
    assert removed.owner == "beth"


def test_moves_tried_report_what_could_not_be_read_with_what_is_wrong(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    commits = loaded.store.commits
    moves = [
        scenarios.Move("nobody", "pitchwell-app", None, date(2026, 12, 25)),
        scenarios.Move("ravi", "pitchwell-app", date(2026, 11, 30), date(2026, 12, 25)),
    ]
    unread = {"moves.0.start": "a date, as YYYY-MM-DD", "moves.1.percent": "a number"}
    with pytest.raises(InvalidFields) as refused:
        scenarios.try_moves(loaded, moves, now=MONDAY_9AM, input_errors=unread)
    assert refused.value.errors == {
        "moves.0.start": "a date, as YYYY-MM-DD",
        "moves.0.person": "no such person",
        "moves.1.percent": "a number",
    }
    assert loaded.store.commits == commits


def test_moves_with_a_field_that_could_not_be_read_are_not_applied(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    commits, events = loaded.store.commits, len(loaded.store.events)
    # Otherwise a good move: the share typed could not be read, so it is not all their time.
    move = scenarios.Move("ravi", "pitchwell-app", date(2026, 11, 30), date(2026, 12, 25))
    with pytest.raises(InvalidFields) as refused:
        scenarios.apply_moves(
            loaded,
            [move],
            actor=staff("owen"),
            now=MONDAY_9AM,
            today=TODAY,
            input_errors={"moves.0.percent": "a number, such as 50"},
        )
    assert refused.value.errors == {"moves.0.percent": "a number, such as 50"}
    assert (loaded.store.commits, len(loaded.store.events)) == (commits, events)


def test_moves_applied_answer_the_scenario_they_made_and_save_none(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    move = scenarios.Move("ravi", "pitchwell-app", date(2026, 11, 30), date(2026, 12, 25))
    applied = scenarios.apply_moves(
        loaded, [move], actor=staff("owen"), now=MONDAY_9AM, today=TODAY
    )
    assert applied.scenario.id.startswith("moves-")
    assert applied.touched == ["pitchwell-app"]
    assert [s.id for s in loaded.store.portfolio.scenarios] == [SCENARIO]
    assert "capacity_removed" in {e.after["kind"] for e in applied.signals_raised if e.after}


def test_undisclosed_signals_are_escalated_once_their_working_day_is_up(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    scenarios.apply_scenario(loaded, SCENARIO, actor=staff("owen"), now=MONDAY_9AM, today=TODAY)
    same_day = signals.review(
        loaded, actor=staff("kw"), now=datetime(2026, 11, 23, 16, 0, tzinfo=UTC), today=TODAY
    )
    assert same_day.escalated == []
    assert all(not view.clock.overdue for view in same_day.signals)
    tuesday = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    late = signals.review(loaded, actor=staff("kw"), now=tuesday, today=date(2026, 11, 24))
    assert set(late.escalated) == set(loaded.store.signals)
    assert [e.action for e in loaded.store.events[-len(late.escalated) :]] == ["escalated"] * len(
        late.escalated
    )
    # Past target first; escalation happens once.
    assert all(view.overdue_undisclosed for view in late.signals[: len(late.escalated)])
    again = signals.review(loaded, actor=staff("kw"), now=tuesday, today=date(2026, 11, 24))
    assert again.escalated == []


def test_a_disclosed_signal_stops_its_clock_and_leaves_the_open_list(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    [first, *_] = loaded.store.signals.values()
    loaded.store.signals[first.id] = first.disclosed_by(
        "M-1", datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    )
    result = signals.review(
        loaded, actor=staff("kw"), now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC), today=TODAY
    )
    assert first.id not in {v.signal.id for v in result.signals}
    assert first.id not in result.escalated
    everything = signals.signal_views(
        loaded.store.portfolio,
        list(loaded.store.signals.values()),
        datetime(2026, 11, 25, 9, 0, tzinfo=UTC),
        include_disclosed=True,
    )
    told = next(v for v in everything if v.signal.id == first.id)
    assert told.clock.latency_hours == 2
    assert not told.clock.overdue


def test_scope_added_after_a_promise_is_dated_and_raises_scope_growth(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    committed = commit_voice_bot(loaded)
    assert committed.baseline is not None
    assert committed.baseline.scope_items == 34
    # A week later the client asks for a third journey, and the plan is loaded with it.
    stored = loaded.store.portfolio
    bot = stored.project("voice-bot")
    extra = WorkItem(
        "mortgage-journey",
        "Mortgage payment holiday journey",
        phase="self-service",
        skill="backend",
        estimate=Estimate(2, 3, 6),
    )
    later = date(2026, 11, 30)
    load_portfolio(
        loaded,
        stored.with_project(replace(bot, items=(*bot.items, extra))),
        actor=staff("amara"),
        now=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        today=later,
    )
    assert loaded.store.portfolio.project("voice-bot").item("mortgage-journey").added == later
    [grew] = [
        s
        for s in loaded.store.signals.values()
        if s.commitment == "voice-bot-launch" and s.kind is SignalKind.SCOPE_GREW
    ]
    assert grew.evidence["items"] == "mortgage-journey"
    assert grew.evidence["effort_added"] == pytest.approx(Estimate(2, 3, 6).pert_mean, abs=0.05)
    assert grew.evidence["effort_promised"] == pytest.approx(committed.baseline.effort, abs=0.05)


def test_a_read_with_other_options_leaves_the_watched_cache_alone(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    before = dict(loaded.store.forecasts)
    later = ForecastOptions(today=date(2027, 3, 10))
    odds = watch.current_odds(loaded, later, now=MONDAY_9AM)
    assert odds["pitchwell-v1"].inputs_key != before["pitchwell-v1"].inputs_key
    assert loaded.store.forecasts == before
    commits = loaded.store.commits
    same = watch.current_odds(loaded, watch.watch_options(MONDAY_9AM), now=MONDAY_9AM)
    assert same == before
    assert loaded.store.commits == commits  # a fresh cache is only read


def test_committing_below_target_is_itself_a_signal(loaded: FakeUnitOfWorkFactory) -> None:
    commit_voice_bot(loaded)
    assert SignalKind.BELOW_TARGET in signals_of(loaded, "voice-bot-launch")


def test_a_new_fall_after_the_client_was_told_is_news_again(
    loaded: FakeUnitOfWorkFactory, demo_portfolio: Portfolio
) -> None:
    scenarios.apply_scenario(loaded, SCENARIO, actor=staff("owen"), now=MONDAY_9AM, today=TODAY)
    told = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)
    for signal in list(loaded.store.signals.values()):
        if signal.commitment == "pitchwell-v1":
            loaded.store.signals[signal.id] = signal.disclosed_by("M-1", told)
    # The developers come back (the plan as it was), then are moved again a week later.
    load_portfolio(
        loaded, replace(demo_portfolio, scenarios=()), actor=staff("owen"), now=told, today=TODAY
    )
    week_later = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    moved = demo_portfolio.with_scenario(demo_portfolio.scenario(SCENARIO))
    load_portfolio(
        loaded,
        replace(moved, scenarios=()),
        actor=staff("owen"),
        now=week_later,
        today=date(2026, 11, 30),
    )
    fresh = {
        s.kind
        for s in loaded.store.signals.values()
        if s.commitment == "pitchwell-v1" and s.detected_at == week_later
    }
    assert fresh >= {SignalKind.BELOW_TARGET, SignalKind.CAPACITY_REMOVED}


def test_more_of_the_same_before_the_client_is_told_updates_the_open_signal(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    commit_voice_bot(loaded)

    def add(item_id: str, moment: datetime) -> None:
        stored = loaded.store.portfolio
        bot = stored.project("voice-bot")
        extra = WorkItem(item_id, item_id, phase="self-service", estimate=Estimate(1, 2, 3))
        grown = stored.with_project(replace(bot, items=(*bot.items, extra)))
        load_portfolio(loaded, grown, actor=staff("amara"), now=moment, today=moment.date())

    first_at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    second_at = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    add("mortgage-journey", first_at)
    add("savings-journey", second_at)
    grew = [
        s
        for s in loaded.store.signals.values()
        if s.kind is SignalKind.SCOPE_GREW and s.commitment == "voice-bot-launch"
    ]
    assert len(grew) == 1  # the same signal, brought up to date
    [signal] = grew
    assert signal.detected_at == first_at  # its clock still runs from the first
    assert signal.updated_at == second_at
    assert signal.evidence["items"] == "mortgage-journey, savings-journey"


def test_each_removal_of_people_is_its_own_signal(loaded: FakeUnitOfWorkFactory) -> None:
    scenarios.apply_scenario(loaded, SCENARIO, actor=staff("owen"), now=MONDAY_9AM, today=TODAY)
    noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    plan.add_time_off(
        loaded,
        "lucia",
        date(2026, 12, 7),
        date(2026, 12, 18),
        reason="",
        actor=staff("beth"),
        now=noon,
    )
    removed = [
        s.evidence["people"]
        for s in loaded.store.signals.values()
        if s.kind is SignalKind.CAPACITY_REMOVED and s.commitment == "pitchwell-v1"
    ]
    assert removed == ["ravi, hannah", "lucia"]


def test_the_cache_key_follows_a_projects_own_inputs_only(demo_portfolio: Portfolio) -> None:
    options = watch.watch_options(MONDAY_9AM)
    again = read_plan(DEMO_PLAN)  # the same plan read afresh: new objects, equal values
    key = watch.inputs_key(demo_portfolio, "pitchwell-app", options)
    assert watch.inputs_key(again, "pitchwell-app", options) == key
    bot = demo_portfolio.project("voice-bot")
    elsewhere = demo_portfolio.with_project(replace(bot, name="Another name"))
    assert watch.inputs_key(elsewhere, "pitchwell-app", options) == key
    app = demo_portfolio.project("pitchwell-app")
    first = app.items[0]
    renamed = demo_portfolio.with_project(
        replace(app, items=(replace(first, title="New title"), *app.items[1:]))
    )
    assert watch.inputs_key(renamed, "pitchwell-app", options) != key
    lucia = demo_portfolio.person("lucia")
    off = demo_portfolio.with_person(replace(lucia, email="lucia@example.org"))
    assert watch.inputs_key(off, "pitchwell-app", options) != key
    later = watch.watch_options(datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    assert watch.inputs_key(demo_portfolio, "pitchwell-app", later) != key
