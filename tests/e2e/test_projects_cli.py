"""``forecast`` and ``chart`` through the installed entry point: one project's forecast, as
tables or JSON, and written as an SVG or PNG file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.e2e.cli import keepword

AS_OF = "2026-11-23"
SVG = "{http://www.w3.org/2000/svg}"


def test_forecast_json_is_reproducible_with_a_seed(demo_db: str) -> None:
    args = ("--db", demo_db, "forecast", "voice-bot", "--as-of", AS_OF, "--trials", "2000")
    first = json.loads(keepword(*args, "--json").stdout)
    again = json.loads(keepword(*args, "--json").stdout)
    other = json.loads(keepword(*args, "--json", "--seed", "99").stdout)
    assert first == again
    assert first != other
    assert first["mode"] == "estimate"
    assert [p["id"] for p in first["phases"]] == [
        "call-flows",
        "understanding",
        "self-service",
        "handoff-golive",
    ]
    for finish in [*first["phases"], first["whole"], *first["commitments"]]:
        assert finish["p50"] <= finish["p85"] <= finish["p95"]
    [commitment] = first["commitments"]
    assert commitment["id"] == "voice-bot-launch"
    assert 0 <= commitment["on_time"] <= 1
    assert (
        first["cut_lines"]["voice-bot-launch"]
        == [p["id"] for p in first["phases"] if p["p85"] <= commitment["due"]][
            : len(first["cut_lines"]["voice-bot-launch"])
        ]
    )


def test_forecast_table_names_phases_commitments_and_people(demo_db: str) -> None:
    result = keepword("--db", demo_db, "forecast", "voice-bot", "--as-of", AS_OF)
    assert result.code == 0, result.stderr
    for text in ("Whole project", "voice-bot-launch", "Who decides the date", "Amara Okafor"):
        assert text in result.stdout


def test_forecast_tables_fit_the_terminal_and_shorten_only_when_narrow(demo_db: str) -> None:
    import os

    def forecast(columns: str) -> list[str]:
        env = {**os.environ, "COLUMNS": columns}
        result = keepword("--db", demo_db, "forecast", "voice-bot", "--as-of", AS_OF, env=env)
        assert result.code == 0, result.stderr
        return result.stdout.splitlines()

    wide = forecast("200")
    [row] = [line for line in wide if line.strip().startswith("voice-bot-launch ")]
    assert row.split()[:3] == ["voice-bot-launch", "2027-01-18", "<1%"]  # never a flat 0%
    assert any("Understanding callers: intents and entities" in line for line in wide)
    assert all(len(line) <= 80 for line in forecast("80"))


def test_forecast_of_an_unknown_project_is_one_clear_line(demo_db: str) -> None:
    result = keepword("--db", demo_db, "forecast", "nope")
    assert (result.code, result.stderr) == (1, "keepword: error: no project with id 'nope'\n")


def _chart(demo_db: str, *args: str) -> tuple[int, str, str]:
    run = keepword(
        "--db", demo_db, "chart", *args, "--as-of", AS_OF, "--trials", "1000", "--seed", "3"
    )
    return run.code, run.stdout, run.stderr


def test_a_burn_up_svg_parses_and_names_the_project(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "charts" / "burn-up.svg"
    code, stdout, stderr = _chart(demo_db, "pitchwell-app", "burn-up", "--out", str(target))
    assert code == 0, stderr
    root = ET.parse(target).getroot()
    assert root.tag == f"{SVG}svg"
    title = root.findtext(f"{SVG}title") or ""
    assert title.startswith("Pitchwell")
    # The due date of its open commitment (pitchwell-v1, due 26 March 2027) is stated.
    assert "due Fri 26 Mar 2027" in (root.findtext(f"{SVG}desc") or "")
    assert stdout.strip().startswith(f"Wrote the burn-up chart of pitchwell-app to {target}")
    assert len(stdout.strip().splitlines()) == 1


def test_a_finish_png_starts_with_the_png_signature(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "finish.png"
    code, _, stderr = _chart(demo_db, "voice-bot", "finish", "--out", str(target))
    assert code == 0, stderr
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_a_bad_suffix_exits_1_with_one_clear_line(demo_db: str, tmp_path: Path) -> None:
    target = tmp_path / "finish.pdf"
    code, _, stderr = _chart(demo_db, "voice-bot", "finish", "--out", str(target))
    assert code == 1
    assert stderr.strip().splitlines() == [
        f"keepword: error: {target}: cannot write a chart as .pdf; use .svg or .png"
    ]
    assert not target.exists()


def test_an_unknown_project_exits_1_without_a_traceback(demo_db: str, tmp_path: Path) -> None:
    code, _, stderr = _chart(demo_db, "nope", "finish", "--out", str(tmp_path / "x.svg"))
    assert code == 1
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert "nope" in stderr
