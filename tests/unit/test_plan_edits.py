"""Editing the plan one entity at a time: every field at fault named at once, nothing saved
on error, an event per change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TypedDict

import pytest

from keepword.domain.access import Actor
from keepword.domain.commitment import CommitmentState
from keepword.domain.errors import InvalidFields, NotFound
from keepword.domain.people import Allocation
from keepword.domain.project import ItemStatus
from keepword.services import plan
from keepword.services.plan import (
    AllocationInput,
    AllocationKey,
    ClientInput,
    CommitmentInput,
    ItemInput,
    PersonInput,
    PhaseInput,
    ProjectInput,
)
from keepword.services.portfolio import load_portfolio
from tests import factories
from tests.fakes import FakeUnitOfWorkFactory

LOADED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Who(TypedDict):
    actor: Actor
    now: datetime


WHO = Who(actor=factories.staff("beth"), now=NOW)


@pytest.fixture
def uow() -> FakeUnitOfWorkFactory:
    uow = FakeUnitOfWorkFactory()
    load_portfolio(uow, factories.portfolio(), actor=factories.staff("load"), now=LOADED)
    return uow


def refused(error: pytest.ExceptionInfo[InvalidFields]) -> dict[str, str]:
    return error.value.errors


def new_events(uow: FakeUnitOfWorkFactory, since: int) -> list[tuple[str, str, str]]:
    return [(e.action, e.entity, e.entity_id) for e in uow.store.events[since:]]


def test_a_client_is_created_then_edited_each_an_event(uow: FakeUnitOfWorkFactory) -> None:
    seen = len(uow.store.events)
    saved = plan.save_client(
        uow, ClientInput("globex", " Globex ", "Hank <hank@globex.example>"), create=True, **WHO
    )
    assert saved.value.name == "Globex"
    assert uow.store.portfolio.client("globex").contact == "Hank <hank@globex.example>"
    plan.save_client(uow, ClientInput("globex", "Globex Corp", None), create=False, **WHO)
    assert uow.store.portfolio.client("globex").contact is None
    assert new_events(uow, seen) == [
        ("created", "client", "globex"),
        ("changed", "client", "globex"),
    ]
    assert {e.actor for e in uow.store.events[seen:]} == {"beth"}


def test_create_refuses_an_id_in_use_or_not_an_id_and_edit_an_unknown_one(
    uow: FakeUnitOfWorkFactory,
) -> None:
    commits = uow.store.commits
    with pytest.raises(InvalidFields) as duplicate:
        plan.save_client(uow, ClientInput("acme", "Acme again"), create=True, **WHO)
    assert "already a client" in refused(duplicate)["id"]
    with pytest.raises(InvalidFields) as bad_id:
        plan.save_client(uow, ClientInput("-no spaces", ""), create=True, **WHO)
    assert set(refused(bad_id)) == {"id", "name"}
    with pytest.raises(NotFound, match="no client with id 'nope'"):
        plan.save_client(uow, ClientInput("nope", "Nope"), create=False, **WHO)
    assert uow.store.commits == commits


def test_a_project_is_created_and_its_edit_keeps_its_scope(uow: FakeUnitOfWorkFactory) -> None:
    plan.save_project(
        uow, ProjectInput("r", "acme", "Project R", date(2026, 12, 1), lead="ana"), create=True,
        **WHO,
    )  # fmt: skip
    assert uow.store.portfolio.project("r").items == ()
    edit = ProjectInput("p", "acme", "Renamed", date(2026, 11, 2), disclosure_target=2)
    plan.save_project(uow, edit, create=False, **WHO)
    project = uow.store.portfolio.project("p")
    assert (project.name, project.disclosure_target, len(project.items)) == ("Renamed", 2, 2)


def test_a_project_names_every_field_at_fault(uow: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidFields) as error:
        plan.save_project(
            uow, ProjectInput("r", "globex", " ", None, lead="zed", disclosure_target=0),
            create=True, **WHO,
        )  # fmt: skip
    assert set(refused(error)) == {"client", "name", "start", "lead", "disclosure_target"}
    assert refused(error)["client"] == "unknown client 'globex'"


def test_a_year_typed_wrong_or_a_huge_target_is_refused_and_nothing_written(
    uow: FakeUnitOfWorkFactory,
) -> None:
    seen = len(uow.store.events)
    far = ProjectInput("r", "acme", "R", date(9999, 12, 31), disclosure_target=10**20)
    with pytest.raises(InvalidFields) as error:
        plan.save_project(uow, far, create=True, **WHO)
    assert refused(error) == {
        "start": "a date from 2000-01-01 to 2099-12-31",
        "disclosure_target": "from 1 to 250 working days",
    }
    assert len(uow.store.events) == seen


def test_a_phase_and_an_item_join_a_project_and_the_item_is_dated_today(
    uow: FakeUnitOfWorkFactory,
) -> None:
    seen = len(uow.store.events)
    plan.save_phase(uow, PhaseInput("p", "polish", "Polish"), create=True, **WHO)
    item = ItemInput(
        "p", "c", "Item c", phase="polish", skill="backend", optimistic=1, likely=2,
        pessimistic=5, depends_on=("a",),
    )  # fmt: skip
    plan.save_item(uow, item, create=True, **WHO)
    saved = uow.store.portfolio.project("p").item("c")
    assert (saved.added, saved.depends_on, saved.estimate is not None) == (NOW.date(), ("a",), True)
    plan.save_item(
        uow, replace(item, status="in_progress", started=NOW.date()), create=False, **WHO
    )
    assert uow.store.portfolio.project("p").item("c").status is ItemStatus.IN_PROGRESS
    assert uow.store.portfolio.project("p").item("c").added == NOW.date()
    actions = new_events(uow, seen)
    assert ("changed", "project", "p") in actions
    assert ("created", "item", "p/c") in actions
    assert ("changed", "item", "p/c") in actions


def test_an_item_names_every_field_at_fault_and_nothing_is_saved(
    uow: FakeUnitOfWorkFactory,
) -> None:
    before, commits = uow.store.portfolio, uow.store.commits
    bad = ItemInput(
        "p", "c", "", phase="nope", skill="cooking", optimistic=3, likely=4, pessimistic=2,
        depends_on=("a", "ghost"), status="done",
    )  # fmt: skip
    with pytest.raises(InvalidFields) as error:
        plan.save_item(uow, bad, create=True, **WHO)
    errors = refused(error)
    assert set(errors) == {"title", "phase", "skill", "pessimistic", "depends_on", "done"}
    assert errors["pessimistic"] == "pessimistic (2) is below likely (4)"
    assert "'ghost'" in errors["depends_on"]
    assert uow.store.portfolio is before
    assert uow.store.commits == commits


def test_an_estimate_is_three_points_in_order_or_none(uow: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(InvalidFields) as partial:
        plan.save_item(uow, ItemInput("p", "c", "C", optimistic=2), create=True, **WHO)
    assert set(refused(partial)) == {"likely", "pessimistic"}
    item = ItemInput("p", "c", "C", optimistic=3, likely=2, pessimistic=2.5)
    with pytest.raises(InvalidFields) as order:
        plan.save_item(uow, item, create=True, **WHO)
    assert set(refused(order)) == {"likely", "pessimistic"}
    item = ItemInput("p", "c", "C", optimistic=0, likely=1, pessimistic=1)
    with pytest.raises(InvalidFields) as zero:
        plan.save_item(uow, item, create=True, **WHO)
    assert set(refused(zero)) == {"optimistic"}


def test_a_dependency_cycle_is_reported_beside_depends_on(uow: FakeUnitOfWorkFactory) -> None:
    # b depends on a; making a depend on b closes a loop only the whole portfolio can see.
    with pytest.raises(InvalidFields) as error:
        plan.save_item(uow, ItemInput("p", "a", "Item a", depends_on=("b",)), create=False, **WHO)
    assert refused(error)["depends_on"].startswith("dependency cycle")


def test_edits_inside_an_unknown_project_are_not_found(uow: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(NotFound, match="no project with id 'zzz'"):
        plan.save_phase(uow, PhaseInput("zzz", "x", "X"), create=True, **WHO)
    with pytest.raises(NotFound, match="no item of project 'p' with id 'zzz'"):
        plan.save_item(uow, ItemInput("p", "zzz", "X"), create=False, **WHO)


def test_a_person_is_created_and_an_edit_keeps_their_time_off(uow: FakeUnitOfWorkFactory) -> None:
    person = PersonInput(
        "cy", "Cy Park", "cy@example.com", ("design",), "gb", "ENG", ("mon", "tue", "wed")
    )
    plan.save_person(uow, person, create=True, **WHO)
    saved = uow.store.portfolio.person("cy")
    assert (saved.calendar.weekdays, saved.calendar.country) == ((0, 1, 2), "GB")
    plan.add_time_off(
        uow,
        "cy",
        date(2026, 12, 1),
        date(2026, 12, 2),
        reason="",
        actor=factories.staff("a"),
        now=NOW,
    )
    plan.save_person(uow, replace(person, name="Cy Park-Lee"), create=False, **WHO)
    saved = uow.store.portfolio.person("cy")
    assert saved.name == "Cy Park-Lee"
    assert len(saved.calendar.time_off) == 1


def test_a_person_names_every_field_at_fault(uow: FakeUnitOfWorkFactory) -> None:
    bad = PersonInput("cy", "", "not-an-email", ("juggling",), None, "ENG", ("funday",))
    with pytest.raises(InvalidFields) as error:
        plan.save_person(uow, bad, create=True, **WHO)
    assert set(refused(error)) == {"name", "email", "skills", "subdivision", "working_days"}
    with pytest.raises(InvalidFields) as country:
        plan.save_person(uow, PersonInput("cy", "Cy", country="XX"), create=True, **WHO)
    assert set(refused(country)) == {"country"}


def test_an_allocation_is_created_and_edited_by_person_project_and_start(
    uow: FakeUnitOfWorkFactory,
) -> None:
    seen = len(uow.store.events)
    new = AllocationInput("bo", "p", 0.5, date(2026, 11, 23), date(2026, 12, 18))
    plan.save_allocation(uow, new, create=True, **WHO)
    key = AllocationKey("bo", "p", date(2026, 11, 23))
    moved = replace(new, fraction=0.25, start=date(2026, 11, 30))
    plan.save_allocation(uow, moved, key=key, create=False, **WHO)
    mine = [a for a in uow.store.portfolio.allocations if a.person == "bo"]
    assert [(a.fraction, a.start) for a in mine] == [(0.25, date(2026, 11, 30))]
    # A new start is a new key: the event history reads it as one removed, one created.
    assert new_events(uow, seen)[:1] == [("created", "allocation", "bo@p/2026-11-23")]
    with pytest.raises(NotFound, match="no allocation bo@p/2026-11-23"):
        plan.save_allocation(uow, moved, key=key, create=False, **WHO)


def test_an_allocation_names_every_field_at_fault(uow: FakeUnitOfWorkFactory) -> None:
    commits = uow.store.commits
    bad = AllocationInput("zed", "nope", 1.5, date(2026, 12, 18), date(2026, 12, 1))
    with pytest.raises(InvalidFields) as error:
        plan.save_allocation(uow, bad, create=True, **WHO)
    assert set(refused(error)) == {"person", "project", "fraction", "end"}
    again = AllocationInput("ana", "p", 0.1, date(2026, 11, 2), date(2026, 11, 30))
    with pytest.raises(InvalidFields) as clash:
        plan.save_allocation(uow, again, create=True, **WHO)
    assert "edit that one" in refused(clash)["start"]
    # Ana is at 0.5 on p and 0.5 on q: a third half is more than a whole person.
    over = AllocationInput("ana", "p", 0.5, date(2026, 11, 9), date(2026, 11, 30))
    with pytest.raises(InvalidFields) as booked:
        plan.save_allocation(uow, over, create=True, **WHO)
    assert "would be allocated 1.5" in refused(booked)["fraction"]
    plan.save_allocation(uow, replace(over, over_allocation=True), create=True, **WHO)
    assert uow.store.commits == commits + 1


def test_a_commitment_is_proposed_forecast_and_editable_while_proposed(
    uow: FakeUnitOfWorkFactory,
) -> None:
    proposal = CommitmentInput("d", "q", "Q done", date(2027, 1, 29), ("build",), 0.8, "beth")
    saved = plan.save_commitment(uow, proposal, create=True, **WHO)
    assert saved.value.state is CommitmentState.PROPOSED
    assert uow.store.forecasts["d"].computed_at == NOW
    plan.save_commitment(uow, replace(proposal, due=date(2027, 2, 5)), create=False, **WHO)
    assert uow.store.portfolio.commitment("d").due == date(2027, 2, 5)


def test_a_commitment_names_every_field_at_fault(uow: FakeUnitOfWorkFactory) -> None:
    bad = CommitmentInput("d", "p", "", date(2026, 11, 1), ("ship",), 1.0, made_on=NOW.date())
    with pytest.raises(InvalidFields) as error:
        plan.save_commitment(uow, bad, create=True, **WHO)
    assert set(refused(error)) == {"title", "due", "phases", "confidence"}
    with pytest.raises(InvalidFields) as project:
        plan.save_commitment(uow, replace(bad, project="zzz"), create=True, **WHO)
    assert refused(project)["project"] == "unknown project 'zzz'"


def test_a_promise_made_changes_only_by_renegotiation(uow: FakeUnitOfWorkFactory) -> None:
    stored = uow.store.portfolio
    committed = stored.with_commitment(
        replace(stored.commitment("c"), state=CommitmentState.COMMITTED)
    )
    uow.store.portfolio = committed
    terms = CommitmentInput("c", "p", "Launch", date(2027, 1, 8), ("build",))
    with pytest.raises(InvalidFields) as error:
        plan.save_commitment(uow, terms, create=False, **WHO)
    assert set(refused(error)) == {"due"}
    assert "close c renegotiated" in refused(error)["due"]
    with pytest.raises(InvalidFields) as scope:
        plan.save_commitment(
            uow, replace(terms, due=date(2026, 12, 18), phases=()), create=False, **WHO
        )
    assert set(refused(scope)) == {"phases"}
    # Its wording can still be put right.
    retitled = replace(terms, due=date(2026, 12, 18), title="Launch day")
    plan.save_commitment(uow, retitled, create=False, **WHO)
    assert uow.store.portfolio.commitment("c").title == "Launch day"
    closed = uow.store.portfolio.commitment("c").moved_to(CommitmentState.MET)
    uow.store.portfolio = uow.store.portfolio.with_commitment(closed)
    with pytest.raises(InvalidFields) as history:
        plan.save_commitment(uow, retitled, create=False, **WHO)
    assert "history" in refused(history)["__all__"]


def test_fields_the_caller_could_not_read_are_reported_with_the_rest(
    uow: FakeUnitOfWorkFactory,
) -> None:
    commits = uow.store.commits
    with pytest.raises(InvalidFields) as error:
        plan.save_client(
            uow, ClientInput("globex", ""), create=True, input_errors={"contact": "unreadable"},
            **WHO,
        )  # fmt: skip
    assert refused(error) == {"contact": "unreadable", "name": "required"}
    # Even when the rest is fine, nothing is saved.
    with pytest.raises(InvalidFields):
        plan.save_client(
            uow, ClientInput("globex", "Globex"), create=True, input_errors={"contact": "x"},
            **WHO,
        )  # fmt: skip
    assert uow.store.commits == commits


def test_an_edit_that_changes_nothing_records_nothing(uow: FakeUnitOfWorkFactory) -> None:
    seen = len(uow.store.events)
    saved = plan.save_client(uow, ClientInput("acme", "Acme Ltd"), create=False, **WHO)
    assert saved.events == []
    assert len(uow.store.events) == seen


# --- reads ---------------------------------------------------------------------------------


def test_allocations_are_read_by_person_by_project_or_both(uow: FakeUnitOfWorkFactory) -> None:
    def named(allocations: list[Allocation]) -> list[tuple[str, str]]:
        return [(a.person, a.project) for a in allocations]

    assert named(plan.allocations(uow)) == [("ana", "p"), ("ana", "q")]
    assert named(plan.allocations(uow, project="q")) == [("ana", "q")]
    assert named(plan.allocations(uow, person="ana", project="p")) == [("ana", "p")]
    assert plan.allocations(uow, person="bo") == []


def test_a_project_plan_shows_its_client_and_only_its_own_allocations_and_commitments(
    uow: FakeUnitOfWorkFactory,
) -> None:
    shown = plan.project_plan(uow, "q")
    assert (shown.project.id, shown.client.name) == ("q", "Acme Ltd")
    assert [(a.person, a.project) for a in shown.allocations] == [("ana", "q")]
    assert shown.commitments == ()
    assert {p.id for p in shown.people} == {"ana", "bo"}
    assert [c.id for c in plan.project_plan(uow, "p").commitments] == ["c"]
    with pytest.raises(NotFound, match="no project with id 'nope'"):
        plan.project_plan(uow, "nope")
