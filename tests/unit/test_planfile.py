"""The plan file reads what it writes, whatever the names and numbers in it."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from keepword.adapters.planfile import read_plan_text, write_plan
from keepword.domain.calendar import TimeOff, WorkingCalendar
from keepword.domain.commitment import Commitment, CommitmentState
from keepword.domain.people import Allocation, Person, Skill
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import (
    Client,
    CompletedItem,
    Estimate,
    ItemStatus,
    Phase,
    Project,
    WorkItem,
)
from keepword.domain.scenario import Reallocation, Scenario, ScopeAddition, ScopeRemoval

# Ids that YAML would read as something else if written carelessly.
TRICKY_IDS = [
    "no",
    "on",
    "null",
    "true",
    "1e3",
    "0123",
    "1.10",
    "2026-11-23",
    "0x1F",
    "5e-3",
    "1_000",
]
ids = st.one_of(
    st.sampled_from(TRICKY_IDS),
    st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,12}", fullmatch=True),
)
texts = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
days = st.dates(date(2020, 1, 1), date(2030, 12, 31))
positive = st.floats(0.05, 400, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def estimates(draw: st.DrawFn) -> Estimate:
    points = sorted(draw(st.lists(positive, min_size=3, max_size=3)))
    return Estimate(*points)


@st.composite
def portfolios(draw: st.DrawFn) -> Portfolio:
    skill_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    person_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    project_ids = draw(st.lists(ids, min_size=1, max_size=3, unique=True))
    people = tuple(
        Person(
            pid,
            draw(texts),
            tuple(draw(st.lists(st.sampled_from(skill_ids), unique=True))),
            WorkingCalendar(
                weekdays=tuple(sorted(draw(st.sets(st.integers(0, 6), min_size=1)))),
                country=draw(st.sampled_from([None, "GB", "DE", "NO"])),
                time_off=tuple(
                    TimeOff(
                        d,
                        d + timedelta(draw(st.integers(0, 9))),
                        draw(st.sampled_from(["", "leave"])),
                    )
                    for d in draw(st.lists(days, max_size=2))
                ),
            ),
            draw(st.none() | texts),
        )
        for pid in person_ids
    )
    projects = []
    for pid in project_ids:
        phase_ids = draw(st.lists(ids, max_size=3, unique=True))
        item_ids = draw(st.lists(ids, max_size=5, unique=True))
        items = []
        for n, iid in enumerate(item_ids):
            status = draw(st.sampled_from(list(ItemStatus)))
            started = draw(days) if status is not ItemStatus.TODO else None
            items.append(
                WorkItem(
                    iid,
                    draw(texts),
                    draw(st.none() | st.sampled_from(phase_ids)) if phase_ids else None,
                    draw(st.none() | st.sampled_from(skill_ids)),
                    draw(st.none() | estimates()),
                    tuple(draw(st.lists(st.sampled_from(item_ids[:n]), unique=True))) if n else (),
                    status,
                    started,
                    started + timedelta(draw(st.integers(0, 30)))
                    if status is ItemStatus.DONE and started
                    else None,
                )
            )
        history = tuple(
            CompletedItem(
                hid, draw(days), None, draw(st.none() | texts), draw(st.none() | positive), None
            )
            for hid in draw(st.lists(ids, max_size=4, unique=True))
        )
        projects.append(
            Project(
                pid,
                "client",
                draw(texts),
                draw(days),
                draw(st.none() | st.sampled_from(person_ids)),
                tuple(Phase(ph, draw(texts)) for ph in phase_ids),
                tuple(items),
                history,
            )
        )
    start = draw(days)
    allocations = tuple(
        Allocation(person, project, 1.0, start, start + timedelta(30), over_allocation=True)
        for person in person_ids
        for project in project_ids
    )
    commitments = tuple(
        Commitment(
            f"c-{n}",
            project.id,
            draw(texts),
            draw(days),
            tuple(ph.id for ph in project.phases[:1]),
            draw(st.sampled_from([0.5, 0.85, 0.95])),
            draw(st.sampled_from(list(CommitmentState))),
            draw(st.none() | texts),
        )
        for n, project in enumerate(projects)
    )
    first = projects[0]
    changes: list[Reallocation | ScopeAddition | ScopeRemoval] = [
        Reallocation(
            person_ids[0],
            first.id,
            start,
            start + timedelta(27),
            fraction=draw(st.none() | st.just(0.5)),
        )
    ]
    if first.items:
        changes.append(ScopeRemoval(first.id, first.items[-1].id))
    changes.append(
        ScopeAddition(first.id, WorkItem("added-item-x", draw(texts), estimate=draw(estimates())))
    )
    return Portfolio(
        skills=tuple(Skill(k, draw(texts)) for k in skill_ids),
        clients=(Client("client", draw(texts), draw(st.none() | texts)),),
        people=people,
        projects=tuple(projects),
        allocations=allocations,
        commitments=commitments,
        scenarios=(
            Scenario("s", draw(texts), draw(st.sampled_from(["", "four weeks"])), tuple(changes)),
        ),
    )


@settings(max_examples=80, deadline=None)
@given(portfolios())
def test_written_plan_reads_back_to_the_same_portfolio(portfolio: Portfolio) -> None:
    assert portfolio.problems() == []
    text = write_plan(portfolio)
    assert read_plan_text(text, "generated.yaml") == portfolio
    assert write_plan(read_plan_text(text)) == text
