"""Issue 18's file faults: stray quotes, delimiters, encodings, duplicate JSON keys, atomic
writes with a manifest, and workbooks in and out."""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest
from tests.io.test_io import good_mentees, good_mentors, problems_of, tiny_result, write_files

from matchkit import Cohort, InputError, Mentee, Mentor, solve
from matchkit.io import read_cohort, read_policy, read_result, write_cohort, write_result
from matchkit.io.atomic import MANIFEST, FileSet, check_set
from matchkit.io.cells import read_rows

# --- stray quotes: never a silently shorter file ----------------------------------------------


def test_a_stray_quote_is_an_error_naming_row_and_column_and_no_other_cell(tmp_path: Path) -> None:
    mentees = good_mentees(
        's-2,middle,2,math:1,Sat 10:00-12:00,Mapo-gu,,,,,,"call after 6',
        "s-3,high,1,math:1,Sat 10:00-12:00,Nowon-gu",
        "s-4,high,1,math:1,Sat 10:00-12:00,Nowon-gu",
    )
    header = (
        "id,level,grade,needs,availability,district,lat,lon,priority,previous_mentor,avoid,"
        "attr.note"
    )
    mentees = mentees.replace(mentees.splitlines()[0], header, 1)
    folder = write_files(tmp_path / "c", good_mentors(), mentees)
    found = problems_of(folder)
    assert len(found) == 1
    assert found[0].startswith("mentees.csv row 3, column attr.note: ")
    assert "'\"call after 6'" in found[0]
    assert "s-3" not in found[0]
    assert "Nowon" not in found[0]


def test_a_quote_closed_rows_later_is_an_error_not_a_merged_cell(tmp_path: Path) -> None:
    mentors = good_mentors(
        'm-2,math:4,3,Sat 10:00-14:00,Mapo-gu,,,1,false,"Seoul',
        'm-3,math:4,3,Sat 10:00-14:00,Mapo-gu,,,1,false,Korea"',
    )
    header = "id,subjects,capacity,availability,district,lat,lon,terms_committed,alumni,university"
    mentors = mentors.replace(mentors.splitlines()[0], header, 1)
    folder = write_files(tmp_path / "c", mentors, good_mentees())
    [problem] = problems_of(folder)
    assert problem.startswith("mentors.csv row 3, column university: '\"Seoul': ")
    assert "m-3" not in problem


def test_text_after_a_closing_quote_is_an_error(tmp_path: Path) -> None:
    problems: list = []
    path = tmp_path / "x.csv"
    path.write_text('id,university\nm-1,"Hanyang" Univ\n', encoding="utf-8")
    assert read_rows(path, problems) is None
    assert str(problems[0]).startswith("x.csv row 2, column university: ")


def test_a_multiline_note_in_an_attribute_column_is_kept(tmp_path: Path) -> None:
    header = "id,level,grade,needs,availability,district,attr.note"
    mentees = f'{header}\ns-1,middle,2,math:1,Sat 10:00-12:00,Mapo-gu,"first line\nsecond line"\n'
    folder = write_files(tmp_path / "c", good_mentors(), mentees)
    cohort = read_cohort(folder)
    assert cohort.mentees[0].attributes["note"] == "first line\nsecond line"


# --- delimiters and encodings -----------------------------------------------------------------


def test_a_semicolon_separated_file_gets_one_message(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path / "c", good_mentors().replace(",", ";"), good_mentees().replace(",", ";")
    )
    found = problems_of(folder)
    assert found == [
        f"{name}: has its columns separated by semicolons (;), not commas; save it as "
        "'CSV UTF-8 (comma delimited)'"
        for name in ("mentors.csv", "mentees.csv")
    ]


def test_a_cp949_file_from_korean_excel_is_read(tmp_path: Path) -> None:
    folder = write_files(tmp_path / "c", good_mentors(), good_mentees())
    text = good_mentees("s-2,middle,2,수학:1,토 10:00-12:00,노원구").replace("s-1", "학생-1")
    (folder / "mentees.csv").write_bytes(text.encode("cp949"))
    cohort = read_cohort(folder)
    assert [s.id for s in cohort.mentees] == ["학생-1", "s-2"]
    assert cohort.mentees[1].needs == {"수학": 1}


def test_semicolon_lists_are_quoted_on_write(tmp_path: Path) -> None:
    cohort = Cohort(
        mentors=[
            Mentor(
                id="m-1",
                subjects={"math": 4, "english": 3},
                availability="Sat 10:00-14:00",
                district="Mapo-gu",
            )
        ],
        mentees=[],
    )
    write_cohort(cohort, tmp_path / "c")
    line = (tmp_path / "c" / "mentors.csv").read_text("utf-8-sig").splitlines()[1]
    assert line.startswith('m-1,"math:4; english:3",')


# --- JSON -------------------------------------------------------------------------------------


def test_a_repeated_json_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "p.json").write_text('{"max_travel_km": 5, "max_travel_km": 50}')
    with pytest.raises(InputError, match="'max_travel_km' appears more than once"):
        read_policy(tmp_path / "p.json")
    text = json.dumps({"mentors": [], "mentees": []})
    (tmp_path / "c.json").write_text(text.replace('"mentees": []', '"mentees": [], "mentors": []'))
    with pytest.raises(InputError, match="appears more than once"):
        read_cohort(tmp_path / "c.json")


# --- atomic writes and the manifest -----------------------------------------------------------


def test_an_interrupted_cohort_write_leaves_the_previous_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = read_cohort(write_files(tmp_path / "c", good_mentors(), good_mentees()))
    write_cohort(before, tmp_path / "c")
    saved = {p.name: p.read_bytes() for p in (tmp_path / "c").iterdir()}
    bigger = Cohort(mentors=before.mentors * 1, mentees=())

    def interrupted(path: Path, *args: object) -> None:
        path.write_text("id,subjects\nm-1,ma")  # half a file, then Ctrl-C
        raise KeyboardInterrupt

    monkeypatch.setattr("matchkit.io.files.write_people", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_cohort(bigger, tmp_path / "c")
    assert {p.name: p.read_bytes() for p in (tmp_path / "c").iterdir()} == saved
    assert read_cohort(tmp_path / "c") == before


def test_a_set_interrupted_while_renaming_is_refused(tmp_path: Path) -> None:
    write_cohort(
        read_cohort(write_files(tmp_path / "c", good_mentors(), good_mentees())), tmp_path / "c"
    )
    manifest = json.loads((tmp_path / "c" / MANIFEST).read_text())
    manifest["sets"]["cohort"]["state"] = "writing"
    (tmp_path / "c" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(InputError, match="being written when the run stopped") as info:
        read_cohort(tmp_path / "c")
    assert info.value.codes() == ["interrupted_write"]


def test_a_hand_edited_cohort_file_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    write_cohort(read_cohort(write_files(folder, good_mentors(), good_mentees())), folder)
    path = folder / "mentees.csv"
    lines = path.read_text("utf-8-sig").splitlines()
    path.write_text("\n".join([*lines, lines[1].replace("s-1", "s-2", 1)]) + "\n", "utf-8")
    assert [s.id for s in read_cohort(folder).mentees] == ["s-1", "s-2"]
    assert check_set(folder, "cohort").changed == ("mentees.csv",)


def test_a_result_folder_is_one_set_and_a_stale_transition_goes(tmp_path: Path) -> None:
    result = tiny_result()
    out = tmp_path / "r"
    out.mkdir()
    (out / "transition.csv").write_text("from an earlier rematch\n")
    files = FileSet(out, "result", ("transition.csv",))
    files.add("transition.csv", lambda p: p.write_text("old\n"))
    files.commit()
    write_result(result, out)
    assert not (out / "transition.csv").exists()
    state = check_set(out, "result")
    assert set(state.listed) == {
        "result.json",
        "matches.csv",
        "unmatched.csv",
        "roster.csv",
        "result.xlsx",
    }
    assert state.records["matches.csv"] == len(result.matches) + len(result.unmatched)
    assert not state.changed


def test_an_edited_result_json_in_a_folder_is_refused(tmp_path: Path) -> None:
    write_result(tiny_result(), tmp_path / "r")
    path = tmp_path / "r" / "result.json"
    path.write_text(path.read_text().replace('"objective": ', '"objective": 1', 1))
    with pytest.raises(InputError, match=r"result\.json is not for editing"):
        read_result(tmp_path / "r")


def test_no_temporary_file_is_left_after_a_failed_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("matchkit.io.files.write_workbook", broken)
    with pytest.raises(OSError, match="disk full"):
        write_result(tiny_result(), tmp_path / "r")
    assert sorted(os.listdir(tmp_path / "r")) == []


# --- workbooks --------------------------------------------------------------------------------


def korean_cohort() -> Cohort:
    return Cohort(
        mentors=[
            Mentor(
                id="m-1",
                name="김민수",
                subjects={"수학": 4, "영어": 3},
                capacity=2,
                availability="월~금 19:00-21:00",
                mode="offline",
                district="노원구",
                attributes={"university": "서울대학교"},
            )
        ],
        mentees=[
            Mentee(
                id="s-1",
                name='=HYPERLINK("x")',
                level="middle",
                grade=2,
                needs={"수학": 1},
                availability="수 19:00-21:00",
                mode="offline",
                district="Nowon-gu",
            )
        ],
    )


def test_a_cohort_workbook_round_trips(tmp_path: Path) -> None:
    cohort = korean_cohort()
    write_cohort(cohort, tmp_path / "cohort.xlsx")
    assert read_cohort(tmp_path / "cohort.xlsx") == cohort
    book = openpyxl.load_workbook(tmp_path / "cohort.xlsx")
    assert book.sheetnames == ["mentors", "mentees"]
    cell = book["mentees"]["B2"] if book["mentees"]["A1"].value == "id" else None
    assert cell is not None
    assert all(c.data_type != "f" for row in book["mentees"].iter_rows() for c in row)


def test_workbook_rows_are_the_sheet_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "멘토"
    ws.append(["id", "subjects", "availability", "district"])
    ws.append(["m-1", "수학:4", "월 19:00-21:00", "마포구"])
    mentees = book.create_sheet("mentees")
    mentees.append(["id", "level", "grade", "needs", "availability", "district"])
    mentees.append(["s-1", "middle", 2, "수학", "월 19:00-20:00", "마포"])
    mentees.append([])
    mentees.append(["s-2", "middle", 9, "수학", "월 19:00-20:00", "마포"])
    book.save(tmp_path / "c.xlsx")
    with pytest.raises(InputError) as info:
        read_cohort(tmp_path / "c.xlsx")
    [problem] = [str(p) for p in info.value.problems]
    assert problem.startswith("c.xlsx sheet mentees row 4 (mentee 's-2'), column grade: ")


def test_a_formula_without_a_saved_value_is_an_error(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "mentors"
    ws.append(["id", "subjects", "capacity", "availability", "district"])
    ws.append(["m-1", "math:4", "=1+2", "Mon 19:00-21:00", "Mapo-gu"])
    book.create_sheet("mentees").append(
        ["id", "level", "grade", "needs", "availability", "district"]
    )
    book.save(tmp_path / "c.xlsx")
    with pytest.raises(
        InputError, match="row 2, column capacity: is a formula with no saved value"
    ):
        read_cohort(tmp_path / "c.xlsx")


def test_a_result_workbook_has_every_sheet(tmp_path: Path) -> None:
    cohort = korean_cohort()
    result = solve(cohort)
    write_result(result, tmp_path / "result.xlsx", cohort=cohort)
    book = openpyxl.load_workbook(tmp_path / "result.xlsx")
    assert book.sheetnames == ["matches", "summary", "unmatched", "roster"]
    header = [c.value for c in book["matches"][1]]
    assert "mentee_name" in header
    values = [c.value for c in book["matches"][2]]
    assert '=HYPERLINK("x")' in values
    assert all(c.data_type != "f" for row in book["matches"].iter_rows() for c in row)


def test_a_workbook_that_is_not_one_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "c.xlsx").write_text("id,subjects\n")
    with pytest.raises(InputError, match="is not a readable Excel workbook"):
        read_cohort(tmp_path / "c.xlsx")
