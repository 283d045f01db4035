"""What a forecast answers, and how it is asked: the values every layer passes around.

The numbers come from ``services.forecasting`` (which loads numpy and the engine); these
types do not, so that reading cached forecasts, or showing a command's options, stays light.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from keepword.domain.commitment import DEFAULT_CONFIDENCE, Health
from keepword.domain.errors import KeepwordError
from keepword.forecast import DEFAULT_SEED, DEFAULT_TRIALS


class CannotForecast(KeepwordError):
    """The project lacks what a forecast needs (people, estimates, or history)."""


@dataclass(frozen=True)
class ForecastOptions:
    """How to forecast: trials, seed, the confidence of cut lines, and the day it starts."""

    today: date
    trials: int = DEFAULT_TRIALS
    seed: int = DEFAULT_SEED
    confidence: float = DEFAULT_CONFIDENCE
    history_correction: bool = True
    recalibrate: bool = True  # False: plain resampling of the window, read as it is
    by: date | None = None  # also answer: how many of the remaining items by this date
    window: tuple[date, date] | None = None  # also answer: who has time free in this window
    curves: bool = False  # also answer: the finish-week distribution and the burn-up fan


@dataclass(frozen=True)
class Finish:
    """The forecast finish of one piece of scope, as dates, and its odds against a due date."""

    id: str
    name: str
    items: int
    p50: date
    p85: date
    p95: date
    due: date | None = None
    on_time: float | None = None
    at_confidence: date | None = None  # the date at the requested confidence


@dataclass(frozen=True)
class Share:
    """How often someone or something decides the finish, or how much time went unused."""

    id: str
    name: str
    value: float


@dataclass(frozen=True)
class ItemsBy:
    """How many of the remaining items are done by a date: at the median, and at least how
    many at the confidence asked for."""

    date: date
    remaining: int
    p50: int
    at_confidence: int


@dataclass(frozen=True)
class FinishWeek:
    """The share of trials in which the whole project finishes in the week from ``week``
    (a Monday)."""

    week: date
    share: float


@dataclass(frozen=True)
class BurnUpPoint:
    """Items done by ``date``, counting those done before the forecast: the number reached
    by then in at least half, 85 % and 95 % of the trials."""

    date: date
    p50: int
    p85: int
    p95: int


@dataclass(frozen=True)
class ProjectForecast:
    """Everything a forecast of one project answers."""

    project: str
    mode: str  # "estimate", "throughput", or "done" when nothing remains
    start: date
    trials: int
    seed: int
    confidence: float
    whole: Finish
    phases: list[Finish]
    commitments: list[Finish]
    cut_lines: dict[str, list[str]] = field(default_factory=dict)  # commitment → phases in
    critical_items: list[Share] = field(default_factory=list)
    critical_people: list[Share] = field(default_factory=list)
    idle_people: list[Share] = field(default_factory=list)
    evidence: str = ""
    items_by: ItemsBy | None = None
    free_in_window: list[Share] = field(default_factory=list)  # person-days unused, median
    finish_distribution: tuple[FinishWeek, ...] = ()  # with ForecastOptions.curves
    burn_up: tuple[BurnUpPoint, ...] = ()  # with ForecastOptions.curves, to the P95 finish


@dataclass(frozen=True)
class CommitmentOdds:
    """A commitment's forecast beside its promise, for the portfolio table."""

    commitment: str
    on_time: float | None  # None when the project cannot be forecast
    p50: date | None
    p85: date | None
    problem: str | None = None
    health: Health | None = None
