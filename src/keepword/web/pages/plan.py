"""Pages: the plan, and a form to create or edit each of its entities.

One form template serves every entity: each entity here is a list of field descriptions,
the initial values of an edit, and the save of :mod:`keepword.services.plan` it calls.
A save that is refused shows the form again (422) with what was typed and every error beside
its field; one that passes goes to the project page (clients and people: the plan).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from keepword.bootstrap import Keepword
from keepword.domain.access import Action, Actor
from keepword.domain.calendar import WEEKDAY_NAMES
from keepword.domain.commitment import DEFAULT_CONFIDENCE
from keepword.domain.errors import InvalidFields, NotFound
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus, Project
from keepword.services import plan
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
from keepword.web.rendering import KeepwordDep, render
from keepword.web.security import actor_of, allow

router = APIRouter()

Kind = Literal[
    "text", "email", "textarea", "date", "number", "integer", "select", "multiple", "checkbox"
]
Values = dict[str, Any]  # what a form shows: text, a list (multiple) or a flag (checkbox)
Options = tuple[tuple[str, str], ...]  # (value, label)


@dataclass(frozen=True)
class Field:
    """One input of a form, with its label and, for a choice, the options."""

    name: str
    label: str
    kind: Kind = "text"
    required: bool = False
    options: Options = ()
    hint: str = ""
    readonly: bool = False


@dataclass(frozen=True)
class Where:
    """Which entity a form is about: the ids in its URL (none for a new top-level one)."""

    ids: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.ids[name]


@dataclass(frozen=True)
class EntityForm:
    """How one kind of entity is shown in a form and saved from it."""

    noun: str
    fields: Callable[[Portfolio, Where, bool], list[Field]]
    values: Callable[[Portfolio, Where], Values]  # an edit's initial values
    save: Callable[[Keepword, Actor, Values, Where, bool, dict[str, str]], None]
    done: Callable[[Values, Where], str]  # where a save that passes goes


# --- the fields of each entity ----------------------------------------------------------------

ID_HINT = "letters, digits, '.', '_' and '-'; it cannot change later"
STATUSES: Options = tuple((s.value, s.value.replace("_", " ")) for s in ItemStatus)
WEEKDAYS: Options = tuple((d, d.capitalize()) for d in WEEKDAY_NAMES)


def _id(create: bool, label: str = "Id") -> Field:
    return Field("id", label, required=True, hint=ID_HINT if create else "", readonly=not create)


def _choices(entities: Any, label: Callable[[Any], str], blank: str | None = None) -> Options:
    options = tuple((e.id, label(e)) for e in entities)
    return (("", blank), *options) if blank is not None else options


def _project_of(portfolio: Portfolio, where: Where) -> Project:
    return portfolio.project(where["project"])


def _client_fields(portfolio: Portfolio, where: Where, create: bool) -> list[Field]:
    return [
        _id(create),
        Field("name", "Name", required=True),
        Field("contact", "Contact", hint="who to tell, and how to reach them"),
    ]


def _person_fields(portfolio: Portfolio, where: Where, create: bool) -> list[Field]:
    return [
        _id(create),
        Field("name", "Name", required=True),
        Field("email", "Email", "email"),
        Field("skills", "Skills", "multiple", options=_choices(portfolio.skills, _name)),
        Field("country", "Country", hint="ISO 3166 code such as GB, for public holidays"),
        Field("subdivision", "Subdivision", hint="e.g. ENG for England; needs the country"),
        Field("working_days", "Working days", "multiple", required=True, options=WEEKDAYS),
    ]


def _project_fields(portfolio: Portfolio, where: Where, create: bool) -> list[Field]:
    return [
        _id(create),
        Field("name", "Name", required=True),
        Field("client", "Client", "select", True, _choices(portfolio.clients, _name, "Choose…")),
        Field("start", "Start", "date", required=True),
        Field("lead", "Lead", "select", options=_choices(portfolio.people, _name, "No lead")),
        Field(
            "disclosure_target",
            "Disclosure target (working days)",
            "integer",
            hint="the longest a risk may go untold; blank: one working day",
        ),
    ]


def _phase_fields(portfolio: Portfolio, where: Where, create: bool) -> list[Field]:
    return [_id(create), Field("name", "Name", required=True)]


def _item_fields(portfolio: Portfolio, where: Where, create: bool) -> list[Field]:
    project = _project_of(portfolio, where)
    others = [i for i in project.items if create or i.id != where["id"]]
    return [
        _id(create),
        Field("title", "Title", required=True),
        Field("phase", "Phase", "select", options=_choices(project.phases, _name, "No phase")),
        Field("skill", "Skill needed", "select", options=_choices(portfolio.skills, _name, "Any")),
        Field("optimistic", "Optimistic (person-days)", "number", hint="all three or none"),
        Field("likely", "Likely (person-days)", "number"),
        Field("pessimistic", "Pessimistic (person-days)", "number"),
        Field("depends_on", "Depends on", "multiple", options=_choices(others, _title)),
        Field("status", "Status", "select", required=True, options=STATUSES),
        Field("started", "Started", "date"),
        Field("done", "Done", "date"),
    ]


def _allocation_fields(portfolio: Portfolio, where: Where, create: bool) -> list[Field]:
    if create:
        person = Field(
            "person", "Person", "select", True, _choices(portfolio.people, _name, "Choose…")
        )
        project = Field(
            "project", "Project", "select", True, _choices(portfolio.projects, _name, "Choose…")
        )
    else:
        person = Field("person", "Person", required=True, readonly=True)
        project = Field("project", "Project", required=True, readonly=True)
    return [
        person,
        project,
        Field("fraction", "Fraction", "number", True, hint="share of their working days, e.g. 0.5"),
        Field("start", "Start", "date", required=True),
        Field("end", "End", "date", required=True),
        Field("over_allocation", "Deliberate over-allocation", "checkbox"),
    ]


WHOLE = "none: the whole project"
CONFIDENCE = "the odds wanted before promising, e.g. 0.85"


def _commitment_fields(portfolio: Portfolio, where: Where, create: bool) -> list[Field]:
    phases = tuple((ph.id, f"{p.name}: {ph.name}") for p in portfolio.projects for ph in p.phases)
    return [
        _id(create),
        Field("project", "Project", "select", True, _choices(portfolio.projects, _name, "Choose…")),
        Field("title", "Title", required=True),
        Field("due", "Due", "date", required=True),
        Field("phases", "Phases promised", "multiple", options=phases, hint=WHOLE),
        Field("confidence", "Confidence", "number", True, hint=CONFIDENCE),
        Field("made_by", "Made by"),
        Field("made_to", "Made to"),
        Field("made_on", "Made on", "date"),
        Field("fixed_date", "Fixed date (cannot move)", "checkbox"),
    ]


def _name(entity: Any) -> str:
    return str(entity.name)


def _title(entity: Any) -> str:
    return f"{entity.id}: {entity.title}"


# --- the values of an edit --------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _client_values(portfolio: Portfolio, where: Where) -> Values:
    client = portfolio.client(where["id"])
    return {"id": client.id, "name": client.name, "contact": _text(client.contact)}


def _person_values(portfolio: Portfolio, where: Where) -> Values:
    person = portfolio.person(where["id"])
    calendar = person.calendar
    return {
        "id": person.id,
        "name": person.name,
        "email": _text(person.email),
        "skills": list(person.skills),
        "country": _text(calendar.country),
        "subdivision": _text(calendar.subdivision),
        "working_days": [WEEKDAY_NAMES[d] for d in calendar.weekdays],
    }


def _project_values(portfolio: Portfolio, where: Where) -> Values:
    project = portfolio.project(where["id"])
    names = ("id", "name", "client", "start", "lead", "disclosure_target")
    return {n: _text(getattr(project, n)) for n in names}


def _phase_values(portfolio: Portfolio, where: Where) -> Values:
    phase = next((ph for ph in _project_of(portfolio, where).phases if ph.id == where["id"]), None)
    if phase is None:
        raise NotFound(f"project {where['project']!r} has no phase {where['id']!r}")
    return {"id": phase.id, "name": phase.name}


def _item_values(portfolio: Portfolio, where: Where) -> Values:
    try:
        item = _project_of(portfolio, where).item(where["id"])
    except KeyError:
        raise NotFound(f"project {where['project']!r} has no item {where['id']!r}") from None
    estimate = item.estimate
    values = {
        n: _text(getattr(item, n)) for n in ("id", "title", "phase", "skill", "started", "done")
    }
    for point in ("optimistic", "likely", "pessimistic"):
        values[point] = _text(getattr(estimate, point)) if estimate else ""
    return {**values, "depends_on": list(item.depends_on), "status": item.status.value}


def _allocation_key(where: Where) -> AllocationKey:
    try:
        start = date.fromisoformat(where["start"])
    except ValueError:
        raise NotFound(f"no allocation starting on {where['start']!r}") from None
    return AllocationKey(where["person"], where["project"], start)


def _allocation_values(portfolio: Portfolio, where: Where) -> Values:
    allocation = plan.find_allocation(portfolio, _allocation_key(where))
    names = ("person", "project", "fraction", "start", "end")
    return {
        **{n: _text(getattr(allocation, n)) for n in names},
        "over_allocation": allocation.over_allocation,
    }


def _commitment_values(portfolio: Portfolio, where: Where) -> Values:
    commitment = portfolio.commitment(where["id"])
    names = ("id", "project", "title", "due", "confidence", "made_by", "made_to", "made_on")
    return {
        **{n: _text(getattr(commitment, n)) for n in names},
        "phases": list(commitment.phases),
        "fixed_date": commitment.fixed_date,
    }


# --- the saves --------------------------------------------------------------------------------


def _save_client(
    keepword: Keepword,
    actor: Actor,
    values: Values,
    where: Where,
    create: bool,
    errors: dict[str, str],
) -> None:
    data = ClientInput(**values)
    plan.save_client(
        keepword.uow,
        data,
        create=create,
        input_errors=errors,
        actor=actor,
        now=keepword.settings.now(),
    )


def _save_person(
    keepword: Keepword,
    actor: Actor,
    values: Values,
    where: Where,
    create: bool,
    errors: dict[str, str],
) -> None:
    data = PersonInput(**values)
    plan.save_person(
        keepword.uow,
        data,
        create=create,
        input_errors=errors,
        actor=actor,
        now=keepword.settings.now(),
    )


def _save_project(
    keepword: Keepword,
    actor: Actor,
    values: Values,
    where: Where,
    create: bool,
    errors: dict[str, str],
) -> None:
    data = ProjectInput(**values)
    plan.save_project(
        keepword.uow,
        data,
        create=create,
        input_errors=errors,
        actor=actor,
        now=keepword.settings.now(),
    )


def _save_phase(
    keepword: Keepword,
    actor: Actor,
    values: Values,
    where: Where,
    create: bool,
    errors: dict[str, str],
) -> None:
    data = PhaseInput(where["project"], **values)
    plan.save_phase(
        keepword.uow,
        data,
        create=create,
        input_errors=errors,
        actor=actor,
        now=keepword.settings.now(),
    )


def _save_item(
    keepword: Keepword,
    actor: Actor,
    values: Values,
    where: Where,
    create: bool,
    errors: dict[str, str],
) -> None:
    data = ItemInput(where["project"], **values)
    plan.save_item(
        keepword.uow,
        data,
        create=create,
        input_errors=errors,
        actor=actor,
        now=keepword.settings.now(),
    )


def _save_allocation(
    keepword: Keepword,
    actor: Actor,
    values: Values,
    where: Where,
    create: bool,
    errors: dict[str, str],
) -> None:
    data = AllocationInput(**values)
    key = None if create else _allocation_key(where)
    plan.save_allocation(
        keepword.uow,
        data,
        key=key,
        create=create,
        input_errors=errors,
        actor=actor,
        now=keepword.settings.now(),
    )


def _save_commitment(
    keepword: Keepword,
    actor: Actor,
    values: Values,
    where: Where,
    create: bool,
    errors: dict[str, str],
) -> None:
    data = CommitmentInput(**values)
    plan.save_commitment(
        keepword.uow,
        data,
        create=create,
        input_errors=errors,
        actor=actor,
        now=keepword.settings.now(),
    )


def _to_plan(values: Values, where: Where) -> str:
    return "/plan"


def _to_project(values: Values, where: Where) -> str:
    return f"/projects/{where.ids.get('project') or values.get('project') or values['id']}"


FORMS: dict[str, EntityForm] = {
    "clients": EntityForm("client", _client_fields, _client_values, _save_client, _to_plan),
    "people": EntityForm("person", _person_fields, _person_values, _save_person, _to_plan),
    "projects": EntityForm("project", _project_fields, _project_values, _save_project, _to_project),
    "phases": EntityForm("phase", _phase_fields, _phase_values, _save_phase, _to_project),
    "items": EntityForm("item", _item_fields, _item_values, _save_item, _to_project),
    "allocations": EntityForm(
        "allocation", _allocation_fields, _allocation_values, _save_allocation, _to_project
    ),
    "commitments": EntityForm(
        "commitment", _commitment_fields, _commitment_values, _save_commitment, _to_project
    ),
}
TOP_LEVEL = ("clients", "people", "projects", "allocations", "commitments")
IN_PROJECT = ("phases", "items")


# --- reading a posted form --------------------------------------------------------------------


def _typed(fields: list[Field], form: FormData) -> tuple[Values, Values, dict[str, str]]:
    """What was typed (to show again), the values the save takes, and the fields that could
    not even be read."""
    shown: Values = {}
    typed: Values = {}
    errors: dict[str, str] = {}
    for f in fields:
        if f.kind == "multiple":
            chosen = [str(v) for v in form.getlist(f.name)]
            shown[f.name], typed[f.name] = chosen, tuple(chosen)
            continue
        if f.kind == "checkbox":
            shown[f.name] = typed[f.name] = f.name in form
            continue
        raw = str(form.get(f.name) or "").strip()
        shown[f.name] = raw
        try:
            typed[f.name] = _parse(f.kind, raw)
        except ValueError as error:
            errors[f.name], typed[f.name] = str(error), None
    return shown, typed, errors


def _parse(kind: Kind, raw: str) -> object:
    if kind == "date":
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError("a date, written YYYY-MM-DD") from None
    if kind in ("number", "integer"):
        if not raw:
            return None
        try:
            return int(raw) if kind == "integer" else float(raw)
        except ValueError:
            raise ValueError("a whole number" if kind == "integer" else "a number") from None
    return raw


# --- the pages ------------------------------------------------------------------------------


@router.get(
    "/plan", dependencies=[allow(Action.VIEW_PORTFOLIO)], response_class=HTMLResponse, name="plan"
)
def plan_page(request: Request, keepword: KeepwordDep) -> HTMLResponse:
    portfolio = current_portfolio(keepword.uow)
    clients = {c.id: c.name for c in portfolio.clients}
    people = {p.id: p.name for p in portfolio.people}
    return render(
        request,
        "plan.html",
        {"portfolio": portfolio, "client_names": clients, "person_names": people},
    )


def _form(kind: str) -> EntityForm:
    if kind not in FORMS:
        raise NotFound(f"no such part of the plan: {kind!r}")
    return FORMS[kind]


def _show(
    request: Request,
    entity: EntityForm,
    fields: list[Field],
    values: Values,
    create: bool,
    errors: Mapping[str, str] | None = None,
    *,
    project: Project | None = None,
) -> HTMLResponse:
    names = {f.name for f in fields}
    errors = dict(errors or {})
    general = [m for k, m in errors.items() if k not in names]
    context = {
        "title": f"New {entity.noun}" if create else f"Edit {entity.noun} {values.get('id', '')}",
        "entity": entity,
        "fields": fields,
        "values": values,
        "errors": {k: m for k, m in errors.items() if k in names},
        "general": general,
        "project": project,
        "action": request.url.path,
        "create": create,
    }
    return render(request, "plan_form.html", context, status_code=422 if errors else 200)


def _get_form(
    request: Request, keepword: Keepword, kind: str, where: Where, create: bool
) -> HTMLResponse:
    entity = _form(kind)
    portfolio = current_portfolio(keepword.uow)
    project = (
        _project_of(portfolio, where) if "project" in where.ids and kind in IN_PROJECT else None
    )
    values = {} if create else entity.values(portfolio, where)
    fields = entity.fields(portfolio, where, create)
    if create:
        # A link may fill in some fields: /plan/allocations/new?project=voice-bot
        multiple = {f.name for f in fields if f.kind == "multiple"}
        for f in fields:
            if f.name in request.query_params:
                given = request.query_params.getlist(f.name)
                values[f.name] = given if f.name in multiple else given[0]
        if kind == "commitments":
            values.setdefault("confidence", _text(DEFAULT_CONFIDENCE))
        if kind == "people":
            values.setdefault("working_days", list(WEEKDAY_NAMES[:5]))
    return _show(request, entity, fields, values, create, project=project)


async def _post_form(
    request: Request, keepword: Keepword, kind: str, where: Where, create: bool
) -> Response:
    entity = _form(kind)
    portfolio = await run_in_threadpool(current_portfolio, keepword.uow)
    project = _project_of(portfolio, where) if kind in IN_PROJECT else None
    if not create:
        entity.values(portfolio, where)  # an unknown id is a 404, not a form
    fields = entity.fields(portfolio, where, create)
    shown, typed, unreadable = _typed(fields, await request.form())
    for f in fields:
        if f.readonly:  # what the URL names, whatever was posted
            shown[f.name] = typed[f.name] = where[f.name]
    try:
        await run_in_threadpool(
            entity.save, keepword, actor_of(request), typed, where, create, unreadable
        )
    except InvalidFields as refused:
        return _show(request, entity, fields, shown, create, refused.errors, project=project)
    return RedirectResponse(entity.done(typed, where), status_code=303)


@router.get("/plan/{kind}/new", dependencies=[allow(Action.EDIT_PLAN)], response_class=HTMLResponse)
def new_form(request: Request, keepword: KeepwordDep, kind: str) -> HTMLResponse:
    if kind not in TOP_LEVEL:
        raise NotFound(f"no such part of the plan: {kind!r}")
    return _get_form(request, keepword, kind, Where(), True)


@router.post(
    "/plan/{kind}/new", dependencies=[allow(Action.EDIT_PLAN)], response_class=HTMLResponse
)
async def create(request: Request, keepword: KeepwordDep, kind: str) -> Response:
    if kind not in TOP_LEVEL:
        raise NotFound(f"no such part of the plan: {kind!r}")
    return await _post_form(request, keepword, kind, Where(), True)


@router.get(
    "/plan/{kind}/{entity_id}/edit",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_class=HTMLResponse,
)
def edit_form(request: Request, keepword: KeepwordDep, kind: str, entity_id: str) -> HTMLResponse:
    if kind not in TOP_LEVEL or kind == "allocations":
        raise NotFound(f"no such part of the plan: {kind!r}")
    return _get_form(request, keepword, kind, Where({"id": entity_id}), False)


@router.post(
    "/plan/{kind}/{entity_id}/edit",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_class=HTMLResponse,
)
async def edit(request: Request, keepword: KeepwordDep, kind: str, entity_id: str) -> Response:
    if kind not in TOP_LEVEL or kind == "allocations":
        raise NotFound(f"no such part of the plan: {kind!r}")
    return await _post_form(request, keepword, kind, Where({"id": entity_id}), False)


@router.get(
    "/plan/projects/{project_id}/{kind}/new",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_class=HTMLResponse,
)
def new_in_project_form(
    request: Request, keepword: KeepwordDep, project_id: str, kind: str
) -> HTMLResponse:
    if kind not in IN_PROJECT:
        raise NotFound(f"no such part of a project: {kind!r}")
    return _get_form(request, keepword, kind, Where({"project": project_id}), True)


@router.post(
    "/plan/projects/{project_id}/{kind}/new",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_class=HTMLResponse,
)
async def create_in_project(
    request: Request, keepword: KeepwordDep, project_id: str, kind: str
) -> Response:
    if kind not in IN_PROJECT:
        raise NotFound(f"no such part of a project: {kind!r}")
    return await _post_form(request, keepword, kind, Where({"project": project_id}), True)


@router.get(
    "/plan/projects/{project_id}/{kind}/{entity_id}/edit",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_class=HTMLResponse,
)
def edit_in_project_form(
    request: Request, keepword: KeepwordDep, project_id: str, kind: str, entity_id: str
) -> HTMLResponse:
    if kind not in IN_PROJECT:
        raise NotFound(f"no such part of a project: {kind!r}")
    where = Where({"project": project_id, "id": entity_id})
    return _get_form(request, keepword, kind, where, False)


@router.post(
    "/plan/projects/{project_id}/{kind}/{entity_id}/edit",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_class=HTMLResponse,
)
async def edit_in_project(
    request: Request, keepword: KeepwordDep, project_id: str, kind: str, entity_id: str
) -> Response:
    if kind not in IN_PROJECT:
        raise NotFound(f"no such part of a project: {kind!r}")
    where = Where({"project": project_id, "id": entity_id})
    return await _post_form(request, keepword, kind, where, False)


@router.get(
    "/plan/allocations/{person}/{project}/{start}/edit",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_class=HTMLResponse,
)
def edit_allocation_form(
    request: Request, keepword: KeepwordDep, person: str, project: str, start: str
) -> HTMLResponse:
    where = Where({"person": person, "project": project, "start": start})
    return _get_form(request, keepword, "allocations", where, False)


@router.post(
    "/plan/allocations/{person}/{project}/{start}/edit",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_class=HTMLResponse,
)
async def edit_allocation(
    request: Request, keepword: KeepwordDep, person: str, project: str, start: str
) -> Response:
    where = Where({"person": person, "project": project, "start": start})
    return await _post_form(request, keepword, "allocations", where, False)


@router.get(
    "/plan/projects/{project_id}",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    response_class=HTMLResponse,
    name="plan_project",
)
def plan_project_page(request: Request, keepword: KeepwordDep, project_id: str) -> HTMLResponse:
    portfolio = current_portfolio(keepword.uow)
    project = portfolio.project(project_id)
    context = {
        "project": project,
        "client": portfolio.client(project.client),
        "allocations": [a for a in portfolio.allocations if a.project == project.id],
        "commitments": [c for c in portfolio.commitments if c.project == project.id],
        "person_names": {p.id: p.name for p in portfolio.people},
    }
    return render(request, "plan_project.html", context)
