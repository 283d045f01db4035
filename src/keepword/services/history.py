"""Import a project's completed-item history, the evidence behind throughput forecasts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from keepword.domain.access import Action, Actor, requires
from keepword.domain.project import CompletedItem
from keepword.services.ports import UnitOfWorkFactory
from keepword.services.watch import record_change


@dataclass(frozen=True)
class HistoryImport:
    """What an import did to one project's history."""

    project: str
    added: int
    updated: int
    unchanged: int
    total: int


@requires(Action.LOAD_PORTFOLIO)
def import_history(
    uow: UnitOfWorkFactory,
    project_id: str,
    items: Sequence[CompletedItem],
    *,
    actor: Actor,
    now: datetime,
) -> HistoryImport:
    """Merge ``items`` into the project's history by id (a later row of an id wins)."""
    with uow(write=True) as work:
        before = work.portfolio.get()
        project = before.project(project_id)
        merged = {item.id: item for item in project.history}
        old = dict(merged)
        for item in items:
            merged[item.id] = item
        history = tuple(sorted(merged.values(), key=lambda i: (i.done, i.id)))
        after = before.with_project(replace(project, history=history))
        added = sum(1 for key in merged if key not in old)
        updated = sum(1 for key in old if merged[key] != old[key])
        events = record_change(work, before, after, actor=actor.name, now=now, today=now.date())
        if events:
            work.commit()
    return HistoryImport(project_id, added, updated, len(old) - updated, len(history))
