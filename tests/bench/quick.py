"""Shared by the benchmark smoke tests: run one suite's ``--quick`` mode in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_quick(suite: str, out: Path, timeout: float = 300) -> dict[str, Any]:
    """``python -m benchmarks <suite> --quick --out <out>``; its JSON results (asserts success)."""
    cmd = [sys.executable, "-m", "benchmarks", suite, "--quick", "--out", str(out)]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads((out / f"{suite}.json").read_text())  # type: ignore[no-any-return]
