"""verify_pairs and ``matchkit verify`` on an edited matches sheet (issue 18, point 4)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from tests.records import math_mentor, one_mentor_cohort
from typer.testing import CliRunner

from matchkit import Cohort, MatchResult, Policy, solve
from matchkit.cli.app import app
from matchkit.io import write_cohort, write_result
from matchkit.synth import generate_cohort
from matchkit.verify import EDITED, verify_pairs
from matchkit.verify.checks import pair_breaks


def _pairs(result: MatchResult) -> dict[str, str | None]:
    out: dict[str, str | None] = {u.mentee_id: None for u in result.unmatched}
    out.update({m.mentee_id: m.mentor_id for m in result.matches})
    return out


@pytest.fixture(scope="module")
def solved() -> tuple[Cohort, MatchResult]:
    cohort = generate_cohort(6, 20, seed=1)
    return cohort, solve(cohort)


def _ineligible(cohort: Cohort, result: MatchResult) -> tuple[str, str]:
    """A matched mentee and a mentor that breaks a hard rule for it."""
    mentees = {s.id: s for s in cohort.mentees}
    for m in result.matches:
        for t in cohort.mentors:
            if pair_breaks(mentees[m.mentee_id], t, result.policy, set()) is not None:
                return m.mentee_id, t.id
    raise AssertionError("no ineligible pair in the test cohort")


def _eligible_move(cohort: Cohort, result: MatchResult) -> tuple[str, str]:
    """A matched mentee and another eligible mentor with a free place."""
    mentees = {s.id: s for s in cohort.mentees}
    load = {t.id: 0 for t in cohort.mentors}
    for m in result.matches:
        load[m.mentor_id] += 1
    for m in result.matches:
        for t in cohort.mentors:
            ok = pair_breaks(mentees[m.mentee_id], t, result.policy, set()) is None
            if t.id != m.mentor_id and ok and load[t.id] < t.capacity:
                return m.mentee_id, t.id
    raise AssertionError("no eligible move in the test cohort")


def _small() -> Cohort:
    """One mentor with one place, two mentees both eligible for it, one ineligible mentor."""
    art = math_mentor("m-2", subjects={"art": 4})
    return one_mentor_cohort(capacity=1, more_mentors=[art])


# --- verify_pairs ----------------------------------------------------------------------------


def test_unedited_pairs_pass(solved: tuple[Cohort, MatchResult]) -> None:
    cohort, result = solved
    assert verify_pairs(cohort, result.policy, _pairs(result), against=result) == []


def test_move_to_ineligible_mentor_is_flagged(solved: tuple[Cohort, MatchResult]) -> None:
    cohort, result = solved
    mentee, mentor = _ineligible(cohort, result)
    pairs = _pairs(result) | {mentee: mentor}
    codes = [v.code for v in verify_pairs(cohort, result.policy, pairs, against=result)]
    assert any(c.startswith("rule_") for c in codes)
    assert codes.count(EDITED) == 1


def test_overfilled_mentor_is_flagged() -> None:
    found = verify_pairs(_small(), Policy(), {"s-1": "m-1", "s-2": "m-1"})
    assert [v.code for v in found] == ["capacity"]
    assert "m-1 (2 of 1)" in found[0].message


def test_valid_edits_pass_with_edited_notes(solved: tuple[Cohort, MatchResult]) -> None:
    cohort, result = solved
    mentee, mentor = _eligible_move(cohort, result)
    gone = next(m.mentee_id for m in result.matches if m.mentee_id != mentee)
    pairs = _pairs(result) | {mentee: mentor, gone: None}
    found = verify_pairs(cohort, result.policy, pairs, against=result)
    assert [v.code for v in found] == [EDITED, EDITED]
    assert any(f"{mentee!r}: {mentor} in the sheet" in v.message for v in found)
    assert any(f"{gone!r}: unmatched in the sheet" in v.message for v in found)


def test_unknown_and_missing_ids() -> None:
    found = verify_pairs(_small(), Policy(), {"s-1": "m-9", "s-7": None})
    assert sorted(v.code for v in found) == [
        "not_accounted_for",
        "unknown_mentee",
        "unknown_mentor",
    ]
    assert any("'s-2'" in v.message for v in found if v.code == "not_accounted_for")


def test_subject_forbidden_and_pinned_rules() -> None:
    cohort = _small()
    assert [v.code for v in verify_pairs(cohort, Policy(), {"s-1": "m-2", "s-2": None})] == [
        "rule_subject"
    ]
    policy = Policy(forbidden=[("s-1", "m-1")], pinned=[("s-2", "m-1")])
    found = verify_pairs(cohort, policy, {"s-1": "m-1", "s-2": None})
    assert [v.code for v in found] == ["rule_rules", "pinned"]
    assert verify_pairs(cohort, policy, {"s-1": None, "s-2": "m-1"}) == []


# --- matchkit verify on a sheet --------------------------------------------------------------


def _edit_csv(path: Path, changes: dict[str, str]) -> None:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    k, j = rows[0].index("mentee_id"), rows[0].index("mentor_id")
    for row in rows[1:]:
        if row[k] in changes:
            row[j] = changes[row[k]]
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)


@pytest.fixture
def folder(tmp_path: Path, solved: tuple[Cohort, MatchResult]) -> tuple[Path, Path]:
    cohort, result = solved
    write_cohort(cohort, tmp_path / "cohort.json")
    write_result(result, tmp_path / "res", cohort=cohort)
    return tmp_path / "cohort.json", tmp_path / "res"


def _run(*args: Path) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["verify", *map(str, args)])
    return done.exit_code, done.output


def test_cli_unedited_folder_verifies_result_json(folder: tuple[Path, Path]) -> None:
    code, out = _run(*folder)
    assert code == 0, out
    assert out.startswith("Verified: no rule broken")


def test_cli_ineligible_edit_exits_1(
    folder: tuple[Path, Path], solved: tuple[Cohort, MatchResult]
) -> None:
    mentee, mentor = _ineligible(*solved)
    _edit_csv(folder[1] / "matches.csv", {mentee: mentor})
    code, out = _run(*folder)
    assert code == 1, out
    assert "Checked the edited sheet matches.csv against the cohort: 1 pairs differ" in out
    assert "rule_" in out
    assert f"edited: mentee {mentee!r}" in out


def test_cli_valid_edit_exits_0_with_note(
    folder: tuple[Path, Path], solved: tuple[Cohort, MatchResult]
) -> None:
    mentee, mentor = _eligible_move(*solved)
    _edit_csv(folder[1] / "matches.csv", {mentee: mentor})
    code, out = _run(*folder)
    assert code == 0, out
    assert "1 pairs differ from result.json" in out
    assert "Verified: no rule broken" in out


def test_cli_edited_workbook_in_folder_and_alone(
    folder: tuple[Path, Path], solved: tuple[Cohort, MatchResult], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    cohort, result = solved
    mentee, mentor = _ineligible(cohort, result)
    alone = tmp_path / "alone.xlsx"
    write_result(result, alone, cohort=cohort)
    for book_path in (folder[1] / "result.xlsx", alone):
        book = load_workbook(book_path)
        sheet = book["matches"]
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            if row[header.index("mentee_id")].value == mentee:
                row[header.index("mentor_id")].value = mentor
        book.save(book_path)
    code, out = _run(*folder)
    assert code == 1, out
    assert "Checked the edited sheet result.xlsx" in out
    assert "1 pairs differ" in out
    code, out = _run(folder[0], alone)
    assert code == 1, out
    assert "no result.json to compare with" in out
    assert "rule_" in out


def test_cli_bad_sheet_exits_2_naming_row_and_column(
    folder: tuple[Path, Path], solved: tuple[Cohort, MatchResult]
) -> None:
    sheet = folder[1] / "matches.csv"
    rows = sheet.read_text(encoding="utf-8-sig").splitlines()
    sheet.write_text("\n".join([*rows, rows[1]]) + "\n", encoding="utf-8")
    code, out = _run(*folder)
    assert code == 2, out
    assert f"matches.csv row {len(rows) + 1}, column mentee_id" in out
    sheet.write_text(rows[0].replace("mentor_id", "mentor") + "\n", encoding="utf-8")
    code, out = _run(*folder)
    assert code == 2, out
    assert "row 1" in out
    assert "'mentor_id'" in out
