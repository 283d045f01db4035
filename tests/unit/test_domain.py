"""The domain's rules, each as a behaviour a user relies on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keepword.domain.calendar import TimeOff, WorkingCalendar
from keepword.domain.commitment import Commitment, CommitmentState
from keepword.domain.errors import InvalidPortfolio, InvalidTransition, InvalidValue
from keepword.domain.people import find_over_allocations
from keepword.domain.project import Estimate, ItemStatus, find_cycle
from keepword.domain.scenario import Reallocation, Scenario, ScopeAddition, ScopeRemoval
from tests import factories as f


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ((0, 1, 2), "optimistic (0) must be above 0"),
        ((-1, 1, 2), "optimistic (-1) must be above 0"),
        ((3, 2, 4), "likely (2) is below optimistic (3)"),
        ((1, 5, 3), "pessimistic (3) is below likely (5)"),
    ],
)
def test_estimate_rejects_points_out_of_order(
    points: tuple[float, float, float], message: str
) -> None:
    with pytest.raises(InvalidValue, match=message.replace("(", r"\(").replace(")", r"\)")):
        Estimate(*points)


def test_estimate_allows_all_three_points_equal() -> None:
    assert Estimate(2, 2, 2).pert_mean == 2


def test_done_item_needs_done_date_after_start() -> None:
    with pytest.raises(InvalidValue, match="needs its done date"):
        f.item(status=ItemStatus.DONE)
    with pytest.raises(InvalidValue, match="before started"):
        f.item(status=ItemStatus.DONE, started=date(2026, 11, 5), done=date(2026, 11, 4))
    done = f.item(status=ItemStatus.DONE, started=date(2026, 11, 4), done=date(2026, 11, 4))
    assert done.done == date(2026, 11, 4)


def test_commitment_follows_its_state_machine() -> None:
    proposed = Commitment("c", "p", "Launch", date(2027, 1, 18))
    committed = proposed.moved_to(CommitmentState.COMMITTED)
    at_risk = committed.moved_to(CommitmentState.AT_RISK)
    assert at_risk.moved_to(CommitmentState.MET).state is CommitmentState.MET
    assert not at_risk.moved_to(CommitmentState.MISSED).is_open
    with pytest.raises(InvalidTransition, match="cannot go from proposed to met"):
        proposed.moved_to(CommitmentState.MET)
    with pytest.raises(InvalidTransition):
        committed.moved_to(CommitmentState.MET).moved_to(CommitmentState.COMMITTED)


def test_calendar_skips_weekends_public_holidays_and_time_off() -> None:
    calendar = WorkingCalendar(
        country="GB",
        subdivision="ENG",
        time_off=(TimeOff(date(2026, 12, 21), date(2026, 12, 23), "leave"),),
    )
    december = calendar.working_days(date(2026, 12, 14), date(2027, 1, 1))
    # 14–18 Dec work; 21–23 off; 24 works; 25 Christmas, 28 Boxing Day (substitute); 1 Jan.
    assert december == [
        date(2026, 12, 14),
        date(2026, 12, 15),
        date(2026, 12, 16),
        date(2026, 12, 17),
        date(2026, 12, 18),
        date(2026, 12, 24),
        date(2026, 12, 29),
        date(2026, 12, 30),
        date(2026, 12, 31),
    ]


def test_calendar_refuses_an_unknown_country() -> None:
    with pytest.raises(InvalidValue, match="no public-holiday calendar for 'XX'"):
        WorkingCalendar(country="XX")


def test_over_allocation_is_found_unless_marked_deliberate() -> None:
    first = f.allocation(fraction=0.6)
    second = f.allocation(project_id="q", fraction=0.5, start=date(2026, 12, 1))
    [over] = find_over_allocations([first, second])
    assert (over.person, over.day, over.total) == ("ana", date(2026, 12, 1), 1.1)
    assert find_over_allocations([first, replace(second, over_allocation=True)]) == []
    assert (
        find_over_allocations(
            [first, replace(second, start=date(2026, 12, 19), end=date(2027, 1, 8))]
        )
        == []
    )


def test_allocation_fraction_must_be_in_zero_to_one() -> None:
    for fraction in (0, -0.5, 1.01):
        with pytest.raises(InvalidValue, match="fraction must be above 0 and at most 1"):
            f.allocation(fraction=fraction)
    assert f.allocation(fraction=1).fraction == 1


def test_find_cycle_names_the_loop() -> None:
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": ["b"], "b": [], "c": ["a", "b"]}) is None


@given(st.lists(st.lists(st.integers(0, 30), max_size=4), min_size=1, max_size=30))
def test_graphs_whose_edges_point_backwards_have_no_cycle(edges: list[list[int]]) -> None:
    # Every node depends only on nodes with smaller numbers: a DAG by construction.
    graph = {str(n): [str(m) for m in targets if m < n] for n, targets in enumerate(edges)}
    assert find_cycle(graph) is None
    # Adding one edge from the smallest node to the largest reachable chain closes a loop.
    if any(graph[str(n)] for n in range(len(edges))):
        source = next(n for n in range(len(edges)) if graph[str(n)])
        target = min(int(m) for m in graph[str(source)])
        graph[str(target)] = [*graph[str(target)], str(source)]
        cycle = find_cycle(graph)
        assert cycle is not None
        assert cycle[0] == cycle[-1]


def test_valid_portfolio_has_no_problems() -> None:
    assert f.portfolio().problems() == []


def test_portfolio_reports_every_broken_reference_with_its_path() -> None:
    broken = f.portfolio(
        projects=(
            f.project(
                "p",
                client="nobody",
                items=(
                    f.item("a", skill="juggling", depends_on=("ghost",)),
                    f.item("b", phase="nope"),
                ),
            ),
        ),
    )
    problems = {str(p) for p in broken.problems()}
    assert "projects[0].client: unknown client 'nobody'" in problems
    assert "projects[0].items[0].skill: unknown skill 'juggling'" in problems
    assert "projects[0].items[0].depends_on[0]: unknown item 'ghost'" in problems
    assert "projects[0].items[1].phase: unknown phase 'nope'" in problems
    assert "allocations[1].project: unknown project 'q'" in problems
    with pytest.raises(InvalidPortfolio):
        broken.check()


def test_portfolio_reports_dependency_cycles_and_duplicates() -> None:
    looped = f.project("p", items=(f.item("a", depends_on=("b",)), f.item("b", depends_on=("a",))))
    problems = {str(p) for p in f.portfolio(projects=(looped, looped)).problems()}
    assert "projects[0].items[0].depends_on: dependency cycle: a → b → a" in problems
    assert "projects[1].id: duplicate project id 'p'" in problems


def test_reallocation_moves_time_for_its_range_only() -> None:
    portfolio = f.portfolio(allocations=(f.allocation(fraction=1.0),))
    scenario = Scenario(
        "fix",
        "Security fix",
        changes=(
            Reallocation(
                "ana", "p", date(2026, 11, 16), date(2026, 11, 27), to_project="q", fraction=0.75
            ),
        ),
    )
    moved = portfolio.with_scenario(scenario).allocations
    spans = [(a.project, a.fraction, a.start, a.end) for a in moved]
    assert spans == [
        ("p", 1.0, date(2026, 11, 2), date(2026, 11, 15)),
        ("p", 0.25, date(2026, 11, 16), date(2026, 11, 27)),
        ("q", 0.75, date(2026, 11, 16), date(2026, 11, 27)),
        ("p", 1.0, date(2026, 11, 28), date(2026, 12, 18)),
    ]
    assert portfolio.allocations == (f.allocation(fraction=1.0),), (
        "applying in memory changes nothing"
    )
    assert portfolio.with_scenario(scenario).problems() == []


def test_scope_changes_add_and_remove_items() -> None:
    portfolio = f.portfolio()
    scenario = Scenario(
        "scope",
        "More scope",
        changes=(ScopeAddition("p", f.item("c")), ScopeRemoval("p", "b")),
    )
    items = [i.id for i in portfolio.with_scenario(scenario).project("p").items]
    assert items == ["a", "c"]
