"""Incidents (W3): a first contact the next morning on the client's clock, recovery steps
with a clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from keepword.domain.communications import Incident, StepStatus
from keepword.domain.errors import InvalidFields, InvalidTransition, InvalidValue, NotFound
from keepword.domain.project import Client
from keepword.services import incidents
from tests import factories
from tests.fakes import FakeUnitOfWorkFactory

FRIDAY_EVENING = datetime(2026, 11, 27, 18, 30, tzinfo=UTC)  # the demo failed on stage
SATURDAY = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
REBUILD = ("Rebuild the demo to survive platform failures", datetime(2026, 12, 18, tzinfo=UTC))


@pytest.fixture
def uow() -> FakeUnitOfWorkFactory:
    factory = FakeUnitOfWorkFactory()
    portfolio = factories.portfolio()
    factory.store.portfolio = portfolio.with_project(replace(portfolio.project("p"), lead="ana"))
    return factory


def _record(uow: FakeUnitOfWorkFactory, *steps: tuple[str, datetime], **kwargs: object) -> Incident:
    values: dict[str, object] = {
        "project": "p",
        "title": "Keynote demo failed on stage",
        "impact": "800 people saw the demo stop; the client's launch story lost its centrepiece.",
        "own_factors": ["We added features to the demo up to the last week."],
        "steps": list(steps),
        "occurred_at": FRIDAY_EVENING,
        "actor": factories.staff("james"),
        "now": SATURDAY,
    }
    values.update(kwargs)
    return incidents.record_incident(uow, **values).incident  # type: ignore[arg-type]


def test_a_first_contact_is_added_for_first_thing_the_next_morning(
    uow: FakeUnitOfWorkFactory,
) -> None:
    incident = _record(uow, REBUILD)
    first, rebuild = incident.steps
    assert first.action == incidents.FIRST_CONTACT
    # Friday evening: Saturday 09:00 on the client's clock, weekend or not.
    assert first.due == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    assert rebuild.action == REBUILD[0]
    assert uow.store.incidents["I-1"] == incident
    [event] = uow.store.events
    assert (event.action, event.entity, event.entity_id) == ("created", "incident", "I-1")
    assert event.after["steps"][0]["action"] == incidents.FIRST_CONTACT


def test_a_call_the_team_planned_in_time_is_the_first_contact(
    uow: FakeUnitOfWorkFactory,
) -> None:
    call = ("Call Ingrid to apologise", datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    incident = _record(uow, REBUILD, call)
    assert [s.action for s in incident.steps] == [call[0], REBUILD[0]]


def test_a_call_planned_too_late_does_not_count(uow: FakeUnitOfWorkFactory) -> None:
    late_call = ("Call Ingrid", datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    incident = _record(uow, late_call)
    assert incident.steps[0].action == incidents.FIRST_CONTACT


def test_call_flows_are_not_a_call(uow: FakeUnitOfWorkFactory) -> None:
    flows = ("Rebuild the call flows", datetime(2026, 11, 28, 9, 0, tzinfo=UTC))
    incident = _record(uow, flows)
    assert [s.action for s in incident.steps] == [incidents.FIRST_CONTACT, flows[0]]


def test_a_step_is_done_once_with_its_event(uow: FakeUnitOfWorkFactory) -> None:
    _record(uow, REBUILD)
    done_at = datetime(2026, 11, 28, 9, 15, tzinfo=UTC)
    after = incidents.step_done(uow, "I-1", 1, actor=factories.staff("james"), now=done_at).incident
    assert (after.steps[0].status, after.steps[0].done_at) == (StepStatus.DONE, done_at)
    assert after.steps[1].status is StepStatus.TODO
    event = uow.store.events[-1]
    assert (
        event.action,
        event.before["steps"][0]["status"],
        event.after["steps"][0]["status"],
    ) == (
        "step_done",
        "todo",
        "done",
    )
    with pytest.raises(InvalidTransition, match="already done"):
        incidents.step_done(uow, "I-1", 1, actor=factories.staff("james"), now=done_at)
    with pytest.raises(InvalidValue, match="no step 3"):
        incidents.step_done(uow, "I-1", 3, actor=factories.staff("james"), now=done_at)
    with pytest.raises(NotFound, match="I-9"):
        incidents.step_done(uow, "I-9", 1, actor=factories.staff("james"), now=done_at)


def test_a_bad_incident_stores_nothing(uow: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(NotFound, match="no commitment 'nope'"):
        _record(uow, commitment="nope")
    with pytest.raises(InvalidValue, match="impact"):
        _record(uow, impact="  ")
    with pytest.raises(InvalidValue, match="future"):
        _record(uow, occurred_at=datetime(2027, 1, 1, tzinfo=UTC))
    with pytest.raises(NotFound, match="project"):
        _record(uow, project="nowhere")
    assert uow.store.incidents == {}
    assert uow.store.events == []


def test_incidents_are_listed_newest_first_and_by_project(uow: FakeUnitOfWorkFactory) -> None:
    _record(uow, occurred_at=datetime(2026, 11, 20, tzinfo=UTC))
    _record(uow, title="Second", occurred_at=FRIDAY_EVENING)
    _record(uow, project="q", title="Elsewhere")
    assert [i.title for i in incidents.list_incidents(uow, "p")] == [
        "Second",
        "Keynote demo failed on stage",
    ]
    assert len(incidents.list_incidents(uow)) == 3
    with pytest.raises(NotFound, match="no project with id 'nope'"):
        incidents.list_incidents(uow, "nope")


def test_a_step_due_before_the_incident_is_refused_and_nothing_is_stored(
    uow: FakeUnitOfWorkFactory,
) -> None:
    saturday = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)
    rebuild = ("Rebuild", datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    with pytest.raises(InvalidValue, match="'Rebuild' is due 2026-11-20 10:00 UTC, before"):
        _record(uow, REBUILD, rebuild, occurred_at=saturday, now=SATURDAY)
    assert uow.store.incidents == {}
    assert uow.store.events == []
    # Due at the incident's own time is not before it.
    at_once = ("Call Ingrid at once", saturday)
    assert _record(uow, at_once, occurred_at=saturday, now=SATURDAY).steps[0].action == at_once[0]


LONDON = Client("cw", "Calder & Wye", time_zone="Europe/London")
OSLO = Client("hf", "Halden Freight", time_zone="Europe/Oslo")


@pytest.mark.parametrize(
    ("client", "occurred_at", "due"),
    [
        # Friday 16:30 in London (GMT): Saturday 09:00, even on a weekend.
        (LONDON, datetime(2026, 11, 27, 16, 30, tzinfo=UTC), datetime(2026, 11, 28, 9, tzinfo=UTC)),
        # The same client, weekends off: Monday 09:00.
        (
            replace(LONDON, first_contact_weekends=False),
            datetime(2026, 11, 27, 16, 30, tzinfo=UTC),
            datetime(2026, 11, 30, 9, tzinfo=UTC),
        ),
        # In the night (Tuesday 02:00): that same morning.
        (LONDON, datetime(2026, 11, 24, 2, 0, tzinfo=UTC), datetime(2026, 11, 24, 9, tzinfo=UTC)),
        # Oslo's clock is an hour ahead: 09:00 there is 08:00 UTC.
        (OSLO, datetime(2026, 11, 25, 11, 0, tzinfo=UTC), datetime(2026, 11, 26, 8, tzinfo=UTC)),
        # London in summer (BST): 09:00 there is 08:00 UTC.
        (LONDON, datetime(2026, 7, 10, 15, 30, tzinfo=UTC), datetime(2026, 7, 11, 8, tzinfo=UTC)),
    ],
)
def test_the_first_contact_is_due_at_nine_the_next_morning_on_the_clients_clock(
    client: Client, occurred_at: datetime, due: datetime
) -> None:
    assert incidents.first_contact_deadline(occurred_at, client) == due


def test_the_added_first_contact_uses_the_projects_client(uow: FakeUnitOfWorkFactory) -> None:
    portfolio = uow.store.portfolio
    uow.store.portfolio = replace(portfolio, clients=(replace(LONDON, id="acme"),))
    incident = _record(
        uow,
        occurred_at=datetime(2026, 7, 10, 15, 30, tzinfo=UTC),
        now=datetime(2026, 7, 10, 16, tzinfo=UTC),
    )
    [first] = incident.steps
    assert (first.action, first.due) == (
        incidents.FIRST_CONTACT,
        datetime(2026, 7, 11, 8, tzinfo=UTC),
    )


def test_the_first_contact_is_open_until_a_contact_step_is_done(
    uow: FakeUnitOfWorkFactory,
) -> None:
    client = factories.portfolio().client("acme")
    incident = _record(uow, REBUILD)
    assert incidents.first_contact_due(incident, client) == SATURDAY_MORNING
    done = incident.with_step_done(1, SATURDAY)
    assert incidents.first_contact_due(done, client) is None


SATURDAY_MORNING = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)  # the first contact's deadline


@pytest.mark.parametrize(
    ("done_at", "now", "state"),
    [
        (None, SATURDAY, "open"),
        (None, datetime(2026, 11, 28, 9, 30, tzinfo=UTC), "overdue"),
        (SATURDAY, SATURDAY, "met"),
        (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "late"),
    ],
)
def test_an_incidents_view_says_whether_its_first_contact_was_met(
    uow: FakeUnitOfWorkFactory, done_at: datetime | None, now: datetime, state: str
) -> None:
    incident = _record(uow, REBUILD)
    if done_at is not None:
        incident = incident.with_step_done(1, done_at)
        uow.store.incidents[incident.id] = incident
    view = incidents.find_incident(uow, incident.id, now)
    contact = view.first_contact
    assert (contact.deadline, contact.state, contact.done_at) == (
        SATURDAY_MORNING,
        state,
        done_at,
    )
    assert contact.met is (state == "met")
    assert view.owner == factories.portfolio().person("ana").name
    assert (view.lead, view.done) == ("ana", int(done_at is not None))
    assert incidents.incident_views(uow, now) == [view]


def test_an_unknown_incident_is_not_found(uow: FakeUnitOfWorkFactory) -> None:
    with pytest.raises(NotFound, match="no incident with id 'I-9'"):
        incidents.find_incident(uow, "I-9", SATURDAY)


def test_each_step_is_shown_done_in_time_done_late_overdue_or_open(
    uow: FakeUnitOfWorkFactory,
) -> None:
    incident = _record(uow, REBUILD)
    uow.store.incidents[incident.id] = incident.with_step_done(1, datetime(2026, 12, 1, tzinfo=UTC))
    before_the_rebuild = incidents.find_incident(
        uow, incident.id, datetime(2026, 12, 2, tzinfo=UTC)
    )
    assert [(s.number, s.state, s.late) for s in before_the_rebuild.steps] == [
        (1, "done_late", True),
        (2, "open", False),
    ]
    after_it = incidents.find_incident(uow, incident.id, datetime(2026, 12, 19, tzinfo=UTC))
    assert [s.state for s in after_it.steps] == ["done_late", "overdue"]
    in_time = incident.with_step_done(1, SATURDAY).steps[0]
    assert incidents.step_state(in_time, datetime(2026, 12, 19, tzinfo=UTC)) == "done"
    assert not incidents.is_late(in_time, datetime(2026, 12, 19, tzinfo=UTC))


TYPED = incidents.IncidentFields(
    project="p",
    commitment="c",
    title="Keynote demo failed on stage",
    impact="800 people saw the demo stop.",
    own_factors="We added features up to the last week.\n\nWe had no fallback.",
    steps="\nRebuild the demo @ 2026-12-18 17:00\n",
    occurred_at="2026-11-27T18:30",
)


def _record_typed(uow: FakeUnitOfWorkFactory, **changes: str) -> Incident:
    return incidents.record_incident_fields(
        uow, replace(TYPED, **changes), actor=factories.staff("james"), now=SATURDAY
    )


def test_an_incident_typed_in_a_form_is_recorded_with_its_steps_and_first_contact(
    uow: FakeUnitOfWorkFactory,
) -> None:
    incident = _record_typed(uow)
    assert (incident.occurred_at, incident.commitment) == (FRIDAY_EVENING, "c")
    assert incident.own_factors == (
        "We added features up to the last week.",
        "We had no fallback.",
    )
    assert [(s.action, s.due) for s in incident.steps] == [
        (incidents.FIRST_CONTACT, SATURDAY_MORNING),
        ("Rebuild the demo", datetime(2026, 12, 18, 17, 0, tzinfo=UTC)),
    ]
    assert uow.store.incidents["I-1"] == incident
    assert _record_typed(uow, occurred_at=" ").occurred_at == SATURDAY


def test_every_field_typed_wrong_is_reported_at_once_and_nothing_is_stored(
    uow: FakeUnitOfWorkFactory,
) -> None:
    with pytest.raises(InvalidFields) as refused:
        _record_typed(
            uow,
            project="",
            title=" ",
            impact="",
            occurred_at="yesterday",
            steps="Rebuild @ 2026-12-18\nCall Ingrid",
        )
    assert refused.value.errors == {
        "project": "choose the project it happened on",
        "title": "say what went wrong, in a few words",
        "impact": "say what it did to the client, in their terms",
        "occurred_at": "'yesterday' is not YYYY-MM-DD HH:MM",
        "steps": "line 2: write 'ACTION @ YYYY-MM-DD HH:MM' (UTC)",
    }
    assert uow.store.incidents == {}
    assert uow.store.events == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"project": "nowhere"}, "project", "no project with id 'nowhere'"),
        ({"project": "q"}, "commitment", "project 'q' has no commitment 'c'"),
        (
            {"occurred_at": "2026-11-28 09:00"},
            "occurred_at",
            "2026-11-28 09:00 UTC is in the future",
        ),
        ({"steps": "Rebuild @ soon"}, "steps", "line 1: 'soon' is not YYYY-MM-DD [HH:MM]"),
        ({"steps": "Rebuild @ 2026-11-26 12:00"}, "steps", "before the incident itself"),
    ],
    ids=["unknown-project", "commitment-of-another", "future", "bad-due", "due-before"],
)
def test_a_field_typed_wrong_is_reported_beside_it(
    uow: FakeUnitOfWorkFactory, changes: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InvalidFields) as refused:
        _record_typed(uow, **changes)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field]
    assert uow.store.incidents == {}
