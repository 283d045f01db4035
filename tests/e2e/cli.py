"""Run the installed ``keepword`` entry point as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

KEEPWORD = Path(sys.executable).with_name("keepword")


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def clean_env(home: Path) -> dict[str, str]:
    """The environment of a new user: their own home, no Keepword settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEEPWORD_")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / ".local" / "share"), COLUMNS="200")
    return env


def at(moment: str) -> dict[str, str]:
    """This process's environment with the clock fixed at ``moment`` (``$KEEPWORD_NOW``)."""
    return {**os.environ, "COLUMNS": "200", "KEEPWORD_NOW": moment}


MONDAY = at("2026-11-23T09:00:00Z")  # the demo's Monday, 09:00 UTC


def keepword(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    input: str | None = None,
    cwd: Path | None = None,
) -> Run:
    if env is None:
        env = {**os.environ, "COLUMNS": "200"}
    done = subprocess.run(
        [str(KEEPWORD), *args],
        capture_output=True,
        input=input,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )
    return Run(done.returncode, done.stdout, done.stderr)


PASSWORD = "seven lanterns over the quay"


def add_user(db: str, name: str, role: str, env: dict[str, str], client: str | None = None) -> None:
    """``keepword user add`` with the test password (on standard input), as an operator."""
    extra = ["--client", client] if client else []
    args = ["--db", db, "user", "add", name, "--role", role, *extra, "--password-stdin"]
    added = keepword(*args, env=env, input=PASSWORD + "\n")
    assert added.code == 0, added.stderr
