"""Backtest every history in shared/data/histories and print per-history and pooled scores.

    .venv/bin/python bench/calibration.py [--model recalibrated] [--seed 2024] [--trials 4000]

One JSON line per history and K, then one pooled line per K: coverage of P50/P85/P95
(share of origins whose actual date is on or before the forecast), pinball loss at 0.85
in days, and its ratio to the straight-line projection's (the median over histories).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np

from keepword.adapters.histories import read_history
from keepword.forecast.backtest import MODELS, OriginForecast, backtest, pinball

HISTORIES = Path(
    os.environ.get(
        "KEEPWORD_HISTORIES",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "histories",
    )
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODELS, default="recalibrated")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--trials", type=int, default=4000)
    args = parser.parse_args()
    started = time.perf_counter()
    forecasts: list[OriginForecast] = []
    ratios: dict[int, list[float]] = {10: [], 30: []}
    for file in sorted(HISTORIES.glob("*.csv")):
        result = backtest(
            read_history(file).done_dates(),
            np.random.default_rng(args.seed),
            model=args.model,
            trials=args.trials,
        )
        forecasts += result.forecasts
        for score in result.scores:
            ratio = score.pinball_85 / score.straight_line_pinball_85
            ratios[score.k].append(ratio)
            print(
                json.dumps(
                    {
                        "history": file.stem,
                        "k": score.k,
                        "origins": score.origins,
                        "p50": round(score.coverage_p50, 3),
                        "p85": round(score.coverage_p85, 3),
                        "p95": round(score.coverage_p95, 3),
                        "pinball_85": round(score.pinball_85, 2),
                        "straight_line_pinball_85": round(score.straight_line_pinball_85, 2),
                        "ratio": round(ratio, 3),
                    }
                )
            )
    for k in (10, 30):
        rows = [f for f in forecasts if f.k == k]
        actual = [(f.actual - f.origin).days for f in rows]

        def covered(attribute: str, rows: list[OriginForecast] = rows) -> float:
            return sum(bool(f.actual <= getattr(f, attribute)) for f in rows) / len(rows)

        print(
            json.dumps(
                {
                    "history": "POOLED",
                    "model": args.model,
                    "k": k,
                    "origins": len(rows),
                    "p50": round(covered("p50"), 3),
                    "p85": round(covered("p85"), 3),
                    "p95": round(covered("p95"), 3),
                    "pinball_85": round(
                        pinball(actual, [(f.p85 - f.origin).days for f in rows]), 2
                    ),
                    "straight_line_pinball_85": round(
                        pinball(actual, [(f.straight_line - f.origin).days for f in rows]), 2
                    ),
                    "median_ratio": round(statistics.median(ratios[k]), 3),
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
