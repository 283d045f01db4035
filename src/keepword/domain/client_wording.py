"""The English a client reads in a message: dates written out, figures with their per cent,
free days, call times, and what each signal means in the client's terms.

Pages and reports word the same numbers more tersely (``keepword.domain.wording``); a
message to a client spells them out, so that nobody reads a date the wrong way round.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime

from keepword.domain.calls import CallSlot
from keepword.domain.fault import CONSEQUENCES
from keepword.domain.signals import Signal, SignalKind
from keepword.domain.wording import and_list, percent

WEEKLY_UPDATE = "A short written update every week with the same two dates, until it is live"
PLAN_CHANGED = "the plan has changed since we made the promise"


def longdate(day: date | datetime) -> str:
    """``Friday 26 March 2027``: a date nobody can read the wrong way round."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def written_date(value: str | int | float) -> str:
    """An ISO date from a signal's evidence as a client reads it: ``5 October 2026``."""
    day = date.fromisoformat(str(value))
    return f"{day.day} {day:%B %Y}"


def as_percent(value: str | int | float) -> str:
    """Odds as the client reads them, worded as everywhere else (``85%``, ``under 1%``,
    ``over 99%``): a forecast from a finite sample is never a flat 0 or 100 per cent."""
    return percent(float(value))


def growth_percent(value: str | int | float) -> str:
    """``0.4`` → ``40%``: how much a quantity grew, to the whole per cent."""
    return f"{float(value) * 100:.0f}%"


def due_time(moment: datetime) -> str:
    """``Thursday 11 February 2027, 09:00 GMT``: on the clock ``moment`` carries (the
    client's, where the facts put it there)."""
    return f"{longdate(moment)}, {moment:%H:%M} {moment.tzname() or 'UTC'}"


def call_time(slot: CallSlot) -> str:
    """``Wednesday 2 December at 10:00 GMT``: on the client's clock."""
    moment = slot.moment
    return f"{slot.day:%A} {slot.day.day} {slot.day:%B} at {slot.at:%H:%M} {moment.tzname()}"


def call_times(slots: Sequence[CallSlot]) -> str:
    """``A, B or C``: the times offered, any of which the client may pick."""
    words = [call_time(s) for s in slots]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def free_days(days: float) -> str:
    """``about 1 free day``, ``about 3 free days`` (to the nearest day, halves up), or
    ``under a free day``."""
    whole = math.floor(days + 0.5)
    if whole < 1:
        return "under a free day"
    return f"about {whole} free day{'' if whole == 1 else 's'}"


def progressing_line(name: str, days: float, titles: Iterable[str]) -> str:
    """``Lucía Fernández (about 3 free days): Onboarding flow; Push reminders``."""
    return f"{name} ({free_days(days)}): " + "; ".join(titles)


def back_on_project(name: str) -> str:
    """The step of someone who was moved off the project returning to it."""
    return f"{name} is back on your project"


def what_happened(signal: Signal, moved: Sequence[str]) -> str:
    """What happened, in words for the client: the signal's evidence, not its internal note.

    ``moved`` names the people the signal took off the project.
    """
    e = signal.evidence
    try:
        if signal.kind in (SignalKind.BELOW_TARGET, SignalKind.HEALTH_WORSENED):
            before = e.get("on_time_before")
            was = f" from {as_percent(before)}" if before is not None else ""
            return (
                f"Our latest forecast no longer backs the date: the chance of meeting "
                f"{written_date(e['due'])} fell{was} to {as_percent(e['on_time'])}."
            )
        if signal.kind is SignalKind.CAPACITY_REMOVED and moved:
            return (
                f"We moved {and_list(moved)} off your project for other work of ours: about "
                f"{float(e['removed']):.0f} person-days before {written_date(e['due'])}."
            )
        if signal.kind is SignalKind.SCOPE_GREW:
            return (
                f"The scope has grown since {written_date(e['since'])}: {e['items_added']} more "
                f"items, about {float(e['effort_added']):.0f} person-days "
                f"({growth_percent(e['growth'])} more work)."
            )
        if signal.kind is SignalKind.WARNING_SIGNS:
            # The dependency's name stays out: the team owns its choice to build on it.
            return (
                f"The date cannot move, the scope has grown by {growth_percent(e['growth'])} since "
                f"{written_date(e['since'])}, and part of the work rests on features that are "
                "not yet stable."
            )
        if signal.kind is SignalKind.NO_PROGRESS:
            return (
                "Nothing on your project has started or finished since "
                f"{written_date(e['last_progress'])}."
            )
    except (KeyError, TypeError, ValueError):
        pass  # evidence in another shape: its summary still says it
    return signal.summary


def what_changed(signals: Iterable[Signal], moved: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """What changed, one short clause a signal, for "..., but the risk has grown: ...".

    ``moved`` names, by signal id, the people a signal took off the project.
    """
    clauses: list[str] = []
    for signal in signals:
        clause = _change(signal, moved.get(signal.id, ()))
        if clause not in clauses:
            clauses.append(clause)
    return tuple(clauses)


def _change(signal: Signal, moved: Sequence[str]) -> str:
    e = signal.evidence
    try:
        if signal.kind in CONSEQUENCES:
            before = e.get("on_time_before")
            was = f" from {as_percent(before)}" if before is not None else ""
            return f"our forecast for the date fell{was} to {as_percent(e['on_time'])}"
        if signal.kind is SignalKind.CAPACITY_REMOVED:
            who = and_list(moved) if moved else "people"
            return f"we moved {who} off your project for other work of ours"
        if signal.kind is SignalKind.SCOPE_GREW:
            grown = growth_percent(e["growth"])
            return f"the scope has grown by {grown} since {written_date(e['since'])}"
        if signal.kind is SignalKind.WARNING_SIGNS:
            return (
                "part of the work rests on features that are not yet stable, against a date "
                "that cannot move"
            )
        if signal.kind is SignalKind.NO_PROGRESS:
            return f"nothing on your project has moved since {written_date(e['last_progress'])}"
    except (KeyError, TypeError, ValueError):
        pass
    return PLAN_CHANGED
