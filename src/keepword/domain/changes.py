"""What changed between two portfolios, as events: one per entity created, changed or removed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from keepword.domain.events import Event, snapshot
from keepword.domain.portfolio import Portfolio

EntityKey = tuple[str, str]  # (entity kind, entity id)


def _entities(portfolio: Portfolio) -> dict[EntityKey, object]:
    """Every entity by key, as the domain value its event records (not yet a snapshot)."""
    found: dict[EntityKey, object] = {}
    for skill in portfolio.skills:
        found[("skill", skill.id)] = skill
    for client in portfolio.clients:
        found[("client", client.id)] = client
    for person in portfolio.people:
        found[("person", person.id)] = person
    for project in portfolio.projects:
        found[("project", project.id)] = replace(project, items=(), history=())
        for item in project.items:
            found[("item", f"{project.id}/{item.id}")] = item
        if project.history:
            found[("history", project.id)] = project.history
    seen: Counter[str] = Counter()
    for allocation in portfolio.allocations:
        key = f"{allocation.person}@{allocation.project}/{allocation.start}"
        seen[key] += 1
        if seen[key] > 1:
            key += f"#{seen[key]}"
        found[("allocation", key)] = allocation
    for commitment in portfolio.commitments:
        found[("commitment", commitment.id)] = commitment
    for scenario in portfolio.scenarios:
        found[("scenario", scenario.id)] = scenario
    return found


def portfolio_changes(
    before: Portfolio, after: Portfolio, *, actor: str, at: datetime
) -> list[Event]:
    """Events that take ``before`` to ``after``, in a stable order; none if they are equal."""
    old, new = _entities(before), _entities(after)

    # Domain values are compared first (an unchanged entity is usually the very same
    # object), and only what differs is turned into JSON: a change to one item of a large
    # portfolio snapshots that item, not the portfolio.
    def events() -> Iterator[Event]:
        for key, value in new.items():
            if key not in old:
                yield Event(at, actor, "created", key[0], key[1], None, snapshot(value))
            elif old[key] is not value and old[key] != value:
                was, now = snapshot(old[key]), snapshot(value)
                if was != now:
                    yield Event(at, actor, "changed", key[0], key[1], was, now)
        for key, value in old.items():
            if key not in new:
                yield Event(at, actor, "removed", key[0], key[1], snapshot(value), None)

    return list(events())
