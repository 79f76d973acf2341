"""Smoke test of the comparison benchmark: ``--quick`` runs every method, verified, agreeing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.compare import METHOD_ORDER
from tests.bench.quick import run_quick

ROOT = Path(__file__).resolve().parents[2]
METHODS = set(METHOD_ORDER)  # every method runs on the tiny cases
EXACT = METHODS - {"greedy", "random"}


def test_compare_benchmark_quick(tmp_path: Path) -> None:
    results = run_quick("compare", tmp_path)
    assert [s["case"] for s in results["summary"]] == ["tiny", "random tiny"]
    for s in results["summary"]:
        assert set(s["methods"]) == METHODS
        for name, m in s["methods"].items():
            assert m["skipped"] is None, (name, m)
            assert m["error"] is None, (name, m)
            assert m["verified"], (name, m["violations"])
        # Every exact method proved its answer optimal, and all found the same optimum.
        for agreement in s["agreement"].values():
            assert set(agreement["optimal"]) == EXACT
            assert agreement["agree"]
        flow = s["methods"]["flow"]
        for name in ("greedy", "random"):  # heuristics can only lose
            assert s["methods"][name]["objective"] <= flow["objective"] + 1e-6
    tiny = results["summary"][0]["methods"]
    assert tiny["flow"]["metrics"]["top_priority_matched"] >= 0
    assert {r["kind"] for r in results["scaling"]} == {"matchkit", "bare", "pot"}
    text = (tmp_path / "compare.md").read_text()
    assert "networkx network_simplex" in text
    assert "## Scaling" in text
    for png in ("compare-time.png", "compare-scaling.png"):
        assert (tmp_path / png).stat().st_size > 10_000
    # --render redraws the report from the results file alone, identically.
    (tmp_path / "compare.md").unlink()
    render = [sys.executable, "-m", "benchmarks", "compare", "--render", "--out", str(tmp_path)]
    proc = subprocess.run(
        render, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "compare.md").read_text() == text
