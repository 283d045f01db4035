"""Domain errors: raised by the core, mapped to exit codes and HTTP statuses at the edge."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PathPart = str | int
Path = tuple[PathPart, ...]


def format_path(path: Path) -> str:
    """Render ``("projects", 2, "items", 5, "estimate")`` as ``projects[2].items[5].estimate``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class KeepwordError(Exception):
    """Base of every error a user can cause; the edge turns it into a clean message."""


class InvalidValue(KeepwordError, ValueError):
    """A value breaks a rule of the domain; ``field`` names the offending field, if one does."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(KeepwordError):
    """Something asked for by id does not exist."""


class InvalidTransition(KeepwordError):
    """A state change that the state machine does not allow."""


@dataclass(frozen=True)
class Problem:
    """One located problem: where (a path into the portfolio) and what."""

    path: Path
    message: str

    def __str__(self) -> str:
        where = format_path(self.path)
        return f"{where}: {self.message}" if where else self.message


class InvalidPortfolio(KeepwordError):
    """A portfolio (or a plan file) breaks one or more rules; all problems are listed."""

    def __init__(self, problems: Sequence[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__("\n".join(str(p) for p in self.problems))


class InvalidLines(KeepwordError):
    """A file or a pasted text refused whole: every line that cannot be taken, by number."""

    def __init__(self, source: str, faults: Sequence[tuple[int, str]], what: str) -> None:
        self.source = source
        self.faults = sorted(faults)
        lines = [f"{source}:{line}: {message}" for line, message in self.faults]
        rows = "row" if len(self.faults) == 1 else "rows"
        summary = f"{source}: {len(self.faults)} {rows} cannot be {what}; nothing was {what}"
        super().__init__("\n".join([*lines, summary]))


class InvalidFields(KeepwordError):
    """Fields of one edit break rules: each field named with what is wrong with it, so that a
    form can show every message beside its field and an API can list them."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
