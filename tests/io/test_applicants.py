"""Applicants in files: hand-typed CSV (English and Korean headers, CP949, stray quotes),
JSON, workbooks and folders; every bad cell named by file, row, id, column and value."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from tests.records import one_mentor_cohort

from matchkit import Applicant, InputError, Mentor
from matchkit.io import (
    read_applicants,
    read_cohort,
    write_applicants,
    write_cohort,
)
from matchkit.io.applicants import APPLICANTS, KOREAN_HEADERS
from matchkit.io.atomic import MANIFEST, check_set

HEADER = "id,subjects,availability,district,university,recommended,review"
KOREAN = "아이디,과목,가능시간,자치구,대학,추천,심사점수,활동학기,멘티출신,이름"


def csv_file(tmp_path: Path, text: str, name: str = "applicants.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        read_applicants(path)
    return [str(p) for p in info.value.problems]


def tricky() -> tuple[Applicant, ...]:
    """Korean text, formula-like text, attributes, coordinates, defaults and not."""
    return (
        Applicant(
            id="a-000001",
            subjects={"수학": 4, "english": 3},
            availability="Mon 18:00-21:00, Sat 10:00-12:30",
            district="노원구",
            coordinates=(37.6542, 127.0568),
            capacity=5,
            terms_committed=4,
            alumni=True,
            university="서울대학교",
            recommended=False,
            review=87.5,
            name="김민수",
            attributes={"note": "=HYPERLINK(1)", "year": 3},
        ),
        Applicant(
            id="@a-2",
            subjects={"science": 5},
            availability="",
            district="Mapo-gu",
            mode="online",
            review=0,
        ),
    )


# --- reading hand-typed files ------------------------------------------------------------


def test_english_headers_and_defaults(tmp_path: Path) -> None:
    p = csv_file(
        tmp_path,
        f"{HEADER}\n"
        "a-1,math:4; english:3,Sat 10:00-14:00,Mapo-gu,Sogang University,,81.5\n"
        "a-2,korean:5,Sun 10:00-12:00,Nowon-gu,,no,70\n",
    )
    a1, a2 = read_applicants(p)
    assert (a1.id, a1.subjects, a1.university, a1.recommended, a1.review) == (
        "a-1",
        {"math": 4, "english": 3},
        "Sogang University",
        True,
        81.5,
    )
    assert (a1.capacity, a1.terms_committed, a1.alumni) == (3, 1, False)
    assert (a2.recommended, a2.review, a2.university) == (False, 70.0, None)


def test_korean_headers_and_yes_no(tmp_path: Path) -> None:
    p = csv_file(
        tmp_path,
        f"{KOREAN}\n"
        "a-1,수학:4,토 10:00-14:00,노원구,광운대학교,예,81.5,4,O,김민수\n"
        "a-2,영어:5,일 10:00-12:00,마포구,서강대학교,아니오,70,2,x,이서연\n"
        "a-3,수학:3,토 10:00-12:00,마포구,서강대학교,네,60,1,아니요,박지훈\n",
    )
    a1, a2, a3 = read_applicants(p)
    assert (a1.recommended, a1.alumni, a1.terms_committed, a1.name) == (True, True, 4, "김민수")
    assert (a2.recommended, a2.alumni) == (False, False)
    assert (a3.recommended, a3.alumni) == (True, False)
    assert a1.subjects == {"수학": 4}
    assert str(a1.availability) == "Sat 10:00-14:00"


def test_cp949_and_bom(tmp_path: Path) -> None:
    text = f"{KOREAN}\na-1,수학:4,토 10:00-14:00,노원구,광운대학교,예,81.5,2,아니오,김민수\n"
    cp949 = tmp_path / "cp949.csv"
    cp949.write_bytes(text.encode("cp949"))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(text.encode("utf-8-sig"))
    assert read_applicants(cp949) == read_applicants(bom)
    assert read_applicants(cp949)[0].university == "광운대학교"


def test_every_bad_cell_is_named_at_once(tmp_path: Path) -> None:
    p = csv_file(
        tmp_path,
        f"{HEADER},name\n"
        "a-1,math:4,Sat 10:00-14:00,Mapo-gu,Sogang,yes,abc,Kim Minsu\n"
        "a-2,math:4,Sat 10:00-14:00,Mapo-gu,Sogang,maybe,120,Lee Seoyeon\n"
        "a-3,math:4,Sat 10:00-14:00,Mapo-gu,Sogang,yes,,Park Jihun\n"
        "a-4,math:4,Sat 10:00-14:00,Mapo-gu,Sogang,yes,-1,Choi Yuna\n",
    )
    problems = problems_of(p)
    assert problems == [
        "applicants.csv row 2 (applicant 'a-1'), column review: 'abc' is not a number",
        "applicants.csv row 3 (applicant 'a-2'), column recommended: 'maybe' is not true "
        "or false (yes/no, 예/아니오, O/X)",
        "applicants.csv row 3 (applicant 'a-2'), column review: '120': 120.0 is above the "
        "largest review score, 100",
        "applicants.csv row 4 (applicant 'a-3'), column review: is required but the cell is empty",
        "applicants.csv row 5 (applicant 'a-4'), column review: '-1': -1.0 is below the "
        "smallest review score, 0",
    ]
    assert not any(n in " ".join(problems) for n in ("Kim", "Lee", "Park", "Choi", "Sogang"))


def test_bad_cells_under_korean_headers_name_both(tmp_path: Path) -> None:
    p = csv_file(
        tmp_path,
        f"{KOREAN}\na-1,수학:4,토 10:00-14:00,노원구,광운대학교,글쎄,inf,0,예,김민수\n",
    )
    assert problems_of(p) == [
        "applicants.csv row 2 (applicant 'a-1'), column 추천 (recommended): '글쎄' is not "
        "true or false (yes/no, 예/아니오, O/X)",
        "applicants.csv row 2 (applicant 'a-1'), column 심사점수 (review): 'inf': inf is not "
        "a finite number",
        "applicants.csv row 2 (applicant 'a-1'), column 활동학기 (terms_committed): '0': "
        "Input should be greater than or equal to 1",
    ]


def test_duplicate_id(tmp_path: Path) -> None:
    p = csv_file(
        tmp_path,
        f"{HEADER}\n"
        "a-1,math:4,Sat 10:00-14:00,Mapo-gu,,,80\n"
        "a-1,english:4,Sat 10:00-14:00,Mapo-gu,,,70\n",
    )
    assert problems_of(p) == [
        "applicants.csv row 3 (applicant 'a-1'), column id: 'a-1' is already the id in row 2"
    ]


def test_missing_and_unknown_columns(tmp_path: Path) -> None:
    p = csv_file(tmp_path, "id,subjects,availability,district,score\na-1,math:4,,Mapo-gu,80\n")
    problems = problems_of(p)
    assert problems[0].startswith(
        "applicants.csv row 1: unknown column 'score'; the columns are id, subjects,"
    )
    assert "or their Korean headers" in problems[0]
    assert problems[1] == "applicants.csv row 1: missing required column 'review' ('심사점수')"


def test_a_column_given_twice_in_two_languages(tmp_path: Path) -> None:
    p = csv_file(tmp_path, f"{HEADER},심사점수\na-1,math:4,,Mapo-gu,,,80,80\n")
    assert problems_of(p) == [
        "applicants.csv row 1: column 'review' repeats (as '심사점수')",
    ]


def test_stray_quote_is_named(tmp_path: Path) -> None:
    p = csv_file(
        tmp_path,
        f"{HEADER}\n"
        'a-1,math:4,Sat 10:00-14:00,Mapo-gu,"Sogang University,,80\n'
        "a-2,math:4,Sat 10:00-14:00,Mapo-gu,Yonsei University,,70\n",
    )
    (problem,) = problems_of(p)
    assert problem.startswith("applicants.csv row 2, column university: '\"Sogang University'")
    assert "is not closed in its row" in problem


def test_hand_typed_quoted_cells_are_fine(tmp_path: Path) -> None:
    p = csv_file(
        tmp_path,
        f"{HEADER}\n"
        'a-1,"math:4; english:3","Sat 10:00-14:00, Sun 10:00-12:00",Mapo-gu,'
        '"Seoul National University, Gwanak",yes,"80.5"\n',
    )
    (a,) = read_applicants(p)
    assert a.university == "Seoul National University, Gwanak"
    assert a.review == 80.5
    assert str(a.availability) == "Sat 10:00-14:00, Sun 10:00-12:00"


def test_missing_path() -> None:
    with pytest.raises(FileNotFoundError):
        read_applicants("/no/such/applicants.csv")


# --- JSON --------------------------------------------------------------------------------


def test_json_forms(tmp_path: Path) -> None:
    record = {
        "id": "a-1",
        "subjects": {"math": 4},
        "availability": "Sat 10:00-14:00",
        "district": "Mapo-gu",
        "review": 66,
    }
    obj = tmp_path / "obj.json"
    obj.write_text(json.dumps({"applicants": [record]}), encoding="utf-8")
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps([record]), encoding="utf-8")
    assert read_applicants(obj) == read_applicants(bare)
    assert read_applicants(obj)[0].review == 66.0


def test_bad_json_is_named(tmp_path: Path) -> None:
    good = {"id": "a-1", "subjects": {"m": 4}, "availability": "", "district": "Mapo-gu"}
    p = tmp_path / "a.json"
    p.write_text(
        json.dumps([{**good, "review": 120}, {**good, "id": "a-2", "review": 1, "recommended": 3}]),
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_applicants(p)
    text = str(info.value)
    assert "a.json applicants[0]: applicant 'a-1': review: 120 is above the largest" in text
    assert "a.json applicants[1]: applicant 'a-2': recommended: Input should be a valid" in text


def test_json_duplicate_ids(tmp_path: Path) -> None:
    record = {"id": "a-1", "subjects": {"m": 4}, "availability": "", "district": "x", "review": 5}
    p = tmp_path / "a.json"
    p.write_text(json.dumps([record, record]), encoding="utf-8")
    with pytest.raises(InputError, match="applicant ids must be unique; repeated: 'a-1'"):
        read_applicants(p)


# --- writing and reading back ------------------------------------------------------------


@pytest.mark.parametrize("name", ["applicants.csv", "applicants.json", "applicants.xlsx", "dir"])
def test_round_trip(tmp_path: Path, name: str) -> None:
    people = tricky()
    write_applicants(people, tmp_path / name)
    assert read_applicants(tmp_path / name) == people


def test_written_csv_is_english_and_escaped(tmp_path: Path) -> None:
    write_applicants(tricky(), tmp_path / "a.csv")
    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, first, second = raw.decode("utf-8-sig").splitlines()
    assert header == (
        "id,subjects,capacity,availability,mode,district,lat,lon,terms_committed,alumni,"
        "university,recommended,review,name,attr.note,attr.year"
    )
    assert ",true,서울대학교,false,87.5,김민수,'=HYPERLINK(1),3" in first
    assert second.startswith("'@a-2,science:5,3,,online,Mapo-gu,,,1,false,,true,0,")


def test_folder_beside_a_cohort(tmp_path: Path) -> None:
    cohort = one_mentor_cohort()
    write_cohort(cohort, tmp_path)
    write_applicants(tricky(), tmp_path)
    assert read_cohort(tmp_path) == cohort
    assert read_applicants(tmp_path) == tricky()
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert set(manifest["sets"]) == {"cohort", "applicants"}
    assert check_set(tmp_path, "applicants").records == {"applicants.csv": 2}


def test_folder_without_the_table(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"applicants\.csv: is not in the folder"):
        read_applicants(tmp_path)


def test_workbook_with_a_korean_sheet_and_headers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "지원자"
    ws.append(["아이디", "과목", "가능시간", "자치구", "추천", "심사점수"])
    ws.append(["a-1", "수학:4", "토 10:00-12:00", "노원구", "X", 91])
    book.save(tmp_path / "a.xlsx")
    (a,) = read_applicants(tmp_path / "a.xlsx")
    assert (a.id, a.recommended, a.review) == ("a-1", False, 91.0)


def test_writing_refuses_what_cannot_be_read_back(tmp_path: Path) -> None:
    a = tricky()[0]
    with pytest.raises(InputError, match="ids must be unique; repeated: 'a-000001'"):
        write_applicants([a, a], tmp_path / "a.csv")
    odd = a.model_copy(update={"subjects": {"math;english": 4}})
    with pytest.raises(InputError, match="contains ';'"):
        write_applicants([odd], tmp_path / "a.csv")
    assert not (tmp_path / "a.csv").exists()
    write_applicants([odd], tmp_path / "a.json")  # JSON holds it
    assert read_applicants(tmp_path / "a.json") == (odd,)


def test_hired_applicants_go_into_a_cohort_file_as_mentors(tmp_path: Path) -> None:
    cohort = one_mentor_cohort()
    hired = [a.as_mentor() for a in tricky()]
    grown = cohort.changed(added_mentors=hired)
    write_cohort(grown, tmp_path / "next")
    back = read_cohort(tmp_path / "next")
    assert back == grown
    assert all(type(m) is Mentor for m in back.mentors)


def test_the_table_covers_every_field() -> None:
    columns = {c for c, _ in APPLICANTS.columns}
    fields = set(Applicant.model_fields)
    assert (columns - {"lat", "lon"}) | {"coordinates", "attributes"} == fields
    assert set(KOREAN_HEADERS.values()) == columns
    Applicant.model_validate(APPLICANTS.template)
