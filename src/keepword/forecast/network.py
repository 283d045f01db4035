"""Task networks with unlimited people: each task starts when all its predecessors finish."""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class CyclicNetwork(ValueError):
    """The predecessor lists contain a cycle, so no task order exists."""

    def __init__(self, tasks: list[int]) -> None:
        super().__init__(f"the task network has a dependency cycle among tasks {tasks[:10]}")
        self.tasks = tasks


def topological_order(predecessors: Sequence[Sequence[int]]) -> list[int]:
    """Tasks ordered so that every task comes after its predecessors; ties by index (Kahn)."""
    count = len(predecessors)
    waiting = [len(set(p)) for p in predecessors]
    successors: list[list[int]] = [[] for _ in range(count)]
    for task, preds in enumerate(predecessors):
        for pred in set(preds):
            successors[pred].append(task)
    ready = [task for task in range(count) if waiting[task] == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        task = heapq.heappop(ready)
        order.append(task)
        for successor in successors[task]:
            waiting[successor] -= 1
            if waiting[successor] == 0:
                heapq.heappush(ready, successor)
    if len(order) != count:
        raise CyclicNetwork(sorted(set(range(count)) - set(order)))
    return order


@dataclass(frozen=True)
class NetworkResult:
    """Per trial, when every task finishes (days from the start) and the project ends."""

    finish: FloatArray  # (tasks, trials)

    @property
    def duration(self) -> FloatArray:
        """(trials,): when the last task finishes."""
        result: FloatArray = self.finish.max(axis=0)
        return result


def longest_path(durations: FloatArray, predecessors: Sequence[Sequence[int]]) -> NetworkResult:
    """Finish of every task per trial, given ``durations`` of shape (tasks, trials)."""
    finish = np.empty_like(durations)
    for task in topological_order(predecessors):
        preds = predecessors[task]
        if not preds:
            finish[task] = durations[task]
        elif len(preds) == 1:
            np.add(finish[preds[0]], durations[task], out=finish[task])
        else:
            row = finish[task]
            np.maximum(finish[preds[0]], finish[preds[1]], out=row)
            for pred in preds[2:]:
                np.maximum(row, finish[pred], out=row)
            row += durations[task]
    return NetworkResult(finish)
