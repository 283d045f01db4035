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


_BY_SNAPSHOT = ("allocation", "commitment", "signal", "communication", "incident")


def projects_of(event: Event) -> frozenset[str]:
    """The projects ``event`` is about: the project itself or its throughput history, one of
    its items (``project/item``), a record whose snapshot names the project (an allocation,
    commitment, signal, communication or incident), or the projects a scenario moves people
    from or to. Other events (people, clients, skills) are about no project."""
    if event.entity in ("project", "history"):
        return frozenset({event.entity_id})
    if event.entity == "item":
        return frozenset({event.entity_id.partition("/")[0]})
    snapshots = [s for s in (event.before, event.after) if isinstance(s, dict)]
    if event.entity in _BY_SNAPSHOT:
        return frozenset(str(s["project"]) for s in snapshots if s.get("project"))
    if event.entity == "scenario":
        return frozenset(
            str(change[side])
            for s in snapshots
            for change in s.get("changes", ())
            if isinstance(change, dict)
            for side in ("from_project", "to_project")
            if change.get(side)
        )
    return frozenset()
