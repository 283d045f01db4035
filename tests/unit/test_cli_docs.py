"""Every command and every environment setting is in the README, so a new user finds it."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from keepword.cli.main import app

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
SETTINGS = ("KEEPWORD_DATABASE_URL", "KEEPWORD_ACTOR", "KEEPWORD_NOW", "KEEPWORD_TEMPLATES")


def _commands() -> list[str]:
    root = typer.main.get_command(app)
    found: list[str] = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", {})
        found += [f"{name} {sub}" for sub in subcommands] or [name]
    return found


def test_every_command_is_in_the_readme() -> None:
    missing = [c for c in _commands() if not re.search(rf"keepword {re.escape(c)}\b", README)]
    assert missing == []


def test_every_setting_is_in_the_readme() -> None:
    assert [s for s in SETTINGS if s not in README] == []
