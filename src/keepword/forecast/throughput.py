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

**The calibrated model** (:func:`calibrated_finish`). Plain resampling of the last 12
weeks assumes the window's rate *is* the future rate. On real histories it is not: the
rate drifts from month to month, and the window is a small sample of it. So the finish
day is the resampled finish day divided by a rate multiplier M, and log M is learned from
the project's own record before the origin:

- at past points every ``stride`` days, ρ = E[log T] under resampling of that point's
  trailing window − log(the span its next N items really took): how much faster than
  resampling said the team went, in the same currency as the forecast;
- a point counts when its expected span fits ``HORIZON_SPANS`` times before the origin
  (chosen by what was known at the point, so slow outcomes are not censored away); one
  still unfinished at the origin counts at its bound; nothing after the origin is read;
- points are weighted by recency (half-life ``HALF_LIFE_DAYS``), and their evidence is
  Kish's effective size times stride ÷ mean span, because overlapping spans share days;
- the recent signal s = log(rate over the last third of the window ÷ rate over all of it)
  is recorded at each point, and ρ = α + β·s + ε is fitted by weighted least squares with
  β kept in [0, 1] (the forecast rate is a geometric blend of the two windows' rates);
- log M is drawn as a Dirichlet-process posterior predictive (Ferguson 1973): with
  probability w = ``PRIOR_WEIGHT`` ÷ (``PRIOR_WEIGHT`` + evidence) from the prior
  N(``PRIOR_SLOPE``·s, ``PRIOR_DRIFT_SD``² + φ/n), else α + β·s_now plus a recorded
  residual ε picked by weight, shrunk so that resampling's own noise (the exact variance
  of log T at each past point, which its ρ carries) is not counted twice, the centre
  moved by w toward the prior's;
- φ/n is the window-estimate noise resampling ignores (φ the variance-to-mean ratio of
  the window's daily counts, n its items): it is always kept.

So with no record the forecast is resampling widened by the prior drift and window
noise, centred halfway between the window's rate and its last third's; each year of
record moves it toward the team's own, skewed, drift and its own use of the recent rate.

:func:`calibrated_simulate_finish` gives the same model's per-trial finish days for phases
(cumulative thresholds) under capacity ratios, one M per trial for all phases."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from keepword.forecast.percentiles import STANDARD_LEVELS, Spread, nearest_ranks

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MAX_DAYS = 200_000
# Tolerance on "CDF ≥ level": the CDF is a sum of products and may fall a few ulps short.
_CDF_TOLERANCE = 1e-12
# The calibrated model draws the resampled finish day from the exact CDF out to this
# level; the remaining mass (1e-6) is put on the last day computed.
_TAIL = 1.0 - 1e-6
_LOG_MULTIPLIER_LIMIT = math.log(20.0)
# Past points' resampling forecasts are summarised by their centre; 99.9 % of the mass will do.
_TAIL_PAST = 0.999

# Prior of the calibrated model, not fitted to any history: a team's rate over the next
# few weeks is typically within a factor 1.5 of its last quarter's (sd of log ≈ 0.3), and
# the prior weighs as much as three independent observations, enough to keep a young
# project's forecast sane and little enough for a year of its own record to dominate.
PRIOR_DRIFT_SD = 0.3
PRIOR_WEIGHT = 3.0
# A past point counts once its expected span fits this many times before the origin.
HORIZON_SPANS = 3.0
# Weight of a past point halves with each year (in working days) of age.
HALF_LIFE_DAYS = 260.0
MEMORY_HALF_LIVES = 4.0
# The recent signal compares the last third of the window (4 of 12 weeks) with all of it.
SHORT_WINDOW_DIVISOR = 3
# With no record of how much of that signal carries on, the prior takes half of it: the
# equal-weight blend of the two windows' rates (the middle of the range [0, 1] allowed).
PRIOR_SLOPE = 0.5


# --- daily distributions ------------------------------------------------------------


def _as_daily(daily: npt.ArrayLike) -> IntArray:
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
    counts = _as_daily(daily)
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
    counts = _as_daily(daily)
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
    counts = _as_daily(daily)
    if days <= 0:
        return np.zeros(trials, dtype=np.int64)
    sampled = _sample_days(counts, _check_ratios(ratios), 0, (trials, days), rng)
    result: IntArray = sampled.sum(axis=1)
    return result


# --- the calibrated model -----------------------------------------------------------------


@dataclass(frozen=True)
class RateDrift:
    """What the calibrated model learned from the project's past about the rate multiplier M."""

    log_ratios: FloatArray  # ρ at the past points used, oldest first
    weights: FloatArray  # their recency weights, summing to 1
    effective_points: float  # evidence, as independent non-overlapping spans
    location: float  # centre of log M from the record, shrunk toward 0 by the prior's share
    shrink: float  # factor on the residuals that removes day-to-day noise already resampled
    prior_share: float  # probability that a draw comes from the prior rather than the record
    prior_scale: float  # sd of log M under the prior: drift and window-estimate noise
    dispersion: float  # variance-to-mean ratio φ of the window's daily counts
    window_items: int
    slope: float = 0.0  # weight β ∈ [0, 1] of the recent signal in ρ
    signal: float = 0.0  # the recent signal at the origin
    residuals: FloatArray = field(default_factory=lambda: np.zeros(0))  # ρ − fitted, per point
    prior_mean: float = 0.0  # centre of log M under the prior: PRIOR_SLOPE × signal

    def sample(self, trials: int, rng: np.random.Generator) -> FloatArray:
        """Draws of log M from the posterior predictive."""
        from_prior = rng.random(trials) < self.prior_share
        draws = self.prior_mean + self.prior_scale * rng.standard_normal(trials)
        if self.log_ratios.size:
            picked = rng.choice(self.residuals, size=trials, p=self.weights)
            recorded = self.location + self.shrink * picked
            draws = np.where(from_prior, draws, recorded)
        return draws


@dataclass(frozen=True)
class CalibratedForecast:
    """Finish-day trials of the calibrated model and their P50/P85/P95."""

    days: IntArray
    spread: Spread
    drift: RateDrift


def _log_day_moments(cdf: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mean and variance of log(day − ½) per row of finish-day CDFs (the finish in log time)."""
    pmf = np.diff(cdf, axis=-1, prepend=0.0)
    mass = np.maximum(cdf[..., -1], 1e-300)
    log_day = np.log(np.arange(cdf.shape[-1]) + 0.5)
    mean: FloatArray = (pmf @ log_day) / mass
    variance: FloatArray = np.maximum((pmf @ log_day**2) / mass - mean**2, 0.0)
    return mean, variance


class PastPoints(NamedTuple):
    """The past points the calibrated model learns from, oldest first."""

    log_ratios: FloatArray  # ρ: E[log T] under that point's resampling − log(real span)
    spans: FloatArray  # real span in days (a bound if unfinished at the origin)
    ages: FloatArray  # days before the origin
    signals: FloatArray  # recent_signal at the point
    noise: FloatArray  # variance of log T under that point's resampling


def recent_signal(cumulative: npt.ArrayLike, points: npt.ArrayLike, window: int) -> FloatArray:
    """log(rate over the last third of the window ÷ rate over the whole window) at ``points``.

    ``cumulative[i]`` is the number of items done before day i. Counts get ½ each (the
    Haldane–Anscombe correction) so that an empty stretch has a finite logarithm.
    """
    total = np.asarray(cumulative, dtype=np.float64)
    at = np.asarray(points, dtype=np.int64)
    short = max(window // SHORT_WINDOW_DIVISOR, 1)
    recent = total[at] - total[at - short]
    whole = total[at] - total[at - window]
    signal: FloatArray = np.log((recent + 0.5) / short) - np.log((whole + 0.5) / window)
    return signal


def past_log_ratios(
    series: npt.ArrayLike, window: int, remaining: int, stride: int, min_window_items: int = 1
) -> PastPoints:
    """ρ = how much faster than resampling predicted the next ``remaining`` items went, in log time.

    At past points every ``stride`` days (counted back from the end of ``series``, so they fall
    on the origin's phase) ρ = E[log T] under resampling of that point's trailing window −
    log(realised span), days taken as mid-day. Also each point's span, age (days before
    the end), :func:`recent_signal` and resampling variance of log T.
    """
    counts = _as_daily(series)
    cumulative = np.concatenate([[0], np.cumsum(counts)])
    end = counts.size
    empty = PastPoints(*(np.zeros(0) for _ in range(5)))
    # Points older than MEMORY_HALF_LIVES half-lives weigh under 1/16 of the newest: left out.
    first = max(window, end - int(MEMORY_HALF_LIVES * HALF_LIFE_DAYS))
    points = np.arange(end - stride, first - 1, -stride)[::-1]
    if points.size == 0:
        return empty
    in_window = cumulative[points] - cumulative[points - window]
    trailing = in_window / window
    # Keeping only the points whose items are all done would keep the fast ones near the
    # origin and drop the slow: a bias toward optimism. So a point is chosen by what was
    # known at it (its expected span fits before the origin ``HORIZON_SPANS`` times over),
    # and a chosen point still unfinished at the origin counts at its bound (span ≥ its age).
    expected = remaining / np.maximum(trailing, 1e-12)
    chosen = (in_window >= min_window_items) & (points + HORIZON_SPANS * expected <= end)
    if not np.any(chosen):
        return empty
    points = points[chosen]
    goal = cumulative[points] + remaining
    # First day d with cumulative[point + d] ≥ goal, i.e. the realised finish day.
    reach = np.minimum(np.searchsorted(cumulative, goal, side="left"), end + 1)
    span = (reach - points).astype(np.float64)
    # Compare with what resampling would have said then, exactly, all points in one pass:
    # a plain rate ratio would be biased by the first day's overshoot past the goal.
    windows = np.lib.stride_tricks.sliding_window_view(counts, window)[points - window]
    said = finish_exact_pmfs(_pmf_matrix(list(windows)), remaining, levels=(_TAIL_PAST,))
    mean, noise = _log_day_moments(said.cdf[:, 0, :])
    rho = mean - np.log(span - 0.5)
    age = (end - points).astype(np.float64)
    return PastPoints(rho, span, age, recent_signal(cumulative, points, window), noise)


def rate_drift(
    series: npt.ArrayLike,
    window: int,
    remaining: int,
    stride: int = 10,
    min_window_items: int = 1,
    half_life: float = HALF_LIFE_DAYS,
) -> RateDrift:
    """The rate multiplier's posterior from the project's own past (see the module docstring)."""
    counts = _as_daily(series)
    recent = counts[-window:]
    mean = float(recent.mean())
    dispersion = float(recent.var() / mean) if mean > 0 else 1.0
    window_items = int(recent.sum())
    window_noise = dispersion / max(window_items, 1)
    prior_scale = math.sqrt(PRIOR_DRIFT_SD**2 + window_noise)
    # The recent signal now, and what the prior makes of it: half of it carries on.
    cumulative = np.concatenate([[0], np.cumsum(counts)])
    now = float(recent_signal(cumulative, [counts.size], window)[0])
    prior_mean = PRIOR_SLOPE * now
    ratios, span, age, signals, noise = past_log_ratios(
        counts, window, remaining, stride, min_window_items
    )
    if ratios.size == 0:
        empty = np.zeros(0)
        return RateDrift(
            empty,
            empty,
            0.0,
            prior_mean,
            1.0,
            1.0,
            prior_scale,
            dispersion,
            window_items,
            slope=PRIOR_SLOPE,
            signal=now,
            residuals=empty,
            prior_mean=prior_mean,
        )
    # Recent behaviour says more about the next weeks than behaviour years ago.
    raw = 0.5 ** (age / half_life)
    weights = raw / raw.sum()
    # Evidence: Kish's effective sample size, then overlapping spans share their days.
    effective = float(raw.sum() ** 2 / (raw**2).sum()) * min(1.0, stride / float(span.mean()))
    # ρ = α + β·s + ε, weighted least squares: how much of the recent signal s (last third of
    # the window against the whole) carried on, in this team's record. β is kept in [0, 1]:
    # the forecast rate is then a geometric blend of the whole window's rate and the recent
    # one's, never an extrapolation beyond either.
    s_mean = float(weights @ signals)
    r_mean = float(weights @ ratios)
    s_var = float(weights @ (signals - s_mean) ** 2)
    slope = float(weights @ ((signals - s_mean) * (ratios - r_mean))) / s_var if s_var > 0 else 0.0
    slope = min(max(slope, 0.0), 1.0)
    residuals = ratios - r_mean - slope * (signals - s_mean)
    variance = float(weights @ residuals**2)
    # Each ρ carries its own point's resampling noise (the next items' luck), which the
    # forecast's resampling adds again: remove its weighted mean from the residuals'
    # variance, keeping at least the window-estimate noise that resampling ignores.
    own_noise = float(weights @ noise)
    wanted = max(variance - own_noise, window_noise)
    shrink = math.sqrt(wanted / variance) if variance > 0 else 1.0
    prior_share = PRIOR_WEIGHT / (PRIOR_WEIGHT + effective)
    centre = r_mean + slope * (now - s_mean)
    return RateDrift(
        log_ratios=ratios,
        weights=weights,
        effective_points=effective,
        location=(1.0 - prior_share) * centre + prior_share * prior_mean,
        shrink=min(shrink, 1.0),
        prior_share=prior_share,
        prior_scale=prior_scale,
        dispersion=dispersion,
        window_items=window_items,
        slope=(1.0 - prior_share) * slope + prior_share * PRIOR_SLOPE,
        signal=now,
        residuals=residuals,
        prior_mean=prior_mean,
    )


def calibrated_finish(
    series: npt.ArrayLike,
    remaining: int,
    window: int,
    trials: int,
    rng: np.random.Generator,
    stride: int = 10,
    min_window_items: int = 1,
) -> CalibratedForecast:
    """Finish day of ``remaining`` items from a project's whole daily record before the origin.

    ``series`` is the count per working day, oldest first, ending the day before the origin;
    the last ``window`` days are resampled and the earlier record sets the rate multiplier.
    """
    counts = _as_daily(series)
    recent = counts[-window:]
    if recent.sum() == 0:
        raise ValueError("no items done in the window")
    exact = finish_exact_pmfs(daily_pmf(recent)[np.newaxis, :], [[remaining]], levels=(_TAIL,))
    cdf = exact.cdf[0, 0]
    drift = rate_drift(counts, window, remaining, stride, min_window_items)
    # Resampled finish, drawn from the exact CDF and spread uniformly within its day so that
    # dividing by the multiplier moves it smoothly; then back to whole days.
    base = np.minimum(np.searchsorted(cdf, rng.random(trials), side="left"), cdf.size - 1)
    continuous = base + rng.random(trials)
    # No real team's rate moves by more than a factor of 20 in a few weeks.
    log_multiplier = np.clip(
        drift.sample(trials, rng), -_LOG_MULTIPLIER_LIMIT, _LOG_MULTIPLIER_LIMIT
    )
    days = np.maximum(np.ceil(continuous / np.exp(log_multiplier)).astype(np.int64), 1)
    return CalibratedForecast(days=days, spread=Spread(*nearest_ranks(days)), drift=drift)


def _resampled_phases(
    series: npt.ArrayLike,
    thresholds: int | Sequence[int],
    trials: int,
    rng: np.random.Generator,
    ratios: npt.ArrayLike | None,
    window: int,
) -> tuple[IntArray, IntArray, int, IntArray]:
    """The record, its thresholds and window, and resampling's per-trial phase finishes."""
    counts = _as_daily(series)
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
    return counts, targets, window, finish


def calibrated_simulate_finish(
    series: npt.ArrayLike,
    thresholds: int | Sequence[int],
    trials: int,
    rng: np.random.Generator,
    ratios: npt.ArrayLike | None = None,
    window: int = 60,
    stride: int = 10,
    min_window_items: int = 1,
) -> IntArray:
    """Per-trial finish day of each cumulative threshold under the calibrated model.

    ``series`` is the project's whole daily record before the origin, oldest first; its last
    ``window`` days are resampled (with ``ratios`` per future day, as :func:`simulate_finish`)
    and the earlier record sets the rate multiplier M, learned at the last threshold (all the
    remaining work). One M per trial divides every phase's finish, so phases keep their order
    within a trial. Returns an array of shape (trials, thresholds); with one threshold and no
    ratios it is :func:`calibrated_finish` by Monte Carlo.
    """
    counts, targets, window, resampled = _resampled_phases(
        series, thresholds, trials, rng, ratios, window
    )
    drift = rate_drift(counts, window, int(targets[-1]), stride, min_window_items)
    # As in calibrated_finish: the finish spread uniformly within its day, divided by M (one
    # per trial), back to whole days. The same M and jitter for every phase of a trial keep
    # the phases in order, since ⌈x / M⌉ never decreases in x.
    continuous = resampled - 1 + rng.random(trials)[:, np.newaxis]
    log_multiplier = np.clip(
        drift.sample(trials, rng), -_LOG_MULTIPLIER_LIMIT, _LOG_MULTIPLIER_LIMIT
    )
    scaled = continuous / np.exp(log_multiplier)[:, np.newaxis]
    days: IntArray = np.maximum(np.ceil(scaled).astype(np.int64), 1)
    return days


# --- recalibration from the record of past forecast errors (the product's model) ----------
#
# Plain resampling, read at the levels its own record says cover what they claim. At past
# points before the origin (chosen as for the calibrated model) the forecast resampling
# made then is compared with how long the next items really took: the outcome d (a whole
# day) counts as covered by a reading at level u exactly when F(d − 1) < u, F the forecast
# of that point. So the share of past outcomes covered at level u is
#     H(u) = share · u + (1 − share) · Σ wᵢ [Fᵢ(dᵢ − 1) < u],
# a recency-weighted record (half-life HALF_LIFE_DAYS) blended with the uniform, i.e. with
# "resampling is right", weighted PRIOR_WEIGHT against the record's evidence (Kish's
# effective size × stride ÷ mean span, as for the calibrated model). The forecast's
# q-level is read at G(q), the smallest u with H(u) ≥ q: probabilistic recalibration
# (Gneiting, Balabdaoui & Raftery 2007) by the project's own PITs, with the lower PIT
# because it is exactly the event coverage scores. With no record G(q) = q; with a record
# that was too optimistic G moves the readings later, and with one too pessimistic, earlier.

_PIT_GRID = np.linspace(0.0, 1.0, 4001)  # finer than a 4,000-trial forecast's ranks


class PitRecord(NamedTuple):
    """Where past outcomes fell in the forecasts made then."""

    lower: FloatArray  # F(d − 1): what the forecast gave to finishing before the real day d
    spans: FloatArray  # real spans in days (a bound if unfinished at the origin)
    ages: FloatArray  # days before the origin


def chosen_past_points(
    counts: IntArray, window: int, remaining: int, stride: int, min_window_items: int = 1
) -> tuple[IntArray, FloatArray]:
    """Past points and their real spans, chosen by the rule of :func:`past_log_ratios`.

    A point counts when its expected span fits ``HORIZON_SPANS`` times before the end (what
    was known at the point decides, so slow outcomes near the origin are not dropped); a
    counted point still unfinished at the end gets its bound (span ≥ its age).
    """
    cumulative = np.concatenate([[0], np.cumsum(counts)])
    end = counts.size
    first = max(window, end - int(MEMORY_HALF_LIVES * HALF_LIFE_DAYS))
    points = np.arange(end - stride, first - 1, -stride)[::-1]
    if points.size == 0:
        return points.astype(np.int64), np.zeros(0)
    in_window = cumulative[points] - cumulative[points - window]
    expected = remaining / np.maximum(in_window / window, 1e-12)
    chosen = (in_window >= min_window_items) & (points + HORIZON_SPANS * expected <= end)
    points = points[chosen]
    goal = cumulative[points] + remaining
    reach = np.minimum(np.searchsorted(cumulative, goal, side="left"), end + 1)
    return points.astype(np.int64), (reach - points).astype(np.float64)


def plain_pit_record(
    series: npt.ArrayLike, window: int, remaining: int, stride: int, min_window_items: int = 1
) -> PitRecord:
    """Lower PITs of plain resampling's forecasts at the past points (exact CDFs, one pass)."""
    counts = _as_daily(series)
    points, spans = chosen_past_points(counts, window, remaining, stride, min_window_items)
    if points.size == 0:
        empty = np.zeros(0)
        return PitRecord(empty, empty, empty)
    windows = np.lib.stride_tricks.sliding_window_view(counts, window)[points - window]
    said = finish_exact_pmfs(_pmf_matrix(list(windows)), remaining, levels=(_TAIL_PAST,))
    cdf = np.concatenate([np.zeros((points.size, 1)), said.cdf[:, 0, :]], axis=1)
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
    counts = _as_daily(series)
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

    Resampling of the last ``window`` days (with capacity ``ratios``, as
    :func:`simulate_finish`) gives each trial's finishes; each trial's rank u in the last
    threshold's finishes is moved to G(u), and all its phases are stretched by the same
    factor, so phases keep their order and the last threshold's q-quantile is the
    resampled one at G(q), as in :func:`recalibrated_finish`.
    """
    counts, targets, window, finish = _resampled_phases(
        series, thresholds, trials, rng, ratios, window
    )
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
