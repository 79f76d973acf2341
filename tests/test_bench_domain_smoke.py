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
    (case,) = results["cases"]
    assert case["verdicts"]["verified"] is True
    assert case["verdicts"]["optimal"] is True
    assert {"compile", "solve", "join", "total"} <= case["runs"][0]["timings"].keys()
    assert "| tiny |" in (tmp_path / "domain.md").read_text()
