"""Read and write the portfolio and the event history through one database connection."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, Table, and_, bindparam, delete, func, insert, select, update

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


class StoredPortfolio:
    """The portfolio as stored at one version of the event history, shared by every unit of
    work on one database in this process.

    A portfolio is an immutable value and every change to it is recorded as events, so a
    reader that finds the history at the same version takes this one instead of reading
    thousands of rows again; a writer leaves here what it committed.
    """

    def __init__(self) -> None:
        self._latest: tuple[str, Portfolio] | None = None

    def at(self, version: str) -> Portfolio | None:
        latest = self._latest
        return latest[1] if latest is not None and latest[0] == version else None

    def latest(self) -> tuple[str, Portfolio] | None:
        return self._latest

    def remember(self, version: str, portfolio: Portfolio) -> None:
        self._latest = (version, portfolio)  # one assignment: threads see old or new


class PortfolioRepository:
    """The whole portfolio as one value: read it, or replace it."""

    def __init__(self, connection: Connection, shared: StoredPortfolio | None = None) -> None:
        self._db = connection
        self._shared = shared
        self._read: Portfolio | None = None  # as stored, last read or written here
        self._written = False

    def get(self) -> Portfolio:
        """The portfolio as stored, every list in its stored order."""
        if self._shared is None or self._written:
            self._read = self._portfolio()
            return self._read
        version = event_version(self._db)
        self._read = self._shared.at(version)
        if self._read is None:
            self._read = self._caught_up(self._shared.latest()) or self._portfolio()
            self._shared.remember(version, self._read)
        return self._read

    def _caught_up(self, known: tuple[str, Portfolio] | None) -> Portfolio | None:
        """``known`` brought up to date by reading again only the projects whose scope or
        history the events since changed: another web process marked an item done, say.
        None when the events since changed more than that, or on PostgreSQL, whose event ids
        can commit out of order."""
        if known is None or self._db.dialect.name != "sqlite":
            return None
        version, portfolio = known
        newer = self._db.execute(
            select(t.events.c.entity, t.event_projects.c.project)
            .select_from(t.events)
            .outerjoin(t.event_projects, t.event_projects.c.event_id == t.events.c.id)
            .where(t.events.c.id > int(version))
        ).all()
        if any(r.entity not in _WITHIN_PROJECTS | _NOT_IN_THE_PORTFOLIO for r in newer):
            return None
        changed = {r.project for r in newer if r.entity in _WITHIN_PROJECTS}
        if not changed <= {p.id for p in portfolio.projects}:
            return None
        fresh = {p.id: p for p in self._projects(changed)}
        return replace(portfolio, projects=tuple(fresh.get(p.id, p) for p in portfolio.projects))

    def committed(self, version: str) -> None:
        """What this unit of work wrote is now stored, at ``version`` of the history."""
        if self._shared is not None and self._written and self._read is not None:
            self._shared.remember(version, self._read)

    @property
    def written(self) -> bool:
        return self._written

    def _portfolio(self) -> Portfolio:
        return Portfolio(
            skills=tuple(Skill(r.id, r.name) for r in self._rows(t.skills)),
            clients=tuple(
                Client(r.id, r.name, r.contact, r.time_zone, r.first_contact_weekends)
                for r in self._rows(t.clients)
            ),
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
        """Store ``portfolio`` in place of whatever was stored.

        After a read in this unit of work, only the rows that differ from what was read are
        written: marking one item done updates one row, not the whole portfolio's thousands.
        Without one, every row is written again.
        """
        if self._read is None:
            rows = _portfolio_rows(portfolio)
            for table in t.PORTFOLIO_TABLES:
                self._db.execute(table.delete())
            for table in reversed(t.PORTFOLIO_TABLES):
                if rows[table]:
                    self._db.execute(insert(table), rows[table])
        else:
            # Rows of a project's scope and history are compared only for the projects that
            # changed: an unchanged project is the very object that was read.
            changed = _changed_projects(self._read, portfolio)
            self._write_changes(
                _portfolio_rows(self._read, changed), _portfolio_rows(portfolio, changed)
            )
        self._read = portfolio
        self._written = True

    def _write_changes(
        self, old: dict[Table, list[dict[str, Any]]], new: dict[Table, list[dict[str, Any]]]
    ) -> None:
        """Insert, update and delete the rows that differ between ``old`` (as stored) and
        ``new``: parents are written before their children, children deleted before their
        parents, so that every foreign key holds at every step."""
        deletions: list[tuple[Table, list[tuple[Any, ...]]]] = []
        for table in reversed(t.PORTFOLIO_TABLES):
            if old[table] == new[table]:
                continue
            if table in _SURROGATE_KEYED:
                # Rows without an id of their own in the domain: the table is written again.
                self._db.execute(table.delete())
                if new[table]:
                    self._db.execute(insert(table), new[table])
                continue
            columns = list(table.primary_key.columns)
            before = {tuple(r[c.name] for c in columns): r for r in old[table]}
            after = {tuple(r[c.name] for c in columns): r for r in new[table]}
            added = [r for k, r in after.items() if k not in before]
            changed = [r for k, r in after.items() if k in before and before[k] != r]
            if added:
                self._db.execute(insert(table), added)
            if changed:
                where = and_(*(c == bindparam(f"key_{c.name}") for c in columns))
                self._db.execute(
                    update(table).where(where),
                    [{**r, **{f"key_{c.name}": r[c.name] for c in columns}} for r in changed],
                )
            deletions.append((table, [k for k in before if k not in after]))
        for table, keys in reversed(deletions):
            if keys:
                columns = list(table.primary_key.columns)
                where = and_(*(c == bindparam(f"key_{c.name}") for c in columns))
                self._db.execute(
                    delete(table).where(where),
                    [{f"key_{c.name}": v for c, v in zip(columns, k, strict=True)} for k in keys],
                )

    # --- reading ---------------------------------------------------------------------------

    def _rows(self, table: Table, projects: Collection[str] | None = None) -> Sequence[Row[Any]]:
        order = [table.c.position] if "position" in table.c else []
        query = select(table).order_by(*order, *table.primary_key)
        if projects is not None:
            column = table.c.id if table is t.projects else table.c.project_id
            query = query.where(column.in_(projects))
        return self._db.execute(query).all()

    def _grouped(
        self, table: Table, key: str, projects: Collection[str] | None = None
    ) -> dict[Any, list[Row[Any]]]:
        groups: dict[Any, list[Row[Any]]] = defaultdict(list)
        for row in self._rows(table, projects):
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

    def _projects(self, only: Collection[str] | None = None) -> tuple[Project, ...]:
        """The stored projects (with ``only``, those of these ids), in their stored order."""
        phases = self._grouped(t.phases, "project_id", only)
        items = self._grouped(t.work_items, "project_id", only)
        history = self._grouped(t.completed_items, "project_id", only)
        external = self._grouped(t.project_dependencies, "project_id", only)
        dependencies: dict[tuple[str, str], list[str]] = defaultdict(list)
        for r in self._rows(t.item_dependencies, only):
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
            for r in self._rows(t.projects, only)
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
                approved_by=r.approved_by,
                baseline=_baseline(r.baseline),
            )
            for r in self._rows(t.commitments)
        )

    # --- writing ---------------------------------------------------------------------------


def event_version(db: Connection) -> str:
    """A token of the event history that changes with every event recorded."""
    if db.dialect.name == "sqlite":
        # SQLite has one writer at a time, so a later commit always has higher ids: the
        # newest id names the version, read from the key's index without counting rows.
        newest = db.execute(select(func.max(t.events.c.id))).scalar()
        return f"{newest or 0}"
    # On PostgreSQL a transaction that took a lower id may commit after one that took a
    # higher: the count changes then, though the newest id does not.
    count, newest = db.execute(
        select(func.count(), func.max(t.events.c.id)).select_from(t.events)
    ).one()
    return f"{count}:{newest or 0}"


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
        return event_version(self._db)

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
        below_target_reason=data.get("below_target_reason"),
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


# Events about these change one project's scope or history, and only that project's rows;
# events about these change nothing stored as the portfolio.
_WITHIN_PROJECTS = frozenset({"item", "history"})
_NOT_IN_THE_PORTFOLIO = frozenset({"signal", "communication", "incident"})

# Their rows have no id in the domain (an allocation is named by person, project and
# start; time off by person and days): a change to one writes the whole table again.
_SURROGATE_KEYED = frozenset({t.allocations, t.time_off})


def _positioned(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "position": n} for n, row in enumerate(rows)]


def _changed_projects(old: Portfolio, new: Portfolio) -> set[str]:
    """Ids of the projects added, removed or changed from ``old`` to ``new``."""
    before = {p.id: p for p in old.projects}
    after = {p.id: p for p in new.projects}
    return {
        project_id
        for project_id in before.keys() | after.keys()
        if before.get(project_id) is not after.get(project_id)
        and before.get(project_id) != after.get(project_id)
    }


def _portfolio_rows(
    portfolio: Portfolio, scoped: Collection[str] | None = None
) -> dict[Table, list[dict[str, Any]]]:
    """Every row of every portfolio table that ``portfolio`` is stored as; with ``scoped``,
    the rows of projects' scope and history (phases, items, their dependencies, completed
    items, external dependencies) only for those projects."""
    rows: dict[Table, list[dict[str, Any]]] = {}
    rows[t.skills] = _positioned([{"id": k.id, "name": k.name} for k in portfolio.skills])
    rows[t.clients] = _positioned(
        [
            {
                "id": c.id,
                "name": c.name,
                "contact": c.contact,
                "time_zone": c.time_zone,
                "first_contact_weekends": c.first_contact_weekends,
            }
            for c in portfolio.clients
        ]
    )
    people = portfolio.people
    rows[t.people] = _positioned(
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
        ]
    )
    rows[t.person_skills] = [
        {"person_id": p.id, "skill_id": skill, "position": n}
        for p in people
        for n, skill in enumerate(p.skills)
    ]
    rows[t.time_off] = [
        {"person_id": p.id, "start": o.start, "end": o.end, "reason": o.reason}
        for p in people
        for o in p.calendar.time_off
    ]
    projects = portfolio.projects
    rows[t.projects] = _positioned(
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
        ]
    )
    owning = projects if scoped is None else [p for p in projects if p.id in scoped]
    rows[t.project_dependencies] = [
        {
            "project_id": p.id,
            "id": d.id,
            "position": n,
            "name": d.name,
            "unstable": d.unstable,
            "note": d.note,
        }
        for p in owning
        for n, d in enumerate(p.dependencies)
    ]
    phases: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    dependencies: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for p in owning:
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
    rows[t.phases] = phases
    rows[t.work_items] = items
    rows[t.item_dependencies] = dependencies
    rows[t.completed_items] = history
    rows[t.allocations] = _positioned(
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
        ]
    )
    commitments = portfolio.commitments
    rows[t.commitments] = _positioned(
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
                "approved_by": c.approved_by,
                "baseline": snapshot(c.baseline),
            }
            for c in commitments
        ]
    )
    rows[t.commitment_phases] = [
        {"commitment_id": c.id, "phase_id": phase, "position": n}
        for c in commitments
        for n, phase in enumerate(c.phases)
    ]
    rows[t.scenarios] = _positioned(
        [
            {
                "id": s.id,
                "name": s.name,
                "description": s.description,
                "changes": snapshot(scenario_to_data(s).get("changes", [])),
            }
            for s in portfolio.scenarios
        ]
    )
    return rows


# The enum's .value is a descriptor call; this is a dict lookup, for thousands of items.
_STATUS_VALUES = {status: status.value for status in ItemStatus}


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
        "status": _STATUS_VALUES[item.status],
        "started": item.started,
        "done": item.done,
        "added": item.added,
    }
