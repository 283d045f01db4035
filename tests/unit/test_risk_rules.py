"""The risk rules on small portfolios: each signal kind, when it fires and when it does not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from keepword.config import fixed_clock
from keepword.domain.calendar import WorkingCalendar
from keepword.domain.commitment import Commitment, CommitmentState, Health, health_of
from keepword.domain.project import Dependency, Estimate, ItemStatus
from keepword.domain.risk import NewSignal, Odds, Watch, findings
from keepword.domain.signals import Severity, Signal, SignalKind, add_working_days, disclosure_clock
from tests import factories as f

TODAY = date(2026, 11, 23)


def committed(**changes: object) -> Commitment:
    values: dict[str, object] = {
        "id": "c",
        "project": "p",
        "title": "Launch",
        "due": date(2026, 12, 18),
        "state": CommitmentState.COMMITTED,
        "made_on": date(2026, 11, 2),
    }
    values.update(changes)
    return Commitment(**values)  # type: ignore[arg-type]


def kinds(watch: Watch) -> list[SignalKind]:
    """The kinds found, leaving out no-progress (the factory projects have none recorded)."""
    return [x.kind for x in findings(watch) if x.kind is not SignalKind.NO_PROGRESS]


def found(watch: Watch, kind: SignalKind) -> list[NewSignal]:
    return [x for x in findings(watch) if x.kind is kind]


@pytest.mark.parametrize(
    ("on_time", "health"),
    [
        (0.9, Health.ON_TRACK),
        (0.85, Health.ON_TRACK),
        (0.6, Health.AT_RISK),
        (0.49, Health.OFF_TRACK),
    ],
)
def test_health_is_measured_against_the_commitments_own_target(
    on_time: float, health: Health
) -> None:
    assert health_of(on_time, 0.85) is health


def test_a_proposal_raises_nothing_however_bad_its_odds() -> None:
    portfolio = f.portfolio(commitments=(committed(state=CommitmentState.PROPOSED),))
    bad = Odds(0.1, date(2027, 1, 10), date(2027, 1, 20), Health.OFF_TRACK)
    watch = Watch(portfolio.commitments[0], None, portfolio, None, bad, TODAY)
    assert findings(watch) == []


def test_falling_below_target_is_a_signal_and_falling_further_is_another() -> None:
    portfolio = f.portfolio(commitments=(committed(),))
    good = Odds(0.9, date(2026, 12, 10), date(2026, 12, 16), Health.ON_TRACK)
    risky = Odds(0.6, date(2026, 12, 16), date(2026, 12, 24), Health.AT_RISK)
    off = Odds(0.3, date(2026, 12, 20), date(2027, 1, 5), Health.OFF_TRACK)
    c = portfolio.commitments[0]
    [below] = found(Watch(c, None, portfolio, good, risky, TODAY), SignalKind.BELOW_TARGET)
    assert below.kind is SignalKind.BELOW_TARGET
    assert below.severity is Severity.MEDIUM
    assert "down from 90% to 60%" in below.summary
    assert below.evidence["p85"] == "2026-12-24"
    assert kinds(Watch(c, None, portfolio, risky, off, TODAY)) == [SignalKind.HEALTH_WORSENED]
    assert kinds(Watch(c, None, portfolio, risky, risky, TODAY)) == []


def test_taking_people_off_a_committed_project_is_capacity_removed() -> None:
    before = f.portfolio(commitments=(committed(),))
    after = replace(before, allocations=(f.allocation("ana", "q"),))
    [finding] = [
        x
        for x in findings(Watch(before.commitments[0], before, after, None, None, TODAY))
        if x.kind is SignalKind.CAPACITY_REMOVED
    ]
    # Ana gave half her working days from 23 November to 18 December (20 days) to p.
    assert finding.evidence["removed"] == pytest.approx(10.0)
    assert finding.evidence["people"] == "ana"
    assert "Ana Reyes" in finding.summary


def test_adding_capacity_is_not_a_signal() -> None:
    before = f.portfolio(commitments=(committed(),))
    after = replace(before, allocations=(*before.allocations, f.allocation("bo", "p")))
    assert SignalKind.CAPACITY_REMOVED not in kinds(
        Watch(before.commitments[0], before, after, None, None, TODAY)
    )


def test_items_added_after_the_promise_are_scope_growth_with_its_size() -> None:
    grown = f.item("c", estimate=Estimate(1, 2, 3), added=date(2026, 11, 20))
    project = f.project("p", items=(*f.project("p").items, grown))
    after = f.portfolio(projects=(project, f.project("q")), commitments=(committed(),))
    before = f.portfolio(commitments=(committed(),))
    [finding] = [
        x
        for x in findings(Watch(after.commitments[0], before, after, None, None, TODAY))
        if x.kind is SignalKind.SCOPE_GREW
    ]
    assert finding.evidence["items"] == "c"
    assert finding.evidence["effort_added"] == 2.0
    # Seen again after no further change, it is not new.
    assert SignalKind.SCOPE_GREW not in kinds(
        Watch(after.commitments[0], after, after, None, None, TODAY)
    )


def test_fixed_date_growing_scope_and_unstable_dependency_are_the_warning_signs() -> None:
    grown = f.item("c", estimate=Estimate(1, 2, 3), added=date(2026, 11, 20))
    shaky = Dependency("cloud", "Cloud preview API", unstable=True)
    project = f.project("p", items=(*f.project("p").items, grown), dependencies=(shaky,))
    portfolio = f.portfolio(
        projects=(project, f.project("q")), commitments=(committed(fixed_date=True),)
    )
    assert SignalKind.WARNING_SIGNS in kinds(
        Watch(portfolio.commitments[0], None, portfolio, None, None, TODAY)
    )
    stable = f.portfolio(
        projects=(replace(project, dependencies=(replace(shaky, unstable=False),)), f.project("q")),
        commitments=(committed(fixed_date=True),),
    )
    assert SignalKind.WARNING_SIGNS not in kinds(
        Watch(stable.commitments[0], None, stable, None, None, TODAY)
    )


def test_no_progress_for_five_working_days_is_a_signal() -> None:
    started = f.item(
        "a", estimate=Estimate(1, 2, 4), status=ItemStatus.IN_PROGRESS, started=date(2026, 11, 16)
    )
    project = f.project("p", items=(started, f.item("b")))
    portfolio = f.portfolio(projects=(project, f.project("q")), commitments=(committed(),))
    c = portfolio.commitments[0]
    # Monday 16th → Friday 20th is four working days; Monday 23rd is the fifth.
    assert (
        found(Watch(c, None, portfolio, None, None, date(2026, 11, 20)), SignalKind.NO_PROGRESS)
        == []
    )
    [finding] = found(Watch(c, None, portfolio, None, None, TODAY), SignalKind.NO_PROGRESS)
    assert finding.evidence["working_days"] == 5


def test_the_disclosure_clock_counts_working_days_from_detection() -> None:
    friday_evening = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)
    signal = Signal(
        "S-1", SignalKind.BELOW_TARGET, "c", "p", friday_evening, Severity.HIGH, "slipping", {}
    )
    calendar = WorkingCalendar()
    assert add_working_days(friday_evening, 1, calendar) == datetime(
        2026, 11, 23, 17, 0, tzinfo=UTC
    )
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    clock = disclosure_clock(signal, monday_noon, 1, calendar)
    assert not clock.overdue
    assert clock.latency_hours == 67
    tuesday = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert disclosure_clock(signal, tuesday, 1, calendar).overdue
    told = signal.disclosed_by("M-1", monday_noon)
    assert not disclosure_clock(told, tuesday, 1, calendar).overdue
    assert disclosure_clock(told, tuesday, 1, calendar).latency_hours == 67


def test_a_clock_given_with_an_offset_is_kept_in_utc() -> None:
    assert fixed_clock({"KEEPWORD_NOW": "2026-11-23T10:00:00+01:00"}) == datetime(
        2026, 11, 23, 9, 0, tzinfo=UTC
    )
    assert fixed_clock({"KEEPWORD_NOW": "2026-11-23T10:00"}) == datetime(
        2026, 11, 23, 10, 0, tzinfo=UTC
    )
    assert fixed_clock({}) is None
