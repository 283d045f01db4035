"""Nearest-rank percentiles of trial results, and the share of trials that meet a deadline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

STANDARD_LEVELS = (0.50, 0.85, 0.95)


def nearest_rank(values: npt.ArrayLike, level: float) -> float:
    """The smallest value with at least ``level`` of the trials at or below it."""
    ordered = np.sort(np.asarray(values, dtype=float), axis=None)
    if ordered.size == 0:
        raise ValueError("no trials")
    rank = max(int(np.ceil(level * ordered.size)), 1)
    return float(ordered[rank - 1])


def nearest_ranks(
    values: npt.ArrayLike, levels: tuple[float, ...] = STANDARD_LEVELS
) -> list[float]:
    """:func:`nearest_rank` at each of ``levels``, sorting once."""
    ordered = np.sort(np.asarray(values, dtype=float), axis=None)
    if ordered.size == 0:
        raise ValueError("no trials")
    return [float(ordered[max(int(np.ceil(q * ordered.size)), 1) - 1]) for q in levels]


def probability_by(values: npt.ArrayLike, deadline: float) -> float:
    """Share of trials finishing at or before ``deadline``."""
    array = np.asarray(values, dtype=float)
    return float(np.count_nonzero(array <= deadline) / array.size)


@dataclass(frozen=True)
class Spread:
    """P50/P85/P95 of one finish, in whatever unit the trials were in."""

    p50: float
    p85: float
    p95: float

    @classmethod
    def of(cls, values: npt.ArrayLike) -> Spread:
        p50, p85, p95 = nearest_ranks(values)
        return cls(p50, p85, p95)
