"""Reading the six real delivery histories, and rejecting malformed rows by line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from keepword.adapters.histories import BadValue, read_history

HISTORIES = Path(__file__).resolve().parents[3] / "shared" / "data" / "histories"
NAMES = ["7digital", "agile-dataset-P1", "cesaw-614", "numpy", "openfoodnetwork", "sip-PC2"]


@pytest.mark.parametrize("name", NAMES)
def test_every_real_history_reads_completely(name: str) -> None:
    path = HISTORIES / f"{name}.csv"
    rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
    history = read_history(path)
    assert len(history.items) + len(history.rejected) == rows
    assert not history.rejected
    assert all(item.project == name for item in history.items)
    assert len(history.done_dates()) > 100


def test_git_histories_leave_bots_out_of_throughput() -> None:
    history = read_history(HISTORIES / "numpy.csv")
    bots = sum(item.kind == "bot" for item in history.items)
    assert len(history.done_dates()) == len(history.items) - bots


def test_hours_and_datetimes_are_read() -> None:
    history = read_history(HISTORIES / "cesaw-614.csv")
    first = history.items[0]
    assert first.done == date(2014, 10, 22)
    assert first.estimate_hours == pytest.approx(3.03333)


def test_malformed_rows_are_rejected_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "project,item_id,created,started,done,kind,points,size,estimate_hours,actual_hours\n"
        "p,1,,,2024-01-05,bug,,,,\n"
        "p,2,,,2024-13-01,bug,,,,\n"
        "p,3,,,,bug,,,,\n"
        "p,4,,2024-02-01,2024-01-20T10:00:00Z,bug,,,,\n"
        "p,5,,,yesterday,bug,,,,\n"
        "p,6,,,2024-01-07,bug,,,lots,\n"
        "p,7,,,2024-01-07,bug,,,,,extra\n",
        encoding="utf-8",
    )
    history = read_history(path)
    assert [item.item_id for item in history.items] == ["1", "4"]
    assert [problem.line for problem in history.rejected] == [3, 4, 6, 7, 8]
    assert "done is empty" in history.rejected[1].message
    assert "estimate_hours" in history.rejected[3].message
    # Done before started is real-world data: kept, and noted.
    assert [note.line for note in history.notes] == [5]


def test_a_nul_anywhere_refuses_the_file_naming_its_line(tmp_path: Path) -> None:
    # PostgreSQL cannot store a NUL; no cell of a real export holds one.
    path = tmp_path / "nul.csv"
    path.write_text("item_id,done\n1,2024-01-05\n2\x00,2024-01-06\n", encoding="utf-8")
    with pytest.raises(BadValue, match="line 3: a NUL character"):
        read_history(path)
