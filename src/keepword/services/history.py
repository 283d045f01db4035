"""History: the event history (newest first, or a project's as a timeline in plain words),
the import of a project's completed-item history, the evidence of throughput forecasts, and
the backtest that replays such a history to score those forecasts.

Which events are about a project is :func:`keepword.domain.events.projects_of`; the store
indexes events by it. :func:`entry` words one event from its action, entity and
before/after snapshots; the mapping is pure, so it is tested without a database.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from keepword.domain.access import Action, Actor, requires
from keepword.domain.errors import InvalidLines, InvalidValue, KeepwordError
from keepword.domain.events import Event
from keepword.domain.project import CompletedItem, check_happened
from keepword.domain.wording import day, percent
from keepword.services.ports import UnitOfWorkFactory
from keepword.services.watch import record_change

if TYPE_CHECKING:  # the engine (numpy) loads with the backtest, not with the event history
    from keepword.forecast.backtest import BacktestResult


@dataclass(frozen=True)
class Entry:
    """One event on the timeline: when, who, and what happened in a sentence."""

    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    text: str
    event_id: int | None = None


@dataclass(frozen=True)
class Day:
    """The entries of one day (UTC), newest first."""

    day: date
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Timeline:
    """A project's history, newest day first."""

    project: str
    project_name: str
    days: tuple[Day, ...]

    @property
    def count(self) -> int:
        return sum(len(d.entries) for d in self.days)


def project_timeline(
    uow: UnitOfWorkFactory, project_id: str, limit: int | None = None, *, actor: Actor
) -> Timeline:
    """The events about ``project_id`` (``domain.events.projects_of``; the newest ``limit``)
    that ``actor`` may read, newest first, grouped by day; an unknown project: NotFound."""
    with uow() as work:
        portfolio = work.portfolio.get()
        project = portfolio.project(project_id)  # raises NotFound
        events = work.events.about_project(project_id, limit, excluding=actor.unreadable)
    people = {p.id: p.name for p in portfolio.people}
    entries = [entry(e, people) for e in events]
    return Timeline(project.id, project.name, by_day(entries))


def by_day(entries: Iterable[Entry]) -> tuple[Day, ...]:
    """``entries`` (newest first) grouped by their UTC day, keeping their order."""
    days: list[Day] = []
    for one in entries:
        if days and days[-1].day == one.at.date():
            days[-1] = Day(days[-1].day, (*days[-1].entries, one))
        else:
            days.append(Day(one.at.date(), (one,)))
    return tuple(days)


def entry(event: Event, people: Mapping[str, str]) -> Entry:
    """``event`` as a timeline entry; ``people`` maps person ids to names."""
    worder = _WORDERS.get(event.entity)
    text = worder(event, people) if worder else None
    return Entry(
        event.at,
        event.actor,
        event.action,
        event.entity,
        event.entity_id,
        text or f"{event.entity} {event.entity_id} {event.action}",
        event.id,
    )


# --- wording, one function per kind of entity ----------------------------------------------

Snapshot = dict[str, Any]


def _day(value: object) -> str:
    """An ISO date from a snapshot as ``Mon 30 Nov 2026``; anything else as it is."""
    try:
        moment = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return day(moment)


def _share(value: object) -> str:
    return f"{value:.0%}" if isinstance(value, int | float) else str(value)


def _quoted(value: object) -> str:
    return f"“{value}”"


def _sides(event: Event) -> tuple[Snapshot, Snapshot]:
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    return before, after


def _changed_fields(before: Snapshot, after: Snapshot, skip: Sequence[str] = ()) -> list[str]:
    return [
        key
        for key in dict.fromkeys([*before, *after])
        if key not in skip and before.get(key) != after.get(key)
    ]


def _shown(value: object) -> str:
    if value is None or value == [] or value == "":
        return "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _field_changes(before: Snapshot, after: Snapshot, fields: Iterable[str]) -> str:
    return "; ".join(
        f"{field.replace('_', ' ')} from {_shown(before.get(field))} to {_shown(after.get(field))}"
        for field in fields
    )


def _project(event: Event, people: Mapping[str, str]) -> str | None:
    before, after = _sides(event)
    name = _quoted((after or before).get("name", event.entity_id))
    if event.action == "created":
        phases = len(after.get("phases", ()))
        return f"project {name} created, starting {_day(after.get('start'))}, {phases} phases"
    if event.action == "removed":
        return f"project {name} removed"
    fields = _changed_fields(before, after)
    parts = []
    if "phases" in fields:
        fields.remove("phases")
        names = [p.get("name", p.get("id")) for p in after.get("phases", ()) if isinstance(p, dict)]
        parts.append(f"phases now {'; '.join(str(n) for n in names) or 'none'}")
    if "lead" in fields:
        fields.remove("lead")
        lead = after.get("lead")
        parts.append(f"lead now {people.get(lead, lead) if lead else 'nobody'}")
    if fields:
        parts.append(_field_changes(before, after, fields))
    return f"project {name} changed: {'; '.join(parts)}" if parts else None


def _estimate(value: object) -> str:
    if not isinstance(value, dict):
        return "no estimate"
    points = (value.get("optimistic"), value.get("likely"), value.get("pessimistic"))
    return " – ".join(f"{p:g}" if isinstance(p, int | float) else str(p) for p in points)


_STATUS_WORDS = {"done": "done", "in_progress": "started", "todo": "back to to do"}


def _item(event: Event, people: Mapping[str, str]) -> str | None:
    before, after = _sides(event)
    title = _quoted((after or before).get("title", event.entity_id))
    if event.action == "created":
        phase = after.get("phase")
        return f"item {title} added" + (f" to phase {phase}" if phase else "")
    if event.action == "removed":
        return f"item {title} removed from scope"
    fields = _changed_fields(before, after, skip=("started", "done"))
    parts = []
    if "status" in fields:
        fields.remove("status")
        status = str(after.get("status"))
        parts.append(f"item {title} {_STATUS_WORDS.get(status, status.replace('_', ' '))}")
    if "estimate" in fields:
        fields.remove("estimate")
        parts.append(
            f"estimate of {title} changed from {_estimate(before.get('estimate'))} to "
            f"{_estimate(after.get('estimate'))} person-days"
        )
    if fields:
        parts.append(f"item {title} changed: {_field_changes(before, after, fields)}")
    if not parts:  # only a started or done day moved
        parts.append(f"item {title} changed: {_field_changes(before, after, ('started', 'done'))}")
    return "; ".join(parts)


def _history(event: Event, people: Mapping[str, str]) -> str | None:
    count = len(event.after) if isinstance(event.after, list) else None
    if event.action == "created":
        return f"throughput history recorded: {count} finished items"
    if event.action == "removed":
        return "throughput history removed"
    was = len(event.before) if isinstance(event.before, list) else None
    return f"throughput history updated: {count} finished items (was {was})"


def _allocation(event: Event, people: Mapping[str, str]) -> str | None:
    before, after = _sides(event)
    person = (after or before).get("person", "")
    name = people.get(person, person)
    if event.action == "created":
        return (
            f"{name} allocated {_share(after.get('fraction'))} from "
            f"{_day(after.get('start'))} to {_day(after.get('end'))}"
        )
    if event.action == "removed":
        return (
            f"{name}'s allocation of {_share(before.get('fraction'))} "
            f"({_day(before.get('start'))} – {_day(before.get('end'))}) removed"
        )
    parts = []
    if before.get("fraction") != after.get("fraction"):
        parts.append(
            f"{name}'s allocation changed from {_share(before.get('fraction'))} "
            f"to {_share(after.get('fraction'))}"
        )
    if (before.get("start"), before.get("end")) != (after.get("start"), after.get("end")):
        parts.append(
            f"{name}'s allocation now runs {_day(after.get('start'))} – {_day(after.get('end'))} "
            f"(was {_day(before.get('start'))} – {_day(before.get('end'))})"
        )
    if before.get("over_allocation") != after.get("over_allocation"):
        marked = "marked" if after.get("over_allocation") else "no longer marked"
        parts.append(f"{name}'s allocation {marked} as a deliberate overbooking")
    return "; ".join(parts) or None


def _commitment(event: Event, people: Mapping[str, str]) -> str | None:
    before, after = _sides(event)
    which = f"commitment {event.entity_id}"
    if event.action == "created":
        state = str(after.get("state", "proposed")).replace("_", " ")
        return (
            f"{which} recorded as {state}: {_quoted(after.get('title'))}, due "
            f"{_day(after.get('due'))} at {_share(after.get('confidence'))} confidence"
        )
    if event.action == "removed":
        return f"{which} removed"
    if event.action == "committed":
        baseline = after.get("baseline")
        odds = ""
        if isinstance(baseline, dict) and isinstance(baseline.get("on_time"), int | float):
            odds = f", baseline {percent(baseline['on_time'])} on time"
        return f"{which} committed: due {_day(after.get('due'))}{odds}"
    if event.action != "changed":  # met, missed, renegotiated, withdrawn, ...
        return f"{which} {event.action.replace('_', ' ')}"
    fields = _changed_fields(before, after, skip=("baseline", "made_on"))
    parts = []
    if "state" in fields:
        fields.remove("state")
        parts.append(
            f"{which} moved from {str(before.get('state')).replace('_', ' ')} to "
            f"{str(after.get('state')).replace('_', ' ')}"
        )
    if "due" in fields:
        fields.remove("due")
        parts.append(
            f"due date of {which} moved from {_day(before.get('due'))} to {_day(after.get('due'))}"
        )
    if "confidence" in fields:
        fields.remove("confidence")
        parts.append(
            f"confidence target of {which} changed from {_share(before.get('confidence'))} to "
            f"{_share(after.get('confidence'))}"
        )
    if fields:
        parts.append(f"{which} changed: {_field_changes(before, after, fields)}")
    if not parts and before.get("baseline") != after.get("baseline"):
        parts.append(f"{which}: baseline forecast recorded")
    return "; ".join(parts) or None


_SIGNAL_VERBS = {
    "raised": "signal raised",
    "changed": "signal updated",
    "escalated": "signal escalated, the client not yet told",
    "disclosed": "signal disclosed to the client",
}


def _signal(event: Event, people: Mapping[str, str]) -> str | None:
    before, after = _sides(event)
    summary = (after or before).get("summary", event.entity_id)
    verb = _SIGNAL_VERBS.get(event.action, f"signal {event.action}")
    return f"{verb}: {summary}"


def _communication(event: Event, people: Mapping[str, str]) -> str | None:
    before, after = _sides(event)
    subject = _quoted((after or before).get("subject", event.entity_id))
    if event.action == "created":
        return f"message {subject} drafted"
    if event.action == "sent":
        recipient = after.get("recipient")
        return f"message {subject} sent" + (f" to {recipient}" if recipient else "")
    return f"message {subject} {event.action}"


def _incident(event: Event, people: Mapping[str, str]) -> str | None:
    before, after = _sides(event)
    title = _quoted((after or before).get("title", event.entity_id))
    if event.action == "created":
        steps = len(after.get("steps", ()))
        return f"incident {event.entity_id} recorded: {title}, {steps} recovery steps"
    if event.action == "step_done":
        was, now = before.get("steps", []), after.get("steps", [])
        done = [
            (n, step)
            for n, step in enumerate(now, start=1)
            if isinstance(step, dict)
            and step.get("status") == "done"
            and (n > len(was) or was[n - 1].get("status") != "done")
        ]
        if done:
            n, step = done[0]
            return f"recovery step {n} of incident {event.entity_id} done: {step.get('action')}"
    return f"incident {event.entity_id} {event.action.replace('_', ' ')}: {title}"


def _scenario(event: Event, people: Mapping[str, str]) -> str | None:
    before, after = _sides(event)
    name = _quoted((after or before).get("name", event.entity_id))
    verbs = {"created": "created", "applied": "applied", "removed": "removed"}
    return f"what-if scenario {name} {verbs.get(event.action, event.action)}"


_WORDERS = {
    "project": _project,
    "item": _item,
    "history": _history,
    "allocation": _allocation,
    "commitment": _commitment,
    "signal": _signal,
    "communication": _communication,
    "incident": _incident,
    "scenario": _scenario,
}


def project_events(
    uow: UnitOfWorkFactory, project_id: str, limit: int, *, actor: Actor
) -> list[Event]:
    """The newest ``limit`` events about ``project_id`` that ``actor`` may read, newest
    first; an unknown project: NotFound."""
    with uow() as work:
        work.portfolio.get().project(project_id)  # raises NotFound
        return work.events.about_project(project_id, limit, excluding=actor.unreadable)


def recent_events(
    uow: UnitOfWorkFactory, limit: int = 50, entity: str | None = None, *, actor: Actor
) -> list[Event]:
    """The newest events that ``actor`` may read (of ``entity`` only, if given), newest
    first: events of a kind the actor may not read are left out, as if never recorded."""
    if entity is not None and not actor.may_read(entity):
        return []
    with uow() as work:
        return work.events.latest(limit, entity, excluding=actor.unreadable)


@dataclass(frozen=True)
class HistoryImport:
    """What an import did to one project's history."""

    project: str
    added: int
    updated: int
    unchanged: int
    total: int


@requires(Action.LOAD_PORTFOLIO)
def import_history(
    uow: UnitOfWorkFactory,
    project_id: str,
    items: Sequence[CompletedItem],
    *,
    actor: Actor,
    now: datetime,
) -> HistoryImport:
    """Merge ``items`` into the project's history by id (a later row of an id wins)."""
    with uow(write=True) as work:
        before = work.portfolio.get()
        project = before.project(project_id)
        merged = {item.id: item for item in project.history}
        old = dict(merged)
        for item in items:
            merged[item.id] = item
        history = tuple(sorted(merged.values(), key=lambda i: (i.done, i.id)))
        after = before.with_project(replace(project, history=history))
        added = sum(1 for key in merged if key not in old)
        updated = sum(1 for key in old if merged[key] != old[key])
        events = record_change(work, before, after, actor=actor.name, now=now, today=now.date())
        if events:
            work.commit()
    return HistoryImport(project_id, added, updated, len(old) - updated, len(history))


class CompletedRow(Protocol):
    """One completed item as a history file gives it (``adapters.histories.HistoryItem``)."""

    @property
    def line(self) -> int: ...
    @property
    def project(self) -> str: ...
    @property
    def item_id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def done(self) -> date: ...
    @property
    def started(self) -> date | None: ...
    @property
    def estimate_hours(self) -> float | None: ...
    @property
    def actual_hours(self) -> float | None: ...


class RowFault(Protocol):
    """A row a history file could not give (``adapters.histories.RowProblem``)."""

    @property
    def line(self) -> int: ...
    @property
    def message(self) -> str: ...


def completed_item(row: CompletedRow, hours_per_day: float) -> CompletedItem:
    """``row`` as a completed item of a project's history, its hours turned into days."""

    def days(hours: float | None) -> float | None:
        return hours / hours_per_day if hours else None

    # Real histories hold items "done" before they "started" (clean-ups, time zones): the
    # done date is what throughput counts, so the start is left out rather than the item.
    started = row.started if row.started and row.started <= row.done else None
    return CompletedItem(
        row.item_id,
        row.done,
        started,
        row.kind or None,
        days(row.estimate_hours),
        days(row.actual_hours),
    )


@requires(Action.LOAD_PORTFOLIO)
def import_completed_rows(
    uow: UnitOfWorkFactory,
    project_id: str,
    rows: Sequence[CompletedRow],
    *,
    rejected: Sequence[RowFault] = (),
    source: str = "history",
    hours_per_day: float,
    actor: Actor,
    now: datetime,
) -> HistoryImport:
    """Merge the rows of a history file into the project's history (:func:`import_history`),
    their estimate and actual hours counted in person-days of ``hours_per_day`` hours.

    All or nothing: a file with any row that could not be read (``rejected``) or that
    cannot be taken (done in the future, a value out of range) imports nothing, and
    :class:`InvalidLines` names every such row of ``source`` by line."""
    if not hours_per_day > 0:
        raise InvalidValue(f"hours per day must be more than 0, not {hours_per_day:g}")
    faults = [(fault.line, fault.message) for fault in rejected]
    items = []
    for row in rows:
        try:
            check_happened(row.done, now.date(), "done")
            items.append(completed_item(row, hours_per_day))
        except InvalidValue as error:
            faults.append((row.line, str(error)))
    if faults:
        raise InvalidLines(source, faults, "imported")
    return import_history(uow, project_id, items, actor=actor, now=now)


# Items a bot closed say nothing of the team's throughput.
_NOT_THE_TEAMS = frozenset({"bot"})

BacktestProgress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class HistoryBacktest:
    """A history replayed: the project it is of, and the scores of its forecasts."""

    project: str
    result: BacktestResult


def backtest_history(
    rows: Sequence[CompletedRow],
    *,
    source: Path,
    model: str,
    trials: int,
    seed: int,
    progress: BacktestProgress | None = None,
) -> HistoryBacktest:
    """Forecast from every origin of the rows' history and score the forecasts (see
    ``keepword.forecast.backtest``); bots' items are left out. ``source`` is the file the
    rows were read from: it names the project when no row does. ``progress`` is told the
    project (with no count) before the replay, then the origins done and in all after each."""
    import numpy as np

    from keepword.forecast import backtest as backtests

    if model not in backtests.MODELS:
        raise InvalidValue(f"no model {model!r}: use one of {', '.join(backtests.MODELS)}")
    done = [row.done for row in rows if row.kind.lower() not in _NOT_THE_TEAMS]
    if not done:
        raise KeepwordError(f"{source}: no completed items to replay")
    project = rows[0].project or source.stem
    told: Callable[[int, int], None] | None = None
    if progress is not None:
        progress(project, 0, None)  # the first origin takes a while: say what is replayed
        told = functools.partial(progress, project)
    result = backtests.backtest(
        done, np.random.default_rng(seed), model=model, trials=trials, progress=told
    )
    return HistoryBacktest(project, result)
