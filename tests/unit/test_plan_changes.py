"""One change at a time: it is an event, it re-forecasts only the projects it touches, and
it raises the signals it calls for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from keepword.domain.access import Forbidden, Role
from keepword.domain.commitment import CommitmentState
from keepword.domain.errors import InvalidTransition, InvalidValue, NotFound
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus
from keepword.domain.signals import Severity, SignalKind
from keepword.services import gate, plan, scenarios
from keepword.services.portfolio import load_portfolio
from tests.factories import staff
from tests.fakes import FakeUnitOfWorkFactory

TODAY = date(2026, 11, 23)
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def loaded(demo_portfolio: Portfolio) -> FakeUnitOfWorkFactory:
    uow = FakeUnitOfWorkFactory()
    load_portfolio(uow, demo_portfolio, actor=staff("demo"), now=MONDAY_9AM, today=TODAY)
    return uow


def refreshed_at(uow: FakeUnitOfWorkFactory, moment: datetime) -> set[str]:
    return {c for c, odds in uow.store.forecasts.items() if odds.computed_at == moment}


def test_an_item_done_re_forecasts_its_project_only(loaded: FakeUnitOfWorkFactory) -> None:
    events = plan.set_item_status(
        loaded,
        "pitchwell-app",
        "ux-dashboard",
        ItemStatus.DONE,
        on=TODAY,
        actor=staff("lucia"),
        now=NOON,
    )
    assert [(e.action, e.entity, e.entity_id) for e in events] == [
        ("changed", "item", "pitchwell-app/ux-dashboard")
    ]
    item = loaded.store.portfolio.project("pitchwell-app").item("ux-dashboard")
    assert (item.status, item.done) == (ItemStatus.DONE, TODAY)
    assert refreshed_at(loaded, NOON) == {"pitchwell-v1"}


def test_time_off_re_forecasts_every_project_of_the_person_and_says_what_it_took(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    plan.add_time_off(
        loaded, "lucia", date(2026, 12, 7), date(2026, 12, 18), reason="surgery",
        actor=staff("beth"), now=NOON,
    )  # fmt: skip
    # Lucía works on Pitchwell and on Fernhill Core.
    assert refreshed_at(loaded, NOON) == {"pitchwell-v1", "core-security-fix"}
    taken = {
        s.commitment: s
        for s in loaded.store.signals.values()
        if s.kind is SignalKind.CAPACITY_REMOVED
    }
    assert set(taken) == {"pitchwell-v1", "core-security-fix"}
    # Ten working days at 0.6 on Pitchwell: six person-days, a small share of what is left.
    assert taken["pitchwell-v1"].evidence["removed"] == pytest.approx(6.0)
    assert taken["pitchwell-v1"].severity is Severity.LOW


def test_an_item_done_without_a_day_is_done_today_and_the_report_names_what_it_moved(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    report = plan.record_item_status(
        loaded, "pitchwell-app", "ux-dashboard", ItemStatus.DONE, on=None,
        actor=staff("lucia"), now=NOON,
    )  # fmt: skip
    item = loaded.store.portfolio.project("pitchwell-app").item("ux-dashboard")
    assert (item.status, item.done) == (ItemStatus.DONE, TODAY)
    assert [(e.action, e.entity_id) for e in report.events] == [
        ("changed", "pitchwell-app/ux-dashboard")
    ]
    # Only Pitchwell's promise depends on that item; Fernhill's is left as it was.
    assert [moved.commitment for moved in report.reforecast] == ["pitchwell-v1"]
    [moved] = report.reforecast
    assert (moved.before.computed_at, moved.after.computed_at) == (MONDAY_9AM, NOON)


def test_an_item_started_on_a_given_day_is_started_that_day(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    friday = date(2026, 11, 20)
    project = loaded.store.portfolio.project("pitchwell-app")
    todo = next(i for i in project.items if i.status is ItemStatus.TODO)
    report = plan.record_item_status(
        loaded, "pitchwell-app", todo.id, ItemStatus.IN_PROGRESS, on=friday,
        actor=staff("lucia"), now=NOON,
    )  # fmt: skip
    started = loaded.store.portfolio.project("pitchwell-app").item(todo.id)
    assert (started.status, started.started) == (ItemStatus.IN_PROGRESS, friday)
    assert [e.entity_id for e in report.events] == [f"pitchwell-app/{todo.id}"]


def test_time_off_booked_reports_both_promises_it_moved_and_the_signals_it_raised(
    loaded: FakeUnitOfWorkFactory,
) -> None:
    report = plan.book_time_off(
        loaded, "lucia", date(2026, 12, 7), date(2026, 12, 18), reason="surgery",
        actor=staff("beth"), now=NOON,
    )  # fmt: skip
    *_, off = loaded.store.portfolio.person("lucia").calendar.time_off
    assert (off.start, off.end, off.reason) == (date(2026, 12, 7), date(2026, 12, 18), "surgery")
    assert [moved.commitment for moved in report.reforecast] == [
        "core-security-fix",
        "pitchwell-v1",
    ]
    raised = {
        e.after["commitment"]: e.after["kind"]
        for e in report.events
        if e.entity == "signal" and e.action == "raised" and e.after is not None
    }
    assert raised == {"pitchwell-v1": "capacity_removed", "core-security-fix": "capacity_removed"}


def test_someone_who_may_not_update_work_changes_nothing(loaded: FakeUnitOfWorkFactory) -> None:
    commits = loaded.store.commits
    executive = staff("erin", Role.EXECUTIVE)
    with pytest.raises(Forbidden):
        plan.record_item_status(
            loaded, "pitchwell-app", "ux-dashboard", ItemStatus.DONE, on=None,
            actor=executive, now=NOON,
        )  # fmt: skip
    with pytest.raises(Forbidden):
        plan.book_time_off(
            loaded, "lucia", date(2026, 12, 7), date(2026, 12, 18), reason="",
            actor=executive, now=NOON,
        )  # fmt: skip
    assert loaded.store.commits == commits


def test_a_day_ahead_is_clock_skew_not_a_typo(loaded: FakeUnitOfWorkFactory) -> None:
    # A client's "today" may be ahead of ours by a time zone.
    events = plan.set_item_status(
        loaded, "pitchwell-app", "ux-dashboard", ItemStatus.DONE,
        on=TODAY + timedelta(days=1), actor=staff("a"), now=NOON,
    )  # fmt: skip
    assert events[0].after["done"] == (TODAY + timedelta(days=1)).isoformat()


def test_bad_changes_say_what_is_wrong_and_change_nothing(loaded: FakeUnitOfWorkFactory) -> None:
    commits = loaded.store.commits
    with pytest.raises(NotFound, match="has no item 'nope'"):
        plan.set_item_status(
            loaded, "pitchwell-app", "nope", ItemStatus.DONE, on=TODAY, actor=staff("a"), now=NOON
        )
    for status, what in ((ItemStatus.DONE, "done"), (ItemStatus.IN_PROGRESS, "started")):
        with pytest.raises(InvalidValue, match=f"{what} 2030-01-01 is in the future"):
            plan.set_item_status(
                loaded, "pitchwell-app", "ux-dashboard", status, on=date(2030, 1, 1),
                actor=staff("a"), now=NOON,
            )  # fmt: skip
    with pytest.raises(InvalidTransition, match="already done"):
        plan.set_item_status(
            loaded,
            "pitchwell-app",
            "fnd-accounts",
            ItemStatus.DONE,
            on=TODAY,
            actor=staff("a"),
            now=NOON,
        )
    with pytest.raises(InvalidValue, match="before start"):
        plan.add_time_off(
            loaded,
            "lucia",
            date(2026, 12, 18),
            date(2026, 12, 7),
            reason="",
            actor=staff("a"),
            now=NOON,
        )
    assert loaded.store.commits == commits


def test_a_closed_promise_is_no_longer_watched(loaded: FakeUnitOfWorkFactory) -> None:
    closed = gate.close_commitment(
        loaded, "pitchwell-v1", CommitmentState.MET, actor=staff("beth"), now=NOON
    )
    assert closed.state is CommitmentState.MET
    assert [e.action for e in loaded.store.events[-2:]] == ["changed", "met"]
    # Moving its people away now raises nothing on it.
    scenarios.apply_scenario(
        loaded, "core-platform-security-fix", actor=staff("owen"), now=NOON, today=TODAY
    )
    assert not [s for s in loaded.store.signals.values() if s.commitment == "pitchwell-v1"]
    with pytest.raises(InvalidTransition, match="cannot go from met to missed"):
        gate.close_commitment(
            loaded, "pitchwell-v1", CommitmentState.MISSED, actor=staff("beth"), now=NOON
        )
    with pytest.raises(InvalidTransition, match="closed as one of"):
        gate.close_commitment(
            loaded, "core-security-fix", CommitmentState.AT_RISK, actor=staff("beth"), now=NOON
        )
