"""Throughput mode: when will N items be done, and how many by day D, from daily history.

**The resampling model.** A team's future working days are drawn independently, with
replacement, from the daily completion counts of a recent window (zero days included).
Because counts never go down, "finished by day t" is "the sum of t sampled days reaches
N", so the exact distribution of the finish day is the sum's distribution truncated at
N, carried forward one convolution per day (:func:`finish_exact`). Percentiles are
nearest rank on that exact CDF: the smallest day whose CDF is at least the level.

**Capacity different from the window's.** A future day with capacity ratio r (team
capacity that day ÷ mean capacity during the window) is scaled by binomial thinning:
each item of a sampled day survives with probability r. For r > 1 the day is the sum of
⌊r⌋ independent sampled days plus one more thinned by r − ⌊r⌋, so its mean is r times
the window's and its shape stays that of real days (:func:`scaled_pmf`). Both are exact
on the pmf. A ratio array covers future days 1, 2, …; after its end the last ratio holds,
since an allocation change usually persists.

**The recalibrated model** (what forecasts use: :func:`recalibrated_simulate_finish`).
Plain resampling, read at the levels its own record says cover what they claim. At past
points before the origin (:func:`chosen_past_points`) the forecast resampling made then is
compared with how long the next items really took: the outcome d (a whole day) counts as
covered by a reading at level u exactly when F(d − 1) < u, F the forecast of that point.
So the share of past outcomes covered at level u is

    H(u) = share · u + (1 − share) · Σ wᵢ [Fᵢ(dᵢ − 1) < u],

a record weighted by recency (half-life ``HALF_LIFE_DAYS``) blended with the uniform, i.e.
with "resampling is right", weighted ``PRIOR_WEIGHT`` against the record's evidence
(Kish's effective size × stride ÷ mean span, because overlapping spans share days). The
forecast's q-level is read at G(q), the smallest u with H(u) ≥ q: probabilistic
recalibration (Gneiting, Balabdaoui & Raftery 2007) by the project's own PITs, with the
lower PIT because it is exactly the event coverage scores. With no record G(q) = q; with a
record that was too optimistic G moves the readings later, and with one too pessimistic,
earlier. :func:`recalibrated_finish` is the same model computed exactly for one threshold,
which the backtest scores.

The calibrated model the backtest compares against (resampling divided by a learned rate
multiplier) is in :mod:`keepword.forecast.rate_multiplier`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from keepword.forecast.percentiles import STANDARD_LEVELS, Spread

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_DAYS = 200_000
# Tolerance on "CDF ≥ level": the CDF is a sum of products and may fall a few ulps short.
_CDF_TOLERANCE = 1e-12
# recalibrated_finish computes the exact CDF out to this level; a reading beyond it (a
# recalibrated level above 1 − 1e-6) falls on the last day computed.
_TAIL = 1.0 - 1e-6
# Past points' resampling forecasts are summarised by their centre; 99.9 % of the mass will do.
_TAIL_PAST = 0.999

# Not fitted to any history: "resampling is right" weighs as much as three independent
# past points, enough to keep a young project's forecast sane and little enough for a
# year of its own record to dominate.
PRIOR_WEIGHT = 3.0
# A past point counts once its expected span fits this many times before the origin.
HORIZON_SPANS = 3.0
# Weight of a past point halves with each year (in working days) of age.
HALF_LIFE_DAYS = 260.0
# Points older than this many half-lives weigh under 1/16 of the newest: left out.
MEMORY_HALF_LIVES = 4.0


# --- daily distributions ------------------------------------------------------------


def daily_counts(daily: npt.ArrayLike) -> IntArray:
    """Items done per day as int64; refuses an empty, fractional or negative series."""
    array = np.asarray(daily)
    if array.ndim != 1 or array.size == 0:
        raise ValueError("daily throughput must be a non-empty 1-D array")
    whole_numbers = np.issubdtype(array.dtype, np.integer) or np.all(np.mod(array, 1) == 0)
    if not whole_numbers:
        raise ValueError("daily throughput must be whole numbers of items")
    result = array.astype(np.int64)
    if result.min() < 0:
        raise ValueError("daily throughput cannot be negative")
    return result


def daily_pmf(daily: npt.ArrayLike) -> FloatArray:
    """Share of the window's days with 0, 1, 2, … items done."""
    counts = daily_counts(daily)
    pmf: FloatArray = np.bincount(counts).astype(np.float64) / counts.size
    return pmf


def _thin(pmf: FloatArray, keep: float) -> FloatArray:
    # Mixture of binomials: a day with k items keeps j with probability C(k,j) r^j (1-r)^(k-j).
    # Built row by row (row k = row k-1 convolved with [1-r, r]) to stay exact in floats.
    size = pmf.size
    rows = np.zeros((size, size))
    rows[0, 0] = 1.0
    for k in range(1, size):
        rows[k, :] = rows[k - 1, :] * (1.0 - keep)
        rows[k, 1:] += rows[k - 1, :-1] * keep
    thinned: FloatArray = pmf @ rows
    return thinned


def scaled_pmf(pmf: npt.ArrayLike, ratio: float) -> FloatArray:
    """A day's pmf at ``ratio`` times the window's capacity (thinning; ⌊r⌋ copies above 1)."""
    base = np.asarray(pmf, dtype=np.float64)
    if ratio < 0 or not math.isfinite(ratio):
        raise ValueError(f"capacity ratio must be finite and ≥ 0, got {ratio}")
    whole = math.floor(ratio)
    fraction = ratio - whole
    result: FloatArray = np.ones(1)
    for _ in range(whole):
        result = np.convolve(result, base)
    if fraction > 0:
        result = np.convolve(result, _thin(base, fraction))
    return result


def _ratio_runs(ratios: npt.ArrayLike | None, days: int) -> list[tuple[float, int]]:
    """(ratio, number of days) runs covering days 1..days; the last ratio holds after the array."""
    if ratios is None:
        return [(1.0, days)]
    array = np.asarray(ratios, dtype=np.float64).ravel()
    if array.size == 0:
        return [(1.0, days)]
    runs: list[tuple[float, int]] = []
    for value in array[:days]:
        if runs and runs[-1][0] == value:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((float(value), 1))
    if days > array.size:
        last = float(array[-1])
        if runs[-1][0] == last:
            runs[-1] = (last, runs[-1][1] + days - array.size)
        else:
            runs.append((last, days - array.size))
    return runs


def _check_ratios(ratios: npt.ArrayLike | None) -> FloatArray | None:
    if ratios is None:
        return None
    array = np.asarray(ratios, dtype=np.float64).ravel()
    if array.size == 0:
        return None
    if not np.all(np.isfinite(array)) or array.min() < 0:
        raise ValueError("capacity ratios must be finite and ≥ 0")
    if array[-1] == 0:
        raise ValueError("the last capacity ratio holds forever, so it must be above 0")
    return array


# --- exact: when ---------------------------------------------------------------------


@dataclass(frozen=True)
class FinishDistribution:
    """Exact distribution of the finish day (1 = first future day) per project and phase.

    ``cdf[p, j, t]`` is the probability that project p has finished phase j by day t + 1;
    it is computed until every CDF reaches the highest level asked for.
    """

    cdf: FloatArray
    levels: tuple[float, ...]
    days: IntArray  # days[p, j, i]: the finish day at levels[i]

    def percentile(self, level: float) -> IntArray:
        """Smallest day with CDF ≥ ``level``, per project and phase (shape (projects, phases))."""
        reached = self.cdf >= level - _CDF_TOLERANCE
        if not np.all(reached[..., -1]):
            raise ValueError(f"level {level} is beyond the days computed")
        day: IntArray = np.argmax(reached, axis=-1).astype(np.int64) + 1
        return day

    def spread(self, project: int = 0, phase: int = 0) -> Spread:
        """P50/P85/P95 finish day of one project and phase."""
        return Spread(*(float(self.percentile(q)[project, phase]) for q in STANDARD_LEVELS))


def _pmf_matrix(histories: Sequence[npt.ArrayLike]) -> FloatArray:
    pmfs = [daily_pmf(h) for h in histories]
    width = max(p.size for p in pmfs)
    matrix = np.zeros((len(pmfs), width))
    for row, pmf in zip(matrix, pmfs, strict=True):
        row[: pmf.size] = pmf
    return matrix


def _scaled_matrix(pmfs: FloatArray, ratio: float) -> FloatArray:
    if ratio == 1.0:
        return pmfs
    rows = [scaled_pmf(p, ratio) for p in pmfs]
    width = max(r.size for r in rows)
    out = np.zeros((pmfs.shape[0], width))
    for target, row in zip(out, rows, strict=True):
        target[: row.size] = row
    return out


def finish_exact_pmfs(
    pmfs: FloatArray,
    thresholds: npt.ArrayLike,
    ratios: npt.ArrayLike | None = None,
    levels: tuple[float, ...] = STANDARD_LEVELS,
    max_days: int = MAX_DAYS,
) -> FinishDistribution:
    """Exact finish-day distribution for daily pmfs (projects × counts) and cumulative thresholds.

    ``thresholds`` is (projects × phases): phase j of project p is done on the first day the
    cumulative count reaches ``thresholds[p, j]``. Everything comes from one pass over days.
    """
    pmfs = np.atleast_2d(np.asarray(pmfs, dtype=np.float64))
    projects = pmfs.shape[0]
    targets = np.asarray(thresholds, dtype=np.int64)
    if targets.ndim < 2:  # a scalar, or one threshold per project
        targets = targets.reshape(-1, 1)
    targets = np.broadcast_to(targets, (projects, targets.shape[1]))
    if targets.min() < 1:
        raise ValueError("items remaining must be at least 1")
    if np.any(pmfs[:, 0] >= 1.0):
        raise ValueError("a history with no items done cannot finish anything")
    ratio_array = _check_ratios(ratios)
    top = max(levels)
    horizon = int(targets.max())
    # state[p, c] = P(cumulative count is c < horizon): the count has not reached the horizon.
    state = np.zeros((projects, horizon))
    state[:, 0] = 1.0
    index = targets - 1
    cache: dict[float, FloatArray] = {1.0: pmfs}
    step = pmfs
    survival_by_day: list[FloatArray] = []
    stop = 1.0 - top + _CDF_TOLERANCE
    single = projects == 1 and targets.shape[1] == 1
    same_end = targets.shape[1] == 1 and bool(np.all(targets == horizon))
    line = state[0]
    day = 0
    while True:
        if ratio_array is not None:
            ratio = float(ratio_array[min(day, ratio_array.size - 1)])
            if ratio not in cache:
                cache[ratio] = _scaled_matrix(pmfs, ratio)
            step = cache[ratio]
        day += 1
        if single:
            # One project, one threshold (the common question): 1-D and a plain sum is faster.
            line = np.convolve(line, step[0])[:horizon]
            left = float(line.sum())
            survival_by_day.append(np.array([[left]]))
            if left <= stop:
                break
        else:
            new = state * step[:, :1]
            for k in range(1, min(step.shape[1], horizon)):
                new[:, k:] += state[:, : horizon - k] * step[:, k : k + 1]
            state = new
            if same_end:  # one threshold, the same for all: survival is the whole mass
                survival = state.sum(axis=1, keepdims=True)
            else:  # P(count < threshold) for every phase at once from one cumulative sum
                survival = np.take_along_axis(np.cumsum(state, axis=1), index, axis=1)
            survival_by_day.append(survival)
            if survival.max() <= stop:
                break
        if day >= max_days:
            raise ValueError(f"the finish is beyond {max_days} days at the {top:.0%} level")
    cdf = 1.0 - np.stack(survival_by_day, axis=-1)
    reached = cdf[..., np.newaxis, :] >= np.asarray(levels)[:, np.newaxis] - _CDF_TOLERANCE
    days = np.argmax(reached, axis=-1).astype(np.int64) + 1
    return FinishDistribution(cdf=cdf, levels=levels, days=days)


def finish_exact(
    daily: npt.ArrayLike,
    remaining: int,
    ratios: npt.ArrayLike | None = None,
    levels: tuple[float, ...] = STANDARD_LEVELS,
) -> FinishDistribution:
    """Exact finish-day distribution of one project with ``remaining`` items."""
    return finish_exact_pmfs(daily_pmf(daily)[np.newaxis, :], [[remaining]], ratios, levels)


def finish_exact_many(
    histories: Sequence[npt.ArrayLike],
    remaining: int | npt.ArrayLike,
    ratios: npt.ArrayLike | None = None,
    levels: tuple[float, ...] = STANDARD_LEVELS,
) -> FinishDistribution:
    """Exact finish-day distributions of many projects at once (one history each)."""
    targets = np.broadcast_to(np.asarray(remaining, dtype=np.int64), (len(histories),))
    return finish_exact_pmfs(_pmf_matrix(histories), targets[:, np.newaxis], ratios, levels)


def phases_exact(
    daily: npt.ArrayLike,
    phase_items: Sequence[int],
    ratios: npt.ArrayLike | None = None,
    levels: tuple[float, ...] = STANDARD_LEVELS,
) -> FinishDistribution:
    """Exact finish-day distribution of each phase, phases worked in order (one pass)."""
    if len(phase_items) == 0 or min(phase_items) < 0:
        raise ValueError("phases need a non-negative number of items each")
    thresholds = np.maximum(np.cumsum(np.asarray(phase_items, dtype=np.int64)), 1)
    return finish_exact_pmfs(
        daily_pmf(daily)[np.newaxis, :], thresholds[np.newaxis, :], ratios, levels
    )


# --- exact: how many by day D ---------------------------------------------------------


@dataclass(frozen=True)
class CountDistribution:
    """Exact distribution of the number of items done by the end of day D."""

    pmf: FloatArray  # pmf[n] = P(exactly n items done)

    @property
    def mean(self) -> float:
        """Expected number of items done."""
        return float(np.arange(self.pmf.size) @ self.pmf)

    def at_least(self, confidence: float) -> int:
        """The most items done with probability at least ``confidence``."""
        at_least_n = np.cumsum(self.pmf[::-1])[::-1]  # P(count ≥ n)
        ok = np.flatnonzero(at_least_n >= confidence - _CDF_TOLERANCE)
        return int(ok[-1]) if ok.size else 0

    def percentile(self, level: float) -> int:
        """Nearest-rank percentile of the count: smallest n with P(count ≤ n) ≥ level."""
        return int(np.argmax(np.cumsum(self.pmf) >= level - _CDF_TOLERANCE))


def count_exact(
    daily: npt.ArrayLike, days: int, ratios: npt.ArrayLike | None = None
) -> CountDistribution:
    """Exact distribution of the count after ``days`` future days."""
    if days < 0:
        raise ValueError("days must be ≥ 0")
    base = daily_pmf(daily)
    _check_ratios(ratios)
    if days == 0:
        return CountDistribution(np.ones(1))
    runs = [(scaled_pmf(base, r), n) for r, n in _ratio_runs(ratios, days)]
    length = sum((p.size - 1) * n for p, n in runs) + 1
    # One product of transforms: the count is a sum of independent days (convolution power).
    size = 1 << max(1, int(length - 1).bit_length())
    spectrum = np.ones(size // 2 + 1, dtype=np.complex128)
    for pmf, n in runs:
        spectrum *= np.fft.rfft(pmf, size) ** n
    pmf_out = np.clip(np.fft.irfft(spectrum, size)[:length], 0.0, None)
    return CountDistribution(pmf_out / pmf_out.sum())


# --- Monte Carlo ------------------------------------------------------------------------


def _sample_days(
    counts: IntArray,
    ratio_array: FloatArray | None,
    first_day: int,
    shape: tuple[int, int],
    rng: np.random.Generator,
) -> IntArray:
    """Sampled counts for ``shape`` = (trials, days) starting at future day ``first_day``."""
    days = shape[1]
    sampled = counts[rng.integers(0, counts.size, shape)]
    if ratio_array is None:
        return sampled
    day_index = np.minimum(np.arange(first_day, first_day + days), ratio_array.size - 1)
    ratio = ratio_array[day_index]
    whole = np.floor(ratio).astype(np.int64)
    fraction = ratio - whole
    total = np.zeros(shape, dtype=np.int64)
    for copy in range(int(whole.max()) if whole.size else 0):
        extra = sampled if copy == 0 else counts[rng.integers(0, counts.size, shape)]
        total += np.where(whole > copy, extra, 0)
    last = counts[rng.integers(0, counts.size, shape)] if whole.max() > 0 else sampled
    total += rng.binomial(last, fraction)
    return total


def simulate_finish(
    daily: npt.ArrayLike,
    thresholds: int | Sequence[int],
    trials: int,
    rng: np.random.Generator,
    ratios: npt.ArrayLike | None = None,
    max_days: int = MAX_DAYS,
) -> IntArray:
    """Per-trial finish day (1 = first future day) of each cumulative threshold.

    Returns an array of shape (trials, thresholds).
    """
    counts = daily_counts(daily)
    if counts.max() == 0:
        raise ValueError("a history with no items done cannot finish anything")
    targets = np.atleast_1d(np.asarray(thresholds, dtype=np.int64))
    if targets.min() < 1:
        raise ValueError("items remaining must be at least 1")
    ratio_array = _check_ratios(ratios)
    finish = np.zeros((trials, targets.size), dtype=np.int64)
    total = np.zeros(trials, dtype=np.int64)
    open_trials = np.arange(trials)
    # Blocks of about the expected days to the last threshold, so most trials end in one.
    block = int(min(max(16, 1.3 * targets.max() / max(counts.mean(), 1e-9)), 4096))
    start = 0
    while open_trials.size:
        sampled = _sample_days(counts, ratio_array, start, (open_trials.size, block), rng)
        running = total[open_trials, np.newaxis] + np.cumsum(sampled, axis=1)
        for j, target in enumerate(targets):
            todo = finish[open_trials, j] == 0
            below = np.count_nonzero(running < target, axis=1)
            hit = todo & (below < block)
            finish[open_trials[hit], j] = start + below[hit] + 1
        total[open_trials] = running[:, -1]
        open_trials = open_trials[finish[open_trials, -1] == 0]
        start += block
        if start >= max_days and open_trials.size:
            raise ValueError(f"some trials are not finished after {max_days} days")
    # Thresholds are cumulative and counts only grow, so the first hit per column is final.
    return finish


def simulate_count(
    daily: npt.ArrayLike,
    days: int,
    trials: int,
    rng: np.random.Generator,
    ratios: npt.ArrayLike | None = None,
) -> IntArray:
    """Per-trial number of items done after ``days`` future days."""
    counts = daily_counts(daily)
    if days <= 0:
        return np.zeros(trials, dtype=np.int64)
    sampled = _sample_days(counts, _check_ratios(ratios), 0, (trials, days), rng)
    result: IntArray = sampled.sum(axis=1)
    return result


# --- the recalibrated model: resampling read at the levels its own record says cover ------

_PIT_GRID = np.linspace(0.0, 1.0, 4001)  # finer than a 4,000-trial forecast's ranks


class PitRecord(NamedTuple):
    """Where past outcomes fell in the forecasts made then."""

    lower: FloatArray  # F(d − 1): what the forecast gave to finishing before the real day d
    spans: FloatArray  # real spans in days (a bound if unfinished at the origin)
    ages: FloatArray  # days before the origin


def chosen_past_points(
    counts: IntArray, window: int, remaining: int, stride: int, min_window_items: int = 1
) -> tuple[IntArray, FloatArray]:
    """Past points every ``stride`` days before the end, oldest first, and their real spans.

    A point counts when its window holds ``min_window_items`` items and its expected span
    fits ``HORIZON_SPANS`` times before the end; a counted point still unfinished at the end
    gets its bound (span ≥ its age). Points fall on the origin's phase, counted back from it.
    """
    cumulative = np.concatenate([[0], np.cumsum(counts)])
    end = counts.size
    first = max(window, end - int(MEMORY_HALF_LIVES * HALF_LIFE_DAYS))
    points = np.arange(end - stride, first - 1, -stride)[::-1]
    if points.size == 0:
        return points.astype(np.int64), np.zeros(0)
    in_window = cumulative[points] - cumulative[points - window]
    # Keeping only the points whose items are all done would keep the fast ones near the
    # origin and drop the slow: a bias toward optimism. So a point is chosen by what was
    # known at it, and a chosen point still unfinished at the origin counts at its bound.
    expected = remaining / np.maximum(in_window / window, 1e-12)
    chosen = (in_window >= min_window_items) & (points + HORIZON_SPANS * expected <= end)
    points = points[chosen]
    goal = cumulative[points] + remaining
    # First day d with cumulative[point + d] ≥ goal, i.e. the realised finish day.
    reach = np.minimum(np.searchsorted(cumulative, goal, side="left"), end + 1)
    return points.astype(np.int64), (reach - points).astype(np.float64)


def past_finish_cdfs(counts: IntArray, points: IntArray, window: int, remaining: int) -> FloatArray:
    """Finish-day CDF of ``remaining`` items that resampling said at each point (one row each).

    Each point's trailing ``window`` days are resampled, all points in one exact pass; row
    i, column t is the probability of finishing by day t + 1, out to 99.9 % of the mass.
    """
    windows = np.lib.stride_tricks.sliding_window_view(counts, window)[points - window]
    said = finish_exact_pmfs(_pmf_matrix(list(windows)), remaining, levels=(_TAIL_PAST,))
    cdf: FloatArray = said.cdf[:, 0, :]
    return cdf


def plain_pit_record(
    series: npt.ArrayLike, window: int, remaining: int, stride: int, min_window_items: int = 1
) -> PitRecord:
    """Lower PITs of plain resampling's forecasts at the past points (exact CDFs, one pass)."""
    counts = daily_counts(series)
    points, spans = chosen_past_points(counts, window, remaining, stride, min_window_items)
    if points.size == 0:
        empty = np.zeros(0)
        return PitRecord(empty, empty, empty)
    said = past_finish_cdfs(counts, points, window, remaining)
    cdf = np.concatenate([np.zeros((points.size, 1)), said], axis=1)
    before = np.clip(spans.astype(np.int64) - 1, 0, cdf.shape[1] - 1)
    lower: FloatArray = cdf[np.arange(points.size), before]
    return PitRecord(lower, spans, (counts.size - points).astype(np.float64))


def coverage_levels(
    record: PitRecord, levels: npt.ArrayLike, stride: int, half_life: float = HALF_LIFE_DAYS
) -> tuple[FloatArray, float]:
    """G(q) for each level q: where to read the forecast so it covers q; and the prior's share."""
    mixture = _PIT_GRID.copy()
    share = 1.0
    if record.lower.size:
        raw = 0.5 ** (record.ages / half_life)
        weights = raw / raw.sum()
        evidence = float(raw.sum() ** 2 / (raw**2).sum()) * min(
            1.0, stride / float(record.spans.mean())
        )
        share = PRIOR_WEIGHT / (PRIOR_WEIGHT + evidence)
        covered = record.lower[:, np.newaxis] < _PIT_GRID - _CDF_TOLERANCE
        mixture = share * mixture + (1.0 - share) * (weights @ covered)
    wanted = np.asarray(levels, dtype=np.float64)
    index = np.searchsorted(mixture, wanted - _CDF_TOLERANCE, side="left")
    mapped: FloatArray = _PIT_GRID[np.minimum(index, _PIT_GRID.size - 1)]
    return mapped, share


def recalibrated_finish(
    series: npt.ArrayLike,
    remaining: int,
    window: int,
    stride: int = 10,
    min_window_items: int = 1,
    levels: tuple[float, ...] = STANDARD_LEVELS,
) -> Spread:
    """P50/P85/P95 finish day of ``remaining`` items under the recalibrated model (exact).

    ``series`` is the daily record before the origin, oldest first; its last ``window``
    days are resampled and the earlier record says at which levels to read the forecast.
    """
    counts = daily_counts(series)
    recent = counts[-window:]
    if recent.sum() == 0:
        raise ValueError("no items done in the window")
    exact = finish_exact_pmfs(daily_pmf(recent)[np.newaxis, :], [[remaining]], levels=(_TAIL,))
    cdf = exact.cdf[0, 0]
    record = plain_pit_record(counts, window, remaining, stride, min_window_items)
    mapped, _ = coverage_levels(record, levels, stride)
    days = [np.flatnonzero(cdf >= q - _CDF_TOLERANCE) for q in mapped]
    p50, p85, p95 = (float(d[0] + 1) if d.size else float(cdf.size) for d in days)
    return Spread(p50, p85, p95)


def recalibrated_simulate_finish(
    series: npt.ArrayLike,
    thresholds: int | Sequence[int],
    trials: int,
    rng: np.random.Generator,
    ratios: npt.ArrayLike | None = None,
    window: int = 60,
    stride: int = 10,
    min_window_items: int = 1,
) -> IntArray:
    """Per-trial finish day of each cumulative threshold under the recalibrated model.

    ``series`` is the project's whole daily record before the origin, oldest first.
    Resampling of its last ``window`` days (with capacity ``ratios``, as
    :func:`simulate_finish`) gives each trial's finishes; each trial's rank u in the last
    threshold's finishes is moved to G(u), and all its phases are stretched by the same
    factor, so phases keep their order and the last threshold's q-quantile is the
    resampled one at G(q), as in :func:`recalibrated_finish`. Returns an array of shape
    (trials, thresholds).
    """
    counts = daily_counts(series)
    targets = np.atleast_1d(np.asarray(thresholds, dtype=np.int64))
    if targets.size == 0 or targets.min() < 1:
        raise ValueError("items remaining must be at least 1")
    if np.any(np.diff(targets) < 0):
        raise ValueError("thresholds are cumulative: they must not decrease")
    window = min(window, counts.size)
    recent = counts[-window:]
    if recent.sum() == 0:
        raise ValueError("no items done in the window")
    finish = simulate_finish(recent, [int(t) for t in targets], trials, rng, ratios)
    last = finish[:, -1]
    order = np.argsort(last + rng.random(trials) * 0.5, kind="stable")  # random tie-break
    rank = np.empty(trials)
    rank[order] = (np.arange(trials) + 0.5) / trials
    record = plain_pit_record(counts, window, int(targets[-1]), stride, min_window_items)
    mapped, _ = coverage_levels(record, rank, stride)
    ordered = np.sort(last)
    moved = ordered[np.clip(np.ceil(mapped * trials).astype(np.int64) - 1, 0, trials - 1)]
    stretched = np.ceil(finish * (moved / last)[:, np.newaxis] - 1e-9).astype(np.int64)
    result: IntArray = np.maximum.accumulate(np.maximum(stretched, 1), axis=1)
    return result
