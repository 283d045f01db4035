"""Small factories for domain objects: a valid default, changed where a test cares."""

from __future__ import annotations

from datetime import date
from typing import Any

from keepword.domain.access import Actor, Role
from keepword.domain.commitment import Commitment
from keepword.domain.people import Allocation, Person, Skill
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Client, Estimate, Phase, Project, WorkItem


def item(item_id: str = "a", **changes: Any) -> WorkItem:
    values: dict[str, Any] = {"id": item_id, "title": f"Item {item_id}", "skill": "backend"}
    values.update(changes)
    return WorkItem(**values)


def project(project_id: str = "p", **changes: Any) -> Project:
    values: dict[str, Any] = {
        "id": project_id,
        "client": "acme",
        "name": f"Project {project_id}",
        "start": date(2026, 11, 2),
        "phases": (Phase("build", "Build"),),
        "items": (item("a", estimate=Estimate(1, 2, 4)), item("b", depends_on=("a",))),
    }
    values.update(changes)
    return Project(**values)


def allocation(person: str = "ana", project_id: str = "p", **changes: Any) -> Allocation:
    values: dict[str, Any] = {
        "person": person,
        "project": project_id,
        "fraction": 0.5,
        "start": date(2026, 11, 2),
        "end": date(2026, 12, 18),
    }
    values.update(changes)
    return Allocation(**values)


def portfolio(**changes: Any) -> Portfolio:
    values: dict[str, Any] = {
        "skills": (Skill("backend", "Back end"), Skill("design", "Design")),
        "clients": (Client("acme", "Acme Ltd"),),
        "people": (Person("ana", "Ana Reyes", ("backend",)), Person("bo", "Bo Lind", ("design",))),
        "projects": (project("p"), project("q")),
        "allocations": (allocation("ana", "p"), allocation("ana", "q")),
        "commitments": (Commitment("c", "p", "Launch", date(2026, 12, 18), ("build",)),),
    }
    values.update(changes)
    return Portfolio(**values)


def staff(name: str = "test", role: Role = Role.ADMIN) -> Actor:
    """A member of staff acting on the services (an admin unless a test says otherwise)."""
    return Actor(name, role)
