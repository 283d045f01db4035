"""Benchmark how long a person waits for the command line: whole `keepword` processes.

Times `keepword --help` and `keepword portfolio` on the demo portfolio (loaded into a fresh
SQLite file, its forecasts cached by a first run), each as a whole process started from the
shell, as a person runs it. Prints one JSON line per command: the median and the spread of
the runs, and the machine's load average beside them (a busy machine is slower).

    .venv/bin/python bench/cli.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEEPWORD = Path(sys.executable).parent / "keepword"
DEMO = ROOT / "examples" / "demo.yaml"
DEMO_DAY = "2026-11-23T09:00:00Z"


def _run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run([str(KEEPWORD), *args], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("KEEPWORD_")},
            "HOME": folder,
            "XDG_DATA_HOME": folder,
            "KEEPWORD_NOW": DEMO_DAY,
        }
        db = str(Path(folder) / "demo.db")
        _run(["--db", db, "init"], env)
        _run(["--db", db, "load", str(DEMO)], env)
        _run(["--db", db, "portfolio"], env)  # forecasts the demo once, into the cache
        for name, command in (("--help", ["--help"]), ("portfolio", ["--db", db, "portfolio"])):
            times = [_run(command, env) for _ in range(args.runs)]
            print(
                json.dumps(
                    {
                        "benchmark": f"keepword {name}",
                        "runs": args.runs,
                        "median_s": round(statistics.median(times), 3),
                        "min_s": round(min(times), 3),
                        "max_s": round(max(times), 3),
                        "load_average": round(os.getloadavg()[0], 2),
                    }
                )
            )


if __name__ == "__main__":
    main()
