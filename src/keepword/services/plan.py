"""Create and edit the plan one entity at a time: clients, projects, phases, items, people,
allocations and commitments, from a form or the API; and the small changes of every day: an
item started or done, time off booked.

Every save checks its input field by field first and reports every field at fault in one
:class:`InvalidFields`, named as the form and the API name them; then it checks the whole
portfolio as it would be, and reports what that finds beside the field it is about (or under
``"__all__"``). Nothing is written unless all of it passes. A save that passes goes through
:func:`keepword.services.watch.record_change`: an event per entity it changes, a re-forecast
of the projects it touches, and the risk signals that calls for. :func:`record_item_status`
and :func:`book_time_off` make a change of every day and report what it did to the odds.

Allocations have no id of their own; they are named by person, project and start day, the
key their events already carry (``ravi@pitchwell-app/2026-06-01``). A position in the list
would do too, but it moves when a plan file is loaded again, so a link or an API call made
before could then change another allocation without a word.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Generic, Protocol, TypeVar

from keepword.domain.access import Action, Actor, requires
from keepword.domain.calendar import WEEKDAY_NAMES, TimeOff, WorkingCalendar
from keepword.domain.commitment import DEFAULT_CONFIDENCE, Commitment, check_confidence
from keepword.domain.errors import (
    InvalidFields,
    InvalidLines,
    InvalidTransition,
    InvalidValue,
    NotFound,
    Path,
    Problem,
)
from keepword.domain.events import Event
from keepword.domain.ids import ID_RULE, is_valid_id
from keepword.domain.people import Allocation, Person, find_over_allocations
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import (
    Client,
    Estimate,
    ItemStatus,
    Phase,
    Project,
    WorkItem,
    check_happened,
)
from keepword.domain.text import TEXT_MAX, check_text, too_long
from keepword.services.ports import UnitOfWorkFactory
from keepword.services.watch import ChangeReport, record_change, reforecast_by

ALL = "__all__"  # the key of a problem that no single field owns
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # the dates a plan can hold

_Value = TypeVar("_Value")
Errors = dict[str, str]


@dataclass(frozen=True)
class Saved(Generic[_Value]):
    """What a save stored, and the events it recorded (none when nothing changed)."""

    value: _Value
    events: list[Event]


# --- inputs: one per entity, the fields a form or the API sends ------------------------------


@dataclass(frozen=True)
class ClientInput:
    id: str
    name: str
    contact: str | None = None
    time_zone: str | None = None  # None or blank: UTC
    first_contact_weekends: bool = True


@dataclass(frozen=True)
class ProjectInput:
    """A project's own fields; its phases and items are saved one by one."""

    id: str
    client: str
    name: str
    start: date | None
    lead: str | None = None
    disclosure_target: int | None = None


@dataclass(frozen=True)
class PhaseInput:
    project: str
    id: str
    name: str


@dataclass(frozen=True)
class ItemInput:
    """A work item; the three points of its estimate are given all together or not at all."""

    project: str
    id: str
    title: str
    phase: str | None = None
    skill: str | None = None
    optimistic: float | None = None
    likely: float | None = None
    pessimistic: float | None = None
    depends_on: tuple[str, ...] = ()
    status: str = ItemStatus.TODO.value
    started: date | None = None
    done: date | None = None


@dataclass(frozen=True)
class PersonInput:
    """A person; ``working_days`` are weekday names (``mon`` … ``sun``). Time off is booked
    apart (:func:`keepword.services.plan.add_time_off`) and kept by an edit."""

    id: str
    name: str
    email: str | None = None
    skills: tuple[str, ...] = ()
    country: str | None = None
    subdivision: str | None = None
    working_days: tuple[str, ...] = WEEKDAY_NAMES[:5]


@dataclass(frozen=True)
class AllocationKey:
    """Which allocation: the person's allocation to the project that starts on ``start``."""

    person: str
    project: str
    start: date

    def __str__(self) -> str:
        return f"{self.person}@{self.project}/{self.start}"


@dataclass(frozen=True)
class AllocationInput:
    person: str
    project: str
    fraction: float | None
    start: date | None
    end: date | None
    over_allocation: bool = False


@dataclass(frozen=True)
class CommitmentInput:
    """A commitment's terms; one is created as proposed, and committed through the gate."""

    id: str
    project: str
    title: str
    due: date | None
    phases: tuple[str, ...] = ()
    confidence: float | None = DEFAULT_CONFIDENCE
    made_by: str | None = None
    made_to: str | None = None
    made_on: date | None = None
    fixed_date: bool = False


# --- the saves --------------------------------------------------------------------------------


@requires(Action.EDIT_PLAN)
def save_client(
    uow: UnitOfWorkFactory,
    data: ClientInput,
    *,
    create: bool,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None = None,
) -> Saved[Client]:
    """Create a client (``create``) or edit the one of ``data.id``.

    ``input_errors``, here and in every save, are fields the caller could not even read
    (a number that is not one); they are reported with the rest, and nothing is saved.
    """

    def build(before: Portfolio, errors: Errors) -> tuple[Portfolio, Client, Path]:
        index = _index(before.clients, data.id, "client", create, errors)
        _text(errors, "name", data.name, required=True)
        _text(errors, "contact", data.contact)
        client = Client(
            data.id,
            data.name.strip(),
            _clean(data.contact),
            _clean(data.time_zone) or "UTC",
            data.first_contact_weekends,
        )
        clients = _put(before.clients, index, client)
        return replace(before, clients=clients), client, ("clients", _at(index, clients))

    return _save(uow, build, data, actor=actor.name, now=now, input_errors=input_errors)


@requires(Action.EDIT_PLAN)
def save_project(
    uow: UnitOfWorkFactory,
    data: ProjectInput,
    *,
    create: bool,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None = None,
) -> Saved[Project]:
    """Create a project (no phases or items yet) or edit the fields of the one of ``data.id``;
    an edit keeps its phases, items, history and dependencies."""

    def build(before: Portfolio, errors: Errors) -> tuple[Portfolio, Project, Path]:
        index = _index(before.projects, data.id, "project", create, errors)
        _text(errors, "name", data.name, required=True)
        _reference(errors, "client", data.client, before.clients, "client", required=True)
        _reference(errors, "lead", data.lead, before.people, "person")
        _required(errors, "start", data.start)
        if data.disclosure_target is not None and not 1 <= data.disclosure_target <= 250:
            errors["disclosure_target"] = "from 1 to 250 working days"
        if errors:
            raise InvalidFields(errors)
        start, lead, name = data.start, _clean(data.lead), data.name.strip()
        assert start is not None
        target = data.disclosure_target
        with _domain_rules(errors):
            if index is None:
                project = Project(data.id, data.client, name, start, lead, disclosure_target=target)
            else:
                project = replace(
                    before.projects[index],
                    client=data.client, name=name, start=start, lead=lead,
                    disclosure_target=target,
                )  # fmt: skip
        projects = _put(before.projects, index, project)
        return replace(before, projects=projects), project, ("projects", _at(index, projects))

    return _save(uow, build, data, actor=actor.name, now=now, input_errors=input_errors)


@requires(Action.EDIT_PLAN)
def save_phase(
    uow: UnitOfWorkFactory,
    data: PhaseInput,
    *,
    create: bool,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None = None,
) -> Saved[Phase]:
    """Add a phase at the end of a project's phases, or rename one."""

    def build(before: Portfolio, errors: Errors) -> tuple[Portfolio, Phase, Path]:
        project, pi = _project(before, data.project)
        index = _index(project.phases, data.id, f"phase of project {project.id!r}", create, errors)
        _text(errors, "name", data.name, required=True)
        phase = Phase(data.id, data.name.strip())
        phases = _put(project.phases, index, phase)
        after = before.with_project(replace(project, phases=phases))
        return after, phase, ("projects", pi, "phases", _at(index, phases))

    return _save(uow, build, data, actor=actor.name, now=now, input_errors=input_errors)


@requires(Action.EDIT_PLAN)
def save_item(
    uow: UnitOfWorkFactory,
    data: ItemInput,
    *,
    create: bool,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None = None,
) -> Saved[WorkItem]:
    """Add an item at the end of a project's items (its scope grew today), or edit one."""

    def build(before: Portfolio, errors: Errors) -> tuple[Portfolio, WorkItem, Path]:
        project, pi = _project(before, data.project)
        index = _index(project.items, data.id, f"item of project {project.id!r}", create, errors)
        _text(errors, "title", data.title, required=True)
        _reference(errors, "phase", data.phase, project.phases, f"phase of {project.id!r}")
        _reference(errors, "skill", data.skill, before.skills, "skill")
        estimate = _estimate(errors, data)
        depends = _references(errors, "depends_on", data.depends_on, project.items, "item")
        if data.id in data.depends_on:
            errors.setdefault("depends_on", "an item cannot depend on itself")
        status = _status(errors, data)
        if errors:
            raise InvalidFields(errors)
        added = now.date() if index is None else project.items[index].added
        with _domain_rules(errors):
            item = WorkItem(
                data.id,
                data.title.strip(),
                phase=_clean(data.phase),
                skill=_clean(data.skill),
                estimate=estimate,
                depends_on=depends,
                status=status,
                started=data.started,
                done=data.done,
                added=added,
            )
        items = _put(project.items, index, item)
        after = before.with_project(replace(project, items=items))
        return after, item, ("projects", pi, "items", _at(index, items))

    return _save(uow, build, data, actor=actor.name, now=now, input_errors=input_errors)


@requires(Action.EDIT_PLAN)
def save_person(
    uow: UnitOfWorkFactory,
    data: PersonInput,
    *,
    create: bool,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None = None,
) -> Saved[Person]:
    """Create a person or edit one; an edit keeps the person's time off."""

    def build(before: Portfolio, errors: Errors) -> tuple[Portfolio, Person, Path]:
        index = _index(before.people, data.id, "person", create, errors)
        _text(errors, "name", data.name, required=True)
        _text(errors, "email", data.email)
        if data.email and "@" not in data.email:
            errors.setdefault("email", "an email address has an @")
        skills = _references(errors, "skills", data.skills, before.skills, "skill")
        weekdays = _weekdays(errors, data.working_days)
        country = _clean(data.country)
        country = country.upper() if country else None
        subdivision = _clean(data.subdivision)
        if subdivision is not None and country is None:
            errors.setdefault("subdivision", "a subdivision needs its country")
        time_off = () if index is None else before.people[index].calendar.time_off
        with _domain_rules(errors):
            calendar = WorkingCalendar(weekdays, country, subdivision, time_off)
        person = Person(data.id, data.name.strip(), skills, calendar, _clean(data.email))
        people = _put(before.people, index, person)
        return replace(before, people=people), person, ("people", _at(index, people))

    return _save(uow, build, data, actor=actor.name, now=now, input_errors=input_errors)


@requires(Action.EDIT_PLAN)
def save_allocation(
    uow: UnitOfWorkFactory,
    data: AllocationInput,
    *,
    key: AllocationKey | None = None,
    create: bool,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None = None,
) -> Saved[Allocation]:
    """Allocate a person to a project (``create``), or replace the allocation ``key`` names
    with ``data``; without a key, the one ``data`` itself names is edited."""

    def build(before: Portfolio, errors: Errors) -> tuple[Portfolio, Allocation, Path]:
        wanted = key
        if wanted is None and not create and data.start is not None:
            wanted = AllocationKey(data.person, data.project, data.start)
        index = None if create else _allocation(before, wanted)
        _reference(errors, "person", data.person, before.people, "person", required=True)
        _reference(errors, "project", data.project, before.projects, "project", required=True)
        _fraction(errors, data.fraction)
        _required(errors, "start", data.start)
        _required(errors, "end", data.end)
        if data.start and data.end and data.end < data.start:
            errors.setdefault("end", f"end ({data.end}) is before start ({data.start})")
        if data.start is not None:
            same = AllocationKey(data.person, data.project, data.start)
            clash = _allocation_index(before.allocations, same)
            if clash is not None and clash != index:
                errors.setdefault(
                    "start", f"{data.person} already has an allocation to {data.project} "
                    f"from {data.start}; edit that one"
                )  # fmt: skip
        if errors:
            raise InvalidFields(errors)
        fraction, start, end = data.fraction, data.start, data.end
        assert fraction is not None
        assert start is not None
        assert end is not None
        with _domain_rules(errors):
            allocation = Allocation(
                data.person, data.project, fraction, start, end, data.over_allocation
            )
        allocations = _put(before.allocations, index, allocation)
        at = _at(index, allocations)
        for over in find_over_allocations(allocations):
            if at in over.allocations:
                errors["fraction"] = (
                    f"{over.person} would be allocated {over.total:g} on {over.day}; "
                    "lower a fraction, or tick over-allocation if that is deliberate"
                )
        return replace(before, allocations=allocations), allocation, ("allocations", at)

    return _save(uow, build, data, actor=actor.name, now=now, input_errors=input_errors)


@requires(Action.EDIT_PLAN)
def save_commitment(
    uow: UnitOfWorkFactory,
    data: CommitmentInput,
    *,
    create: bool,
    actor: Actor,
    now: datetime,
    input_errors: Mapping[str, str] | None = None,
) -> Saved[Commitment]:
    """Propose a commitment (``create``), or edit one.

    A proposal can change in every way. A promise already made (committed or at risk) keeps
    its project, due date and scope: those change only by renegotiation with the client, so
    an edit that touches them is refused and says how; its wording can still be corrected.
    A closed commitment is history and is not edited.
    """

    def build(before: Portfolio, errors: Errors) -> tuple[Portfolio, Commitment, Path]:
        index = _index(before.commitments, data.id, "commitment", create, errors)
        old = None if index is None else before.commitments[index]
        if old is not None and not old.is_open:
            raise InvalidFields(
                {ALL: f"commitment {old.id!r} is {old.state.value}: it is history, not edited"}
            )
        _reference(errors, "project", data.project, before.projects, "project", required=True)
        _text(errors, "title", data.title, required=True)
        _text(errors, "made_by", data.made_by)
        _text(errors, "made_to", data.made_to)
        _required(errors, "due", data.due)
        if data.due and data.made_on and data.due < data.made_on:
            errors.setdefault("due", f"due ({data.due}) is before made on ({data.made_on})")
        if data.confidence is None:
            errors.setdefault("confidence", "required")
        else:
            try:
                check_confidence(data.confidence)
            except InvalidValue as broken:
                errors.setdefault("confidence", broken.message)
        if "project" not in errors:
            known = before.project(data.project).phases
            _references(errors, "phases", data.phases, known, f"phase of {data.project!r}")
        if old is not None and old.is_promised:
            _renegotiation_only(errors, old, data)
        if errors:
            raise InvalidFields(errors)
        due, confidence = data.due, data.confidence
        assert due is not None
        assert confidence is not None
        title, phases = data.title.strip(), tuple(dict.fromkeys(data.phases))
        made_by, made_to = _clean(data.made_by), _clean(data.made_to)
        with _domain_rules(errors):
            if old is None:
                commitment = Commitment(
                    data.id, data.project, title, due, phases, confidence,
                    made_by=made_by, made_to=made_to, made_on=data.made_on,
                    fixed_date=data.fixed_date,
                )  # fmt: skip
            else:
                commitment = replace(
                    old, project=data.project, title=title, due=due, phases=phases,
                    confidence=confidence, made_by=made_by, made_to=made_to,
                    made_on=data.made_on, fixed_date=data.fixed_date,
                )  # fmt: skip
        commitments = _put(before.commitments, index, commitment)
        at = ("commitments", _at(index, commitments))
        return replace(before, commitments=commitments), commitment, at

    return _save(uow, build, data, actor=actor.name, now=now, input_errors=input_errors)


def _renegotiation_only(errors: Errors, old: Commitment, data: CommitmentInput) -> None:
    how = (
        f"{old.id!r} is {old.state.value}: a promise made changes only by renegotiation. "
        "Agree the new terms with the client, close this one as renegotiated "
        f"(keepword close {old.id} renegotiated) and propose the new terms as a new commitment"
    )
    if data.project != old.project:
        errors.setdefault("project", how)
    if data.due != old.due:
        errors.setdefault("due", how)
    if tuple(dict.fromkeys(data.phases)) != old.phases:
        errors.setdefault("phases", how)


# --- the one way a save runs --------------------------------------------------------------

_Built = TypeVar("_Built")


def _save(
    uow: UnitOfWorkFactory,
    build: Callable[[Portfolio, Errors], tuple[Portfolio, _Built, Path]],
    data: object,
    *,
    actor: str,
    now: datetime,
    input_errors: Mapping[str, str] | None,
) -> Saved[_Built]:
    """Build the portfolio as the edit makes it, refuse it with every field error found, or
    store it as events, watched; the unit of work is committed only when all of it passes."""
    with uow(write=True) as work:
        before = work.portfolio.get()
        errors: Errors = {**_implausible_dates(data), **(input_errors or {})}
        try:
            after, value, path = build(before, errors)
        except InvalidFields as refused:
            raise InvalidFields({**errors, **refused.errors}) from None
        if errors:
            raise InvalidFields(errors)
        known = {str(p) for p in before.problems()}
        new = [p for p in after.problems() if str(p) not in known]
        if new:
            raise InvalidFields(_located(new, path))
        events = record_change(work, before, after, actor=actor, now=now, today=now.date())
        work.commit()
    return Saved(value, events)


def _implausible_dates(data: object) -> Errors:
    """Dates a plan cannot mean (a typo of the year): they would break every forecast after."""
    assert dataclasses.is_dataclass(data)
    return {
        f.name: f"a date from {FIRST_DAY} to {LAST_DAY}"
        for f in dataclasses.fields(data)
        if isinstance(value := getattr(data, f.name), date) and not FIRST_DAY <= value <= LAST_DAY
    }


def _located(problems: Iterable[Problem], path: Path) -> Errors:
    """Each problem under the field of the edited entity it names, or under ``__all__``."""
    errors: Errors = {}
    for problem in problems:
        rest = problem.path[len(path) :]
        if problem.path[: len(path)] == path and rest and isinstance(rest[0], str):
            errors.setdefault(rest[0], problem.message)
        elif ALL in errors:
            errors[ALL] += f"; {problem}"
        else:
            errors[ALL] = str(problem)
    return errors


# --- field checks ---------------------------------------------------------------------------


def _index(
    entities: tuple[_Value, ...], entity_id: str, kind: str, create: bool, errors: Errors
) -> int | None:
    """Where the entity of ``entity_id`` is (None to create it); a create refuses an id in
    use or not an id, an edit refuses an unknown one."""
    found = next((n for n, e in enumerate(entities) if getattr(e, "id", None) == entity_id), None)
    if not create:
        if found is None:
            raise NotFound(f"no {kind} with id {entity_id!r}")
        return found
    if not is_valid_id(entity_id or ""):
        errors["id"] = ID_RULE if entity_id else "required"
    elif found is not None:
        errors["id"] = f"there is already a {kind} with id {entity_id!r}"
    return None


def _project(portfolio: Portfolio, project_id: str) -> tuple[Project, int]:
    for index, project in enumerate(portfolio.projects):
        if project.id == project_id:
            return project, index
    raise NotFound(f"no project with id {project_id!r}")


def find_allocation(portfolio: Portfolio, key: AllocationKey) -> Allocation:
    """The allocation ``key`` names; NotFound when there is none."""
    index = _allocation_index(portfolio.allocations, key)
    if index is None:
        raise NotFound(f"no allocation {key}")
    return portfolio.allocations[index]


def _allocation_index(allocations: tuple[Allocation, ...], key: AllocationKey) -> int | None:
    return next(
        (
            n
            for n, a in enumerate(allocations)
            if (a.person, a.project, a.start) == (key.person, key.project, key.start)
        ),
        None,
    )


def _allocation(portfolio: Portfolio, key: AllocationKey | None) -> int:
    found = None if key is None else _allocation_index(portfolio.allocations, key)
    if found is None:
        raise NotFound(f"no allocation {key}")
    return found


def _put(entities: tuple[_Value, ...], index: int | None, entity: _Value) -> tuple[_Value, ...]:
    """``entities`` with ``entity`` at ``index``, or at the end when ``index`` is None."""
    if index is None:
        return (*entities, entity)
    return (*entities[:index], entity, *entities[index + 1 :])


def _at(index: int | None, entities: tuple[object, ...]) -> int:
    return len(entities) - 1 if index is None else index


def _clean(value: str | None) -> str | None:
    """Text without surrounding blanks; blank is no value."""
    if value is None:
        return None
    return value.strip() or None


def _text(errors: Errors, field: str, value: str | None, *, required: bool = False) -> None:
    text = _clean(value)
    if text is None:
        if required:
            errors.setdefault(field, "required")
    elif len(text) > TEXT_MAX:
        errors.setdefault(field, too_long(TEXT_MAX))


def _required(errors: Errors, field: str, value: object) -> None:
    if value is None:
        errors.setdefault(field, "required")


def _reference(
    errors: Errors,
    field: str,
    value: str | None,
    entities: Iterable[object],
    kind: str,
    *,
    required: bool = False,
) -> None:
    wanted = _clean(value)
    if wanted is None:
        if required:
            errors.setdefault(field, "required")
    elif wanted not in {getattr(e, "id", None) for e in entities}:
        errors.setdefault(field, f"unknown {kind} {wanted!r}")


def _references(
    errors: Errors, field: str, values: Iterable[str], entities: Iterable[object], kind: str
) -> tuple[str, ...]:
    """The ids chosen, once each and in order; the unknown ones are a field error."""
    chosen = tuple(dict.fromkeys(v.strip() for v in values if v.strip()))
    known = {getattr(e, "id", None) for e in entities}
    unknown = [v for v in chosen if v not in known]
    if unknown:
        errors.setdefault(field, f"unknown {kind} " + ", ".join(repr(v) for v in unknown))
    return chosen


def _estimate(errors: Errors, data: ItemInput) -> Estimate | None:
    points = {"optimistic": data.optimistic, "likely": data.likely, "pessimistic": data.pessimistic}
    given = {k: v for k, v in points.items() if v is not None}
    if not given:
        return None
    for name in points:
        if name not in given:
            errors.setdefault(name, "give all three points of the estimate, or none")
    for name, value in given.items():
        if not math.isfinite(value) or value <= 0:
            errors.setdefault(name, "person-days above 0")
    if any(name in errors for name in points):
        return None
    o, m, p = data.optimistic, data.likely, data.pessimistic
    assert o is not None
    assert m is not None
    assert p is not None
    if m < o:
        errors["likely"] = f"likely ({m:g}) is below optimistic ({o:g})"
    if p < max(o, m):
        errors["pessimistic"] = (
            f"pessimistic ({p:g}) is below {'likely' if m >= o else 'optimistic'} ({max(o, m):g})"
        )
    return None if any(name in errors for name in points) else Estimate(o, m, p)


def _status(errors: Errors, data: ItemInput) -> ItemStatus:
    try:
        status = ItemStatus(data.status)
    except ValueError:
        errors.setdefault("status", "one of " + ", ".join(s.value for s in ItemStatus))
        return ItemStatus.TODO
    if status is ItemStatus.DONE and data.done is None:
        errors.setdefault("done", "a done item needs the day it was done")
    if status is not ItemStatus.DONE and data.done is not None:
        errors.setdefault("done", f"only a done item has a done day; this one is {status.value}")
    if status is ItemStatus.TODO and data.started is not None:
        errors.setdefault("started", "an item still to do has not started")
    if status is ItemStatus.IN_PROGRESS and data.started is None:
        errors.setdefault("started", "an item in progress needs the day it started")
    if data.started and data.done and data.done < data.started:
        errors.setdefault("done", f"done ({data.done}) is before started ({data.started})")
    return status


def _fraction(errors: Errors, fraction: float | None) -> None:
    if fraction is None:
        errors.setdefault("fraction", "required")
    elif not (math.isfinite(fraction) and 0 < fraction <= 1):
        errors.setdefault("fraction", "a share of the person's days: above 0, at most 1")


def _weekdays(errors: Errors, names: Iterable[str]) -> tuple[int, ...]:
    days: set[int] = set()
    for name in names:
        if name.strip().lower()[:3] not in WEEKDAY_NAMES:
            errors.setdefault("working_days", f"unknown weekday {name!r}")
        else:
            days.add(WEEKDAY_NAMES.index(name.strip().lower()[:3]))
    if not days:
        errors.setdefault("working_days", "at least one working weekday")
        return (0, 1, 2, 3, 4)
    return tuple(sorted(days))


@contextmanager
def _domain_rules(errors: Errors) -> Iterator[None]:
    """A rule of the domain broken inside reported as a field error, with every other field
    error found so far."""
    try:
        yield
    except InvalidValue as broken:
        raise InvalidFields({**errors, broken.field or ALL: broken.message}) from None


class ItemLineInput(Protocol):
    """One item of a pasted list (``adapters.item_list.ItemLine``)."""

    @property
    def line(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def estimate(self) -> tuple[float, float, float] | None: ...
    @property
    def skill(self) -> str | None: ...
    @property
    def phase(self) -> str | None: ...


@requires(Action.EDIT_PLAN)
def add_items(
    uow: UnitOfWorkFactory,
    project_id: str,
    lines: Sequence[ItemLineInput],
    *,
    source: str,
    actor: Actor,
    now: datetime,
) -> list[WorkItem]:
    """Add every item of a pasted list at the end of the project's items (its scope grew
    today), each with an id made from its title; all or nothing, :class:`InvalidLines`
    naming every line of ``source`` that names an unknown skill or phase or breaks a rule."""
    with uow(write=True) as work:
        before = work.portfolio.get()
        project = before.project(project_id)
        skills = {k.id for k in before.skills}
        phases = {ph.id for ph in project.phases}
        taken = {i.id for i in project.items}
        faults: list[tuple[int, str]] = []
        added: list[WorkItem] = []
        for line in lines:
            if line.skill is not None and line.skill not in skills:
                faults.append((line.line, f"unknown skill {line.skill!r}"))
                continue
            if line.phase is not None and line.phase not in phases:
                faults.append((line.line, f"project {project_id!r} has no phase {line.phase!r}"))
                continue
            item_id = _new_id(line.title, taken)
            try:
                estimate = Estimate(*line.estimate) if line.estimate else None
                item = WorkItem(
                    item_id,
                    line.title,
                    phase=line.phase,
                    skill=line.skill,
                    estimate=estimate,
                    added=now.date(),
                )
            except InvalidValue as error:
                faults.append((line.line, error.message))
                continue
            taken.add(item_id)
            added.append(item)
        if faults:
            raise InvalidLines(source, faults, "added")
        after = before.with_project(replace(project, items=(*project.items, *added)))
        record_change(work, before, after, actor=actor.name, now=now, today=now.date())
        work.commit()
    return added


def _new_id(title: str, taken: set[str]) -> str:
    """An item id from ``title`` (``Login page`` → ``login-page``), unique among ``taken``."""
    stem = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-") or "item"
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


@requires(Action.UPDATE_WORK)
def set_item_status(
    uow: UnitOfWorkFactory,
    project_id: str,
    item_id: str,
    status: ItemStatus,
    *,
    on: date,
    actor: Actor,
    now: datetime,
) -> list[Event]:
    """Move an item to ``status`` (in progress or done) on day ``on``, today or before."""
    check_happened(on, now.date(), "started" if status is ItemStatus.IN_PROGRESS else "done", "on")
    with uow(write=True) as work:
        before = work.portfolio.get()
        project = before.project(project_id)
        try:
            item = project.item(item_id)
        except KeyError:
            raise NotFound(f"project {project_id!r} has no item {item_id!r}") from None
        if item.status is status:
            raise InvalidTransition(f"item {project_id}/{item_id} is already {status.value}")
        if status is ItemStatus.IN_PROGRESS:
            if item.status is ItemStatus.DONE:
                raise InvalidTransition(f"item {project_id}/{item_id} is done; it cannot restart")
            changed = replace(item, status=status, started=on)
        elif status is ItemStatus.DONE:
            changed = replace(item, status=status, started=item.started or on, done=on)
        else:
            raise InvalidTransition(f"an item cannot go back to {status.value}")
        items = tuple(changed if i.id == item_id else i for i in project.items)
        after = before.with_project(replace(project, items=items))
        events = record_change(work, before, after, actor=actor.name, now=now, today=now.date())
        work.commit()
    return events


@requires(Action.UPDATE_WORK)
def add_time_off(
    uow: UnitOfWorkFactory,
    person_id: str,
    start: date,
    end: date,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
) -> list[Event]:
    """Book days off for a person: every project they are allocated to is forecast again."""
    return _book_time_off(uow, person_id, TimeOff(start, end, reason), actor=actor, now=now)


@requires(Action.BOOK_OWN_TIME_OFF)
def book_own_time_off(
    uow: UnitOfWorkFactory,
    start: date,
    end: date,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
) -> list[Event]:
    """Book the actor's own days off (anyone on the staff may): the person of the plan whose
    id is the actor's user name. The reason stays with the team, never shown to a client."""
    try:
        return _book_time_off(uow, actor.name, TimeOff(start, end, reason), actor=actor, now=now)
    except NotFound:
        raise NotFound(
            f"no person in the plan has the id {actor.name!r}, your user name: ask a delivery "
            "lead to book your time off"
        ) from None


def _book_time_off(
    uow: UnitOfWorkFactory, person_id: str, off: TimeOff, *, actor: Actor, now: datetime
) -> list[Event]:
    check_text(off.reason, "reason", TEXT_MAX)
    with uow(write=True) as work:
        before = work.portfolio.get()
        person = before.person(person_id)
        calendar = replace(person.calendar, time_off=(*person.calendar.time_off, off))
        after = before.with_person(replace(person, calendar=calendar))
        after.check()
        events = record_change(work, before, after, actor=actor.name, now=now, today=now.date())
        work.commit()
    return events


@requires(Action.UPDATE_WORK)
def record_item_status(
    uow: UnitOfWorkFactory,
    project_id: str,
    item_id: str,
    status: ItemStatus,
    *,
    on: date | None,
    actor: Actor,
    now: datetime,
) -> ChangeReport:
    """Move an item to ``status`` on day ``on`` (None: the day of ``now``), and report what
    that recorded and the commitments it forecast again."""
    return reforecast_by(
        uow,
        lambda moment: set_item_status(
            uow, project_id, item_id, status, on=on or moment.date(), actor=actor, now=moment
        ),
        actor=actor,
        now=now,
    )


@requires(Action.UPDATE_WORK)
def book_time_off(
    uow: UnitOfWorkFactory,
    person_id: str,
    start: date,
    end: date,
    *,
    reason: str,
    actor: Actor,
    now: datetime,
) -> ChangeReport:
    """Book days off for a person, and report what that recorded and the commitments of the
    projects they work on that it forecast again."""
    return reforecast_by(
        uow,
        lambda moment: add_time_off(
            uow, person_id, start, end, reason=reason, actor=actor, now=moment
        ),
        actor=actor,
        now=now,
    )


# --- reads ---------------------------------------------------------------------------------


def allocations(
    uow: UnitOfWorkFactory, *, person: str | None = None, project: str | None = None
) -> list[Allocation]:
    """The stored allocations, of ``person`` and to ``project`` when they are given."""
    with uow() as work:
        stored = work.portfolio.get()
    return [
        a for a in stored.allocations if person in (None, a.person) and project in (None, a.project)
    ]


@dataclass(frozen=True)
class ProjectPlan:
    """One project as its plan page shows it: its client, the allocations to it and its
    commitments, and everyone, to name the people by."""

    project: Project
    client: Client
    allocations: tuple[Allocation, ...]
    commitments: tuple[Commitment, ...]
    people: tuple[Person, ...]


def project_plan(uow: UnitOfWorkFactory, project_id: str) -> ProjectPlan:
    """The plan of project ``project_id``; NotFound when there is none."""
    with uow() as work:
        stored = work.portfolio.get()
    project = stored.project(project_id)
    return ProjectPlan(
        project,
        stored.client(project.client),
        tuple(a for a in stored.allocations if a.project == project.id),
        tuple(c for c in stored.commitments if c.project == project.id),
        stored.people,
    )
