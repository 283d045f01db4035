"""``keepword user`` and ``keepword token`` through the installed entry point, on real SQLite
files, and what they do to a served app: who can log in, with which password, which token.

Passwords go in on standard input (``--password-stdin``), as a script would give them.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from keepword.services.accounts import digest
from tests.conftest import DEMO_PLAN
from tests.e2e.cli import PASSWORD, Run, add_user, clean_env, keepword
from tests.e2e.server import start_server, stop_server

NEW_PASSWORD = "a kettle of hawks above the weir"
SCENARIO = "core-platform-security-fix"
_TOKEN = re.compile(r"^(kw_\S+)$", re.MULTILINE)
_TOKEN_ID = re.compile(r"Token (\S+) \(")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_env(tmp_path)


@pytest.fixture(scope="module")
def db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new database, no portfolio loaded, two users: beth (a delivery lead), sam (sales)."""
    home = tmp_path_factory.mktemp("home")
    path = home / "keepword.db"
    assert keepword("--db", str(path), "init", env=clean_env(home)).code == 0
    add_user(str(path), "beth", "delivery-lead", clean_env(home))
    add_user(str(path), "sam", "sales", clean_env(home))
    return path


@pytest.fixture
def db(tmp_path: Path, db_template: Path) -> str:
    """A copy of the new database with beth and sam (their password: ``PASSWORD``)."""
    path = tmp_path / "keepword.db"
    shutil.copyfile(db_template, path)
    return str(path)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo plan loaded once per module; each test works on a copy of it."""
    home = tmp_path_factory.mktemp("demo-home")
    path = home / "keepword.db"
    assert keepword("--db", str(path), "init", env=clean_env(home)).code == 0
    loaded = keepword("--db", str(path), "load", str(DEMO_PLAN), env=clean_env(home))
    assert loaded.code == 0, loaded.stderr
    return path


@pytest.fixture
def demo(tmp_path: Path, demo_template: Path) -> str:
    """A database holding the demo plan (its clients: calder-wye, pitchwell, …)."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    return str(path)


@pytest.fixture(scope="module")
def staffed_template(tmp_path_factory: pytest.TempPathFactory, demo_template: Path) -> Path:
    """The demo plan and two users: beth, a delivery lead, and lucia, an engineer."""
    home = tmp_path_factory.mktemp("staffed-home")
    path = home / "keepword.db"
    shutil.copyfile(demo_template, path)
    add_user(str(path), "beth", "delivery-lead", clean_env(home))
    add_user(str(path), "lucia", "engineer", clean_env(home))
    return path


@pytest.fixture(scope="module")
def staffed_users(staffed_template: Path) -> list[dict[str, Any]]:
    """``user list --json`` of the staffed database."""
    return _users(str(staffed_template), clean_env(staffed_template.parent))


@pytest.fixture
def staffed(tmp_path: Path, staffed_template: Path) -> str:
    """A copy of the staffed database: the demo plan, beth and lucia."""
    path = tmp_path / "staffed.db"
    shutil.copyfile(staffed_template, path)
    return str(path)


@pytest.fixture
def served(db: str, env: dict[str, str]) -> Iterator[str]:
    """``keepword serve`` on ``db``: its base URL."""
    server, base = start_server(["--db", db, "serve"], env)
    yield base
    stop_server(server)


def _users(db: str, env: dict[str, str]) -> list[dict[str, Any]]:
    listed = keepword("--db", db, "user", "list", "--json", env=env)
    assert listed.code == 0, listed.stderr
    users: list[dict[str, Any]] = json.loads(listed.stdout)
    return users


def _add(db: str, env: dict[str, str], name: str, role: str, password: str, *extra: str) -> Run:
    args = ["--db", db, "user", "add", name, "--role", role, *extra, "--password-stdin"]
    return keepword(*args, env=env, input=password + "\n")


def _login(base: str, name: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base}/login",
        data={"name": name, "password": password},
        follow_redirects=False,
        timeout=30,
    )


def _as(env: dict[str, str], user: str) -> dict[str, str]:
    return {**env, "KEEPWORD_USER": user}


def _one_error_line(run: Run, code: int = 1) -> str:
    """The run failed with ``code`` and one ``keepword: error:`` line; that line's message."""
    assert run.code == code, (run.code, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("keepword: error: "), run.stderr
    return run.stderr.removeprefix("keepword: error: ").rstrip("\n")


# --- adding and listing users --------------------------------------------------------------


def test_users_added_with_a_password_on_stdin_are_listed_with_role_and_client(
    demo: str, env: dict[str, str]
) -> None:
    staff = _add(demo, env, "beth", "delivery-lead", PASSWORD)
    assert (staff.code, staff.stdout.strip()) == (0, "Added beth, delivery lead."), staff.stderr
    client = _add(demo, env, "marcus", "client", PASSWORD, "--client", "pitchwell")
    assert (client.code, client.stdout.strip()) == (0, "Added marcus, client of pitchwell.")

    users = _users(demo, env)
    assert [(u["name"], u["role"], u["client"], u["active"]) for u in users] == [
        ("beth", "delivery-lead", None, True),
        ("marcus", "client", "pitchwell", True),
    ]
    assert all(u["created_at"].endswith("+00:00") for u in users)
    # Nothing of the password in the listing.
    assert PASSWORD not in json.dumps(users)

    table = keepword("--db", demo, "user", "list", env=env).stdout
    rows = {line.split("│")[1].strip(): line for line in table.splitlines() if "│" in line}
    assert [c.strip() for c in rows["beth"].split("│")[1:5]] == [
        "beth", "delivery lead", "—", "active",
    ]  # fmt: skip
    assert [c.strip() for c in rows["marcus"].split("│")[1:5]] == [
        "marcus", "client", "pitchwell", "active",
    ]  # fmt: skip


def test_a_new_password_ends_the_old_one_and_its_sessions(
    db: str, env: dict[str, str], served: str
) -> None:
    with httpx.Client(base_url=served, timeout=30) as before:
        logged_in = before.post(
            "/login", data={"name": "beth", "password": PASSWORD}, follow_redirects=False
        )
        assert logged_in.status_code == 303
        assert before.get("/").status_code == 200

        changed = keepword(
            "--db", db, "user", "passwd", "beth", "--password-stdin", env=env,
            input=NEW_PASSWORD + "\n",
        )  # fmt: skip
        assert changed.code == 0, changed.stderr
        assert changed.stdout.strip() == "beth has a new password; their sessions ended."
        # The session opened with the old password has ended with it.
        assert before.get("/").status_code == 401

    old = _login(served, "beth", PASSWORD)
    assert old.status_code == 401
    assert "do not match an active account" in old.text
    new = _login(served, "beth", NEW_PASSWORD)
    assert (new.status_code, new.headers["location"]) == (303, "/")


def test_a_disabled_user_cannot_log_in_and_is_listed_as_disabled(
    db: str, env: dict[str, str], served: str
) -> None:
    with httpx.Client(base_url=served, timeout=30) as session:
        logged_in = session.post("/login", data={"name": "beth", "password": PASSWORD})
        assert logged_in.status_code == 303
        assert session.get("/").status_code == 200

        disabled = keepword("--db", db, "user", "disable", "beth", env=env)
        assert disabled.code == 0, disabled.stderr
        assert disabled.stdout.strip() == "beth is disabled; their sessions ended."
        assert session.get("/").status_code == 401

    refused = _login(served, "beth", PASSWORD)
    assert refused.status_code == 401
    # The same answer as a wrong password: nothing tells that the account exists.
    assert "do not match an active account" in refused.text
    assert _login(served, "sam", PASSWORD).status_code == 303

    assert [(u["name"], u["active"]) for u in _users(db, env)] == [
        ("beth", False),
        ("sam", True),
    ]
    table = keepword("--db", db, "user", "list", env=env).stdout
    beth = next(line for line in table.splitlines() if "│ beth " in line)
    assert "disabled" in beth
    again = keepword("--db", db, "user", "disable", "beth", env=env)
    assert _one_error_line(again) == "user 'beth' is already disabled"


def test_a_100_character_password_is_accepted_and_logs_in(
    db: str, env: dict[str, str], served: str
) -> None:
    long = ("harbour lights at dusk, " * 5)[:100]
    assert len(long) == 100
    added = _add(db, env, "zoe", "engineer", long)
    assert added.code == 0, added.stderr
    assert _login(served, "zoe", long).status_code == 303
    assert _login(served, "zoe", long[:64]).status_code == 401
    longest = "q" * 127 + "!"  # the most allowed: 128
    changed = keepword(
        "--db", db, "user", "passwd", "zoe", "--password-stdin", env=env, input=longest + "\n"
    )
    assert changed.code == 0, changed.stderr
    assert _login(served, "zoe", longest).status_code == 303


# --- bad input: one clear line, nothing written --------------------------------------------

_GOOD = PASSWORD + "\n"
BAD_INPUT = [
    pytest.param(
        ["user", "add", "zoe", "--role", "engineer", "--password-stdin"], "1234567\n", 1,
        "a password needs at least 8 characters", id="password-of-7",
    ),
    pytest.param(
        ["user", "add", "zoe", "--role", "engineer", "--password-stdin"], "password123\n", 1,
        "that password is one of the most common ones; choose another", id="common-password123",
    ),
    pytest.param(
        ["user", "add", "zoe", "--role", "engineer", "--password-stdin"], "qwertyuiop\n", 1,
        "that password is one of the most common ones; choose another", id="common-qwertyuiop",
    ),
    pytest.param(
        ["user", "add", "zoe", "--role", "engineer", "--password-stdin"], "Q" * 129 + "\n", 1,
        "a password may have at most 128 characters", id="password-of-129",
    ),
    pytest.param(
        ["user", "add", "zoe", "--role", "client", "--password-stdin"], _GOOD, 1,
        "a client user needs the client they belong to", id="client-without-client",
    ),
    pytest.param(
        ["user", "add", "zoe", "--role", "client", "--client", "nowhere", "--password-stdin"],
        _GOOD, 1, "no client 'nowhere'", id="no-such-client",
    ),
    pytest.param(
        ["user", "add", "zoe", "--role", "sales", "--client", "pitchwell", "--password-stdin"],
        _GOOD, 1, "only a client user belongs to a client", id="staff-with-client",
    ),
    pytest.param(
        ["user", "add", "beth", "--role", "sales", "--password-stdin"], _GOOD, 1,
        "there is already a user 'beth'", id="duplicate-name",
    ),
    pytest.param(
        ["user", "add", "Zoe Smith", "--role", "sales", "--password-stdin"], _GOOD, 1,
        "user name 'Zoe Smith'", id="bad-name",
    ),
    pytest.param(
        ["user", "add", "zoe", "--role", "boss", "--password-stdin"], _GOOD, 2,
        "Invalid value for '--role'", id="unknown-role",
    ),
    pytest.param(
        ["user", "add", "zoe", "--password-stdin"], _GOOD, 2, "--role", id="no-role",
    ),
    pytest.param(
        ["user", "add", "zoe", "--role", "engineer", "--password-stdin"], "", 1,
        "--password-stdin: no password on standard input", id="add-empty-stdin",
    ),
    pytest.param(
        ["user", "add", "zoe", "--role", "engineer", "--password-stdin"], "\n", 1,
        "a password needs at least 8 characters", id="add-empty-line",
    ),
    pytest.param(
        ["user", "passwd", "ghost", "--password-stdin"], _GOOD, 1, "no user 'ghost'",
        id="passwd-unknown-user",
    ),
    pytest.param(
        ["user", "passwd", "beth", "--password-stdin"], "", 1,
        "--password-stdin: no password on standard input", id="passwd-empty-stdin",
    ),
    pytest.param(
        ["user", "passwd", "beth", "--password-stdin"], "short\n", 1,
        "a password needs at least 8 characters", id="passwd-too-short",
    ),
    pytest.param(
        ["user", "disable", "ghost"], None, 1, "no user 'ghost'", id="disable-unknown-user",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("args", "stdin", "code", "message"), BAD_INPUT)
def test_bad_input_is_one_clear_line_and_writes_nothing(
    staffed: str,
    staffed_users: list[dict[str, Any]],
    env: dict[str, str],
    args: list[str],
    stdin: str | None,
    code: int,
    message: str,
) -> None:
    stored = _database_bytes(staffed)
    refused = keepword("--db", staffed, *args, env=env, input=stdin)
    assert message in _one_error_line(refused, code)
    assert refused.stdout == ""
    # Not a byte of the file changed (no half-done write, no audit event of a refusal) …
    assert _database_bytes(staffed) == stored
    # … and the users are as they were.
    assert _users(staffed, env) == staffed_users


# --- the CLI obeys the same policy as the web ----------------------------------------------


def test_a_keepword_user_acts_with_their_own_role(
    staffed: str, staffed_users: list[dict[str, Any]], env: dict[str, str]
) -> None:

    args = ["--db", staffed, "user", "add", "zoe", "--role", "admin", "--password-stdin"]
    as_engineer = keepword(*args, env=_as(env, "lucia"), input=_GOOD)
    assert _one_error_line(as_engineer) == "an engineer may not manage users"
    as_lead = keepword(*args, env=_as(env, "beth"), input=_GOOD)
    assert _one_error_line(as_lead) == "a delivery lead may not manage users"
    listing = keepword("--db", staffed, "user", "list", env=_as(env, "lucia"))
    assert _one_error_line(listing) == "an engineer may not manage users"
    assert _users(staffed, env) == staffed_users

    apply = ["--db", staffed, "scenario", "apply", SCENARIO]
    refused = keepword(*apply, env=_as(env, "lucia"))
    assert _one_error_line(refused) == "an engineer may not apply a scenario"
    assert SCENARIO in _scenarios(staffed, env)

    applied = keepword(*apply, env=_as(env, "beth"))
    assert applied.code == 0, applied.stderr
    assert applied.stdout.startswith(f"Applied {SCENARIO}: ")
    assert SCENARIO not in _scenarios(staffed, env)
    history = json.loads(keepword("--db", staffed, "history", "--json", env=env).stdout)
    assert "beth" in {event["actor"] for event in history}


def test_a_client_user_cannot_read_the_portfolio_from_the_command_line(
    staffed: str, env: dict[str, str]
) -> None:
    _add(staffed, env, "marcus", "client", PASSWORD, "--client", "pitchwell")
    for command in (["portfolio"], ["forecast", "voice-bot"], ["history"], ["risks"]):
        refused = keepword("--db", staffed, *command, env=_as(env, "marcus"))
        assert _one_error_line(refused) == "a client may not view the portfolio", command
        assert "Calder" not in refused.stdout


@pytest.mark.parametrize("who", ["ghost", "lucia"], ids=["unknown", "disabled"])
def test_a_keepword_user_who_is_not_an_active_user_is_a_clear_error(
    staffed: str, env: dict[str, str], who: str
) -> None:
    assert keepword("--db", staffed, "user", "disable", "lucia", env=env).code == 0
    refused = keepword("--db", staffed, "scenario", "apply", SCENARIO, env=_as(env, who))
    assert _one_error_line(refused) == f"KEEPWORD_USER='{who}' is not an active user"
    assert SCENARIO in _scenarios(staffed, env)


def _scenarios(db: str, env: dict[str, str]) -> set[str]:
    listed = keepword("--db", db, "scenario", "list", "--json", env=env)
    assert listed.code == 0, listed.stderr
    return {s["id"] for s in json.loads(listed.stdout)}


# --- personal access tokens ----------------------------------------------------------------


def _database_bytes(db: str) -> bytes:
    """The database file and, while a server has it open, its write-ahead log."""
    return b"".join(
        path.read_bytes()
        for path in sorted(Path(db).parent.glob(Path(db).name + "*"))
        if path.is_file()
    )


def _new_token(db: str, env: dict[str, str], user: str, name: str) -> tuple[str, str]:
    made = keepword("--db", db, "token", "add", name, env=_as(env, user))
    assert made.code == 0, made.stderr
    [secret] = _TOKEN.findall(made.stdout)
    found = _TOKEN_ID.search(made.stdout)
    assert found is not None, made.stdout
    assert f"Token {found.group(1)} ({name}), shown once:" in made.stdout
    return found.group(1), secret


def test_a_token_works_against_the_api_until_it_is_revoked(
    db: str, env: dict[str, str], served: str
) -> None:
    token_id, secret = _new_token(db, env, "beth", "ci pipeline")
    bearer = {"Authorization": f"Bearer {secret}"}

    me = httpx.get(f"{served}/api/v1/me", headers=bearer, timeout=30)
    assert me.status_code == 200, me.text
    assert me.json() == {"name": "beth", "role": "delivery-lead", "organisation": None}
    # Only the API takes a token: a page asked for with it still wants a login.
    assert httpx.get(f"{served}/", headers=bearer, timeout=30).status_code == 401

    listed = keepword("--db", db, "token", "list", env=_as(env, "beth"))
    assert listed.code == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if token_id in line)
    assert "ci pipeline" in row
    assert "active" in row
    assert secret not in listed.stdout  # shown once, when made, never again

    stored = _database_bytes(db)
    assert digest(secret).encode() in stored  # the search reads what is stored …
    assert secret.encode() not in stored  # … and the secret is not in it
    assert secret.removeprefix(f"kw_{token_id}_").encode() not in stored  # nor its random part

    revoked = keepword("--db", db, "token", "revoke", token_id, env=_as(env, "beth"))
    assert (revoked.code, revoked.stdout.strip()) == (0, f"Token {token_id} is revoked.")
    after = httpx.get(f"{served}/api/v1/me", headers=bearer, timeout=30)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "unauthenticated"
    again = keepword("--db", db, "token", "revoke", token_id, env=_as(env, "beth"))
    assert _one_error_line(again) == f"token {token_id!r} is already revoked"
    assert "revoked" in keepword("--db", db, "token", "list", env=_as(env, "beth")).stdout


def test_a_token_of_a_disabled_user_stops_working(
    db: str, env: dict[str, str], served: str
) -> None:
    _, secret = _new_token(db, env, "sam", "laptop")
    bearer = {"Authorization": f"Bearer {secret}"}
    assert httpx.get(f"{served}/api/v1/me", headers=bearer, timeout=30).status_code == 200
    assert keepword("--db", db, "user", "disable", "sam", env=env).code == 0
    assert httpx.get(f"{served}/api/v1/me", headers=bearer, timeout=30).status_code == 401


def test_tokens_are_a_users_own(db: str, env: dict[str, str]) -> None:
    token_id, _ = _new_token(db, env, "beth", "mine")
    # Another user's token is answered as one that does not exist.
    other = keepword("--db", db, "token", "revoke", token_id, env=_as(env, "sam"))
    assert _one_error_line(other) == f"no token {token_id!r}"
    assert token_id not in keepword("--db", db, "token", "list", env=_as(env, "sam")).stdout
    # The operator is no stored user: a token needs one named.
    operator = keepword("--db", db, "token", "add", "mine", env=env)
    assert "KEEPWORD_USER" in _one_error_line(operator)
    empty = keepword("--db", db, "token", "add", "  ", env=_as(env, "beth"))
    assert _one_error_line(empty) == "a token needs a name of 1 to 80 characters"


# --- no secrets in logs --------------------------------------------------------------------


def test_no_password_or_token_in_the_servers_output(db: str, env: dict[str, str]) -> None:
    token_id, secret = _new_token(db, env, "beth", "ci")
    wrong_password = "not the password of anyone here"
    wrong_token = "kw_000000000000_" + "x" * 43
    server, base = start_server(["--db", db, "serve"], env)
    try:
        with httpx.Client(base_url=base, timeout=30) as browser:
            assert _login(base, "beth", wrong_password).status_code == 401
            logged_in = browser.post(
                "/login", data={"name": "beth", "password": PASSWORD}, follow_redirects=False
            )
            assert logged_in.status_code == 303
            assert browser.get("/").status_code == 200
            session = logged_in.cookies["keepword_session"]
        for token, status in ((secret, 200), (wrong_token, 401)):
            me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == status
        # A request the API refuses, with the token in the query string for good measure.
        nowhere = httpx.get(
            f"{base}/api/v1/nowhere?token={secret}", headers={"Authorization": secret}
        )
        assert nowhere.status_code == 401
    finally:
        server.terminate()
        stdout, stderr = server.communicate(timeout=10)
    assert server.returncode is not None
    assert "Serving Keepword on" in stdout  # the output was captured
    logged = stdout + stderr
    random_part = secret.removeprefix(f"kw_{token_id}_")
    for leaked in (PASSWORD, wrong_password, secret, random_part, session):
        assert leaked not in logged, f"{leaked[:6]}… is in the server's output"
    stored = _database_bytes(db)
    for leaked in (PASSWORD, wrong_password, secret, session):
        assert leaked.encode() not in stored, f"{leaked[:6]}… is in the database"
