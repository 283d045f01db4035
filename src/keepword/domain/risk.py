"""Which risk signals a change, the new odds or the passing of time call for.

Pure rules over domain values: the watch service feeds them the portfolio before and after a
change, the odds before and after, and the signals already open, and stores what they find.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from keepword.domain.calendar import WorkingCalendar
from keepword.domain.commitment import Commitment, Health
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import ItemStatus, Project, WorkItem
from keepword.domain.signals import DEFAULT_STALL_DAYS, Evidence, Severity, SignalKind
from keepword.domain.wording import and_list


@dataclass(frozen=True)
class Odds:
    """A commitment's forecast as the rules need it."""

    on_time: float
    p50: date
    p85: date
    health: Health


@dataclass(frozen=True)
class NewSignal:
    """A signal the rules call for, before it is numbered and stored.

    ``key`` tells one occurrence from another of the same kind on the same commitment (the
    items added, the people moved): a finding whose key is already recorded is not new.
    """

    kind: SignalKind
    commitment: str
    project: str
    severity: Severity
    summary: str
    evidence: Evidence
    key: str = ""


@dataclass(frozen=True)
class Watch:
    """Everything the rules look at for one commitment."""

    commitment: Commitment
    before: Portfolio | None  # None when only time has passed
    after: Portfolio
    odds_before: Odds | None
    odds_after: Odds | None
    today: date
    stall_days: int = DEFAULT_STALL_DAYS


def findings(watch: Watch) -> list[NewSignal]:
    """The signals ``watch`` calls for; the caller drops those already open."""
    if not watch.commitment.is_promised:
        return []
    return [*_odds(watch), *_capacity(watch), *_scope(watch), *_stall(watch)]


def _odds(watch: Watch) -> Iterator[NewSignal]:
    new, old, c = watch.odds_after, watch.odds_before, watch.commitment
    if new is None or new.health is Health.ON_TRACK:
        return
    evidence: Evidence = {
        "on_time": round(new.on_time, 3),
        "target": c.confidence,
        "p50": new.p50.isoformat(),
        "p85": new.p85.isoformat(),
        "due": c.due.isoformat(),
    }
    if old is not None:
        evidence = {**evidence, "on_time_before": round(old.on_time, 3)}
    severity = Severity.HIGH if new.health is Health.OFF_TRACK else Severity.MEDIUM
    odds = f"now {new.on_time:.0%} likely by {c.due}"
    if old is not None and old.on_time > new.on_time:
        odds = f"down from {old.on_time:.0%} to {new.on_time:.0%} likely by {c.due}"
    if old is None or old.health is Health.ON_TRACK:
        yield NewSignal(
            SignalKind.BELOW_TARGET,
            c.id,
            c.project,
            severity,
            f"{c.title} is {odds}, below the {c.confidence:.0%} it was promised at; "
            f"the 85% date is {new.p85}.",
            evidence,
            new.health.value,
        )
    elif old.health is Health.AT_RISK and new.health is Health.OFF_TRACK:
        yield NewSignal(
            SignalKind.HEALTH_WORSENED,
            c.id,
            c.project,
            Severity.HIGH,
            f"{c.title} went from at risk to off track: {odds}; the 85% date is {new.p85}.",
            evidence,
            new.health.value,
        )


def allocated_days(portfolio: Portfolio, project: str, start: date, end: date) -> dict[str, float]:
    """Person-days each person is allocated to ``project`` on working days in [start, end]."""
    days: dict[str, float] = {}
    for a in portfolio.allocations:
        if a.project != project or a.end < start or a.start > end:
            continue
        calendar = portfolio.person(a.person).calendar
        first, last = max(a.start, start), min(a.end, end)
        worked = sum(
            1
            for n in range((last - first).days + 1)
            if calendar.is_working_day(first + timedelta(n))
        )
        days[a.person] = days.get(a.person, 0.0) + a.fraction * worked
    return days


def _capacity(watch: Watch) -> Iterator[NewSignal]:
    if watch.before is None:
        return
    c = watch.commitment
    if not any(a.project == c.project for a in watch.before.allocations):
        return  # a project new to the portfolio loses nothing
    start = watch.today
    before = allocated_days(watch.before, c.project, start, c.due)
    after = allocated_days(watch.after, c.project, start, c.due)
    lost = {
        p: before[p] - after.get(p, 0.0) for p in before if before[p] - after.get(p, 0.0) > 0.05
    }
    total_before = sum(before.values())
    removed = sum(lost.values()) - sum(
        max(after[p] - before.get(p, 0.0), 0.0) for p in after if p not in lost
    )
    if removed <= 0.05 or total_before <= 0:
        return
    names = ", ".join(watch.after.person(p).name for p in lost)
    share = removed / total_before
    project = watch.after.project(c.project)
    yield NewSignal(
        SignalKind.CAPACITY_REMOVED,
        c.id,
        c.project,
        _severity(share),
        f"{removed:.0f} person-days ({share:.0%}) taken off {project.name} before {c.due}: "
        f"{names}.",
        {
            "person_days_before": round(total_before, 1),
            "person_days_after": round(total_before - removed, 1),
            "removed": round(removed, 1),
            "people": ", ".join(lost),
            "from": start.isoformat(),
            "due": c.due.isoformat(),
        },
        f"{','.join(sorted(lost))}:{removed:.1f}",
    )


def scope_growth(project: Project, commitment: Commitment) -> tuple[list[WorkItem], float]:
    """Items added to the commitment's scope after it was made, and their expected effort."""
    since = commitment.baseline.forecast_on if commitment.baseline else commitment.made_on
    if since is None:
        return [], 0.0
    added = [
        i for i in project.items if i.added is not None and i.added > since and commitment.covers(i)
    ]
    return added, sum(i.estimate.pert_mean for i in added if i.estimate)


def _scope(watch: Watch) -> Iterator[NewSignal]:
    c = watch.commitment
    project = watch.after.project(c.project)
    added, effort = scope_growth(project, c)
    if not added:
        return
    added_now = True
    if watch.before is not None and _has_project(watch.before, c.project):
        grown_before, _ = scope_growth(watch.before.project(c.project), c)
        added_now = not {i.id for i in grown_before} >= {i.id for i in added}
    scope = [i for i in project.items if c.covers(i)]
    promised = (
        c.baseline.effort
        if c.baseline
        else sum(i.estimate.pert_mean for i in scope if i.estimate and i not in added)
    )
    share = effort / promised if promised else 0.0
    evidence: Evidence = {
        "items_added": len(added),
        "effort_added": round(effort, 1),
        "effort_promised": round(promised, 1),
        "growth": round(share, 3),
        "items": ", ".join(i.id for i in added),
        "since": (c.baseline.forecast_on if c.baseline else c.made_on or watch.today).isoformat(),
    }
    if added_now:
        yield NewSignal(
            SignalKind.SCOPE_GREW,
            c.id,
            c.project,
            _severity(share),
            f"{len(added)} items ({effort:.0f} person-days, {share:.0%} more work) joined "
            f"the scope of {c.title} since it was promised on {evidence['since']}.",
            evidence,
            str(evidence["items"]),
        )
    unstable = [d for d in project.dependencies if d.unstable]
    if c.fixed_date and unstable:
        yield NewSignal(
            SignalKind.WARNING_SIGNS,
            c.id,
            c.project,
            Severity.HIGH,
            f"{c.title}: a date that cannot move, scope grown by {share:.0%} since it was "
            f"promised, and work resting on {and_list(d.name for d in unstable)}, marked "
            "unstable. Plan a fallback and tell the client now.",
            {
                **evidence,
                "fixed_date": c.due.isoformat(),
                "unstable": ", ".join(d.id for d in unstable),
            },
            str(evidence["items"]),
        )


def _stall(watch: Watch) -> Iterator[NewSignal]:
    c = watch.commitment
    project = watch.after.project(c.project)
    if project.start > watch.today or not _open_scope(project, c):
        return
    progress = [
        d for i in project.items for d in (i.started, i.done) if d is not None and d <= watch.today
    ]
    progress += [h.done for h in project.history if h.done <= watch.today]
    last = max(progress, default=project.start)
    calendar = WorkingCalendar()
    if project.lead is not None and any(p.id == project.lead for p in watch.after.people):
        calendar = watch.after.person(project.lead).calendar
    quiet = sum(
        1
        for n in range(1, (watch.today - last).days + 1)
        if calendar.is_working_day(last + timedelta(n))
    )
    if quiet < watch.stall_days:
        return
    yield NewSignal(
        SignalKind.NO_PROGRESS,
        c.id,
        c.project,
        Severity.MEDIUM,
        f"No item started or finished on {project.name} for {quiet} working days (last on {last}).",
        {"working_days": quiet, "last_progress": last.isoformat(), "limit": watch.stall_days},
        last.isoformat(),
    )


def _severity(share: float) -> Severity:
    """By how much of the promised capacity or work changed: a fifth or more is high."""
    if share >= 0.2:
        return Severity.HIGH
    return Severity.MEDIUM if share >= 0.1 else Severity.LOW


def _open_scope(project: Project, commitment: Commitment) -> bool:
    return any(i.status is not ItemStatus.DONE and commitment.covers(i) for i in project.items)


def _has_project(portfolio: Portfolio, project_id: str) -> bool:
    return any(p.id == project_id for p in portfolio.projects)
