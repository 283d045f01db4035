"""``history import`` and ``backtest`` through the installed entry point."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import ROOT
from tests.e2e.cli import keepword

HISTORIES = ROOT.parent / "shared" / "data" / "histories"


HEADER = "project,item_id,created,started,done,kind,points,size,estimate_hours,actual_hours\n"


def test_a_history_file_with_bad_rows_imports_nothing_and_names_each(
    demo_db: str, tmp_path: Path
) -> None:
    csv = tmp_path / "history.csv"
    csv.write_text(
        HEADER + "x,A-1,,2026-10-01,2026-10-02,feature,,,8,12\n"
        "x,A-2,,,not-a-date,bug,,,,\n"
        "x,A-3,,2026-10-09,2026-10-05,bug,,,,\n"
        "x,A-4,,,,bug,,,,\n"
        "x,A-5,,,2030-01-01,bug,,,,\n",
        encoding="utf-8",
    )
    before = keepword("--db", demo_db, "history", "--json", "--limit", "1").stdout
    result = keepword("--db", demo_db, "history", "import", str(csv), "--project", "voice-bot")
    assert result.code == 1
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    prefix = f"keepword: error: {csv}:"
    assert [line.removeprefix(prefix).split(":")[0] for line in errors[:3]] == ["3", "5", "6"]
    assert "2030-01-01 is in the future" in errors[2]
    assert errors[-1].endswith("3 rows cannot be imported; nothing was imported")
    assert "Traceback" not in result.stderr
    assert keepword("--db", demo_db, "history", "--json", "--limit", "1").stdout == before


def test_history_import_merges_good_rows_by_id(demo_db: str, tmp_path: Path) -> None:
    csv = tmp_path / "history.csv"
    csv.write_text(
        HEADER + "x,A-1,,2026-10-01,2026-10-02,feature,,,8,12\n"
        "x,A-3,,2026-10-09,2026-10-05,bug,,,,\n",
        encoding="utf-8",
    )
    result = keepword("--db", demo_db, "history", "import", str(csv), "--project", "voice-bot")
    assert result.code == 0, result.stderr
    assert "2 new" in result.stdout
    [event] = json.loads(keepword("--db", demo_db, "history", "--json", "--limit", "1").stdout)
    assert (event["entity"], event["entity_id"]) == ("history", "voice-bot")
    imported = {item["id"]: item for item in event["after"]}
    assert imported["A-1"]["estimate"] == 1.0
    assert imported["A-1"]["actual"] == 1.5
    assert imported["A-3"]["started"] is None  # done before started: the start is left out


def test_backtest_json_has_the_documented_shape() -> None:
    result = keepword("backtest", str(HISTORIES / "cesaw-614.csv"), "--json", "--trials", "1000")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["project"] == "cesaw-614"
    assert [r["k"] for r in report["results"]] == [10, 30]
    for row in report["results"]:
        assert set(row) == {"k", "origins", "coverage", "pinball_85", "straight_line_pinball_85"}
        assert row["origins"] > 0
        assert set(row["coverage"]) == {"p50", "p85", "p95"}
        assert row["coverage"]["p50"] <= row["coverage"]["p85"] <= row["coverage"]["p95"]


def test_backtest_of_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    result = keepword("backtest", str(tmp_path / "none.csv"))
    assert result.code == 1
    assert result.stderr.startswith(f"keepword: error: {tmp_path / 'none.csv'}:")
    assert result.stderr.count("\n") == 1
