"""The staffed schedule engine: the W4 rule, checked against a slow reference and by hand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from keepword.forecast.pert import sample_pert
from keepword.forecast.schedule import (
    NobodyQualified,
    NoCapacity,
    ScheduleError,
    ScheduleResult,
    Team,
    critical_items,
    critical_people,
    idle_capacity,
    processing_order,
    schedule,
)
from tests import reference_schedule as ref

EXACT = 1e-9


def _team(skills: Sequence[Sequence[bool]], capacity: Sequence[Sequence[float]]) -> Team:
    return Team(np.array(skills, dtype=bool), np.array(capacity, dtype=float))


def _one_skill(*capacity: Sequence[float]) -> Team:
    return _team([[True]] * len(capacity), capacity)


def _run(
    efforts: Sequence[float],
    team: Team,
    predecessors: Sequence[Sequence[int]] | None = None,
    skill: Sequence[int] | None = None,
    earliest: float | Sequence[float] = 0.0,
) -> ScheduleResult:
    """One trial of ``efforts``, everything needing skill 0 unless told otherwise."""
    items = len(efforts)
    return schedule(
        np.array(efforts, dtype=float)[:, None],
        np.array(skill if skill is not None else [0] * items),
        predecessors if predecessors is not None else [[] for _ in range(items)],
        team,
        earliest=np.asarray(earliest, dtype=float),
    )


# --- the engine equals the reference ------------------------------------------------------


@dataclass(frozen=True)
class Case:
    effort: list[list[float]]  # (items, trials)
    skill: list[int]
    predecessors: list[list[int]]
    skills: list[list[bool]]
    capacity: list[list[float]]
    earliest: list[float] | None


_capacity = st.one_of(
    st.just(0.0), st.sampled_from([0.25, 0.5, 1.0]), st.floats(0.05, 1.5, allow_subnormal=False)
)
_effort = st.one_of(
    st.just(0.0),
    st.integers(1, 16).map(lambda quarter: quarter / 4),
    st.floats(0.01, 6.0, allow_subnormal=False),
)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    items = draw(st.integers(1, 8))
    people = draw(st.integers(1, 4))
    kinds = draw(st.integers(1, 3))
    days = draw(st.one_of(st.integers(1, 12), st.integers(30, 45)))
    trials = draw(st.integers(1, 4))
    skills = [[draw(st.booleans()) for _ in range(kinds)] for _ in range(people)]
    for kind in range(kinds):  # somebody has every skill; a missing one has its own test
        skills[kind % people][kind] = True
    capacity = [[draw(_capacity) for _ in range(days)] for _ in range(people)]
    predecessors = [
        sorted(draw(st.sets(st.integers(0, item - 1), max_size=3))) if item else []
        for item in range(items)
    ]
    if draw(st.booleans()):  # relabel, so that some predecessors come later in index order
        label = draw(st.permutations(range(items)))
        predecessors = [
            sorted(label[p] for p in predecessors[label.index(item)]) for item in range(items)
        ]
    earliest = (
        [draw(st.sampled_from([0.0, 0.5, 1.0, 2.75, 6.0])) for _ in range(items)]
        if draw(st.booleans())
        else None
    )
    return Case(
        effort=[[draw(_effort) for _ in range(trials)] for _ in range(items)],
        skill=[draw(st.integers(0, kinds - 1)) for _ in range(items)],
        predecessors=predecessors,
        skills=skills,
        capacity=capacity,
        earliest=earliest,
    )


def _reference(case: Case) -> list[ref.Trial] | None:
    """Every trial by the reference, or None if some item can never finish."""
    try:
        return [
            ref.schedule_trial(
                [row[t] for row in case.effort],
                case.skill,
                case.predecessors,
                case.skills,
                case.capacity,
                case.earliest,
            )
            for t in range(len(case.effort[0]))
        ]
    except ref.Unfinishable:
        return None


def _shares(case: Case, trials: list[ref.Trial]) -> tuple[list[float], list[float], list[float]]:
    """The reference's critical items, critical people and idle capacity, over the trials."""
    chains = [ref.critical_set(trial, case.predecessors) for trial in trials]
    items = [sum(i in chain for chain in chains) / len(trials) for i in range(len(case.skill))]
    people = [
        sum(
            any(trial.assignee[i] == p for i in chain)
            for trial, chain in zip(trials, chains, strict=True)
        )
        / len(trials)
        for p in range(len(case.skills))
    ]
    idle = [
        ref.idle(trial, [row[t] for row in case.effort], case.capacity)
        for t, trial in enumerate(trials)
    ]
    return items, people, np.mean(idle, axis=0).tolist()


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(cases())
def test_engine_matches_the_reference_schedule(case: Case) -> None:
    team = _team(case.skills, case.capacity)
    effort = np.array(case.effort)
    earliest = 0.0 if case.earliest is None else np.array(case.earliest)
    expected = _reference(case)
    if expected is None:  # the reference found an item nobody can ever finish
        with pytest.raises(NoCapacity):
            schedule(effort, np.array(case.skill), case.predecessors, team, earliest=earliest)
        return

    result = schedule(effort, np.array(case.skill), case.predecessors, team, earliest=earliest)

    for t, trial in enumerate(expected):
        np.testing.assert_allclose(result.finish[:, t], trial.finish, rtol=0, atol=EXACT)
        np.testing.assert_allclose(result.start[:, t], trial.start, rtol=0, atol=EXACT)
        assert result.assignee[:, t].tolist() == trial.assignee
    items, people, idle = _shares(case, expected)
    np.testing.assert_allclose(critical_items(result, case.predecessors), items)
    np.testing.assert_allclose(critical_people(result, case.predecessors, team), people)
    np.testing.assert_allclose(idle_capacity(result, effort, team), idle, rtol=0, atol=1e-8)


# --- hand-computed cases ----------------------------------------------------------------------


def test_equal_items_on_one_person_finish_one_after_another() -> None:
    result = _run([2.0, 2.0, 2.0, 2.0], _one_skill([0.5] * 30))

    assert result.finish[:, 0].tolist() == [4.0, 8.0, 12.0, 16.0]  # sum / capacity
    assert result.start[:, 0].tolist() == [0.0, 4.0, 8.0, 12.0]
    assert result.project_finish().tolist() == [16.0]


def test_a_holiday_in_the_middle_shifts_the_finish_by_one_day() -> None:
    working = _run([1.0, 1.0, 1.5], _one_skill([1.0] * 10))
    holiday = _run([1.0, 1.0, 1.5], _one_skill([1.0, 1.0, 0.0] + [1.0] * 7))

    assert working.finish[:, 0].tolist() == [1.0, 2.0, 3.5]
    # Item 1 ends at the end of day 1, not after the holiday; item 2 waits it out.
    assert holiday.finish[:, 0].tolist() == [1.0, 2.0, 4.5]
    assert holiday.start[:, 0].tolist() == [0.0, 1.0, 2.0]


def test_work_that_ends_within_a_billionth_of_a_day_end_ends_that_day() -> None:
    # 0.1 + 0.2 is a hair above 0.3: rounding must not push the item past the day off.
    rounded = _run([0.1 + 0.2], _one_skill([0.3, 0.0, 1.0]))
    a_hair_more = _run([0.3 + 2e-10], _one_skill([0.3, 0.0, 1.0]))

    assert rounded.finish[0, 0] == 1.0
    assert a_hair_more.finish[0, 0] == 1.0


def test_two_people_work_in_parallel() -> None:
    result = _run([3.0, 1.5], _one_skill([1.0] * 10, [0.5] * 10))

    assert result.assignee[:, 0].tolist() == [0, 1]
    assert result.finish[:, 0].tolist() == [3.0, 3.0]


def test_a_dependency_chain_runs_one_after_another_on_any_person() -> None:
    result = _run([2.0, 1.0, 3.0], _one_skill([1.0] * 10, [1.0] * 10), [[], [0], [1]])

    assert result.start[:, 0].tolist() == [0.0, 2.0, 3.0]
    assert result.finish[:, 0].tolist() == [2.0, 3.0, 6.0]
    assert result.assignee[:, 0].tolist() == [0, 0, 0]  # every step a tie: the first person


@pytest.mark.parametrize(
    ("second_effort", "taker"),
    [
        (1.0, 0),  # both would finish at 2.0
        (1.0 - 2.5e-10, 0),  # person 1 earlier by 2.5e-10 days: still a tie
        (1.0 - 2e-9, 1),  # person 1 earlier by 2e-9 days: person 1 takes it
    ],
)
def test_ties_within_a_billionth_of_a_day_go_to_the_first_person(
    second_effort: float, taker: int
) -> None:
    result = _run([1.0, second_effort], _one_skill([1.0] * 5, [0.5] * 5))

    assert result.assignee[1, 0] == taker


def test_each_item_goes_to_a_person_with_its_skill() -> None:
    team = _team([[True, False], [False, True]], [[1.0] * 10, [0.25] * 10])
    result = _run([1.0, 1.0], team, skill=[1, 1])

    assert result.assignee[:, 0].tolist() == [1, 1]
    assert result.finish[:, 0].tolist() == [4.0, 8.0]


def test_an_item_starts_no_earlier_than_its_earliest_day() -> None:
    result = _run([1.0, 1.0], _one_skill([1.0] * 10), earliest=[0.0, 5.0])

    assert result.start[:, 0].tolist() == [0.0, 5.0]
    assert result.finish[:, 0].tolist() == [1.0, 6.0]


def test_a_zero_effort_item_finishes_at_its_start_even_on_a_day_off() -> None:
    result = _run([1.0, 0.0, 1.0], _one_skill([1.0, 0.0, 1.0, 1.0]))

    assert result.finish[:, 0].tolist() == [1.0, 1.0, 3.0]


def test_items_before_their_predecessors_are_taken_in_topological_order() -> None:
    predecessors = [[2], [], []]
    result = _run([1.0, 2.0, 3.0], _one_skill([1.0] * 10), predecessors)

    assert processing_order(predecessors, 3) == [1, 2, 0]
    assert result.finish[:, 0].tolist() == [6.0, 2.0, 5.0]


def test_past_the_timeline_its_last_35_days_repeat() -> None:
    # Five days off, then 35 working days: were the whole timeline to repeat, the five days
    # off would come again and the item would end at 60.
    result = _run([50.0], _one_skill([0.0] * 5 + [1.0] * 35))

    assert result.finish[0, 0] == pytest.approx(55.0, abs=EXACT)


def test_a_short_timeline_repeats_whole_with_its_weekends() -> None:
    week = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0]
    result = _run([8.0], _one_skill(week))

    assert result.finish[0, 0] == pytest.approx(10.0, abs=EXACT)  # Mon-Fri, then Mon-Wed


def test_a_skill_nobody_has_is_an_error_that_names_it() -> None:
    team = _team([[True, False]], [[1.0] * 5])

    with pytest.raises(NobodyQualified, match="skill 1, needed by item 2"):
        _run([1.0, 1.0, 1.0], team, skill=[0, 0, 1])


def test_an_item_nobody_can_ever_finish_is_an_error() -> None:
    # The only designer leaves for good: the design item cannot finish.
    team = _team([[True, False], [False, True]], [[1.0] * 40, [1.0] * 3 + [0.0] * 37])

    with pytest.raises(NoCapacity, match="item 1 needs skill 1"):
        _run([1.0, 5.0], team, skill=[0, 1])


def test_predecessors_in_a_cycle_are_an_error() -> None:
    with pytest.raises(ScheduleError, match="cycle"):
        _run([1.0, 1.0, 1.0], _one_skill([1.0] * 5), [[2], [0], [1]])


def test_every_trial_is_scheduled_on_its_own() -> None:
    team = _one_skill([1.0] * 10, [1.0] * 10)
    result = schedule(np.array([[1.0, 4.0], [2.0, 1.0]]), np.array([0, 0]), [[], []], team)

    assert result.finish.tolist() == [[1.0, 4.0], [2.0, 1.0]]
    assert result.assignee.tolist() == [[0, 0], [1, 1]]


# --- criticality and idle capacity ------------------------------------------------------------


def _bottleneck() -> tuple[npt.NDArray[np.float64], ScheduleResult, list[list[int]], Team]:
    """A backend chain of three long items (Ana) beside two short design items (Kim)."""
    rng = np.random.default_rng(20260105)
    effort = sample_pert([8, 8, 8, 1, 1], [10, 10, 10, 2, 2], [12, 12, 12, 3, 3], 200, rng)
    predecessors: list[list[int]] = [[], [0], [1], [], [3]]
    team = _team([[True, False], [False, True]], [[1.0] * 60, [1.0] * 60])
    result = schedule(effort, np.array([0, 0, 0, 1, 1]), predecessors, team)
    return effort, result, predecessors, team


def test_the_backend_chain_is_critical_in_every_trial() -> None:
    _, result, predecessors, team = _bottleneck()

    assert critical_items(result, predecessors).tolist() == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert critical_people(result, predecessors, team).tolist() == [1.0, 0.0]


def test_the_designer_is_idle_while_the_backend_chain_runs() -> None:
    effort, result, _, team = _bottleneck()
    design_work = effort[3:].sum(axis=0)

    idle = idle_capacity(result, effort, team)

    assert idle[0] == pytest.approx(0.0, abs=EXACT)
    assert idle[1] == pytest.approx(float(np.mean(result.project_finish() - design_work)))


def test_one_persons_queue_is_a_critical_chain_without_dependencies() -> None:
    team = _team([[True, False], [False, True]], [[1.0] * 20, [1.0] * 20])
    result = _run([2.0, 3.0, 4.0, 1.0], team, skill=[0, 0, 0, 1])

    assert critical_items(result, [[], [], [], []]).tolist() == [1.0, 1.0, 1.0, 0.0]
    assert critical_people(result, [[], [], [], []], team).tolist() == [1.0, 0.0]
