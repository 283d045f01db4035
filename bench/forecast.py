"""Benchmark the forecasting engine on the standard workloads W1–W4.

Prints one JSON line per workload: the median wall time of at least five timed runs after
a warm-up, the peak memory of this process, and the answers (P50/P85/P95), so that speed
is never bought with a different result. The workloads come from shared/bench/workloads.py
beside this repository (or from the folder named by KEEPWORD_WORKLOADS).

    .venv/bin/python bench/forecast.py [--runs 5] [--trials 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from keepword.forecast import throughput
from keepword.forecast.network import longest_path
from keepword.forecast.percentiles import nearest_ranks
from keepword.forecast.pert import sample_pert
from keepword.forecast.schedule import Team, schedule

WORKLOADS = Path(
    os.environ.get("KEEPWORD_WORKLOADS", Path(__file__).resolve().parents[2] / "shared" / "bench")
)
sys.path.insert(0, str(WORKLOADS))
import workloads as w  # noqa: E402  (found at run time, beside the repository)


def w1(trials: int) -> dict[str, Any]:
    spread = throughput.finish_exact(w.w1_history(), w.W1_ITEMS).spread()
    return {"p50": int(spread.p50), "p85": int(spread.p85), "p95": int(spread.p95)}


def w2(trials: int) -> dict[str, Any]:
    net = w.w2_network()
    rng = np.random.default_rng(w.SIM_SEED)
    durations = sample_pert(net.a, net.m, net.b, trials, rng)
    p50, p85, p95 = nearest_ranks(longest_path(durations, net.preds).duration)
    return {"p50": round(p50, 2), "p85": round(p85, 2), "p95": round(p95, 2)}


def w3(trials: int) -> dict[str, Any]:
    result = throughput.finish_exact_many(w.w3_histories(), w.W3_ITEMS)
    days = result.days[:, 0, :]  # (projects, levels)
    return {
        "projects": int(days.shape[0]),
        "p50": [int(x) for x in days[:3, 0]] + ["…"],
        "p85": [int(x) for x in days[:3, 1]] + ["…"],
        "p95": [int(x) for x in days[:3, 2]] + ["…"],
    }


def w4(trials: int) -> dict[str, Any]:
    staffed = w.w4_staffed_network()
    net = staffed.net
    skills = sorted({s for p in staffed.people for s in p.skills})
    working_days = 400
    capacity = np.zeros((len(staffed.people), working_days))
    for row, person in enumerate(staffed.people):
        capacity[row] = person.allocation
        if person.absent_working_days:
            first, last = person.absent_working_days
            capacity[row, first:last] = 0.0
    team = Team(
        skills=np.array([[s in p.skills for s in skills] for p in staffed.people]),
        capacity=capacity,
    )
    rng = np.random.default_rng(w.SIM_SEED)
    effort = sample_pert(net.a, net.m, net.b, trials, rng)
    result = schedule(effort, np.array([skills.index(s) for s in staffed.skill]), net.preds, team)
    p50, p85, p95 = nearest_ranks(result.project_finish())
    start = date.fromisoformat(staffed.start)
    return {
        "p50": round(p50, 2),
        "p85": round(p85, 2),
        "p95": round(p95, 2),
        "p85_date": _working_day(start, p85).isoformat(),
    }


def _working_day(start: date, finish: float) -> date:
    """The weekday on which a finish of ``finish`` working days from ``start`` falls."""
    day, left = start, int(np.ceil(finish)) - 1
    while left > 0 or day.weekday() >= 5:
        day += timedelta(1)
        if day.weekday() < 5:
            left -= 1
    return day


def _peak_rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def measure(name: str, run: Callable[[int], dict[str, Any]], runs: int, trials: int) -> None:
    run(trials)  # warm-up: imports, caches, tables
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = run(trials)
        times.append(time.perf_counter() - started)
    line = {
        "workload": name,
        "impl": "keepword",
        "median_s": round(statistics.median(times), 4),
        "runs": runs,
        "trials": trials,
        "peak_rss_mb": _peak_rss_mb(),
        "load_average": round(os.getloadavg()[0], 2),
        **answer,
    }
    print(json.dumps(line, ensure_ascii=False), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trials", type=int, default=w.TRIALS)
    parser.add_argument("--only", choices=["W1", "W2", "W3", "W4"], action="append")
    args = parser.parse_args()
    for name, run in (("W1", w1), ("W2", w2), ("W3", w3), ("W4", w4)):
        if not args.only or name in args.only:
            measure(name, run, max(args.runs, 5), args.trials)


if __name__ == "__main__":
    main()
