"""Smoke test of the domain benchmark: ``--quick`` runs end to end, verified and optimal."""

from __future__ import annotations

from pathlib import Path

from tests.bench.quick import run_quick


def test_domain_benchmark_quick(tmp_path: Path) -> None:
    results = run_quick("domain", tmp_path)
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
