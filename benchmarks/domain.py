"""The domain benchmark: ``solve(cohort)`` on synthetic cohorts, phase by phase.

For every size, in a fresh process per run, it generates the cohort with
``matchkit.synth.generate_cohort`` (not timed), then times ``solve(cohort)`` end to end and
reads the phases the result reports (compile, solve, join), the peak memory of the whole
process and of the call, and checks the answer with ``matchkit.verify`` on the Seoul size
(``verify`` is plain Python: minutes at metro size). Results go to ``domain.json`` and
``domain.md``.

Targets (issue 3, on the 2-core development machine): Seoul (1,500 x 6,000) <= 2 s end to
end, metro (15,000 x 60,000) <= 20 s, national (60,000 x 250,000) completes within 12 GiB,
and compile never slower than the solve it feeds.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from dataclasses import dataclass
from typing import Any

from benchmarks.report import machine_info, mark
from benchmarks.worker import (
    _reset_peak,
    _status_mib,
    add_quick_and_out,
    run_suite_worker,
    write_results,
)

__all__ = ["add_arguments", "main", "run_case"]

MARKER = "DOMAIN-RESULT "


@dataclass(frozen=True, slots=True)
class Size:
    name: str
    mentors: int
    mentees: int
    runs: int
    time_target: float | None
    memory_target_gib: float | None
    verify: bool
    policy: tuple[tuple[str, Any], ...] = ()
    """Policy fields other than the defaults, as (name, value) pairs."""
    exact_of: str | None = None
    """For a pruned run: the size whose exact optimum (same seeds) it is compared with."""


# A city-wide programme (Seoul) lets online pairs span the city; a metro or national one is
# run region by region, so online pairs are limited like offline ones (Policy.online_max_km).
REGIONAL = (("online_max_km", 10.0),)
SIZES = (
    Size("seoul", 1_500, 6_000, 3, 2.0, None, True),
    Size("metro", 15_000, 60_000, 2, 20.0, None, False, REGIONAL),
    Size(
        "metro, top 60",
        15_000,
        60_000,
        2,
        20.0,
        None,
        False,
        (*REGIONAL, ("max_candidates", 60)),
        exact_of="metro",
    ),
    Size("national", 60_000, 250_000, 1, None, 12.0, False, REGIONAL),
)
QUICK_SIZES = (
    Size("tiny", 40, 150, 2, None, None, True),
    Size("tiny, top 3", 40, 150, 2, None, None, True, (("max_candidates", 3),), "tiny"),
)


def run_case(
    mentors: int, mentees: int, seed: int, check: bool, policy_fields: dict[str, Any]
) -> dict[str, Any]:
    """One measurement in this process (the worker side)."""
    import gc
    import time

    import matchkit.solvers  # noqa: F401  (a one-off import, not part of any solve)
    from matchkit import Policy, solve, verify
    from matchkit.synth import generate_cohort

    policy = Policy(**policy_fields)
    t0 = time.perf_counter()
    cohort = generate_cohort(n_mentors=mentors, n_mentees=mentees, seed=seed)
    generate_s = time.perf_counter() - t0
    gc.collect()
    before = _status_mib("VmRSS")
    _reset_peak()
    t0 = time.perf_counter()
    result = solve(cohort, policy)
    wall = time.perf_counter() - t0
    peak = _status_mib("VmHWM")
    m = result.metrics()
    out: dict[str, Any] = {
        "generate_s": generate_s,
        "wall_s": wall,
        "timings": result.timings,
        "stats": result.stats,
        "status": result.status.value,
        "objective": result.objective,
        "rss_before_mib": before,
        "peak_mib": peak,
        "match_rate": m.match_rate,
        "match_rate_by_priority": m.match_rate_by_priority,
        "utilisation": m.utilisation,
        "continuity_kept": m.continuity_kept,
        "unmatched_by_reason": m.unmatched_by_reason,
    }
    if check:
        t0 = time.perf_counter()
        out["violations"] = len(verify(cohort, policy, result))
        out["verify_s"] = time.perf_counter() - t0
    return out


def _run_subprocess(size: Size, seed: int) -> dict[str, Any]:
    job = [size.mentors, size.mentees, seed, size.verify, dict(size.policy)]
    return run_suite_worker("domain", job, MARKER, size.name)


def _summary(size: Size, runs: list[dict[str, Any]]) -> dict[str, Any]:
    def med(key: str) -> float:
        return statistics.median(r["timings"][key] for r in runs)

    wall = [r["wall_s"] for r in runs]
    peak = max(r["peak_mib"] for r in runs)
    verdicts = {
        "time": None if size.time_target is None else max(wall) <= size.time_target,
        "memory": None if size.memory_target_gib is None else peak <= size.memory_target_gib * 1024,
        "compile_vs_solve": all(r["timings"]["compile"] <= r["timings"]["solve"] for r in runs),
        "verified": None if not size.verify else all(r["violations"] == 0 for r in runs),
        "optimal": all(r["status"] == "optimal" for r in runs),
    }
    return {
        "size": size.name,
        "policy": dict(size.policy),
        "exact_of": size.exact_of,
        "mentors": size.mentors,
        "mentees": size.mentees,
        "runs": runs,
        "wall_min": min(wall),
        "wall_median": statistics.median(wall),
        "wall_max": max(wall),
        "compile_median": med("compile"),
        "solve_median": med("solve"),
        "join_median": med("join"),
        "peak_mib": peak,
        "targets": {"time_s": size.time_target, "memory_gib": size.memory_target_gib},
        "verdicts": verdicts,
    }


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "# Domain benchmark",
        "",
        "`solve(cohort, policy)` on synthetic cohorts from `matchkit.synth.generate_cohort` "
        "(seed = run number), with the policy named in each row (fields other than the "
        "defaults). Generated by "
        f"`{results['command']}` (`make bench-domain`); do not edit by hand.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']:.1f} GiB RAM, "
        f"Python {m['python']}, numpy {m['numpy']}, OR-Tools {m['ortools']}; {m['date']}.",
        "",
        "| Size | Policy | Mentors x mentees | Eligible pairs | Runs "
        "| End to end s (min / median / max) | Compile s | Solve s | Join s | Peak MiB "
        "| Time target | Time | Memory | Compile <= solve | Verified | Optimal |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in results["cases"]:
        v = c["verdicts"]
        pairs = int(c["runs"][0]["stats"]["eligible_pairs"])
        target = "-" if c["targets"]["time_s"] is None else f"<= {c['targets']['time_s']:g} s"
        if c["targets"]["memory_gib"] is not None:
            target += f", <= {c['targets']['memory_gib']:g} GiB"
        policy = ", ".join(f"{k}={v}" for k, v in c["policy"].items()) or "default"
        lines.append(
            f"| {c['size']} | {policy} | {c['mentors']:,} x {c['mentees']:,} | {pairs:,} "
            f"| {len(c['runs'])} "
            f"| {c['wall_min']:.2f} / {c['wall_median']:.2f} / {c['wall_max']:.2f} "
            f"| {c['compile_median']:.2f} | {c['solve_median']:.2f} | {c['join_median']:.2f} "
            f"| {c['peak_mib']:,.0f} | {target} | {mark(v['time'])} | {mark(v['memory'])} "
            f"| {mark(v['compile_vs_solve'])} | {mark(v['verified'])} | {mark(v['optimal'])} |"
        )
    by_name = {c["size"]: c for c in results["cases"]}
    pruned = [c for c in results["cases"] if c["exact_of"] in by_name]
    if pruned:
        lines += [
            "",
            "## The price of pruning (`Policy.max_candidates`)",
            "",
            "| Size | Compared with | Seed | Objective | Exact optimum | Loss (points) "
            "| Loss per mentee | Matched | Matched (exact) |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in pruned:
            exact = by_name[c["exact_of"]]
            for seed, (r, e) in enumerate(zip(c["runs"], exact["runs"], strict=False)):
                loss = e["objective"] - r["objective"]
                lines.append(
                    f"| {c['size']} | {exact['size']} | {seed} | {r['objective']:,.2f} "
                    f"| {e['objective']:,.2f} | {loss:,.2f} | {loss / c['mentees']:.4f} "
                    f"| {r['match_rate']:.2%} | {e['match_rate']:.2%} |"
                )
    lines += [
        "",
        "## What the programme would see (first run of each size)",
        "",
        "| Size | Matched | By priority group | Utilisation | Continuity kept "
        "| Unmatched by reason |",
        "|---|---|---|---|---|---|",
    ]
    for c in results["cases"]:
        r = c["runs"][0]
        prio = ", ".join(f"{k}: {v:.1%}" for k, v in r["match_rate_by_priority"].items())
        reasons = ", ".join(f"{k} {v:,}" for k, v in r["unmatched_by_reason"].items()) or "-"
        lines.append(
            f"| {c['size']} | {r['match_rate']:.1%} | {prio} | {r['utilisation']:.1%} "
            f"| {r['continuity_kept']:.1%} | {reasons} |"
        )
    lines += [
        "",
        "*End to end* is the `solve(cohort)` call (compile + solve + join), timed in a fresh "
        "process after the cohort is generated; *peak* is the process's peak RSS during the "
        "call (generated cohort included). *Verified*: `matchkit.verify` finds nothing (run on "
        "the sizes where plain-Python verification takes seconds, not minutes).",
        "",
    ]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_quick_and_out(parser, "tiny sizes")
    parser.add_argument(
        "--sizes", default=None, help="comma-separated subset of seoul,metro,national"
    )
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)


def main(args: argparse.Namespace, command: str) -> int:
    if args.worker is not None:
        mentors, mentees, seed, check, fields = json.loads(args.worker)
        print(MARKER + json.dumps(run_case(mentors, mentees, seed, check, fields)), flush=True)
        return 0
    sizes = QUICK_SIZES if args.quick else SIZES
    if args.sizes:
        wanted = set(args.sizes.split(","))
        sizes = tuple(s for s in sizes if s.name in wanted)
    cases = []
    for size in sizes:
        runs = []
        for seed in range(size.runs):
            print(f"[{size.name}] run {seed + 1}/{size.runs}", file=sys.stderr, flush=True)
            runs.append(_run_subprocess(size, seed))
            t = runs[-1]["timings"]
            print(
                f"  {runs[-1]['wall_s']:.2f} s (compile {t['compile']:.2f}, solve "
                f"{t['solve']:.2f}, join {t['join']:.2f}), peak {runs[-1]['peak_mib']:.0f} MiB",
                file=sys.stderr,
                flush=True,
            )
        cases.append(_summary(size, runs))
    results = {
        "suite": "domain",
        "quick": bool(args.quick),
        "command": command,
        "machine": machine_info(),
        "cases": cases,
    }
    write_results(args.out, "domain", results, render(results))
    return 0
