"""Entering a prospect's scope as a list: one item a line, all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from keepword.adapters.item_list import ItemLine, read_item_lines
from keepword.domain.errors import InvalidLines
from keepword.services import plan
from tests import factories as f
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_each_line_is_a_title_with_an_optional_estimate_skill_and_phase() -> None:
    text = "# scope\n\nLogin page | 1/2/4 | backend | build\nStyle guide\nHelp | | design\n"
    assert read_item_lines(text) == [
        ItemLine(3, "Login page", (1.0, 2.0, 4.0), "backend", "build"),
        ItemLine(4, "Style guide"),
        ItemLine(5, "Help", None, "design"),
    ]


def test_every_unreadable_line_is_named_and_nothing_is_read() -> None:
    with pytest.raises(InvalidLines) as refused:
        read_item_lines("Good\n | 1/2/3\nBad | two/3/4\nA | 1/2/3 | b | c | d\n", "scope.txt")
    assert [line for line, _ in refused.value.faults] == [2, 3, 4]
    assert str(refused.value).splitlines()[-1] == (
        "scope.txt: 3 rows cannot be added; nothing was added"
    )


def _uow() -> FakeUnitOfWorkFactory:
    uow = FakeUnitOfWorkFactory()
    uow.store.portfolio = f.portfolio()
    return uow


def test_items_are_added_at_once_with_ids_from_their_titles() -> None:
    uow = _uow()
    lines = read_item_lines("A\nReview\nReview\nNew login | 1/2/3 | backend | build\n")
    added = plan.add_items(uow, "p", lines, source="paste", actor=f.staff(), now=NOW)
    # 'a' is the id of an item already there; a title given twice gets a second id.
    assert [i.id for i in added] == ["a-2", "review", "review-2", "new-login"]
    project = uow.store.portfolio.project("p")
    assert [i.id for i in project.items] == ["a", "b", "a-2", "review", "review-2", "new-login"]
    assert {i.added for i in added} == {date(2026, 11, 23)}  # the scope grew today
    assert uow.store.commits == 1


def test_a_list_naming_an_unknown_skill_or_phase_adds_nothing() -> None:
    uow = _uow()
    lines = read_item_lines("Fine\nA | 1/2/3 | juggling\nB | | | nowhere\nC | 5/3/1\n")
    with pytest.raises(InvalidLines) as refused:
        plan.add_items(uow, "p", lines, source="paste", actor=f.staff(), now=NOW)
    assert [line for line, _ in refused.value.faults] == [2, 3, 4]
    assert "unknown skill 'juggling'" in str(refused.value)
    assert uow.store.commits == 0
    assert uow.store.portfolio == f.portfolio()
