"""Backtest of throughput forecasts: replay a project's past and score each forecast.

The protocol (SPEC §4, *Honesty*): forecast origins fall every ``ORIGIN_STEP_DAYS`` days
once ``WINDOW_DAYS`` days of history exist. An origin is used for K when the trailing
window holds at least ``MIN_WINDOW_ITEMS`` items and at least K items are done on or after
it. The question is the date by which K more items are done; day 1 is the origin itself.
A forecast sees only items done strictly before the origin.

Scores per K: coverage of P50/P85/P95 (share of origins whose actual date is on or before
the forecast date) and the mean pinball loss at 0.85 in days, beside the straight-line
projection: items in the window ÷ ``WINDOW_DAYS`` per calendar day, extended to K items.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from keepword.forecast.percentiles import Spread
from keepword.forecast.rate_multiplier import calibrated_finish
from keepword.forecast.throughput import IntArray, finish_exact, recalibrated_finish

MODELS = ("recalibrated", "calibrated", "plain")
WINDOW_DAYS = 84
ORIGIN_STEP_DAYS = 14
MIN_WINDOW_ITEMS = 10
STANDARD_K = (10, 30)
# A team counts as working weekends when more than this share of its items before the
# origin were done on a Saturday or Sunday (a few stray weekend merges do not make a
# seven-day calendar).
WEEKEND_SHARE = 0.05
DEFAULT_TRIALS = 4000

Progress = Callable[[int, int], None]
DateArray = npt.NDArray[np.datetime64]


@dataclass(frozen=True)
class OriginForecast:
    """One forecast: the origin, the K asked for, the forecast and actual dates."""

    origin: date
    k: int
    seven_day_week: bool
    p50: date
    p85: date
    p95: date
    actual: date
    straight_line: date


@dataclass(frozen=True)
class KScore:
    """Scores of every origin usable for one K."""

    k: int
    origins: int
    coverage_p50: float
    coverage_p85: float
    coverage_p95: float
    pinball_85: float
    straight_line_pinball_85: float


@dataclass(frozen=True)
class BacktestResult:
    """Scores per K and every forecast behind them."""

    scores: tuple[KScore, ...]
    forecasts: tuple[OriginForecast, ...]

    def score(self, k: int) -> KScore:
        """The scores for ``k``."""
        return next(s for s in self.scores if s.k == k)


def as_days(done: Sequence[date] | npt.ArrayLike) -> DateArray:
    """Done dates as a sorted numpy datetime64[D] array."""
    array = np.asarray(done).astype("datetime64[D]")
    return np.sort(array.ravel())


def pinball(actual: npt.ArrayLike, forecast: npt.ArrayLike, level: float = 0.85) -> float:
    """Mean pinball (quantile) loss of ``forecast`` as the ``level`` quantile of ``actual``."""
    miss = np.asarray(actual, dtype=np.float64) - np.asarray(forecast, dtype=np.float64)
    return float(np.mean(np.maximum(level * miss, (level - 1.0) * miss)))


def works_weekends(done_before: DateArray) -> bool:
    """Whether more than ``WEEKEND_SHARE`` of these items were done on a weekend."""
    if done_before.size == 0:
        return False
    # 1970-01-01 was a Thursday: day number + 3 mod 7 is Monday = 0 … Sunday = 6.
    weekday = (done_before.astype(np.int64) + 3) % 7
    return bool(np.mean(weekday >= 5) > WEEKEND_SHARE)


def daily_series(done_before: DateArray, end: np.datetime64, seven_day_week: bool) -> IntArray:
    """Items per working day from the first item to the day before ``end``, oldest first.

    Under a five-day week, an item done on a weekend counts on the Friday before, which is
    still before ``end``.
    """
    start = done_before.min()
    if seven_day_week:
        offsets = (done_before - start).astype(np.int64)
        length = int((end - start).astype(np.int64))
        return np.bincount(offsets, minlength=length).astype(np.int64)
    rolled = np.busday_offset(done_before, 0, roll="backward")
    first = np.busday_offset(start, 0, roll="backward")
    index = np.busday_count(first, rolled)
    length = int(np.busday_count(first, end))
    return np.bincount(index, minlength=length)[:length].astype(np.int64)


def _date_of_day(origin: np.datetime64, day: int, seven_day_week: bool) -> np.datetime64:
    """The ``day``-th working day counting the origin (or the next working day) as day 1."""
    if seven_day_week:
        return origin + np.timedelta64(day - 1, "D")
    return np.busday_offset(origin, day - 1, roll="forward")


def _to_date(day: np.datetime64) -> date:
    value = day.astype("datetime64[D]").astype(date)
    assert isinstance(value, date)
    return value


def forecast_at(
    done_before: DateArray,
    origin: np.datetime64,
    k: int,
    rng: np.random.Generator,
    model: str = "recalibrated",
    trials: int = DEFAULT_TRIALS,
) -> tuple[bool, Spread]:
    """P50/P85/P95 finish day (1 = origin) of ``k`` items from items done before ``origin``.

    ``model``: one of :data:`MODELS` — "recalibrated" (the product's: resampling read at the
    levels its own past errors say cover), "calibrated" (resampling divided by a learned rate
    multiplier, :mod:`keepword.forecast.rate_multiplier`) or "plain" (resampling of the window).
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; use one of {', '.join(MODELS)}")
    seven = works_weekends(done_before)
    series = daily_series(done_before, origin, seven)
    window = WINDOW_DAYS if seven else int(np.busday_count(origin - WINDOW_DAYS, origin))
    window = min(window, series.size)
    stride = ORIGIN_STEP_DAYS if seven else ORIGIN_STEP_DAYS * 5 // 7
    if model == "recalibrated":
        return seven, recalibrated_finish(series, k, window, stride, MIN_WINDOW_ITEMS)
    if model == "calibrated":
        result = calibrated_finish(series, k, window, trials, rng, stride, MIN_WINDOW_ITEMS)
        return seven, result.spread
    return seven, finish_exact(series[-window:], k).spread()


def backtest(
    done: Sequence[date] | npt.ArrayLike,
    rng: np.random.Generator,
    ks: Sequence[int] = STANDARD_K,
    model: str = "recalibrated",
    trials: int = DEFAULT_TRIALS,
    progress: Progress | None = None,
) -> BacktestResult:
    """Replay a history of done dates and score the throughput forecast at every origin."""
    days = as_days(done)
    if days.size == 0:
        raise ValueError("no items done")
    step = np.timedelta64(ORIGIN_STEP_DAYS, "D")
    first_origin = days[0] + np.timedelta64(WINDOW_DAYS, "D")
    origins = np.arange(first_origin, days[-1] + np.timedelta64(1, "D"), step)
    forecasts: list[OriginForecast] = []
    for number, origin in enumerate(origins, start=1):
        before = days[: np.searchsorted(days, origin, side="left")]
        after = days[before.size :]
        in_window = int(np.count_nonzero(before >= origin - np.timedelta64(WINDOW_DAYS, "D")))
        for k in ks:
            if in_window < MIN_WINDOW_ITEMS or after.size < k:
                continue
            seven, spread = forecast_at(before, origin, k, rng, model, trials)
            line_days = math.ceil(k * WINDOW_DAYS / in_window)
            forecasts.append(
                OriginForecast(
                    origin=_to_date(origin),
                    k=k,
                    seven_day_week=seven,
                    p50=_to_date(_date_of_day(origin, int(spread.p50), seven)),
                    p85=_to_date(_date_of_day(origin, int(spread.p85), seven)),
                    p95=_to_date(_date_of_day(origin, int(spread.p95), seven)),
                    actual=_to_date(after[k - 1]),
                    straight_line=_to_date(origin + np.timedelta64(line_days - 1, "D")),
                )
            )
        if progress is not None:
            progress(number, origins.size)
    return BacktestResult(scores=tuple(score(forecasts, k) for k in ks), forecasts=tuple(forecasts))


def score(forecasts: Sequence[OriginForecast], k: int) -> KScore:
    """Coverage and pinball loss of the forecasts for ``k``."""
    rows = [f for f in forecasts if f.k == k]
    if not rows:
        nan = float("nan")
        return KScore(k, 0, nan, nan, nan, nan, nan)
    actual = np.array([f.actual.toordinal() for f in rows])

    def column(name: str) -> npt.NDArray[np.int64]:
        return np.array([getattr(f, name).toordinal() for f in rows])

    return KScore(
        k=k,
        origins=len(rows),
        coverage_p50=float(np.mean(actual <= column("p50"))),
        coverage_p85=float(np.mean(actual <= column("p85"))),
        coverage_p95=float(np.mean(actual <= column("p95"))),
        pinball_85=pinball(actual, column("p85")),
        straight_line_pinball_85=pinball(actual, column("straight_line")),
    )
