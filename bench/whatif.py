"""Benchmark a portfolio what-if: 200 projects, five people moved for four weeks.

The portfolio: 200 projects of 30 estimated items each (three skills, a few dependencies),
60 people each allocated to one to three projects, one commitment per project. The cache
of every commitment's odds is filled first (timed once, as "warm-up"); the what-if then
re-forecasts only the projects the five moves touch and diffs the whole portfolio. Prints
one JSON line: the median of five timed runs, and what the what-if found.

    .venv/bin/python bench/whatif.py [--runs 5] [--trials 10000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import numpy as np

from keepword.domain.commitment import Commitment, CommitmentState
from keepword.domain.forecast import ForecastOptions
from keepword.domain.people import Allocation, Person, Skill
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Client, Estimate, Phase, Project, WorkItem
from keepword.domain.scenario import Reallocation, Scenario
from keepword.services.scenarios import what_if
from keepword.services.watch import forecast_odds, inputs_key

TODAY = date(2026, 11, 23)
SKILLS = ("backend", "frontend", "design")
PROJECTS, ITEMS, PEOPLE, MOVED = 200, 30, 60, 5


def build_portfolio(seed: int = 7) -> Portfolio:
    """The benchmark portfolio, the same for the same seed."""
    rng = np.random.default_rng(seed)
    people = []
    for n in range(PEOPLE):
        skills = tuple(sorted({SKILLS[n % 3], SKILLS[int(rng.integers(3))]}))
        people.append(Person(f"p{n}", f"Person {n}", skills))
    allocations = []
    for person in people:
        count = int(rng.integers(1, 4))
        chosen = rng.choice(PROJECTS, size=count, replace=False)
        for project in chosen:
            allocations.append(
                Allocation(
                    person.id, f"j{project}", round(1 / count, 3), TODAY, TODAY + timedelta(365)
                )
            )
    projects, commitments = [], []
    for j in range(PROJECTS):
        skilled = {
            s for a in allocations if a.project == f"j{j}" for s in people[int(a.person[1:])].skills
        }
        usable = sorted(skilled) or list(SKILLS)
        items = []
        for i in range(ITEMS):
            likely = float(rng.uniform(1, 5))
            depends = (f"i{int(rng.integers(i))}",) if i > 3 and rng.random() < 0.3 else ()
            items.append(
                WorkItem(
                    f"i{i}",
                    f"Item {i}",
                    phase="one" if i < ITEMS // 2 else "two",
                    skill=usable[int(rng.integers(len(usable)))],
                    estimate=Estimate(likely * 0.6, likely, likely * 2),
                    depends_on=depends,
                )
            )
        projects.append(
            Project(
                f"j{j}",
                "c",
                f"Project {j}",
                TODAY,
                phases=(Phase("one", "One"), Phase("two", "Two")),
                items=tuple(items),
            )
        )
        commitments.append(
            Commitment(
                f"k{j}",
                f"j{j}",
                f"Promise {j}",
                TODAY + timedelta(120),
                state=CommitmentState.COMMITTED,
            )
        )
    return Portfolio(
        skills=tuple(Skill(s, s) for s in SKILLS),
        clients=(Client("c", "Client"),),
        people=tuple(people),
        projects=tuple(projects),
        allocations=tuple(allocations),
        commitments=tuple(commitments),
    )


def moves(portfolio: Portfolio) -> Scenario:
    """Five people taken off every project they are on, for four weeks."""
    changes = []
    for person in [f"p{n}" for n in range(0, PEOPLE, PEOPLE // MOVED)][:MOVED]:
        for allocation in portfolio.allocations:
            if allocation.person == person:
                changes.append(
                    Reallocation(
                        person, allocation.project, TODAY + timedelta(7), TODAY + timedelta(34)
                    )
                )
    return Scenario("bench", "Five people to the core platform for four weeks", "", tuple(changes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--trials", type=int, default=10_000)
    args = parser.parse_args()
    portfolio = build_portfolio()
    scenario = moves(portfolio)
    options = ForecastOptions(today=TODAY, trials=args.trials)
    now = datetime.now(UTC)
    started = time.perf_counter()
    cache = {
        odds.commitment: odds
        for project in portfolio.projects
        for odds in forecast_odds(
            portfolio, project.id, options, inputs_key(portfolio, project.id, options), now
        )
    }
    warm_up = time.perf_counter() - started
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        result = what_if(portfolio, scenario, options, cache)
        times.append(time.perf_counter() - started)
    worst = result.diffs[0]
    print(
        json.dumps(
            {
                "benchmark": "whatif",
                "projects": PROJECTS,
                "items_per_project": ITEMS,
                "people": PEOPLE,
                "staffed_projects": len({a.project for a in portfolio.allocations}),
                "trials": args.trials,
                "moved": MOVED,
                "touched_projects": len(result.touched),
                "cache_fill_s": round(warm_up, 2),
                "median_s": round(statistics.median(times), 3),
                "runs_s": [round(t, 3) for t in times],
                "target_s": 2.0,
                "most_harmed": {
                    "commitment": worst.commitment,
                    "on_time": [worst.before.on_time, worst.after.on_time],
                    "p85": [str(worst.before.p85), str(worst.after.p85)],
                },
                "still_progressing": len(result.progress),
            }
        )
    )


if __name__ == "__main__":
    main()
