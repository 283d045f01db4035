"""Loading and listing the portfolio, with the storage faked in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from keepword.domain.errors import InvalidPortfolio
from keepword.services import portfolio as service
from tests import factories as f
from tests.fakes import FakeUnitOfWorkFactory

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_first_load_records_one_created_event_per_entity() -> None:
    uow = FakeUnitOfWorkFactory()
    result = service.load_portfolio(uow, f.portfolio(), actor=f.staff("dana"), now=NOW)
    assert (result.created, result.changed, result.removed) == (
        14,
        0,
        0,
    )  # 2 skills, 1 client, 2 people, 2 projects, 4 items, 2 allocations, 1 commitment
    assert uow.store.portfolio == f.portfolio()
    assert {e.actor for e in uow.store.events} == {"dana"}
    assert {(e.entity, e.entity_id) for e in uow.store.events} >= {
        ("project", "p"),
        ("item", "p/a"),
        ("commitment", "c"),
        ("allocation", "ana@p/2026-11-02"),
    }


def test_loading_the_same_portfolio_again_changes_nothing() -> None:
    uow = FakeUnitOfWorkFactory()
    service.load_portfolio(uow, f.portfolio(), actor=f.staff("dana"), now=NOW)
    result = service.load_portfolio(uow, f.portfolio(), actor=f.staff("dana"), now=NOW)
    assert result.unchanged
    assert uow.store.commits == 1


def test_reload_records_before_and_after_of_what_changed() -> None:
    uow = FakeUnitOfWorkFactory()
    service.load_portfolio(uow, f.portfolio(), actor=f.staff("dana"), now=NOW)
    moved = f.portfolio(
        commitments=(replace(f.portfolio().commitments[0], due=date(2027, 1, 15)),),
        projects=(f.project("p"),),
        allocations=(f.allocation("ana", "p"),),
    )
    result = service.load_portfolio(uow, moved, actor=f.staff("sam"), now=NOW, replace_all=True)
    assert (result.created, result.changed, result.removed) == (0, 1, 4)
    [change] = [e for e in uow.store.events if e.action == "changed"]
    assert (change.entity, change.before["due"], change.after["due"]) == (
        "commitment",
        "2026-12-18",
        "2027-01-15",
    )
    removed = {(e.entity, e.entity_id) for e in uow.store.events if e.action == "removed"}
    assert removed == {
        ("project", "q"),
        ("item", "q/a"),
        ("item", "q/b"),
        ("allocation", "ana@q/2026-11-02"),
    }


def test_invalid_portfolio_is_refused_before_anything_is_written() -> None:
    uow = FakeUnitOfWorkFactory()
    with pytest.raises(InvalidPortfolio, match="unknown client"):
        service.load_portfolio(
            uow,
            f.portfolio(projects=(f.project("p", client="nobody"),)),
            actor=f.staff("dana"),
            now=NOW,
        )
    assert uow.store.commits == 0
    assert uow.store.events == []


def test_commitment_rows_name_client_project_and_scope_by_due_date() -> None:
    portfolio = f.portfolio()
    later = replace(portfolio.commitments[0], id="d", due=date(2027, 2, 1), phases=())
    rows = service.commitment_rows(replace(portfolio, commitments=(later, *portfolio.commitments)))
    assert [(r.commitment_id, r.client, r.project, r.scope) for r in rows] == [
        ("c", "Acme Ltd", "Project p", "Build"),
        ("d", "Acme Ltd", "Project p", "whole project"),
    ]


def test_a_promise_still_open_after_its_date_is_off_track_and_listed_first() -> None:
    from keepword.domain.commitment import Commitment, CommitmentState, Health

    launch = Commitment("late", "p", "Launch", date(2026, 12, 18), state=CommitmentState.COMMITTED)
    later = Commitment("soon", "q", "Next", date(2027, 1, 8), state=CommitmentState.COMMITTED)
    proposal = Commitment("idea", "q", "Maybe", date(2026, 12, 1))  # past, but never promised
    portfolio = f.portfolio(commitments=(later, launch, proposal))
    after_the_date = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    view = service.dashboard_of(portfolio, {}, [], service.Filters(), now=after_the_date)
    assert [(r.commitment_id, r.past_due, r.health) for r in view.rows] == [
        ("late", True, Health.OFF_TRACK),
        ("idea", False, None),
        ("soon", False, None),
    ]
