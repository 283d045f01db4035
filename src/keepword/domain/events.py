"""The event history: every change is an append-only event with actor, time, before and after."""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime
from typing import Any

JSONValue = Any  # what json.dumps accepts; the storage layer serialises it


@dataclasses.dataclass(frozen=True)
class Event:
    """One change: ``actor`` did ``action`` to ``entity`` ``entity_id`` at ``at`` (UTC)."""

    at: datetime
    actor: str
    action: str  # created, changed, removed, or a domain verb such as committed
    entity: str  # client, person, project, item, allocation, commitment, scenario, ...
    entity_id: str
    before: JSONValue = None
    after: JSONValue = None
    id: int | None = None


def snapshot(value: object) -> JSONValue:
    """A JSON-safe copy of a domain object: dataclasses become dicts, dates ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: snapshot(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [snapshot(v) for v in value]
    if isinstance(value, dict):
        return {str(k): snapshot(v) for k, v in value.items()}
    return value
