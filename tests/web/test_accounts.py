"""The account use cases the login form and the admin page call: where a login lands, the
session it replaces, a role that names no role, and the users page read at once."""

from __future__ import annotations

from datetime import datetime

import pytest

from keepword.bootstrap import Keepword
from keepword.domain.access import Action, Actor, Forbidden, Role, home_of, landing_of
from keepword.domain.accounts import AuditKind
from keepword.domain.errors import InvalidValue
from keepword.services import accounts
from tests.factories import staff
from tests.web.accounts import PASSWORD, USERS

ADDRESS = "203.0.113.7"


def _now(keepword: Keepword) -> datetime:
    return keepword.settings.now()


@pytest.mark.parametrize(
    ("role", "asked", "lands"),
    [
        (Role.DELIVERY_LEAD, None, "/"),
        (Role.EXECUTIVE, "/projects/voice-bot", "/projects/voice-bot"),
        (Role.CLIENT, None, "/portal"),
        (Role.CLIENT, "/portal/projects/voice-bot", "/portal/projects/voice-bot"),
        (Role.CLIENT, "/plan", "/portal"),  # a client user opens nothing but their portal
        (Role.CLIENT, "/", "/portal"),
    ],
)
def test_a_user_lands_where_they_asked_unless_their_role_keeps_them_to_the_portal(
    role: Role, asked: str | None, lands: str
) -> None:
    assert landing_of(role, asked) == lands
    assert landing_of(role, None) == home_of(role)


def test_a_login_lands_where_its_role_allows(demo_keepword: Keepword) -> None:
    now = _now(demo_keepword)
    beth = accounts.log_in(
        demo_keepword.uow, "beth", PASSWORD, address=ADDRESS, now=now, asked="/signals"
    )
    priya = accounts.log_in(
        demo_keepword.uow, "priya", PASSWORD, address=ADDRESS, now=now, asked="/signals"
    )
    assert (beth.lands_on, priya.lands_on) == ("/signals", "/portal")


def test_logging_in_ends_the_session_the_browser_had_and_audits_it(
    demo_keepword: Keepword,
) -> None:
    now = _now(demo_keepword)
    uow = demo_keepword.uow
    earlier = accounts.log_in(uow, "lucia", PASSWORD, address=ADDRESS, now=now)
    later = accounts.log_in(
        uow, "beth", PASSWORD, address=ADDRESS, now=now, previous_session=earlier.session_id
    )
    assert accounts.session_caller(uow, earlier.session_id, now=now) is None
    caller = accounts.session_caller(uow, later.session_id, now=now)
    assert caller is not None
    assert caller.actor.name == "beth"
    with uow() as work:
        [logout] = work.audit.latest(10, AuditKind.LOGOUT)
    assert (logout.actor, logout.address) == ("lucia", ADDRESS)


def test_a_refused_login_leaves_the_session_the_browser_had(demo_keepword: Keepword) -> None:
    now = _now(demo_keepword)
    uow = demo_keepword.uow
    kept = accounts.log_in(uow, "lucia", PASSWORD, address=ADDRESS, now=now)
    with pytest.raises(accounts.LoginRefused):
        accounts.log_in(
            uow, "beth", "not the password", address=ADDRESS, now=now,
            previous_session=kept.session_id,
        )  # fmt: skip
    assert accounts.session_caller(uow, kept.session_id, now=now) is not None


@pytest.mark.parametrize("role", ["", "wizard", "Admin"])
def test_a_role_that_names_no_role_is_refused_beside_the_role_and_nothing_is_saved(
    demo_keepword: Keepword, role: str
) -> None:
    with demo_keepword.uow() as work:
        audited = work.audit.count()
    with pytest.raises(InvalidValue) as refused:
        accounts.add_user(
            demo_keepword.uow, "newcomer", role, PASSWORD, actor=staff(), now=_now(demo_keepword)
        )
    assert (refused.value.field, refused.value.message) == ("role", "choose a role")
    with demo_keepword.uow() as work:
        assert work.users.get("newcomer") is None
        assert work.audit.count() == audited


def test_a_role_typed_as_its_name_is_the_role(demo_keepword: Keepword) -> None:
    added = accounts.add_user(
        demo_keepword.uow, "newcomer", "delivery-lead", PASSWORD, actor=staff(),
        now=_now(demo_keepword),
    )  # fmt: skip
    assert added.role is Role.DELIVERY_LEAD


def test_the_users_page_holds_the_users_the_choices_and_the_newest_audit(
    demo_keepword: Keepword,
) -> None:
    now = _now(demo_keepword)
    lucia = staff("lucia", Role.ENGINEER)
    for _ in range(accounts.AUDIT_SHOWN_WITH_USERS + 10):  # more than the page shows
        accounts.record_denied(
            demo_keepword.uow, lucia, Action.MANAGE_USERS, request="GET /", address=None, now=now
        )
    accounts.log_in(demo_keepword.uow, "beth", PASSWORD, address=ADDRESS, now=now)
    view = accounts.users_page(demo_keepword.uow, actor=staff())
    assert {u.name for u in view.users} == set(USERS)
    assert view.roles == tuple(Role)
    assert {c.id for c in view.clients} >= {"pitchwell", "calder-wye"}
    assert len(view.audit) == accounts.AUDIT_SHOWN_WITH_USERS
    assert view.audit[0].kind is AuditKind.LOGIN
    assert [e.at for e in view.audit] == sorted((e.at for e in view.audit), reverse=True)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_only_an_admin_reads_the_users_page(demo_keepword: Keepword, role: Role) -> None:
    someone = Actor("someone", role, "pitchwell" if role is Role.CLIENT else None)
    with pytest.raises(Forbidden):
        accounts.users_page(demo_keepword.uow, actor=someone)


def test_anyone_books_their_own_time_off_and_only_their_own(demo_keepword: Keepword) -> None:
    from datetime import date

    from fastapi.testclient import TestClient

    from keepword.services.portfolio import current_portfolio
    from keepword.web.app import create_app
    from tests.web.accounts import log_in
    from tests.web.html import soup

    with TestClient(create_app(demo_keepword)) as lucia:
        log_in(lucia, "lucia")  # an engineer, and Lucía in the plan
        page = soup(lucia.get("/account").text)
        assert page.select_one("#own-time-off form") is not None
        booked = lucia.post(
            "/account/time-off",
            data={"start": "2027-02-01", "end": "2027-02-05", "reason": "a wedding"},
        )
        assert booked.status_code == 200, booked.text
        assert "Booked 2027-02-01 to 2027-02-05 off" in booked.text
        backwards = lucia.post(
            "/account/time-off", data={"start": "2027-03-05", "end": "2027-03-01"}
        )
        assert backwards.status_code == 422
    leave = current_portfolio(demo_keepword.uow).person("lucia").calendar.time_off
    assert (date(2027, 2, 1), date(2027, 2, 5), "a wedding") in {
        (t.start, t.end, t.reason) for t in leave
    }
    # A sales lead with no person of their user name in the plan is told so.
    with TestClient(create_app(demo_keepword)) as sam:
        log_in(sam, "sam")
        refused = sam.post("/account/time-off", data={"start": "2027-02-01", "end": "2027-02-02"})
    assert refused.status_code == 422
    assert "no person in the plan has the id 'sam'" in soup(refused.text).get_text()
