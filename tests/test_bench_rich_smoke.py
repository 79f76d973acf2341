"""Smoke test of the rich-rules benchmark: ``--quick`` runs end to end, verified."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_rich_benchmark_quick(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "benchmarks", "rich", "--quick", "--out", str(tmp_path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    results = json.loads((tmp_path / "rich.json").read_text())
    (case,) = results["cases"]
    run = case["runs"][0]
    assert run["status"] in ("optimal", "feasible")
    assert run["violations"] == 0
    assert case["verdicts"]["target"] is True
    assert results["policy"]["sessions"] == {"offline_buffer_minutes": 30}
    assert "| tiny, 5 s | 1 |" in (tmp_path / "rich.md").read_text()
