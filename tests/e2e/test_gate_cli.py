"""``keepword propose`` and ``keepword commit`` through the installed entry point (W1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.e2e.cli import MONDAY, keepword

AS_OF = "2026-11-23"
SIX_WEEKS = "2027-01-11"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = str(tmp_path_factory.mktemp("gate") / "keepword.db")
    result = keepword("--db", path, "demo", "--no-serve")
    assert result.code == 0, result.stderr
    return path


@pytest.fixture
def own_db(demo_db: str, tmp_path: Path) -> str:
    """A copy of the demo database for a test that changes it."""
    path = tmp_path / "own.db"
    shutil.copy(demo_db, path)
    return str(path)


def _propose(db: str, stem: Path, *extra: str) -> tuple[int, str, str]:
    result = keepword(
        "--db", db, "propose", "voice-bot", "--due", SIX_WEEKS, "--as-of", AS_OF,
        "--out", str(stem), *extra,
    )  # fmt: skip
    return result.code, result.stdout, result.stderr


def test_propose_prints_the_answer_and_writes_markdown_and_html(
    demo_db: str, tmp_path: Path
) -> None:
    code, stdout, stderr = _propose(demo_db, tmp_path / "voice")
    assert code == 0, stderr
    for text in ("P(on time by 2027-01-11)", "Move the date", "Cut scope", "Add capacity"):
        assert text in stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voice.html", "voice.md"]
    markdown = (tmp_path / "voice.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Proposal: Member voice bot")
    assert "## Phased plan" in markdown
    assert "(P50–P85)" in markdown


def test_the_html_proposal_is_a_standalone_page_with_ranges_and_confidence(
    demo_db: str, tmp_path: Path
) -> None:
    assert _propose(demo_db, tmp_path / "voice")[0] == 0
    html = (tmp_path / "voice.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    page = BeautifulSoup(html, "html.parser")
    assert page.find("script") is None
    assert page.find("link") is None  # the CSS is inline
    assert page.find("style") is not None
    assert page.title is not None
    assert "Member voice bot" in page.title.get_text()
    answer = page.select_one("#answer")
    assert answer is not None
    assert "under 1%" in answer.get_text()
    assert "85% confidence" in answer.get_text()
    rows = page.select("#plan tbody tr")
    assert [row.find_all("td")[-1].get_text() for row in rows] == ["yes", "yes", "yes", "no"]
    assert all("(P50–P85)" in row.get_text() for row in rows)
    options = page.select("#options li")
    assert [o.strong.get_text() for o in options if o.strong] == [
        "Move the date",
        "Cut scope",
        "Add capacity",
    ]
    assert page.select("#assumptions table")


def test_propose_json_gives_the_gate_figures(demo_db: str, tmp_path: Path) -> None:
    code, stdout, stderr = _propose(demo_db, tmp_path / "voice", "--json", "--trials", "2000")
    assert code == 0, stderr
    answer = json.loads(stdout)["answer"]
    assert answer["on_time"] < 0.02
    assert "2027-01-27" <= answer["at_confidence"] <= "2027-02-01"
    assert answer["cut_line"] == ["call-flows", "understanding", "self-service"]
    assert answer["move_date"]["reaches"]
    for option in ("move_date", "cut_scope", "add_capacity"):
        assert answer[option]["reaches"] == (answer[option]["on_time"] >= 0.85)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope", "--due", SIX_WEEKS), "no project with id 'nope'"),
        (
            ("voice-bot", "--due", "2026-11-01", "--as-of", AS_OF),
            "due date 2026-11-01 is before project 'voice-bot' can start (2026-11-30)",
        ),
        (("voice-bot", "--due", SIX_WEEKS, "--team", "amara,ghost"), "no person with id 'ghost'"),
    ],
    ids=["unknown-project", "due-before-start", "unknown-person"],
)
def test_bad_proposals_exit_1_with_one_line_and_write_nothing(
    demo_db: str, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = keepword("--db", demo_db, "propose", *args, "--out", str(tmp_path / "p"))
    assert (result.code, result.stderr) == (1, f"keepword: error: {message}\n")
    assert list(tmp_path.iterdir()) == []


def test_commit_records_the_baseline_that_export_shows(own_db: str) -> None:
    refused = keepword("--db", own_db, "commit", "voice-bot-launch", env=MONDAY)
    assert refused.code == 1
    assert refused.stderr == (
        "keepword: error: the odds are under 1% against a target of 85%: committing below "
        "the target needs a reason, recorded with the promise\n"
    )
    reason = "the regulator fixed the date"
    result = keepword(
        "--db", own_db, "commit", "voice-bot-launch", "--below-target", reason, env=MONDAY
    )
    assert result.code == 0, result.stderr
    assert "Committed voice-bot-launch" in result.stdout
    assert f"below its 85% target (off track), because: {reason}" in result.stdout
    plan = yaml.safe_load(keepword("--db", own_db, "export").stdout)
    [launch] = [c for c in plan["commitments"] if c["id"] == "voice-bot-launch"]
    assert launch["state"] == "committed"
    baseline = launch["baseline"]
    assert str(baseline["forecast_on"]) == AS_OF
    assert baseline["scope_items"] == 34
    assert baseline["on_time"] < 0.02
    assert baseline["below_target_reason"] == reason
    assert str(baseline["p50"]) <= str(baseline["p85"])
    again = keepword("--db", own_db, "commit", "voice-bot-launch", env=MONDAY)
    assert again.code == 1
    assert "cannot go from committed to committed" in again.stderr


def test_propose_record_stores_a_proposal_that_commit_then_promises(
    own_db: str, tmp_path: Path
) -> None:
    code, _, stderr = _propose(own_db, tmp_path / "p", "--record", "voice-bot-phase-3")
    assert code == 0, stderr
    plan = yaml.safe_load(keepword("--db", own_db, "export").stdout)
    [made] = [c for c in plan["commitments"] if c["id"] == "voice-bot-phase-3"]
    assert (made.get("state", "proposed"), str(made["due"])) == (
        "proposed",
        SIX_WEEKS,
    )  # default omitted
    result = keepword(
        "--db", own_db, "commit", "voice-bot-phase-3", "--below-target", "phase 3 only", env=MONDAY
    )
    assert result.code == 0, result.stderr


def test_a_proposal_that_cannot_be_written_records_nothing(own_db: str, tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder", encoding="utf-8")
    code, _, stderr = _propose(own_db, blocker / "proposal", "--record", "vb-3")
    assert code == 1
    assert stderr.startswith("keepword: error: ")
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1
    plan = yaml.safe_load(keepword("--db", own_db, "export").stdout)
    assert "vb-3" not in {c["id"] for c in plan["commitments"]}
    bad_id = _propose(own_db, tmp_path / "p", "--record", "bad id!")
    assert bad_id[0] == 1
    assert "is not an id" in bad_id[2]
    assert not (tmp_path / "p.md").exists()
