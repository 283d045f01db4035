"""Logging in, as an attacker would try it: passwords, rate limits, unknown names, headers,
tokens, and the audit trail that keeps no secret."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.domain.access import Role
from keepword.domain.accounts import AuditEvent, AuditKind
from keepword.domain.errors import InvalidValue
from keepword.services import accounts
from keepword.web.app import create_app
from keepword.web.security import SESSION_COOKIE
from tests.factories import staff
from tests.web.accounts import PASSWORD, log_in

API = "/api/v1"


def _try(client: TestClient, name: str, password: str) -> int:
    answer = client.post(
        "/login", data={"name": name, "password": password}, follow_redirects=False
    )
    return answer.status_code


def _audit(keepword: Keepword, kind: AuditKind | None = None) -> list[AuditEvent]:
    with keepword.uow() as work:
        return work.audit.latest(1000, kind)


# --- passwords ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "refusal"),
    [
        ("short12", "at least 8 characters"),
        ("x" * 129, "at most 128"),
        ("password1", "most common"),
        ("Qwerty123", "most common"),
        ("iloveyou", "most common"),
        ("NewUser1", "not be the user's name"),
    ],
)
def test_a_weak_password_is_refused_and_nothing_is_saved(
    demo_keepword: Keepword, password: str, refusal: str
) -> None:
    with pytest.raises(InvalidValue, match=refusal):
        accounts.add_user(
            demo_keepword.uow,
            "newuser1",
            Role.SALES,
            password,
            actor=staff(),
            now=_now(demo_keepword),
        )
    with demo_keepword.uow() as work:
        assert work.users.get("newuser1") is None


def test_long_passwords_are_welcome_and_stored_only_as_argon2id(demo_keepword: Keepword) -> None:
    long = "correct horse battery staple " * 4  # 116 characters
    accounts.add_user(
        demo_keepword.uow, "longpass", Role.SALES, long, actor=staff(), now=_now(demo_keepword)
    )
    with demo_keepword.uow() as work:
        stored = work.users.get("longpass")
    assert stored is not None
    assert stored.password_hash.startswith("$argon2id$")
    assert long not in stored.password_hash
    with TestClient(create_app(demo_keepword)) as client:
        assert _try(client, "longpass", long) == 303


def _now(keepword: Keepword) -> datetime:
    return keepword.settings.now()


# --- rate limits and unknown names ---------------------------------------------------------


def _at(keepword: Keepword, delta: timedelta) -> Keepword:
    settings = keepword.settings
    assert settings.fixed_now is not None
    return Keepword(replace(settings, fixed_now=settings.fixed_now + delta), keepword.engine)


def test_ten_failures_for_an_account_lock_it_for_fifteen_minutes(demo_keepword: Keepword) -> None:
    with TestClient(create_app(demo_keepword)) as client:
        assert [_try(client, "beth", f"wrong guess {n}") for n in range(10)] == [401] * 10
        assert _try(client, "beth", PASSWORD) == 429  # even the right password, now
    with TestClient(create_app(_at(demo_keepword, timedelta(minutes=14)))) as later:
        assert _try(later, "beth", PASSWORD) == 429
    with TestClient(create_app(_at(demo_keepword, timedelta(minutes=16)))) as later:
        assert _try(later, "beth", PASSWORD) == 303
    limited = _audit(demo_keepword, AuditKind.LOGIN_LIMITED)
    assert [e.actor for e in limited] == ["beth", "beth"]


def test_ten_failures_from_one_address_lock_that_address_whatever_the_names(
    demo_keepword: Keepword,
) -> None:
    with TestClient(create_app(demo_keepword)) as client:
        names = ["ada", "sam", "lucia", "eve", "marcus", "priya", "nobody", "x", "y", "z"]
        assert [_try(client, name, "wrong guess") for name in names] == [401] * 10
        # A new name from the same address: refused before its password is looked at.
        assert _try(client, "beth", PASSWORD) == 429


def test_an_unknown_name_is_answered_as_a_wrong_password_after_the_same_work(
    demo_keepword: Keepword, monkeypatch: pytest.MonkeyPatch
) -> None:
    verified: list[str] = []
    real = accounts._verify

    def counting(password_hash: str, password: str) -> bool:
        verified.append(password_hash[:10])
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "_verify", counting)
    with TestClient(create_app(demo_keepword)) as client:
        wrong = client.post("/login", data={"name": "beth", "password": "not it at all"})
        unknown = client.post("/login", data={"name": "bethany", "password": "not it at all"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.text.replace('value="beth"', "") == unknown.text.replace('value="bethany"', "")
    # One Argon2id verification each: the unknown name against a dummy hash of the same cost.
    assert verified == ["$argon2id$", "$argon2id$"]
    failed = _audit(demo_keepword, AuditKind.LOGIN_FAILED)
    assert [e.actor for e in failed] == ["bethany", "beth"]


def test_a_disabled_user_cannot_log_in(demo_keepword: Keepword) -> None:
    accounts.disable_user(demo_keepword.uow, "sam", actor=staff(), now=_now(demo_keepword))
    with TestClient(create_app(demo_keepword)) as client:
        assert _try(client, "sam", PASSWORD) == 401


# --- cookies and headers --------------------------------------------------------------------


def test_the_session_cookie_is_httponly_lax_and_secure_over_https(demo_keepword: Keepword) -> None:
    for base, secure in (("http://testserver", False), ("https://testserver", True)):
        with TestClient(create_app(demo_keepword), base_url=base) as client:
            answer = client.post(
                "/login", data={"name": "beth", "password": PASSWORD}, follow_redirects=False
            )
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith(f"{SESSION_COOKIE}=")
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert ("Secure" in cookie) is secure
        if secure:
            assert answer.headers["strict-transport-security"].startswith("max-age=")


def test_every_response_carries_the_security_headers(web: TestClient) -> None:
    paths = ["/", "/projects/voice-bot", "/login", "/static/keepword.css", f"{API}/portfolio",
             "/no-such-page", f"{API}/openapi.json", "/healthz"]  # fmt: skip
    for path in paths:
        headers = web.get(path).headers
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy, path
        assert "default-src 'self'" in policy, path
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "same-origin", path
        if not path.startswith("/static/"):
            assert headers["cache-control"] == "no-store", path
    # Only the page with charts lets Vega compile its expressions.
    assert "'unsafe-eval'" in web.get("/projects/voice-bot").headers["content-security-policy"]
    assert "'unsafe-eval'" not in web.get("/").headers["content-security-policy"]


def test_a_page_asked_for_without_a_session_is_the_login_form_with_401(
    demo_keepword: Keepword,
) -> None:
    with TestClient(create_app(demo_keepword)) as anyone:
        page = anyone.get("/projects/voice-bot")
        api = anyone.get(f"{API}/portfolio")
    assert page.status_code == 401
    assert 'action="/login"' in page.text
    assert 'name="next" value="/projects/voice-bot"' in page.text
    assert "voice-bot" not in page.text.replace('value="/projects/voice-bot"', "")
    assert api.status_code == 401
    assert api.json()["error"]["code"] == "unauthenticated"
    assert api.headers["www-authenticate"] == "Bearer"


def test_after_login_the_user_lands_where_they_were_going_and_never_off_site(
    demo_keepword: Keepword,
) -> None:
    with TestClient(create_app(demo_keepword)) as client:
        targets = [("/projects/voice-bot", "/projects/voice-bot"),
                   ("//evil.example/", "/"), ("https://evil.example/", "/")]  # fmt: skip
        for target, landing in targets:
            answer = client.post(
                "/login",
                data={"name": "beth", "password": PASSWORD, "next": target},
                follow_redirects=False,
            )
            assert answer.headers["location"] == landing
        client_user = client.post(
            "/login",
            data={"name": "priya", "password": PASSWORD, "next": "/plan"},
            follow_redirects=False,
        )
        assert client_user.headers["location"] == "/portal"


# --- personal access tokens --------------------------------------------------------------


def test_a_token_acts_as_its_user_until_revoked_and_is_stored_only_hashed(
    demo_keepword: Keepword,
) -> None:
    with TestClient(create_app(demo_keepword)) as lucia:
        log_in(lucia, "lucia")
        made = lucia.post(f"{API}/tokens", json={"name": "nightly export"})
        assert made.status_code == 201, made.text
        secret, token_id = made.json()["secret"], made.json()["id"]
        listed = lucia.get(f"{API}/tokens").json()
        assert [t["id"] for t in listed] == [token_id]
        assert "secret" not in listed[0]
    bearer = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(demo_keepword)) as program:
        assert program.get(f"{API}/me", headers=bearer).json() == {
            "name": "lucia", "role": "engineer", "organisation": None,
        }  # fmt: skip
        # An engineer's token may mark work done, not apply a scenario; no CSRF token needed.
        done = program.post(f"{API}/projects/pitchwell-app/items/ux-dashboard/done", headers=bearer)
        assert done.status_code in (200, 409), done.text
        refused = program.post(f"{API}/scenarios/core-platform-security-fix/apply", headers=bearer)
        assert refused.status_code == 403
        assert refused.json()["error"]["message"] == "an engineer may not apply a scenario"
        # A token opens the API only, never the pages.
        assert program.get("/", headers=bearer).status_code == 401
    with demo_keepword.uow() as work:
        stored = work.tokens.get(token_id)
    assert stored is not None
    assert secret not in stored.token_hash
    with TestClient(create_app(demo_keepword)) as lucia:
        log_in(lucia, "lucia")
        assert lucia.post(f"{API}/tokens/{token_id}/revoke").status_code == 200
    with TestClient(create_app(demo_keepword)) as program:
        assert program.get(f"{API}/me", headers=bearer).status_code == 401


def test_a_disabled_users_tokens_stop_working(demo_keepword: Keepword) -> None:
    eve = staff("eve", Role.EXECUTIVE)
    _, secret = accounts.create_token(
        demo_keepword.uow, "board pack", actor=eve, now=_now(demo_keepword)
    )
    bearer = {"Authorization": f"Bearer {secret}"}
    with TestClient(create_app(demo_keepword)) as program:
        assert program.get(f"{API}/portfolio", headers=bearer).status_code == 200
        accounts.disable_user(demo_keepword.uow, "eve", actor=staff(), now=_now(demo_keepword))
        assert program.get(f"{API}/portfolio", headers=bearer).status_code == 401


# --- the audit trail --------------------------------------------------------------------


def test_logins_failures_and_refusals_are_audited_with_actor_and_organisation_and_no_secret(
    demo_keepword: Keepword, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(demo_keepword)) as client:
        assert _try(client, "priya", "a wrong password here") == 401
        log_in(client, "priya")
        assert client.get("/plan").status_code == 403
        assert client.get(f"{API}/signals").status_code == 403
        token = client.post(f"{API}/tokens", json={"name": "mine"}).json()["secret"]
        client.post("/logout")
    events = [e for e in _audit(demo_keepword) if e.actor == "priya"]
    kinds = [(e.kind, e.actor, e.organisation) for e in reversed(events)]
    assert kinds == [
        (AuditKind.LOGIN_FAILED, "priya", "calder-wye"),
        (AuditKind.LOGIN, "priya", "calder-wye"),
        (AuditKind.DENIED, "priya", "calder-wye"),
        (AuditKind.DENIED, "priya", "calder-wye"),
        (AuditKind.TOKEN_CREATED, "priya", "calder-wye"),
        (AuditKind.LOGOUT, "priya", "calder-wye"),
    ]
    denied = [e for e in events if e.kind is AuditKind.DENIED]
    assert {e.detail["request"] for e in denied} == {"GET /plan", f"GET {API}/signals"}
    assert {e.detail["action"] for e in denied} == {
        "view the portfolio",
        "view signals and messages",
    }
    written = repr(events) + caplog.text
    for secret in (PASSWORD, "a wrong password here", token):
        assert secret not in written
