"""The recruitment benchmark (``make bench-recruit``): ``select_mentors`` and its peers, on arrays.

Cases (``--sizes``, comma-separated names or specs):

* ``programme``: the programme's own question at Seoul size: 650 staying mentors and 6,000
  mentees (:func:`matchkit.synth.generate_cohort`) and 2,500 applicants
  (:func:`matchkit.synth.generate_applicants`), compiled together under the default policy as
  ``recruit`` does; the applicants are the candidates, their review points plus extra points
  (``HiringRules()``'s) the office's ranking; hire 850 in 60 s; seeds 0, 1, 2. Target: within
  1% of its own bound in at most 60 s and 4 GiB.
* ``seoul``: a harder variant: a synthetic cohort of 3,150 mentors and 6,000 mentees
  (:func:`matchkit.synth.generate_cohort`, seed = run seed) compiled under the default
  policy, as ``solve(cohort)`` hands it to its solver; the first 650 mentors stay, the other
  2,500 are candidates; hire 850 in 60 s; seeds 0, 1, 2. Target: within 1% of its own bound
  in at most 60 s and 4 GiB.
* ``mid``: the programme's question at a tenth of Seoul's mentors and a fifth of its mentees,
  where the general solvers finish: 130 staying mentors and 1,200 mentees, 500 applicants,
  hire 170 in 60 s; seeds 0, 1, 2 (no memory target). It measures the peers' time to
  matchkit's gap.
* ``dense``: 1,000 candidates x 1,000 mentees, every pair an edge, scores ``-round(1000 x
  distance)`` between uniform points of the unit square (p-median), unlimited capacity, every
  mentee required; hire 5, 10, 20, 50, 100, 200, 30 s each; seed 0. Target: within 1% of the
  bound in 30 s. ``dense-random``: the same with integer scores uniform in ``0..1000``.
* a spec: ``cohort:MENTORSxMENTEES:STAY:HIRE`` or ``dense:CANDIDATESxMENTEES:H1/H2/...``
  (``dense-random:...`` likewise).

HiGHS is told to stop at matchkit's gap on the same (case, seed, hire) (``mip_rel_gap``,
converted to HiGHS's objective, which counts the unmatched penalties as profit), so its wall
time is its time to that gap; CP-SAT's is read from its recorded trajectory.

On each (case, seed, hire), every method of :mod:`benchmarks.recruit_methods` runs in a fresh
worker process (its peak memory its own; a crash, the memory cap or the hard timeout costs
only its row, recorded with how far it got), one at a time. Results: ``recruit.json`` and
``recruit.md``; every run is appended to ``recruit.partial.jsonl`` as it lands. ``--quick``:
tiny cases in seconds, for the smoke test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.report import machine_info
from benchmarks.worker import ROOT, add_quick_and_out, write_results

__all__ = ["CASES", "METHOD_ORDER", "QUICK_CASES", "Case", "add_arguments", "main", "parse_size"]

MARKER = "RECRUIT-RESULT "
METHOD_ORDER = ("matchkit", "cpsat_plain", "highs", "greedy", "rank")


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "cohort" or "dense"
    mentors: int  # cohort: every mentor; dense: the candidates
    mentees: int
    stay: int
    hires: tuple[int, ...]
    time_limit: float
    seeds: tuple[int, ...]
    scores: str = "distance"  # dense: "distance" (p-median) or "random"
    memory_gib: float | None = None
    """matchkit's peak-memory target, if any."""
    source: str = "generate"
    """cohort: ``generate`` (every mentor from the cohort generator) or ``programme`` (the
    staying mentors from the cohort generator, the candidates from the applicant generator)."""


CASES = {
    c.name: c
    for c in (
        Case(
            "programme",
            "cohort",
            3_150,
            6_000,
            650,
            (850,),
            60.0,
            (0, 1, 2),
            memory_gib=4.0,
            source="programme",
        ),
        Case("seoul", "cohort", 3_150, 6_000, 650, (850,), 60.0, (0, 1, 2), memory_gib=4.0),
        Case("mid", "cohort", 630, 1_200, 130, (170,), 60.0, (0, 1, 2), source="programme"),
        Case("dense", "dense", 1_000, 1_000, 0, (5, 10, 20, 50, 100, 200), 30.0, (0,)),
        Case(
            "dense-random",
            "dense",
            1_000,
            1_000,
            0,
            (5, 10, 20, 50, 100, 200),
            30.0,
            (0,),
            "random",
        ),
    )
}
QUICK_CASES = {
    c.name: c
    for c in (
        Case("tiny-cohort", "cohort", 63, 120, 13, (17,), 3.0, (0,), memory_gib=4.0),
        Case("tiny-dense", "dense", 20, 20, 0, (2, 5), 3.0, (0,)),
    )
}
TARGET_GAP = 0.01


def parse_size(text: str, quick: bool = False) -> Case:
    """A case by name (``seoul``, ``dense``, ``dense-random``; the tiny ones with
    ``quick``) or from a spec (module docstring)."""
    named = {**CASES, **QUICK_CASES}
    if text in named:
        return named[text]
    try:
        kind, dims, *rest = text.split(":")
        a, b = (int(v) for v in dims.split("x"))
        if kind == "cohort":
            stay, hire = int(rest[0]), int(rest[1])
            return Case(text, "cohort", a, b, stay, (hire,), 60.0, (0, 1, 2), memory_gib=4.0)
        if kind in ("dense", "dense-random"):
            hires = tuple(int(h) for h in rest[0].split("/"))
            scores = "random" if kind == "dense-random" else "distance"
            return Case(text, "dense", a, b, 0, hires, 30.0, (0,), scores)
    except (ValueError, IndexError):
        pass
    raise argparse.ArgumentTypeError(
        f"unknown size {text!r}: a name ({', '.join(named)}), cohort:MENTORSxMENTEES:STAY:HIRE "
        "or dense:CANDIDATESxMENTEES:H1/H2/..."
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_quick_and_out(parser, "tiny cases in seconds")
    parser.add_argument(
        "--sizes", default=None, help="comma-separated cases (default: programme,seoul,mid,dense)"
    )
    parser.add_argument("--seeds", default=None, help="comma-separated seeds (default: the case's)")
    parser.add_argument("--time-limit", type=float, default=None, help="seconds per run")
    parser.add_argument(
        "--methods", default=None, help=f"comma-separated subset of {','.join(METHOD_ORDER)}"
    )
    parser.add_argument(
        "--build-limit",
        type=float,
        default=180.0,
        help="seconds the plain CP-SAT model may take to build",
    )
    parser.add_argument(
        "--memory-cap-gib", type=float, default=12.0, help="a worker over this RSS is stopped"
    )
    parser.add_argument(
        "--bonus-weight",
        type=float,
        default=0.0,
        help="objective points per review point of a hired candidate (default 0: students only)",
    )
    parser.add_argument(
        "--marginal", action="store_true", help="select_mentors computes marginal values too"
    )
    parser.add_argument(
        "--cache", type=Path, default=ROOT / "benchmarks" / ".cache", help="compiled cohorts"
    )
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)


# --- the parent: one worker per measurement, watched ---------------------------------------
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _rss_mib(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _watch(job: dict[str, Any], timeout: float, cap_mib: float) -> dict[str, Any]:
    """Run a worker; its result, or why there is none (crash, memory cap, timeout)."""
    from benchmarks.recruit_methods import PHASE

    cmd = [sys.executable, "-m", "benchmarks", "recruit", "--worker", json.dumps(job)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_env(), stdout=out, stderr=err, text=True)
        top, stopped = 0.0, None
        while proc.poll() is None:
            elapsed = time.perf_counter() - t0
            top = max(top, _rss_mib(proc.pid))
            if top > cap_mib:
                stopped = (
                    f"stopped at {top / 1024:.1f} GiB (cap {cap_mib / 1024:g}) "
                    f"after {elapsed:.0f} s"
                )
            elif elapsed > timeout:
                stopped = f"no answer in {elapsed:.0f} s (stopped)"
            if stopped is not None:
                proc.kill()  # our own worker, by its handle
                proc.wait()
                break
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    lines = [ln for ln in stdout.splitlines() if ln.startswith(MARKER)]
    if stopped is None and proc.returncode == 0 and lines:
        result: dict[str, Any] = json.loads(lines[-1][len(MARKER) :])
        return result
    phases = [ln[len(PHASE) :] for ln in stderr.splitlines() if ln.startswith(PHASE)]
    built = next((float(p.split()[1]) for p in phases if p.startswith("built")), None)
    status = stopped or f"failed (exit {proc.returncode})"
    if built is None and job["method"] in ("cpsat_plain", "highs"):
        status += ", model not built"
    return {
        "status": status,
        "error": None if stopped else stderr.strip()[-600:],
        "built": built is not None,
        "build_s": built,
        "wall_s": None,
        "peak_mib": top,
    }


def _prepare(case: Case, seed: int, cache: Path) -> tuple[str, float]:
    job = {"prepare": [case.mentors, case.mentees, case.stay, seed, str(cache), case.source]}
    cmd = [sys.executable, "-m", "benchmarks", "recruit", "--worker", json.dumps(job)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=_env(), capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(
            f"recruit: preparing {case.name} seed {seed} failed:\n{proc.stderr[-3000:]}"
        )
    return proc.stdout.strip().splitlines()[-1], time.perf_counter() - t0


def _worker(spec: str) -> int:
    job = json.loads(spec)
    if "prepare" in job:
        from benchmarks.recruit_instances import build_cohort

        mentors, mentees, stay, seed, cache, source = job["prepare"]
        print(build_cohort(mentors, mentees, stay, seed, Path(cache), source), flush=True)
        return 0
    from benchmarks.recruit_methods import run_method

    print(MARKER + json.dumps(run_method(job)), flush=True)
    return 0


def _cases(args: argparse.Namespace) -> list[Case]:
    names = args.sizes or ("tiny-cohort,tiny-dense" if args.quick else "programme,seoul,mid,dense")
    cases = [parse_size(n.strip(), args.quick) for n in names.split(",") if n.strip()]
    if args.seeds:
        seeds = tuple(int(s) for s in args.seeds.split(","))
        cases = [replace(c, seeds=seeds) for c in cases]
    if args.time_limit is not None:
        cases = [replace(c, time_limit=float(args.time_limit)) for c in cases]
    return cases


def main(args: argparse.Namespace, command: str) -> int:
    if args.worker is not None:
        return _worker(args.worker)
    from benchmarks.recruit_report import render, summarise

    cases = _cases(args)
    methods = tuple(args.methods.split(",")) if args.methods else METHOD_ORDER
    unknown = sorted(set(methods) - set(METHOD_ORDER))
    if unknown:
        raise SystemExit(f"unknown methods {unknown}; expected some of {METHOD_ORDER}")
    args.out.mkdir(parents=True, exist_ok=True)
    partial = args.out / "recruit.partial.jsonl"
    partial.write_text("")
    cap = args.memory_cap_gib * 1024
    runs, prepared = [], []
    for case in cases:
        for seed in case.seeds:
            base: dict[str, Any] = {"kind": case.kind, "seed": seed, "scores": case.scores}
            if case.kind == "cohort":
                path, secs = _prepare(case, seed, args.cache)
                base["path"] = path
                prepared.append({"case": case.name, "seed": seed, "prepare_s": secs})
            else:
                base.update(candidates=case.mentors, mentees=case.mentees)
            for hire in case.hires:
                stop: dict[str, Any] = {}
                for method in methods:
                    job = {
                        **base,
                        "hire": hire,
                        "method": method,
                        "time_limit": case.time_limit,
                        "bonus_weight": args.bonus_weight,
                        "build_limit": args.build_limit,
                        "marginal": bool(args.marginal),
                        **(stop if method == "highs" else {}),
                    }
                    timeout = 2 * case.time_limit + args.build_limit + 120
                    r = {
                        "case": case.name,
                        "seed": seed,
                        "hire": hire,
                        "method": method,
                        **_watch(job, timeout, cap),
                    }
                    runs.append(r)
                    if method == "matchkit" and r.get("gap") is not None:
                        stop = {"stop_gap": r["gap"], "stop_objective": r["objective"]}
                    with partial.open("a") as f:
                        f.write(json.dumps(r) + "\n")
                    wall = "-" if r["wall_s"] is None else f"{r['wall_s']:.1f} s"
                    print(
                        f"[{case.name} seed {seed} hire {hire}] {method}: {wall}, {r['status']}, "
                        f"value {r.get('value')}, gap {r.get('gap')}",
                        file=sys.stderr,
                        flush=True,
                    )
    results = {
        "suite": "recruit",
        "quick": bool(args.quick),
        "command": command,
        "machine": machine_info(),
        "options": {
            "methods": list(methods),
            "build_limit_s": args.build_limit,
            "memory_cap_gib": args.memory_cap_gib,
            "bonus_weight": args.bonus_weight,
            "marginal": bool(args.marginal),
            "target_gap": TARGET_GAP,
        },
        "cases": [asdict(c) for c in cases],
        "prepared": prepared,
        "summary": summarise(cases, runs),
        "runs": runs,
    }
    write_results(args.out, "recruit", results, render(results))
    partial.unlink()
    return 0
