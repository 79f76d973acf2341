"""A long solve reports its best answer, bound and gap; the CLI shows it on a terminal only."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from typer.testing import CliRunner

from matchkit import Policy, solve
from matchkit.cli import app
from matchkit.cli.app import _progress_option, progress_line, step
from matchkit.core.progress import Progress
from matchkit.io import write_cohort
from matchkit.synth import generate_cohort


def test_rich_rules_report_valid_bounds() -> None:
    seen: list[Progress] = []
    cohort = generate_cohort(10, 40, seed=3)
    policy = Policy(
        sessions={"offline_buffer_minutes": 30},
        group_caps=[{"field": "level", "max_per_mentor": 1}],
    )
    result = solve(cohort, policy, time_limit=5, progress=seen.append)
    assert seen
    assert {p.stage for p in seen} >= {"relaxation", "start"}
    for p in seen:
        assert p.bound >= p.objective
        assert p.elapsed >= 0
    finite = [p for p in seen if p.objective > float("-inf")]
    assert finite
    assert max(p.objective for p in finite) <= result.bound + 1e-6
    assert min(p.bound for p in seen) >= result.objective - 1e-6


def test_the_line_and_no_progress_off_a_terminal() -> None:
    assert progress_line(Progress(1234.5, 1240.0, 12.2, "cpsat")) == (
        "best 1,234.5, bound 1,240.0, gap 0.4%, 12 s"
    )
    assert progress_line(Progress(float("-inf"), 1240.0, 1.0, "relaxation")) == "bound 1,240.0, 1 s"
    quiet = Console(file=io.StringIO(), force_terminal=False)
    with step(quiet, "Solving") as spinner:
        assert _progress_option(spinner) == {}
    loud = Console(file=io.StringIO(), force_terminal=True)
    with step(loud, "Solving") as spinner:
        assert set(_progress_option(spinner)) == {"progress"}


def test_a_piped_solve_prints_no_progress_lines(tmp_path: Path) -> None:
    write_cohort(generate_cohort(10, 40, seed=3), tmp_path / "c.json")
    (tmp_path / "p.json").write_text('{"sessions": {"offline_buffer_minutes": 30}}')
    args = ["solve", str(tmp_path / "c.json"), "--policy", str(tmp_path / "p.json")]
    done = CliRunner().invoke(app, [*args, "--time-limit", "5", "--out", str(tmp_path / "r")])
    assert done.exit_code == 0, done.output
    assert "bound " not in done.output.split("Matching result")[0]
    assert "gap " not in done.output.replace("gap to bound", "")
