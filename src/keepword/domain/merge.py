"""Merging a plan file into the stored portfolio: what the file names is set, what it does
not name is kept.

A plan file may hold a part of the portfolio (one new prospect's project, its client and
people). Merged into what is stored:

- skills, clients, people, projects, commitments and scenarios are matched by id: the
  file's entity takes the stored one's place, a new one is added after the stored ones;
- within a project the file names, its phases, items, completed items (history) and
  external dependencies are matched by id the same way, so that a file listing a few items
  does not drop the others;
- a person's time off is the stored time off and the file's, each range once;
- allocations are matched by person and project: the file's allocations of a person to a
  project take the place of the stored ones of that pair.

Nothing is removed; a load that should remove what its file does not hold replaces the
portfolio instead. Problems found in the merged portfolio are located in the file through
:meth:`Merge.in_file` where the entity came from it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

from keepword.domain.errors import Path, Problem
from keepword.domain.people import Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Project


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_Entity = TypeVar("_Entity", bound=_HasId)


@dataclass(frozen=True)
class Merge:
    """The merged portfolio, where each entity from the file stands in it, and how many
    stored entities the file did not name (kept)."""

    portfolio: Portfolio
    # path of an entity in the merged portfolio → its path in the file's portfolio
    origins: dict[Path, Path] = field(default_factory=dict)
    kept: int = 0

    def in_file(self, problem: Problem) -> Problem:
        """``problem``, found in the merged portfolio, with its path into the file; a problem
        of a stored entity the file did not name says so, by the entity's id."""
        for length in range(len(problem.path), 0, -1):
            origin = self.origins.get(problem.path[:length])
            if origin is not None:
                return Problem((*origin, *problem.path[length:]), problem.message)
        return Problem((), f"stored {self._named(problem.path)}: {problem.message}")

    def _named(self, path: Path) -> str:
        """``commitments[3].phases[0]`` told by id: ``commitment 'launch' (phases)``."""
        if len(path) < 2 or not isinstance(path[1], int):
            return ".".join(str(p) for p in path)
        entities = getattr(self.portfolio, str(path[0]), ())
        entity = entities[path[1]] if path[1] < len(entities) else None
        name = getattr(entity, "id", None) or getattr(entity, "person", None) or path[1]
        rest = ".".join(str(p) for p in path[2:] if not isinstance(p, int))
        return f"{path[0]} {name!r}" + (f" ({rest})" if rest else "")


def merge(stored: Portfolio, loaded: Portfolio) -> Merge:
    """``loaded`` (a plan file, whole or in part) merged into ``stored``; see the module."""
    origins: dict[Path, Path] = {}
    kept = 0

    def by_id(
        name: str,
        old: Sequence[_Entity],
        new: Sequence[_Entity],
        combine: Callable[[_Entity, _Entity, Path, Path], _Entity] | None = None,
        prefix: Path = (),
        loaded_prefix: Path = (),
    ) -> tuple[_Entity, ...]:
        nonlocal kept
        merged, where = _merged_by_id(old, new, combine, (*prefix, name), (*loaded_prefix, name))
        for at, origin in where.items():
            origins[(*prefix, name, at)] = (*loaded_prefix, name, origin)
        kept += len(merged) - len(where)  # the stored entries the file did not name
        return merged

    def project(old: Project, new: Project, at: Path, origin: Path) -> Project:
        return replace(
            new,
            phases=by_id("phases", old.phases, new.phases, None, at, origin),
            items=by_id("items", old.items, new.items, None, at, origin),
            history=by_id("history", old.history, new.history, None, at, origin),
            dependencies=by_id(
                "dependencies", old.dependencies, new.dependencies, None, at, origin
            ),
        )

    def person(old: Person, new: Person, at: Path, origin: Path) -> Person:
        time_off = (*old.calendar.time_off, *new.calendar.time_off)
        unique = tuple(dict.fromkeys(time_off))
        return replace(new, calendar=replace(new.calendar, time_off=unique))

    pairs = {(a.person, a.project) for a in loaded.allocations}
    kept_allocations = tuple(a for a in stored.allocations if (a.person, a.project) not in pairs)
    kept += len(kept_allocations)
    for index in range(len(loaded.allocations)):
        origins[("allocations", len(kept_allocations) + index)] = ("allocations", index)
    portfolio = Portfolio(
        skills=by_id("skills", stored.skills, loaded.skills),
        clients=by_id("clients", stored.clients, loaded.clients),
        people=by_id("people", stored.people, loaded.people, person),
        projects=by_id("projects", stored.projects, loaded.projects, project),
        allocations=(*kept_allocations, *loaded.allocations),
        commitments=by_id("commitments", stored.commitments, loaded.commitments),
        scenarios=by_id("scenarios", stored.scenarios, loaded.scenarios),
    )
    return Merge(portfolio, origins, kept)


def _merged_by_id(
    old: Sequence[_Entity],
    new: Sequence[_Entity],
    combine: Callable[[_Entity, _Entity, Path, Path], _Entity] | None,
    at: Path,
    origin: Path,
) -> tuple[tuple[_Entity, ...], dict[int, int]]:
    """Stored entities in their order, each replaced by the file's of the same id, then the
    file's new ones in the file's order; and for each merged index from the file, its index
    in the file. A file naming an id twice keeps both, for the check to report."""
    first_of: dict[str, int] = {}
    for index, entity in enumerate(new):
        first_of.setdefault(entity.id, index)
    merged: list[_Entity] = []
    where: dict[int, int] = {}
    for entity in old:
        if entity.id not in first_of:
            merged.append(entity)
            continue
        index = first_of[entity.id]
        where[len(merged)] = index
        replacement = new[index]
        merged.append(
            combine(entity, replacement, (*at, len(merged)), (*origin, index))
            if combine
            else replacement
        )
    stored_ids = {entity.id for entity in old}
    for index, entity in enumerate(new):
        if entity.id in stored_ids and first_of[entity.id] == index:
            continue
        where[len(merged)] = index
        merged.append(entity)
    return tuple(merged), where
