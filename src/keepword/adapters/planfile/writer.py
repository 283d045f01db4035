"""Write a :class:`Portfolio` as a plan file that :func:`read_plan` reads back to the same value."""

from __future__ import annotations

from datetime import date
from typing import Any

import yaml

from keepword.adapters.planfile.schema import FORMAT_VERSION
from keepword.domain.calendar import MONDAY_TO_FRIDAY, WEEKDAY_NAMES
from keepword.domain.commitment import (
    DEFAULT_CONFIDENCE,
    Baseline,
    Commitment,
    CommitmentState,
)
from keepword.domain.people import Allocation, Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus, Project, WorkItem
from keepword.domain.scenario import Reallocation, Scenario, ScopeAddition


class _Flow(dict[str, Any]):
    """A mapping written on one line: ``{optimistic: 2, likely: 3, pessimistic: 5}``."""


class _FlowList(list[Any]):
    """A list written on one line: ``[backend, voice-ml]``."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True  # a date used twice is written twice, not as an &anchor


_Dumper.add_representer(
    _Flow,
    lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True),
)
_Dumper.add_representer(
    _FlowList,
    lambda dumper, data: dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True),
)


def write_plan(portfolio: Portfolio) -> str:
    """The plan-file text of ``portfolio``, omitting fields left at their defaults."""
    document: dict[str, Any] = {"keepword": FORMAT_VERSION}
    sections: dict[str, list[Any]] = {
        "skills": [_Flow(id=k.id, name=k.name) for k in portfolio.skills],
        "clients": [
            _compact(
                id=c.id,
                name=c.name,
                contact=c.contact,
                time_zone=None if c.time_zone == "UTC" else c.time_zone,
                first_contact_weekends=None if c.first_contact_weekends else False,
            )
            for c in portfolio.clients
        ],
        "people": [_person(p) for p in portfolio.people],
        "projects": [_project(p) for p in portfolio.projects],
        "allocations": [_allocation(a) for a in portfolio.allocations],
        "commitments": [_commitment(c) for c in portfolio.commitments],
        "scenarios": [scenario_to_data(s) for s in portfolio.scenarios],
    }
    document.update({name: entries for name, entries in sections.items() if entries})
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _number(value: float) -> float | int:
    """2.0 is written as 2: plan files are written by people, and read by them."""
    return int(value) if float(value).is_integer() else value


def _compact(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != [] and v != ""}


def _person(person: Person) -> dict[str, Any]:
    calendar = person.calendar
    days = (
        None
        if calendar.weekdays == MONDAY_TO_FRIDAY
        else _FlowList([WEEKDAY_NAMES[d] for d in calendar.weekdays])
    )
    return _compact(
        id=person.id,
        name=person.name,
        email=person.email,
        skills=_FlowList(list(person.skills)) if person.skills else None,
        country=calendar.country,
        subdivision=calendar.subdivision,
        working_days=days,
        time_off=[
            _Flow(_compact(start=t.start, end=t.end, reason=t.reason)) for t in calendar.time_off
        ],
    )


def _item(item: WorkItem) -> dict[str, Any]:
    estimate = item.estimate
    return _compact(
        id=item.id,
        title=item.title,
        phase=item.phase,
        skill=item.skill,
        estimate=_Flow(
            optimistic=_number(estimate.optimistic),
            likely=_number(estimate.likely),
            pessimistic=_number(estimate.pessimistic),
        )
        if estimate
        else None,
        depends_on=_FlowList(list(item.depends_on)) if item.depends_on else None,
        status=None if item.status is ItemStatus.TODO else item.status.value,
        started=item.started,
        done=item.done,
        added=item.added,
    )


def _project(project: Project) -> dict[str, Any]:
    return _compact(
        id=project.id,
        client=project.client,
        name=project.name,
        start=project.start,
        lead=project.lead,
        phases=[_Flow(id=ph.id, name=ph.name) for ph in project.phases],
        items=[_item(i) for i in project.items],
        history=[
            _Flow(
                _compact(
                    id=h.id,
                    done=h.done,
                    started=h.started,
                    kind=h.kind,
                    estimate=None if h.estimate is None else _number(h.estimate),
                    actual=None if h.actual is None else _number(h.actual),
                )
            )
            for h in project.history
        ],
        dependencies=[
            _Flow(
                _compact(id=d.id, name=d.name, unstable=True if d.unstable else None, note=d.note)
            )
            for d in project.dependencies
        ],
        disclosure_target=project.disclosure_target,
    )


def _allocation(allocation: Allocation) -> dict[str, Any]:
    values = _Flow(
        person=allocation.person,
        project=allocation.project,
        fraction=_number(allocation.fraction),
        start=allocation.start,
        end=allocation.end,
    )
    if allocation.over_allocation:
        values["over_allocation"] = True
    return values


def _commitment(commitment: Commitment) -> dict[str, Any]:
    return _compact(
        id=commitment.id,
        project=commitment.project,
        title=commitment.title,
        phases=_FlowList(list(commitment.phases)) if commitment.phases else None,
        due=commitment.due,
        confidence=None if commitment.confidence == DEFAULT_CONFIDENCE else commitment.confidence,
        state=None if commitment.state is CommitmentState.PROPOSED else commitment.state.value,
        made_by=commitment.made_by,
        made_to=commitment.made_to,
        made_on=commitment.made_on,
        fixed_date=True if commitment.fixed_date else None,
        baseline=None if commitment.baseline is None else _baseline(commitment.baseline),
        approved_by=commitment.approved_by,
    )


def _baseline(baseline: Baseline) -> dict[str, Any]:
    values = _Flow(
        forecast_on=baseline.forecast_on,
        on_time=_number(baseline.on_time),
        p50=baseline.p50,
        p85=baseline.p85,
        scope_items=baseline.scope_items,
        effort=_number(baseline.effort),
    )
    if baseline.below_target_reason is not None:
        values["below_target_reason"] = baseline.below_target_reason
    return values


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """The plan-file form of ``scenario``, as plain data."""
    changes: list[dict[str, Any]] = []
    for change in scenario.changes:
        if isinstance(change, Reallocation):
            changes.append(
                _compact(
                    kind="reallocate",
                    person=change.person,
                    from_project=change.from_project,
                    to_project=change.to_project,
                    start=change.start,
                    end=change.end,
                    fraction=None if change.fraction is None else _number(change.fraction),
                )
            )
        elif isinstance(change, ScopeAddition):
            changes.append(
                {"kind": "add_item", "project": change.project, "item": _item(change.item)}
            )
        else:
            changes.append({"kind": "remove_item", "project": change.project, "item": change.item})
    return _compact(
        id=scenario.id, name=scenario.name, description=scenario.description, changes=changes
    )


# Dates are written as plain YAML dates (2026-11-23), which read back as dates.
_Dumper.add_representer(
    date,
    lambda dumper, data: dumper.represent_scalar("tag:yaml.org,2002:timestamp", data.isoformat()),
)
