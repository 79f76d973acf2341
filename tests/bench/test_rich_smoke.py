"""Smoke test of the rich-rules benchmark: ``--quick`` runs end to end, verified."""

from __future__ import annotations

from pathlib import Path

from tests.bench.quick import run_quick


def test_rich_benchmark_quick(tmp_path: Path) -> None:
    results = run_quick("rich", tmp_path)
    (case,) = results["cases"]
    run = case["runs"][0]
    assert run["status"] in ("optimal", "feasible")
    assert run["violations"] == 0
    assert case["verdicts"]["target"] is True
    assert results["policy"]["sessions"] == {"offline_buffer_minutes": 30}
    assert "| tiny, 5 s | 1 |" in (tmp_path / "rich.md").read_text()
