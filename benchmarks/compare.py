"""matchkit against the alternatives, on the same problems, in one run (``make bench-compare``).

Cases: synthetic cohorts (``matchkit.synth.generate_cohort``) at Seoul size (1,500 x 6,000,
default policy) and metro size (15,000 x 60,000, ``online_max_km=10``), three seeds each,
and the engine benchmark's random array-level instance at its small size. On each, every
method of :mod:`benchmarks.methods` runs in a fresh worker process (so peak memory is its
own and one method's crash or timeout costs only its row), next to matchkit ``flow`` and
``cpsat`` end to end: matchkit is timed from the cohort (compile, solve and join), the
alternatives from the compiled edges, which they get for free. networkx and HiGHS take over
ten minutes per run at Seoul size, so they run on the first seed only (``Case.slow_seeds``);
above two million edges the per-edge-object methods are not run at all, and the expanded
``linear_sum_assignment`` only where its dense matrix fits in 8 GiB (the reason is recorded).

Every answer becomes a :class:`matchkit.MatchResult` through matchkit's join and is checked
with :func:`matchkit.verify_assignment` (capacities, one mentor per mentee, objective) and,
at Seoul size and below, :func:`matchkit.verify` against the cohort. Exact methods must agree
on the optimum. Results: ``compare.{json,md}`` and ``compare-*.png`` (``--quick``: tiny
cases in a few seconds, for the smoke test). The scaling sweep (matchkit and bare OR-Tools
from 10^4 to 10^7 edges) reuses the engine benchmark's worker.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.compare_report import plot, render, summarise
from benchmarks.report import machine_info
from benchmarks.worker import MARKER, ROOT, add_quick_and_out

__all__ = ["CASES", "Case", "Limits", "add_arguments", "main"]


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "cohort" or "array"
    mentors: int
    mentees: int
    seeds: int
    policy: tuple[tuple[str, Any], ...] = ()
    k: int = 0  # candidates per mentee (array instances)
    verify: bool = False
    slow_seeds: int = 1
    """Seeds the slow methods (``SLOW``) run on: over ten minutes per run at Seoul size."""
    not_run: tuple[tuple[str, str], ...] = ()
    """Methods not run on this case, each with the measured reason (decided up front)."""


CASES = (
    Case("seoul", "cohort", 1_500, 6_000, 3, verify=True),
    Case(
        "metro",
        "cohort",
        15_000,
        60_000,
        3,
        (("online_max_km", 10.0),),
        not_run=(
            ("networkx", "over 10 minutes at Seoul size (1.3 M edges), so Seoul only"),
            ("lsa", "the expanded dense matrix would need about 54 GB (machine: 24 GiB)"),
            ("milp", "13 minutes and 2.4 GiB at Seoul size; 6.5 times the edges here"),
            ("cpsat", "about 3.7 GiB at 0.6 M edges (engine benchmark): ~50 GiB here"),
            ("cpsat_plain", "one Python object per edge, 8.7 M edges: like cpsat, far over 24 GiB"),
        ),
    ),
    Case("random small", "array", 1_500, 6_000, 1, k=100),
)
QUICK_CASES = (
    Case("tiny", "cohort", 40, 150, 1, verify=True),
    Case("random tiny", "array", 150, 600, 1, k=20),
)
METHOD_ORDER = (
    "auto",
    "flow",
    "cpsat",
    "bare",
    "networkx",
    "lsa",
    "milp",
    "cpsat_plain",
    "greedy",
    "random",
)
SLOW = ("networkx", "milp")
SCALING_KINDS = ("matchkit", "bare", "pot")
HEAVY_EDGES = 2_000_000
"""Above this many edges, the per-edge-object methods are not run (see ``_skip``)."""
DENSE_LIMIT = 8 * 1024**3
"""The most memory the expanded ``linear_sum_assignment`` matrix may take."""


@dataclass(frozen=True)
class Limits:
    cpsat_s: float
    milp_s: float
    timeout_s: float


LIMITS = Limits(cpsat_s=60.0, milp_s=1200.0, timeout_s=1800.0)
QUICK_LIMITS = Limits(cpsat_s=5.0, milp_s=30.0, timeout_s=120.0)


def _skip(method: str, n_edges: int, dense: int) -> str | None:
    if method == "lsa" and dense > DENSE_LIMIT:
        return f"dense matrix would need {dense / 1024**3:,.0f} GiB (machine: 24 GiB)"
    if method in ("networkx", "milp", "cpsat", "cpsat_plain") and n_edges > HEAVY_EDGES:
        return (
            f"{n_edges / 1e6:.1f} M edges: one Python or solver object per edge; at Seoul "
            "size (1.3 M edges) this method already takes minutes and GiBs (see its row)"
        )
    return None


# --- the parent: one worker process per (case, seed, method) ------------------------------
def _worker_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _run_worker(case: Case, seed: int, method: str, quick: bool, limits: Limits) -> dict[str, Any]:
    job = json.dumps({"case": case.name, "seed": seed, "method": method, "quick": quick})
    cmd = [sys.executable, "-m", "benchmarks", "compare", "--worker", job]
    base: dict[str, Any] = {"case": case.name, "seed": seed, "method": method}
    try:
        proc = subprocess.run(
            cmd,
            cwd=ROOT,
            env=_worker_env(),
            capture_output=True,
            text=True,
            timeout=limits.timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {**base, "status": "timed out", "wall_s": None, "timeout_s": limits.timeout_s}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        return {**base, "status": "failed", "error": proc.stderr.strip()[-600:]}
    result: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
    return result


def _scaling(quick: bool) -> list[dict[str, Any]]:
    """matchkit (auto), bare OR-Tools and LEMON/POT on random instances, 10^4 to 10^7 edges."""
    from benchmarks.instances import Size, ensure_cached
    from benchmarks.worker import Job, run_in_subprocess

    edges = (
        (1_000, 10_000)
        if quick
        else (10_000, 30_000, 100_000, 300_000, 1_000_000, 3_000_000, 10_000_000)
    )
    rows = []
    for n in edges:
        k = 50 if n >= 10_000 else 10
        size = Size(f"scaling-{n}", n // k, max(1, n // k // 4), k)
        path = ensure_cached(ROOT / "benchmarks" / ".cache", size, 0)
        for kind in SCALING_KINDS:
            r = run_in_subprocess(Job(kind=kind, instance=str(path)))
            rows.append(
                {
                    "edges": size.n_edges,
                    "kind": kind,
                    "wall_s": r["wall_time"],
                    "peak_mib": r["peak_mib"],
                    "increment_mib": r["increment_mib"],
                    "objective": r["objective"],
                    "method": r.get("method"),
                }
            )
            print(
                f"  scaling {size.n_edges:>10,} {kind:>8}: {r['wall_time']:.3f} s",
                file=sys.stderr,
                flush=True,
            )
    return rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_quick_and_out(parser, "tiny cases")
    parser.add_argument("--cases", default=None, help="comma-separated subset of case names")
    parser.add_argument(
        "--methods", default=None, help=f"comma-separated subset of {','.join(METHOD_ORDER)}"
    )
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling sweep")
    parser.add_argument(
        "--scaling-only",
        action="store_true",
        help="measure the scaling sweep again and keep the cases of the existing compare.json",
    )
    parser.add_argument(
        "--render", action="store_true", help="re-draw compare.md and the plots from compare.json"
    )
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)


def _render_only(out: Path) -> int:
    """Summarise, write the Markdown and draw the plots again from a results file."""
    results = json.loads((out / "compare.json").read_text())
    cases = [
        Case(
            **{
                **c,
                "policy": tuple(map(tuple, c["policy"])),
                "not_run": tuple(map(tuple, c["not_run"])),
            }
        )
        for c in results["cases"]
    ]
    results["summary"] = summarise(cases, results["runs"])
    _write(results, out)
    return 0


def _scaling_only(out: Path, command: str) -> int:
    """The scaling sweep again (minutes, not the cases' hour), into the existing results;
    its own machine line, commit and command are kept beside the cases'."""
    results = json.loads((out / "compare.json").read_text())
    results["scaling"] = _scaling(quick=False)
    results["scaling_run"] = {"machine": machine_info(), "command": command}
    _write(results, out)
    return 0


def _write(results: dict[str, Any], out: Path) -> None:
    """compare.json, compare.md and the plots."""
    (out / "compare.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "compare.md").write_text(render(results))
    plot(results, out)


def main(args: argparse.Namespace, command: str) -> int:
    if args.worker is not None:
        job = json.loads(args.worker)
        case = next(c for c in (*CASES, *QUICK_CASES) if c.name == job["case"])
        limits = QUICK_LIMITS if job["quick"] else LIMITS
        from benchmarks.compare_worker import run_method

        out = run_method(case, job["seed"], job["method"], limits)
        print(MARKER + json.dumps(out), flush=True)
        return 0
    if args.render:
        return _render_only(args.out)
    if args.scaling_only:
        return _scaling_only(args.out, command)
    cases = QUICK_CASES if args.quick else CASES
    limits = QUICK_LIMITS if args.quick else LIMITS
    if args.cases:
        wanted = set(args.cases.split(","))
        cases = tuple(c for c in cases if c.name in wanted)
    methods = METHOD_ORDER if not args.methods else tuple(args.methods.split(","))
    jobs = [
        (c, seed, m)
        for c in cases
        for seed in range(c.seeds)
        for m in methods
        if m not in SLOW or seed < c.slow_seeds
    ]

    args.out.mkdir(parents=True, exist_ok=True)
    partial = args.out / "compare.partial.jsonl"  # every measurement as it lands (long runs)
    partial.write_text("")

    def run(job: tuple[Case, int, str]) -> dict[str, Any]:
        case, seed, method = job
        reason = dict(case.not_run).get(method)
        if reason is not None:
            r = {"case": case.name, "seed": seed, "method": method, "skipped": reason}
        else:
            r = _run_worker(case, seed, method, args.quick, limits)
        with partial.open("a") as f:
            f.write(json.dumps(r) + "\n")
        what = r.get("skipped") or (
            f"{r['wall_s']:.2f} s, {r.get('status')}" if r.get("wall_s") else r["status"]
        )
        print(f"[{case.name} seed {seed}] {method}: {what}", file=sys.stderr, flush=True)
        return r

    # Measurements run one at a time; the smoke test's tiny ones two at a time (their
    # timings mean nothing, and half the wait keeps the test suite short).
    with ThreadPoolExecutor(max_workers=2 if args.quick else 1) as pool:
        runs = list(pool.map(run, jobs))
    scaling = [] if args.no_scaling else _scaling(args.quick)
    results = {
        "suite": "compare",
        "quick": bool(args.quick),
        "command": command,
        "machine": machine_info(),
        "limits": asdict(limits),
        "cases": [asdict(c) for c in cases],
        "summary": summarise(cases, runs),
        "runs": runs,
        "scaling": scaling,
    }
    _write(results, args.out)
    partial.unlink()
    print(f"wrote {args.out}/compare.json, compare.md and compare-*.png", file=sys.stderr)
    return 0
