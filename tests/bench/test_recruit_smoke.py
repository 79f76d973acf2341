"""Smoke test of the recruitment benchmark: ``--quick`` runs every method on tiny cases."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from benchmarks.recruit import METHOD_ORDER, parse_size
from benchmarks.recruit_report import time_to_gap

ROOT = Path(__file__).resolve().parents[2]


def _run(out: Path, *extra: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks", "recruit", "--quick", "--out", str(out)]
    cmd += ["--cache", str(out / "cache"), *extra]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / "recruit.json").read_text())  # type: ignore[no-any-return]


def test_recruit_benchmark_quick(tmp_path: Path) -> None:
    results = _run(tmp_path)
    assert [s["case"] for s in results["summary"]] == ["tiny-cohort", "tiny-dense"]
    for s in results["summary"]:
        assert s["verdicts"]["gap"] is True
        assert s["verdicts"]["time_limit"] is True
        for g in s["groups"]:
            assert set(g["methods"]) == set(METHOD_ORDER)
    runs = {(r["case"], r["hire"], r["method"]): r for r in results["runs"]}
    for (case, hire, method), r in runs.items():
        assert r.get("error") is None, (case, method, r)
        assert r["hired"] == hire
        mk = runs[(case, hire, "matchkit")]
        # The tiny cases end proven optimal or within matchkit's default gap (1e-4): no
        # method's hires are worth more than its bound, HiGHS proves the optimum, and
        # matchkit is that close to it.
        assert r["value"] <= mk["bound"] + 1e-6
        assert mk["status"] == "optimal" or mk["gap"] <= 1e-4
        if method == "highs":
            # told to stop at matchkit's gap: it does, so its time to that gap is its wall
            assert r["status"] == "optimal"
            assert r["mip_rel_gap_asked"] is not None
            assert r["mip_rel_gap_asked"] <= mk["gap"] + 1e-12
            assert r["value"] == pytest.approx(mk["objective"], rel=1e-4)
            assert time_to_gap(r, mk["gap"]) == r["wall_s"]
    cohort_mk = runs[("tiny-cohort", 17, "matchkit")]
    assert cohort_mk["top_matched"] >= runs[("tiny-cohort", 17, "rank")]["top_matched"]
    assert runs[("tiny-dense", 5, "greedy")]["hires_reached"] == 5
    assert runs[("tiny-dense", 5, "cpsat_plain")]["trajectory"]
    text = (tmp_path / "recruit.md").read_text()
    assert "## matchkit against the targets" in text
    assert "| 0 | 17 | rank by review + extra points |" in text
    assert not (tmp_path / "recruit.partial.jsonl").exists()


def test_a_worker_over_the_memory_cap_is_a_row(tmp_path: Path) -> None:
    results = _run(
        tmp_path,
        "--sizes",
        "dense:4x6:2",
        "--methods",
        "matchkit,highs",
        "--memory-cap-gib",
        "0.01",
    )
    assert [r["method"] for r in results["runs"]] == ["matchkit", "highs"]
    for r in results["runs"]:
        assert r["status"].startswith("stopped at"), r
        assert r["wall_s"] is None
    assert results["summary"][0]["verdicts"]["gap"] is False
    assert "model not built" in (tmp_path / "recruit.md").read_text()


def test_sizes_by_name_or_spec() -> None:
    assert parse_size("seoul").hires == (850,)
    c = parse_size("cohort:300x600:60:80")
    assert (c.kind, c.mentors, c.mentees, c.stay, c.hires) == ("cohort", 300, 600, 60, (80,))
    d = parse_size("dense-random:50x40:2/4")
    assert (d.kind, d.scores, d.mentors, d.mentees, d.hires) == ("dense", "random", 50, 40, (2, 4))
    with pytest.raises(argparse.ArgumentTypeError, match="unknown size 'dense:5'"):
        parse_size("dense:5")


def test_time_to_gap_reads_the_trajectory() -> None:
    run = {"trajectory": [[1.0, None, 200.0], [2.0, 90.0, 150.0], [5.0, 99.0, 100.0]]}
    assert time_to_gap(run, 0.02) == 5.0
    assert time_to_gap(run, 1.0) == 2.0
    assert time_to_gap(run, 0.001) is None
    assert time_to_gap({"gap": 0.0, "wall_s": 3.0}, 0.01) == 3.0
    assert time_to_gap(run, None) is None
