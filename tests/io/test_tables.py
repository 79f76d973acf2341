"""The officer's tables of a result (matchkit.io.tables): with and without the cohort."""

from __future__ import annotations

from pathlib import Path

from matchkit import Cohort, Mentee, Mentor, rematch, solve
from matchkit.io import write_result
from matchkit.io.tables import (
    matches_table,
    roster_table,
    summary_table,
    transition_table,
    unmatched_table,
)

MATCHES_COLUMNS = [
    "mentee_id",
    "mentor_id",
    "score",
    "score_subject_fit",
    "score_schedule_slack",
    "score_continuity",
    "score_commitment",
    "score_alumni",
    "score_distance",
    "window",
    "session",
    "mode",
    "distance_km",
    "reason",
    "detail",
    "priority",
    "level",
    "district",
    "continuity",
]


def _cohort() -> Cohort:
    def mentor(mid: str, **kw: object) -> Mentor:
        base = {"id": mid, "subjects": {"math": 4}, "availability": "Sat 10:00-14:00"}
        return Mentor.model_validate(base | {"district": "Nowon-gu"} | kw)

    def mentee(sid: str, **kw: object) -> Mentee:
        base = {"id": sid, "level": "middle", "grade": 2, "needs": {"math": 1}}
        return Mentee.model_validate(
            base | {"availability": "Sat 10:00-12:00", "district": "Nowon-gu"} | kw
        )

    return Cohort(
        mentors=[
            mentor("m-full", capacity=1, name="=HYPERLINK(1)", attributes={"university": "SNU"}),
            mentor("m-short", availability="Sat 10:00-11:30", name="Choi"),
            mentor("m-idle", subjects={"art": 4}),
        ],
        mentees=[
            mentee("s-0", priority=3, name="Lee", attributes={"school": "A-middle"}),
            mentee("s-1", priority=1, name="+Park"),
        ],
    )


def test_matches_table_without_cohort_keeps_the_csv_columns(tmp_path: Path) -> None:
    result = solve(_cohort())
    header, rows = matches_table(result)
    assert header == MATCHES_COLUMNS
    assert [r[0] for r in rows] == ["s-0", "s-1"]
    assert all(len(r) == len(header) for r in rows)
    write_result(result, tmp_path / "out")
    text = (tmp_path / "out" / "matches.csv").read_text("utf-8-sig")
    assert text.splitlines()[0] == ",".join(MATCHES_COLUMNS)
    assert "Lee" not in text
    assert "Park" not in text
    assert "Lee" not in (tmp_path / "out" / "result.json").read_text("utf-8")


def test_matches_table_with_cohort_adds_names_and_attributes_escaped() -> None:
    header, rows = matches_table(solve(_cohort()), _cohort())
    assert header[:4] == ["mentee_id", "mentor_id", "mentee_name", "mentor_name"]
    assert header[-2:] == ["mentee.attr.school", "mentor.attr.university"]
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_id["s-0"]["mentor_name"] == "'=HYPERLINK(1)"  # a formula never reaches a sheet
    assert by_id["s-0"]["mentee_name"] == "Lee"
    assert by_id["s-0"]["mentee.attr.school"] == "A-middle"
    assert by_id["s-0"]["mentor.attr.university"] == "SNU"
    assert by_id["s-1"]["mentee_name"] == "'+Park"
    assert by_id["s-1"]["mentor_name"] == ""
    assert by_id["s-1"]["reason"] == "mentors_full"


def test_unmatched_table_has_reason_detail_and_near_misses() -> None:
    result = solve(_cohort())
    header, rows = unmatched_table(result)
    assert header == [
        "mentee_id",
        "priority",
        "level",
        "district",
        "reason",
        "detail",
        "near_misses",
    ]
    (row,) = rows
    assert row[0] == "s-1"
    assert row[4] == "mentors_full"
    assert row[5] == result.unmatched[0].detail
    assert row[6] == "m-full (full: 1 of 1), m-short (time: 30 min short)"
    header, rows = unmatched_table(result, _cohort())
    assert header[:2] == ["mentee_id", "mentee_name"]
    assert header[-1] == "mentee.attr.school"
    assert rows[0][1] == "'+Park"
    assert rows[0][-1] == ""


def test_roster_has_every_mentor_and_loads_sum_to_matches() -> None:
    cohort = _cohort()
    result = solve(cohort)
    for given in (None, cohort):
        header, rows = roster_table(result, given)
        col = {c: k for k, c in enumerate(header)}
        mentors = [r[col["mentor_id"]] for r in rows]
        assert sorted(set(mentors)) == sorted(m.id for m in cohort.mentors)
        assert mentors == sorted(mentors)
        loads = {r[col["mentor_id"]]: int(r[col["load"]]) for r in rows}
        assert sum(loads.values()) == len(result.matches)
        pairs = {(r[col["mentor_id"]], r[col["mentee_id"]]) for r in rows if r[col["mentee_id"]]}
        assert pairs == {(m.mentor_id, m.mentee_id) for m in result.matches}
        free = {r[col["mentor_id"]]: int(r[col["free"]]) for r in rows}
        assert free == {"m-full": 0, "m-short": 3, "m-idle": 3}
    assert rows[0][col["mentor_id"]] == "m-full"
    assert rows[0][col["mentor_name"]] == "'=HYPERLINK(1)"


def test_summary_table() -> None:
    result = solve(_cohort())
    header, rows = summary_table(result)
    summary = dict(rows)
    assert header == ["key", "value"]
    assert summary["status"] == "optimal"
    assert summary["gap"] == "0"
    assert summary["matched"] == "1"
    assert summary["unmatched"] == "1"
    assert summary["unmatched.mentors_full"] == "1"
    assert summary["match_rate.priority.3"] == "1"
    assert summary["match_rate.priority.1"] == "0"


def test_transition_table() -> None:
    cohort = _cohort()
    assert transition_table(solve(cohort)) == (
        ["mentee_id", "mentor_id", "outcome", "reason", "detail"],
        [],
    )
    result = rematch({"s-0": "m-full"}, cohort)
    _header, rows = transition_table(result)
    assert ["s-0", "m-full", "kept", "", ""] in rows


def test_same_input_same_tables() -> None:
    a, b = solve(_cohort()), solve(_cohort())
    for table in (matches_table, unmatched_table, roster_table):
        assert table(a, _cohort()) == table(b, _cohort())
    assert summary_table(a)[1][:3] == summary_table(b)[1][:3]
