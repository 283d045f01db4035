"""The calibrated model (a learned rate multiplier) that the backtest compares forecasts with."""

from __future__ import annotations

import numpy as np

from keepword.forecast.rate_multiplier import calibrated_finish, rate_drift
from keepword.forecast.throughput import finish_exact


def test_calibrated_forecast_is_reproducible_and_honest_on_a_steady_team() -> None:
    series = np.ones(400, dtype=int)
    first = calibrated_finish(series, 20, 60, 2000, np.random.default_rng(7))
    again = calibrated_finish(series, 20, 60, 2000, np.random.default_rng(7))
    np.testing.assert_array_equal(first.days, again.days)
    # A team that never varied keeps its rate: the median is the straight line.
    assert first.spread.p50 == 20
    assert first.drift.effective_points > 0


def test_calibrated_forecast_without_a_record_leans_on_the_prior() -> None:
    series = np.random.default_rng(8).poisson(1.0, 60)
    result = calibrated_finish(series, 20, 60, 4000, np.random.default_rng(9))
    plain = finish_exact(series, 20).spread()
    assert result.drift.prior_share == 1.0
    assert result.spread.p95 > plain.p95


def test_the_recent_signal_moves_the_forecast_its_way() -> None:
    # Same 12-week window total, but the last 4 weeks fast in one and slow in the other.
    slow_then_fast = np.concatenate([np.full(40, 1), np.full(20, 3)])
    fast_then_slow = slow_then_fast[::-1].copy()
    up = rate_drift(slow_then_fast, 60, 20)
    down = rate_drift(fast_then_slow, 60, 20)
    assert up.signal > 0 > down.signal
    assert up.prior_mean > 0 > down.prior_mean
