"""Smoke test of the what-if throughput benchmark: ``--quick`` runs every executor, identical."""

from __future__ import annotations

from pathlib import Path

from tests.bench.quick import run_quick


def test_whatif_benchmark_quick(tmp_path: Path) -> None:
    results = run_quick("whatif", tmp_path)
    assert set(results["runs"]) == {"serial", "process pool (2)", "dask LocalCluster (2)"}
    assert all(run["identical"] for run in results["runs"].values())
    assert results["scenarios"] == 4
    assert "| serial |" in (tmp_path / "whatif.md").read_text()
