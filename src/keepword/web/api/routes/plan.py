"""API routes: create and edit the plan (clients, people, projects, phases, items,
allocations, commitments) through :mod:`keepword.services.plan`; and the changes made one at
a time and watched (an item started or done, time off booked), which answer what they did to
the odds and which signals they raised.

A field at fault is a 422 naming it (the same names as the forms'); an unknown id is a 404.
A field the schema does not name is a 422 too. POST fills a field left out with its default;
PUT is a full replacement of the editable fields, so it needs every one of them (null where
null is allowed): a field left out is a 422, never silently reset to its default.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, TypedDict, cast

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from keepword.bootstrap import Keepword
from keepword.domain.access import Action, Actor
from keepword.domain.calendar import WEEKDAY_NAMES
from keepword.domain.commitment import DEFAULT_CONFIDENCE
from keepword.domain.people import Person
from keepword.domain.project import ItemStatus, Phase, WorkItem
from keepword.domain.text import ID_MAX, TEXT_MAX
from keepword.services import plan, watch
from keepword.services.plan import (
    AllocationInput,
    AllocationKey,
    ClientInput,
    CommitmentInput,
    ItemInput,
    PersonInput,
    PhaseInput,
    ProjectInput,
)
from keepword.services.portfolio import current_portfolio
from keepword.web.api.schemas import (
    EventPublic,
    Line,
    Probability,
    Ref,
    Refs,
    RequestBody,
    SignalRef,
    signals_raised,
)
from keepword.web.rendering import KeepwordDep, keepword_of
from keepword.web.security import ActorDep, actor_of, allow

router = APIRouter(tags=["plan"])
# Its own tag in the OpenAPI document: these changes answer what they did to the odds.
changes_router = APIRouter(tags=["plan changes"])

# WEEKDAY_NAMES spelt out, as a type and for the OpenAPI enum.
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
Status = Literal["todo", "in_progress", "done"]
Id = Annotated[
    str, Field(max_length=ID_MAX, description="letters, digits, '.', '_' and '-' (at most 80)")
]
WORKING_WEEK: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
# The responses below extend the request bodies but say nothing against fields added later;
# they are read from the domain's dataclasses (``Model.model_validate(entity)``).
OPEN = ConfigDict(extra="ignore", from_attributes=True)


# --- clients ----------------------------------------------------------------------------------


class ClientUpdate(RequestBody):
    name: Line
    contact: Line | None
    time_zone: str = Field(
        max_length=64, description="IANA name of the client's clock, e.g. Europe/London."
    )
    first_contact_weekends: bool = Field(
        description="An incident's first contact is due the next morning, weekends too."
    )


class ClientCreate(ClientUpdate):
    id: Id
    contact: Line | None = None
    time_zone: str = Field("UTC", max_length=64, description="Default: UTC.")
    first_contact_weekends: bool = True


class ClientPublic(ClientCreate):
    model_config = OPEN


@router.get(
    "/clients",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    response_model=list[ClientPublic],
    summary="Every client",
)
def list_clients(keepword: KeepwordDep) -> list[ClientPublic]:
    return [ClientPublic.model_validate(c) for c in current_portfolio(keepword.uow).clients]


@router.post(
    "/clients",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=ClientPublic,
    status_code=201,
    summary="Add a client",
)
def create_client(body: ClientCreate, keepword: KeepwordDep, who: WhoDep) -> ClientPublic:
    data = ClientInput(**body.model_dump())
    saved = plan.save_client(keepword.uow, data, create=True, **who)
    return ClientPublic.model_validate(saved.value)


@router.put(
    "/clients/{client_id}",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=ClientPublic,
    summary="Edit a client",
)
def update_client(
    client_id: str, body: ClientUpdate, keepword: KeepwordDep, who: WhoDep
) -> ClientPublic:
    data = ClientInput(client_id, **body.model_dump())
    saved = plan.save_client(keepword.uow, data, create=False, **who)
    return ClientPublic.model_validate(saved.value)


# --- people -----------------------------------------------------------------------------------


COUNTRY = "ISO 3166 code, for public holidays"


class PersonUpdate(RequestBody):
    name: Line
    email: Line | None
    skills: Refs
    country: Ref | None = Field(description=COUNTRY)
    subdivision: Line | None
    working_days: Annotated[list[Weekday], Field(max_length=7)]


class PersonCreate(PersonUpdate):
    id: Id
    email: Line | None = None
    skills: Refs = Field([])
    country: Ref | None = Field(None, description=COUNTRY)
    subdivision: Line | None = None
    working_days: Annotated[list[Weekday], Field(max_length=7)] = WORKING_WEEK


class TimeOffPublic(BaseModel):
    start: date
    end: date
    reason: str


class PersonPublic(PersonCreate):
    model_config = OPEN
    time_off: list[TimeOffPublic] = Field(
        [], description="booked apart (POST time off); kept by an edit"
    )


def _person_input(person_id: str, body: PersonUpdate) -> PersonInput:
    return PersonInput(
        person_id,
        body.name,
        body.email,
        tuple(body.skills),
        body.country,
        body.subdivision,
        tuple(body.working_days),
    )


def _person(person: Person) -> PersonPublic:
    calendar = person.calendar
    return PersonPublic(
        id=person.id,
        name=person.name,
        email=person.email,
        skills=list(person.skills),
        country=calendar.country,
        subdivision=calendar.subdivision,
        working_days=[cast(Weekday, WEEKDAY_NAMES[d]) for d in calendar.weekdays],
        time_off=[
            TimeOffPublic(start=t.start, end=t.end, reason=t.reason) for t in calendar.time_off
        ],
    )


@router.get(
    "/people",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    response_model=list[PersonPublic],
    summary="Every person",
)
def list_people(keepword: KeepwordDep) -> list[PersonPublic]:
    return [_person(p) for p in current_portfolio(keepword.uow).people]


@router.post(
    "/people",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=PersonPublic,
    status_code=201,
    summary="Add a person",
)
def create_person(body: PersonCreate, keepword: KeepwordDep, who: WhoDep) -> PersonPublic:
    data = _person_input(body.id, body)
    return _person(plan.save_person(keepword.uow, data, create=True, **who).value)


@router.put(
    "/people/{person_id}",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=PersonPublic,
    summary="Edit a person",
)
def update_person(
    person_id: str, body: PersonUpdate, keepword: KeepwordDep, who: WhoDep
) -> PersonPublic:
    data = _person_input(person_id, body)
    return _person(plan.save_person(keepword.uow, data, create=False, **who).value)


# --- projects ---------------------------------------------------------------------------------


DISCLOSURE_TARGET = "working days between a risk found and the client told; null: 1"


class ProjectUpdate(RequestBody):
    client: Ref
    name: Line
    start: date
    lead: Ref | None
    disclosure_target: int | None = Field(description=DISCLOSURE_TARGET)


class ProjectCreate(ProjectUpdate):
    id: Id
    lead: Ref | None = None
    disclosure_target: int | None = Field(None, description=DISCLOSURE_TARGET)


class ProjectPublic(ProjectCreate):
    """A project's own fields; its phases and items are listed under it."""

    model_config = OPEN


@router.post(
    "/projects",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=ProjectPublic,
    status_code=201,
    summary="Add a project",
)
def create_project(body: ProjectCreate, keepword: KeepwordDep, who: WhoDep) -> ProjectPublic:
    data = ProjectInput(**body.model_dump())
    saved = plan.save_project(keepword.uow, data, create=True, **who)
    return ProjectPublic.model_validate(saved.value)


@router.put(
    "/projects/{project_id}",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=ProjectPublic,
    summary="Edit a project",
)
def update_project(
    project_id: str, body: ProjectUpdate, keepword: KeepwordDep, who: WhoDep
) -> ProjectPublic:
    data = ProjectInput(project_id, **body.model_dump())
    saved = plan.save_project(keepword.uow, data, create=False, **who)
    return ProjectPublic.model_validate(saved.value)


# --- phases -----------------------------------------------------------------------------------


class PhaseUpdate(RequestBody):
    name: Line


class PhaseCreate(PhaseUpdate):
    id: Id


class PhasePublic(PhaseCreate):
    model_config = OPEN
    project: Ref


def _phase(project_id: str, phase: Phase) -> PhasePublic:
    return PhasePublic(project=project_id, id=phase.id, name=phase.name)


@router.get(
    "/projects/{project_id}/phases",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    response_model=list[PhasePublic],
    summary="A project's phases",
)
def list_phases(project_id: str, keepword: KeepwordDep) -> list[PhasePublic]:
    project = current_portfolio(keepword.uow).project(project_id)
    return [_phase(project.id, ph) for ph in project.phases]


@router.post(
    "/projects/{project_id}/phases",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=PhasePublic,
    status_code=201,
    summary="Add a phase after the project's last",
)
def create_phase(
    project_id: str, body: PhaseCreate, keepword: KeepwordDep, who: WhoDep
) -> PhasePublic:
    data = PhaseInput(project_id, body.id, body.name)
    saved = plan.save_phase(keepword.uow, data, create=True, **who)
    return _phase(project_id, saved.value)


@router.put(
    "/projects/{project_id}/phases/{phase_id}",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=PhasePublic,
    summary="Rename a phase",
)
def update_phase(
    project_id: str, phase_id: str, body: PhaseUpdate, keepword: KeepwordDep, who: WhoDep
) -> PhasePublic:
    data = PhaseInput(project_id, phase_id, body.name)
    saved = plan.save_phase(keepword.uow, data, create=False, **who)
    return _phase(project_id, saved.value)


# --- items ------------------------------------------------------------------------------------


class ItemUpdate(RequestBody):
    """A work item; its estimate is three points in ideal person-days, all or none."""

    title: Line
    phase: Ref | None
    skill: Ref | None
    optimistic: float | None
    likely: float | None
    pessimistic: float | None
    depends_on: Refs
    status: Status
    started: date | None
    done: date | None


class ItemCreate(ItemUpdate):
    id: Id
    phase: Ref | None = None
    skill: Ref | None = None
    optimistic: float | None = None
    likely: float | None = None
    pessimistic: float | None = None
    depends_on: Refs = Field([])
    status: Status = "todo"
    started: date | None = None
    done: date | None = None


class ItemPublic(ItemCreate):
    model_config = OPEN
    project: Ref
    added: date | None = Field(None, description="the day it joined the scope")


def _item_input(project_id: str, item_id: str, body: ItemUpdate) -> ItemInput:
    values = body.model_dump(exclude={"id"})
    values["depends_on"] = tuple(values["depends_on"])
    return ItemInput(project_id, item_id, **values)


def _item(project_id: str, item: WorkItem) -> ItemPublic:
    estimate = item.estimate
    return ItemPublic(
        project=project_id,
        id=item.id,
        title=item.title,
        phase=item.phase,
        skill=item.skill,
        optimistic=estimate.optimistic if estimate else None,
        likely=estimate.likely if estimate else None,
        pessimistic=estimate.pessimistic if estimate else None,
        depends_on=list(item.depends_on),
        status=item.status.value,
        started=item.started,
        done=item.done,
        added=item.added,
    )


@router.get(
    "/projects/{project_id}/items",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    response_model=list[ItemPublic],
    summary="A project's items, in priority order",
)
def list_items(project_id: str, keepword: KeepwordDep) -> list[ItemPublic]:
    project = current_portfolio(keepword.uow).project(project_id)
    return [_item(project.id, i) for i in project.items]


@router.post(
    "/projects/{project_id}/items",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=ItemPublic,
    status_code=201,
    summary="Add an item after the project's last (its scope grows today)",
)
def create_item(
    project_id: str, body: ItemCreate, keepword: KeepwordDep, who: WhoDep
) -> ItemPublic:
    data = _item_input(project_id, body.id, body)
    saved = plan.save_item(keepword.uow, data, create=True, **who)
    return _item(project_id, saved.value)


@router.put(
    "/projects/{project_id}/items/{item_id}",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=ItemPublic,
    summary="Edit an item",
)
def update_item(
    project_id: str, item_id: str, body: ItemUpdate, keepword: KeepwordDep, who: WhoDep
) -> ItemPublic:
    data = _item_input(project_id, item_id, body)
    saved = plan.save_item(keepword.uow, data, create=False, **who)
    return _item(project_id, saved.value)


# --- allocations ------------------------------------------------------------------------------


OVER_ALLOCATION = "a deliberate overbooking"


class AllocationUpdate(RequestBody):
    fraction: float = Field(description="share of the person's working days, above 0, at most 1")
    start: date
    end: date
    over_allocation: bool = Field(description=OVER_ALLOCATION)


class AllocationCreate(AllocationUpdate):
    person: Ref
    project: Ref
    over_allocation: bool = Field(False, description=OVER_ALLOCATION)


class AllocationPublic(AllocationCreate):
    """An allocation, named by person, project and start day (it has no id of its own)."""

    model_config = OPEN


@router.get(
    "/allocations",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    response_model=list[AllocationPublic],
    summary="Every allocation",
)
def list_allocations(
    keepword: KeepwordDep, person: str | None = None, project: str | None = None
) -> list[AllocationPublic]:
    chosen = plan.allocations(keepword.uow, person=person, project=project)
    return [AllocationPublic.model_validate(a) for a in chosen]


@router.post(
    "/allocations",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=AllocationPublic,
    status_code=201,
    summary="Allocate a person",
)
def create_allocation(
    body: AllocationCreate, keepword: KeepwordDep, who: WhoDep
) -> AllocationPublic:
    data = AllocationInput(**body.model_dump())
    saved = plan.save_allocation(keepword.uow, data, create=True, **who)
    return AllocationPublic.model_validate(saved.value)


@router.put(
    "/allocations/{person}/{project}/{start}",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=AllocationPublic,
    summary="Edit the allocation of a person to a project that starts on a day",
)
def update_allocation(
    person: str,
    project: str,
    start: Annotated[date, Path(description="the day the allocation starts now")],
    body: AllocationUpdate,
    keepword: KeepwordDep,
    who: WhoDep,
) -> AllocationPublic:
    data = AllocationInput(person, project, **body.model_dump())
    key = AllocationKey(person, project, start)
    saved = plan.save_allocation(keepword.uow, data, key=key, create=False, **who)
    return AllocationPublic.model_validate(saved.value)


# --- commitments ------------------------------------------------------------------------------


PHASES = "the phases promised; none: the whole project"
CONFIDENCE = "the odds wanted, in (0, 1)"


class CommitmentUpdate(RequestBody):
    """A commitment's terms. Once committed its project, due date and phases change only by
    renegotiation: close it as renegotiated and propose the new terms."""

    project: Ref
    title: Line
    due: date
    phases: Refs = Field(description=PHASES)
    confidence: float = Field(description=CONFIDENCE)
    made_by: Line | None
    made_to: Line | None
    made_on: date | None
    fixed_date: bool


class CommitmentCreate(CommitmentUpdate):
    id: Id
    phases: Refs = Field([], description=PHASES)
    confidence: float = Field(DEFAULT_CONFIDENCE, description=CONFIDENCE)
    made_by: Line | None = None
    made_to: Line | None = None
    made_on: date | None = None
    fixed_date: bool = False


class CommitmentPublic(CommitmentCreate):
    model_config = OPEN
    state: Ref


def _commitment_input(commitment_id: str, body: CommitmentUpdate) -> CommitmentInput:
    values = body.model_dump(exclude={"id"})
    values["phases"] = tuple(values["phases"])
    return CommitmentInput(commitment_id, **values)


@router.post(
    "/commitments",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=CommitmentPublic,
    status_code=201,
    summary="Propose a commitment (the gate commits it)",
)
def propose_commitment(
    body: CommitmentCreate, keepword: KeepwordDep, who: WhoDep
) -> CommitmentPublic:
    data = _commitment_input(body.id, body)
    saved = plan.save_commitment(keepword.uow, data, create=True, **who)
    return CommitmentPublic.model_validate(saved.value)


@router.put(
    "/commitments/{commitment_id}",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_model=CommitmentPublic,
    summary="Edit a commitment",
)
def update_commitment(
    commitment_id: str, body: CommitmentUpdate, keepword: KeepwordDep, who: WhoDep
) -> CommitmentPublic:
    data = _commitment_input(commitment_id, body)
    saved = plan.save_commitment(keepword.uow, data, create=False, **who)
    return CommitmentPublic.model_validate(saved.value)


class _Who(TypedDict):
    actor: Actor
    now: datetime


async def _who_of(request: Request) -> _Who:
    """Who the events are recorded as (the caller), and when."""
    return _Who(actor=actor_of(request), now=keepword_of(request).settings.now())


WhoDep = Annotated[_Who, Depends(_who_of)]


# --- one change at a time, watched ---------------------------------------------------------


class ReforecastPublic(BaseModel):
    commitment: str
    on_time_before: Probability | None
    on_time_after: Probability | None
    p85_before: date | None
    p85_after: date | None


class ChangeResult(BaseModel):
    changes: list[EventPublic] = Field(description="What was recorded, as events.")
    reforecast: list[ReforecastPublic] = Field(description="Commitments forecast again.")
    signals_raised: list[SignalRef]


def _change_result(report: watch.ChangeReport) -> ChangeResult:
    """What the change recorded, what it did to the odds and which signals it raised."""
    events = report.events
    return ChangeResult(
        changes=[EventPublic.model_validate(e) for e in events if e.entity != "signal"],
        reforecast=[
            ReforecastPublic(
                commitment=moved.commitment,
                on_time_before=moved.before.on_time,
                on_time_after=moved.after.on_time,
                p85_before=moved.before.p85,
                p85_after=moved.after.p85,
            )
            for moved in report.reforecast
        ],
        signals_raised=signals_raised(events),
    )


class OnDay(RequestBody):
    on: date | None = Field(default=None, description="The day it happened (default: today).")


def _set_status(
    keepword: Keepword, actor: Actor, project: str, item: str, status: ItemStatus, on: date | None
) -> ChangeResult:
    report = plan.record_item_status(
        keepword.uow, project, item, status, on=on, actor=actor, now=keepword.settings.now()
    )
    return _change_result(report)


@changes_router.post(
    "/projects/{project_id}/items/{item_id}/start", dependencies=[allow(Action.UPDATE_WORK)]
)
def start_item(
    project_id: str,
    item_id: str,
    keepword: KeepwordDep,
    actor: ActorDep,
    request: OnDay | None = None,
) -> ChangeResult:
    """Record that work on an item started; its project is forecast again."""
    on = request.on if request else None
    return _set_status(keepword, actor, project_id, item_id, ItemStatus.IN_PROGRESS, on)


@changes_router.post(
    "/projects/{project_id}/items/{item_id}/done", dependencies=[allow(Action.UPDATE_WORK)]
)
def finish_item(
    project_id: str,
    item_id: str,
    keepword: KeepwordDep,
    actor: ActorDep,
    request: OnDay | None = None,
) -> ChangeResult:
    """Record that an item is done; its project is forecast again."""
    on = request.on if request else None
    return _set_status(keepword, actor, project_id, item_id, ItemStatus.DONE, on)


class TimeOffRequest(RequestBody):
    start: date = Field(description="First day off.")
    end: date = Field(description="Last day off.")
    reason: str = Field(default="", max_length=TEXT_MAX, description="Why, in a few words.")


@changes_router.post("/people/{person_id}/time-off", dependencies=[allow(Action.UPDATE_WORK)])
def book_time_off(
    person_id: str, request: TimeOffRequest, keepword: KeepwordDep, actor: ActorDep
) -> ChangeResult:
    """Book days off for a person; the projects they work on are forecast again."""
    report = plan.book_time_off(
        keepword.uow,
        person_id,
        request.start,
        request.end,
        reason=request.reason,
        actor=actor,
        now=keepword.settings.now(),
    )
    return _change_result(report)
