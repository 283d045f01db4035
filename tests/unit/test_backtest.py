"""The backtest protocol on synthetic histories built here."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from keepword.forecast.backtest import (
    as_days,
    backtest,
    daily_series,
    forecast_at,
    pinball,
    works_weekends,
)

START = date(2024, 1, 1)  # a Monday


def _one_a_day(days: int) -> list[date]:
    return [START + timedelta(days=i) for i in range(days)]


def test_origins_are_counted_by_the_protocol() -> None:
    # 200 daily items: origins at day 84, 98, …; K items must follow the origin.
    # K=10: origin ≤ day 190 → 84 + 14i ≤ 190 → 8 origins; K=30: ≤ 170 → 7 origins.
    seen: list[tuple[int, int]] = []
    result = backtest(
        _one_a_day(200),
        np.random.default_rng(0),
        model="plain",
        progress=lambda i, n: seen.append((i, n)),
    )
    assert result.score(10).origins == 8
    assert result.score(30).origins == 7
    assert seen[-1] == (9, 9)  # every origin reported, used or not


def test_straight_line_is_the_window_rate_extended() -> None:
    # One item a day: 84 in the window → rate 1/day → the K-th item on origin + K − 1,
    # exactly the actual date, so its pinball loss is zero.
    result = backtest(_one_a_day(200), np.random.default_rng(0), model="plain")
    for forecast in result.forecasts:
        assert forecast.straight_line == forecast.origin + timedelta(days=forecast.k - 1)
        assert forecast.actual == forecast.straight_line
    assert result.score(10).straight_line_pinball_85 == 0.0
    assert result.score(10).coverage_p50 == 1.0


def test_straight_line_rounds_up_a_fractional_rate() -> None:
    # One item every other day: 42 in the window → 0.5/day → K=10 in 20 days.
    done = [START + timedelta(days=2 * i) for i in range(100)]
    result = backtest(done, np.random.default_rng(0), ks=(10,), model="plain")
    first = result.forecasts[0]
    assert first.straight_line == first.origin + timedelta(days=19)


def test_a_changed_future_does_not_change_past_forecasts() -> None:
    rng = np.random.default_rng(11)
    base = [START + timedelta(days=int(d)) for d in np.sort(rng.integers(0, 300, 400))]
    cut = date(2024, 8, 1)
    other = [d for d in base if d < cut] + [cut + timedelta(days=i // 5) for i in range(600)]
    first = backtest(base, np.random.default_rng(1))
    second = backtest(other, np.random.default_rng(1))
    early = [(f.origin, f.k, f.p50, f.p85, f.p95) for f in first.forecasts if f.origin <= cut]
    later = [(f.origin, f.k, f.p50, f.p85, f.p95) for f in second.forecasts if f.origin <= cut]
    assert early
    assert early == later


def test_forecast_at_ignores_items_after_the_origin() -> None:
    days = as_days(_one_a_day(150))
    origin = np.datetime64("2024-04-15")
    before = days[days < origin]
    a = forecast_at(before, origin, 10, np.random.default_rng(3))
    b = forecast_at(before, origin, 10, np.random.default_rng(3))
    assert a == b


def test_weekend_rule_and_five_day_series() -> None:
    weekdays = as_days([START + timedelta(days=i) for i in range(60) if i % 7 < 5])
    assert not works_weekends(weekdays)
    assert works_weekends(as_days(_one_a_day(60)))
    saturday = as_days([date(2024, 1, 5), date(2024, 1, 6), date(2024, 1, 8)])
    series = daily_series(saturday, np.datetime64("2024-01-09"), seven_day_week=False)
    # Friday holds Friday's and Saturday's items; Monday its own.
    assert series.tolist() == [2, 1]


def test_pinball_loss_by_hand() -> None:
    # Late by 10 days costs 0.85·10; early by 10 costs 0.15·10.
    assert pinball([10, 0], [0, 10]) == pytest.approx((8.5 + 1.5) / 2)
