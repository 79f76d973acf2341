"""read_matches: the matches sheet read back by its mentee_id and mentor_id columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.records import one_mentor_cohort

from matchkit import Cohort, solve
from matchkit.errors import InputError
from matchkit.io import read_matches, write_result


def _cohort() -> Cohort:
    return one_mentor_cohort(capacity=3)


def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "matches.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_written_folder_csv_and_workbook_read_back(tmp_path: Path) -> None:
    cohort = _cohort()
    result = solve(cohort)
    write_result(result, tmp_path / "res", cohort=cohort)
    write_result(result, tmp_path / "alone.xlsx", cohort=cohort)
    expected: dict[str, str | None] = {m.mentee_id: m.mentor_id for m in result.matches}
    expected |= {u.mentee_id: None for u in result.unmatched}
    assert read_matches(tmp_path / "res") == expected
    assert read_matches(str(tmp_path / "res" / "matches.csv")) == expected
    assert read_matches(tmp_path / "res" / "result.xlsx") == expected
    assert read_matches(tmp_path / "alone.xlsx") == expected


def test_columns_by_name_other_columns_ignored_blank_rows_skipped(tmp_path: Path) -> None:
    p = _csv(
        tmp_path,
        "note,Mentor_ID, mentee_id ,score\n"
        "call back,m-1,s-1,not a number\n"
        ",,,\n"
        "\n"
        "x,,s-2,\n"
        "y,'=m-2,'=s-3,\n",
    )
    assert read_matches(p) == {"s-1": "m-1", "s-2": None, "=s-3": "=m-2"}


def test_missing_columns_named(tmp_path: Path) -> None:
    p = _csv(tmp_path, "mentee,mentor\ns-1,m-1\n")
    with pytest.raises(InputError) as e:
        read_matches(p)
    assert e.value.codes() == ["missing_column", "missing_column"]
    text = str(e.value)
    assert "matches.csv row 1" in text
    assert "'mentee_id'" in text
    assert "'mentor_id'" in text


def test_empty_mentee_id_names_row_and_column(tmp_path: Path) -> None:
    p = _csv(tmp_path, "mentee_id,mentor_id\ns-1,m-1\n ,m-2\n")
    with pytest.raises(InputError) as e:
        read_matches(p)
    assert e.value.codes() == ["empty_id"]
    assert "matches.csv row 3, column mentee_id" in str(e.value)
    assert "'m-2'" in str(e.value)


def test_mentee_listed_twice_names_both_rows(tmp_path: Path) -> None:
    p = _csv(tmp_path, "mentee_id,mentor_id,mentee_name\ns-1,m-1,Kim\ns-2,,Lee\ns-1,,Kim\n")
    with pytest.raises(InputError) as e:
        read_matches(p)
    assert e.value.codes() == ["duplicate_id"]
    text = str(e.value)
    assert "row 4, column mentee_id" in text
    assert "'s-1'" in text
    assert "row 2" in text
    assert "Kim" not in text  # never other fields of a person


def test_workbook_edited_and_workbook_problems(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    cohort = _cohort()
    p = tmp_path / "r.xlsx"
    write_result(solve(cohort), p, cohort=cohort)
    book = load_workbook(p)
    sheet = book["matches"]
    header = [c.value for c in sheet[1]]
    col = header.index("mentor_id") + 1
    sheet.cell(row=2, column=col).value = None
    sheet.cell(row=3, column=header.index("mentee_id") + 1).value = sheet.cell(
        row=2, column=1
    ).value
    book.save(p)
    with pytest.raises(InputError) as e:
        read_matches(p)
    assert e.value.codes() == ["duplicate_id"]
    assert "r.xlsx sheet matches row 3, column mentee_id" in str(e.value)


def test_workbook_without_matches_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    p = tmp_path / "w.xlsx"
    book = Workbook()
    book.create_sheet("other")
    book.remove(book["Sheet"])
    book.save(p)
    with pytest.raises(InputError) as e:
        read_matches(p)
    assert e.value.codes() == ["missing_sheet"]


def test_folder_without_matches_and_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        read_matches(tmp_path)
    assert e.value.codes() == ["missing_file"]
    with pytest.raises(FileNotFoundError):
        read_matches(tmp_path / "nope.csv")
