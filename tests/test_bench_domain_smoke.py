"""Smoke test of the domain benchmark: ``--quick`` runs end to end, verified and optimal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_domain_benchmark_quick(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "benchmarks", "domain", "--quick", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "domain.json").read_text())
    exact, pruned = results["cases"]
    for case in (exact, pruned):
        assert case["verdicts"]["verified"] is True
        assert case["verdicts"]["optimal"] is True
        assert {"compile", "solve", "join", "total"} <= case["runs"][0]["timings"].keys()
    assert pruned["policy"] == {"max_candidates": 3}
    # Pruning can only lose: the exact optimum is never below the pruned one.
    for r, e in zip(pruned["runs"], exact["runs"], strict=True):
        assert e["objective"] >= r["objective"] - 1e-6
    text = (tmp_path / "domain.md").read_text()
    assert "| tiny | default |" in text
    assert "The price of pruning" in text
