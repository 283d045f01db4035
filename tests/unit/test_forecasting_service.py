"""Forecasts of a project from the portfolio: calendars, allocations, phases and commitments."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from keepword.domain.calendar import TimeOff, WorkingCalendar
from keepword.domain.commitment import Commitment
from keepword.domain.forecast import CannotForecast, ForecastOptions
from keepword.domain.people import Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import CompletedItem, Estimate, ItemStatus, Phase
from keepword.services.forecasting import forecast_project
from tests import factories as f

MONDAY = date(2026, 11, 2)
OPTIONS = ForecastOptions(today=MONDAY, trials=500, seed=7)


def _portfolio(
    *, items: int = 5, calendar: WorkingCalendar | None = None, due: date = MONDAY
) -> Portfolio:
    """One person, whole-time on one project, with ``items`` items of exactly two days each."""
    person = Person("ana", "Ana Reyes", ("backend",), calendar or WorkingCalendar())
    project = f.project(
        "p",
        start=MONDAY,
        phases=(Phase("one", "Phase one"), Phase("two", "Phase two")),
        items=tuple(
            f.item(f"i{n}", estimate=Estimate(2, 2, 2), phase="one" if n < 2 else "two")
            for n in range(items)
        ),
    )
    return f.portfolio(
        people=(person,),
        projects=(project,),
        allocations=(f.allocation("ana", "p", fraction=1.0, start=MONDAY, end=date(2027, 6, 30)),),
        commitments=(
            Commitment("all", "p", "Everything", due),
            Commitment("first", "p", "Phase one only", due, ("one",)),
        ),
    )


def test_equal_estimates_on_one_person_finish_on_a_known_day() -> None:
    forecast = forecast_project(_portfolio(), "p", OPTIONS)
    # Ten person-days from Monday 2 November: the second Friday, 13 November, in every trial.
    assert (forecast.whole.p50, forecast.whole.p95) == (date(2026, 11, 13), date(2026, 11, 13))
    assert [(ph.id, ph.p85) for ph in forecast.phases] == [
        ("one", date(2026, 11, 5)),
        ("two", date(2026, 11, 13)),
    ]
    assert forecast.mode == "estimate"


def test_a_holiday_in_the_middle_moves_the_finish_by_a_day() -> None:
    off = WorkingCalendar(time_off=(TimeOff(date(2026, 11, 4), date(2026, 11, 4), "dentist"),))
    assert forecast_project(_portfolio(calendar=off), "p", OPTIONS).whole.p50 == date(2026, 11, 16)
    holidays = WorkingCalendar(country="GB", subdivision="ENG")
    christmas = replace(OPTIONS, today=date(2026, 12, 21))
    portfolio = _portfolio(calendar=holidays)
    portfolio = replace(
        portfolio, projects=(replace(portfolio.projects[0], start=date(2026, 12, 21)),)
    )
    # 21–24 Dec work (4 days), 25 and 28 Dec are bank holidays, then 29, 30, 31 Dec, 1 Jan
    # is a holiday, then 4–6 Jan.
    assert forecast_project(portfolio, "p", christmas).whole.p50 == date(2027, 1, 6)


def test_on_time_odds_and_cut_line_follow_the_due_date() -> None:
    late = forecast_project(_portfolio(due=date(2026, 11, 12)), "p", OPTIONS)
    odds = {c.id: c.on_time for c in late.commitments}
    assert odds == {"all": 0.0, "first": 1.0}
    assert late.cut_lines == {"all": ["one"], "first": ["one"]}
    on_time = forecast_project(_portfolio(due=date(2026, 11, 13)), "p", OPTIONS)
    assert {c.id: c.on_time for c in on_time.commitments} == {"all": 1.0, "first": 1.0}
    assert on_time.cut_lines["all"] == ["one", "two"]


def test_uncertain_estimates_spread_the_dates_and_seed_fixes_them() -> None:
    portfolio = _portfolio()
    project = portfolio.projects[0]
    wide = tuple(replace(i, estimate=Estimate(1, 2, 6)) for i in project.items)
    portfolio = replace(portfolio, projects=(replace(project, items=wide),))
    first = forecast_project(portfolio, "p", OPTIONS)
    assert first.whole.p50 < first.whole.p85 <= first.whole.p95
    assert forecast_project(portfolio, "p", OPTIONS) == first


def test_throughput_mode_from_history_of_one_item_a_day() -> None:
    portfolio = _portfolio()
    project = portfolio.projects[0]
    unestimated = tuple(replace(i, estimate=None) for i in project.items)
    history = tuple(
        CompletedItem(f"h{n}", day)
        for n, day in enumerate(
            MONDAY - timedelta(d) for d in range(1, 120) if (MONDAY - timedelta(d)).weekday() < 5
        )
    )
    portfolio = replace(portfolio, projects=(replace(project, items=unestimated, history=history),))
    plain = forecast_project(portfolio, "p", replace(OPTIONS, recalibrate=False))
    assert plain.mode == "throughput"
    # One item every working day: five items are done on Friday 6 November, phase one on Tuesday.
    assert plain.whole.p95 == date(2026, 11, 6)
    assert [ph.p50 for ph in plain.phases] == [date(2026, 11, 3), date(2026, 11, 6)]
    # The product's model reads resampling at the levels its record says cover; a team that
    # always did one a day was always forecast right, so it reads them as they are.
    recalibrated = forecast_project(portfolio, "p", OPTIONS)
    assert recalibrated.whole == plain.whole


def test_a_project_nobody_works_on_cannot_be_forecast() -> None:
    portfolio = replace(_portfolio(), allocations=())
    with pytest.raises(CannotForecast, match="nobody is allocated to project 'p'"):
        forecast_project(portfolio, "p", OPTIONS)


def test_a_skill_nobody_allocated_has_is_named() -> None:
    portfolio = _portfolio()
    project = portfolio.projects[0]
    designed = (replace(project.items[0], skill="design"), *project.items[1:])
    portfolio = replace(portfolio, projects=(replace(project, items=designed),))
    with pytest.raises(CannotForecast, match="has skill 'design', needed by i0"):
        forecast_project(portfolio, "p", OPTIONS)


def test_how_many_items_by_a_date() -> None:
    # Two-day items, one person from Monday 2 November: one done by Wednesday (Tuesday
    # evening), two by Thursday evening.
    options = replace(OPTIONS, by=date(2026, 11, 5))
    items_by = forecast_project(_portfolio(), "p", options).items_by
    assert items_by is not None
    assert (items_by.remaining, items_by.p50, items_by.at_confidence) == (5, 2, 2)
    wednesday = forecast_project(_portfolio(), "p", replace(OPTIONS, by=date(2026, 11, 4)))
    assert wednesday.items_by is not None
    assert wednesday.items_by.p50 == 1
    assert forecast_project(_portfolio(), "p", OPTIONS).items_by is None


def test_throughput_counts_items_one_by_one() -> None:
    portfolio = _portfolio()
    project = portfolio.projects[0]
    unestimated = tuple(replace(i, estimate=None) for i in project.items)
    history = tuple(
        CompletedItem(f"h{n}", MONDAY - timedelta(d))
        for n, d in enumerate(range(1, 120))
        if (MONDAY - timedelta(d)).weekday() < 5
    )
    portfolio = replace(portfolio, projects=(replace(project, items=unestimated, history=history),))
    options = replace(OPTIONS, recalibrate=False, by=date(2026, 11, 4))
    items_by = forecast_project(portfolio, "p", options).items_by
    assert items_by is not None
    assert (items_by.p50, items_by.at_confidence) == (3, 3)  # Monday, Tuesday, Wednesday


def test_scope_already_done_is_dated_by_its_last_done_item() -> None:
    portfolio = _portfolio(due=date(2026, 11, 20))
    project = portfolio.projects[0]
    first_done = tuple(
        replace(i, status=ItemStatus.DONE, started=date(2026, 11, 2), done=date(2026, 11, 3 + n))
        if i.phase == "one"
        else i
        for n, i in enumerate(project.items)
    )
    portfolio = replace(portfolio, projects=(replace(project, items=first_done),))
    late = replace(OPTIONS, today=date(2026, 12, 1))
    forecast = forecast_project(portfolio, "p", late)
    [one, _] = forecast.phases
    assert (one.items, one.p50, one.p95) == (0, date(2026, 11, 4), date(2026, 11, 4))
    odds = {c.id: c.on_time for c in forecast.commitments}
    assert odds["first"] == 1.0  # done on 4 November, due 20 November
    assert odds["all"] == 0.0  # phase two cannot be done before 1 December
