"""``matchkit recruit`` end to end: a hand-typed applicants table with Korean headers and a
small cohort folder, the files it writes, ``matchkit verify`` on them, bad rules, refusing to
overwrite, formula injection and Ctrl-C."""

from __future__ import annotations

import csv
import importlib
import json
from pathlib import Path

import pytest
from tests.records import math_mentor, mentee_with
from typer.testing import CliRunner

from matchkit import Cohort
from matchkit.cli import app
from matchkit.io import read_cohort, read_result, write_cohort
from matchkit.io.atomic import check_set

APPLICANTS = (
    "아이디,과목,정원,가능시간,자치구,대학,추천,심사점수,활동학기,멘티출신\n"
    "a-1,english:4,2,Sat 10:00-14:00,Mapo-gu,Sogang University,예,81.5,4,O\n"
    "a-2,math:5,2,Sat 10:00-14:00,Mapo-gu,=cmd,예,70,2,X\n"
    "a-3,english:3,2,Sat 10:00-14:00,Mapo-gu,Sogang University,아니오,55,1,X\n"
    "a-4,math:4; english:4,3,Sat 10:00-14:00,Mapo-gu,Yonsei University,예,40,1,X\n"
)
RULES = {"hire": 2, "min_review": 50, "quotas": {"Sogang University": {"at_most": 1}}}
NAME = "김민지"
"""Every mentee's name: it must never reach the summary."""


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cohort/ (one math mentor who stays, 8 mentees: 3 of priority 3, half needing
    english), applicants.csv, rules.json."""
    root = tmp_path_factory.mktemp("recruit")
    mentees = [
        mentee_with(
            f"s-{k}",
            name=NAME,
            priority=3 if k < 3 else 1,
            needs={"math": 1} if k % 2 else {"english": 1},
        )
        for k in range(8)
    ]
    write_cohort(Cohort(mentors=[math_mentor("m-1", capacity=2)], mentees=mentees), root / "c")
    (root / "applicants.csv").write_text(APPLICANTS, encoding="utf-8")
    (root / "rules.json").write_text(json.dumps(RULES), encoding="utf-8")
    return root


def _args(root: Path, out: Path, rules: str = "rules.json", *more: str) -> list[str]:
    return [
        "recruit",
        str(root / "c"),
        str(root / "applicants.csv"),
        "--rules",
        str(root / rules),
        "--out",
        str(out),
        "--time-limit",
        "5",
        *more,
    ]


@pytest.fixture(scope="module")
def recruited(
    tmp_path_factory: pytest.TempPathFactory, runner: CliRunner, inputs: Path
) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("run") / "out"
    done = runner.invoke(app, _args(inputs, out))
    assert done.exit_code == 0, done.output
    return out, done.output


def _hires(out: Path) -> list[dict[str, str]]:
    with (out / "hires.csv").open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_help_lists_recruit(runner: CliRunner) -> None:
    assert "recruit" in runner.invoke(app, ["--help"]).output
    done = runner.invoke(app, ["recruit", "--help"])
    assert done.exit_code == 0
    for option in ("--rules", "--policy", "--out", "--time-limit", "--seed", "--method", "--force"):
        assert option in done.output


def test_writes_the_hires_the_curve_the_cohort_and_its_result(
    recruited: tuple[Path, str],
) -> None:
    out, _ = recruited
    assert sorted(p.name for p in out.iterdir()) == [
        "curve.csv",
        "hires.csv",
        "matches.csv",
        "matchkit-manifest.json",
        "mentees.csv",
        "mentors.csv",
        "result.json",
        "result.xlsx",
        "roster.csv",
        "unmatched.csv",
    ]
    for kind in ("cohort", "result", "hires"):
        assert check_set(out, kind).managed
    assert check_set(out, "hires").records == {"hires.csv": 4, "curve.csv": 2}


def test_hires_csv_has_every_applicant_and_rules_hire_hired(
    recruited: tuple[Path, str],
) -> None:
    rows = _hires(recruited[0])
    assert list(rows[0]) == [
        "applicant_id", "hired", "reason", "detail", "university", "review", "points", "value",
        "students", "sole_students", "subjects", "districts", "weekly_hours",
    ]  # fmt: skip
    assert sorted(r["applicant_id"] for r in rows) == ["a-1", "a-2", "a-3", "a-4"]
    hired = [r for r in rows if r["hired"] == "true"]
    assert len(hired) == RULES["hire"]
    assert rows[: len(hired)] == hired  # hired first
    by_id = {r["applicant_id"]: r for r in rows}
    # a-1 (english, the best review) and a-2 (math): one english hire is all Sogang allows
    assert {r["applicant_id"] for r in hired} == {"a-1", "a-2"}
    assert by_id["a-1"]["points"] == "92.5"  # 81.5 + 5 (former mentee) + 3 terms x 2
    assert by_id["a-1"]["subjects"] == "english"
    assert by_id["a-4"]["reason"] == "below_standard"
    assert by_id["a-4"]["value"] == ""
    assert by_id["a-3"]["reason"] in ("quota_full", "lower_value")
    assert all(r["reason"] != "hired" for r in rows if r["hired"] == "false")


def test_formula_cells_are_escaped(recruited: tuple[Path, str]) -> None:
    rows = {r["applicant_id"]: r for r in _hires(recruited[0])}
    assert rows["a-2"]["university"] == "'=cmd"
    assert "=cmd" not in (recruited[0] / "hires.csv").read_text("utf-8-sig").replace("'=cmd", "")


def test_curve_csv(recruited: tuple[Path, str]) -> None:
    with (recruited[0] / "curve.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["hires"] for r in rows] == ["1", "2"]  # rules.hire - 1 .. hire (2 considered)
    assert list(rows[0]) == ["hires", "objective", "bound", "matched"]
    assert int(rows[1]["matched"]) > int(rows[0]["matched"])


def test_the_new_cohort_and_its_result_verify(
    runner: CliRunner, recruited: tuple[Path, str]
) -> None:
    out, _ = recruited
    cohort = read_cohort(out)
    assert [m.id for m in cohort.mentors] == ["m-1", "a-1", "a-2"]
    assert len(cohort.mentees) == 8
    assert type(cohort.mentors[1]).__name__ == "Mentor"  # hired applicants as plain mentors
    result = read_result(out)
    assert {m.mentor_id for m in result.matches} <= {"m-1", "a-1", "a-2"}
    done = runner.invoke(app, ["verify", str(out), str(out)])
    assert done.exit_code == 0, done.output
    assert "Verified: no rule broken" in done.output


def test_summary(recruited: tuple[Path, str]) -> None:
    _, output = recruited
    for text in (
        "Recruitment result",
        "2 of 4 applicants (exactly 2)",
        "set aside: below standard",
        "1 (review below 50)",
        "objective (points)",
        "bound (points)",
        "gap to bound",
        "students matched",
        "top-priority students matched (priority 3)",
        "Value of fewer and more hires",
        "Timings",
    ):
        assert text in output, text
    assert NAME not in output
    assert "s-0" not in output  # no mentee ids either
    assert "Choosing" not in output  # no spinner off a terminal
    assert output.rstrip().endswith("Files written to " + str(recruited[0]))


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (
            '{"hire": 2, "quotas": {"Nowhere University": {"at_most": 1}}}',
            "rules.quotas['Nowhere University']: names a university no applicant studies at",
        ),
        ('{"hire": 4, "min_review": 50}', "rules.hire: asks for 4 hires but only 3 of 4"),
        ('{"hire": 2,', "bad.json: is not valid JSON"),
        ('{"hire": 2, "quotas": {"Sogang University": {"at_most": -1}}}', "quotas.Sogang"),
        ('{"hire": 2, "colour": "red"}', "bad.json colour: Extra inputs are not permitted"),
        ('{"hire": 2, "hire": 3}', "the key 'hire' appears more than once"),
        ("{}", "bad.json hire: Field required"),
    ],
)
def test_bad_rules_exit_2(
    runner: CliRunner, inputs: Path, tmp_path: Path, rules: str, message: str
) -> None:
    (tmp_path / "bad.json").write_text(rules, encoding="utf-8")
    argv = _args(inputs, tmp_path / "out")
    argv[argv.index("--rules") + 1] = str(tmp_path / "bad.json")
    done = runner.invoke(app, argv)
    assert done.exit_code == 2, done.output
    assert done.stderr.startswith("error: ")
    assert "bad.json" in done.stderr.splitlines()[0]  # the file is named
    assert message in done.stderr
    assert "Traceback" not in done.output
    assert not (tmp_path / "out").exists()


def test_bad_applicants_exit_2_naming_the_cell(
    runner: CliRunner, inputs: Path, tmp_path: Path
) -> None:
    (tmp_path / "a.csv").write_text(APPLICANTS.replace(",81.5,", ",high,"), encoding="utf-8")
    argv = _args(inputs, tmp_path / "out")
    argv[2] = str(tmp_path / "a.csv")
    done = runner.invoke(app, argv)
    assert done.exit_code == 2
    assert "a.csv row 2 (applicant 'a-1'), column 심사점수 (review): 'high'" in done.stderr
    assert "Traceback" not in done.output


@pytest.mark.parametrize(
    ("more", "message"),
    [
        (["--method", "flow"], "unknown method 'flow'"),
        (["--time-limit", "0"], "--time-limit must be a number of seconds greater than 0"),
        (["--seed", "-1"], "--seed must be an integer"),
    ],
)
def test_bad_options_exit_2_before_reading(
    runner: CliRunner, tmp_path: Path, more: list[str], message: str
) -> None:
    done = runner.invoke(app, _args(tmp_path / "missing", tmp_path / "out", "missing.json", *more))
    assert done.exit_code == 2
    assert message in done.stderr
    assert not (tmp_path / "out").exists()


def test_refuses_to_overwrite_an_earlier_run_without_force(
    runner: CliRunner, inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert runner.invoke(app, _args(inputs, out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    done = runner.invoke(app, _args(inputs, out))
    assert done.exit_code == 2
    assert f"the folder {str(out)!r} already holds hires.csv" in done.stderr
    assert "--force" in done.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    again = runner.invoke(app, _args(inputs, out, "rules.json", "--force"))
    assert again.exit_code == 0, again.output
    assert (out / "hires.csv").read_bytes() == before["hires.csv"]  # same seed, same answer


def test_never_writes_over_an_input(runner: CliRunner, inputs: Path, tmp_path: Path) -> None:
    done = runner.invoke(app, _args(inputs, inputs / "c", "rules.json", "--force"))
    assert done.exit_code == 2
    assert f"would replace the cohort {str(inputs / 'c')!r}" in done.stderr
    apps = tmp_path / "apps"  # applicants given as a folder holding applicants.csv
    apps.mkdir()
    (apps / "applicants.csv").write_text(APPLICANTS, encoding="utf-8")
    argv = _args(inputs, apps, "rules.json", "--force")
    argv[2] = str(apps)
    done = runner.invoke(app, argv)
    assert done.exit_code == 2
    assert "would replace the applicants" in done.stderr
    done = runner.invoke(app, _args(inputs, tmp_path / "hires.json"))
    assert done.exit_code == 2
    assert "--out must be a folder" in done.stderr
    assert sorted(p.name for p in (inputs / "c").iterdir()) == [
        "matchkit-manifest.json",
        "mentees.csv",
        "mentors.csv",
    ]
    assert sorted(p.name for p in apps.iterdir()) == ["applicants.csv"]


def test_ctrl_c_while_writing_is_one_line(
    runner: CliRunner, inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    # the module (matchkit.cli.app is the typer app by attribute)
    monkeypatch.setattr(importlib.import_module("matchkit.cli.app"), "write_hires", interrupt)
    out = tmp_path / "out"
    done = runner.invoke(app, _args(inputs, out))
    assert done.exit_code == 130
    assert done.stderr.startswith(f"error: interrupted while writing {out / 'hires.csv'}")
    assert "Traceback" not in done.output
    assert not (out / "hires.csv").exists()
