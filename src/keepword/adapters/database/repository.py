"""Read and write the portfolio and the event history through one database connection."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, func, insert, select

from keepword.adapters.database import tables as t
from keepword.adapters.planfile import scenario_from_data, scenario_to_data
from keepword.domain.calendar import TimeOff, WorkingCalendar
from keepword.domain.commitment import Baseline, Commitment, CommitmentState
from keepword.domain.events import Event, projects_of, snapshot
from keepword.domain.people import Allocation, Person, Skill
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import (
    Client,
    CompletedItem,
    Dependency,
    Estimate,
    ItemStatus,
    Phase,
    Project,
    WorkItem,
)


class PortfolioRepository:
    """The whole portfolio as one value: read it, or replace it."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def get(self) -> Portfolio:
        """The portfolio as stored, every list in its stored order."""
        return Portfolio(
            skills=tuple(Skill(r.id, r.name) for r in self._rows(t.skills)),
            clients=tuple(Client(r.id, r.name, r.contact) for r in self._rows(t.clients)),
            people=self._people(),
            projects=self._projects(),
            allocations=tuple(
                Allocation(r.person_id, r.project_id, r.fraction, r.start, r.end, r.over_allocation)
                for r in self._rows(t.allocations)
            ),
            commitments=self._commitments(),
            scenarios=tuple(
                scenario_from_data(
                    {"id": r.id, "name": r.name, "description": r.description, "changes": r.changes}
                )
                for r in self._rows(t.scenarios)
            ),
        )

    def replace(self, portfolio: Portfolio) -> None:
        """Store ``portfolio`` in place of whatever was stored."""
        for table in t.PORTFOLIO_TABLES:
            self._db.execute(table.delete())
        self._insert(t.skills, [{"id": k.id, "name": k.name} for k in portfolio.skills])
        self._insert(
            t.clients,
            [{"id": c.id, "name": c.name, "contact": c.contact} for c in portfolio.clients],
        )
        self._insert_people(portfolio.people)
        self._insert_projects(portfolio.projects)
        self._insert(
            t.allocations,
            [
                {
                    "person_id": a.person,
                    "project_id": a.project,
                    "fraction": a.fraction,
                    "start": a.start,
                    "end": a.end,
                    "over_allocation": a.over_allocation,
                }
                for a in portfolio.allocations
            ],
        )
        self._insert_commitments(portfolio.commitments)
        self._insert(
            t.scenarios,
            [
                {
                    "id": s.id,
                    "name": s.name,
                    "description": s.description,
                    "changes": snapshot(scenario_to_data(s).get("changes", [])),
                }
                for s in portfolio.scenarios
            ],
        )

    # --- reading ---------------------------------------------------------------------------

    def _rows(self, table: Table) -> Sequence[Row[Any]]:
        order = [table.c.position] if "position" in table.c else []
        return self._db.execute(select(table).order_by(*order, *table.primary_key)).all()

    def _grouped(self, table: Table, key: str) -> dict[Any, list[Row[Any]]]:
        groups: dict[Any, list[Row[Any]]] = defaultdict(list)
        for row in self._rows(table):
            groups[getattr(row, key)].append(row)
        return groups

    def _people(self) -> tuple[Person, ...]:
        skills = self._grouped(t.person_skills, "person_id")
        time_off = self._db.execute(select(t.time_off).order_by(t.time_off.c.id)).all()
        off_by_person: dict[str, list[TimeOff]] = defaultdict(list)
        for r in time_off:
            off_by_person[r.person_id].append(TimeOff(r.start, r.end, r.reason))
        return tuple(
            Person(
                id=r.id,
                name=r.name,
                skills=tuple(s.skill_id for s in skills[r.id]),
                calendar=WorkingCalendar(
                    weekdays=tuple(int(d) for d in r.working_days.split(",")),
                    country=r.country,
                    subdivision=r.subdivision,
                    time_off=tuple(off_by_person[r.id]),
                    country_checked=True,
                ),
                email=r.email,
            )
            for r in self._rows(t.people)
        )

    def _projects(self) -> tuple[Project, ...]:
        phases = self._grouped(t.phases, "project_id")
        items = self._grouped(t.work_items, "project_id")
        history = self._grouped(t.completed_items, "project_id")
        external = self._grouped(t.project_dependencies, "project_id")
        dependencies: dict[tuple[str, str], list[str]] = defaultdict(list)
        for r in self._rows(t.item_dependencies):
            dependencies[(r.project_id, r.item_id)].append(r.depends_on)
        return tuple(
            Project(
                id=r.id,
                client=r.client_id,
                name=r.name,
                start=r.start,
                lead=r.lead_id,
                phases=tuple(Phase(p.id, p.name) for p in phases[r.id]),
                items=tuple(_item(i, dependencies[(r.id, i.id)]) for i in items[r.id]),
                history=tuple(
                    CompletedItem(h.id, h.done, h.started, h.kind, h.estimate, h.actual)
                    for h in history[r.id]
                ),
                dependencies=tuple(
                    Dependency(d.id, d.name, d.unstable, d.note) for d in external[r.id]
                ),
                disclosure_target=r.disclosure_target,
            )
            for r in self._rows(t.projects)
        )

    def _commitments(self) -> tuple[Commitment, ...]:
        phases = self._grouped(t.commitment_phases, "commitment_id")
        return tuple(
            Commitment(
                id=r.id,
                project=r.project_id,
                title=r.title,
                due=r.due,
                phases=tuple(p.phase_id for p in phases[r.id]),
                confidence=r.confidence,
                state=CommitmentState(r.state),
                made_by=r.made_by,
                made_to=r.made_to,
                made_on=r.made_on,
                fixed_date=r.fixed_date,
                baseline=_baseline(r.baseline),
            )
            for r in self._rows(t.commitments)
        )

    # --- writing ---------------------------------------------------------------------------

    def _insert(self, table: Table, rows: list[dict[str, Any]], ordered: bool = True) -> None:
        if not rows:
            return
        if ordered:
            rows = [{**row, "position": n} for n, row in enumerate(rows)]
        self._db.execute(insert(table), rows)

    def _insert_people(self, people: Iterable[Person]) -> None:
        people = list(people)
        self._insert(
            t.people,
            [
                {
                    "id": p.id,
                    "name": p.name,
                    "email": p.email,
                    "country": p.calendar.country,
                    "subdivision": p.calendar.subdivision,
                    "working_days": ",".join(str(d) for d in p.calendar.weekdays),
                }
                for p in people
            ],
        )
        self._insert(
            t.person_skills,
            [
                {"person_id": p.id, "skill_id": skill, "position": n}
                for p in people
                for n, skill in enumerate(p.skills)
            ],
            ordered=False,
        )
        self._insert(
            t.time_off,
            [
                {"person_id": p.id, "start": o.start, "end": o.end, "reason": o.reason}
                for p in people
                for o in p.calendar.time_off
            ],
            ordered=False,
        )

    def _insert_projects(self, projects: Iterable[Project]) -> None:
        projects = list(projects)
        self._insert(
            t.projects,
            [
                {
                    "id": p.id,
                    "client_id": p.client,
                    "name": p.name,
                    "start": p.start,
                    "lead_id": p.lead,
                    "disclosure_target": p.disclosure_target,
                }
                for p in projects
            ],
        )
        self._insert(
            t.project_dependencies,
            [
                {
                    "project_id": p.id,
                    "id": d.id,
                    "position": n,
                    "name": d.name,
                    "unstable": d.unstable,
                    "note": d.note,
                }
                for p in projects
                for n, d in enumerate(p.dependencies)
            ],
            ordered=False,
        )
        phases, items, dependencies, history = [], [], [], []
        for p in projects:
            phases += [
                {"project_id": p.id, "id": ph.id, "name": ph.name, "position": n}
                for n, ph in enumerate(p.phases)
            ]
            items += [_item_row(p.id, n, i) for n, i in enumerate(p.items)]
            dependencies += [
                {"project_id": p.id, "item_id": i.id, "depends_on": d, "position": n}
                for i in p.items
                for n, d in enumerate(i.depends_on)
            ]
            history += [
                {
                    "project_id": p.id,
                    "id": h.id,
                    "position": n,
                    "done": h.done,
                    "started": h.started,
                    "kind": h.kind,
                    "estimate": h.estimate,
                    "actual": h.actual,
                }
                for n, h in enumerate(p.history)
            ]
        self._insert(t.phases, phases, ordered=False)
        self._insert(t.work_items, items, ordered=False)
        self._insert(t.item_dependencies, dependencies, ordered=False)
        self._insert(t.completed_items, history, ordered=False)

    def _insert_commitments(self, commitments: Iterable[Commitment]) -> None:
        commitments = list(commitments)
        self._insert(
            t.commitments,
            [
                {
                    "id": c.id,
                    "project_id": c.project,
                    "title": c.title,
                    "due": c.due,
                    "confidence": c.confidence,
                    "state": c.state.value,
                    "made_by": c.made_by,
                    "made_to": c.made_to,
                    "made_on": c.made_on,
                    "fixed_date": c.fixed_date,
                    "baseline": snapshot(c.baseline),
                }
                for c in commitments
            ],
        )
        self._insert(
            t.commitment_phases,
            [
                {"commitment_id": c.id, "phase_id": phase, "position": n}
                for c in commitments
                for n, phase in enumerate(c.phases)
            ],
            ordered=False,
        )


class EventLog:
    """The append-only event history."""

    def __init__(self, connection: Connection) -> None:
        self._db = connection

    def append(self, events: Iterable[Event]) -> int:
        events = list(events)
        rows = [
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "before": e.before,
                "after": e.after,
            }
            for e in events
        ]
        if not rows:
            return 0
        ids = self._db.execute(
            insert(t.events).returning(t.events.c.id, sort_by_parameter_order=True), rows
        ).scalars()
        links = [
            {"event_id": event_id, "project": project}
            for event_id, event in zip(ids, events, strict=True)
            for project in sorted(projects_of(event))
        ]
        if links:
            self._db.execute(insert(t.event_projects), links)
        return len(rows)

    def count(self) -> int:
        return int(self._db.execute(select(func.count()).select_from(t.events)).scalar_one())

    def version(self) -> str:
        # The count as well as the newest id: a transaction that took a lower id but
        # committed later still changes the version.
        count, newest = self._db.execute(
            select(func.count(), func.max(t.events.c.id)).select_from(t.events)
        ).one()
        return f"{count}:{newest or 0}"

    def about_project(
        self, project: str, limit: int | None = None, excluding: Collection[str] = ()
    ) -> list[Event]:
        """The events about ``project`` (domain.events.projects_of) but of the kinds
        ``excluding`` names, newest first."""
        query = (
            select(t.events)
            .join(t.event_projects, t.event_projects.c.event_id == t.events.c.id)
            .where(t.event_projects.c.project == project)
            .order_by(t.events.c.id.desc())
            .limit(limit)
        )
        if excluding:
            query = query.where(t.events.c.entity.not_in(list(excluding)))
        return [_event(row) for row in self._db.execute(query)]

    def latest(
        self, limit: int = 50, entity: str | None = None, excluding: Collection[str] = ()
    ) -> list[Event]:
        """The newest ``limit`` events, newest first, optionally of one kind of entity and
        none of the kinds ``excluding`` names."""
        query = select(t.events).order_by(t.events.c.id.desc()).limit(limit)
        if entity is not None:
            query = query.where(t.events.c.entity == entity)
        if excluding:
            query = query.where(t.events.c.entity.not_in(list(excluding)))
        return [_event(row) for row in self._db.execute(query)]


def _event(row: Row[Any]) -> Event:
    return Event(
        at=utc(row.at),
        actor=row.actor,
        action=row.action,
        entity=row.entity,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        id=row.id,
    )


def utc(moment: datetime) -> datetime:
    """A stored time as read back, made aware: SQLite hands back naive datetimes, and
    Keepword stores UTC only."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc_or_none(moment: datetime | None) -> datetime | None:
    """:func:`utc` of a time that may be missing."""
    return None if moment is None else utc(moment)


def _baseline(data: dict[str, Any] | None) -> Baseline | None:
    if data is None:
        return None
    return Baseline(
        forecast_on=date.fromisoformat(data["forecast_on"]),
        on_time=float(data["on_time"]),
        p50=date.fromisoformat(data["p50"]),
        p85=date.fromisoformat(data["p85"]),
        scope_items=int(data["scope_items"]),
        effort=float(data["effort"]),
    )


def _item(row: Row[Any], depends_on: list[str]) -> WorkItem:
    estimate = (
        Estimate(row.optimistic, row.likely, row.pessimistic)
        if row.optimistic is not None
        else None
    )
    return WorkItem(
        id=row.id,
        title=row.title,
        phase=row.phase_id,
        skill=row.skill_id,
        estimate=estimate,
        depends_on=tuple(depends_on),
        status=ItemStatus(row.status),
        started=row.started,
        done=row.done,
        added=row.added,
    )


def _item_row(project: str, position: int, item: WorkItem) -> dict[str, Any]:
    estimate = item.estimate
    return {
        "project_id": project,
        "id": item.id,
        "position": position,
        "title": item.title,
        "phase_id": item.phase,
        "skill_id": item.skill,
        "optimistic": estimate.optimistic if estimate else None,
        "likely": estimate.likely if estimate else None,
        "pessimistic": estimate.pessimistic if estimate else None,
        "status": item.status.value,
        "started": item.started,
        "done": item.done,
        "added": item.added,
    }
