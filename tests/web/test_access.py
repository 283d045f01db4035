"""Who may do what, through every route: the policy table, client isolation, CSRF, sessions.

The routes come from the routers the app is built from, so a route added later is in every
matrix here by itself; a route whose path names a kind of id the matrices do not know fails
them until it is taught.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.domain.access import GUARDED, POLICY, Action, Actor, Forbidden, Role
from keepword.web import pages
from keepword.web.api import routes as api_routes
from keepword.web.app import create_app
from keepword.web.rendering import NAVIGATION
from keepword.web.security import PUBLIC_PATHS, SESSION_COOKIE, route_action
from tests.web.accounts import BY_ROLE, CLIENT_A, CLIENT_B, PASSWORD, USERS, log_in

API = "/api/v1"
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # as declared, with {params}
    action: Action | None

    @property
    def params(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)

    def url(self, values: dict[str, str]) -> str:
        return re.sub(r"{(\w+)}", lambda m: values[m.group(1)], self.path)


def _routes() -> list[Route]:
    found = []
    for routers, prefix in ((pages.routers, ""), (api_routes.routers, API)):
        for router in routers:
            for route in router.routes:
                for method in sorted(route.methods):  # type: ignore[attr-defined]
                    path = prefix + route.path  # type: ignore[attr-defined]
                    action = route_action(route.dependencies)  # type: ignore[attr-defined]
                    found.append(Route(method, path, action))
    return found


ROUTES = _routes()
PROTECTED = [r for r in ROUTES if r.path not in PUBLIC_PATHS]
STATE_CHANGING = [r for r in PROTECTED if r.method != "GET"]


def test_every_route_declares_the_action_it_does() -> None:
    assert len(ROUTES) > 100
    undeclared = [f"{r.method} {r.path}" for r in PROTECTED if r.action is None]
    assert undeclared == []
    assert {r.path for r in ROUTES if r.action is None} == {"/login"}


def test_the_navigation_links_each_page_with_the_action_its_route_declares() -> None:
    # The menu shows a role the pages it may open: its actions are the routes' own.
    declared = {r.path: r.action for r in ROUTES if r.method == "GET"}
    assert {href: declared[href] for href, _, _ in NAVIGATION} == {
        href: action for href, _, action in NAVIGATION
    }


# --- the role × action matrix -----------------------------------------------------------


def _any_ids(route: Route) -> dict[str, str]:
    # The action is checked before any id is looked up: any value will do here.
    values = dict.fromkeys(route.params, "x")
    if "number" in values:
        values["number"] = "1"
    if "start" in values:
        values["start"] = "2026-11-23"
    return values


def _send(client: TestClient, method: str, url: str) -> int:
    if method == "GET":
        return client.get(url).status_code
    if url.startswith(API):
        return client.request(method, url, json={}).status_code
    return client.request(method, url, data={}).status_code


@pytest.fixture
def as_role(demo_keepword: Keepword) -> Iterator[dict[str, TestClient]]:
    clients = {}
    for name in USERS:
        client = TestClient(create_app(demo_keepword), raise_server_exceptions=False)
        log_in(client, name)
        clients[name] = client
    yield clients
    for client in clients.values():
        client.close()


def test_every_role_may_do_exactly_what_the_policy_says_through_every_route(
    as_role: dict[str, TestClient],
) -> None:
    checked, mismatches = 0, []
    # Logging out last: it ends the session the other requests use.
    ordered = sorted(PROTECTED, key=lambda r: r.path == "/logout")
    for name, (role, _) in USERS.items():
        for route in ordered:
            assert route.action is not None
            status = _send(as_role[name], route.method, route.url(_any_ids(route)))
            allowed = role in POLICY[route.action]
            if allowed == (status in (401, 403)):
                mismatches.append(f"{role} {route.method} {route.path}: {status}")
            checked += 1
    assert mismatches == []
    assert checked == len(USERS) * len(PROTECTED)


def test_every_guarded_service_obeys_the_policy_for_every_role() -> None:
    # The services check the same table themselves, so the CLI obeys it as the web does.
    import keepword.services.accounts
    import keepword.services.gate
    import keepword.services.messages
    import keepword.services.plan
    import keepword.services.portal  # noqa: F401

    assert len(GUARDED) >= 25
    mismatches = []
    for service, action in GUARDED.items():
        for role in Role:
            actor = Actor("someone", role, "pitchwell" if role is Role.CLIENT else None)
            try:
                service(actor=actor)  # no other arguments: an allowed call fails later
            except Forbidden:
                refused = True
            except Exception:
                refused = False
            if refused == (role in POLICY[action]):
                mismatches.append(f"{role} {service.__qualname__}")
    assert mismatches == []


# --- client isolation ----------------------------------------------------------------------

# An object of each kind belonging to organisation B (pitchwell), by the path parameter
# that names it; _b_objects() adds a signal, a draft, an incident and a token of B's.
B_IDS = {
    "project_id": "pitchwell-app",
    "project": "pitchwell-app",
    "commitment_id": "pitchwell-v1",
    "commitment": "pitchwell-v1",
    "client_id": "pitchwell",
    "item_id": "ux-dashboard",
    "phase_id": "foundations",
    "person_id": "ravi",
    "person": "ravi",
    "scenario_id": "core-platform-security-fix",
    "name": CLIENT_B,
}
# The plan pages' {kind}/{entity_id}: each kind with B's object of it.
B_ENTITIES = {
    "clients": "pitchwell",
    "people": "ravi",
    "projects": "pitchwell-app",
    "commitments": "pitchwell-v1",
    "phases": "foundations",
    "items": "ux-dashboard",
    "allocations": "ravi",
}
FIXED = {"number": "1", "suffix": "svg", "start": "2026-06-01"}
UNKNOWN_PREFIX = "no-such-"


def _b_objects(demo_keepword: Keepword) -> tuple[dict[str, str], list[str]]:
    """B's ids of every kind, made through the API by a delivery lead; B's marker strings."""
    with TestClient(create_app(demo_keepword)) as lead:
        log_in(lead, BY_ROLE[Role.DELIVERY_LEAD])
        applied = lead.post(f"{API}/scenarios/core-platform-security-fix/apply")
        assert applied.status_code == 200, applied.text
        signals = [s for s in lead.get(f"{API}/signals").json() if s["project"] == "pitchwell-app"]
        drafted = lead.post(f"{API}/signals/{signals[0]['id']}/draft", json={})
        assert drafted.status_code == 201, drafted.text
        incident = lead.post(
            f"{API}/incidents",
            json={
                "project": "pitchwell-app",
                "title": "Pitchwell staging outage marker",
                "impact": "Marcus could not demo the app to his investors",
            },
        )
        assert incident.status_code == 201, incident.text
        project = lead.get(f"{API}/projects/pitchwell-app").json()
    with TestClient(create_app(demo_keepword)) as b_client:
        log_in(b_client, CLIENT_B)
        token = b_client.post(f"{API}/tokens", json={"name": "B's token"}).json()
    ids = {
        **B_IDS,
        "signal_id": signals[0]["id"],
        "message_id": drafted.json()["message"]["id"],
        "incident_id": incident.json()["id"],
        "token_id": token["id"],
    }
    markers = [
        "Pitchwell Ltd",
        "Marcus Bell",
        "marcus@pitchwell.example",
        project["name"],
        "Pitchwell staging outage marker",
        drafted.json()["message"]["subject"],
        signals[0]["summary"],
        *[i["title"] for i in project["items"][:5]],
    ]
    return ids, markers


def _fill(route: Route, ids: dict[str, str]) -> list[tuple[str, str]]:
    """The route's URLs with B's ids (one per plan kind), each beside the same URL with ids
    that exist nowhere; and which id was swapped."""
    kinds = list(B_ENTITIES) if "kind" in route.params else [None]
    filled = []
    for kind in kinds:
        b_values, unknown_values = {}, {}
        for param in route.params:
            if param in FIXED:
                b_values[param] = unknown_values[param] = FIXED[param]
            elif param == "kind":
                assert kind is not None
                b_values[param] = unknown_values[param] = kind
            elif param == "entity_id":
                assert kind is not None
                b_values[param], unknown_values[param] = B_ENTITIES[kind], UNKNOWN_PREFIX + kind
            else:
                assert param in ids, f"{route.path}: the isolation matrix knows no {param!r}"
                b_values[param], unknown_values[param] = ids[param], UNKNOWN_PREFIX + param
        filled.append((route.url(b_values), route.url(unknown_values)))
    return filled


def _anonymised(body: str, b_url: str, unknown_url: str) -> str:
    # The answer about B's ids, with each id written as the unknown one it stood beside.
    for b_part, unknown_part in zip(b_url.split("/"), unknown_url.split("/"), strict=True):
        if b_part != unknown_part:
            body = body.replace(b_part, unknown_part)
    return body


def test_a_client_user_never_sees_another_organisations_data_through_any_route(
    demo_keepword: Keepword,
) -> None:
    ids, markers = _b_objects(demo_keepword)
    paths = sorted({r.path for r in PROTECTED})
    with TestClient(create_app(demo_keepword), raise_server_exceptions=False) as client_a:
        log_in(client_a, CLIENT_A)
        requests, successes, leaks, differences = 0, [], [], []
        for path in paths:
            if path == "/logout":
                continue  # it ends A's own session; it names no object
            route = Route("GET", path, None)
            for b_url, unknown_url in _fill(route, ids):
                for method in ALL_METHODS:
                    b = client_a.request(method, b_url)
                    unknown = client_a.request(method, unknown_url)
                    requests += 2
                    has_ids = b_url != unknown_url
                    if has_ids and 200 <= b.status_code < 300:
                        successes.append(f"{method} {b_url}: {b.status_code}")
                    found = [m for m in markers if m in b.text]
                    if found:
                        leaks.append(f"{method} {b_url}: {found}")
                    same = (
                        b.status_code == unknown.status_code
                        and _anonymised(b.text, b_url, unknown_url) == unknown.text
                    )
                    if has_ids and not same:
                        differences.append(
                            f"{method} {b_url}: {b.status_code}/{unknown.status_code}"
                        )
    assert successes == []
    assert leaks == []
    assert differences == []
    print(f"isolation matrix: {len(paths)} paths, {requests} requests")
    assert requests > 1000


# --- CSRF ------------------------------------------------------------------------------------


def _stored(keepword: Keepword) -> tuple[int, int, int, int]:
    with keepword.uow() as work:
        users = work.users.all()
        tokens = sum(len(work.tokens.of_user(u.name)) for u in users)
        return work.events.count(), work.audit.count(), len(users), tokens


FORGERIES = {
    "no token": {},
    "a bad token": {"X-CSRF-Token": "forged"},
    "cross-site": {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_every_state_changing_route_refuses_a_forged_request_and_writes_nothing(
    demo_keepword: Keepword, forgery: str
) -> None:
    with TestClient(create_app(demo_keepword), raise_server_exceptions=False) as admin:
        token = log_in(admin, BY_ROLE[Role.ADMIN])
        before = _stored(demo_keepword)
        refused = []
        for route in STATE_CHANGING:
            headers = dict(FORGERIES[forgery])
            if forgery == "cross-site":
                headers["X-CSRF-Token"] = token  # even with the right token
            admin.headers.pop("X-CSRF-Token", None)
            answer = admin.request(
                route.method, route.url(_any_ids(route)), headers=headers, data={"name": "x"}
            )
            refused.append(answer.status_code)
        assert refused == [403] * len(STATE_CHANGING)
        assert _stored(demo_keepword) == before
        admin.headers["X-CSRF-Token"] = token
        assert admin.get("/account").status_code == 200  # the session was not logged out


def test_the_login_form_refuses_a_cross_site_post(demo_keepword: Keepword) -> None:
    with TestClient(create_app(demo_keepword)) as anyone:
        forged = anyone.post(
            "/login",
            data={"name": "beth", "password": PASSWORD},
            headers=FORGERIES["cross-site"],
            follow_redirects=False,
        )
        assert forged.status_code == 403
        assert SESSION_COOKIE not in forged.cookies


# --- sessions ----------------------------------------------------------------------------


def _replay_everywhere(keepword: Keepword, cookie: str, csrf: str) -> list[int]:
    with TestClient(create_app(keepword), raise_server_exceptions=False) as replayer:
        replayer.cookies.set(SESSION_COOKIE, cookie)
        replayer.headers["X-CSRF-Token"] = csrf
        return [
            replayer.request(r.method, r.url(_any_ids(r)), data={}).status_code for r in PROTECTED
        ]


def _session_of(keepword: Keepword, name: str) -> tuple[TestClient, str, str]:
    client = TestClient(create_app(keepword), raise_server_exceptions=False)
    csrf = log_in(client, name)
    cookie = client.cookies[SESSION_COOKIE]
    assert client.get("/api/v1/me").json()["name"] == name
    return client, cookie, csrf


def test_a_session_is_dead_after_logout_password_change_and_disable(
    demo_keepword: Keepword,
) -> None:
    # Logged out.
    client, cookie, csrf = _session_of(demo_keepword, "sam")
    assert client.post("/logout", follow_redirects=False).status_code == 303
    assert set(_replay_everywhere(demo_keepword, cookie, csrf)) == {401}
    # Their password changed by an admin.
    _, cookie, csrf = _session_of(demo_keepword, "lucia")
    with TestClient(create_app(demo_keepword)) as admin:
        log_in(admin, BY_ROLE[Role.ADMIN])
        changed = admin.put(f"{API}/users/lucia/password", json={"password": "a new long one 2"})
        assert changed.status_code == 200, changed.text
        _, eve_cookie, eve_csrf = _session_of(demo_keepword, "eve")
        assert admin.post(f"{API}/users/eve/disable").status_code == 200
    assert set(_replay_everywhere(demo_keepword, cookie, csrf)) == {401}
    # Disabled.
    assert set(_replay_everywhere(demo_keepword, eve_cookie, eve_csrf)) == {401}
    assert len(PROTECTED) > 100


def test_each_login_gets_a_new_session_id_never_the_one_it_was_given(
    demo_keepword: Keepword,
) -> None:
    given = []
    with TestClient(create_app(demo_keepword)) as client:
        for _ in range(2):
            answer = client.post(
                "/login",
                data={"name": "beth", "password": PASSWORD},
                headers={"Cookie": f"{SESSION_COOKIE}=planted-by-an-attacker"},
                follow_redirects=False,
            )
            assert answer.status_code == 303
            given.append(answer.cookies[SESSION_COOKIE])
    assert len({*given, "planted-by-an-attacker"}) == 3


def test_sessions_time_out_when_idle_and_in_the_end(demo_keepword: Keepword) -> None:
    def at(delta: timedelta) -> TestClient:
        settings = demo_keepword.settings
        assert settings.fixed_now is not None
        later = replace(settings, fixed_now=settings.fixed_now + delta)
        return TestClient(create_app(Keepword(later, demo_keepword.engine)))

    _, cookie, _ = _session_of(demo_keepword, "beth")
    # In use every 25 minutes: alive for 11 h 40 min, dead at 12 h (the absolute timeout).
    for minutes in range(25, 12 * 60, 25):
        with at(timedelta(minutes=minutes)) as later:
            later.cookies.set(SESSION_COOKIE, cookie)
            assert later.get("/api/v1/me").status_code == 200, minutes
    with at(timedelta(hours=12)) as later:
        later.cookies.set(SESSION_COOKIE, cookie)
        assert later.get("/api/v1/me").status_code == 401
    # Idle for 30 minutes: dead.
    _, idle, _ = _session_of(demo_keepword, "sam")
    with at(timedelta(minutes=30)) as later:
        later.cookies.set(SESSION_COOKIE, idle)
        assert later.get("/api/v1/me").status_code == 401


# --- what each role reads ------------------------------------------------------------------

# Reads that name what they ask for in the query: every kind of record in the history.
EVENT_FEEDS = [f"{API}/events?limit=1000"] + [
    f"{API}/events?limit=1000&entity={entity}" for entity in ("signal", "communication", "incident")
]


def _read_markers(demo_keepword: Keepword, ids: dict[str, str]) -> dict[Action, list[str]]:
    """Strings that only a reader of each guarded kind of record may see: the signals'
    summaries, an unsent draft's own sentence, a sent message's body, an incident's title."""
    with TestClient(create_app(demo_keepword)) as lead:
        log_in(lead, BY_ROLE[Role.DELIVERY_LEAD])
        signals = lead.get(f"{API}/signals").json()
        draft = lead.get(f"{API}/messages/{ids['message_id']}").json()
        sent = lead.post(
            f"{API}/drafts", json={"commitment": "voice-bot-launch", "kind": "status"}
        ).json()["message"]
        body = sent["body"] + "\n\nSent-body marker: the pilot line moves to Thursday."
        answer = lead.post(f"{API}/messages/{sent['id']}/send", json={"body": body})
        assert answer.status_code == 200, answer.text
    own_sentence = max(draft["body"].splitlines(), key=len)
    assert len(own_sentence) > 40
    assert len(signals) >= 2
    return {
        Action.VIEW_SIGNALS: [
            *{s["summary"] for s in signals},
            own_sentence,
            "Sent-body marker",
        ],
        Action.VIEW_INCIDENTS: ["Pitchwell staging outage marker"],
    }


def _readable_urls(ids: dict[str, str]) -> list[str]:
    urls = [b_url for r in PROTECTED if r.method == "GET" for b_url, _ in _fill(r, ids)]
    return sorted(set(urls) - {"/logout"}) + EVENT_FEEDS


def test_no_role_reads_a_record_the_policy_refuses_it_through_any_route(
    demo_keepword: Keepword, as_role: dict[str, TestClient]
) -> None:
    ids, _ = _b_objects(demo_keepword)
    markers = _read_markers(demo_keepword, ids)
    urls = _readable_urls(ids)
    read, checked_markers, leaks = 0, 0, []
    engineer_read = set()
    for name, (role, _) in USERS.items():
        if role is Role.CLIENT:
            continue  # a client's reads are the isolation matrix's
        hidden = [
            m for action, found in markers.items() if role not in POLICY[action] for m in found
        ]
        for url in urls:
            response = as_role[name].get(url)
            if response.status_code != 200:
                continue
            read += 1
            checked_markers += len(hidden)
            leaks += [f"{role} GET {url}: {m[:40]!r}" for m in hidden if m in response.text]
            if role is Role.ENGINEER:
                engineer_read.add(url)
    assert leaks == []
    print(f"role read matrix: {read} bodies read, {checked_markers} marker checks, 0 found")
    # The engineer, refused signals and messages, read every page and feed that tells of them.
    assert {
        "/",
        "/projects/pitchwell-app",
        "/projects/pitchwell-app/timeline",
        f"{API}/portfolio",
        f"{API}/projects/pitchwell-app/events",
        *EVENT_FEEDS,
    } <= engineer_read
    assert read > 200


def test_an_engineers_change_raises_signals_it_does_not_read(
    demo_keepword: Keepword, as_role: dict[str, TestClient]
) -> None:
    engineer, lead = as_role[BY_ROLE[Role.ENGINEER]], as_role[BY_ROLE[Role.DELIVERY_LEAD]]
    before = {s["id"] for s in lead.get(f"{API}/signals").json()}
    answer = engineer.post(
        f"{API}/people/ravi/time-off",
        json={"start": "2026-11-24", "end": "2026-12-23", "reason": "surgery"},
    )
    assert answer.status_code == 200, answer.text
    raised = [s for s in lead.get(f"{API}/signals").json() if s["id"] not in before]
    assert raised  # a month off a committed project: the promise is at risk
    assert answer.json()["signals_raised"] == []
    assert all(e["entity"] != "signal" for e in answer.json()["changes"])
    for signal in raised:
        assert signal["summary"] not in answer.text
    # Done items answer the same way.
    done = engineer.post(f"{API}/projects/pitchwell-app/items/ux-dashboard/done", json={})
    assert done.status_code == 200, done.text
    assert done.json()["signals_raised"] == []
