"""A list of work items as a person pastes or types it: one item a line.

    Title of the item | optimistic/likely/pessimistic | skill | phase

Only the title is needed; a part left out or empty is not given (``Login page | | backend``
gives a skill and no estimate). Blank lines and lines starting with ``#`` are skipped.
What the parts must name (a skill, a phase of the project) is the service's to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from keepword.domain.errors import InvalidLines
from keepword.domain.text import TEXT_MAX

_ESTIMATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")
MAX_ITEMS = 1_000  # one paste is a prospect's scope, not a tracker's export


@dataclass(frozen=True)
class ItemLine:
    """One item as typed, with the number of its line."""

    line: int
    title: str
    estimate: tuple[float, float, float] | None = None
    skill: str | None = None
    phase: str | None = None


def read_item_lines(text: str, source: str = "<items>") -> list[ItemLine]:
    """The items of ``text``; :class:`InvalidLines` names every line that cannot be read."""
    items: list[ItemLine] = []
    faults: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) > 4:
            faults.append((number, "at most four parts: title | o/m/p | skill | phase"))
            continue
        title, estimate_text, skill, phase = [*parts, "", "", ""][:4]
        if not title:
            faults.append((number, "the item needs a title before the first '|'"))
            continue
        if len(title) > TEXT_MAX or "\x00" in title:
            faults.append((number, f"a title is at most {TEXT_MAX:,} characters of text"))
            continue
        estimate = None
        if estimate_text:
            found = _ESTIMATE.match(estimate_text)
            if found is None:
                faults.append(
                    (number, f"{estimate_text!r} is not an estimate such as 2/3/5 (days)")
                )
                continue
            low, likely, high = (float(g) for g in found.groups())
            estimate = (low, likely, high)
        items.append(ItemLine(number, title, estimate, skill or None, phase or None))
    if len(items) > MAX_ITEMS:
        faults.append((1, f"{len(items):,} items; one list holds at most {MAX_ITEMS:,}"))
    if not items and not faults:
        faults.append((1, "no items: one a line, 'Title | o/m/p | skill | phase'"))
    if faults:
        raise InvalidLines(source, faults, "added")
    return items
