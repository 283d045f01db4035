"""Input no person types, as a probe sends it: NUL characters, endless text, guessed passwords.

Every text field of the API and of every form has a length limit; a NUL anywhere is a 422
naming where, before anything is read or stored (PostgreSQL could not store it); changing
one's password is limited as a login is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from keepword.bootstrap import Keepword
from keepword.domain.accounts import AuditKind
from keepword.domain.text import MESSAGE_MAX, TEXT_MAX
from keepword.web import pages
from keepword.web.app import create_app
from tests.web.accounts import PASSWORD, log_in
from tests.web.conftest import event_count

API = "/api/v1"
INCIDENT = {
    "project": "pitchwell-app",
    "title": "Staging went down",
    "impact": "The demo could not be shown",
    "occurred_at": "2026-11-23T08:00:00Z",
}


# --- NUL characters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Staging\x00went down"),
        ("impact", "\x00"),
        ("own_factors", ["We skipped\x00the test"]),
        ("steps", [{"action": "Call\x00them", "due": "2026-11-24T10:00:00Z"}]),
    ],
)
def test_a_nul_in_any_api_field_is_refused_naming_it_and_nothing_is_stored(
    web: TestClient, demo_keepword: Keepword, field: str, value: Any
) -> None:
    before = event_count(demo_keepword)
    answer = web.post(f"{API}/incidents", json={**INCIDENT, field: value})
    assert answer.status_code == 422, answer.text
    (problem,) = answer.json()["error"]["fields"]
    assert problem["field"].startswith(field)
    assert "NUL" in problem["message"]
    assert event_count(demo_keepword) == before


def test_a_nul_in_a_form_a_path_or_a_query_is_refused(
    web: TestClient, demo_keepword: Keepword
) -> None:
    before = event_count(demo_keepword)
    form = web.post("/incidents", data={**INCIDENT, "title": "Staging\x00down"})
    assert form.status_code == 422
    assert "title: must not contain NUL characters" in form.text
    assert web.get(f"{API}/projects/pitchwell%00app").status_code == 422
    assert web.get("/projects/pitchwell%00app").status_code == 422
    assert web.get("/?client=pitch%00well").status_code == 422
    assert web.get(f"{API}/events?entity=item%00").status_code == 422
    assert event_count(demo_keepword) == before


# --- lengths -------------------------------------------------------------------------------


def _request_schemas(web: TestClient) -> Iterator[tuple[str, dict[str, Any]]]:
    document = web.get(f"{API}/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                yield f"{method.upper()} {path}", body["schema"]


def _unbounded(schema: dict[str, Any], schemas: dict[str, Any], where: str) -> Iterator[str]:
    """The string and array properties of ``schema`` (and what it refers to) with no limit."""
    if "$ref" in schema:
        yield from _unbounded(schemas[schema["$ref"].rsplit("/", 1)[-1]], schemas, where)
        return
    for option in schema.get("anyOf", []):
        yield from _unbounded(option, schemas, where)
    plain_text = "enum" not in schema and "format" not in schema and "maxLength" not in schema
    if schema.get("type") == "string" and plain_text:
        yield where
    if schema.get("type") == "array":
        if "maxItems" not in schema:
            yield where
        yield from _unbounded(schema["items"], schemas, f"{where}[]")
    for name, value in schema.get("properties", {}).items():
        yield from _unbounded(value, schemas, f"{where}.{name}")


def test_every_text_and_list_of_every_api_request_has_a_limit(web: TestClient) -> None:
    schemas = web.get(f"{API}/openapi.json").json()["components"]["schemas"]
    bodies = list(_request_schemas(web))
    unbounded = [u for where, body in bodies for u in _unbounded(body, schemas, where)]
    assert len(bodies) > 20
    assert unbounded == []


def _form_fields(dependant: Dependant) -> Iterator[tuple[str, Any]]:
    for param in dependant.body_params:
        yield param.name, param.field_info
    for sub in dependant.dependencies:
        yield from _form_fields(sub)


def test_every_form_field_a_page_declares_has_a_length_limit() -> None:
    unbounded, declared = [], 0
    for router in pages.routers:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            for name, info in _form_fields(route.dependant):
                declared += 1
                if not any(getattr(m, "max_length", None) for m in info.metadata):
                    unbounded.append(f"{route.path} {name}")
    assert declared > 15
    assert unbounded == []


def test_the_draft_editors_check_refuses_a_text_longer_than_a_message(web: TestClient) -> None:
    draft = web.post(f"{API}/drafts", json={"commitment": "pitchwell-v1", "kind": "status"})
    message = draft.json()["message"]["id"]
    fits = web.post(f"/messages/{message}/check", data={"body": "x" * MESSAGE_MAX})
    assert fits.status_code == 200
    longer = web.post(f"/messages/{message}/check", data={"body": "x" * (MESSAGE_MAX + 1)})
    assert longer.status_code == 422
    assert "at most 100,000 characters" in longer.text
    api = web.post(f"{API}/drafts/check", json={"text": "x" * (MESSAGE_MAX + 1)})
    assert api.status_code == 422


def test_a_plan_form_field_past_its_limit_is_shown_as_the_fields_error(web: TestClient) -> None:
    answer = web.post("/plan/clients/new", data={"id": "globex", "name": "G" * (TEXT_MAX + 1)})
    assert answer.status_code == 422
    assert f"at most {TEXT_MAX:,} characters" in answer.text


# --- the current password is a guess too ---------------------------------------------------


def test_wrong_current_passwords_are_limited_as_failed_logins(
    demo_keepword: Keepword,
) -> None:
    with TestClient(create_app(demo_keepword)) as client:
        log_in(client, "beth")
        answers = [
            client.post(
                "/account/password", data={"current": f"guess {n}", "new": "a new passphrase 7"}
            ).status_code
            for n in range(10)
        ]
        assert answers == [422] * 10
        # The right current password now: refused all the same, and nothing changes.
        limited = client.post(
            "/account/password", data={"current": PASSWORD, "new": "a new passphrase 7"}
        )
        assert limited.status_code == 429
        assert "too many failed logins" in limited.text
    with TestClient(create_app(demo_keepword)) as other:
        # The account is locked for logins too, and its password is the one it was.
        assert (
            other.post(
                "/login", data={"name": "beth", "password": PASSWORD}, follow_redirects=False
            ).status_code
            == 429
        )
    with demo_keepword.uow() as work:
        failures = work.audit.latest(100, AuditKind.PASSWORD_CHECK_FAILED)
    assert [e.actor for e in failures] == ["beth"] * 10
