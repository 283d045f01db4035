"""Pages: the plan, and a form to create or edit each of its entities.

Every kind of entity is one row of :data:`FORMS`: its fields, where its forms are, how an
edit finds it, the input and the save of :mod:`keepword.services.plan` it goes through, and
where a save that passes goes. One GET and one POST serve every kind: the form, then the
save. A save that is refused shows the form again (422) with what was typed and every error
beside its field; one that passes goes to the project page (clients and people: the plan).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from keepword.bootstrap import Keepword
from keepword.domain.access import Action, Actor
from keepword.domain.calendar import WEEKDAY_NAMES
from keepword.domain.errors import InvalidFields, InvalidLines, NotFound
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus, Phase, Project, WorkItem
from keepword.domain.text import LINES_MAX
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
from keepword.web.security import ActorDep, allow

router = APIRouter()

Kind = Literal[
    "text", "email", "textarea", "date", "number", "integer", "select", "multiple", "checkbox"
]
Values = dict[str, Any]  # what a form shows: text, a list (multiple) or a flag (checkbox)
Options = tuple[tuple[str, str], ...]  # (value, label)


@dataclass(frozen=True)
class Where:
    """Which entity a form is about: the ids in its URL (none for a new top-level one)."""

    ids: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.ids[name]


@dataclass(frozen=True)
class Field:
    """One input of a form, with its label and, for a choice, the options.

    ``options`` may be read from the portfolio when the form is shown. A ``fixed`` field is
    named by an edit's URL: the edit shows it read-only, as text, and saves the URL's value.
    ``read`` is its value in the entity edited, when that is not the attribute of its name.
    """

    name: str
    label: str
    kind: Kind = "text"
    required: bool = False
    options: Options | Callable[[Portfolio, Where], Options] = ()
    hint: str = ""
    fixed: bool = False
    read: Callable[[Any], object] | None = None
    readonly: bool = False  # set by shown(), on an edit's fixed field

    def shown(self, portfolio: Portfolio, where: Where, create: bool) -> Field:
        """The field as the form shows it, its options read."""
        if self.fixed and not create:
            return Field(self.name, self.label, required=self.required, readonly=True)
        options = self.options(portfolio, where) if callable(self.options) else self.options
        return replace(self, options=options)


@dataclass(frozen=True)
class Address:
    """The paths of a kind's forms, a new one's and an edit's; a path's ``{kind}`` that is not
    a kind found there is "no such part of ``part_of``"."""

    new: str
    edit: str
    part_of: str

    @property
    def paths(self) -> tuple[str, str]:
        return self.new, self.edit


ON_THE_PLAN = Address("/plan/{kind}/new", "/plan/{kind}/{entity_id}/edit", "the plan")
IN_A_PROJECT = Address(
    "/plan/projects/{project_id}/{kind}/new",
    "/plan/projects/{project_id}/{kind}/{entity_id}/edit",
    "a project",
)
# An allocation has no id: an edit's path names it by person, project and start day.
BY_ALLOCATION_KEY = Address(
    "/plan/{kind}/new", "/plan/allocations/{person}/{project}/{start}/edit", "the plan"
)
# A path's parameter as the name the forms and the inputs give it.
WHERE_NAMES = {"entity_id": "id", "project_id": "project"}


@dataclass(frozen=True)
class EntityForm:
    """How one kind of entity is shown in a form and saved from it."""

    noun: str
    address: Address
    fields: tuple[Field, ...]
    find: Callable[[Portfolio, Where], Any]  # the entity an edit starts from; NotFound if none
    input: Callable[..., Any]  # the service's input, from the URL's ids and the fields typed
    save: Callable[..., Any]  # the service's save of that input
    done: Callable[[Values, Where], str]  # where a save that passes goes
    new_values: Values = field(default_factory=dict)  # what a new one's form starts with
    key: Callable[[Where], AllocationKey] | None = None  # what an edit's save is told it edits
    template: str = "plan_form.html"


# --- what the fields offer --------------------------------------------------------------------

ID_HINT = "letters, digits, '.', '_' and '-'; it cannot change later"
STATUSES: Options = tuple((s.value, s.value.replace("_", " ")) for s in ItemStatus)
WEEKDAYS: Options = tuple((d, d.capitalize()) for d in WEEKDAY_NAMES)
WHOLE = "none: the whole project"
CONFIDENCE = "the odds wanted before promising, e.g. 0.85"
ID = Field("id", "Id", required=True, hint=ID_HINT, fixed=True)


def _name(entity: Any) -> str:
    return str(entity.name)


def _choices(entities: Any, label: Callable[[Any], str], blank: str | None = None) -> Options:
    options = tuple((e.id, label(e)) for e in entities)
    return (("", blank), *options) if blank is not None else options


def _pick(what: str, blank: str | None = None) -> Callable[[Portfolio, Where], Options]:
    """The portfolio's ``what`` (clients, people, projects, skills) to choose from by name."""
    return lambda portfolio, where: _choices(getattr(portfolio, what), _name, blank)


def _project_of(portfolio: Portfolio, where: Where) -> Project:
    return portfolio.project(where["project"])


def _project_phases(portfolio: Portfolio, where: Where) -> Options:
    return _choices(_project_of(portfolio, where).phases, _name, "No phase")


def _other_items(portfolio: Portfolio, where: Where) -> Options:
    # An item cannot depend on itself, so its own edit does not offer it.
    items = [i for i in _project_of(portfolio, where).items if i.id != where.ids.get("id")]
    return tuple((i.id, f"{i.id}: {i.title}") for i in items)


def _every_phase(portfolio: Portfolio, where: Where) -> Options:
    return tuple((ph.id, f"{p.name}: {ph.name}") for p in portfolio.projects for ph in p.phases)


def _weekday_names(person: Any) -> list[str]:
    return [WEEKDAY_NAMES[d] for d in person.calendar.weekdays]


def _estimate(point: str) -> Callable[[WorkItem], object]:
    return lambda item: getattr(item.estimate, point) if item.estimate else None


# --- how an edit finds its entity, and where a save goes ---------------------------------------


def _phase(portfolio: Portfolio, where: Where) -> Phase:
    phase = next((ph for ph in _project_of(portfolio, where).phases if ph.id == where["id"]), None)
    if phase is None:
        raise NotFound(f"project {where['project']!r} has no phase {where['id']!r}")
    return phase


def _item(portfolio: Portfolio, where: Where) -> WorkItem:
    try:
        return _project_of(portfolio, where).item(where["id"])
    except KeyError:
        raise NotFound(f"project {where['project']!r} has no item {where['id']!r}") from None


def _allocation_key(where: Where) -> AllocationKey:
    try:
        start = date.fromisoformat(where["start"])
    except ValueError:
        raise NotFound(f"no allocation starting on {where['start']!r}") from None
    return AllocationKey(where["person"], where["project"], start)


def _to_plan(values: Values, where: Where) -> str:
    return "/plan"


def _to_project(values: Values, where: Where) -> str:
    return f"/projects/{where.ids.get('project') or values.get('project') or values['id']}"


# --- every kind of entity -------------------------------------------------------------------

FORMS: dict[str, EntityForm] = {
    "clients": EntityForm(
        noun="client",
        address=ON_THE_PLAN,
        fields=(
            ID,
            Field("name", "Name", required=True),
            Field("contact", "Contact", hint="who to tell, and how to reach them"),
            Field(
                "time_zone",
                "Time zone",
                hint="their clock, an IANA name such as Europe/London: call times and "
                "deadlines they read are in it",
            ),
            Field(
                "first_contact_weekends",
                "After an incident, call the next morning even on a weekend",
                "checkbox",
            ),
        ),
        new_values={"time_zone": "UTC", "first_contact_weekends": True},
        find=lambda portfolio, where: portfolio.client(where["id"]),
        input=ClientInput,
        save=plan.save_client,
        done=_to_plan,
    ),
    "people": EntityForm(
        noun="person",
        address=ON_THE_PLAN,
        fields=(
            ID,
            Field("name", "Name", required=True),
            Field("email", "Email", "email"),
            Field("skills", "Skills", "multiple", options=_pick("skills")),
            Field(
                "country",
                "Country",
                hint="ISO 3166 code such as GB, for public holidays",
                read=lambda person: person.calendar.country,
            ),
            Field(
                "subdivision",
                "Subdivision",
                hint="e.g. ENG for England; needs the country",
                read=lambda person: person.calendar.subdivision,
            ),
            Field(
                "working_days",
                "Working days",
                "multiple",
                required=True,
                options=WEEKDAYS,
                read=_weekday_names,
            ),
        ),
        find=lambda portfolio, where: portfolio.person(where["id"]),
        input=PersonInput,
        save=plan.save_person,
        done=_to_plan,
        new_values={"working_days": list(PersonInput.working_days)},
    ),
    "projects": EntityForm(
        noun="project",
        address=ON_THE_PLAN,
        fields=(
            ID,
            Field("name", "Name", required=True),
            Field("client", "Client", "select", True, _pick("clients", "Choose…")),
            Field("start", "Start", "date", required=True),
            Field("lead", "Lead", "select", options=_pick("people", "No lead")),
            Field(
                "disclosure_target",
                "Disclosure target (working days)",
                "integer",
                hint="the longest a risk may go untold; blank: one working day",
            ),
        ),
        find=lambda portfolio, where: portfolio.project(where["id"]),
        input=ProjectInput,
        save=plan.save_project,
        done=_to_project,
    ),
    "phases": EntityForm(
        noun="phase",
        address=IN_A_PROJECT,
        fields=(ID, Field("name", "Name", required=True)),
        find=_phase,
        input=PhaseInput,
        save=plan.save_phase,
        done=_to_project,
    ),
    "items": EntityForm(
        noun="item",
        address=IN_A_PROJECT,
        fields=(
            ID,
            Field("title", "Title", required=True),
            Field("phase", "Phase", "select", options=_project_phases),
            Field("skill", "Skill needed", "select", options=_pick("skills", "Any")),
            Field(
                "optimistic",
                "Optimistic (person-days)",
                "number",
                hint="all three or none",
                read=_estimate("optimistic"),
            ),
            Field("likely", "Likely (person-days)", "number", read=_estimate("likely")),
            Field(
                "pessimistic", "Pessimistic (person-days)", "number", read=_estimate("pessimistic")
            ),
            Field("depends_on", "Depends on", "multiple", options=_other_items),
            Field("status", "Status", "select", required=True, options=STATUSES),
            Field("started", "Started", "date"),
            Field("done", "Done", "date"),
        ),
        find=_item,
        input=ItemInput,
        save=plan.save_item,
        done=_to_project,
    ),
    "allocations": EntityForm(
        noun="allocation",
        address=BY_ALLOCATION_KEY,
        fields=(
            Field("person", "Person", "select", True, _pick("people", "Choose…"), fixed=True),
            Field("project", "Project", "select", True, _pick("projects", "Choose…"), fixed=True),
            Field(
                "fraction",
                "Fraction",
                "number",
                required=True,
                hint="share of their working days, e.g. 0.5",
            ),
            Field("start", "Start", "date", required=True),
            Field("end", "End", "date", required=True),
            Field("over_allocation", "Deliberate over-allocation", "checkbox"),
        ),
        find=lambda portfolio, where: plan.find_allocation(portfolio, _allocation_key(where)),
        input=AllocationInput,
        save=plan.save_allocation,
        done=_to_project,
        key=_allocation_key,
    ),
    "commitments": EntityForm(
        noun="commitment",
        address=ON_THE_PLAN,
        fields=(
            ID,
            Field("project", "Project", "select", True, _pick("projects", "Choose…")),
            Field("title", "Title", required=True),
            Field("due", "Due", "date", required=True),
            Field("phases", "Phases promised", "multiple", options=_every_phase, hint=WHOLE),
            Field("confidence", "Confidence", "number", True, hint=CONFIDENCE),
            Field("made_by", "Made by"),
            Field("made_to", "Made to"),
            Field("made_on", "Made on", "date"),
            Field("fixed_date", "Fixed date (cannot move)", "checkbox"),
        ),
        find=lambda portfolio, where: portfolio.commitment(where["id"]),
        input=CommitmentInput,
        save=plan.save_commitment,
        done=_to_project,
        new_values={"confidence": f"{CommitmentInput.confidence:g}"},
    ),
}


# --- between a form and the values --------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _values_of(entity: object, fields: tuple[Field, ...]) -> Values:
    """What an edit's form shows at first: the entity's value of each field."""
    values: Values = {}
    for f in fields:
        value: Any = f.read(entity) if f.read else getattr(entity, f.name)
        if f.kind == "multiple":
            values[f.name] = list(value)
        elif f.kind == "checkbox":
            values[f.name] = bool(value)
        else:
            values[f.name] = _text(value)
    return values


def _typed(fields: tuple[Field, ...], form: FormData) -> tuple[Values, Values, dict[str, str]]:
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


def _addressed(request: Request) -> tuple[EntityForm, Where, bool]:
    """The kind of entity the form's path names, which one, and whether it is a new one."""
    path: str = request.scope["route"].path  # the path as declared, with its {parameters}
    at = {kind: form for kind, form in FORMS.items() if path in form.address.paths}
    params = dict(request.path_params)
    # A path without {kind} is the form of one kind only (an allocation's edit).
    kind = params.pop("kind", None) or next(iter(at))
    if kind not in at:
        part_of = next(iter(at.values())).address.part_of
        raise NotFound(f"no such part of {part_of}: {kind!r}")
    entity = at[kind]
    where = Where({WHERE_NAMES.get(name, name): value for name, value in params.items()})
    return entity, where, path == entity.address.new


def _show(
    request: Request,
    portfolio: Portfolio,
    entity: EntityForm,
    where: Where,
    create: bool,
    values: Values,
    errors: Mapping[str, str] | None = None,
) -> HTMLResponse:
    fields = [f.shown(portfolio, where, create) for f in entity.fields]
    names = {f.name for f in fields}
    errors = dict(errors or {})
    context = {
        "title": f"New {entity.noun}" if create else f"Edit {entity.noun} {values.get('id', '')}",
        "entity": entity,
        "fields": fields,
        "values": values,
        "errors": {k: m for k, m in errors.items() if k in names},
        "general": [m for k, m in errors.items() if k not in names],
        "project": _project_of(portfolio, where) if entity.address is IN_A_PROJECT else None,
        "action": request.url.path,
        "create": create,
    }
    return render(request, entity.template, context, status_code=422 if errors else 200)


def show_form(request: Request, keepword: KeepwordDep) -> HTMLResponse:
    """The form of a new entity of the kind the path names, or of the one it edits."""
    entity, where, create = _addressed(request)
    portfolio = current_portfolio(keepword.uow)
    if create:
        values = dict(entity.new_values)
        # A link may fill in some fields: /plan/allocations/new?project=voice-bot
        for f in entity.fields:
            if f.name in request.query_params:
                given = request.query_params.getlist(f.name)
                values[f.name] = given if f.kind == "multiple" else given[0]
    else:
        values = _values_of(entity.find(portfolio, where), entity.fields)
    return _show(request, portfolio, entity, where, create, values)


async def save_form(request: Request, keepword: KeepwordDep, actor: ActorDep) -> Response:
    """Save the form posted: to where the kind goes, or the form again with every error."""
    entity, where, create = _addressed(request)
    shown, typed, unreadable = _typed(entity.fields, await request.form())
    for f in entity.fields:
        if f.fixed and not create:  # what the URL names, whatever was posted
            shown[f.name] = typed[f.name] = where[f.name]
    data = entity.input(**{**where.ids, **typed})
    key = {"key": entity.key(where)} if entity.key and not create else {}
    try:
        await run_in_threadpool(
            lambda: entity.save(
                keepword.uow,
                data,
                **key,
                create=create,
                input_errors=unreadable,
                actor=actor,
                now=keepword.settings.now(),
            )
        )
    except InvalidFields as refused:
        portfolio = await run_in_threadpool(current_portfolio, keepword.uow)
        return _show(request, portfolio, entity, where, create, shown, refused.errors)
    return RedirectResponse(entity.done(typed, where), status_code=303)


# Every kind's forms at each of their paths; before the project's plan below, so that
# /plan/projects/new is the new project's form.
for _path in dict.fromkeys(path for form in FORMS.values() for path in form.address.paths):
    router.add_api_route(
        _path,
        show_form,
        methods=["GET"],
        dependencies=[allow(Action.EDIT_PLAN)],
        response_class=HTMLResponse,
    )
    router.add_api_route(
        _path,
        save_form,
        methods=["POST"],
        dependencies=[allow(Action.EDIT_PLAN)],
        response_class=HTMLResponse,
    )


@router.get(
    "/plan/projects/{project_id}",
    dependencies=[allow(Action.VIEW_PORTFOLIO)],
    response_class=HTMLResponse,
    name="plan_project",
)
def plan_project_page(request: Request, keepword: KeepwordDep, project_id: str) -> HTMLResponse:
    return _plan_project(request, keepword, project_id)


def _plan_project(
    request: Request,
    keepword: Keepword,
    project_id: str,
    *,
    pasted: str = "",
    paste_errors: list[str] | None = None,
) -> HTMLResponse:
    shown = plan.project_plan(keepword.uow, project_id)
    context = {
        "project": shown.project,
        "client": shown.client,
        "allocations": shown.allocations,
        "commitments": shown.commitments,
        "person_names": {p.id: p.name for p in shown.people},
        "pasted": pasted,
        "paste_errors": paste_errors or [],
    }
    return render(request, "plan_project.html", context, status_code=422 if paste_errors else 200)


@router.post(
    "/plan/projects/{project_id}/items/paste",
    dependencies=[allow(Action.EDIT_PLAN)],
    response_class=HTMLResponse,
)
def paste_items(
    request: Request,
    keepword: KeepwordDep,
    actor: ActorDep,
    project_id: str,
    items: Annotated[str, Form(max_length=LINES_MAX * 10)] = "",
) -> Response:
    """A pasted list of items, one a line, added at once; every bad line is shown beside
    the text as typed, and nothing is added."""
    from keepword.adapters.item_list import read_item_lines

    try:
        plan.add_items(
            keepword.uow,
            project_id,
            read_item_lines(items, "line"),
            source="line",
            actor=actor,
            now=keepword.settings.now(),
        )
    except InvalidLines as refused:
        errors = [f"line {line}: {message}" for line, message in refused.faults]
        return _plan_project(request, keepword, project_id, pasted=items, paste_errors=errors)
    return RedirectResponse(f"/plan/projects/{project_id}", status_code=303)


@router.post(
    "/plan/projects/{project_id}/items/{item_id}/start", dependencies=[allow(Action.UPDATE_WORK)]
)
def item_started(
    keepword: KeepwordDep, actor: ActorDep, project_id: str, item_id: str
) -> RedirectResponse:
    """An item started today, as ``keepword item start`` (an engineer may)."""
    return _item_status(keepword, actor, project_id, item_id, ItemStatus.IN_PROGRESS)


@router.post(
    "/plan/projects/{project_id}/items/{item_id}/done", dependencies=[allow(Action.UPDATE_WORK)]
)
def item_done(
    keepword: KeepwordDep, actor: ActorDep, project_id: str, item_id: str
) -> RedirectResponse:
    """An item done today, as ``keepword item done`` (an engineer may)."""
    return _item_status(keepword, actor, project_id, item_id, ItemStatus.DONE)


def _item_status(
    keepword: Keepword, actor: Actor, project_id: str, item_id: str, status: ItemStatus
) -> RedirectResponse:
    moment = keepword.settings.now()
    plan.set_item_status(
        keepword.uow, project_id, item_id, status, on=moment.date(), actor=actor, now=moment
    )
    return RedirectResponse(f"/plan/projects/{project_id}", status_code=303)
