"""The CLI through its installed entry point, on real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from keepword.adapters.planfile import read_plan
from keepword.domain.portfolio import Portfolio
from tests.conftest import DEMO_PLAN
from tests.e2e.cli import clean_env, keepword

AS_OF = "2026-11-23"


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "keepword.db")
    assert keepword("--db", path, "init").code == 0
    return path


def test_load_then_list_the_demo_portfolio(db: str, demo_portfolio: Portfolio) -> None:
    loaded = keepword("--db", db, "load", str(DEMO_PLAN))
    assert loaded.code == 0, loaded.stderr
    assert f"{len(demo_portfolio.commitments)} commitments" in loaded.stdout
    rows = json.loads(keepword("--db", db, "portfolio", "--json").stdout)
    assert len(rows) == len(demo_portfolio.commitments)
    assert {r["commitment_id"] for r in rows} == {c.id for c in demo_portfolio.commitments}
    assert [r["due"] for r in rows] == sorted(r["due"] for r in rows)
    table = keepword("--db", db, "portfolio").stdout
    assert all(r["client"] in table for r in rows)


def test_an_80_column_terminal_shows_every_figure_of_the_portfolio(tmp_path: Path) -> None:
    env = {**clean_env(tmp_path), "COLUMNS": "80", "KEEPWORD_NOW": "2026-11-23T09:00:00Z"}
    shown = keepword("--db", str(tmp_path / "demo.db"), "demo", "--no-serve", env=env).stdout
    lines = shown.splitlines()
    assert all(len(line) <= 80 for line in lines)
    header = next(line for line in lines if "Client" in line)
    assert [h.strip() for h in header.split("│")] == [
        "Client", "Commitment", "Due", "State", "On time", "P85", "Health",
    ]  # fmt: skip
    voice_bot = next(line for line in lines if "voice-bot" in line)
    # The odds and the health whole, the odds never a flat 0 %.
    assert [c.strip() for c in voice_bot.split("│")][4:] == ["<1%", "2027-01-29", "off track"]


def test_loading_the_same_file_twice_records_nothing_new(db: str) -> None:
    keepword("--db", db, "load", str(DEMO_PLAN))
    events = json.loads(keepword("--db", db, "history", "--json", "--limit", "100000").stdout)
    again = keepword("--db", db, "load", str(DEMO_PLAN))
    assert "Nothing changed" in again.stdout
    after = json.loads(keepword("--db", db, "history", "--json", "--limit", "100000").stdout)
    assert after == events
    assert {e["action"] for e in events if e["entity"] != "signal"} == {"created"}
    # The demo's failed-demo warning signs are raised as it loads, once.
    assert {e["action"] for e in events if e["entity"] == "signal"} == {"raised"}
    assert all(e["actor"] and e["at"].endswith("+00:00") for e in events)


def test_load_export_load_gives_the_same_portfolio(
    db: str, tmp_path: Path, demo_portfolio: Portfolio
) -> None:
    keepword("--db", db, "load", str(DEMO_PLAN))
    first = tmp_path / "first.yaml"
    assert keepword("--db", db, "export", str(first)).code == 0
    assert read_plan(first) == demo_portfolio
    other = str(tmp_path / "other.db")
    keepword("--db", other, "init")
    assert keepword("--db", other, "load", str(first)).code == 0
    second = keepword("--db", other, "export").stdout
    assert second == first.read_text(encoding="utf-8")


def test_a_changed_plan_file_records_what_changed(db: str, tmp_path: Path) -> None:
    keepword("--db", db, "load", str(DEMO_PLAN))
    text = keepword("--db", db, "export").stdout
    edited = tmp_path / "edited.yaml"
    first_commitment = read_plan(DEMO_PLAN).commitments[0]
    old_due = first_commitment.due.isoformat()
    assert text.count(f"due: {old_due}") >= 1
    edited.write_text(text.replace(f"due: {old_due}", "due: 2027-06-30", 1), encoding="utf-8")
    result = keepword("--db", db, "load", str(edited))
    assert "0 created, 1 changed, 0 removed" in result.stdout
    [event] = json.loads(keepword("--db", db, "history", "--json", "--limit", "1").stdout)
    assert event["action"] == "changed"
    assert event["entity"] == "commitment"
    assert (event["before"]["due"], event["after"]["due"]) == (old_due, "2027-06-30")


PROSPECT = """\
keepword: 1
clients:
  - {id: globex, name: Globex}
projects:
  - id: globex-portal
    client: globex
    name: Globex portal
    start: 2026-12-01
    lead: amara
    items:
      - {id: login, title: Login page, skill: backend,
         estimate: {optimistic: 1, likely: 2, pessimistic: 4}}
"""


def test_loading_one_new_project_adds_it_and_removes_nothing(db: str, tmp_path: Path) -> None:
    keepword("--db", db, "load", str(DEMO_PLAN))
    before = keepword("--db", db, "export").stdout
    prospect = tmp_path / "prospect.yaml"
    prospect.write_text(PROSPECT, encoding="utf-8")

    dry = keepword("--db", db, "load", str(prospect), "--dry-run")
    assert dry.code == 0, dry.stderr
    assert "nothing written" in dry.stdout
    assert "3 would be created, 0 would be changed, 0 would be removed" in dry.stdout
    assert keepword("--db", db, "export").stdout == before

    merged = keepword("--db", db, "load", str(prospect))
    assert "3 created, 0 changed, 0 removed" in merged.stdout
    assert "Kept " in merged.stdout
    exported = tmp_path / "after.yaml"
    keepword("--db", db, "export", str(exported))
    projects = [p.id for p in read_plan(exported).projects]
    assert projects == [*(p.id for p in read_plan(DEMO_PLAN).projects), "globex-portal"]


def test_replacing_lists_what_would_go_and_needs_a_yes(db: str, tmp_path: Path) -> None:
    keepword("--db", db, "load", str(DEMO_PLAN))
    before = keepword("--db", db, "export").stdout
    prospect = tmp_path / "prospect.yaml"
    # Whole on its own for --replace: no stored person or skill to lean on.
    whole = PROSPECT.replace("    lead: amara\n", "").replace(" skill: backend,", "")
    prospect.write_text(whole, encoding="utf-8")

    refused = keepword("--db", db, "load", str(prospect), "--replace")  # no terminal to ask
    assert refused.code == 1
    assert "projects (6): voice-bot, pitchwell-app" in refused.stdout
    assert "items (140): 34 of voice-bot" in refused.stdout
    assert refused.stderr.startswith("keepword: error: --replace would remove 205 entries")
    assert keepword("--db", db, "export").stdout == before

    replaced = keepword("--db", db, "load", str(prospect), "--replace", "--yes")
    assert replaced.code == 0, replaced.stderr
    assert "3 created, 0 changed, 205 removed" in replaced.stdout
    rows = json.loads(keepword("--db", db, "portfolio", "--json").stdout)
    assert rows == []


def test_usage_errors_exit_2_with_one_line_and_no_traceback(db: str) -> None:
    for args in (["lod", "x"], ["history", "--limit", "zero"], ["load"], ["serve", "--port", "0"]):
        result = keepword("--db", db, *args)
        assert result.code == 2, args
        assert result.stderr.count("\n") == 1, result.stderr
        assert result.stderr.startswith("keepword: error: ")
        assert "Traceback" not in result.stderr


def test_commands_on_a_missing_database_say_to_run_init(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.db"
    result = keepword("--db", str(missing), "portfolio")
    assert (result.code, result.stderr) == (
        1,
        f"keepword: error: no database at {missing}; run 'keepword init' first\n",
    )
    assert not missing.exists()


def test_unreachable_postgres_is_one_clear_line() -> None:
    result = keepword("--db", "postgresql://nobody@127.0.0.1:1/none", "portfolio")
    assert result.code == 1
    assert result.stderr.startswith("keepword: error: database error: connection failed")
    assert result.stderr.count("\n") == 1


def test_version_and_help() -> None:
    from keepword import __version__

    assert keepword("--version").stdout == f"keepword {__version__}\n"
    help_text = keepword("--help").stdout
    for command in ("init", "load", "export", "demo", "serve", "portfolio", "history", "db"):
        assert command in help_text


def test_database_url_comes_from_the_environment(tmp_path: Path) -> None:
    env = clean_env(tmp_path) | {"KEEPWORD_DATABASE_URL": f"sqlite:///{tmp_path / 'env.db'}"}
    assert keepword("init", env=env).code == 0
    assert keepword("load", str(DEMO_PLAN), env=env).code == 0
    assert (tmp_path / "env.db").exists()
    assert json.loads(keepword("portfolio", "--json", env=env).stdout)


def test_demo_uses_its_own_database_in_the_data_directory(
    tmp_path: Path, demo_portfolio: Portfolio
) -> None:
    env = clean_env(tmp_path)
    result = keepword("demo", "--no-serve", env=env)
    assert result.code == 0, result.stderr
    assert (tmp_path / ".local" / "share" / "keepword" / "demo.db").exists()
    assert not (tmp_path / ".local" / "share" / "keepword" / "keepword.db").exists()
    # The stories are told as of the demo's own Monday, whatever today is.
    assert "as of Mon 23 Nov 2026 09:00 UTC" in result.stdout
    for client in demo_portfolio.clients:
        if any(
            demo_portfolio.project(c.project).client == client.id
            for c in demo_portfolio.commitments
        ):
            assert client.name in result.stdout


@pytest.mark.postgres
def test_cli_round_trip_on_postgres(
    postgres_url: str, tmp_path: Path, demo_portfolio: Portfolio
) -> None:
    assert keepword("--db", postgres_url, "db", "upgrade").code == 0
    assert keepword("--db", postgres_url, "load", str(DEMO_PLAN)).code == 0
    exported = tmp_path / "pg.yaml"
    assert keepword("--db", postgres_url, "export", str(exported)).code == 0
    assert read_plan(exported) == demo_portfolio
    events = json.loads(keepword("--db", postgres_url, "history", "--json", "--limit", "5").stdout)
    assert len(events) == 5


def test_a_plan_file_cannot_move_a_commitment_backwards(db: str, tmp_path: Path) -> None:
    keepword("--db", db, "load", str(DEMO_PLAN))
    demo = read_plan(DEMO_PLAN)
    index, committed = next(
        (n, c) for n, c in enumerate(demo.commitments) if c.state.value == "committed"
    )
    text = keepword("--db", db, "export").stdout
    lines = text.splitlines(keepends=True)
    start = lines.index(f"- id: {committed.id}\n")
    state_line = next(n for n in range(start, len(lines)) if lines[n] == "  state: committed\n")
    lines[state_line] = "  state: proposed\n"
    edited = tmp_path / "backwards.yaml"
    edited.write_text("".join(lines), encoding="utf-8")
    result = keepword("--db", db, "load", str(edited))
    assert result.code == 1
    assert result.stderr == (
        f"keepword: error: {edited}:{state_line + 1}:3: commitments[{index}].state: "
        f"commitment {committed.id} cannot go from committed to proposed "
        "(allowed: at_risk, met, missed, renegotiated)\n"
    )


def test_portfolio_gains_forecast_columns(demo_db: str) -> None:
    rows = json.loads(keepword("--db", demo_db, "portfolio", "--as-of", AS_OF, "--json").stdout)
    assert all(0 <= row["forecast"]["on_time"] <= 1 for row in rows)
    assert all(row["forecast"]["p85"] >= AS_OF for row in rows)
    table = keepword("--db", demo_db, "portfolio", "--as-of", AS_OF).stdout
    assert "On time" in table
    assert "P85" in table
