"""What-if throughput: 40 scenarios at Seoul size, serial vs a 2-process pool vs 2 Dask workers.

``python -m benchmarks whatif`` (``make bench-whatif``; about four minutes) writes
``whatif.json`` and ``whatif.md`` to ``benchmarks/results/``. The 40 scenarios are a sweep
(hire 0-900 mentors by 100 after 40% graduate x continuity weight 0/15/30/60) over the
synthetic Seoul cohort (1,500 x 6,000); each executor runs the same sweep, and the answers
are compared: they must be identical. The target (issue 7): on this 2-core machine the
parallel runs reach at least 1.7x the serial throughput. Throughput counts the whole call
(``run_scenarios`` from first submit to last row); each executor is measured in a fresh
process, as the other suites measure each run. Both pools are warm, as a long-running
one is: the process pool forks with matchkit imported, and the Dask cluster is started and
has imported matchkit before the clock starts (with ``MALLOC_TRIM_THRESHOLD_`` unset, see
below).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import statistics
import sys
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from benchmarks.report import machine_info, mark
from benchmarks.worker import add_quick_and_out, run_suite_worker, write_results

__all__ = ["add_arguments", "main"]

TARGET = 1.7
ROUNDS = 3
MARKER = "WHATIF-RESULT "


def _sweep(
    size: tuple[int, int], hires: list[int], weights: list[float], executor: Executor | None
) -> Any:
    from matchkit.synth import generate_cohort
    from matchkit.whatif import Scenario, Selection, sweep

    cohort = generate_cohort(*size, seed=0)
    base = Scenario(name="40% graduate", remove_mentors=Selection(share=0.4))
    grid = {"hire_mentors": hires, "weights.continuity": weights}
    t0 = time.perf_counter()
    report = sweep(cohort, grid=grid, base=base, executor=executor, progress=False)
    return report, time.perf_counter() - t0


def _signature(report: Any) -> list[str]:
    """Per scenario, a digest of its objective and pairs. Results are unpickled one at a time
    and dropped (not cached on the report): the parent process hosts the Dask scheduler,
    and hundreds of thousands of live records would slow it down with garbage collection."""
    import hashlib
    import pickle

    out = []
    for name, blob in zip(report.names(), report.blobs, strict=True):
        r = pickle.loads(blob)
        pairs = ";".join(f"{m.mentee_id}>{m.mentor_id}" for m in r.matches)
        out.append(hashlib.sha256(f"{name}|{r.objective!r}|{pairs}".encode()).hexdigest())
    return out


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [
        "# What-if throughput benchmark",
        "",
        f"Command: `{results['command']}`  ",
        f"Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"Python {m.get('python', '?')}; commit {m.get('git_commit', '?')}",
        "",
        f"{results['scenarios']} scenarios on a {results['size'][0]:,} x {results['size'][1]:,} "
        "synthetic cohort.",
        "",
        "| Executor | Wall s (median) | Wall s (each round) | Scenarios / s | vs serial "
        "| Identical answers | Target (>= 1.7x) |",
        "|---|---|---|---|---|---|---|",
    ]
    serial = results["runs"]["serial"]["wall_s"]
    for name, run in results["runs"].items():
        speed = serial / run["wall_s"]
        target = "" if name == "serial" else mark(speed >= TARGET)
        lines.append(
            f"| {name} | {run['wall_s']:.1f} | {', '.join(f'{w:.1f}' for w in run['walls'])} "
            f"| {results['scenarios'] / run['wall_s']:.2f} | "
            f"{speed:.2f}x | {'yes' if run['identical'] else 'NO'} | {target} |"
        )
    lines.append("")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_quick_and_out(parser, "a tiny cohort")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)


def _measure(
    executor: str, size: list[int], hires: list[int], weights: list[float]
) -> dict[str, Any]:
    """One executor's run, in this (fresh) process: wall time and per-scenario digests."""
    grid = ((size[0], size[1]), hires, weights)
    if executor == "serial":
        report, wall = _sweep(*grid, None)
    elif executor == "process pool (2)":
        with ProcessPoolExecutor(2) as pool:
            report, wall = _sweep(*grid, pool)
    else:
        import dask
        from distributed import Client, LocalCluster

        # Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536 in its workers by default: glibc then
        # hands freed memory back to the OS constantly, and these numpy-heavy scenarios ran
        # about 30% longer (6 Seoul scenarios: 8.1 s against 6.3 s). Unset, as Dask allows.
        dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None})
        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            # A warm cluster, as the forked process pool is: matchkit imported on the workers.
            client.run(importlib.import_module, "matchkit.whatif.run")
            # Under full load a worker's event-loop thread takes the GIL from the scenario's
            # thread every few ms, and each hand-off can wait for a core; a longer switch
            # interval (0.1 s, not 5 ms) brought Dask from about 9% slower than the process
            # pool to within 3% (docs/how-to/what-if.md, "Dask tip").
            client.run(sys.setswitchinterval, 0.1)
            report, wall = _sweep(*grid, client.get_executor())
    return {"wall_s": wall, "digests": _signature(report)}


def main(args: argparse.Namespace, command: str) -> int:
    if args.worker is not None:
        job = json.loads(args.worker)
        print(MARKER + json.dumps(_measure(*job)), flush=True)
        return 0
    if args.quick:
        size, hires, weights = [30, 120], [0, 10], [0.0, 15.0]
    else:
        size, hires, weights = [1500, 6000], list(range(0, 1000, 100)), [0.0, 15.0, 30.0, 60.0]
    executors = ["serial", "process pool (2)"]
    if importlib.util.find_spec("distributed") is not None:
        executors.append("dask LocalCluster (2)")
    else:
        print("dask is not installed: its run is skipped", file=sys.stderr)
    runs: dict[str, dict[str, Any]] = {n: {"walls": [], "identical": True} for n in executors}
    reference: list[str] = []
    # Rounds interleave the executors, so a slow spell of this shared machine hits them alike;
    # the report uses each executor's median.
    for k in range(1 if args.quick else ROUNDS):
        for name in executors:
            print(f"[round {k + 1}, {name}] in a fresh process", file=sys.stderr, flush=True)
            out = run_suite_worker("whatif", [name, size, hires, weights], MARKER, name)
            reference = reference or out["digests"]
            runs[name]["walls"].append(out["wall_s"])
            runs[name]["identical"] &= out["digests"] == reference
            print(f"  {out['wall_s']:.1f} s", file=sys.stderr, flush=True)
    for run in runs.values():
        run["wall_s"] = statistics.median(run["walls"])
    results = {
        "suite": "whatif",
        "quick": bool(args.quick),
        "command": command,
        "machine": machine_info(),
        "size": size,
        "scenarios": len(hires) * len(weights),
        "runs": runs,
        "target": TARGET,
    }
    write_results(args.out, "whatif", results, render(results))
    return 0
