"""Issue 18: pinned and forbidden pairs from a sheet (pins.csv, or a workbook's pins sheet),
every problem an InputError naming the row, the column and the value; ``solve --pins``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchkit import InputError, Policy, solve
from matchkit.cli import app
from matchkit.io import Pins, read_pins, write_cohort, write_pins
from matchkit.synth import generate_cohort

SMALL = generate_cohort(6, 16, seed=3)


def _csv(tmp_path: Path, text: str, name: str = "pins.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path, cohort: object = None) -> list[str]:
    with pytest.raises(InputError) as info:
        read_pins(path, cohort)  # type: ignore[arg-type]
    assert info.value.subject == "Pins"
    return [str(p) for p in info.value.problems]


def test_round_trip(tmp_path: Path) -> None:
    pins = Pins(pinned=(("s-1", "m-1"), ("s-2", "=m-2")), forbidden=(("s-1", "m-3"),))
    write_pins(tmp_path / "pins.csv", pins)
    assert read_pins(tmp_path / "pins.csv") == pins


def test_alternative_headers_case_and_blank_rows(tmp_path: Path) -> None:
    path = _csv(tmp_path, "Rule,Mentee_ID,mentor_id,note\nPIN,s-1,m-1,x\n,,,\nforbid,s-2,m-1,\n")
    assert read_pins(path) == Pins(pinned=(("s-1", "m-1"),), forbidden=(("s-2", "m-1"),))


def test_apply_adds_to_the_policy_once() -> None:
    policy = Policy(pinned=[("s-1", "m-1")])
    out = Pins(pinned=(("s-1", "m-1"),), forbidden=(("s-2", "m-2"),)).apply(policy)
    assert out.pinned == (("s-1", "m-1"),)
    assert out.forbidden == (("s-2", "m-2"),)


def test_missing_column(tmp_path: Path) -> None:
    (msg,) = _problems(_csv(tmp_path, "mentee,mentor\ns-1,m-1\n"))
    assert "has no 'rule' column" in msg


def test_empty_cell(tmp_path: Path) -> None:
    (msg,) = _problems(_csv(tmp_path, "mentee,mentor,rule\ns-1,,pin\n"))
    assert msg.startswith("pins.csv row 2, column mentor: is empty")


def test_bad_rule(tmp_path: Path) -> None:
    (msg,) = _problems(_csv(tmp_path, "mentee,mentor,rule\ns-1,m-1,keep\n"))
    assert msg == "pins.csv row 2, column rule: 'keep' is not 'pin' or 'forbid'"


def test_mentee_pinned_twice(tmp_path: Path) -> None:
    (msg,) = _problems(_csv(tmp_path, "mentee,mentor,rule\ns-1,m-1,pin\ns-1,m-2,pin\n"))
    assert (
        msg == "pins.csv row 3, column mentee: 's-1' is pinned in row 2; pinned also to 'm-2' here"
    )


@pytest.mark.parametrize("order", [("pin", "forbid"), ("forbid", "pin")])
def test_pair_pinned_and_forbidden(tmp_path: Path, order: tuple[str, str]) -> None:
    a, b = order
    (msg,) = _problems(_csv(tmp_path, f"mentee,mentor,rule\ns-1,m-1,{a}\ns-1,m-1,{b}\n"))
    assert msg.startswith("pins.csv row 3, column rule: the pair ('s-1', 'm-1') is")


def test_unknown_ids_with_a_cohort(tmp_path: Path) -> None:
    s, t = SMALL.mentees[0].id, SMALL.mentors[0].id
    path = _csv(tmp_path, f"mentee,mentor,rule\nnobody,{t},pin\n{s},ghost,forbid\n")
    msgs = _problems(path, SMALL)
    assert msgs == [
        "pins.csv row 2, column mentee: 'nobody' is not a mentee of the cohort",
        "pins.csv row 3, column mentor: 'ghost' is not a mentor of the cohort",
    ]
    assert read_pins(path) is not None  # without a cohort the ids are not checked


def test_every_problem_at_once(tmp_path: Path) -> None:
    assert len(_problems(_csv(tmp_path, "mentee,mentor,rule\n,m-1,pin\ns-1,m-1,maybe\n"))) == 2


def test_a_workbook_pins_sheet(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "pins"
    for row in (["mentee", "mentor", "rule"], ["s-1", "m-1", "pin"], ["s-1", "m-9", "oops"]):
        sheet.append(row)
    book.save(tmp_path / "pins.xlsx")
    (msg,) = _problems(tmp_path / "pins.xlsx")
    assert msg == "pins.xlsx sheet pins row 3, column rule: 'oops' is not 'pin' or 'forbid'"


def test_solve_pins_end_to_end(tmp_path: Path) -> None:
    write_cohort(SMALL, tmp_path / "c.json")
    base = solve(SMALL, Policy())
    m, k = base.matches[0], base.matches[1]  # forbid one match, pin another
    path = _csv(
        tmp_path,
        f"mentee,mentor,rule\n{m.mentee_id},{m.mentor_id},forbid\n{k.mentee_id},{k.mentor_id},pin\n",
    )
    runner = CliRunner()
    done = runner.invoke(
        app,
        ["solve", str(tmp_path / "c.json"), "--out", str(tmp_path / "r.json"), "--pins", str(path)],
    )
    assert done.exit_code == 0, done.output
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert result["policy"]["forbidden"] == [[m.mentee_id, m.mentor_id]]
    pairs = {(x["mentee_id"], x["mentor_id"]) for x in result["matches"]}
    assert (m.mentee_id, m.mentor_id) not in pairs
    assert result["policy"]["pinned"] == [[k.mentee_id, k.mentor_id]]
    assert (k.mentee_id, k.mentor_id) in pairs
    bad = _csv(tmp_path, "mentee,mentor,rule\nnobody,m-1,pin\n", "bad.csv")
    done = runner.invoke(
        app,
        ["solve", str(tmp_path / "c.json"), "--out", str(tmp_path / "r2.json"), "--pins", str(bad)],
    )
    assert done.exit_code == 2
    assert "row 2, column mentee: 'nobody' is not a mentee" in done.stderr
    assert "Traceback" not in done.output
    assert not (tmp_path / "r2.json").exists()
