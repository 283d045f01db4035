"""What an id may be: the same rule for a plan file, a form, the API and the gate."""

from __future__ import annotations

import re

VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
ID_RULE = "use letters, digits, '.', '_' and '-', starting with a letter or digit (at most 80)"


def is_valid_id(value: str) -> bool:
    """Whether ``value`` is an id a plan file accepts."""
    return VALID_ID.fullmatch(value) is not None
