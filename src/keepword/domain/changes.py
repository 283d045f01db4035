"""What changed between two portfolios, as events: one per entity created, changed or removed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from keepword.domain.events import Event, JSONValue, snapshot
from keepword.domain.portfolio import Portfolio

EntityKey = tuple[str, str]  # (entity kind, entity id)


def _entities(portfolio: Portfolio) -> dict[EntityKey, JSONValue]:
    found: dict[EntityKey, JSONValue] = {}
    for skill in portfolio.skills:
        found[("skill", skill.id)] = snapshot(skill)
    for client in portfolio.clients:
        found[("client", client.id)] = snapshot(client)
    for person in portfolio.people:
        found[("person", person.id)] = snapshot(person)
    for project in portfolio.projects:
        found[("project", project.id)] = snapshot(replace(project, items=(), history=()))
        for item in project.items:
            found[("item", f"{project.id}/{item.id}")] = snapshot(item)
        if project.history:
            found[("history", project.id)] = snapshot(project.history)
    seen: Counter[str] = Counter()
    for allocation in portfolio.allocations:
        key = f"{allocation.person}@{allocation.project}/{allocation.start}"
        seen[key] += 1
        if seen[key] > 1:
            key += f"#{seen[key]}"
        found[("allocation", key)] = snapshot(allocation)
    for commitment in portfolio.commitments:
        found[("commitment", commitment.id)] = snapshot(commitment)
    for scenario in portfolio.scenarios:
        found[("scenario", scenario.id)] = snapshot(scenario)
    return found


def portfolio_changes(
    before: Portfolio, after: Portfolio, *, actor: str, at: datetime
) -> list[Event]:
    """Events that take ``before`` to ``after``, in a stable order; none if they are equal."""
    old, new = _entities(before), _entities(after)

    def events() -> Iterator[Event]:
        for key, value in new.items():
            if key not in old:
                yield Event(at, actor, "created", key[0], key[1], None, value)
            elif old[key] != value:
                yield Event(at, actor, "changed", key[0], key[1], old[key], value)
        for key, value in old.items():
            if key not in new:
                yield Event(at, actor, "removed", key[0], key[1], value, None)

    return list(events())
