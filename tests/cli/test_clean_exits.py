"""Issue 18: every bad option, bad what-if file and Ctrl-C ends in one line and its exit
code (2 bad input, 130 interrupted), never a traceback; an output never replaces an input."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matchkit import solve
from matchkit.cli import app
from matchkit.io import write_cohort
from matchkit.synth import generate_cohort

SMALL = generate_cohort(8, 24, seed=5)


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="module")
def cohort_json(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("c") / "c.json"
    write_cohort(SMALL, path)
    return path


def _one_clean_line(done: object, code: int = 2) -> str:
    assert done.exit_code == code, done.output  # type: ignore[attr-defined]
    err = done.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in done.output  # type: ignore[attr-defined]
    assert err.startswith("error: "), err
    return str(err)


@pytest.mark.parametrize("value", ["0", "inf", "nan", "-1", "-inf"])
def test_time_limit_must_be_positive_and_finite(
    runner: CliRunner, cohort_json: Path, tmp_path: Path, value: str
) -> None:
    done = runner.invoke(
        app, ["solve", str(cohort_json), "--out", str(tmp_path / "r"), "--time-limit", value]
    )
    err = _one_clean_line(done)
    assert "--time-limit must be a number of seconds greater than 0" in err
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("value", [0.0, float("inf"), float("nan"), -1.0])
def test_the_library_rejects_the_same_time_limits_cleanly(value: float) -> None:
    with pytest.raises(ValueError, match="time_limit must be a positive number"):
        solve(SMALL, time_limit=value)


@pytest.mark.parametrize("seed", ["2147483648", "-1"])
def test_seed_beyond_cpsat_range(
    runner: CliRunner, cohort_json: Path, tmp_path: Path, seed: str
) -> None:
    args = ["solve", str(cohort_json), "--out", str(tmp_path / "r"), "--method", "cpsat"]
    err = _one_clean_line(runner.invoke(app, [*args, "--seed", seed]))
    assert err.strip() == f"error: --seed must be an integer from 0 to 2147483647, got {seed}"


def test_an_output_that_is_an_input_is_refused(
    runner: CliRunner, cohort_json: Path, tmp_path: Path
) -> None:
    before = cohort_json.read_bytes()
    err = _one_clean_line(
        runner.invoke(app, ["solve", str(cohort_json), "--out", str(cohort_json)])
    )
    assert "would replace the cohort" in err
    assert str(cohort_json) in err
    assert cohort_json.read_bytes() == before
    folder = tmp_path / "cohort"
    write_cohort(SMALL, folder)
    err = _one_clean_line(runner.invoke(app, ["solve", str(folder), "--out", str(folder)]))
    assert "would replace the cohort" in err
    assert not (folder / "result.json").exists()
    # the same file by another spelling of its path
    other = tmp_path / "x" / ".." / "cohort"
    (tmp_path / "x").mkdir()
    assert _one_clean_line(runner.invoke(app, ["solve", str(folder), "--out", str(other)]))
    # a previous result inside the output folder would be replaced too
    done = runner.invoke(app, ["solve", str(folder), "--out", str(tmp_path / "r")])
    assert done.exit_code == 0, done.output
    err = _one_clean_line(
        runner.invoke(
            app,
            [
                "rematch",
                str(folder),
                "--previous",
                str(tmp_path / "r" / "result.json"),
                "--out",
                str(tmp_path / "r"),
            ],
        )
    )
    assert "previous result" in err
    policy = tmp_path / "p.json"
    policy.write_text("{}")
    err = _one_clean_line(
        runner.invoke(app, ["solve", str(folder), "--policy", str(policy), "--out", str(policy)])
    )
    assert "would replace the policy" in err
    # beside the input is fine: a new file, nothing replaced
    done = runner.invoke(app, ["solve", str(cohort_json), "--out", str(tmp_path / "r.json")])
    assert done.exit_code == 0, done.output


def _whatif(runner: CliRunner, tmp_path: Path, spec: Mapping[str, object]) -> str:
    file = tmp_path / "w.json"
    file.write_text(json.dumps(spec))
    return _one_clean_line(runner.invoke(app, ["whatif", str(file), "--out", str(tmp_path / "o")]))


SYNTH = {"synth": {"n_mentors": 6, "n_mentees": 20, "seed": 1}}


def test_whatif_duplicate_names(runner: CliRunner, tmp_path: Path) -> None:
    err = _whatif(runner, tmp_path, {"cohort": SYNTH, "scenarios": [{"name": "a"}, {"name": "a"}]})
    assert "scenario names must be unique; repeated: ['a']" in err


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({}, "grid must name at least one parameter"),
        ({"hire": [1]}, "grid key 'hire' is not a Scenario field"),
        ({"name": ["x"]}, "grid key 'name' is not a Scenario field"),
        ({"hire_mentors": []}, "grid key 'hire_mentors' has no values"),
    ],
)
def test_whatif_bad_grids(
    runner: CliRunner, tmp_path: Path, grid: dict[str, object], message: str
) -> None:
    err = _whatif(runner, tmp_path, {"cohort": SYNTH, "sweep": {"grid": grid}})
    assert message in err


def test_whatif_grid_value_a_scenario_rejects(runner: CliRunner, tmp_path: Path) -> None:
    err = _whatif(runner, tmp_path, {"cohort": SYNTH, "sweep": {"grid": {"hire_mentors": [-3]}}})
    assert "scenario.hire_mentors" in err
    assert "(got -3)" in err


def test_whatif_bad_options(runner: CliRunner, tmp_path: Path) -> None:
    spec = {"cohort": SYNTH, "scenarios": [{"name": "a"}]}
    assert "time_limit must be" in _whatif(runner, tmp_path, {**spec, "options": {"time_limit": 0}})
    assert "unknown: ['budget']" in _whatif(runner, tmp_path, {**spec, "options": {"budget": 1}})


def test_whatif_policy_errors_name_the_field_not_the_record(
    runner: CliRunner, tmp_path: Path
) -> None:
    phone = "010-1234-5678"
    spec = {
        "cohort": SYNTH,
        "policy": {"max_travel_km": -1, "weights": {"continuity": "lots"}},
        "scenarios": [{"name": "a"}],
    }
    err = _whatif(runner, tmp_path, spec)
    assert "policy.max_travel_km" in err
    assert "(got -1)" in err
    assert "policy.weights.continuity" in err
    assert "input_value" not in err
    mentor = SMALL.mentors[0].model_dump(mode="json")
    mentor["attributes"] = {"phone": phone}
    mentor["capacity"] = -4
    spec = {"cohort": SYNTH, "scenarios": [{"name": "a", "add_mentors": [mentor]}]}
    err = _whatif(runner, tmp_path, spec)
    assert "capacity" in err
    assert phone not in err
    assert "input_value" not in err
    inline = {"cohort": SYNTH, "scenarios": [{"name": "b", "policy": {"max_travel_km": "far"}}]}
    err = _whatif(runner, tmp_path, inline)
    assert "policy.max_travel_km" in err
    assert "'far'" in err
    assert "input_value" not in err


def test_markup_in_scenario_names_is_printed_as_text(runner: CliRunner, tmp_path: Path) -> None:
    spec = {"cohort": SYNTH, "scenarios": [{"name": "close[/x]"}, {"name": "[bold]b"}]}
    file = tmp_path / "w.json"
    file.write_text(json.dumps(spec))
    done = runner.invoke(app, ["whatif", str(file), "--out", str(tmp_path / "o")])
    assert done.exit_code == 0, done.output
    assert "close[/x]" in done.output
    assert "[bold]b" in done.output


def test_ctrl_c_while_solving_exits_130_and_changes_nothing(
    runner: CliRunner, cohort_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = importlib.import_module("matchkit.cli.app")  # the name ``app`` is the Typer app

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "solve", interrupted)
    done = runner.invoke(app, ["solve", str(cohort_json), "--out", str(tmp_path / "r")])
    assert done.exit_code == 130
    assert done.stderr.strip() == "error: interrupted; no files were changed"
    assert not (tmp_path / "r").exists()


def test_ctrl_c_while_writing_says_so(
    runner: CliRunner, cohort_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = importlib.import_module("matchkit.cli.app")  # the name ``app`` is the Typer app

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "write_result", interrupted)
    done = runner.invoke(app, ["solve", str(cohort_json), "--out", str(tmp_path / "r")])
    assert done.exit_code == 130
    assert done.stderr.startswith(f"error: interrupted while writing {tmp_path / 'r'}")
    assert "Traceback" not in done.output


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_sigint_to_a_real_process(cohort_json: Path, tmp_path: Path) -> None:
    """A real Ctrl-C (SIGINT) during a solve: exit 130, one line, no traceback."""
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"sessions": {"offline_buffer_minutes": 30}}))
    big = tmp_path / "big.json"
    write_cohort(generate_cohort(60, 400, seed=3), big)
    code = (
        "import sys, time; from matchkit.cli import app; "
        "print('ready', flush=True); sys.argv = ['matchkit'] + sys.argv[1:]; app()"
    )
    args = ["solve", str(big), "--policy", str(policy), "--out", str(tmp_path / "r")]
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args, "--time-limit", "60", "--method", "rich"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(2.0)  # reading and solving by now
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert "Traceback" not in err, err
    assert proc.returncode == 130, (out, err)
    assert err.strip().splitlines() == ["error: interrupted; no files were changed"]
    assert not (tmp_path / "r").exists()


_INTERRUPT_WHILE_LOADING = """
import sys

class Interrupt:
    def find_spec(self, name, path=None, target=None):
        if name == "matchkit.cli":
            raise KeyboardInterrupt  # Ctrl-C while the solving code loads
        return None

sys.meta_path.insert(0, Interrupt())
sys.argv = ["matchkit", "--help"]
from matchkit.__main__ import main
main()
"""


def test_ctrl_c_while_the_command_loads_is_one_line_and_130() -> None:
    """The console script imports only ``matchkit.__main__``; the command line, and the
    solving code behind it, load inside ``main``'s Ctrl-C handling."""
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPT_WHILE_LOADING],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 130
    assert done.stderr == "error: interrupted; no files were changed\n"


def test_the_console_script_front_loads_no_solving_code() -> None:
    code = "import sys, matchkit.__main__; print('matchkit.workflows.solve' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
