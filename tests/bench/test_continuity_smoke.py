"""Smoke test of the continuity benchmark: ``--quick`` runs end to end, verified."""

from __future__ import annotations

from pathlib import Path

from tests.bench.quick import run_quick


def test_continuity_benchmark_quick(tmp_path: Path) -> None:
    results = run_quick("continuity", tmp_path)
    (row,) = results["stability"]
    assert row["stable_blocking"] == 0
    assert row["stable_violations"] == 0
    assert row["stable_objective"] <= row["optimal_objective"]
    assert set(results["terms"]) == {"prefer", "require", "none"}
    assert all(t["changed"] == 0 for t in results["terms"]["require"]["terms"])
    assert all(r["violations"] == 0 for r in results["rematch"])
    assert results["rematch"][-1]["case"] == "repair, 50 quit, 50 hired"
    assert (tmp_path / "continuity.png").stat().st_size > 1000
    assert "## Price of stability" in (tmp_path / "continuity.md").read_text()
