"""A slow, obviously correct schedule of one trial, to check the vectorised engine against.

Plain Python, no numpy: a person's work is walked day by day, and items are placed one at a
time by the rule in ``shared/bench/README.md`` (W4). The constants mirror the engine's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

SNAP = 1e-9  # person-days small enough to count as done
TIE_DAYS = 1e-9  # finishes this close are a tie: the first person in the list wins
PATTERN_DAYS = 35  # the last days of the timeline repeat past its end


class Unfinishable(Exception):
    """Nobody able to do an item has any capacity left."""


@dataclass(frozen=True)
class Trial:
    """One trial's schedule, and the order in which its items were placed."""

    finish: list[float]
    start: list[float]
    assignee: list[int]
    order: list[int]


def capacity_on(capacity: Sequence[float], day: int) -> float:
    """A person's capacity on ``day``; past the timeline its last PATTERN_DAYS days repeat."""
    days = len(capacity)
    if day < days:
        return capacity[day]
    pattern = min(PATTERN_DAYS, days)
    return capacity[days - pattern + (day - days) % pattern]


def finish_time(capacity: Sequence[float], start: float, effort: float) -> float:
    """When someone who begins at ``start`` has delivered ``effort``; inf if never.

    Within SNAP of the end of a stretch of days at the same capacity counts as done there.
    """
    if effort <= SNAP:
        return start
    never = sum(capacity[-min(PATTERN_DAYS, len(capacity)) :]) == 0
    remaining = effort
    time = start
    day = math.floor(start)
    while True:
        if never and day >= len(capacity):
            return math.inf
        rate = capacity_on(capacity, day)
        available = rate * (day + 1 - time)
        if rate > 0 and remaining <= available:
            return time + remaining / rate
        if rate > 0 and remaining <= available + SNAP and capacity_on(capacity, day + 1) != rate:
            return day + 1
        remaining -= available
        day += 1
        time = day


def schedule_trial(
    effort: Sequence[float],
    skill: Sequence[int],
    predecessors: Sequence[Sequence[int]],
    skills: Sequence[Sequence[bool]],
    capacity: Sequence[Sequence[float]],
    earliest: Sequence[float] | None = None,
) -> Trial:
    """Place the items one by one: the lowest-index item whose predecessors are done goes
    to the qualified person who would finish it first."""
    items = len(effort)
    finish = [0.0] * items
    start = [0.0] * items
    assignee = [-1] * items
    order: list[int] = []
    free = [0.0] * len(capacity)
    for _ in range(items):
        item = min(
            i for i in range(items) if i not in order and all(p in order for p in predecessors[i])
        )
        ready = max(0.0, earliest[item] if earliest is not None else 0.0)
        for p in predecessors[item]:
            ready = max(ready, finish[p])
        options = [
            (finish_time(capacity[person], max(free[person], ready), effort[item]), person)
            for person in range(len(capacity))
            if skills[person][skill[item]]
        ]
        best = min(when for when, _ in options)
        if best == math.inf:
            raise Unfinishable(f"item {item}")
        when, person = next((w, p) for w, p in options if w <= best + TIE_DAYS)
        start[item] = max(free[person], ready)
        finish[item] = when
        assignee[item] = person
        free[person] = when
        order.append(item)
    return Trial(finish, start, assignee, order)


def critical_set(trial: Trial, predecessors: Sequence[Sequence[int]]) -> set[int]:
    """Items on a chain of back-to-back items (a predecessor, or the person's previous item,
    finishing when the next starts) that ends at the last finish."""
    previous: dict[int, int] = {}
    last: dict[int, int] = {}
    for item in trial.order:
        person = trial.assignee[item]
        if person in last:
            previous[item] = last[person]
        last[person] = item
    end = max(trial.finish, default=0.0)
    waiting = [i for i, when in enumerate(trial.finish) if when >= end - TIE_DAYS]
    critical: set[int] = set()
    while waiting:
        item = waiting.pop()
        if item in critical:
            continue
        critical.add(item)
        links = list(predecessors[item]) + ([previous[item]] if item in previous else [])
        waiting += [j for j in links if abs(trial.finish[j] - trial.start[item]) <= TIE_DAYS]
    return critical


def idle(trial: Trial, effort: Sequence[float], capacity: Sequence[Sequence[float]]) -> list[float]:
    """Person-days each person had before the last finish but did not use."""
    end = max(trial.finish, default=0.0)
    result = []
    for person, days in enumerate(capacity):
        had = sum(capacity_on(days, d) for d in range(math.floor(end)))
        had += capacity_on(days, math.floor(end)) * (end - math.floor(end))
        used = sum(e for e, who in zip(effort, trial.assignee, strict=True) if who == person)
        result.append(max(had - used, 0.0))
    return result
