"""How much text a person may type into each kind of field, and what no text may hold.

One rule for the API, the pages and the files: a name or title is short, a note a
paragraph, a message to a client a long email. No text holds a NUL character: PostgreSQL
cannot store one, and no person types one.
"""

from __future__ import annotations

from typing import TypeVar

from keepword.domain.errors import InvalidValue

T = TypeVar("T")

ID_MAX = 80  # an id (domain.ids)
TEXT_MAX = 2_000  # a name, title or paragraph: an impact, a reason, one recovery step
LIST_MAX = 1_000  # entries in one list: skills, dependencies, phases, own factors
LINES_MAX = 20_000  # several paragraphs, one entry a line: own factors, recovery steps
MESSAGE_MAX = 100_000  # a message to a client, in Markdown

NUL = "\x00"
NUL_REFUSED = "must not contain NUL characters"


def holds_nul(value: object) -> bool:
    """Whether ``value`` (a text, or lists and mappings of them) holds a NUL anywhere."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, list | tuple):
        return any(holds_nul(v) for v in value)
    if isinstance(value, dict):
        return any(holds_nul(k) or holds_nul(v) for k, v in value.items())
    return False


def refuse_nul(value: T) -> T:
    """``value`` unchanged, or ``ValueError`` when it holds a NUL (a schema's validator)."""
    if holds_nul(value):
        raise ValueError(NUL_REFUSED)
    return value


def too_long(limit: int) -> str:
    return f"at most {limit:,} characters"


def check_text(value: str, field: str, limit: int) -> str:
    """``value`` unchanged, or :class:`InvalidValue` on ``field`` when it holds a NUL or
    runs past ``limit`` characters."""
    if NUL in value:
        raise InvalidValue(f"{field}: {NUL_REFUSED}", field)
    if len(value) > limit:
        raise InvalidValue(f"{field}: {too_long(limit)} ({len(value):,} given)", field)
    return value
