"""Items scheduled over people's capacity calendars, skills, dependencies and priority order.

The rule is the bench's W4 (``shared/bench/README.md``): items are taken in priority order
(their index); each goes to the qualified person who would finish it earliest (finishes
within ``TIE_DAYS`` of each other tie, and the first person in the list wins), starting no
earlier than that person is free and all the item's predecessors are done. A person works
on one item at a time and delivers ``capacity[p, d]`` person-days during day ``d``, spread
evenly over the day; work is continuous, so an item may end part-way through a day and the
next one starts at that point. An item finishes at the *first* moment its effort is done:
one done exactly at the end of a Friday finishes then, not on Monday morning.

Times are in days from the start of the timeline (2.5 is half-way through day index 2).
Every trial is scheduled at once: Python loops run over items and people, never trials.
Each person's capacity is a cumulative curve, piecewise linear in time; the finish of an
item is that curve read forward at the start, plus the effort, read backward. The backward
read uses a bucket table (one gather and at most a step instead of a binary search), and
someone with the same capacity every day needs no table at all: see :class:`_Calendar`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from keepword.forecast.network import CyclicNetwork, topological_order

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

TIE_DAYS = 1e-9
"""Finishes this close (in days) are a tie; the first person in the list takes the item."""

SNAP = 1e-9
"""Person-days of effort small enough to count as done: an item this close to the end of a
stretch of equal capacity ends there (rounding never spills it over the days off that
follow), and an item this small ends at its start."""

PATTERN_DAYS = 35
"""Days at the end of the timeline that repeat when the work runs past it: 35 = lcm(5, 7) is
a whole number of weeks whether the timeline holds working days or calendar days."""

MIN_CAPACITY = 1e-6
"""The smallest capacity a day can have other than 0, in person-days."""

MAX_PEOPLE = 10_000
"""The most people a team may have (the tie rule ranks them in 16-bit integers)."""

MAX_DAYS = 1 << 20
"""The timeline never grows past this many days (about 4,000 years of working days)."""


class ScheduleError(ValueError):
    """The work cannot be scheduled on this team."""


class NobodyQualified(ScheduleError):
    """Some item needs a skill that nobody on the team has."""


class NoCapacity(ScheduleError):
    """Some item can never finish: the people able to do it have no capacity left."""


@dataclass(frozen=True, eq=False)
class Team:
    """Who can do what, and how many person-days each person delivers on each day.

    The timeline is any sequence of days (working days or calendar days); capacity is 0 on a
    person's days off. When the work runs past the end, the last ``PATTERN_DAYS`` days repeat.
    Arrays are copied and made read-only.
    """

    skills: BoolArray  # (people, skills)
    capacity: FloatArray  # (people, days), person-days per day

    def __post_init__(self) -> None:
        skills = np.array(self.skills, dtype=np.bool_)
        capacity = np.array(self.capacity, dtype=np.float64)
        if skills.ndim != 2 or capacity.ndim != 2 or skills.shape[0] != capacity.shape[0]:
            raise ValueError(
                f"skills must be (people, skills) and capacity (people, days), "
                f"not {skills.shape} and {capacity.shape}"
            )
        if capacity.shape[0] == 0 or capacity.shape[1] == 0:
            raise ValueError(f"a team needs at least one person and one day, not {capacity.shape}")
        if capacity.shape[0] > MAX_PEOPLE:
            raise ValueError(f"a team has at most {MAX_PEOPLE} people, not {capacity.shape[0]}")
        if not np.isfinite(capacity).all() or (capacity < 0).any():
            raise ValueError("capacity must be finite and at least 0")
        if ((capacity > 0) & (capacity < MIN_CAPACITY)).any():
            # Keeps the engine's lookup tables small and exact; such a day is a day off.
            raise ValueError(f"capacity below {MIN_CAPACITY} person-days a day must be 0")
        skills.flags.writeable = False
        capacity.flags.writeable = False
        object.__setattr__(self, "skills", skills)
        object.__setattr__(self, "capacity", capacity)

    @property
    def people(self) -> int:
        return int(self.capacity.shape[0])


@dataclass(frozen=True, eq=False)
class ScheduleResult:
    """Start, finish and assignee of every item in every trial, all of shape (items, trials).

    ``start`` is when the item could begin (its person free, its predecessors done); if that
    falls on a day off, work begins at the person's next working moment.
    """

    finish: FloatArray
    start: FloatArray
    assignee: IntArray  # index of the person who did the item; always a real person

    def project_finish(self) -> FloatArray:
        """Finish of the last item in each trial, shape (trials,); 0 with no items."""
        finish: FloatArray = self.finish.max(axis=0, initial=0.0)
        return finish


def schedule(
    effort: npt.ArrayLike,
    skill: npt.ArrayLike,
    predecessors: Sequence[Sequence[int]],
    team: Team,
    *,
    earliest: npt.ArrayLike = 0.0,
) -> ScheduleResult:
    """Schedule efforts (items, trials) in person-days on ``team``, by the W4 rule.

    ``skill`` is the skill index each item needs; ``earliest`` (a number, one per item, or
    one per item and trial) is the earliest day each item may start. If an item comes before
    one of its predecessors, items are taken in the topological order that keeps index order
    among the items ready to go (:func:`processing_order`). If the work runs past the end of
    the timeline, the timeline grows by repeats of its last ``PATTERN_DAYS`` days.

    Raises :class:`NobodyQualified` when an item's skill has nobody, and :class:`NoCapacity`
    when an item can never finish.
    """
    efforts = np.asarray(effort, dtype=np.float64)
    if efforts.ndim != 2:
        raise ValueError(f"effort must be (items, trials), not {efforts.shape}")
    items, trials = efforts.shape
    if not np.isfinite(efforts).all() or (efforts < 0).any():
        raise ValueError("efforts must be finite and at least 0")
    skills = _skill_per_item(skill, items, team)
    order = processing_order(predecessors, items)
    starts = _earliest(earliest, items, trials)
    _check_qualified(skills, team)

    finish = np.zeros((items, trials))
    start = np.zeros((items, trials))
    assignee = np.zeros((items, trials), dtype=np.intp)
    if items == 0 or trials == 0:
        return ScheduleResult(finish, start, assignee)

    calendar = _Calendar.of(team, repeats=0)
    # Every earliest start inside the timeline keeps every finish inside it too (see below).
    while starts is not None and calendar.days <= starts.max():
        calendar = calendar.grown(team)
    groups = {s: calendar.group(s) for s in np.unique(skills).tolist()}
    scratch = _Scratch.of(max(g.people.size for g in groups.values()), trials)
    tiny = efforts.min(axis=1) <= SNAP  # items that finish at their start in some trial
    free = np.zeros((team.people, trials))  # when each person finishes their last item
    held = np.zeros((team.people, trials))  # person-days each person has delivered by then
    free_flat, held_flat = free.reshape(-1), held.reshape(-1)
    column = np.arange(trials)
    for item in order:
        ready = _ready(item, predecessors, finish, starts)
        day = ready.astype(np.intp)
        while True:
            group = groups[int(skills[item])]
            done = calendar.finishes(group, scratch, held, ready, day, efforts[item])
            if tiny[item]:
                begin = np.maximum(free[group.people], ready)
                np.copyto(done, begin, where=efforts[item] <= SNAP)
            best = done.min(axis=0) if group.people.size > 1 else done[0]
            # Finishes stay clear of the end of the timeline: there the last stretch of
            # capacity is cut short and past it people read as never finishing (+inf).
            if best.max() < calendar.days - TIE_DAYS:
                break
            if not calendar.tail_capacity[group.people].any():
                if np.isinf(best).any():
                    raise NoCapacity(
                        f"item {item} needs skill {int(skills[item])}, and nobody with it "
                        f"has capacity in the last {PATTERN_DAYS} days of the timeline"
                    )
                break  # nobody here has capacity past the end: it is a real end
            calendar = calendar.grown(team)
            groups = {s: calendar.group(s) for s in groups}
        if group.people.size == 1:
            who: IntArray | int = int(group.people[0])
            finish[item] = done[0]
        else:
            choice = _first_within_tie(done, best, group, scratch)
            np.take(done.reshape(-1), choice * trials + column, out=finish[item])
            who = group.people[choice]
        cell = who * trials + column
        np.maximum(free_flat[cell], ready, out=start[item])
        assignee[item] = who
        free_flat[cell] = finish[item]
        held_flat[cell] = calendar.delivered(who, finish[item])
    return ScheduleResult(finish, start, assignee)


def processing_order(predecessors: Sequence[Sequence[int]], items: int) -> list[int]:
    """Index order when every predecessor comes first; else the topological order that
    takes, at each step, the lowest-index item whose predecessors are all done (Kahn)."""
    if len(predecessors) != items:
        raise ValueError(f"{len(predecessors)} predecessor lists for {items} items")
    in_order = True
    for item, before in enumerate(predecessors):
        for p in before:
            if not 0 <= p < items or p == item:
                raise ScheduleError(f"item {item} has an invalid predecessor {p}")
            in_order = in_order and p < item
    if in_order:
        return list(range(items))
    try:
        return topological_order(predecessors)
    except CyclicNetwork as error:
        raise ScheduleError(f"predecessors form a cycle among items {error.tasks[:10]}") from None


def critical_items(result: ScheduleResult, predecessors: Sequence[Sequence[int]]) -> FloatArray:
    """Share of trials in which each item lies on a chain that decides the project finish."""
    items, trials = result.finish.shape
    if trials == 0:
        return np.zeros(items)
    critical: FloatArray = _critical(result, predecessors).mean(axis=1)
    return critical


def critical_people(
    result: ScheduleResult, predecessors: Sequence[Sequence[int]], team: Team
) -> FloatArray:
    """Share of trials in which each person did an item on a chain that decides the finish."""
    items, trials = result.finish.shape
    if trials == 0:
        return np.zeros(team.people)
    critical = _critical(result, predecessors)
    hit = np.zeros((team.people, trials), dtype=np.bool_)
    trial = np.broadcast_to(np.arange(trials), (items, trials))
    hit[result.assignee[critical], trial[critical]] = True
    share: FloatArray = hit.mean(axis=1)
    return share


def idle_capacity(result: ScheduleResult, effort: npt.ArrayLike, team: Team) -> FloatArray:
    """Mean over trials of the person-days each person had before the project finish but
    did not use, shape (people,)."""
    efforts = np.asarray(effort, dtype=np.float64)
    trials = result.finish.shape[1]
    if trials == 0:
        return np.zeros(team.people)
    end = result.project_finish()
    calendar = _Calendar.of(team, repeats=0)
    while calendar.days < end.max():
        calendar = calendar.grown(team)
    day = end.astype(np.intp)
    had = calendar.cumulative[:, day] + calendar.rate[:, day] * (end - day)  # (people, trials)
    cell = result.assignee * trials + np.arange(trials)
    used = np.bincount(cell.reshape(-1), efforts.reshape(-1), team.people * trials)
    # Every item's effort is delivered before it finishes: had >= used, up to SNAP rounding.
    idle: FloatArray = np.maximum(had - used.reshape(team.people, trials), 0.0).mean(axis=1)
    return idle


# --- internals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Group:
    """The people qualified for one skill: first those with the same capacity every day
    ("steady", ``steady`` of them), then the others; ``rank`` is each row's place in team
    order, for the tie rule. Per-row constants are shaped (rows, 1)."""

    people: IntArray
    rank: npt.NDArray[np.int16]
    by_rank: IntArray
    steady: int
    steady_rate: FloatArray
    steady_inverse: FloatArray
    day_base: IntArray
    inverse_step: FloatArray
    last_bucket: FloatArray
    bucket_base: IntArray
    steps: int


@dataclass(frozen=True)
class _Calendar:
    """Every person's cumulative capacity, read forward (time -> effort) and backward.

    Forward, per person and day ``d`` (``days + 1`` entries per person, the last for the end
    of the timeline): ``cumulative`` person-days delivered before day ``d``, ``rate`` during
    it, and ``offset`` such that the person-days delivered by time ``t`` in day ``d`` are
    ``offset[d] + rate[d] * t``.

    Backward, over stretches of consecutive days with the same capacity above 0 (segments,
    all people end to end, a sentinel at +inf closing each person's list): effort ``y`` is
    done in the first segment ``j`` whose end, plus SNAP, reaches ``y``, at time
    ``min(y * inverse[j] + offset[j], close[j])``. ``bucket[g]`` holds the first segment
    whose ``reach * inverse_step`` is at least ``g``; float multiplication by a positive
    number is monotonic, so the segment for ``y`` lies between ``bucket[g]`` and
    ``bucket[g + 1]`` with ``g = floor(y * inverse_step)``. A bucket no wider than half the
    smallest segment holds at most one segment end: one gather and one step forward instead
    of a binary search.

    A steady person (the same capacity every day, hence in every repeat too) needs none of
    this: they deliver ``rate * t`` by time ``t``.
    """

    days: int
    repeats: int
    cumulative: FloatArray  # (people, days + 1)
    rate: FloatArray  # (people, days + 1)
    offset: FloatArray  # (people, days + 1)
    segment_reach: FloatArray
    segment_inverse: FloatArray
    segment_offset: FloatArray
    segment_close: FloatArray
    bucket: IntArray
    inverse_step: FloatArray  # (people,)
    last_bucket: FloatArray  # (people,)
    bucket_base: IntArray  # (people,)
    steps: IntArray  # (people,): most steps forward a lookup can need
    steady: BoolArray  # (people,)
    tail_capacity: BoolArray  # (people,): any capacity in the repeating pattern
    skills: BoolArray

    @classmethod
    def of(cls, team: Team, repeats: int) -> _Calendar:
        base = team.capacity
        pattern = base[:, -min(PATTERN_DAYS, base.shape[1]) :]
        capacity = np.concatenate([base, *([pattern] * repeats)], axis=1)
        people, days = capacity.shape
        rate = np.zeros((people, days + 1))
        rate[:, :days] = capacity
        cumulative = np.zeros((people, days + 1))
        np.cumsum(capacity, axis=1, out=cumulative[:, 1:])
        offset = cumulative - rate * np.arange(days + 1)
        segments: list[list[FloatArray]] = []
        buckets: list[IntArray] = []
        inverse_step = np.ones(people)
        last_bucket = np.zeros(people)
        bucket_base = np.zeros(people, dtype=np.intp)
        steps = np.zeros(people, dtype=np.intp)
        segment_count = bucket_count = 0
        for p in range(people):
            bounds = np.concatenate([[0], np.flatnonzero(np.diff(capacity[p])) + 1, [days]])
            first, stop = bounds[:-1], bounds[1:]
            working = capacity[p, first] > 0
            first, stop = first[working], stop[working]
            inverse = 1 / capacity[p, first]
            reach = cumulative[p, stop] + SNAP
            if first.size:
                # The second bound caps the table when capacities differ by orders of magnitude.
                smallest = (cumulative[p, stop] - cumulative[p, first]).min()
                step = max(smallest / 2, reach[-1] / (16 * first.size + 4096))
                inverse_step[p] = 1 / step
                last_bucket[p] = np.floor(reach[-1] * inverse_step[p]) + 1
            table = np.searchsorted(reach * inverse_step[p], np.arange(int(last_bucket[p]) + 2))
            steps[p] = int(np.diff(table).max(initial=0))
            bucket_base[p] = bucket_count
            buckets.append(table + segment_count)
            bucket_count += table.size
            segments.append(
                [
                    np.append(reach, np.inf),
                    np.append(inverse, 1.0),
                    np.append(first - cumulative[p, first] * inverse, np.inf),
                    np.append(stop.astype(np.float64), np.inf),
                ]
            )
            segment_count += first.size + 1
        reach, inverse, segment_offset, close = (
            np.concatenate(part) for part in zip(*segments, strict=True)
        )
        return cls(
            days=days,
            repeats=repeats,
            cumulative=cumulative,
            rate=rate,
            offset=offset,
            segment_reach=reach,
            segment_inverse=inverse,
            segment_offset=segment_offset,
            segment_close=close,
            bucket=np.concatenate(buckets),
            inverse_step=inverse_step,
            last_bucket=last_bucket,
            bucket_base=bucket_base,
            steps=steps,
            steady=(base == base[:, :1]).all(axis=1) & (base[:, 0] > 0),
            tail_capacity=pattern.sum(axis=1) > 0,
            skills=team.skills,
        )

    def grown(self, team: Team) -> _Calendar:
        """This calendar about twice as long, by whole repeats of the pattern."""
        if self.days >= MAX_DAYS:
            raise NoCapacity(f"the work would take more than {MAX_DAYS} days")
        pattern = min(PATTERN_DAYS, team.capacity.shape[1])
        return _Calendar.of(team, self.repeats + -(-self.days // pattern))

    def group(self, skill: int) -> _Group:
        qualified = np.flatnonzero(self.skills[:, skill])
        steady = qualified[self.steady[qualified]]
        other = qualified[~self.steady[qualified]]
        people = np.concatenate([steady, other])
        rate = self.rate[steady, :1]
        return _Group(
            people=people,
            rank=np.argsort(np.argsort(people)).astype(np.int16)[:, None],
            by_rank=np.argsort(people),
            steady=steady.size,
            steady_rate=rate,
            steady_inverse=1 / rate,
            day_base=other[:, None] * (self.days + 1),
            inverse_step=self.inverse_step[other, None],
            last_bucket=self.last_bucket[other, None],
            bucket_base=self.bucket_base[other, None],
            steps=int(self.steps[other].max(initial=0)),
        )

    def delivered(self, person: IntArray | int, time: FloatArray) -> FloatArray:
        """Person-days each person has delivered by ``time`` (within the timeline)."""
        index = time.astype(np.intp)
        index += person * (self.days + 1)
        done: FloatArray = self.rate.reshape(-1)[index] * time + self.offset.reshape(-1)[index]
        return done

    def finishes(
        self,
        group: _Group,
        scratch: _Scratch,
        held: FloatArray,
        ready: FloatArray,
        day: IntArray,
        effort: FloatArray,
    ) -> FloatArray:
        """Finish, (k, trials), if each person of ``group`` took the item: the effort added
        to what they will have delivered by the time they are free and the item is ready.

        The result is a view into ``scratch``, overwritten by the next call. Every index is
        in range by construction; ``mode="clip"`` only spares numpy a buffered copy."""
        k, s = group.people.size, group.steady
        target, done, value = scratch.target[:k], scratch.done[:k], scratch.value[:k]
        index = scratch.index[s:k]
        # Forward: delivered by the time the item is ready.
        np.multiply(group.steady_rate, ready, out=target[:s])
        if s < k:
            np.add(day, group.day_base, out=index)
            np.take(self.rate.reshape(-1), index, out=target[s:], mode="clip")
            np.multiply(target[s:], ready, out=target[s:])
            np.take(self.offset.reshape(-1), index, out=value[s:], mode="clip")
            np.add(target[s:], value[s:], out=target[s:])
        # Delivered-by is monotonic in time: at max(free, ready) it is the larger of the two.
        np.take(held, group.people, axis=0, out=value, mode="clip")
        np.maximum(target, value, out=target)
        np.add(target, effort, out=target)
        # Backward: when the person will have delivered that much.
        np.multiply(target[:s], group.steady_inverse, out=done[:s])
        if s == k:
            return done
        target, done, value = target[s:], done[s:], value[s:]
        bucket, segment, flag = scratch.bucket[s:k], scratch.segment[s:k], scratch.flag[s:k]
        np.multiply(target, group.inverse_step, out=bucket)
        np.minimum(bucket, group.last_bucket, out=bucket)  # past the end: the sentinel
        np.copyto(index, bucket, casting="unsafe")  # floor: the bucket is not negative
        np.add(index, group.bucket_base, out=index)
        np.take(self.bucket, index, out=segment, mode="clip")
        for _ in range(group.steps):
            np.take(self.segment_reach, segment, out=value, mode="clip")
            np.less(value, target, out=flag)
            np.add(segment, flag, out=segment)
        np.take(self.segment_inverse, segment, out=done, mode="clip")
        np.multiply(done, target, out=done)
        np.take(self.segment_offset, segment, out=value, mode="clip")
        np.add(done, value, out=done)
        np.take(self.segment_close, segment, out=value, mode="clip")
        np.minimum(done, value, out=done)
        return scratch.done[:k]


@dataclass(frozen=True)
class _Scratch:
    """Work arrays for :meth:`_Calendar.finishes`, written in place (``out=``): a fresh
    temporary per operation, at this size, costs an allocation and often page faults."""

    index: IntArray
    target: FloatArray
    bucket: FloatArray
    segment: IntArray
    done: FloatArray
    value: FloatArray
    flag: BoolArray
    key: npt.NDArray[np.int16]

    @classmethod
    def of(cls, rows: int, trials: int) -> _Scratch:
        shape = (rows, trials)
        return cls(
            index=np.empty(shape, dtype=np.intp),
            target=np.empty(shape),
            bucket=np.empty(shape),
            segment=np.empty(shape, dtype=np.intp),
            done=np.empty(shape),
            value=np.empty(shape),
            flag=np.empty(shape, dtype=np.bool_),
            key=np.empty(shape, dtype=np.int16),
        )


def _first_within_tie(
    done: FloatArray, best: FloatArray, group: _Group, scratch: _Scratch
) -> IntArray:
    """Per trial, the row of the first person (in team order) whose finish is within
    TIE_DAYS of the best: the smallest rank among those rows, others pushed past every rank.
    (A column-wise argmax over the same booleans is several times slower.)"""
    k = done.shape[0]
    late, key = scratch.flag[:k], scratch.key[:k]
    np.greater(done, best + TIE_DAYS, out=late)
    np.multiply(late, np.int16(k), out=key)
    np.add(key, group.rank, out=key)
    first: IntArray = group.by_rank.take(key.min(axis=0))
    return first


def _skill_per_item(skill: npt.ArrayLike, items: int, team: Team) -> IntArray:
    skills = np.asarray(skill)
    if skills.shape != (items,) or (items and not np.issubdtype(skills.dtype, np.integer)):
        raise ValueError(f"skill must hold one integer per item ({items}), not {skills.shape}")
    known = team.skills.shape[1]
    if items and (skills.min() < 0 or skills.max() >= known):
        raise ScheduleError(f"skill indices must be in 0..{known - 1}")
    return skills.astype(np.intp)


def _check_qualified(skills: IntArray, team: Team) -> None:
    missing = [s for s in np.unique(skills).tolist() if not team.skills[:, s].any()]
    if missing:
        needing = np.flatnonzero(np.isin(skills, missing)).tolist()
        raise NobodyQualified(
            f"nobody on the team has skill {', '.join(map(str, missing))}, "
            f"needed by item {', '.join(map(str, needing[:10]))}"
            + (f" and {len(needing) - 10} more" if len(needing) > 10 else "")
        )


def _earliest(earliest: npt.ArrayLike, items: int, trials: int) -> FloatArray | None:
    """Earliest starts broadcast to (items, trials), or None when they never bind."""
    array = np.asarray(earliest, dtype=np.float64)
    if not np.isfinite(array).all():
        raise ValueError("earliest starts must be finite")
    if array.ndim == 1:
        array = array[:, None]
    try:
        wide = np.broadcast_to(np.maximum(array, 0.0), (items, trials))
    except ValueError:
        raise ValueError(
            f"earliest must be a number, (items,) or (items, trials), not {array.shape}"
        ) from None
    return wide if wide.size and wide.max() > 0 else None


def _ready(
    item: int,
    predecessors: Sequence[Sequence[int]],
    finish: FloatArray,
    earliest: FloatArray | None,
) -> FloatArray:
    """When each trial's predecessors are all done and the item may start."""
    ready = np.zeros(finish.shape[1]) if earliest is None else earliest[item].copy()
    for p in predecessors[item]:
        np.maximum(ready, finish[p], out=ready)
    return ready


def _critical(result: ScheduleResult, predecessors: Sequence[Sequence[int]]) -> BoolArray:
    """(items, trials): True where the item is on a chain of back-to-back items that ends at
    the project finish. Links are a predecessor, or the item the same person did just before,
    finishing when this item starts; ties keep every such chain."""
    finish, start, assignee = result.finish, result.start, result.assignee
    items, trials = finish.shape
    order = processing_order(predecessors, items)
    column = np.arange(trials)
    # The item each person did just before, in the order the engine assigned them.
    previous = np.full((items, trials), -1, dtype=np.intp)
    last = np.full((int(assignee.max(initial=0)) + 1, trials), -1, dtype=np.intp)
    for item in order:
        previous[item] = last[assignee[item], column]
        last[assignee[item], column] = item
    critical = finish >= result.project_finish() - TIE_DAYS
    for item in reversed(order):
        on = critical[item]
        if not on.any():
            continue
        for p in set(predecessors[item]):
            critical[p] |= on & (np.abs(finish[p] - start[item]) <= TIE_DAYS)
        has = on & (previous[item] >= 0)
        trial = column[has]
        mate = previous[item][has]
        # Each earlier item has at most one next item per person and trial: no collisions.
        critical[mate, trial] |= np.abs(finish[mate, trial] - start[item, trial]) <= TIE_DAYS
    return critical
