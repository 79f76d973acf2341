"""Smoke test of the engine benchmark: ``--quick`` runs end to end and all solvers agree.

The benchmark runs as ``python -m benchmarks engine --quick`` from the repository root, the way
``make bench-engine`` runs it, writing into ``tmp_path`` so the committed results stay as they
are. It takes a few seconds (tiny instances, every measurement in a fresh process).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SIDE_KEYS = {"time_min", "time_median", "rss_before_mib", "peak_mib", "increment_mib"}
CASE_KEYS = {"size", "scores", "n_edges", "bare", "pot", "matchkit", "ratios", "verdicts"}
TOP_KEYS = {"suite", "quick", "command", "machine", "targets", "cases", "cpsat", "cold_imports"}
MACHINE_KEYS = {"cpu", "cores", "ram_gib", "python", "numpy", "ortools", "date"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    tmp = tmp_path_factory.mktemp("bench")
    out, cache = tmp / "out", tmp / "cache"
    cmd = [sys.executable, "-m", "benchmarks", "engine", "--quick"]
    cmd += ["--out", str(out), "--cache", str(cache)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "engine.json").read_text()), tmp


def test_results_have_expected_keys(quick_run: tuple[dict[str, Any], Path]) -> None:
    results, tmp = quick_run
    assert results.keys() >= TOP_KEYS
    assert results["quick"] is True
    assert results["machine"].keys() >= MACHINE_KEYS
    assert "--quick" in results["command"]
    assert {c["scores"] for c in results["cases"]} == {"int", "float"}
    for case in results["cases"]:
        assert case.keys() >= CASE_KEYS
        for side in ("bare", "pot", "matchkit"):
            assert case[side].keys() >= SIDE_KEYS
        assert set(case["verdicts"]) == {"time", "peak", "increment"}
        assert set(case["verdicts"].values()) <= {"PASS", "FAIL"}
    markdown = (tmp / "out" / "engine.md").read_text()
    assert "| tiny |" in markdown
    assert results["machine"]["ortools"] in markdown


def test_objectives_agree(quick_run: tuple[dict[str, Any], Path]) -> None:
    results, _ = quick_run
    assert results["all_objectives_agree"] is True
    for case in results["cases"]:
        runs = case["bare"]["runs"] + case["pot"]["runs"] + case["matchkit"]["runs"]
        assert {r["status"] for r in runs} == {"optimal"}
        optimum = case["bare"]["objective"]
        for r in runs:
            assert r["objective"] == pytest.approx(optimum, rel=0, abs=case["tolerance"])
    cpsat = results["cpsat"]["run"]
    assert cpsat["objective"] <= cpsat["bound"]
    assert cpsat["objective"] <= results["cpsat"]["flow_optimum"]


def test_instance_is_sparse_and_distinct(quick_run: tuple[dict[str, Any], Path]) -> None:
    _, tmp = quick_run
    (inst,) = (tmp / "cache").glob("tiny-*")
    mentee = np.load(inst / "mentee.npy")
    mentor = np.load(inst / "mentor.npy")
    capacity = np.load(inst / "capacity.npy")
    n_mentees, n_mentors = int(mentee.max()) + 1, capacity.shape[0]
    k = mentee.shape[0] // n_mentees
    assert np.array_equal(mentee, np.repeat(np.arange(n_mentees), k))
    per_mentee = np.sort(mentor.reshape(n_mentees, k), axis=1)
    assert (np.diff(per_mentee, axis=1) > 0).all()
    assert mentor.min() >= 0
    assert mentor.max() < n_mentors
    assert capacity.min() >= 1
    assert capacity.max() <= 5


def test_cohort_instance_is_the_compiled_problem(quick_run: tuple[dict[str, Any], Path]) -> None:
    """The cohort case solves what ``solve(cohort)`` solves: the same optimum (in the
    compiled milli-points) once the constant sum of unmatched penalties, folded into the
    cached scores, is taken off."""
    from matchkit import Policy, solve
    from matchkit.compiler.prepare import prepare
    from matchkit.compiler.problem import compile_problem
    from matchkit.compiler.rules import MILLI
    from matchkit.synth import generate_cohort

    results, tmp = quick_run
    (case,) = (c for c in results["cases"] if c["size"] == "tiny cohort")
    assert case["policy"] == {}
    assert case["objectives_agree"]
    assert "| tiny cohort |" in (tmp / "out" / "engine.md").read_text()
    (inst,) = (tmp / "cache").glob("tiny_cohort-*")
    assert json.loads((inst / "meta.json").read_text())["n_edges"] == case["n_edges"]
    cohort = generate_cohort(n_mentors=40, n_mentees=150, seed=results["seed"])
    penalties = compile_problem(*prepare(cohort, Policy())).problem.unmatched_penalty.sum()
    expected = solve(cohort).objective * MILLI + float(penalties)  # points -> milli-points
    assert case["matchkit"]["objective"] == pytest.approx(expected, abs=1e-6)
