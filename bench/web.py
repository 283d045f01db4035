"""Benchmark the dashboard: 200 projects, 20 concurrent clients, forecasts from the cache.

The portfolio of bench/whatif.py (200 projects of 30 estimated items, 60 people, one
commitment each) is stored in a real SQLite file and loaded once, which forecasts every
commitment and fills the cache. `keepword serve --workers N` (default: one web process per
core) then runs beside, its clock on the load's day so that the cache is fresh, and 20
clients ask for the dashboard at once, each as fast as it is answered. Prints one JSON
line: latency percentiles over every request (after a warm-up), the throughput, and the
targets (p95 100 ms, p99 150 ms; p95 150 ms with writes). The first request, which builds
the page from the stored portfolio and the forecast cache, is timed on its own; the page is
then served from memory until anything stored changes.

    .venv/bin/python bench/web.py [--clients 20] [--requests 25] [--path /] [--workers N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import numpy as np

from keepword.bootstrap import open_keepword
from keepword.config import Settings
from keepword.domain.access import Actor, Role
from keepword.services import accounts
from keepword.services.portfolio import load_portfolio
from whatif import TODAY, build_portfolio  # the sibling benchmark's portfolio (same folder)

BENCH = Actor("bench", Role.ADMIN)
USER, PASSWORD = "bench-lead", "a benchmark passphrase"  # the readers' session
NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 9, 0, tzinfo=UTC)
KEEPWORD = Path(sys.executable).with_name("keepword")
# The targets: readers alone, and readers while an item is marked done each second.
TARGET_P95_MS, TARGET_P99_MS, TARGET_P95_WRITING_MS = 100.0, 150.0, 150.0


def _load(path: Path) -> tuple[float, str]:
    """Load the portfolio (timed) and add the benchmark's user; the load's seconds and the
    writer's personal access token."""
    keepword = open_keepword(
        Settings(database_url=f"sqlite:///{path}", actor="bench"), migrate=True
    )
    started = time.perf_counter()
    load_portfolio(keepword.uow, build_portfolio(), actor=BENCH, now=NOW, today=TODAY)
    loaded = time.perf_counter() - started
    accounts.add_user(keepword.uow, USER, Role.DELIVERY_LEAD, PASSWORD, actor=BENCH, now=NOW)
    lead = Actor(USER, Role.DELIVERY_LEAD)
    _, token = accounts.create_token(keepword.uow, "writer", actor=lead, now=NOW)
    keepword.close()
    return loaded, token


def _session(base: str) -> dict[str, str]:
    """The cookie of one logged-in session, shared by every reading client."""
    answer = httpx.post(f"{base}/login", data={"name": USER, "password": PASSWORD})
    if answer.status_code != 303:
        raise SystemExit(f"login failed: {answer.status_code}")
    return dict(answer.cookies)


def _serve(path: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "KEEPWORD_NOW": NOW.isoformat()}
    server = subprocess.Popen(
        [str(KEEPWORD), "--db", str(path), "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(f"server did not start: {server.communicate()[1].decode()}")


def _writer(
    base: str,
    token: str,
    items: list[tuple[str, str]],
    every: float,
    stop: threading.Event,
    out: list[float],
) -> None:
    """Mark one item done every ``every`` seconds through the API, as a team at work would:
    each write re-forecasts a project and makes the next dashboard a fresh build."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30, headers=headers) as client:
        for project, item in items:
            if stop.wait(every):
                break
            began = time.perf_counter()
            response = client.post(f"{base}/api/v1/projects/{project}/items/{item}/done")
            if response.status_code != 200:
                raise SystemExit(f"write failed: {response.status_code} {response.text}")
            out.append(time.perf_counter() - began)


def _client(
    port: int,
    path: str,
    cookies: dict[str, str],
    count: int,
    start: threading.Barrier,
    out: list[float],
) -> None:
    """One reader on its own kept-alive connection, asking again as soon as answered.

    The standard library's client, not httpx: twenty clients share the server's two cores,
    and the lighter each request is on this side, the more of the latency measured is the
    server's.
    """
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        start.wait()
        for _ in range(count):
            began = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - began
            if response.status != 200:
                raise SystemExit(f"{path}: {response.status}")
            out.append(elapsed)
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="per client")
    parser.add_argument("--path", default="/")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1,
        help="web processes, as `keepword serve --workers` (default: one per core)",
    )  # fmt: skip
    parser.add_argument(
        "--write-every", type=float, default=0.0,
        help="also mark an item done every this many seconds (0: no writes)",
    )  # fmt: skip
    args = parser.parse_args()
    load_average = round(os.getloadavg()[0], 2)  # the machine's, before this run adds its own
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        load_s, token = _load(db)
        server = _serve(db, args.port, args.workers)
        base = f"http://127.0.0.1:{args.port}"
        url = base + args.path
        try:
            cookies = _session(base)
            with httpx.Client(timeout=30, cookies=cookies) as warm:
                began = time.perf_counter()
                page = warm.get(url)
                first_ms = (time.perf_counter() - began) * 1000
                rows = page.text.count("data-commitment=")
                if args.path == "/" and rows != 200:
                    raise SystemExit(f"the dashboard shows {rows} commitments, not 200")
            # The warm-up as the measured run, on as many connections: every web process
            # builds its page once before the clock starts.
            warming = threading.Barrier(args.clients)
            warmers = [
                threading.Thread(
                    target=_client, args=(args.port, args.path, cookies, 5, warming, [])
                )
                for _ in range(args.clients)
            ]
            for thread in warmers:
                thread.start()
            for thread in warmers:
                thread.join()
            latencies: list[float] = []
            start = threading.Barrier(args.clients)
            stop, writes = threading.Event(), list[float]()
            items = [(f"j{j}", "i1") for j in range(200)]
            writer = threading.Thread(
                target=_writer, args=(base, token, items, args.write_every, stop, writes)
            )
            if args.write_every:
                writer.start()
            threads = [
                threading.Thread(
                    target=_client,
                    args=(args.port, args.path, cookies, args.requests, start, latencies),
                )
                for _ in range(args.clients)
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - began
            stop.set()
            if args.write_every:
                writer.join()
        finally:
            server.terminate()
            server.wait(timeout=10)
    ms = np.array(latencies) * 1000
    p50, p95, p99 = (float(np.percentile(ms, q)) for q in (50, 95, 99))
    print(
        json.dumps(
            {
                "benchmark": "web",
                "path": args.path,
                "projects": 200,
                "commitments_shown": rows,
                "page_bytes": len(page.content),
                "clients": args.clients,
                "workers": args.workers,
                "requests": len(latencies),
                "writes": len(writes),
                "write_median_ms": round(statistics.median(writes) * 1000, 1) if writes else None,
                "load_s": round(load_s, 2),
                "first_request_ms": round(first_ms, 1),
                "p50_ms": round(p50, 1),
                "p95_ms": round(p95, 1),
                "p99_ms": round(p99, 1),
                "max_ms": round(float(ms.max()), 1),
                "mean_ms": round(statistics.fmean(ms), 1),
                "requests_per_s": round(len(latencies) / wall, 1),
                "load_average": load_average,
                **(
                    {
                        "target_p95_ms": TARGET_P95_WRITING_MS,
                        "meets_target": p95 <= TARGET_P95_WRITING_MS,
                    }
                    if args.write_every
                    else {
                        "target_p95_ms": TARGET_P95_MS,
                        "target_p99_ms": TARGET_P99_MS,
                        "meets_target": p95 <= TARGET_P95_MS and p99 <= TARGET_P99_MS,
                    }
                ),
            }
        )
    )


if __name__ == "__main__":
    main()
