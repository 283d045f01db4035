"""Read a delivery-history CSV (the format of ``shared/data/histories``) for backtests.

Columns: ``project,item_id,created,started,done,kind,points,size,estimate_hours,actual_hours``.
Dates are ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM:SSZ`` (UTC) or ``YYYY-MM-DDTHH:MM:SS`` (no
zone, taken as written); only the day is kept. A row without a usable ``done`` date, or
with a malformed date or number, is rejected with its line number and a reason. Odd but
real orderings (done before started or created) are kept and noted, not rejected.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from keepword.domain.text import NUL

COLUMNS = (
    "project",
    "item_id",
    "created",
    "started",
    "done",
    "kind",
    "points",
    "size",
    "estimate_hours",
    "actual_hours",
)
REQUIRED_COLUMNS = ("item_id", "done")

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})Z?)?")


class BadValue(ValueError):
    """A cell that cannot be read; the message is the rejection reason."""


@dataclass(frozen=True)
class HistoryItem:
    """One accepted row: a completed item."""

    line: int
    project: str
    item_id: str
    kind: str
    done: date
    started: date | None
    created: date | None
    estimate_hours: float | None
    actual_hours: float | None


@dataclass(frozen=True)
class RowProblem:
    """A rejected row or a note on an accepted one, by line number in the file."""

    line: int
    message: str


@dataclass(frozen=True)
class History:
    """What was read from one file: accepted items, rejected rows and notes."""

    items: tuple[HistoryItem, ...]
    rejected: tuple[RowProblem, ...]
    notes: tuple[RowProblem, ...]

    def done_dates(self, exclude_kinds: Iterable[str] = ("bot",)) -> list[date]:
        """Done dates of the items, leaving out the given kinds (bots by default)."""
        excluded = {k.lower() for k in exclude_kinds}
        return [item.done for item in self.items if item.kind.lower() not in excluded]


def parse_date(text: str, column: str) -> date | None:
    """A date from one of the accepted formats; None when the cell is empty."""
    text = text.strip()
    if not text:
        return None
    match = _DATE.fullmatch(text)
    if match is None:
        raise BadValue(f"{column}: {text!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[Z]")
    year, month, day, hour, minute, second = match.groups()
    try:
        value = date(int(year), int(month), int(day))
    except ValueError as error:
        raise BadValue(f"{column}: {text!r} is not a real date ({error})") from None
    if hour is not None and (int(hour) > 23 or int(minute) > 59 or int(second) > 59):
        raise BadValue(f"{column}: {text!r} has an impossible time")
    return value


def parse_hours(text: str, column: str) -> float | None:
    """A non-negative number of hours; None when the cell is empty."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadValue(f"{column}: {text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise BadValue(f"{column}: {text!r} is not a non-negative number of hours")
    return value


def read_history_text(text: str) -> History:
    """Read history CSV text (see the module docstring for the format)."""
    if NUL in text:  # no cell means one, and PostgreSQL cannot store it
        line = text.count("\n", 0, text.index(NUL)) + 1
        raise BadValue(f"line {line}: a NUL character, which no cell may hold")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise BadValue(f"line 1: the header lacks column(s) {', '.join(missing)}")
    items: list[HistoryItem] = []
    rejected: list[RowProblem] = []
    notes: list[RowProblem] = []
    for row in reader:
        # The line the row ends on: exact for the usual one-line rows, blank lines included.
        line = reader.line_num
        if None in row:
            rejected.append(RowProblem(line, f"{len(row[None])} more cell(s) than the header"))
            continue
        cells = {name: (row.get(name) or "") for name in COLUMNS}
        if not cells["item_id"].strip():
            rejected.append(RowProblem(line, "item_id is empty"))
            continue
        try:
            done = parse_date(cells["done"], "done")
            started = parse_date(cells["started"], "started")
            created = parse_date(cells["created"], "created")
            estimate = parse_hours(cells["estimate_hours"], "estimate_hours")
            actual = parse_hours(cells["actual_hours"], "actual_hours")
        except BadValue as error:
            rejected.append(RowProblem(line, str(error)))
            continue
        if done is None:
            rejected.append(RowProblem(line, "done is empty"))
            continue
        if started is not None and done < started:
            notes.append(RowProblem(line, f"done {done} is before started {started}"))
        if created is not None and done < created:
            notes.append(RowProblem(line, f"done {done} is before created {created}"))
        items.append(
            HistoryItem(
                line=line,
                project=cells["project"].strip(),
                item_id=cells["item_id"].strip(),
                kind=cells["kind"].strip(),
                done=done,
                started=started,
                created=created,
                estimate_hours=estimate,
                actual_hours=actual,
            )
        )
    return History(tuple(items), tuple(rejected), tuple(notes))


def read_history(path: Path) -> History:
    """Read a history CSV file."""
    return read_history_text(path.read_text(encoding="utf-8-sig"))
