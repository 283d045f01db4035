"""Throughput mode: exact distributions, Monte Carlo agreement, thinning, phases, recalibration."""

from __future__ import annotations

import numpy as np
import pytest

from keepword.forecast import throughput
from keepword.forecast.percentiles import nearest_ranks
from keepword.forecast.throughput import (
    count_exact,
    finish_exact,
    finish_exact_many,
    phases_exact,
    scaled_pmf,
    simulate_count,
    simulate_finish,
)

HISTORY = np.array([0, 1, 3, 1, 0, 2, 0, 1])


def _mc_cdf(days: np.ndarray, length: int) -> np.ndarray:
    return np.array([np.mean(days <= t) for t in range(1, length + 1)])


def _assert_within_mc_error(exact_cdf: np.ndarray, mc_days: np.ndarray) -> None:
    mc = _mc_cdf(mc_days, exact_cdf.size)
    error = np.sqrt(exact_cdf * (1 - exact_cdf) / mc_days.size) + 1e-9
    assert np.all(np.abs(mc - exact_cdf) <= 5 * error + 1e-3)


def test_one_item_every_day_finishes_on_day_n() -> None:
    spread = finish_exact(np.ones(30, dtype=int), 17).spread()
    assert (spread.p50, spread.p85, spread.p95) == (17, 17, 17)


def test_geometric_case_is_computed_by_hand() -> None:
    # Half the days finish two items: two items are done on the first such day.
    # P(done by t) = 1 − 0.5^t, so P50 = 1, P85 = 3 (0.875), P95 = 5 (0.969).
    spread = finish_exact([0, 2], 2).spread()
    assert (spread.p50, spread.p85, spread.p95) == (1, 3, 5)


def test_w1_answer_matches_the_benchmark() -> None:
    history = np.random.default_rng(20240601).poisson(1.3, 90)
    spread = finish_exact(history, 200).spread()
    assert (spread.p50, spread.p85, spread.p95) == (150, 162, 169)


def test_many_projects_match_one_at_a_time() -> None:
    rng = np.random.default_rng(3)
    histories = [rng.poisson(lam, 40) for lam in (0.5, 1.0, 2.5)]
    together = finish_exact_many(histories, [5, 12, 30])
    for index, (history, n) in enumerate(zip(histories, [5, 12, 30], strict=True)):
        assert together.spread(index) == finish_exact(history, n).spread()


def test_exact_and_monte_carlo_agree() -> None:
    exact = finish_exact(HISTORY, 15, levels=(0.999,))
    days = simulate_finish(HISTORY, 15, 20_000, np.random.default_rng(1))[:, 0]
    _assert_within_mc_error(exact.cdf[0, 0], days)


def test_thinning_is_a_binomial_mixture() -> None:
    np.testing.assert_allclose(scaled_pmf([0, 0, 1], 0.5), [0.25, 0.5, 0.25])
    np.testing.assert_allclose(scaled_pmf([0.5, 0.5], 2.0), [0.25, 0.5, 0.25])
    # 1.5: one whole sampled day plus one thinned to half: [.5,.5] * [.75,.25].
    np.testing.assert_allclose(scaled_pmf([0.5, 0.5], 1.5), [0.375, 0.5, 0.125])
    np.testing.assert_allclose(scaled_pmf([0.2, 0.8], 0.0), [1.0])


def test_zero_capacity_days_delay_the_finish() -> None:
    spread = finish_exact(np.ones(10, dtype=int), 4, ratios=[0, 0, 1]).spread()
    assert spread.p95 == 6


def test_exact_and_monte_carlo_agree_under_capacity_ratios() -> None:
    ratios = [1.0, 0.5, 0.5, 0.25, 1.7]
    exact = finish_exact(HISTORY, 12, ratios=ratios, levels=(0.999,))
    days = simulate_finish(HISTORY, 12, 20_000, np.random.default_rng(2), ratios=ratios)[:, 0]
    _assert_within_mc_error(exact.cdf[0, 0], days)


def test_phases_finish_in_order_from_one_pass() -> None:
    steady = phases_exact(np.ones(10, dtype=int), [3, 2, 4])
    assert [steady.spread(phase=j).p50 for j in range(3)] == [3, 5, 9]
    exact = phases_exact(HISTORY, [4, 6], levels=(0.999,))
    days = simulate_finish(HISTORY, [4, 10], 20_000, np.random.default_rng(4))
    for j in range(2):
        _assert_within_mc_error(exact.cdf[0, j], days[:, j])


def test_count_by_day_is_exact() -> None:
    np.testing.assert_allclose(count_exact([0, 2], 3).pmf, [1 / 8, 0, 3 / 8, 0, 3 / 8, 0, 1 / 8])
    steady = count_exact(np.ones(5, dtype=int), 6)
    assert steady.at_least(0.99) == 6
    assert steady.mean == pytest.approx(6.0)


def test_count_by_day_agrees_with_monte_carlo() -> None:
    ratios = [1.0, 0.5, 2.0]
    exact = count_exact(HISTORY, 9, ratios=ratios)
    counts = simulate_count(HISTORY, 9, 40_000, np.random.default_rng(5), ratios=ratios)
    assert np.mean(counts) == pytest.approx(exact.mean, abs=0.05)
    assert np.percentile(counts, 15) == pytest.approx(exact.percentile(0.15), abs=1)


def test_a_history_without_items_is_refused() -> None:
    with pytest.raises(ValueError, match="no items"):
        finish_exact([0, 0, 0], 3)


# A record of a year with a rate that moves between quarters-ish stretches.
RECORD = np.random.default_rng(21).poisson(np.repeat([0.8, 1.2, 0.6, 1.0, 1.4, 0.9], 50))


def test_recalibration_without_a_record_reads_resampling_as_it_is() -> None:
    empty = throughput.PitRecord(np.zeros(0), np.zeros(0), np.zeros(0))
    levels, share = throughput.coverage_levels(empty, [0.5, 0.85, 0.95], stride=10)
    assert levels.tolist() == pytest.approx([0.5, 0.85, 0.95])
    assert share == 1.0


def test_recalibration_reads_later_after_a_record_of_late_finishes() -> None:
    # Twenty past outcomes all later than their forecasts said (F(d − 1) = 0.97).
    late = throughput.PitRecord(np.full(20, 0.97), np.full(20, 10.0), np.arange(20.0) * 10)
    levels, share = throughput.coverage_levels(late, [0.5, 0.85], stride=10)
    assert share < 0.5
    assert levels[0] > 0.9
    assert levels[1] >= levels[0]


def test_recalibrated_model_follows_a_slowdown_in_the_record() -> None:
    # Two items a day for a year, then one a day: resampling of the last 60 days is right
    # about the new rate, and the past errors say nothing about this change.
    steady = np.array([2] * 250 + [1] * 60)
    spread = throughput.recalibrated_finish(steady, 30, 60)
    assert spread.p50 == 30


def test_recalibrated_phases_finish_in_order_and_match_the_exact_answer() -> None:
    days = throughput.recalibrated_simulate_finish(
        RECORD, [5, 20, 40], 20_000, np.random.default_rng(3)
    )
    assert days.shape == (20_000, 3)
    assert (np.diff(days, axis=1) >= 0).all()
    again = throughput.recalibrated_simulate_finish(
        RECORD, [5, 20, 40], 20_000, np.random.default_rng(3)
    )
    assert (days == again).all()
    with pytest.raises(ValueError, match="cumulative"):
        throughput.recalibrated_simulate_finish(RECORD, [20, 5], 100, np.random.default_rng(3))
    exact = throughput.recalibrated_finish(RECORD, 40, 60)
    simulated = nearest_ranks(days[:, -1])
    for ours, theirs in zip(simulated, (exact.p50, exact.p85, exact.p95), strict=True):
        assert abs(ours - theirs) <= max(1.0, 0.05 * theirs)
