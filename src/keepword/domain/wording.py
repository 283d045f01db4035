"""How dates, odds and lists are worded everywhere: pages, reports, drafts, charts, the
timeline."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date


def day(value: date) -> str:
    """``Mon 11 Jan 2027``."""
    return f"{value:%a} {value.day} {value:%b %Y}"


def percent(value: float, *, short: bool = False) -> str:
    """Odds as a whole percentage; never a flat 0 % or 100 % from a finite sample."""
    if value < 0.005:
        return "<1%" if short else "under 1%"
    if value > 0.995:
        return ">99%" if short else "over 99%"
    return f"{value:.0%}"


def and_list(values: Iterable[object]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    words = [str(v) for v in values]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"
