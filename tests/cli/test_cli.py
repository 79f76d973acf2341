"""The ``matchkit`` command end to end, on a small synthetic cohort (40 mentors, 150 mentees)."""

from __future__ import annotations

import importlib.metadata
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchkit import Cohort, MatchResult, Policy, verify
from matchkit.cli import app
from matchkit.io import read_cohort, read_result, write_result

SIZE = ["--mentors", "40", "--mentees", "150"]


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory: pytest.TempPathFactory, runner: CliRunner) -> Path:
    out = tmp_path_factory.mktemp("synth") / "cohort"
    done = runner.invoke(app, ["synth", *SIZE, "--seed", "2", "--out", str(out)])
    assert done.exit_code == 0, done.output
    return out


@pytest.fixture(scope="module")
def solved(
    tmp_path_factory: pytest.TempPathFactory, runner: CliRunner, cohort_dir: Path
) -> tuple[Path, MatchResult]:
    out = tmp_path_factory.mktemp("solved") / "result"
    done = runner.invoke(app, ["solve", str(cohort_dir), "--out", str(out)])
    assert done.exit_code == 0, done.output
    return out, read_result(out)


def test_entry_point_is_registered() -> None:
    scripts = importlib.metadata.entry_points(group="console_scripts")
    assert [e.value for e in scripts if e.name == "matchkit"] == ["matchkit.__main__:main"]


def test_help_lists_every_command(runner: CliRunner) -> None:
    done = runner.invoke(app, ["--help"])
    assert done.exit_code == 0
    for command in ("demo", "synth", "solve", "verify", "explain", "whatif"):
        assert command in done.output


def test_demo_writes_everything_and_summarises(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = runner.invoke(app, ["demo", "--out", str(out), *SIZE, "--seed", "1"])
    assert done.exit_code == 0, done.output
    assert sorted(p.name for p in out.iterdir()) == [
        "matches.csv",
        "matchkit-manifest.json",
        "mentees.csv",
        "mentors.csv",
        "result.json",
        "result.xlsx",
        "roster.csv",
        "unmatched.csv",
    ]
    for heading in ("Matching result", "Match rate by priority", "Unmatched by reason", "Timings"):
        assert heading in done.output
    for figure in ("match", "utilisation", "continuity kept", "compile", "solve", "join"):
        assert figure in done.output
    assert "Verified: no rule broken" in done.output
    assert done.output.rstrip().endswith(f"Files written to {out.resolve()}")
    assert "Generating" not in done.output  # no spinner when stdout is not a terminal
    cohort, result = read_cohort(out), read_result(out)
    assert len(cohort.mentors) == 40
    assert len(result.matches) + len(result.unmatched) == 150
    assert f"{len(result.matches)} (" in done.output
    assert verify(cohort, result.policy, result) == []


def test_synth_json_and_folder_agree(runner: CliRunner, tmp_path: Path, cohort_dir: Path) -> None:
    from matchkit.synth import generate_cohort

    done = runner.invoke(app, ["synth", *SIZE, "--seed", "2", "--out", str(tmp_path / "c.json")])
    assert done.exit_code == 0, done.output
    assert "Wrote 40 mentors and 150 mentees to" in done.output
    expected = generate_cohort(40, 150, seed=2)
    assert read_cohort(tmp_path / "c.json") == expected
    assert read_cohort(cohort_dir) == expected
    assert (cohort_dir / "mentors.csv").is_file()


def test_solve_with_policy(runner: CliRunner, tmp_path: Path, cohort_dir: Path) -> None:
    policy = Policy(max_travel_km=5, weights={"continuity": 30})
    (tmp_path / "policy.json").write_text(policy.model_dump_json())
    out = tmp_path / "result.json"
    done = runner.invoke(
        app,
        ["solve", str(cohort_dir), "--policy", str(tmp_path / "policy.json"), "--out", str(out)],
        catch_exceptions=False,
    )
    assert done.exit_code == 0, done.output
    assert "Matching result" in done.output
    assert "optimal (flow)" in done.output
    assert f"Result written to {out}" in done.output
    result = read_result(out)
    assert result.policy == policy
    assert verify(read_cohort(cohort_dir), policy, result) == []


def test_solve_with_rich_rules(runner: CliRunner, tmp_path: Path, cohort_dir: Path) -> None:
    policy = Policy(
        sessions={"offline_buffer_minutes": 30},
        floors=[{"field": "priority", "value": 3, "min_rate": 0.5}],
        group_caps=[{"field": "level", "max_per_mentor": 2}],
    )
    (tmp_path / "policy.json").write_text(policy.model_dump_json())
    out = tmp_path / "r"
    args = ["solve", str(cohort_dir), "--policy", str(tmp_path / "policy.json")]
    done = runner.invoke(app, [*args, "--time-limit", "20", "--workers", "1", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "(cpsat)" in done.output
    assert "method chosen because" in done.output
    assert "weekly sessions" in done.output
    result = read_result(out)
    assert result.method_reason == "rules flow cannot express: sessions, floors, group_caps"
    assert all(m.session is not None for m in result.matches)
    assert verify(read_cohort(cohort_dir), policy, result) == []
    header = (out / "matches.csv").read_text("utf-8-sig").splitlines()[0]
    assert "session" in header.split(",")
    done = runner.invoke(app, ["verify", str(cohort_dir), str(out)])
    assert done.exit_code == 0, done.output


def test_solve_options(runner: CliRunner, tmp_path: Path, cohort_dir: Path) -> None:
    out = tmp_path / "r"
    args = ["solve", str(cohort_dir), "--method", "cpsat", "--time-limit", "20", "--seed", "3"]
    done = runner.invoke(app, [*args, "--out", str(out)])
    assert done.exit_code == 0, done.output
    result = read_result(out)
    assert (result.method, result.seed) == ("cpsat", 3)
    assert (out / "matches.csv").is_file()


def test_verify_passes_a_sound_result(
    runner: CliRunner, cohort_dir: Path, solved: tuple[Path, MatchResult]
) -> None:
    out, result = solved
    done = runner.invoke(app, ["verify", str(cohort_dir), str(out)])
    assert done.exit_code == 0, done.output
    assert f"Verified: no rule broken ({len(result.matches)} matches" in done.output


def test_verify_fails_a_broken_result(
    runner: CliRunner, tmp_path: Path, cohort_dir: Path, solved: tuple[Path, MatchResult]
) -> None:
    _, result = solved
    first = result.matches[0]
    broken = result.model_copy(
        update={
            "matches": (first.model_copy(update={"score": first.score + 1}), *result.matches[1:])
        }
    )
    write_result(broken, tmp_path / "broken.json")
    done = runner.invoke(app, ["verify", str(cohort_dir), str(tmp_path / "broken.json")])
    assert done.exit_code == 1
    assert "violation(s)" in done.output
    assert "score" in done.output
    assert first.mentee_id in done.output


def test_verify_under_another_policy(
    runner: CliRunner, tmp_path: Path, cohort_dir: Path, solved: tuple[Path, MatchResult]
) -> None:
    (tmp_path / "p.json").write_text('{"weights": {"subject_fit": 99}}')
    out, _ = solved
    done = runner.invoke(
        app, ["verify", str(cohort_dir), str(out), "--policy", str(tmp_path / "p.json")]
    )
    assert done.exit_code == 1  # every score was computed under other weights
    assert "violation(s)" in done.output
    assert "score" in done.output
    assert "... " in done.output  # more than 50: the rest are counted


def test_explain(runner: CliRunner, solved: tuple[Path, MatchResult]) -> None:
    out, result = solved
    matched, unmatched = result.matches[0], result.unmatched[0]
    done = runner.invoke(app, ["explain", str(out), matched.mentee_id])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == result.explain(matched.mentee_id)
    assert f"is matched with mentor {matched.mentor_id!r}" in done.output
    done = runner.invoke(app, ["explain", str(out / "result.json"), unmatched.mentee_id])
    assert done.exit_code == 0, done.output
    assert f"is unmatched ({unmatched.reason.value})" in done.output


# --- bad input: a clean message and exit code 2 ------------------------------------------------


def test_unknown_mentee(runner: CliRunner, solved: tuple[Path, MatchResult]) -> None:
    done = runner.invoke(app, ["explain", str(solved[0]), "s-nobody"])
    assert done.exit_code == 2
    assert done.stderr.strip() == "error: mentee 's-nobody' is not in this result"


def test_bad_cohort_file(runner: CliRunner, tmp_path: Path, cohort_dir: Path) -> None:
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "mentors.csv").write_bytes((cohort_dir / "mentors.csv").read_bytes())
    lines = (cohort_dir / "mentees.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = lines[43].split(",")
    cells[header.index("grade")] = "seven"
    lines[43] = ",".join(cells)
    (bad / "mentees.csv").write_text("\n".join(lines), encoding="utf-8-sig")
    done = runner.invoke(app, ["solve", str(bad), "--out", str(tmp_path / "r")])
    assert done.exit_code == 2
    assert "Traceback" not in done.output
    assert done.stderr.splitlines() == [
        f"error: cohort folder {str(bad)!r} has 1 problem(s):",
        f"  - mentees.csv row 44 (mentee {cells[0]!r}), column grade: 'seven' is not a whole "
        "number",
    ]
    assert not (tmp_path / "r").exists()


def test_many_problems_are_counted_not_all_printed(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "mentors.csv").write_text("id,subjects,availability,district\n")
    rows = [f"s-{i},middle,9,math:1,,Mapo-gu" for i in range(60)]
    (tmp_path / "mentees.csv").write_text(
        "\n".join(["id,level,grade,needs,availability,district", *rows])
    )
    done = runner.invoke(app, ["solve", str(tmp_path), "--out", str(tmp_path / "r")])
    assert done.exit_code == 2
    assert "has 60 problem(s)" in done.stderr
    assert done.stderr.count("column grade") == 50
    assert done.stderr.rstrip().endswith("... and 10 more")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["solve", "{cohort}", "--out", "{tmp}/r", "--method", "lemon"],
            "unknown method 'lemon'",
        ),
        (["solve", "{tmp}/missing", "--out", "{tmp}/r"], "no such file or folder"),
        (
            ["solve", "{cohort}", "--out", "{tmp}/r", "--policy", "{tmp}/p.json"],
            "p.json max_travel_km",
        ),
        (["verify", "{cohort}", "{tmp}"], "result.json: is not in the folder"),
        (["explain", "{tmp}/nothing.json", "s-1"], "no such file or folder"),
    ],
)
def test_bad_input_exits_2(
    runner: CliRunner, tmp_path: Path, cohort_dir: Path, args: list[str], message: str
) -> None:
    (tmp_path / "p.json").write_text('{"max_travel_km": -1}')
    argv = [a.format(cohort=cohort_dir, tmp=tmp_path) for a in args]
    done = runner.invoke(app, argv)
    assert done.exit_code == 2, done.output
    assert message in done.stderr
    assert done.stderr.startswith("error: ")
    assert "Traceback" not in done.output


def test_usage_errors_exit_2(runner: CliRunner) -> None:
    assert runner.invoke(app, ["solve"]).exit_code == 2  # missing argument
    assert runner.invoke(app, ["synth", "--out", "x", "--mentors", "0"]).exit_code == 2


def test_cohort_types_are_the_domain_ones(cohort_dir: Path) -> None:
    assert isinstance(read_cohort(cohort_dir), Cohort)


def test_spinner_only_on_a_terminal() -> None:
    import io

    from rich.console import Console

    from matchkit.cli.app import step

    for terminal in (True, False):
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=terminal)
        with step(console, "Working"):
            pass
        assert console.is_terminal is terminal
    assert buffer.getvalue() == ""  # nothing at all written when not a terminal


def test_whatif_runs_a_sweep_file_and_writes_csv_and_png(runner: CliRunner, tmp_path: Path) -> None:
    spec = {
        "cohort": {"synth": {"n_mentors": 20, "n_mentees": 80, "seed": 2}},
        "policy": {"max_travel_km": 8},
        "sweep": {"grid": {"hire_mentors": [0, 10], "weights.continuity": [0, 15]}},
        "plot": {"metric": "match_rate", "x": "hire_mentors", "hue": "weights.continuity"},
    }
    file = tmp_path / "sweep.json"
    file.write_text(json.dumps(spec))
    out = tmp_path / "out"
    done = runner.invoke(app, ["whatif", str(file), "--out", str(out), "--workers", "2"])
    assert done.exit_code == 0, done.output
    assert "4 scenarios" in done.output
    lines = (out / "whatif.csv").read_text("utf-8-sig").splitlines()
    assert lines[0].startswith("scenario,hire_mentors,weights.continuity,mentors")
    assert len(lines) == 5
    assert (out / "whatif.png").stat().st_size > 1000


def test_whatif_scenarios_from_a_cohort_folder_and_bad_files(
    runner: CliRunner, tmp_path: Path, cohort_dir: Path
) -> None:
    spec = {
        "cohort": str(cohort_dir),
        "scenarios": [
            {"name": "as is"},
            {"name": "=cmd|' /C calc'!A0", "remove_mentors": {"share": 0.5}},
        ],
    }
    file = tmp_path / "s.json"
    file.write_text(json.dumps(spec))
    done = runner.invoke(app, ["whatif", str(file), "--out", str(tmp_path / "o")])
    assert done.exit_code == 0, done.output
    text = (tmp_path / "o" / "whatif.csv").read_text("utf-8-sig")
    assert "\n'=cmd" in text or "\n\"'=cmd" in text  # a formula is never a live cell
    file.write_text(json.dumps({**spec, "sweep": {"grid": {"seed": [1]}}}))
    bad = runner.invoke(app, ["whatif", str(file)])
    assert bad.exit_code == 2
    assert "either 'scenarios'" in bad.output
    file.write_text(
        json.dumps({"cohort": str(cohort_dir), "scenarios": [{"name": "x", "hire": 3}]})
    )
    bad = runner.invoke(app, ["whatif", str(file)])
    assert bad.exit_code == 2
    assert "scenarios.0.hire" in bad.output


def test_whatif_on_a_dask_scheduler(runner: CliRunner, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    spec = {
        "cohort": {"synth": {"n_mentors": 20, "n_mentees": 80, "seed": 2}},
        "scenarios": [{"name": "as is"}, {"name": "+5", "hire_mentors": 5}],
    }
    file = tmp_path / "s.json"
    file.write_text(json.dumps(spec))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        args = [
            "whatif",
            str(file),
            "--out",
            str(tmp_path / "o"),
            "--dask",
            cluster.scheduler_address,
        ]
        done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "2 scenarios" in done.output
    serial = runner.invoke(app, ["whatif", str(file), "--out", str(tmp_path / "s")])
    assert (tmp_path / "o" / "whatif.csv").read_text().splitlines()[1].split(",")[:-1] == (
        (tmp_path / "s" / "whatif.csv").read_text().splitlines()[1].split(",")[:-1]
    )
    assert serial.exit_code == 0


def test_the_documented_hiring_file_is_valid() -> None:
    from matchkit.whatif.file import WhatifFile

    path = Path(__file__).resolve().parents[2] / "examples" / "whatif_hiring.json"
    spec = WhatifFile.model_validate_json(path.read_bytes())
    assert spec.sweep is not None
    assert spec.sweep.grid["hire_mentors"][-1] == 1000
