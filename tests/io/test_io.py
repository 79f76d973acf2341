"""Files in and out: round trips, every bad-input message, spreadsheet safety, byte-order marks."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from tests.domain_strategies import cohorts
from tests.records import one_mentor_cohort

from matchkit import Cohort, InputError, MatchResult, Mentee, Mentor, Policy, solve
from matchkit.io import read_cohort, read_policy, read_result, write_cohort, write_result
from matchkit.io.cells import escape, unescape
from matchkit.io.people import ATTR, MENTEES, MENTORS, Table

MENTORS_HEADER = "id,subjects,capacity,availability,district"
MENTEES_HEADER = "id,level,grade,needs,availability,district"


def tricky_cohort() -> Cohort:
    """Korean text, formula-like text, typed attributes, coordinates, empty values."""
    mentors = [
        Mentor(
            id="m-1",
            subjects={"math": 4, "english": 3},
            availability="Mon 18:00-21:00, Sat 10:00-12:30",
            district="강남구",
            university="서울대학교",
            capacity=2,
            terms_committed=4,
            alumni=True,
            coordinates=(-33.8688, -70.5),
            attributes={"note": '=HYPERLINK("http://x")', "age": 21, "gpa": 3.5, "ok": False},
        ),
        Mentor(
            id="@m-2",
            subjects={"korean": 5},
            availability="",
            mode="online",
            district="+Mapo-gu",
            university="",
            attributes={"note": "'quoted", "zip": "007", "flag": "true", "empty": ""},
        ),
        Mentor(
            id="m-3",
            subjects={"=cmd": 3, "science": 5},
            availability="Sun 09:00-24:00",
            district="-Nowon-gu",
            university="-minus",
            attributes={"gpa": 4.0, "big": 10**20, "tiny": 1.5e-7, "neg": -3},
        ),
    ]
    mentees = [
        Mentee(
            id="s-1",
            level="middle",
            grade=2,
            needs={"math": 2.0, "english": 0.25},
            session_hours=1.5,
            availability="Sat 10:00-12:00",
            district="강남구",
            priority=3,
            previous_mentor="m-1",
            avoid={"@m-2", "m-3"},
            attributes={"school": "서울중학교"},
        ),
        Mentee(
            id="-s-2",
            level="high",
            grade=3,
            needs={"=cmd": 1},
            availability="Mon 18:00-20:00",
            mode="offline",
            district="Mapo-gu",
            previous_mentor="m-gone",
            coordinates=(37.5663, 126.9019),
        ),
    ]
    return Cohort(mentors=mentors, mentees=mentees)


def write_files(folder: Path, mentors: str, mentees: str, *, bom: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    encoding = "utf-8-sig" if bom else "utf-8"
    (folder / "mentors.csv").write_text(mentors, encoding=encoding)
    (folder / "mentees.csv").write_text(mentees, encoding=encoding)
    return folder


def good_mentors(*extra: str) -> str:
    return "\n".join([MENTORS_HEADER, "m-1,math:4,3,Sat 10:00-14:00,Mapo-gu", *extra]) + "\n"


def good_mentees(*extra: str) -> str:
    return "\n".join([MENTEES_HEADER, "s-1,middle,2,math:1,Sat 10:00-12:00,Mapo-gu", *extra]) + "\n"


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        read_cohort(folder)
    return [str(p) for p in info.value.problems]


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def tiny_result() -> MatchResult:
    return solve(tricky_cohort())


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cohort", "cohort.json", "COHORT.JSON"])
def test_cohort_round_trip_is_identity(tmp_path: Path, name: str) -> None:
    cohort = tricky_cohort()
    write_cohort(cohort, tmp_path / name)
    back = read_cohort(tmp_path / name)
    assert back == cohort
    assert back.mentees[0].avoid == frozenset({"@m-2", "m-3"})
    assert back.mentors[0].attributes == {
        "note": '=HYPERLINK("http://x")',
        "age": 21,
        "gpa": 3.5,
        "ok": False,
    }
    types = {k: type(v) for k, v in back.mentors[2].attributes.items()}
    assert types == {"gpa": float, "big": int, "tiny": float, "neg": int}
    assert back.mentors[1].attributes == {
        "note": "'quoted",
        "zip": "007",
        "flag": "true",
        "empty": "",
    }
    assert back.mentors[1].university == ""
    assert back.mentors[1].availability.hours == 0


@settings(max_examples=30)
@given(cohorts())
def test_any_cohort_round_trips_through_csv(
    tmp_path_factory: pytest.TempPathFactory, cohort: Cohort
) -> None:
    folder = tmp_path_factory.mktemp("cohort")
    write_cohort(cohort, folder)
    assert read_cohort(folder) == cohort


def test_synthetic_cohort_round_trips(tmp_path: Path) -> None:
    from matchkit.synth import generate_cohort

    cohort = generate_cohort(40, 150, seed=4)
    write_cohort(cohort, tmp_path / "csv")
    write_cohort(cohort, tmp_path / "c.json")
    assert read_cohort(tmp_path / "csv") == cohort
    assert read_cohort(tmp_path / "c.json") == cohort


def test_files_are_deterministic(tmp_path: Path) -> None:
    cohort = tricky_cohort()
    write_cohort(cohort, tmp_path / "a.json")
    write_cohort(read_cohort(tmp_path / "a.json"), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert data["mentees"][0]["avoid"] == ["@m-2", "m-3"]


def test_csv_cells(tmp_path: Path) -> None:
    write_cohort(tricky_cohort(), tmp_path)
    mentors = cells(tmp_path / "mentors.csv")
    assert mentors[0] == [c for c, _ in MENTORS.columns] + [
        f"{ATTR}{a}"
        for a in ("age", "big", "empty", "flag", "gpa", "neg", "note", "ok", "tiny", "zip")
    ]
    row = dict(zip(mentors[0], mentors[1], strict=True))
    assert row["subjects"] == "math:4; english:3"
    assert row["availability"] == "Mon 18:00-21:00, Sat 10:00-12:30"
    assert (row["lat"], row["lon"], row["capacity"]) == ("-33.8688", "-70.5", "2")
    assert (row["alumni"], row["attr.age"], row["attr.gpa"], row["attr.ok"]) == (
        "true",
        "21",
        "3.5",
        "false",
    )
    assert row["attr.zip"] == ""  # not set for this mentor
    mentees = cells(tmp_path / "mentees.csv")
    row = dict(zip(mentees[0], mentees[1], strict=True))
    assert row["needs"] == "math:2; english:0.25"
    assert row["avoid"] == "'@m-2; m-3"  # escaped: it starts with @
    assert (row["session_hours"], row["lat"], row["mode"]) == ("1.5", "", "both")


def test_result_round_trip_is_identity(tmp_path: Path) -> None:
    result = tiny_result()
    assert result.matches
    assert result.unmatched
    write_result(result, tmp_path / "r.json")
    write_result(result, tmp_path / "folder")
    assert read_result(tmp_path / "r.json") == result
    assert read_result(tmp_path / "folder") == result
    assert read_result(tmp_path / "folder" / "result.json") == result
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == [
        "matches.csv",
        "matchkit-manifest.json",
        "result.json",
        "result.xlsx",
        "roster.csv",
        "unmatched.csv",
    ]


def test_infeasible_result_round_trips(tmp_path: Path) -> None:
    """NaN objective and -inf bound: pydantic's own JSON would write null and not read back."""
    cohort = one_mentor_cohort(capacity=1)
    result = solve(cohort, Policy(pinned=(("s-1", "m-1"), ("s-2", "m-1"))))
    assert not result.status.has_solution
    assert math.isnan(result.objective)
    assert result.bound == -math.inf
    write_result(result, tmp_path / "r.json")
    back = read_result(tmp_path / "r.json")
    assert back.model_dump_json() == result.model_dump_json()
    assert math.isnan(back.objective)
    assert back.bound == -math.inf
    assert back.explanation
    assert back.explanation == result.explanation


def test_matches_csv_has_one_row_per_mentee(tmp_path: Path) -> None:
    result = tiny_result()
    write_result(result, tmp_path)
    rows = cells(tmp_path / "matches.csv")
    header, body = rows[0], rows[1:]
    assert header[:3] == ["mentee_id", "mentor_id", "score"]
    assert {
        "score_subject_fit",
        "score_continuity",
        "window",
        "mode",
        "distance_km",
        "reason",
    } <= set(header)
    assert header[-4:] == ["priority", "level", "district", "continuity"]
    assert len(body) == len(result.matches) + len(result.unmatched) == 2
    by_id = {unescape(r[0]): dict(zip(header, r, strict=True)) for r in body}
    m = result.matches[0]
    row = by_id[m.mentee_id]
    assert (row["mentor_id"], float(row["score"]), row["window"]) == (
        m.mentor_id,
        round(m.score, 6),
        str(m.window),
    )
    parts = sum(float(row[f"score_{k}"]) for k in m.breakdown)
    assert parts == pytest.approx(m.score, abs=5e-4 + 1e-6)  # score: 0.001-point grid
    assert row["reason"] == ""
    u = result.unmatched[0]
    row = by_id[u.mentee_id]
    assert (row["mentor_id"], row["reason"], row["level"]) == ("", u.reason.value, u.level.value)
    assert row["detail"] == u.detail
    assert "'-s-2" in {r[0] for r in body}  # the id, escaped


# --- bad input: every problem, each with file, row, id, column and value ------------------------


def test_bad_availability(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path, good_mentors(), good_mentees("s-2,high,1,math:1,Mon 25:00-26:00,Secret-gu")
    )
    assert problems_of(folder) == [
        "mentees.csv row 3 (mentee 's-2'), column availability: "
        "'Mon 25:00-26:00': '25:00' is not a time of day"
    ]


@pytest.mark.parametrize(
    ("subjects", "message"),
    [
        ('"math:7; english:3"', "'math:7': Input should be less than or equal to 5"),
        ("math:0", "'math:0': Input should be greater than or equal to 1"),
        ("math:four", "'math:four': 'four' is not a whole number"),
        ("math:3.5", "'math:3.5': '3.5' is not a whole number"),
        ("math", "'math' is not of the form 'subject:number'"),
        ('"math:3; math:4"', "subject 'math' is listed twice"),
        ('"math:3; Math:4"', "subject 'math' is listed twice"),
    ],
)
def test_bad_subject_proficiency(tmp_path: Path, subjects: str, message: str) -> None:
    folder = write_files(
        tmp_path, good_mentors(f"m-2,{subjects},3,Sat 10:00-14:00,Secret-gu"), good_mentees()
    )
    assert problems_of(folder) == [f"mentors.csv row 3 (mentor 'm-2'), column subjects: {message}"]


def test_bad_needs(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path, good_mentors(), good_mentees("s-2,high,1,math:-1,Sat 10:00-12:00,Secret-gu")
    )
    assert problems_of(folder) == [
        "mentees.csv row 3 (mentee 's-2'), column needs: 'math:-1': -1.0 is below the smallest "
        "need, 1e-06"
    ]


def test_unknown_column(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path,
        "id,subjects,availability,district,colour\nm-1,math:4,Sat 10:00-14:00,Mapo-gu,blue\n",
        good_mentees(),
    )
    [problem] = problems_of(folder)
    assert problem.startswith(
        "mentors.csv row 1: unknown column 'colour'; the columns are id, subjects,"
    )
    assert problem.endswith("and attr.<name> for free-form attributes")


def test_missing_column(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path, good_mentors(), "id,level,grade,availability\ns-1,middle,2,Sat 10:00-12:00\n"
    )
    assert problems_of(folder) == [
        "mentees.csv row 1: missing required column 'district'",
        "mentees.csv row 1: missing required column 'needs'",
    ]


def test_lat_without_lon_column(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path,
        "id,subjects,availability,district,lat\nm-1,math:4,,Mapo-gu,37.5\n",
        good_mentees(),
    )
    assert problems_of(folder) == ["mentors.csv row 1: column lat without lon"]


def test_duplicate_id(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path,
        good_mentors("m-1,english:4,3,Sat 10:00-14:00,Mapo-gu"),
        good_mentees("s-2,middle,2,math:1,,Mapo-gu", "s-1,high,1,math:1,,Mapo-gu"),
    )
    assert problems_of(folder) == [
        "mentors.csv row 3 (mentor 'm-1'), column id: 'm-1' is already the id in row 2",
        "mentees.csv row 4 (mentee 's-1'), column id: 's-1' is already the id in row 2",
    ]


def test_non_numeric_capacity(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path,
        good_mentors(
            "m-2,math:4,three,Sat 10:00-14:00,Mapo-gu", "m-3,math:4,99,Sat 10:00-14:00,Mapo-gu"
        ),
        good_mentees(),
    )
    assert problems_of(folder) == [
        "mentors.csv row 3 (mentor 'm-2'), column capacity: 'three' is not a whole number",
        "mentors.csv row 4 (mentor 'm-3'), column capacity: '99': Input should be less than or "
        "equal to 50",
    ]


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    mentors = "\n".join(
        [
            "id,subjects,capacity,availability,district,lat,lon,alumni,shoe_size",
            "m-1,math:4,x,Sat 10:00-14:00,Mapo-gu,91,126.9,maybe,44",
            ",math:4,3,Sat 10:00-14:00,,37.5,,false,",
        ]
    )
    mentees = "\n".join(
        [
            MENTEES_HEADER + ",avoid,mode,level",
            "s-1,college,4,math:1,Sat 10:00-12:00,Mapo-gu,m-1; m-99,bus,high,extra",
            "",
            "s-2,middle,2,,Mon 10:15-11:00,Mapo-gu,,,",
        ]
    )
    folder = write_files(tmp_path, mentors, mentees)
    with pytest.raises(InputError) as info:
        read_cohort(folder)
    got = [str(p) for p in info.value.problems]
    assert got == [
        "mentors.csv row 1: unknown column 'shoe_size'; the columns are id, subjects, "
        "capacity, availability, mode, district, lat, lon, terms_committed, alumni, university, "
        "name, and attr.<name> for free-form attributes",
        "mentors.csv row 2 (mentor 'm-1'), column capacity: 'x' is not a whole number",
        "mentors.csv row 2 (mentor 'm-1'), column alumni: 'maybe' is not true or false",
        "mentors.csv row 2 (mentor 'm-1'), column lat: '91': Input should be less than or equal "
        "to 90",
        "mentors.csv row 3, column lon: is empty while lat is given",
        "mentors.csv row 3, column id: is required but the cell is empty",
        "mentors.csv row 3, column district: is required but the cell is empty",
        "mentees.csv row 1: column 'level' repeats",
        "mentees.csv row 2 (mentee 's-1'): has more cells than the header",
        "mentees.csv row 2 (mentee 's-1'), column avoid: 'm-99' is not the id of any mentor",
        "mentees.csv row 2 (mentee 's-1'), column level: 'college': Input should be 'middle' or "
        "'high'",
        "mentees.csv row 2 (mentee 's-1'), column grade: '4': Input should be less than or equal "
        "to 3",
        "mentees.csv row 2 (mentee 's-1'), column mode: 'bus': Input should be 'online', "
        "'offline' or 'both'",
        "mentees.csv row 4 (mentee 's-2'), column needs: is required but the cell is empty",
        "mentees.csv row 4 (mentee 's-2'), column availability: 'Mon 10:15-11:00': '10:15' is "
        "not on the 30-minute grid (use :00 or :30)",
    ]
    assert info.value.problems[1].indices == (2,)  # the row number
    assert info.value.codes().count("unknown_column") == 1
    assert str(info.value).startswith(f"cohort folder {str(folder)!r} has {len(got)} problems:")


def test_errors_never_show_other_personal_fields(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path,
        good_mentors("m-2,math:9,3,Sat 10:00-14:00,Secret-gu"),
        good_mentees("s-2,high,7,math:1,Sat 10:00-12:00,Secret-gu"),
    )
    with pytest.raises(InputError) as info:
        read_cohort(folder)
    assert "Secret" not in str(info.value)
    assert "Sat 10:00" not in str(info.value)
    assert [str(p) for p in info.value.problems] == [
        "mentors.csv row 3 (mentor 'm-2'), column subjects: 'math:9': Input should be less than "
        "or equal to 5",
        "mentees.csv row 3 (mentee 's-2'), column grade: '7': Input should be less than or equal "
        "to 3",
    ]


def test_file_level_problems(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        read_cohort(tmp_path / "nowhere")
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "mentors.csv").write_text(good_mentors())
    with pytest.raises(InputError, match=r"mentees\.csv: is not in the folder") as info:
        read_cohort(tmp_path / "only")
    assert info.value.codes() == ["missing_file"]
    with pytest.raises(InputError, match="is not a folder"):
        read_cohort(tmp_path / "only" / "mentors.csv")
    folder = write_files(tmp_path / "cp949", good_mentors(), good_mentees())
    (folder / "mentees.csv").write_bytes("id,district\nCafé,Gangnam-gu\n".encode("latin-1"))
    assert problems_of(folder) == [
        "mentees.csv: is neither UTF-8 nor Korean (CP949) text; save it as 'CSV UTF-8' "
        "(Excel) or UTF-8 (other tools)"
    ]
    (folder / "mentees.csv").write_text("")
    assert problems_of(folder) == ["mentees.csv: has no header row"]


def test_bad_json_files(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text('{"mentors": [], "mentees": [{"id": "s-1"}]}')
    with pytest.raises(InputError) as info:
        read_cohort(tmp_path / "c.json")
    assert str(info.value.problems[0]).startswith("c.json mentees[0]: mentee 's-1': ")
    (tmp_path / "r.json").write_text("{not json")
    with pytest.raises(InputError, match="is not valid JSON"):
        read_result(tmp_path / "r.json")
    (tmp_path / "p.json").write_text('{"max_travel_km": 0, "colour": 1}')
    with pytest.raises(InputError) as info:
        read_policy(tmp_path / "p.json")
    assert [str(p) for p in info.value.problems] == [
        "p.json max_travel_km: Input should be greater than 0",
        "p.json colour: Extra inputs are not permitted",
    ]
    (tmp_path / "ok.json").write_text('{"max_travel_km": 5, "weights": {"continuity": 30}}')
    assert read_policy(tmp_path / "ok.json") == Policy(max_travel_km=5, weights={"continuity": 30})


def test_unrepresentable_values_are_refused_before_writing(tmp_path: Path) -> None:
    bad = Mentor(id="m-1", subjects={"a;b": 4}, availability="", district="x")
    cohort = Cohort(mentors=[bad], mentees=[])
    with pytest.raises(InputError, match="contains ';'"):
        write_cohort(cohort, tmp_path / "csv")
    assert not (tmp_path / "csv").exists()
    write_cohort(cohort, tmp_path / "c.json")
    assert read_cohort(tmp_path / "c.json") == cohort


# --- spreadsheet safety and encodings -----------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'x", "'=x", "''"])
def test_formula_triggers_are_escaped_and_restored(text: str) -> None:
    cell = escape(text)
    assert cell == "'" + text
    assert unescape(cell) == text


@pytest.mark.parametrize("text", ["x", "m-1", "강남구", "a=b", "'x'"[1:], "1"])
def test_plain_text_is_left_alone(text: str) -> None:
    assert escape(text) == text
    assert unescape(text) == text


def test_formula_injection_is_neutralised_in_files(tmp_path: Path) -> None:
    cohort = tricky_cohort()
    write_cohort(cohort, tmp_path)
    write_result(solve(cohort), tmp_path)
    for name in ("mentors.csv", "mentees.csv", "matches.csv"):
        for row in cells(tmp_path / name)[1:]:
            for cell in row:
                if cell[:1] in ("=", "+", "@", "\t", "\r") or (
                    cell[:1] == "-" and not _is_number(cell)
                ):
                    pytest.fail(f"{name}: formula-like cell {cell!r}")
    mentors = {r[0]: r for r in cells(tmp_path / "mentors.csv")[1:]}
    assert "'@m-2" in mentors
    assert mentors["m-3"][1] == "'=cmd:3; science:5"
    assert mentors["m-3"][5] == "'-Nowon-gu"
    # A fresh cohort: solving caches arrays on the cohort, and pydantic's == compares that cache.
    assert read_cohort(tmp_path) == tricky_cohort()


def test_hand_typed_quote_is_removed(tmp_path: Path) -> None:
    folder = write_files(
        tmp_path,
        MENTORS_HEADER + ",attr.note\n'-m-1,math:4,3,Sat 10:00-14:00,'=Mapo-gu,'+1\n",
        good_mentees(),
    )
    [mentor] = read_cohort(folder).mentors
    assert (mentor.id, mentor.district, mentor.attributes) == ("-m-1", "=Mapo-gu", {"note": "+1"})


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_written_csv_has_bom_and_korean(tmp_path: Path) -> None:
    write_cohort(tricky_cohort(), tmp_path)
    write_result(tiny_result(), tmp_path)
    for name in ("mentors.csv", "mentees.csv", "matches.csv"):
        raw = (tmp_path / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        assert not raw[3:].startswith(b"\xef\xbb\xbf")
    assert "강남구".encode() in (tmp_path / "mentors.csv").read_bytes()
    assert not (tmp_path / "result.json").read_bytes().startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("bom", [True, False])
def test_reads_with_or_without_bom(tmp_path: Path, bom: bool) -> None:
    folder = write_files(
        tmp_path,
        MENTORS_HEADER + ",university\nm-1,math:4,3,Sat 10:00-14:00,강남구,서울대학교\n",
        good_mentees(),
        bom=bom,
    )
    cohort = read_cohort(folder)
    assert cohort.mentors[0].district == "강남구"
    assert cohort.mentors[0].university == "서울대학교"
    assert cohort.mentors[0].id == "m-1"  # the BOM is not part of the first column's name


def test_json_with_bom_is_read(tmp_path: Path) -> None:
    cohort = tricky_cohort()
    write_cohort(cohort, tmp_path / "c.json")
    text = (tmp_path / "c.json").read_text(encoding="utf-8")
    (tmp_path / "c.json").write_text(text, encoding="utf-8-sig")
    assert read_cohort(tmp_path / "c.json") == cohort


# --- the tables follow the models ---------------------------------------------------------------


@pytest.mark.parametrize("table", [MENTORS, MENTEES])
def test_columns_cover_every_field(table: Table) -> None:
    columns = {c for c, _ in table.columns}
    fields = set(table.model.model_fields)
    assert (columns - {"lat", "lon"}) | {"coordinates", "attributes"} == fields
    table.model.model_validate(table.template)


def test_the_how_to_examples_are_what_write_cohort_writes(tmp_path: Path) -> None:
    doc = Path(__file__).parents[2] / "docs" / "how-to" / "files-and-cli.md"
    blocks = doc.read_text(encoding="utf-8").split("```text\n")[1:]
    texts = [b.split("```")[0] for b in blocks]
    mentors = next(t for t in texts if t.startswith("id,subjects"))
    mentees = next(t for t in texts if t.startswith("id,level"))
    folder = write_files(tmp_path / "doc", mentors, mentees)
    write_cohort(read_cohort(folder), tmp_path / "again")
    assert (tmp_path / "again" / "mentors.csv").read_text("utf-8-sig").replace(
        "\r\n", "\n"
    ) == mentors
    assert (tmp_path / "again" / "mentees.csv").read_text("utf-8-sig").replace(
        "\r\n", "\n"
    ) == mentees
    matches = next(t for t in texts if t.startswith("mentee_id"))
    write_result(solve(read_cohort(folder)), tmp_path / "result")
    written = (tmp_path / "result" / "matches.csv").read_text("utf-8-sig")
    assert written.replace("\r\n", "\n") == matches
