"""One measurement, in a fresh process: load a cached instance, solve it once, report.

The parent runs ``python -m benchmarks engine --worker '<job json>'`` for every measurement,
so each starts with a clean heap. The worker imports everything (numpy, OR-Tools, matchkit)
and loads the instance first, then reads ``VmRSS``, resets the kernel's peak-RSS counter
(``/proc/self/clear_refs``), times the call, and reads the peak (``VmHWM``) afterwards. The
workers of every kind import the same modules (``matchkit.solvers`` too, which
``solve_assignment`` would otherwise import on its first call, and POT, which both the POT
peer and matchkit's simplex backend use: in :func:`run_job`, so that the other suites, which
import this module, do not load it), so their pre-call RSS is comparable and import costs
stay out of the figures; :func:`cold_imports` measures those.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import matchkit.solvers  # noqa: F401  (solve_assignment imports it lazily: load it up front)
from benchmarks.bare import solve_bare
from benchmarks.instances import Instance, load
from matchkit import AssignmentProblem, solve_assignment

__all__ = ["Job", "cold_imports", "run_in_subprocess", "run_job"]

MARKER = "BENCH-RESULT "
ROOT = Path(__file__).resolve().parent.parent
KIND_NAMES = ("bare", "pot", "matchkit", "cpsat")


@dataclass(frozen=True, slots=True)
class Job:
    """What one worker measures: ``kind`` is ``"bare"``, ``"pot"``, ``"matchkit"`` (method
    ``"auto"``) or ``"cpsat"``."""

    kind: str
    instance: str
    scores: str = "int"
    time_limit: float | None = None


def run_suite_worker(suite: str, job: list[Any], marker: str, what: str) -> dict[str, Any]:
    """Run ``python -m benchmarks SUITE --worker JOB`` in a fresh process; its result line.

    The worker prints one line starting with ``marker`` followed by JSON; a failed worker
    raises with the tail of its stderr, naming ``what`` was measured.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", suite, "--worker", json.dumps(job)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{suite} worker failed ({what}):\n{proc.stderr[-4000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith(marker))
    return json.loads(line[len(marker) :])  # type: ignore[no-any-return]


def _status_mib(field: str) -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    raise RuntimeError(f"{field} not found in /proc/self/status")


def _reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0); False if not permitted."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def _peak_mib() -> float:
    """Peak RSS since the reset (or since the worker started: ``VmHWM`` belongs to the
    address space, which exec replaces). Not ``ru_maxrss``: Linux carries it over from the
    parent across fork and exec, so a benchmark driver that had generated a large instance
    passed its own peak to every worker."""
    return _status_mib("VmHWM")


def _run_bare(inst: Instance, job: Job) -> dict[str, Any]:
    r = solve_bare(inst)
    return {
        "objective": r.objective,
        "status": "optimal",
        "scale": r.scale,
        "optimal_cost": r.optimal_cost,
        "phases": {"build": r.build_time, "solve": r.solve_time, "read": r.read_time},
    }


def _run_matchkit(inst: Instance, job: Job) -> dict[str, Any]:
    t0 = time.perf_counter()
    size = inst.size
    problem = AssignmentProblem(
        size.n_mentees, size.n_mentors, inst.mentee, inst.mentor, inst.score, inst.capacity
    )
    t1 = time.perf_counter()
    method = "auto" if job.kind == "matchkit" else "cpsat"
    res = solve_assignment(problem, method=method, time_limit=job.time_limit, seed=0)
    t2 = time.perf_counter()
    phases = {"problem": t1 - t0, "solve_assignment": t2 - t1}
    backend_phases = {k: float(v) for k, v in res.stats.items() if k.endswith("_time")}
    phases.update(backend_phases)
    phases["other"] = phases["solve_assignment"] - sum(backend_phases.values())
    stats = {k: v for k, v in res.stats.items() if not k.endswith("_time")}
    return {
        "objective": res.objective,
        "bound": res.bound,
        "gap": res.gap,
        "status": res.status.value,
        "raw_status": res.raw_status,
        "method": res.method,
        "scale": res.score_scale,
        "phases": phases,
        "stats": stats,
    }


def _run_pot(inst: Instance, job: Job) -> dict[str, Any]:
    from benchmarks.pot import solve_pot  # imported (with POT) before the clock: run_job

    r = solve_pot(inst)
    return {
        "objective": r.objective,
        "status": "optimal",
        "scale": 1.0,
        "phases": {"build": r.build_time, "solve": r.solve_time, "read": r.read_time},
    }


RUNNERS: dict[str, Callable[[Instance, Job], dict[str, Any]]] = {
    "bare": _run_bare,
    "pot": _run_pot,
    "matchkit": _run_matchkit,
    "cpsat": _run_matchkit,
}


def run_job(job: Job) -> dict[str, Any]:
    """Measure ``job`` in this process (call it in a fresh one)."""
    if job.kind not in RUNNERS:
        raise ValueError(f"unknown job kind {job.kind!r}; expected one of {KIND_NAMES}")
    inst = load(Path(job.instance), job.scores)
    # POT (the peer, and matchkit's simplex backend) in every engine worker, before the
    # clock, so all kinds start from the same RSS; only here, not in the other suites.
    import benchmarks.pot  # noqa: F401

    gc.collect()
    rss_before = _status_mib("VmRSS")
    reset = _reset_peak()
    t0 = time.perf_counter()
    out = RUNNERS[job.kind](inst, job)
    wall = time.perf_counter() - t0
    peak = _peak_mib()
    return {
        **asdict(job),
        "wall_time": wall,
        "rss_before_mib": rss_before,
        "peak_mib": peak,
        "increment_mib": peak - rss_before,
        "peak_reset": reset,
        **out,
    }


def worker_main(spec: str) -> int:
    """Entry point of ``--worker``: run the job given as JSON and print the result line."""
    result = run_job(Job(**json.loads(spec)))
    print(MARKER + json.dumps(result), flush=True)
    return 0


_IMPORT_PROBE = """
import json, sys, time
def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) / 1024.0 for l in f if l.startswith("VmRSS:"))
r0, t0 = rss(), time.perf_counter()
for name in sys.argv[1:]:
    __import__(name)
print(json.dumps({"time": time.perf_counter() - t0, "rss_mib": rss() - r0}))
"""
COLD_IMPORTS = {
    "bare": ("numpy", "ortools.graph.python.min_cost_flow"),
    "matchkit": ("numpy", "matchkit"),
    "matchkit + solvers": ("numpy", "matchkit", "matchkit.solvers"),
    "POT": ("numpy", "ot"),
}


def cold_imports() -> dict[str, dict[str, Any]]:
    """Seconds and RSS each set of imports costs in a fresh interpreter (numpy included)."""
    out = {}
    for label, modules in COLD_IMPORTS.items():
        cmd = [sys.executable, "-c", _IMPORT_PROBE, *modules]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True)
        out[label] = {"modules": list(modules), **json.loads(proc.stdout.splitlines()[-1])}
    return out


def run_in_subprocess(job: Job) -> dict[str, Any]:
    """Run ``job`` in a fresh interpreter and return its result."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    cmd = [sys.executable, "-m", "benchmarks", "engine", "--worker", json.dumps(asdict(job))]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(
            f"benchmark worker failed (exit {proc.returncode}) for {job}:\n{proc.stderr[-4000:]}"
        )
    result: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
    return result


def add_quick_and_out(parser: argparse.ArgumentParser, quick: str) -> None:
    """The ``--quick`` (smoke test) and ``--out`` (results folder) options every suite has."""
    parser.add_argument("--quick", action="store_true", help=f"{quick}, for the smoke test")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results", help="results directory"
    )


def write_results(out: Path, suite: str, results: dict[str, Any], markdown: str) -> None:
    """``<suite>.json`` and ``<suite>.md`` in ``out`` (created), announced on stderr."""
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{suite}.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / f"{suite}.md").write_text(markdown)
    print(f"wrote {out / f'{suite}.json'} and {out / f'{suite}.md'}", file=sys.stderr)
