"""Small changes to the plan, one at a time: an item started or done, time off booked, a
commitment closed.

Each goes through :func:`keepword.services.watch.record_change`, so it is an event, it
re-forecasts the commitments of the projects it touches (and only those), and it raises the
signals it calls for; :func:`reforecast_by` says what one did to the odds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from keepword.domain.access import Action, Actor, requires
from keepword.domain.calendar import TimeOff
from keepword.domain.commitment import Commitment, CommitmentState
from keepword.domain.errors import InvalidTransition, NotFound
from keepword.domain.events import Event, snapshot
from keepword.domain.project import ItemStatus
from keepword.services.ports import CachedOdds, UnitOfWorkFactory
from keepword.services.watch import cached_odds, record_change


@dataclass(frozen=True)
class Reforecast:
    """A commitment a change forecast again: its cached odds before and after."""

    commitment: str
    before: CachedOdds
    after: CachedOdds


@dataclass(frozen=True)
class ChangeReport:
    """What one change recorded (signals raised included) and the commitments it moved."""

    events: list[Event]
    reforecast: list[Reforecast]


def reforecast_by(
    uow: UnitOfWorkFactory,
    change: Callable[[datetime], list[Event]],
    *,
    actor: Actor,
    now: datetime,
) -> ChangeReport:
    """Make ``change`` at ``now`` and list, by commitment id, the odds it forecast again;
    the events it recorded are those ``actor`` may read (an engineer's item done raises
    signals all the same, but does not read them)."""
    # The cache as it was, and as the change left it: the change forecast what it touched.
    before = cached_odds(uow)
    events = change(now)
    after = cached_odds(uow)
    moved = [
        Reforecast(commitment, old, odds)
        for commitment, odds in sorted(after.items())
        if (old := before.get(commitment)) is not None and old.inputs_key != odds.inputs_key
    ]
    return ChangeReport([e for e in events if actor.may_read(e.entity)], moved)


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
    """Move an item to ``status`` (in progress or done) on day ``on``."""
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
    with uow(write=True) as work:
        before = work.portfolio.get()
        person = before.person(person_id)
        calendar = replace(
            person.calendar, time_off=(*person.calendar.time_off, TimeOff(start, end, reason))
        )
        after = before.with_person(replace(person, calendar=calendar))
        after.check()
        events = record_change(work, before, after, actor=actor.name, now=now, today=now.date())
        work.commit()
    return events


CLOSING_STATES = (
    CommitmentState.MET,
    CommitmentState.MISSED,
    CommitmentState.RENEGOTIATED,
    CommitmentState.WITHDRAWN,
)


@requires(Action.CLOSE_COMMITMENT)
def close_commitment(
    uow: UnitOfWorkFactory,
    commitment_id: str,
    state: CommitmentState,
    *,
    actor: Actor,
    now: datetime,
) -> Commitment:
    """End a commitment: met, missed, renegotiated (or a proposal withdrawn). A closed
    promise is no longer watched, so it raises no more signals."""
    if state not in CLOSING_STATES:
        allowed = ", ".join(s.value for s in CLOSING_STATES)
        raise InvalidTransition(f"a commitment is closed as one of {allowed}, not {state.value}")
    with uow(write=True) as work:
        before = work.portfolio.get()
        closed = before.commitment(commitment_id).moved_to(state)
        after = before.with_commitment(closed)
        verb = Event(
            now, actor.name, state.value, "commitment", commitment_id, None, snapshot(closed)
        )
        record_change(
            work, before, after, actor=actor.name, now=now, today=now.date(), extra=(verb,)
        )
        work.commit()
    return closed
