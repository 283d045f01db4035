"""The portfolio: every client, person, project, allocation, commitment and scenario together.

It checks the rules that span entities (references, acyclic dependencies, over-allocation)
and applies scenarios in memory.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TypeVar

from keepword.domain.commitment import Commitment
from keepword.domain.errors import InvalidPortfolio, NotFound, Path, Problem
from keepword.domain.people import Allocation, Person, Skill, find_over_allocations
from keepword.domain.project import Client, Project, find_cycle
from keepword.domain.scenario import Reallocation, Scenario, ScopeAddition, ScopeRemoval

_Entity = TypeVar("_Entity")


@dataclass(frozen=True)
class Portfolio:
    """Everything Keepword plans, as one immutable value."""

    skills: tuple[Skill, ...] = ()
    clients: tuple[Client, ...] = ()
    people: tuple[Person, ...] = ()
    projects: tuple[Project, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    commitments: tuple[Commitment, ...] = ()
    scenarios: tuple[Scenario, ...] = ()

    def project(self, project_id: str) -> Project:
        return _by_id(self.projects, project_id, "project")

    def client(self, client_id: str) -> Client:
        return _by_id(self.clients, client_id, "client")

    def person(self, person_id: str) -> Person:
        return _by_id(self.people, person_id, "person")

    def commitment(self, commitment_id: str) -> Commitment:
        return _by_id(self.commitments, commitment_id, "commitment")

    def scenario(self, scenario_id: str) -> Scenario:
        return _by_id(self.scenarios, scenario_id, "scenario")

    def problems(self) -> list[Problem]:
        """Every rule that spans entities and is broken, located by path into this portfolio."""
        return list(_problems(self))

    def check(self) -> None:
        """Raise :class:`InvalidPortfolio` listing every problem, if there is any."""
        found = self.problems()
        if found:
            raise InvalidPortfolio(found)

    def with_scenario(self, scenario: Scenario) -> Portfolio:
        """This portfolio as it would be with ``scenario`` applied; nothing is saved."""
        result = self
        for change in scenario.changes:
            if isinstance(change, Reallocation):
                result = replace(result, allocations=_reallocate(result.allocations, change))
            elif isinstance(change, ScopeAddition):
                project = result.project(change.project)
                result = result.with_project(replace(project, items=(*project.items, change.item)))
            elif isinstance(change, ScopeRemoval):
                project = result.project(change.project)
                kept = tuple(i for i in project.items if i.id != change.item)
                result = result.with_project(replace(project, items=kept))
        return result

    def with_project(self, project: Project) -> Portfolio:
        """This portfolio with ``project`` in place of the project of the same id."""
        projects = tuple(project if p.id == project.id else p for p in self.projects)
        return replace(self, projects=projects)

    def with_person(self, person: Person) -> Portfolio:
        """This portfolio with ``person`` in place of the person of the same id."""
        return replace(self, people=tuple(person if p.id == person.id else p for p in self.people))

    def with_commitment(self, commitment: Commitment) -> Portfolio:
        """This portfolio with ``commitment`` in place of the commitment of the same id."""
        kept = tuple(commitment if c.id == commitment.id else c for c in self.commitments)
        return replace(self, commitments=kept)


def _by_id(entities: Iterable[_Entity], wanted: str, kind: str) -> _Entity:
    for entity in entities:
        if getattr(entity, "id", None) == wanted:
            return entity
    raise NotFound(f"no {kind} with id {wanted!r}")


def _duplicates(ids: Iterable[str], path: Path, kind: str) -> Iterator[Problem]:
    seen: Counter[str] = Counter()
    for index, entity_id in enumerate(ids):
        seen[entity_id] += 1
        if seen[entity_id] > 1:
            yield Problem((*path, index, "id"), f"duplicate {kind} id {entity_id!r}")


def _shares(allocations: Iterable[Allocation]) -> str:
    """``voice-bot 1 from 2026-11-30, voice-bot 0.3 from 2026-12-01``: overlapping
    allocations as a person reads them (their indices differ between a file and a merge)."""
    return ", ".join(f"{a.project} {a.fraction:g} from {a.start}" for a in allocations)


def _repeated(names: Iterable[str], path: Path, kind: str) -> Iterator[Problem]:
    """A list of references that names one entry twice (each is stored once)."""
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            yield Problem((*path, index), f"{kind} {name!r} is listed twice")
        seen.add(name)


def _problems(portfolio: Portfolio) -> Iterator[Problem]:
    skills = {s.id for s in portfolio.skills}
    clients = {c.id for c in portfolio.clients}
    people = {p.id for p in portfolio.people}
    projects = {p.id: p for p in portfolio.projects}

    yield from _duplicates((s.id for s in portfolio.skills), ("skills",), "skill")
    yield from _duplicates((c.id for c in portfolio.clients), ("clients",), "client")
    yield from _duplicates((p.id for p in portfolio.people), ("people",), "person")
    yield from _duplicates((p.id for p in portfolio.projects), ("projects",), "project")
    yield from _duplicates((c.id for c in portfolio.commitments), ("commitments",), "commitment")
    yield from _duplicates((s.id for s in portfolio.scenarios), ("scenarios",), "scenario")

    for pi, person in enumerate(portfolio.people):
        yield from _repeated(person.skills, ("people", pi, "skills"), "skill")
        for si, skill in enumerate(person.skills):
            if skill not in skills:
                yield Problem(("people", pi, "skills", si), f"unknown skill {skill!r}")

    for pi, project in enumerate(portfolio.projects):
        yield from _project_problems(project, ("projects", pi), skills, clients, people)

    for ai, allocation in enumerate(portfolio.allocations):
        if allocation.person not in people:
            yield Problem(("allocations", ai, "person"), f"unknown person {allocation.person!r}")
        if allocation.project not in projects:
            yield Problem(("allocations", ai, "project"), f"unknown project {allocation.project!r}")
    for over in find_over_allocations(portfolio.allocations):
        last = over.allocations[-1]
        yield Problem(
            ("allocations", last, "fraction"),
            f"{over.person} is allocated {over.total:g} on {over.day} "
            f"({_shares(portfolio.allocations[i] for i in over.allocations)}); "
            "mark one over_allocation: true if that is deliberate",
        )

    for ci, commitment in enumerate(portfolio.commitments):
        committed = projects.get(commitment.project)
        if committed is None:
            yield Problem(("commitments", ci, "project"), f"unknown project {commitment.project!r}")
            continue
        phase_ids = {ph.id for ph in committed.phases}
        yield from _repeated(commitment.phases, ("commitments", ci, "phases"), "phase")
        for phi, phase in enumerate(commitment.phases):
            if phase not in phase_ids:
                yield Problem(
                    ("commitments", ci, "phases", phi),
                    f"project {committed.id!r} has no phase {phase!r}",
                )

    for si, scenario in enumerate(portfolio.scenarios):
        for chi, change in enumerate(scenario.changes):
            path: Path = ("scenarios", si, "changes", chi)
            yield from _change_problems(change, path, projects, people, skills)


def _project_problems(
    project: Project, path: Path, skills: set[str], clients: set[str], people: set[str]
) -> Iterator[Problem]:
    if project.client not in clients:
        yield Problem((*path, "client"), f"unknown client {project.client!r}")
    if project.lead is not None and project.lead not in people:
        yield Problem((*path, "lead"), f"unknown person {project.lead!r}")
    yield from _duplicates((ph.id for ph in project.phases), (*path, "phases"), "phase")
    yield from _duplicates((i.id for i in project.items), (*path, "items"), "item")
    yield from _duplicates((h.id for h in project.history), (*path, "history"), "history item")
    yield from _duplicates(
        (d.id for d in project.dependencies), (*path, "dependencies"), "dependency"
    )

    phases = {ph.id for ph in project.phases}
    items = {i.id for i in project.items}
    for ii, item in enumerate(project.items):
        item_path = (*path, "items", ii)
        yield from _repeated(item.depends_on, (*item_path, "depends_on"), "item")
        if item.phase is not None and item.phase not in phases:
            yield Problem((*item_path, "phase"), f"unknown phase {item.phase!r}")
        if item.skill is not None and item.skill not in skills:
            yield Problem((*item_path, "skill"), f"unknown skill {item.skill!r}")
        for di, dependency in enumerate(item.depends_on):
            if dependency not in items:
                yield Problem((*item_path, "depends_on", di), f"unknown item {dependency!r}")

    graph = {i.id: i.depends_on for i in project.items}
    cycle = find_cycle(graph)
    if cycle is not None:
        first = next(ii for ii, i in enumerate(project.items) if i.id == cycle[0])
        yield Problem(
            (*path, "items", first, "depends_on"), "dependency cycle: " + " → ".join(cycle)
        )


def _change_problems(
    change: object, path: Path, projects: dict[str, Project], people: set[str], skills: set[str]
) -> Iterator[Problem]:
    if isinstance(change, Reallocation):
        if change.person not in people:
            yield Problem((*path, "person"), f"unknown person {change.person!r}")
        if change.from_project not in projects:
            yield Problem((*path, "from_project"), f"unknown project {change.from_project!r}")
        if change.to_project is not None and change.to_project not in projects:
            yield Problem((*path, "to_project"), f"unknown project {change.to_project!r}")
    elif isinstance(change, ScopeAddition | ScopeRemoval):
        project = projects.get(change.project)
        if project is None:
            yield Problem((*path, "project"), f"unknown project {change.project!r}")
        elif isinstance(change, ScopeRemoval) and change.item not in {i.id for i in project.items}:
            yield Problem((*path, "item"), f"project {project.id!r} has no item {change.item!r}")
        elif isinstance(change, ScopeAddition):
            yield from _addition_problems(change, path, project, skills)


def _addition_problems(
    change: ScopeAddition, path: Path, project: Project, skills: set[str]
) -> Iterator[Problem]:
    item, item_path = change.item, (*path, "item")
    items = {i.id for i in project.items}
    if item.id in items:
        yield Problem((*item_path, "id"), f"project {project.id!r} already has item {item.id!r}")
    if item.phase is not None and item.phase not in {ph.id for ph in project.phases}:
        yield Problem((*item_path, "phase"), f"project {project.id!r} has no phase {item.phase!r}")
    if item.skill is not None and item.skill not in skills:
        yield Problem((*item_path, "skill"), f"unknown skill {item.skill!r}")
    for di, dependency in enumerate(item.depends_on):
        if dependency not in items:
            yield Problem(
                (*item_path, "depends_on", di),
                f"project {project.id!r} has no item {dependency!r}",
            )


def _reallocate(
    allocations: tuple[Allocation, ...], change: Reallocation
) -> tuple[Allocation, ...]:
    """Split the person's allocations to the source project around the moved range."""
    result: list[Allocation] = []
    one_day = timedelta(days=1)
    for allocation in allocations:
        touched = (
            allocation.person == change.person
            and allocation.project == change.from_project
            and allocation.start <= change.end
            and change.start <= allocation.end
        )
        if not touched:
            result.append(allocation)
            continue
        overlap_start = max(allocation.start, change.start)
        overlap_end = min(allocation.end, change.end)
        moved = (
            allocation.fraction
            if change.fraction is None
            else min(change.fraction, allocation.fraction)
        )
        if allocation.start < overlap_start:
            result.append(replace(allocation, end=overlap_start - one_day))
        if moved < allocation.fraction:
            kept = round(allocation.fraction - moved, 9)
            result.append(replace(allocation, fraction=kept, start=overlap_start, end=overlap_end))
        if change.to_project is not None:
            result.append(
                Allocation(change.person, change.to_project, moved, overlap_start, overlap_end)
            )
        if overlap_end < allocation.end:
            result.append(replace(allocation, start=overlap_end + one_day))
    return tuple(result)
