"""The calibrated model: resampling divided by a rate multiplier learned from the record.

Forecasts do not use it (they use the recalibrated model of
:mod:`keepword.forecast.throughput`, which scores better on every target); it is kept for
the backtest's comparison, ``keepword backtest --model calibrated``.

Plain resampling of the last 12 weeks assumes the window's rate *is* the future rate. On
real histories it is not: the rate drifts from month to month, and the window is a small
sample of it. So the finish day is the resampled finish day divided by a rate multiplier
M, and log M is learned from the project's own record before the origin:

- at the past points of :func:`~keepword.forecast.throughput.chosen_past_points` (the
  recalibrated model's), ρ = E[log T] under resampling of that point's trailing window −
  log(the span its next N items really took): how much faster than resampling said the
  team went, in the same currency as the forecast;
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
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from keepword.forecast.percentiles import Spread, nearest_ranks
from keepword.forecast.throughput import (
    HALF_LIFE_DAYS,
    PRIOR_WEIGHT,
    FloatArray,
    IntArray,
    chosen_past_points,
    daily_counts,
    finish_exact,
    past_finish_cdfs,
)

# The resampled finish day is drawn from the exact CDF out to this level; the remaining
# mass (1e-6) is put on the last day computed.
_TAIL = 1.0 - 1e-6
_LOG_MULTIPLIER_LIMIT = math.log(20.0)

# Prior drift, not fitted to any history: a team's rate over the next few weeks is
# typically within a factor 1.5 of its last quarter's (sd of log ≈ 0.3). The prior weighs
# PRIOR_WEIGHT past points, as in the recalibrated model.
PRIOR_DRIFT_SD = 0.3
# The recent signal compares the last third of the window (4 of 12 weeks) with all of it.
SHORT_WINDOW_DIVISOR = 3
# With no record of how much of that signal carries on, the prior takes half of it: the
# equal-weight blend of the two windows' rates (the middle of the range [0, 1] allowed).
PRIOR_SLOPE = 0.5


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

    At the past points of :func:`~keepword.forecast.throughput.chosen_past_points`, ρ =
    E[log T] under resampling of that point's trailing window − log(realised span), days
    taken as mid-day. Also each point's span, age (days before the end),
    :func:`recent_signal` and resampling variance of log T.
    """
    counts = daily_counts(series)
    points, span = chosen_past_points(counts, window, remaining, stride, min_window_items)
    if points.size == 0:
        return PastPoints(*(np.zeros(0) for _ in range(5)))
    # Compare with what resampling would have said then, exactly: a plain rate ratio would
    # be biased by the first day's overshoot past the goal.
    mean, noise = _log_day_moments(past_finish_cdfs(counts, points, window, remaining))
    rho = mean - np.log(span - 0.5)
    age = (counts.size - points).astype(np.float64)
    cumulative = np.concatenate([[0], np.cumsum(counts)])
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
    counts = daily_counts(series)
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
    counts = daily_counts(series)
    recent = counts[-window:]
    if recent.sum() == 0:
        raise ValueError("no items done in the window")
    cdf = finish_exact(recent, remaining, levels=(_TAIL,)).cdf[0, 0]
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
