"""The curves a forecast draws: the whole project's finish by week, and the burn-up fan."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date, timedelta

import pytest

from keepword.domain.forecast import ForecastOptions, ProjectForecast
from keepword.domain.people import Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Estimate, ItemStatus
from keepword.services.forecasting import forecast_project
from tests import factories as f

AS_OF = date(2026, 11, 23)
CURVES = ForecastOptions(today=AS_OF, trials=2000, seed=11, curves=True)


@pytest.fixture(scope="module")
def pitchwell(demo_portfolio: Portfolio) -> ProjectForecast:
    """The demo project with items already done, so the fan starts above zero."""
    return forecast_project(demo_portfolio, "pitchwell-app", CURVES)


def test_the_fan_is_ordered_p95_below_p85_below_p50_at_every_date(
    pitchwell: ProjectForecast,
) -> None:
    assert pitchwell.burn_up
    assert all(p.p95 <= p.p85 <= p.p50 for p in pitchwell.burn_up)


def test_the_fan_never_falls(pitchwell: ProjectForecast) -> None:
    for level in ("p50", "p85", "p95"):
        counts = [getattr(p, level) for p in pitchwell.burn_up]
        assert counts == sorted(counts)


def test_the_fan_runs_weekly_from_the_start_to_the_p95_finish(
    pitchwell: ProjectForecast, demo_portfolio: Portfolio
) -> None:
    dates = [p.date for p in pitchwell.burn_up]
    assert dates[0] == pitchwell.start == AS_OF
    assert dates[-1] == pitchwell.whole.p95
    weekly = {AS_OF + timedelta(7 * n) for n in range((dates[-1] - AS_OF).days // 7 + 1)}
    assert weekly <= set(dates)


def test_the_fan_starts_from_the_items_already_done_and_reaches_the_total(
    pitchwell: ProjectForecast, demo_portfolio: Portfolio
) -> None:
    project = demo_portfolio.project("pitchwell-app")
    total = len(project.items)
    done = total - len(project.remaining_items())
    assert done > 0
    first, last = pitchwell.burn_up[0], pitchwell.burn_up[-1]
    assert min(first.p50, first.p85, first.p95) >= done
    assert (last.p50, last.p85, last.p95) == (total, total, total)


def test_each_level_reaches_the_total_on_its_own_finish_date(pitchwell: ProjectForecast) -> None:
    total = pitchwell.burn_up[-1].p50
    for level in ("p50", "p85", "p95"):
        reached = min(p.date for p in pitchwell.burn_up if getattr(p, level) == total)
        assert reached == getattr(pitchwell.whole, level)


def test_finish_shares_sum_to_one_over_consecutive_weeks(pitchwell: ProjectForecast) -> None:
    weeks = pitchwell.finish_distribution
    assert sum(w.share for w in weeks) == pytest.approx(1.0)
    assert all(w.week.weekday() == 0 for w in weeks)
    assert [b.week - a.week for a, b in itertools.pairwise(weeks)] == [timedelta(7)] * (
        len(weeks) - 1
    )
    assert weeks[0].share > 0
    assert weeks[-1].share > 0


def test_the_finish_weeks_hold_the_percentile_dates(pitchwell: ProjectForecast) -> None:
    weeks = pitchwell.finish_distribution
    assert (
        weeks[0].week <= pitchwell.whole.p50 <= pitchwell.whole.p95 < weeks[-1].week + timedelta(7)
    )
    # Half the trials at most finish in the weeks before the P50's week.
    before_median = sum(w.share for w in weeks if w.week + timedelta(7) <= pitchwell.whole.p50)
    assert before_median < 0.5


def test_without_curves_the_forecast_is_the_same_and_has_none(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast
) -> None:
    plain = forecast_project(demo_portfolio, "pitchwell-app", replace(CURVES, curves=False))
    assert plain.finish_distribution == ()
    assert plain.burn_up == ()
    assert replace(pitchwell, finish_distribution=(), burn_up=()) == plain


def test_curves_are_reproducible_with_a_seed(
    demo_portfolio: Portfolio, pitchwell: ProjectForecast
) -> None:
    assert forecast_project(demo_portfolio, "pitchwell-app", CURVES) == pitchwell


def test_a_finished_project_finishes_in_one_known_week() -> None:
    person = Person("ana", "Ana Reyes", ("backend",))
    done = tuple(
        f.item(
            name,
            estimate=Estimate(1, 1, 1),
            status=ItemStatus.DONE,
            started=date(2026, 11, 2),
            done=date(2026, 11, day),
        )
        for name, day in (("a", 3), ("b", 5))
    )
    portfolio = f.portfolio(
        people=(person,),
        projects=(f.project("p", items=done),),
        allocations=(f.allocation("ana", "p"),),
        commitments=(),
    )
    forecast = forecast_project(portfolio, "p", replace(CURVES, today=date(2026, 11, 20)))
    assert [(w.week, w.share) for w in forecast.finish_distribution] == [(date(2026, 11, 2), 1.0)]
    assert [(p.p50, p.p85, p.p95) for p in forecast.burn_up] == [(2, 2, 2)]


def test_one_person_on_equal_items_burns_up_on_known_days() -> None:
    # Five two-day items, one person full time from Monday 2 November: one item every two
    # working days, all five on Friday 13 November in every trial.
    monday = date(2026, 11, 2)
    person = Person("ana", "Ana Reyes", ("backend",))
    items = tuple(f.item(f"i{n}", estimate=Estimate(2, 2, 2)) for n in range(5))
    portfolio = f.portfolio(
        people=(person,),
        projects=(f.project("p", start=monday, items=items),),
        allocations=(f.allocation("ana", "p", fraction=1.0, start=monday, end=date(2027, 6, 30)),),
        commitments=(),
    )
    forecast = forecast_project(portfolio, "p", replace(CURVES, today=monday))
    assert [(p.date, p.p50, p.p95) for p in forecast.burn_up] == [
        (monday, 0, 0),
        (date(2026, 11, 9), 3, 3),  # Tuesday, Thursday and Monday evenings
        (date(2026, 11, 13), 5, 5),
    ]
    assert [(w.week, w.share) for w in forecast.finish_distribution] == [(date(2026, 11, 9), 1.0)]
