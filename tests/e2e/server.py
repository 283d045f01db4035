"""Start ``keepword serve`` (or ``demo``) as a real server process on a free port."""

from __future__ import annotations

import socket
import subprocess
import time

import httpx

from tests.e2e.cli import KEEPWORD


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
