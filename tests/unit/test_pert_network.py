"""Beta-PERT sampling, task networks and nearest-rank percentiles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepword.forecast.network import CyclicNetwork, longest_path, topological_order
from keepword.forecast.percentiles import Spread, nearest_rank, nearest_ranks, probability_by
from keepword.forecast.pert import pert_mean, sample_pert


@pytest.mark.parametrize(("a", "m", "b"), [(1, 2, 6), (2, 2, 5), (1, 4, 4), (3, 7.25, 20)])
def test_pert_samples_follow_the_beta_pert_distribution(a: float, m: float, b: float) -> None:
    ours = sample_pert([a], [m], [b], 400_000, np.random.default_rng(1))[0]
    alpha, beta = 1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a)
    exact = a + (b - a) * np.random.default_rng(2).beta(alpha, beta, 400_000)
    assert abs(ours.mean() - pert_mean(a, m, b)) < 0.005 * (b - a)
    for level in (5, 50, 85, 95):
        assert abs(np.percentile(ours, level) - np.percentile(exact, level)) < 0.01 * (b - a)
    assert a <= ours.min()
    assert ours.max() <= b


def test_pert_with_all_three_points_equal_is_that_value() -> None:
    efforts = sample_pert([2, 5], [2, 5], [2, 5], 100, np.random.default_rng(0))
    assert (efforts == np.array([[2.0], [5.0]])).all()


def test_pert_is_reproducible_with_a_seed() -> None:
    first = sample_pert([1, 2], [2, 3], [4, 9], 1000, np.random.default_rng(42))
    again = sample_pert([1, 2], [2, 3], [4, 9], 1000, np.random.default_rng(42))
    assert (first == again).all()


def test_longest_path_by_hand() -> None:
    #   0 (2) ──► 2 (4) ──► 3 (1)
    #   1 (5) ──────────────┘
    durations = np.array([[2.0], [5.0], [4.0], [1.0]])
    result = longest_path(durations, [[], [], [0], [2, 1]])
    assert result.finish[:, 0].tolist() == [2.0, 5.0, 6.0, 7.0]
    assert result.duration.tolist() == [7.0]


def test_predecessors_listed_after_their_task_still_come_first() -> None:
    assert topological_order([[2], [], []]) == [1, 2, 0]
    durations = np.array([[1.0], [1.0], [3.0]])
    assert longest_path(durations, [[2], [], []]).duration.tolist() == [4.0]


def test_a_cycle_is_refused() -> None:
    with pytest.raises(CyclicNetwork):
        topological_order([[1], [0]])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_longest_path_agrees_with_a_plain_loop(data: st.DataObject) -> None:
    tasks = data.draw(st.integers(1, 12))
    predecessors = [
        data.draw(st.lists(st.integers(0, n - 1), max_size=3, unique=True)) if n else []
        for n in range(tasks)
    ]
    durations = np.random.default_rng(data.draw(st.integers(0, 99))).uniform(0.5, 9, (tasks, 4))
    result = longest_path(durations, predecessors)
    for trial in range(4):
        finish: list[float] = []
        for task in range(tasks):
            ready = max((finish[p] for p in predecessors[task]), default=0.0)
            finish.append(ready + float(durations[task, trial]))
        assert result.finish[:, trial].tolist() == pytest.approx(finish)


def test_nearest_rank_percentiles() -> None:
    values = np.arange(1, 101)
    assert nearest_rank(values, 0.85) == 85
    assert nearest_ranks(values) == [50, 85, 95]
    assert nearest_rank([7, 3], 0.5) == 3
    assert Spread.of([4, 1, 3, 2]) == Spread(2, 4, 4)
    assert probability_by([1, 2, 3, 4], 2) == 0.5
