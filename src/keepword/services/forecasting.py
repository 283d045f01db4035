"""Forecast a project's phases and commitments from the stored portfolio.

This is where the domain meets the engine: people's calendars and allocations become a
capacity timeline, items become efforts, and trial finishes become dates.

Mode: a project whose remaining items carry estimates is forecast in estimate mode (items
scheduled over the people allocated to it); a project whose remaining items carry none is
forecast in throughput mode from its completed-item history. In estimate mode an item
without an estimate takes the median three-point estimate of the project's other items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from keepword.domain.calendar import MONDAY_TO_FRIDAY, WorkingCalendar
from keepword.domain.commitment import Commitment
from keepword.domain.forecast import (
    BurnUpPoint,
    CannotForecast,
    Finish,
    FinishWeek,
    ForecastOptions,
    ItemsBy,
    ProjectForecast,
    Share,
)
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Project, WorkItem
from keepword.forecast import throughput
from keepword.forecast.percentiles import nearest_ranks, probability_by
from keepword.forecast.pert import sample_pert
from keepword.forecast.schedule import (
    NoCapacity,
    ScheduleResult,
    Team,
    critical_items,
    critical_people,
    idle_capacity,
    schedule,
)

HORIZON_DAYS = 3 * 365
THROUGHPUT_WINDOW_WORKING_DAYS = 60  # twelve weeks of five working days
RECORD_WORKING_DAYS = 1100  # about four years: older points carry no weight in the drift
MIN_RATIOS_FOR_CORRECTION = 5
ANY_SKILL = "(any)"

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def forecast_project(
    portfolio: Portfolio, project_id: str, options: ForecastOptions
) -> ProjectForecast:
    """Forecast ``project_id``: every phase, every commitment on it, and the whole project."""
    project = portfolio.project(project_id)
    start = max(options.today, project.start)
    remaining = project.remaining_items()
    rng = np.random.default_rng(options.seed)
    if not remaining:
        return _finished(portfolio, project, start, options)
    if any(item.estimate is not None for item in remaining):
        return _estimate_mode(portfolio, project, remaining, start, options, rng)
    return _throughput_mode(portfolio, project, remaining, start, options, rng)


# --- estimate mode -----------------------------------------------------------------------


def _estimate_mode(
    portfolio: Portfolio,
    project: Project,
    remaining: tuple[WorkItem, ...],
    start: date,
    options: ForecastOptions,
    rng: np.random.Generator,
) -> ProjectForecast:
    # The timeline ends with the last allocation; beyond it the engine repeats the last five
    # weeks, i.e. assumes the team stays as last planned (said in the evidence).
    ends = [a.end for a in portfolio.allocations if a.project == project.id and a.end >= start]
    span = min((max(ends, default=start) - start).days + 1, HORIZON_DAYS)
    people, capacity = _capacity(portfolio, project.id, start, span)
    if not people:
        raise CannotForecast(
            f"nobody is allocated to project {project.id!r} on or after {start}; "
            "add allocations to forecast its estimated items"
        )
    skills = sorted({item.skill or ANY_SKILL for item in remaining})
    can = np.array(
        [[s == ANY_SKILL or portfolio.person(p).has_skill(s) for s in skills] for p in people]
    )
    for column, skill in enumerate(skills):
        if not can[:, column].any():
            needing = [i.id for i in remaining if (i.skill or ANY_SKILL) == skill]
            raise CannotForecast(
                f"nobody allocated to project {project.id!r} has skill {skill!r}, "
                f"needed by {', '.join(needing)}"
            )
    effort = _efforts(project, remaining, options, rng)
    index = {item.id: n for n, item in enumerate(remaining)}
    predecessors = [[index[d] for d in item.depends_on if d in index] for item in remaining]
    team = Team(skills=can, capacity=capacity)
    try:
        result = schedule(
            effort,
            np.array([skills.index(item.skill or ANY_SKILL) for item in remaining]),
            predecessors,
            team,
        )
    except NoCapacity:
        raise CannotForecast(
            f"the people allocated to project {project.id!r} have no time for some of its "
            f"items in the last weeks of their allocations (to {start + timedelta(span - 1)}); "
            "extend the allocations"
        ) from None
    days = _finish_days(result.finish)
    names = {p: portfolio.person(p).name for p in people}
    critical = critical_items(result, predecessors)
    deciders = critical_people(result, predecessors, team)
    idle = idle_capacity(result, effort, team)
    forecast = _assemble(portfolio, project, remaining, start, days, options, "estimate")
    ranked = sorted(
        (
            Share(item.id, item.title, float(share))
            for item, share in zip(remaining, critical, strict=True)
        ),
        key=lambda s: -s.value,
    )
    free = (
        _free_in_window(result, effort, capacity, start, options.window)
        if options.window is not None
        else None
    )
    return replace(
        forecast,
        free_in_window=[]
        if free is None
        else [Share(p, names[p], float(v)) for p, v in zip(people, free, strict=True)],
        critical_items=[s for s in ranked if s.value > 0][:10],
        critical_people=sorted(
            (Share(p, names[p], float(v)) for p, v in zip(people, deciders, strict=True)),
            key=lambda s: -s.value,
        ),
        idle_people=sorted(
            (Share(p, names[p], float(v)) for p, v in zip(people, idle, strict=True)),
            key=lambda s: -s.value,
        ),
        evidence=_evidence_text(project, options)
        + f"; allocations as planned to {start + timedelta(span - 1)}, then as in their last "
        "five weeks",
    )


def _free_in_window(
    result: ScheduleResult,
    effort: FloatArray,
    capacity: FloatArray,
    start: date,
    window: tuple[date, date],
) -> FloatArray:
    """Median person-days each person has in ``window`` but no scheduled item uses.

    An item's effort is spread evenly over its span from start to finish, so the share of
    the span inside the window is the share of its effort spent there.
    """
    first = max((window[0] - start).days, 0)
    end = min((window[1] - start).days + 1, capacity.shape[1])  # exclusive
    if end <= first:
        return np.zeros(capacity.shape[0])
    had = capacity[:, first:end].sum(axis=1)  # (people,)
    span = np.maximum(result.finish - result.start, 1e-9)
    inside = np.clip(np.minimum(result.finish, end) - np.maximum(result.start, first), 0, None)
    spent = effort * np.minimum(inside / span, 1.0)  # (items, trials)
    trials = effort.shape[1]
    cell = result.assignee * trials + np.arange(trials)
    used = np.bincount(cell.reshape(-1), spent.reshape(-1), capacity.shape[0] * trials)
    free = had[:, None] - used.reshape(capacity.shape[0], trials)
    median: FloatArray = np.maximum(np.median(free, axis=1), 0.0)
    return median


def _efforts(
    project: Project,
    remaining: Sequence[WorkItem],
    options: ForecastOptions,
    rng: np.random.Generator,
) -> FloatArray:
    estimated = [i.estimate for i in remaining if i.estimate is not None]
    fallback = (
        float(np.median([e.optimistic for e in estimated])),
        float(np.median([e.likely for e in estimated])),
        float(np.median([e.pessimistic for e in estimated])),
    )
    points = np.array(
        [
            (i.estimate.optimistic, i.estimate.likely, i.estimate.pessimistic)
            if i.estimate
            else fallback
            for i in remaining
        ]
    )
    points.sort(axis=1)  # the median fallback keeps its order; a no-op otherwise
    effort = sample_pert(points[:, 0], points[:, 1], points[:, 2], options.trials, rng)
    ratios = _actual_to_estimate(project)
    if options.history_correction and ratios.size >= MIN_RATIOS_FOR_CORRECTION:
        # Evidence-based scheduling: each effort is scaled by one of the team's own past
        # actual/estimate ratios, drawn at random (Spolsky 2007).
        effort *= rng.choice(ratios, size=effort.shape)
    return effort


def _actual_to_estimate(project: Project) -> FloatArray:
    pairs = [(h.actual, h.estimate) for h in project.history if h.actual and h.estimate]
    return np.array([actual / estimate for actual, estimate in pairs], dtype=float)


def _evidence_text(project: Project, options: ForecastOptions) -> str:
    ratios = _actual_to_estimate(project)
    if options.history_correction and ratios.size >= MIN_RATIOS_FOR_CORRECTION:
        return (
            f"estimates corrected by {ratios.size} past actual/estimate ratios "
            f"(median {float(np.median(ratios)):.2f})"
        )
    return "three-point estimates as beta-PERT, uncorrected"


def _capacity(
    portfolio: Portfolio, project_id: str, start: date, days: int
) -> tuple[list[str], FloatArray]:
    """People allocated to the project from ``start``, and their person-days on each day."""
    end = start + timedelta(days - 1)
    allocations = [
        a
        for a in portfolio.allocations
        if a.project == project_id and a.end >= start and a.start <= end
    ]
    people = list(dict.fromkeys(a.person for a in allocations))
    capacity = np.zeros((len(people), days))
    for a in allocations:
        first = max((a.start - start).days, 0)
        last = min((a.end - start).days, days - 1)
        capacity[people.index(a.person), first : last + 1] += a.fraction
    for row, person_id in enumerate(people):
        calendar = portfolio.person(person_id).calendar
        working = _working_mask(calendar, start, days)
        capacity[row] *= working
    np.minimum(capacity, 1.0, out=capacity)
    return people, capacity


def _working_mask(calendar: WorkingCalendar, start: date, days: int) -> npt.NDArray[np.bool_]:
    return np.array([calendar.is_working_day(start + timedelta(d)) for d in range(days)])


def _finish_days(finish: FloatArray) -> IntArray:
    """Continuous finish times (days from the start) as day indices: 3.0 ends on day 2."""
    days: IntArray = np.maximum(np.ceil(finish - 1e-9).astype(np.int64) - 1, 0)
    return days


# --- throughput mode ---------------------------------------------------------------------


def _throughput_mode(
    portfolio: Portfolio,
    project: Project,
    remaining: tuple[WorkItem, ...],
    start: date,
    options: ForecastOptions,
    rng: np.random.Generator,
) -> ProjectForecast:
    calendar = _team_calendar(portfolio, project.id)
    before = [h.done for h in project.history if h.done < start]
    # The whole record before the start (up to RECORD_WORKING_DAYS): the last twelve weeks
    # are resampled, and the record before them calibrates how far the rate may drift.
    span = THROUGHPUT_WINDOW_WORKING_DAYS
    if before:
        span = max(
            span, min(_working_days_between(calendar, min(before), start), RECORD_WORKING_DAYS)
        )
    record = _working_days_before(calendar, start, span)
    window = record[-THROUGHPUT_WINDOW_WORKING_DAYS:]
    if not any(window[0] <= day for day in before):
        raise CannotForecast(
            f"project {project.id!r} has no estimates on its remaining items and no items "
            f"done in the {THROUGHPUT_WINDOW_WORKING_DAYS} working days before {start}; "
            "add estimates, or import its history with 'keepword history import'"
        )
    position = {day: n for n, day in enumerate(record)}
    series = np.zeros(len(record), dtype=np.int64)
    for day in before:
        if day < record[0]:
            continue
        # An item done on a day off counts on the working day before it.
        while day not in position:
            day -= timedelta(1)
        series[position[day]] += 1
    future = _working_days_after(calendar, start, HORIZON_DAYS)
    ratios = _capacity_ratios(portfolio, project.id, window, future)
    # Items are done one after another, phase by phase in order, each phase's in priority
    # order: the n-th of them is done when the running count first reaches n.
    phase_rank = {phase.id: rank for rank, phase in enumerate(project.phases)}
    ordered = sorted(
        range(len(remaining)),
        key=lambda n: (phase_rank.get(remaining[n].phase or "", len(phase_rank)), n),
    )
    thresholds = list(range(1, len(remaining) + 1))
    if options.recalibrate:
        finish = throughput.recalibrated_simulate_finish(
            series, thresholds, options.trials, rng, ratios, window=THROUGHPUT_WINDOW_WORKING_DAYS
        )
    else:
        window_counts = series[-THROUGHPUT_WINDOW_WORKING_DAYS:]
        finish = throughput.simulate_finish(window_counts, thresholds, options.trials, rng, ratios)
    # Trial finish (1 = first future working day) → calendar-day index from the start.
    offsets = np.array([(d - start).days for d in future], dtype=np.int64)
    by_rank = offsets[np.minimum(finish - 1, offsets.size - 1)].T  # (items, trials)
    item_days = np.empty_like(by_rank)
    item_days[ordered] = by_rank
    forecast = _assemble(portfolio, project, remaining, start, item_days, options, "throughput")
    return replace(
        forecast,
        evidence=(
            f"{int(series[-len(window) :].sum())} items done in the {len(window)} working days "
            f"before {start}, resampled by day and read at the levels that "
            f"{len(record)} working days of record say cover"
        ),
    )


def _team_calendar(portfolio: Portfolio, project_id: str) -> WorkingCalendar:
    """The calendar of the project's first allocated person, else Monday to Friday."""
    for allocation in portfolio.allocations:
        if allocation.project == project_id:
            return portfolio.person(allocation.person).calendar.without_time_off()
    return WorkingCalendar(MONDAY_TO_FRIDAY)


def _working_days_before(calendar: WorkingCalendar, start: date, count: int) -> list[date]:
    days: list[date] = []
    day = start - timedelta(1)
    while len(days) < count:
        if calendar.is_working_day(day):
            days.append(day)
        day -= timedelta(1)
    return days[::-1]


def _working_days_between(calendar: WorkingCalendar, first: date, end: date) -> int:
    """Working days from ``first`` up to the day before ``end``."""
    return sum(
        1 for n in range((end - first).days) if calendar.is_working_day(first + timedelta(n))
    )


def _working_days_after(calendar: WorkingCalendar, start: date, span: int) -> list[date]:
    return [
        start + timedelta(d) for d in range(span) if calendar.is_working_day(start + timedelta(d))
    ]


def _capacity_ratios(
    portfolio: Portfolio, project_id: str, window: list[date], future: list[date]
) -> FloatArray | None:
    """Team capacity on each future working day ÷ its mean over the window (None: unknown).

    Throughput follows capacity by binomial thinning (keepword.forecast.throughput). When
    no allocation covers the window, the team is taken to be what it was then. Ratios stop
    at the last working day with capacity, whose ratio then holds: beyond the allocations
    the team is assumed to stay as last planned, as in estimate mode.
    """
    allocations = [a for a in portfolio.allocations if a.project == project_id]
    if not allocations:
        return None
    last = max(a.end for a in allocations)
    future = [d for d in future if d <= last]

    def capacity(day: date) -> float:
        return sum(
            a.fraction
            for a in allocations
            if a.start <= day <= a.end and portfolio.person(a.person).calendar.is_working_day(day)
        )

    before = float(np.mean([capacity(d) for d in window]))
    if before <= 0:
        return None
    ratios = np.array([capacity(d) / before for d in future])
    working = np.flatnonzero(ratios > 0)
    if working.size == 0:
        return None
    ratios = ratios[: working[-1] + 1]
    return None if np.allclose(ratios, 1.0) else ratios


# --- shared ------------------------------------------------------------------------------


def _finished(
    portfolio: Portfolio, project: Project, start: date, options: ForecastOptions
) -> ProjectForecast:
    empty = np.zeros((0, options.trials), dtype=np.int64)
    return _assemble(portfolio, project, (), start, empty, options, "done")


def _assemble(
    portfolio: Portfolio,
    project: Project,
    remaining: Sequence[WorkItem],
    start: date,
    item_days: IntArray,
    options: ForecastOptions,
    mode: str,
) -> ProjectForecast:
    """Dates and odds for the whole project, each phase, and each commitment on it."""
    trials = options.trials
    index = {item.id: n for n, item in enumerate(remaining)}

    def finish_of(item_ids: Sequence[str]) -> IntArray:
        rows = [index[i] for i in item_ids if i in index]
        if not rows:
            return np.zeros(trials, dtype=np.int64)
        result: IntArray = item_days[rows].max(axis=0)
        return result

    def summary(
        id_: str, name: str, item_ids: Sequence[str], due: date | None = None
    ) -> tuple[Finish, IntArray]:
        days = finish_of(item_ids)
        count = sum(1 for i in item_ids if i in index)
        if count == 0:
            # Nothing left: the scope finished when its last item was done (known, not forecast).
            wanted = set(item_ids)
            done = max((i.done for i in project.items if i.id in wanted and i.done), default=start)
            on_time = None if due is None else float(done <= due)
            return Finish(id_, name, 0, done, done, done, due, on_time, done), days
        p50, p85, p95, at = nearest_ranks(days, (0.5, 0.85, 0.95, options.confidence))
        on_time = None if due is None else probability_by(days, (due - start).days)
        p50_, p85_, p95_, at_ = (start + timedelta(int(x)) for x in (p50, p85, p95, at))
        return Finish(id_, name, count, p50_, p85_, p95_, due, on_time, at_), days

    whole, _ = summary(project.id, project.name, [i.id for i in project.items])
    phases: list[Finish] = []
    phase_days: dict[str, IntArray] = {}
    for phase in project.phases:
        finish, days = summary(
            phase.id, phase.name, [i.id for i in project.items if i.phase == phase.id]
        )
        phases.append(finish)
        phase_days[phase.id] = days
    commitments: list[Finish] = []
    cut_lines: dict[str, list[str]] = {}
    for commitment in _commitments_on(portfolio, project.id):
        scope = [i.id for i in commitment.scope_of(project)]
        finish, _ = summary(commitment.id, commitment.title, scope, commitment.due)
        commitments.append(finish)
        cut_lines[commitment.id] = _cut_line(
            project, commitment, phase_days, start, options.confidence
        )
    items_by = None
    if options.by is not None:
        done_by = (item_days <= (options.by - start).days).sum(axis=0)
        # At least n items with the confidence asked: the (1 − confidence) quantile of counts.
        low, mid = nearest_ranks(done_by, (1 - options.confidence, 0.5))
        items_by = ItemsBy(options.by, len(remaining), int(mid), int(low))
    distribution, burn_up = (
        _curves(project, start, item_days, whole) if options.curves else ((), ())
    )
    return ProjectForecast(
        project=project.id,
        mode=mode,
        items_by=items_by,
        start=start,
        trials=trials,
        seed=options.seed,
        confidence=options.confidence,
        whole=whole,
        phases=phases,
        commitments=commitments,
        cut_lines=cut_lines,
        finish_distribution=distribution,
        burn_up=burn_up,
    )


def _curves(
    project: Project, start: date, item_days: IntArray, whole: Finish
) -> tuple[tuple[FinishWeek, ...], tuple[BurnUpPoint, ...]]:
    """The whole project's finish by week, and the burn-up fan from ``start`` to its P95."""
    total = len(project.items)
    items, trials = item_days.shape
    if items == 0:
        # Nothing remains: the project finished on a known day, in every trial.
        return (
            (FinishWeek(_monday(whole.p50), 1.0),),
            (BurnUpPoint(start, total, total, total),),
        )
    first_monday = _monday(start)
    weeks = (item_days.max(axis=0) + (start - first_monday).days) // 7
    counts = np.bincount(weeks - weeks.min())
    distribution = tuple(
        FinishWeek(first_monday + timedelta(7 * (int(weeks.min()) + n)), float(c / trials))
        for n, c in enumerate(counts)
    )
    # At least k items are done by day t in a share c of the trials exactly when the
    # nearest-rank c percentile of the k-th item's finish day is at most t: so the count at
    # confidence c is the number of those percentiles at or before t. Read this way the fan
    # reaches every item on the whole project's own P50/P85/P95 dates.
    ordered = np.sort(np.sort(item_days, axis=0), axis=1)  # k-th finish of each trial, sorted
    done = total - items
    levels = {c: ordered[:, max(int(np.ceil(c * trials)), 1) - 1] for c in (0.5, 0.85, 0.95)}
    last = (whole.p95 - start).days
    days = sorted({*range(0, last, 7), last, (whole.p50 - start).days, (whole.p85 - start).days})
    burn_up = tuple(
        BurnUpPoint(
            start + timedelta(d),
            *(done + int(np.searchsorted(levels[c], d, side="right")) for c in (0.5, 0.85, 0.95)),
        )
        for d in days
    )
    return distribution, burn_up


def _monday(day: date) -> date:
    return day - timedelta(day.weekday())


def _commitments_on(portfolio: Portfolio, project_id: str) -> list[Commitment]:
    return [c for c in portfolio.commitments if c.project == project_id]


def _cut_line(
    project: Project,
    commitment: Commitment,
    phase_days: dict[str, IntArray],
    start: date,
    confidence: float,
) -> list[str]:
    """The phases, in order, that are all done by the due date at ``confidence``."""
    deadline = (commitment.due - start).days
    fitting: list[str] = []
    cumulative: IntArray | None = None
    for phase in project.phases:
        if not commitment.whole_project and phase.id not in commitment.phases:
            continue
        days = phase_days[phase.id]
        cumulative = days if cumulative is None else np.maximum(cumulative, days)
        if probability_by(cumulative, deadline) < confidence:
            break
        fitting.append(phase.id)
    return fitting
