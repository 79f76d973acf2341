"""Continuity and stability: the price of stability, continuity over terms, rematch/repair.

``python -m benchmarks continuity`` (``make bench-continuity``; a few minutes) writes
``continuity.json``, ``continuity.md`` and ``continuity.png`` to ``benchmarks/results/``:

* **price of stability**: ``solve(method="stable")`` against the optimum on synthetic Seoul
  cohorts (3 seeds) and one metro cohort: objective, matched, top-priority match rate, and
  how many blocking pairs the optimum has;
* **continuity over terms**: :func:`matchkit.synth.simulate_terms` at Seoul size under
  ``prefer``, ``require`` and ``none``: pairs kept per term (the figure);
* **rematch and repair at Seoul size**: ``max_changes`` (with and without continuity points)
  and a mid-term repair after 50 mentors quit: wall time and status.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.report import machine_info
from benchmarks.worker import add_quick_and_out, write_results

__all__ = ["add_arguments", "main"]

MODES = ("prefer", "require", "none")


def _stability(n_mentors: int, n_mentees: int, seed: int, extra: dict[str, Any]) -> dict[str, Any]:
    from matchkit import Policy, blocking_pairs, solve, verify
    from matchkit.synth import generate_cohort

    policy = Policy(**extra)
    cohort = generate_cohort(n_mentors, n_mentees, seed=seed)
    t0 = time.perf_counter()
    stable = solve(cohort, policy, method="stable")
    t1 = time.perf_counter()
    best = solve(cohort, policy)
    t2 = time.perf_counter()
    top = max(s.priority for s in cohort.mentees)
    out = {
        "mentors": n_mentors,
        "mentees": n_mentees,
        "seed": seed,
        "stable_s": t1 - t0,
        "optimal_s": t2 - t1,
        "stable_objective": stable.objective,
        "optimal_objective": best.objective,
        "points_lost": best.objective - stable.objective,
        "stable_continuity": stable.metrics().continuity_kept,
        "optimal_continuity": best.metrics().continuity_kept,
        "stable_matched": len(stable.matches),
        "optimal_matched": len(best.matches),
        "stable_top_rate": stable.metrics().match_rate_by_priority.get(top, 0.0),
        "optimal_top_rate": best.metrics().match_rate_by_priority.get(top, 0.0),
        "top_priority": top,
    }
    if n_mentees <= 10_000:
        out["stable_violations"] = len(verify(cohort, policy, stable))
        out["stable_blocking"] = len(blocking_pairs(cohort, policy, stable))
        out["optimal_blocking"] = len(blocking_pairs(cohort, policy, best))
    return out


def _terms(n_terms: int, n_mentors: int, n_mentees: int, seed: int) -> dict[str, Any]:
    from matchkit.synth import simulate_terms

    out: dict[str, Any] = {}
    for keep in MODES:
        t0 = time.perf_counter()
        sim = simulate_terms(
            n_terms, n_mentors=n_mentors, n_mentees=n_mentees, keep=keep, seed=seed
        )
        out[keep] = {"wall_s": time.perf_counter() - t0, "terms": sim.rows()}
    return out


def _rematch_repair(n_mentors: int, n_mentees: int, seed: int) -> list[dict[str, Any]]:
    from matchkit import Policy, rematch, repair, verify
    from matchkit.synth import generate

    syn = generate(n_mentors, n_mentees, seed=seed)
    history = syn.cohort.with_previous(dict(syn.previous_pairs))
    rows = []
    for label, policy, mc in (
        ("rematch prefer", Policy(), None),
        ("rematch require", Policy(), None),
        ("rematch prefer, continuity 0", Policy(weights={"continuity": 0}), None),
        ("rematch prefer, continuity 0, max_changes=0", Policy(weights={"continuity": 0}), 0),
        ("rematch prefer, continuity 0, max_changes=half", Policy(weights={"continuity": 0}), -1),
    ):
        keep = "require" if "require" in label else "prefer"
        if mc == -1:
            free = rematch(syn.previous_pairs, syn.cohort, policy).transition
            mc = (free.changes if free else 0) // 2
        t0 = time.perf_counter()
        r = rematch(syn.previous_pairs, syn.cohort, policy, keep=keep, max_changes=mc)
        wall = time.perf_counter() - t0
        t = r.transition
        assert t is not None
        rows.append(
            {
                "case": label if mc is None or mc == 0 else f"{label.split('=')[0]}={mc}",
                "wall_s": wall,
                "status": r.status.value,
                "kept": len(t.kept),
                "changes": t.changes,
                "flow_solves": r.stats.get("max_changes_flow_solves"),
                "violations": len(verify(history, policy, r)),
            }
        )
    first = rematch(syn.previous_pairs, syn.cohort)
    quitting = sorted({m.mentor_id for m in first.matches})[:50]
    fresh = generate(50, 1, seed=seed + 1000).cohort.mentors
    hired = [m.model_copy(update={"id": f"m-hired-{k:03d}"}) for k, m in enumerate(fresh)]
    for label, added in (("repair, 50 mentors quit", []), ("repair, 50 quit, 50 hired", hired)):
        t0 = time.perf_counter()
        fixed = repair(first, history, removed_mentors=quitting, added_mentors=added)
        wall = time.perf_counter() - t0
        t = fixed.transition
        assert t is not None
        after = history.changed(removed_mentors=quitting, added_mentors=added)
        rows.append(
            {
                "case": label,
                "wall_s": wall,
                "status": fixed.status.value,
                "kept": len(t.kept),
                "changes": len(t.new),
                "flow_solves": None,
                "violations": len(verify(after, Policy(), fixed)),
            }
        )
    return rows


def _figure(terms: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for keep in MODES:
        rows = terms[keep]["terms"]
        ax.plot(
            [r["term"] for r in rows], [100 * r["kept_rate"] for r in rows], marker="o", label=keep
        )
    ax.set_xlabel("term")
    ax.set_ylabel("continuing pairs kept (%)")
    ax.set_ylim(0, 105)
    ax.set_xticks([r["term"] for r in terms[MODES[0]]["terms"]])
    ax.grid(alpha=0.3)
    ax.legend(title="keep")
    ax.set_title("Continuity per term, synthetic Seoul programme")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def render(results: dict[str, Any]) -> str:
    lines = [
        "# Continuity and stability benchmark",
        "",
        f"Command: `{results['command']}`  ",
        f"Machine: {results['machine'].get('cpu', '?')}, {results['machine'].get('cores', '?')} "
        f"cores, Python {results['machine'].get('python', '?')}",
        "",
        "## Price of stability (mentee-optimal stable matching vs the optimum)",
        "",
        "| Cohort | Seed | Stable objective | Optimal objective | Points lost | Matched stable / "
        "optimal | Top priority matched stable / optimal | Continuity kept stable / optimal | "
        "Blocking pairs of the optimum | Stable s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results["stability"]:
        lines.append(
            f"| {r['mentors']:,} x {r['mentees']:,} | {r['seed']} | {r['stable_objective']:,.1f} "
            f"| {r['optimal_objective']:,.1f} | {r['points_lost']:,.1f} "
            f"| {r['stable_matched']:,} / {r['optimal_matched']:,} "
            f"| {r['stable_top_rate']:.1%} / {r['optimal_top_rate']:.1%} "
            f"| {r['stable_continuity']:.1%} / {r['optimal_continuity']:.1%} "
            f"| {r.get('optimal_blocking', 'n/a')} | {r['stable_s']:.2f} |"
        )
    lines += [
        "",
        "## Continuity over terms (`simulate_terms`)",
        "",
        "| keep | term | continuing pairs | kept | kept % | broken by choice | matched % |",
        "|---|---|---|---|---|---|---|",
    ]
    for keep, run in results["terms"].items():
        for t in run["terms"]:
            lines.append(
                f"| {keep} | {t['term']} | {t['continuing_pairs']:,} | {t['kept']:,} | "
                f"{t['kept_rate']:.1%} | {t['changed']:,} | {t['match_rate']:.1%} |"
            )
    lines += [
        "",
        "## rematch and repair",
        "",
        "| Case | Wall s | Status | Kept | Changed (repair: new pairs) | Flow solves | "
        "Violations |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results["rematch"]:
        lines.append(
            f"| {r['case']} | {r['wall_s']:.2f} | {r['status']} | {r['kept']:,} | "
            f"{r['changes']:,} | {r['flow_solves'] if r['flow_solves'] is not None else ''} | "
            f"{r['violations']} |"
        )
    lines.append("")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_quick_and_out(parser, "tiny cohorts")


def main(args: argparse.Namespace, command: str) -> int:
    if args.quick:
        sizes, metro, terms, seoul = [(20, 80)], None, (3, 20, 80), (20, 80)
    else:
        sizes, metro, terms, seoul = [(1500, 6000)], (15_000, 60_000), (4, 1500, 6000), (1500, 6000)
    stability = []
    for n_t, n_s in sizes:
        for seed in range(1 if args.quick else 3):
            print(f"[stability] {n_t} x {n_s}, seed {seed}", file=sys.stderr, flush=True)
            stability.append(_stability(n_t, n_s, seed, {}))
    if metro is not None:
        print("[stability] metro", file=sys.stderr, flush=True)
        stability.append(_stability(*metro, 0, {"online_max_km": 10.0}))
    print("[terms]", file=sys.stderr, flush=True)
    runs = _terms(*terms, seed=0)
    print("[rematch/repair]", file=sys.stderr, flush=True)
    rematches = _rematch_repair(*seoul, seed=0)
    results = {
        "suite": "continuity",
        "quick": bool(args.quick),
        "command": command,
        "machine": machine_info(),
        "stability": stability,
        "terms": runs,
        "rematch": rematches,
    }
    write_results(args.out, "continuity", results, render(results))
    if _figure(runs, args.out / "continuity.png"):
        print(f"wrote {args.out / 'continuity.png'}", file=sys.stderr)
    return 0
