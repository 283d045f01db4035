"""Benchmark one change on a stored portfolio: an item done re-forecasts only its project.

The portfolio of bench/whatif.py (200 projects of 30 estimated items, 60 people), stored in
a real SQLite file and loaded once (timed as "load", which forecasts every commitment and
fills the cache). Then five items, each on a different staffed project, are marked done one
at a time, each through the same service the CLI uses: stored, recorded as events, the
touched project forecast again at 10,000 trials, signals raised. Prints one JSON line: the
median time of a change, and how many commitments each change forecast again.

    .venv/bin/python bench/change.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from keepword.bootstrap import Keepword, open_keepword
from keepword.config import Settings
from keepword.domain.access import Actor, Role
from keepword.domain.project import ItemStatus
from keepword.services.plan import set_item_status
from keepword.services.portfolio import load_portfolio
from whatif import TODAY, build_portfolio  # the sibling benchmark's portfolio (same folder)

BENCH = Actor("bench", Role.ADMIN)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    portfolio = build_portfolio()
    staffed = sorted({a.project for a in portfolio.allocations}, key=lambda p: int(p[1:]))
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"sqlite:///{folder}/bench.db", actor="bench")
        keepword = open_keepword(settings, migrate=True)
        uow = keepword.uow
        moment = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
        started = time.perf_counter()
        load_portfolio(uow, portfolio, actor=BENCH, now=moment, today=TODAY)
        load_s = time.perf_counter() - started
        times, refreshed = [], []
        for project in staffed[: args.runs]:
            moment += timedelta(minutes=1)
            started = time.perf_counter()
            set_item_status(uow, project, "i0", ItemStatus.DONE, on=TODAY, actor=BENCH, now=moment)
            times.append(time.perf_counter() - started)
            refreshed.append(_computed_at(keepword, moment))
        keepword.close()
    print(
        json.dumps(
            {
                "benchmark": "one change",
                "projects": len(portfolio.projects),
                "commitments": len(portfolio.commitments),
                "trials": 10_000,
                "load_s": round(load_s, 2),
                "median_s": round(statistics.median(times), 3),
                "runs_s": [round(t, 3) for t in times],
                "commitments_forecast_per_change": refreshed,
            }
        )
    )


def _computed_at(keepword: Keepword, moment: datetime) -> int:
    with keepword.uow() as work:
        return sum(1 for odds in work.forecasts.all().values() if odds.computed_at == moment)


if __name__ == "__main__":
    main()
