"""The engine benchmark: matchkit against the fastest exact tools a user could pick instead.

For every size it times, in fresh processes, (a) a hand-written ``SimpleMinCostFlow`` on the
instance arrays (:mod:`benchmarks.bare`), (b) LEMON's network simplex as shipped in POT,
``ot.emd`` on a sparse matrix of every edge (:mod:`benchmarks.pot`), and (c)
``AssignmentProblem(...)`` plus ``solve_assignment(...)`` (method ``"auto"``); checks that all
three reach the same optimum, and compares wall time and memory against the targets (issue
8: faster than both, ratio < 1.0 against the faster of the two; peak and increment memory at
most 1.2x the lower of the two).
The smallest size is also solved with float scores, and with CP-SAT under a time limit.
Results go to ``engine.json`` and ``engine.md`` in the output directory.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.instances import QUICK_SIZES, SIZES, Size, ensure_cached, instance_edges
from benchmarks.report import machine_info, render_markdown
from benchmarks.worker import ROOT, Job, cold_imports, run_in_subprocess

__all__ = ["Config", "add_arguments", "main", "run_engine"]

TIME_TARGET = 1.0
MEMORY_TARGET = 1.2
PEERS = ("bare", "pot")
CPSAT_TIME_LIMIT = 60.0
QUICK_CPSAT_TIME_LIMIT = 10.0
LARGE_EDGES = 5_000_000
DEFAULT_OUT = ROOT / "benchmarks" / "results"
DEFAULT_CACHE = ROOT / "benchmarks" / ".cache"


@dataclass(frozen=True, slots=True)
class Config:
    sizes: tuple[Size, ...]
    quick: bool
    out_dir: Path
    cache_dir: Path
    seed: int
    repeats: int | None
    cpsat_time_limit: float
    command: str


@dataclass(frozen=True, slots=True)
class Case:
    size: Size
    scores: str
    n_edges: int

    @property
    def label(self) -> str:
        return self.size.name if self.scores == "int" else f"{self.size.name} (float scores)"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _repeats(config: Config, size: Size) -> int:
    if config.repeats is not None:
        return config.repeats
    if config.quick:
        return 1
    return 2 if size.n_edges >= LARGE_EDGES else 5


def _ratio(a: float, b: float) -> float:
    return a / b if b > 0 else math.inf


def _verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio <= target else "FAIL"


def _median_phases(runs: list[dict[str, Any]]) -> dict[str, float]:
    names = runs[0]["phases"].keys()
    return {n: statistics.median(r["phases"][n] for r in runs) for n in names}


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    times = [r["wall_time"] for r in runs]
    return {
        "time_min": min(times),
        "time_median": statistics.median(times),
        "rss_before_mib": statistics.median(r["rss_before_mib"] for r in runs),
        "peak_mib": statistics.median(r["peak_mib"] for r in runs),
        "increment_mib": statistics.median(r["increment_mib"] for r in runs),
        "objective": runs[0]["objective"],
        "phases": _median_phases(runs),
        "runs": runs,
    }


def _objective_tolerance(case: Case, runs: list[dict[str, Any]]) -> float:
    """Exact for integer scores; float scores: the rounding slack of the shared grid."""
    if case.scores == "int":
        return 0.0
    units = min(case.size.n_mentees, case.n_edges)
    scale = min(float(r["scale"]) for r in runs if r["kind"] != "pot")  # POT: exact floats
    return units / scale + 1e-9 * max(abs(float(r["objective"])) for r in runs)


def _compare(case: Case, summaries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    runs = [r for kind in summaries.values() for r in kind["runs"]]
    objectives = [r["objective"] for r in runs]
    tol = _objective_tolerance(case, runs)
    agree = max(objectives) - min(objectives) <= tol and all(r["status"] == "optimal" for r in runs)
    mk = summaries["matchkit"]
    ratios: dict[str, float] = {}
    for peer in PEERS:
        p = summaries[peer]
        ratios[f"{peer}_time_min"] = _ratio(mk["time_min"], p["time_min"])
        ratios[f"{peer}_time_median"] = _ratio(mk["time_median"], p["time_median"])
    low_peak = min(summaries[p]["peak_mib"] for p in PEERS)
    low_increment = min(summaries[p]["increment_mib"] for p in PEERS)
    ratios["peak"] = _ratio(mk["peak_mib"], low_peak)
    ratios["increment"] = _ratio(mk["increment_mib"], low_increment)
    worst_time = max(v for k, v in ratios.items() if "_time_" in k)
    verdicts = {
        "time": "PASS" if worst_time < TIME_TARGET else "FAIL",
        "peak": _verdict(ratios["peak"], MEMORY_TARGET),
        "increment": _verdict(ratios["increment"], MEMORY_TARGET),
    }
    return {"objectives_agree": agree, "tolerance": tol, "ratios": ratios, "verdicts": verdicts}


def _measure(job: Job, tag: str) -> dict[str, Any]:
    result = run_in_subprocess(job)
    _log(
        f"  {tag}: {result['wall_time']:.3f} s, peak {result['peak_mib']:.0f} MiB "
        f"(+{result['increment_mib']:.0f}), objective {result['objective']:.10g}"
    )
    return result


def measure_case(case: Case, path: Path, repeats: int) -> dict[str, Any]:
    """Bare, POT and matchkit runs of one case, interleaved, each in a fresh process."""
    _log(f"[{case.label}] {case.n_edges:,} edges, {repeats} run(s) each")
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "pot": [], "matchkit": []}
    for r in range(repeats):
        for kind, kind_runs in runs.items():
            job = Job(kind=kind, instance=str(path), scores=case.scores)
            kind_runs.append(_measure(job, f"{kind} {r + 1}/{repeats}"))
    summaries = {kind: _summarise(kind_runs) for kind, kind_runs in runs.items()}
    return {
        "size": case.size.name,
        "scores": case.scores,
        "label": case.label,
        "n_mentees": case.size.n_mentees,
        "n_mentors": case.size.n_mentors,
        "k": case.size.k,
        "policy": None if case.size.policy is None else dict(case.size.policy),
        "n_edges": case.n_edges,
        "repeats": repeats,
        **summaries,
        **_compare(case, summaries),
    }


def measure_cpsat(size: Size, path: Path, time_limit: float, optimum: float) -> dict[str, Any]:
    """CP-SAT once on ``size`` with ``time_limit``; ``optimum`` is the flow optimum."""
    _log(f"[{size.name} / cpsat] time limit {time_limit:g} s")
    job = Job(kind="cpsat", instance=str(path), scores="int", time_limit=time_limit)
    run = _measure(job, "cpsat")
    return {
        "size": size.name,
        "n_edges": size.n_edges,
        "time_limit": time_limit,
        "flow_optimum": optimum,
        "reached_flow_optimum": run["objective"] == optimum,
        "run": run,
    }


def _smallest_random(sizes: tuple[Size, ...]) -> Size | None:
    return min((s for s in sizes if s.policy is None), key=lambda s: s.n_edges, default=None)


def _cases(sizes: tuple[Size, ...], edges_of: dict[str, int]) -> list[Case]:
    """Integer scores on every size, float scores too on the smallest random one."""
    smallest = _smallest_random(sizes)
    cases = []
    for size in sizes:
        edges = edges_of[size.name]
        cases.append(Case(size, "int", edges))
        if size == smallest:
            cases.append(Case(size, "float", edges))
    return cases


def run_engine(config: Config) -> dict[str, Any]:
    """Run every case of ``config`` and return the results document."""
    paths = {s.name: ensure_cached(config.cache_dir, s, config.seed) for s in config.sizes}
    edges_of = {name: instance_edges(path) for name, path in paths.items()}
    cases_out = []
    for case in _cases(config.sizes, edges_of):
        cases_out.append(measure_case(case, paths[case.size.name], _repeats(config, case.size)))
    smallest = _smallest_random(config.sizes)
    cpsat = None
    if smallest is not None:
        optimum = next(c for c in cases_out if c["size"] == smallest.name)
        cpsat = measure_cpsat(
            smallest,
            paths[smallest.name],
            config.cpsat_time_limit,
            optimum["matchkit"]["objective"],
        )
    return {
        "suite": "engine",
        "quick": config.quick,
        "command": config.command,
        "seed": config.seed,
        "machine": machine_info(),
        "targets": {"time_ratio": TIME_TARGET, "memory_ratio": MEMORY_TARGET},
        "sizes": {
            s.name: {
                "mentees": s.n_mentees,
                "mentors": s.n_mentors,
                "k": s.k,
                "edges": edges_of[s.name],
                "policy": None if s.policy is None else dict(s.policy),
            }
            for s in config.sizes
        },
        "cases": cases_out,
        "cpsat": cpsat,
        "cold_imports": cold_imports(),
        "all_objectives_agree": all(c["objectives_agree"] for c in cases_out),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``python -m benchmarks engine``."""
    parser.add_argument(
        "--sizes",
        default=",".join(SIZES),
        help=f"comma-separated sizes out of {', '.join(SIZES)} (default: all)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"tiny sizes ({', '.join(QUICK_SIZES)}) in a few seconds; writes to a temporary "
        "directory unless --out is given",
    )
    parser.add_argument("--out", type=Path, help=f"output directory (default: {DEFAULT_OUT})")
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help="instance cache directory"
    )
    parser.add_argument("--seed", type=int, default=0, help="instance seed (default: 0)")
    parser.add_argument(
        "--repeats", type=int, help="runs per measurement (default: 5, large 2, quick 1)"
    )
    parser.add_argument("--cpsat-time-limit", type=float, help="CP-SAT time limit in seconds")
    parser.add_argument("--worker", help=argparse.SUPPRESS)


def _sizes(spec: str, quick: bool) -> tuple[Size, ...]:
    table = QUICK_SIZES if quick else SIZES
    if quick:
        return tuple(table.values())
    names = [n.strip() for n in spec.split(",") if n.strip()]
    unknown = [n for n in names if n not in table]
    if unknown or not names:
        raise SystemExit(f"unknown sizes {unknown}; choose from {', '.join(table)}")
    return tuple(table[n] for n in names)


def _config(args: argparse.Namespace, command: str) -> Config:
    out = args.out
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="matchkit-bench-")) if args.quick else DEFAULT_OUT
    limit = args.cpsat_time_limit
    if limit is None:
        limit = QUICK_CPSAT_TIME_LIMIT if args.quick else CPSAT_TIME_LIMIT
    if args.repeats is not None and args.repeats < 1:
        raise SystemExit("--repeats must be at least 1")
    return Config(
        sizes=_sizes(args.sizes, args.quick),
        quick=args.quick,
        out_dir=out,
        cache_dir=args.cache,
        seed=args.seed,
        repeats=args.repeats,
        cpsat_time_limit=limit,
        command=command,
    )


def write_results(results: dict[str, Any], out_dir: Path) -> tuple[Path, Path]:
    """Write ``engine.json`` and ``engine.md`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "engine.json", out_dir / "engine.md"
    json_path.write_text(json.dumps(results, indent=2) + "\n")
    md_path.write_text(render_markdown(results))
    return json_path, md_path


def main(args: argparse.Namespace, command: str) -> int:
    """Run the engine benchmark (or, with ``--worker``, one measurement)."""
    if args.worker is not None:
        from benchmarks.worker import worker_main

        return worker_main(args.worker)
    config = _config(args, command)
    results = run_engine(config)
    json_path, md_path = write_results(results, config.out_dir)
    _log(f"wrote {json_path} and {md_path}")
    if not results["all_objectives_agree"]:
        _log("ERROR: matchkit and its peers disagree on an optimum")
        return 1
    return 0
