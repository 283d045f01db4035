"""The README's demo walk-through runs as written, right after the demo is loaded."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from tests.conftest import ROOT
from tests.e2e.cli import clean_env, keepword

PREFIX = ".venv/bin/keepword "


def _demo_commands() -> list[list[str]]:
    """Every ``keepword --demo`` line of the README's shell blocks, in order, as arguments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    commands = []
    for block in blocks:
        for line in block.splitlines():
            if line.startswith(PREFIX + "--demo "):
                words = shlex.split(line[len(PREFIX) :], comments=True)
                commands.append(words)
    return commands


def test_the_readme_demo_walk_through_runs_as_written(tmp_path: Path) -> None:
    commands = _demo_commands()
    assert len(commands) >= 8
    env = clean_env(tmp_path)  # a new user: their own data directory, no settings
    assert keepword("demo", "--no-serve", env=env, cwd=tmp_path).code == 0
    for words in commands:
        ran = keepword(*words, env=env, cwd=tmp_path)
        assert ran.code == 0, f"{shlex.join(words)}\n{ran.stderr}"
        assert "Traceback" not in ran.stderr
    # The demo's day, not the machine's: the promise was made on the demo's Monday.
    history = keepword("--demo", "history", "--json", "--limit", "5", env=env, cwd=tmp_path)
    assert {event["at"] for event in json.loads(history.stdout)} == {"2026-11-23T09:00:00+00:00"}
    assert (tmp_path / "proposal-voice-bot.md").exists()
