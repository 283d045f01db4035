"""``draft``, ``send`` and ``check`` through the installed entry point, on the
demo's W2 story (the scenario applied raises the signals), with the clock set by
``KEEPWORD_NOW``; the .eml goes through a real SMTP server."""

from __future__ import annotations

import email
import json
import shutil
import smtplib
import socket
from collections.abc import Iterator
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from keepword.domain.client_wording import longdate
from tests.e2e.cli import at, keepword

SCENARIO = "core-platform-security-fix"
MONDAY = "2026-11-23"
CLIENT = "Marcus Bell <marcus@pitchwell.example>"

BAD = """\
Hi Marcus,

Unfortunately the Stratus platform let us down again this week.
Stratus broke twice and the vendor's support was slow.
Their team hopefully should be fine by next week, fingers crossed.
We will try our best.
"""


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo with the developers moved (W2): signals S-… raised on pitchwell-v1."""
    path = tmp_path_factory.mktemp("messages") / "demo.db"
    monday = at(f"{MONDAY}T09:00:00Z")
    assert keepword("--db", str(path), "demo", "--no-serve", env=monday).code == 0
    applied = keepword("--db", str(path), "scenario", "apply", SCENARIO, env=monday)
    assert applied.code == 0, applied.stderr
    return path


@pytest.fixture
def db(prepared: Path, tmp_path: Path) -> str:
    copy = tmp_path / "keepword.db"
    shutil.copy(prepared, copy)
    return str(copy)


def _open_signals(db: str) -> list[dict[str, object]]:
    run = keepword("--db", db, "risks", "--json", env=at(f"{MONDAY}T10:00Z"))
    assert run.code == 0, run.stderr
    return [s for s in json.loads(run.stdout) if s["commitment"] == "pitchwell-v1"]


def _draft(db: str, *args: str, moment: str = f"{MONDAY}T10:00:00Z") -> tuple[str, str]:
    run = keepword(
        "--db", db, "draft", "--commitment", "pitchwell-v1", "--kind", "delay",
        "--as-of", MONDAY, *args, env=at(moment),
    )  # fmt: skip
    assert run.code == 0, run.stderr
    return run.stdout, run.stderr


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[Envelope] = []

    async def handle_DATA(  # noqa: N802 (aiosmtpd's hook name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        self.received.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_a_draft_for_the_commitment_is_printed_checked_stored_and_written(
    db: str, tmp_path: Path
) -> None:
    signals = _open_signals(db)
    assert {s["kind"] for s in signals} == {"below_target", "capacity_removed"}
    stdout, _ = _draft(db, "--out", str(tmp_path / "pitchwell"), "--to", CLIENT)
    assert stdout.startswith("Subject: Pitchwell v1")
    assert "Playbook check of the draft (delay): clean." in stdout
    ids = ", ".join(sorted(str(s["id"]) for s in signals))
    assert f"Stored draft M-1 (not sent; answers {ids})" in stdout
    markdown = (tmp_path / "pitchwell.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Pitchwell v1")
    checked = keepword("check", str(tmp_path / "pitchwell.md"))
    assert checked.code == 0, checked.stdout
    [event] = json.loads(
        keepword("--db", db, "history", "--entity", "communication", "--json").stdout
    )
    assert (event["action"], event["entity_id"], event["after"]["sent_at"]) == (
        "created",
        "M-1",
        None,
    )


def test_the_eml_is_a_ready_to_send_message_that_arrives_intact(
    db: str, tmp_path: Path, smtp_server: tuple[Inbox, int]
) -> None:
    _draft(db, "--out", str(tmp_path / "pitchwell"), "--to", CLIENT)
    forecast = json.loads(
        keepword("--db", db, "forecast", "pitchwell-app", "--as-of", MONDAY, "--json").stdout
    )
    [finish] = [c for c in forecast["commitments"] if c["id"] == "pitchwell-v1"]
    written = email.message_from_bytes(
        (tmp_path / "pitchwell.eml").read_bytes(), policy=policy.default
    )
    assert isinstance(written, EmailMessage)
    inbox, port = smtp_server
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(written)
    [envelope] = inbox.received
    assert envelope.mail_from == "beth@fernhill-labs.co.uk"
    assert envelope.rcpt_tos == ["marcus@pitchwell.example"]
    assert isinstance(envelope.content, bytes)
    arrived = email.message_from_bytes(envelope.content, policy=policy.default)
    assert isinstance(arrived, EmailMessage)
    assert arrived["Subject"].startswith("Pitchwell v1 live for the founder's 25 sales reps")
    assert arrived["To"] == CLIENT
    assert arrived["From"] == "Beth Morgan <beth@fernhill-labs.co.uk>"
    assert arrived["Date"] == "Mon, 23 Nov 2026 10:00:00 +0000"
    assert not arrived.is_multipart()
    body = arrived.get_content()
    assert body.startswith("Hi Marcus,")
    for iso in (finish["p50"], finish["p85"], finish["due"]):
        assert longdate(date.fromisoformat(iso)) in body
    assert "## " not in body
    assert "Lucía Fernández" in body


def test_sending_stops_the_clocks_and_says_how_long_the_client_went_untold(db: str) -> None:
    _draft(db)
    sent = keepword("--db", db, "send", "M-1", env=at(f"{MONDAY}T11:30:00Z"))
    assert sent.code == 0, sent.stderr
    assert "Recorded M-1 as sent at 2026-11-23 11:30 UTC." in sent.stdout
    assert sent.stdout.count("disclosed, clock stopped after") == 2
    assert "within its deadline" in sent.stdout
    assert _open_signals(db) == []
    again = keepword("--db", db, "send", "M-1", env=at(f"{MONDAY}T12:00:00Z"))
    assert again.code == 1
    assert again.stderr.startswith("keepword: error: message M-1 was already sent")
    assert again.stderr.count("\n") == 1


def test_an_edited_body_is_checked_and_its_warnings_printed(db: str, tmp_path: Path) -> None:
    _draft(db, "--out", str(tmp_path / "m"))
    edited = tmp_path / "edited.md"
    text = (tmp_path / "m.md").read_text(encoding="utf-8")
    edited.write_text(text.replace("I am sorry.", "Hopefully it should be fine."), "utf-8")
    sent = keepword("--db", db, "send", "M-1", "--body", str(edited), env=at(f"{MONDAY}T12:00Z"))
    assert sent.code == 0, sent.stderr
    assert 'hedges; say what you know: "Hopefully"' in sent.stderr
    assert "no apology" in sent.stderr
    assert f"{edited}:" in sent.stderr


def test_check_lists_each_problem_with_its_line_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text(BAD, encoding="utf-8")
    run = keepword("check", str(bad))
    assert run.code == 1
    for line in (
        'line 3: blames others; own your part: "Stratus platform let us down"',
        'line 4: blames others; own your part: "Stratus broke"',
        'line 4: blames others; own your part: "the vendor"',
        'line 5: hedges; say what you know: "fingers crossed"',
        'line 6: hedges; say what you know: "try our best"',
        "lacks: no apology",
    ):
        assert line in run.stdout, run.stdout
    as_json = json.loads(keepword("check", str(bad), "--kind", "status", "--json").stdout)
    assert "apology" not in {f["rule"] for f in as_json["findings"]}


def test_a_failed_draft_says_why_in_one_line_and_stores_nothing(db: str, tmp_path: Path) -> None:
    for args in (
        ["--signal", "S-99"],
        ["--commitment", "nope", "--kind", "status"],
        ["--commitment", "pitchwell-v1", "--kind", "recovery"],
        ["--commitment", "pitchwell-v1", "--out", str(tmp_path / "no" / "such" / "stem")],
        ["--commitment", "pitchwell-v1", "--templates", str(tmp_path / "missing")],
    ):
        run = keepword("--db", db, "draft", *args, "--as-of", MONDAY, env=at(f"{MONDAY}T10:00Z"))
        assert run.code == 1, (args, run.stderr)
        assert run.stderr.count("\n") == 1, run.stderr
        assert "Traceback" not in run.stderr
    history = keepword("--db", db, "history", "--entity", "communication", "--json")
    assert json.loads(history.stdout) == []
    assert not (tmp_path / "no").exists()
    assert keepword("--db", db, "draft", "--kind", "memo", "--signal", "S-1").code == 2


def test_a_teams_template_directory_from_the_environment_wins(db: str, tmp_path: Path) -> None:
    (tmp_path / "delay.md.j2").write_text(
        "{% set subject = 'From our team' %}Marcus: {{ dates.p85 | longdate }}.\n", "utf-8"
    )
    env = {**at(f"{MONDAY}T10:00Z"), "KEEPWORD_TEMPLATES": str(tmp_path)}
    run = keepword("--db", db, "draft", "--commitment", "pitchwell-v1", "--as-of", MONDAY, env=env)
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("Subject: From our team\n\nMarcus: ")
    assert "lacks: no apology" in run.stdout  # the team's own template is checked too


def test_a_to_that_is_not_an_address_stores_no_draft_and_writes_no_file(
    db: str, tmp_path: Path
) -> None:
    run = keepword(
        "--db", db, "draft", "--commitment", "pitchwell-v1", "--as-of", MONDAY,
        "--out", str(tmp_path / "pitchwell"), "--to", "Marcus Bell",
        env=at(f"{MONDAY}T10:00:00Z"),
    )  # fmt: skip
    assert run.code == 2
    assert "'Marcus Bell' is not an email address" in run.stderr
    assert "Stored draft" not in run.stdout
    assert list(tmp_path.glob("pitchwell.*")) == []
    stored = keepword("--db", db, "history", "--entity", "communication", "--json")
    assert json.loads(stored.stdout) == []
