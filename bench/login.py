"""Benchmark the login's refusals: a wrong password and an unknown name must take as long.

A user is stored in a real SQLite file; the app (in process, over HTTP semantics via the
test client) is asked to log in 30 times with a wrong password and 30 times with a name
that does not exist, interleaved, the failures forgotten after each so the rate limit
never answers first. Prints one JSON line: the median and p90 of each, and their ratio (the
target: within 10 % of each other, as an attacker timing the answers would need more).

    .venv/bin/python bench/login.py [--tries 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword, open_keepword
from keepword.config import Settings
from keepword.domain.access import Actor, Role
from keepword.services import accounts
from keepword.web.app import create_app

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TARGET_RATIO = 1.10


def _forget_failures(keepword: Keepword) -> None:
    # Each try as if from a new address: the rate limit must not answer before the check.
    with keepword.uow(write=True) as work:
        work.login_failures.forget_before(datetime.max.replace(tzinfo=UTC))
        work.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(f"sqlite:///{Path(folder) / 'login.db'}", "bench", fixed_now=NOW)
        keepword = open_keepword(settings, migrate=True)
        operator = Actor("bench", Role.ADMIN)
        accounts.add_user(
            keepword.uow, "beth", Role.DELIVERY_LEAD, "a long passphrase", actor=operator, now=NOW
        )
        times: dict[str, list[float]] = {"wrong password": [], "unknown name": []}
        with TestClient(create_app(keepword, allowed_hosts=["testserver"])) as client:
            for n in range(args.tries + 1):
                for kind, name in (("wrong password", "beth"), ("unknown name", f"nobody{n}")):
                    began = time.perf_counter()
                    answer = client.post(
                        "/login", data={"name": name, "password": "not the password"}
                    )
                    elapsed = time.perf_counter() - began
                    _forget_failures(keepword)
                    if answer.status_code != 401:
                        raise SystemExit(f"{kind}: {answer.status_code}")
                    if n:  # the first of each warms up
                        times[kind].append(elapsed)
        keepword.close()
    medians = {k: statistics.median(v) * 1000 for k, v in times.items()}
    ratio = max(medians.values()) / min(medians.values())
    print(
        json.dumps(
            {
                "benchmark": "login",
                "tries": args.tries,
                **{f"{k.replace(' ', '_')}_median_ms": round(m, 1) for k, m in medians.items()},
                **{
                    f"{k.replace(' ', '_')}_p90_ms": round(float(np.percentile(v, 90)) * 1000, 1)
                    for k, v in times.items()
                },
                "ratio": round(ratio, 3),
                "target_ratio": TARGET_RATIO,
                "meets_target": ratio <= TARGET_RATIO,
            }
        )
    )


if __name__ == "__main__":
    main()
