"""The rules file (``read_hiring_rules``) and the hire sheets (``hires.csv``, ``curve.csv``)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.records import math_mentee, math_mentor

from matchkit import Applicant, Cohort, HiringRules, Quota, RecruitResult, recruit
from matchkit.errors import InputError
from matchkit.io import read_cohort, read_hiring_rules, write_cohort, write_hires
from matchkit.io.atomic import check_set
from matchkit.io.hires import CURVE_COLUMNS, HIRES_COLUMNS, curve_table, hires_table


def _applicant(id: str, university: str | None, review: float, **kw: object) -> Applicant:
    return Applicant(
        id=id,
        subjects={"math": 4},
        availability="Sat 10:00-14:00",
        district="Mapo-gu",
        university=university,
        review=review,
        **kw,
    )


@pytest.fixture(scope="module")
def result() -> RecruitResult:
    """Three mentees, one staying mentor of capacity 1; hire 1 of 3 applicants (one below
    the standard); the university cells start with formula triggers."""
    cohort = Cohort(
        mentors=[math_mentor("m-1", capacity=1)],
        mentees=[math_mentee(f"s-{k}") for k in range(3)],
    )
    applicants = [
        _applicant("a-1", '=HYPERLINK("x")', 80, capacity=2),
        _applicant("-a-2", "@Sogang", 70, capacity=1),
        _applicant("a-3", None, 30, capacity=2),
    ]
    return recruit(cohort, applicants, rules=HiringRules(hire=1, min_review=50), curve=(-1, 0, 1))


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_read_hiring_rules(tmp_path: Path) -> None:
    p = tmp_path / "rules.json"
    p.write_text(
        '{"hire": 850, "min_review": 60, "quotas": {"Sogang University": {"at_most": 40}}}',
        encoding="utf-8",
    )
    rules = read_hiring_rules(p)
    assert rules == HiringRules(
        hire=850, min_review=60, quotas={"Sogang University": Quota(at_most=40)}
    )
    assert read_hiring_rules(str(p)) == rules  # a str path too
    p.write_text(rules.model_dump_json(), encoding="utf-8-sig")  # with a byte-order mark
    assert read_hiring_rules(p) == rules


@pytest.mark.parametrize(
    ("text", "field", "code"),
    [
        ('{"hire": -1}', "rules.json hire", "greater_than_equal"),
        ('{"hire": true}', "rules.json hire", None),
        ('{"hire": 2, "min_review": 101}', "rules.json min_review", None),
        ('{"hire": 2, "quotas": {"Korea University": {"at_least": "x"}}}',
         "rules.json quotas.Korea University.at_least", "int_parsing"),
        ('{"hire": 2, "quota": {}}', "rules.json quota", "extra_forbidden"),
        ('{"min_review": 60}', "rules.json hire", "missing"),
        ('{"hire": 2, "hire": 3}', "rules.json", "duplicate_key"),
        ('{"hire": 2', "rules.json", "json_invalid"),
        ("[1, 2]", "rules.json", "model_type"),
    ],
)  # fmt: skip
def test_a_bad_rules_file_names_the_file_and_field(
    tmp_path: Path, text: str, field: str, code: str | None
) -> None:
    p = tmp_path / "rules.json"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_hiring_rules(p)
    assert info.value.subject == f"rules file {str(p)!r}"
    assert [q.field for q in info.value.problems] == [field]
    if code is not None:
        assert info.value.codes() == [code]


def test_a_missing_or_non_utf8_rules_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        read_hiring_rules(tmp_path / "nope.json")
    p = tmp_path / "rules.json"
    p.write_bytes('{"hire": 2, "quotas": {"서강대": {}}}'.encode("cp949"))
    with pytest.raises(InputError, match="is not UTF-8 text"):
        read_hiring_rules(p)


def test_hires_table_has_to_frames_columns_and_every_decision(result: RecruitResult) -> None:
    header, rows = hires_table(result)
    assert header == HIRES_COLUMNS
    pd = pytest.importorskip("pandas")
    frame = result.to_frame()
    assert header == list(frame.columns)
    assert isinstance(frame, pd.DataFrame)
    assert [r[0].removeprefix("'") for r in rows] == list(frame.applicant_id)
    hired = [r for r in rows if r[1] == "true"]
    assert len(hired) == 1 == result.rules.hire
    below = next(r for r in rows if r[0] == "a-3")
    assert below[header.index("reason")] == "below_standard"
    assert below[header.index("value")] == ""  # not considered: no value
    assert below[header.index("university")] == ""  # None


def test_text_cells_a_spreadsheet_would_run_are_escaped(
    result: RecruitResult, tmp_path: Path
) -> None:
    write_hires(result, tmp_path)
    rows = _read(tmp_path / "hires.csv")
    header, body = rows[0], rows[1:]
    cells = {r[0]: r for r in body}
    u = header.index("university")
    assert cells["a-1"][u] == '\'=HYPERLINK("x")'
    assert cells["'-a-2"][u] == "'@Sogang"  # the id too
    assert not any(c.startswith(("=", "+", "-", "@")) for r in body for c in r)


def test_curve_table_fewest_hires_first(result: RecruitResult) -> None:
    header, rows = curve_table(result)
    assert header == CURVE_COLUMNS
    assert [r[0] for r in rows] == ["0", "1", "2"]
    one = next(c for c in result.curve if c.hires == 1)
    assert rows[1] == [str(one.hires), _num(one.objective), _num(one.bound), str(one.matched)]


def _num(x: float) -> str:
    r = round(x, 6)
    return str(int(r)) if r.is_integer() else repr(r)


def test_write_hires_is_a_set_beside_the_cohort(result: RecruitResult, tmp_path: Path) -> None:
    write_cohort(result.cohort, tmp_path)
    write_hires(result, tmp_path)
    assert check_set(tmp_path, "hires").records == {"hires.csv": 3, "curve.csv": 3}
    assert read_cohort(tmp_path) == result.cohort  # the cohort's set kept
    assert _read(tmp_path / "curve.csv")[0] == CURVE_COLUMNS
    write_hires(result, tmp_path)  # again: same bytes, the manifest still complete
    assert check_set(tmp_path, "hires").changed == ()


def test_an_empty_curve_is_a_header(result: RecruitResult, tmp_path: Path) -> None:
    write_hires(result.model_copy(update={"curve": ()}), tmp_path / "new")
    assert _read(tmp_path / "new" / "curve.csv") == [CURVE_COLUMNS]
