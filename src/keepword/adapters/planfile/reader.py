"""Read a plan file into a :class:`Portfolio`; every problem comes with file, line and column."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import MISSING, dataclass, fields
from pathlib import Path as FilePath
from typing import Any, ClassVar, TypeVar

import pydantic
import yaml

from keepword.adapters.planfile import schema as s
from keepword.domain.calendar import TimeOff, WorkingCalendar, weekday_number
from keepword.domain.commitment import Baseline, Commitment, CommitmentState
from keepword.domain.errors import InvalidValue, KeepwordError, Path, Problem, format_path
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
from keepword.domain.scenario import (
    Reallocation,
    Scenario,
    ScenarioChange,
    ScopeAddition,
    ScopeRemoval,
)

MAX_PLAN_BYTES = 10 * 1024 * 1024
MAX_PLAN_MIB = MAX_PLAN_BYTES // (1024 * 1024)
MAX_EXPANDED_VALUES = 1_000_000
T = TypeVar("T")


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML as people mean it: only true/false are booleans (``country: NO`` is Norway),
    integers are decimal, and dates stay text until the schema reads them, so that a bad
    date is a located error."""

    yaml_implicit_resolvers: ClassVar[dict[str, list[tuple[str, re.Pattern[str]]]]] = {
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag
            not in (
                "tag:yaml.org,2002:bool",
                "tag:yaml.org,2002:int",
                "tag:yaml.org,2002:timestamp",
            )
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
# Decimal integers only: 0123 (octal in YAML 1.1) and 1:20 (base 60) stay text, as written.
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)


@dataclass(frozen=True)
class PlanProblem:
    """A problem in a plan file, where a person can find it."""

    source: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.column}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class InvalidPlanFile(KeepwordError):
    """A plan file that cannot be loaded; ``problems`` lists every problem found."""

    def __init__(self, problems: list[PlanProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def read_plan(file: FilePath | str, *, partial: bool = False) -> Portfolio:
    """Read and validate the plan file at ``file``; raises :class:`InvalidPlanFile`.

    With ``partial``, the file may name what it does not hold (a stored client, person or
    phase): the rules across entities are left to whoever merges it into the stored
    portfolio (``domain.merge``)."""
    source = str(file)
    try:
        size = FilePath(file).stat().st_size
        if size > MAX_PLAN_BYTES:
            raise InvalidPlanFile(
                [
                    _at_start(
                        source,
                        f"file is {math.ceil(size * 10 / 2**20) / 10:g} MiB; plan files are "
                        f"limited to {MAX_PLAN_MIB} MiB",
                    )
                ]
            )
        raw = FilePath(file).read_bytes()
    except OSError as error:
        raise InvalidPlanFile([_at_start(source, f"cannot read file: {error.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise InvalidPlanFile(
            [
                PlanProblem(
                    source, line, column, "", f"not UTF-8 text (byte 0x{raw[error.start]:02x})"
                )
            ]
        ) from None
    return read_plan_text(text, source, partial=partial)


def read_plan_text(text: str, source: str = "<plan>", *, partial: bool = False) -> Portfolio:
    """Validate plan-file ``text``; ``source`` names it in error messages; ``partial`` as
    for :func:`read_plan`."""
    if len(text.encode("utf-8")) > MAX_PLAN_BYTES:
        raise InvalidPlanFile([_at_start(source, f"plan files are limited to {MAX_PLAN_MIB} MiB")])
    document = _parse_yaml(text, source)
    positions = document.positions

    def locate(path: Path, message: str) -> PlanProblem:
        line, column = _nearest_position(positions, path)
        return PlanProblem(source, line, column, format_path(path), message)

    problems = [locate(path, message) for path, message in document.problems]
    if not isinstance(document.data, dict):
        problems.append(locate((), "a plan file is a mapping that starts with 'keepword: 1'"))
        raise InvalidPlanFile(problems)
    try:
        plan = s.PlanFile.model_validate(document.data)
    except pydantic.ValidationError as error:
        for detail in error.errors():
            path = _data_path(document.data, detail["loc"])
            problems.append(locate(path, _pydantic_message(detail)))
        raise InvalidPlanFile(sorted(problems, key=lambda p: (p.line, p.column))) from None

    domain_problems = _Problems()
    portfolio = _to_portfolio(plan, domain_problems)
    # Rules across entities are checked when every entity could be built: a lost one would
    # shift indices and make references to it look unknown.
    if not domain_problems.lost and not partial:
        domain_problems.extend(portfolio.problems())
    problems.extend(locate(p.path, p.message) for p in domain_problems)
    if problems:
        raise InvalidPlanFile(sorted(problems, key=lambda p: (p.line, p.column)))
    return portfolio


def located(file: FilePath | str, problems: list[Problem]) -> InvalidPlanFile:
    """``problems`` found in a plan file's portfolio after reading (by a service), located."""
    text = FilePath(file).read_text(encoding="utf-8")
    positions = _parse_yaml(text, str(file)).positions
    return InvalidPlanFile(
        [
            PlanProblem(
                str(file), *_nearest_position(positions, p.path), format_path(p.path), p.message
            )
            for p in problems
        ]
    )


# --- YAML with positions -------------------------------------------------------------------


@dataclass
class _Document:
    data: Any
    positions: dict[Path, tuple[int, int]]
    problems: list[tuple[Path, str]]


def _parse_yaml(text: str, source: str) -> _Document:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InvalidPlanFile(
                [_at_start(source, "file is empty; a plan file starts with 'keepword: 1'")]
            )
        document = _Document(None, {(): (1, 1)}, [])
        _record_positions(node, (), document, set())
        if _expanded_size(node, {}) > MAX_EXPANDED_VALUES:
            raise InvalidPlanFile(
                [
                    _at_start(
                        source,
                        f"YAML aliases expand to more than {MAX_EXPANDED_VALUES:,} values",
                    )
                ]
            )
        document.data = loader.construct_document(node)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = " ".join(str(x) for x in (error.context, error.problem) if x)
        raise InvalidPlanFile(
            [PlanProblem(source, line, column, "", f"YAML syntax error: {message}")]
        ) from None
    except yaml.YAMLError as error:
        raise InvalidPlanFile([_at_start(source, f"YAML error: {error}")]) from None
    except RecursionError:
        raise InvalidPlanFile([_at_start(source, "YAML nested too deeply")]) from None
    finally:
        loader.dispose()
    return document


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias is expanded (linear time)."""
    if id(node) not in sizes:
        sizes[id(node)] = 1  # an alias back to an ancestor counts once; YAML forbids recursion
        if isinstance(node, yaml.MappingNode):
            sizes[id(node)] += sum(
                _expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value
            )
        elif isinstance(node, yaml.SequenceNode):
            sizes[id(node)] += sum(_expanded_size(v, sizes) for v in node.value)
    return sizes[id(node)]


def _record_positions(node: yaml.Node, path: Path, document: _Document, seen: set[int]) -> None:
    # Aliased nodes are walked once: a YAML "billion laughs" must not cost a billion steps.
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[object] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = (*path, key)
            document.positions[child] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            if key in keys and key != "<<":
                document.problems.append((child, f"duplicate key {key!r}"))
            keys.add(key)
            _record_positions(value_node, child, document, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = (*path, index)
            document.positions[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
            _record_positions(item, child, document, seen)


def _nearest_position(positions: dict[Path, tuple[int, int]], path: Path) -> tuple[int, int]:
    for end in range(len(path), -1, -1):
        if path[:end] in positions:
            return positions[path[:end]]
    return (1, 1)


def _data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """Pydantic's error location as a path through the data, without union tags."""
    path: list[str | int] = []
    current = data
    for position, part in enumerate(loc):
        last = position == len(loc) - 1
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and part < len(current)
        if in_dict or in_list:
            current = current[part]
        elif not last:
            continue  # a discriminator tag such as 'reallocate', not in the data
        path.append(part)
    return tuple(path)


def _pydantic_message(detail: Any) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "required field is missing"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "expected a mapping of fields (key: value), got " + _kind_of(detail["input"])
    if kind == "list_type":
        return "expected a list, got " + _kind_of(detail["input"])
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "union_tag_invalid":
        return (
            f"unknown kind {detail['input'].get('kind')!r}; use reallocate, add_item or remove_item"
        )
    if kind == "union_tag_not_found":
        return "missing 'kind' (reallocate, add_item or remove_item)"
    message = str(detail["ctx"]["error"]) if kind == "value_error" else str(detail["msg"])
    if kind == "string_pattern_mismatch":
        message = "ids use letters, digits, '.', '_' and '-', starting with a letter or digit"
    if detail["loc"] == ("keepword",):
        message = "this Keepword reads plan files of format version 1 ('keepword: 1')"
    shown = repr(detail["input"])
    if (
        kind not in ("missing", "extra_forbidden")
        and len(shown) <= 60
        and not isinstance(detail["input"], dict | list)
    ):
        message += f", got {shown}"
    return message[:1].lower() + message[1:]


def _kind_of(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _at_start(source: str, message: str) -> PlanProblem:
    return PlanProblem(source, 1, 1, "", message)


# --- schema → domain -----------------------------------------------------------------------


class _Problems(list[Problem]):
    """Problems found while building domain objects, and how many objects could not be built."""

    lost = 0


def _build(
    factory: Callable[..., T],
    path: Path,
    problems: list[Problem],
    *,
    part: bool = False,
    keep: tuple[str, ...] = (),
    **values: Any,
) -> T | None:
    """Build a domain object, recording each rule it breaks at ``path`` (and the field).

    A field that breaks a rule and has a default is dropped and the object built again. If
    it still breaks a rule, a shell of the object
    (its required fields and those named in ``keep``) stands in, so that references to it
    resolve. ``part`` marks a value inside an entity (an estimate): losing it loses no entity.
    """
    shell = {k: v for k, v in values.items() if k in keep}
    defaults = {
        f.name
        for f in fields(factory)  # type: ignore[arg-type]
        if f.default is not MISSING or f.default_factory is not MISSING
    }
    dropped: set[str | None] = set()
    while True:
        try:
            return factory(**values)
        except InvalidValue as error:
            # After a field is dropped, later errors may only follow from its absence: the
            # first error of an object is the one that is surely true.
            if not dropped:
                where = (*path, error.field) if error.field else path
                problems.append(Problem(where, error.message))
            if error.field not in values or error.field not in defaults:
                break
            dropped.add(error.field)
            del values[error.field]
    try:
        return factory(**{k: v for k, v in values.items() if k not in defaults}, **shell)
    except InvalidValue:
        if isinstance(problems, _Problems) and not part:
            problems.lost += 1
        return None


def _present(built: Iterator[T | None]) -> tuple[T, ...]:
    return tuple(x for x in built if x is not None)


def _to_portfolio(plan: s.PlanFile, problems: list[Problem]) -> Portfolio:
    return Portfolio(
        skills=tuple(Skill(k.id, k.name) for k in plan.skills),
        clients=_present(
            _build(Client, ("clients", i), problems, **c.model_dump())
            for i, c in enumerate(plan.clients)
        ),
        people=_present(_person(p, ("people", i), problems) for i, p in enumerate(plan.people)),
        projects=tuple(_project(p, ("projects", i), problems) for i, p in enumerate(plan.projects)),
        allocations=_present(
            _build(Allocation, ("allocations", i), problems, **a.model_dump())
            for i, a in enumerate(plan.allocations)
        ),
        commitments=_present(
            _commitment(c, ("commitments", i), problems) for i, c in enumerate(plan.commitments)
        ),
        scenarios=tuple(
            _scenario(sc, ("scenarios", i), problems) for i, sc in enumerate(plan.scenarios)
        ),
    )


def _commitment(
    commitment: s.CommitmentIn, path: Path, problems: list[Problem]
) -> Commitment | None:
    baseline = None
    if commitment.baseline is not None:
        values = commitment.baseline.model_dump()
        baseline = _build(Baseline, (*path, "baseline"), problems, part=True, **values)
    return _build(
        Commitment,
        path,
        problems,
        **{
            **commitment.model_dump(),
            "phases": tuple(commitment.phases),
            "state": CommitmentState(commitment.state),
            "baseline": baseline,
        },
    )


def _person(person: s.PersonIn, path: Path, problems: list[Problem]) -> Person | None:
    time_off = _present(
        _build(TimeOff, (*path, "time_off", i), problems, **t.model_dump())
        for i, t in enumerate(person.time_off)
    )
    calendar = _build(
        WorkingCalendar,
        path,
        problems,
        part=True,
        weekdays=tuple(weekday_number(d) for d in person.working_days),
        country=person.country.upper() if person.country else None,
        subdivision=person.subdivision,
        time_off=time_off,
    )
    return Person(
        person.id,
        person.name,
        tuple(person.skills),
        calendar or WorkingCalendar(time_off=time_off),
        person.email,
    )


def _item(item: s.ItemIn, path: Path, problems: list[Problem]) -> WorkItem | None:
    estimate = None
    if item.estimate is not None:
        values = item.estimate.model_dump()
        estimate = _build(Estimate, (*path, "estimate"), problems, part=True, **values)
    return _build(
        WorkItem,
        path,
        problems,
        keep=("phase", "skill", "depends_on", "estimate"),
        **{
            **item.model_dump(),
            "estimate": estimate,
            "depends_on": tuple(item.depends_on),
            "status": ItemStatus(item.status),
        },
    )


def _project(project: s.ProjectIn, path: Path, problems: list[Problem]) -> Project:
    return Project(
        id=project.id,
        client=project.client,
        name=project.name,
        start=project.start,
        lead=project.lead,
        phases=tuple(Phase(ph.id, ph.name) for ph in project.phases),
        items=_present(
            _item(item, (*path, "items", i), problems) for i, item in enumerate(project.items)
        ),
        history=_present(
            _build(CompletedItem, (*path, "history", i), problems, **h.model_dump())
            for i, h in enumerate(project.history)
        ),
        dependencies=tuple(
            Dependency(d.id, d.name, d.unstable, d.note) for d in project.dependencies
        ),
        disclosure_target=project.disclosure_target,
    )


def scenario_from_data(data: dict[str, Any]) -> Scenario:
    """A scenario from its plan-file form (as :func:`scenario_to_data` writes it)."""
    problems: list[Problem] = []
    scenario = _scenario(s.ScenarioIn.model_validate(data), (), problems)
    if problems:
        raise InvalidValue("; ".join(str(p) for p in problems))
    return scenario


def _scenario(scenario: s.ScenarioIn, path: Path, problems: list[Problem]) -> Scenario:
    changes: list[ScenarioChange | None] = []
    for i, change in enumerate(scenario.changes):
        change_path = (*path, "changes", i)
        if isinstance(change, s.ReallocateIn):
            values = change.model_dump(exclude={"kind"})
            changes.append(_build(Reallocation, change_path, problems, **values))
        elif isinstance(change, s.AddItemIn):
            item = _item(change.item, (*change_path, "item"), problems)
            changes.append(ScopeAddition(change.project, item) if item else None)
        else:
            changes.append(ScopeRemoval(change.project, change.item))
    return Scenario(scenario.id, scenario.name, scenario.description, _present(iter(changes)))
