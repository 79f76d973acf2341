"""The office's workflow end to end (issue 18): a hand-typed Korean workbook in, a results
workbook out, the officer's edit of the matches sheet verified."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from matchkit.cli import app
from matchkit.io import read_cohort

ROOT = Path(__file__).resolve().parents[1]
WORKBOOK = ROOT / "examples" / "office" / "cohort.xlsx"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_the_committed_workbook_is_what_its_script_types(tmp_path: Path) -> None:
    script = tmp_path / "make_workbook.py"
    shutil.copy(ROOT / "examples" / "office" / "make_workbook.py", script)
    runpy.run_path(str(script), run_name="__main__")
    assert read_cohort(tmp_path / "cohort.xlsx") == read_cohort(WORKBOOK)


def test_the_hand_typed_workbook_is_understood() -> None:
    cohort = read_cohort(WORKBOOK)
    assert len(cohort.mentors) == 6
    assert len(cohort.mentees) == 10
    m1 = cohort.mentors[0]
    assert m1.name == "김도윤"
    assert str(m1.availability).startswith("Mon 19:00-21:00, Tue 19:00-21:00")  # 월~금
    s1 = cohort.mentees[0]
    assert s1.needs == {"수학": 1}  # a need typed without a weight
    assert s1.attributes["school"] == "상계중"
    assert cohort.mentees[5].attributes["school"] == "=관악고"  # text, not a formula


def _sheet(path: Path, name: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path)
    rows = list(book[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]


def test_workbook_in_workbook_out_and_the_edited_sheet_verified(
    runner: CliRunner, tmp_path: Path
) -> None:
    out = tmp_path / "result.xlsx"
    done = runner.invoke(app, ["solve", str(WORKBOOK), "--out", str(out)])
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["matches", "summary", "unmatched", "roster"]
    matches = _sheet(out, "matches")
    assert {r["mentee_id"] for r in matches} == {f"s-{k:02d}" for k in range(1, 11)}
    by_id = {r["mentee_id"]: r for r in matches}
    assert by_id["s-01"]["mentee_name"] == "윤서준"
    assert by_id["s-01"]["mentor_id"] == "m-01"  # 노원 and Nowon-gu: the same district
    unmatched = _sheet(out, "unmatched")
    assert [r["mentee_id"] for r in unmatched] == ["s-09"]
    assert unmatched[0]["reason"] == "no_subject"
    roster = _sheet(out, "roster")
    assert {r["mentor_id"] for r in roster} == {f"m-{k:02d}" for k in range(1, 7)}
    assert all(c.data_type != "f" for ws in book for row in ws.iter_rows() for c in row)

    # The unedited workbook verifies.
    done = runner.invoke(app, ["verify", str(WORKBOOK), str(out)])
    assert done.exit_code == 0, done.output

    # The officer moves s-07 (offline only, Saturday in Nowon) to m-06 (online only, Sunday).
    book = openpyxl.load_workbook(out)
    ws = book["matches"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "s-07")
    row[header.index("mentor_id")].value = "m-06"
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    done = runner.invoke(app, ["verify", str(WORKBOOK), str(edited)])
    assert done.exit_code == 1, done.output
    assert "s-07" in done.output
    assert "김" not in done.output  # no names in what verify prints

    # A valid edit: s-05 left without a mentor is allowed, and said to differ.
    book = openpyxl.load_workbook(out)
    ws = book["matches"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "s-05")
    row[header.index("mentor_id")].value = None
    book.save(edited)
    done = runner.invoke(app, ["verify", str(WORKBOOK), str(edited)])
    assert done.exit_code == 0, done.output
