"""Merging a plan file, whole or in part, into the stored portfolio: nothing it does not
name is removed, and problems are located in the file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from keepword.domain.calendar import TimeOff, WorkingCalendar
from keepword.domain.errors import InvalidPortfolio
from keepword.domain.merge import merge
from keepword.domain.people import Person
from keepword.domain.portfolio import Portfolio
from keepword.domain.project import Client
from keepword.services import portfolio as service
from tests import factories as f
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_file_of_one_new_project_adds_it_and_keeps_everything_else() -> None:
    stored = f.portfolio()
    prospect = Portfolio(
        clients=(Client("globex", "Globex"),),
        projects=(f.project("new", client="globex"),),
    )
    merged = merge(stored, prospect)
    assert [p.id for p in merged.portfolio.projects] == ["p", "q", "new"]
    assert merged.portfolio.clients == (*stored.clients, Client("globex", "Globex"))
    assert merged.portfolio.allocations == stored.allocations
    assert merged.portfolio.commitments == stored.commitments
    assert merged.portfolio.problems() == []
    assert merged.kept == 2 + 1 + 2 + 2 + 2 + 1  # skills, client, people, projects, ...


def test_a_project_named_again_keeps_the_items_the_file_does_not_list() -> None:
    stored = f.portfolio()
    renamed = f.item("a", title="Sign-in, renamed")
    partial = Portfolio(projects=(f.project("p", name="P again", items=(renamed, f.item("c"))),))
    project = merge(stored, partial).portfolio.project("p")
    assert project.name == "P again"
    assert [(i.id, i.title) for i in project.items] == [
        ("a", "Sign-in, renamed"),
        ("b", "Item b"),
        ("c", "Item c"),
    ]


def test_time_off_is_added_to_what_is_stored_and_allocations_replace_their_pair() -> None:
    christmas = TimeOff(date(2026, 12, 21), date(2027, 1, 1), "Christmas")
    easter = TimeOff(date(2027, 3, 29), date(2027, 4, 2), "Easter")
    stored = f.portfolio(
        people=(Person("ana", "Ana Reyes", ("backend",), WorkingCalendar(time_off=(christmas,))),)
    )
    ana = Person("ana", "Ana Reyes", ("backend",), WorkingCalendar(time_off=(easter, christmas)))
    more_of_ana = f.allocation("ana", "p", fraction=0.8)
    merged = merge(stored, Portfolio(people=(ana,), allocations=(more_of_ana,))).portfolio
    assert merged.person("ana").calendar.time_off == (christmas, easter)
    assert merged.allocations == (f.allocation("ana", "q"), more_of_ana)


def test_problems_of_a_partial_file_are_located_in_the_file() -> None:
    stored = f.portfolio()
    partial = Portfolio(
        projects=(
            f.project("q", items=(f.item("z", depends_on=("nowhere",)),)),
            f.project("new", client="nobody"),
        ),
    )
    merged = merge(stored, partial)
    located = {str(merged.in_file(p)) for p in merged.portfolio.problems()}
    assert located == {
        "projects[0].items[0].depends_on[0]: unknown item 'nowhere'",
        "projects[1].client: unknown client 'nobody'",
    }


def test_a_file_naming_an_id_twice_is_refused_at_the_second() -> None:
    stored = f.portfolio()
    twice = Portfolio(projects=(f.project("p"), f.project("p", name="Again")))
    merged = merge(stored, twice)
    [problem] = [merged.in_file(p) for p in merged.portfolio.problems()]
    assert str(problem) == "projects[1].id: duplicate project id 'p'"


def test_loading_part_of_a_portfolio_removes_nothing() -> None:
    uow = FakeUnitOfWorkFactory()
    service.load_portfolio(uow, f.portfolio(), actor=f.staff(), now=NOW)
    prospect = Portfolio(projects=(f.project("new"),))
    result = service.load_portfolio(uow, prospect, actor=f.staff(), now=NOW)
    assert (result.created, result.changed, result.removed) == (3, 0, 0)  # project, 2 items
    assert [p.id for p in uow.store.portfolio.projects] == ["p", "q", "new"]
    assert uow.store.portfolio.commitments == f.portfolio().commitments


def test_a_dry_run_tells_what_would_go_and_writes_nothing() -> None:
    uow = FakeUnitOfWorkFactory()
    service.load_portfolio(uow, f.portfolio(), actor=f.staff(), now=NOW)
    commits, events = uow.store.commits, list(uow.store.events)
    only_p = f.portfolio(projects=(f.project("p"),), allocations=(f.allocation("ana", "p"),))
    result = service.load_portfolio(
        uow, only_p, actor=f.staff(), now=NOW, replace_all=True, dry_run=True
    )
    assert result.dry_run
    assert result.removed == 4
    assert set(result.removals) == {
        ("project", "q"),
        ("item", "q/a"),
        ("item", "q/b"),
        ("allocation", "ana@q/2026-11-02"),
    }
    assert (uow.store.commits, uow.store.events) == (commits, events)
    assert uow.store.portfolio == f.portfolio()


def test_a_merge_that_breaks_a_rule_writes_nothing() -> None:
    uow = FakeUnitOfWorkFactory()
    service.load_portfolio(uow, f.portfolio(), actor=f.staff(), now=NOW)
    commits = uow.store.commits
    closed = replace(f.portfolio().commitments[0], phases=("build", "build"))
    with pytest.raises(InvalidPortfolio) as refused:
        service.load_portfolio(uow, Portfolio(commitments=(closed,)), actor=f.staff(), now=NOW)
    assert [str(p) for p in refused.value.problems] == [
        "commitments[0].phases[1]: phase 'build' is listed twice"
    ]
    assert uow.store.commits == commits
