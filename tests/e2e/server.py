"""Start ``keepword serve`` (or ``demo``) as a real server process on a free port."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from fastapi.testclient import TestClient

from tests.e2e.cli import KEEPWORD, PASSWORD


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    """Run ``keepword ARGS --port N`` until /healthz answers; the process and its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [str(KEEPWORD), *args, "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.communicate()[1]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("server did not answer /healthz within 30 s")


def stop_server(server: subprocess.Popen[str]) -> str:
    """Stop the server; its standard output."""
    server.terminate()
    output, _ = server.communicate(timeout=10)
    return output


@contextmanager
def logged_in(base: str, name: str, password: str = PASSWORD) -> Iterator[httpx.Client]:
    """An HTTP client of the server at ``base`` logged in as ``name``."""
    with httpx.Client(base_url=base, timeout=30) as client:
        log_in(client, name, password)
        yield client


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def log_in(client: httpx.Client | TestClient, name: str, password: str = PASSWORD) -> str:
    """Log ``client`` (an httpx or a Starlette test client) in as ``name``; it then sends the
    session's CSRF token with every request, as the pages' forms and HTMX do. The token."""
    answer = client.post(
        "/login", data={"name": name, "password": password}, follow_redirects=False
    )
    assert answer.status_code == 303, f"login as {name}: {answer.status_code}"
    token = _CSRF.search(client.get("/account").text)
    assert token is not None, "the account page has no CSRF token"
    client.headers["X-CSRF-Token"] = token.group(1)
    return token.group(1)
