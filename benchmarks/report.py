"""The machine a benchmark ran on, and the Markdown report of the engine benchmark."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = ["machine_info", "render_markdown"]

ROOT = Path(__file__).resolve().parent.parent


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024.0**2
    except OSError:
        pass
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return proc.stdout.strip()


def machine_info() -> dict[str, Any]:
    """CPU, cores, RAM, OS, Python and library versions, the date and the git commit."""
    dirty = _git("status", "--porcelain", "--", "src")
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_gib": _ram_gib(),
        "os": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "numpy": _version("numpy"),
        "ortools": _version("ortools"),
        "matchkit": _version("matchkit"),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "src_modified": bool(dirty) if dirty is not None else None,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def mark(verdict: bool | None) -> str:
    """A target's verdict in a report: **PASS**, **FAIL**, or n/a when there is no target."""
    return "n/a" if verdict is None else ("**PASS**" if verdict else "**FAIL**")


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _machine_section(m: dict[str, Any], command: str) -> list[str]:
    ram = f"{m['ram_gib']:.1f} GiB" if m["ram_gib"] is not None else "unknown"
    commit = m["git_commit"] or "unknown"
    if m["src_modified"]:
        commit += " (src/ had uncommitted changes)"
    rows = [
        ["CPU", m["cpu"]],
        ["Cores", f"{m['cores']} ({m['usable_cores']} usable)"],
        ["RAM", ram],
        ["OS", m["os"]],
        ["Python", m["python"]],
        ["numpy", m["numpy"]],
        ["ortools", m["ortools"]],
        ["matchkit", f"{m['matchkit']}, git {commit}"],
        ["Date (UTC)", m["date"]],
        ["Command", f"`{command}`"],
    ]
    return ["## Machine", "", *_table(["", ""], rows)]


def _candidates(s: dict[str, Any]) -> str:
    if s["policy"] is None:
        return f"{s['k']} random"
    rules = ", ".join(f"`{k}={v}`" for k, v in s["policy"].items()) or "default policy"
    return f"{s['edges'] / s['mentees']:.0f} on average (cohort, {rules})"


def _instances_section(results: dict[str, Any]) -> list[str]:
    rows = [
        [name, f"{s['mentees']:,}", f"{s['mentors']:,}", _candidates(s), f"{s['edges']:,}"]
        for name, s in results["sizes"].items()
    ]
    return [
        "## Instances",
        "",
        *_table(["Size", "Mentees", "Mentors", "Candidates per mentee", "Edges"], rows),
        f"Seed {results['seed']}. Random sizes: each mentee has distinct candidate mentors "
        "drawn uniformly; integer scores uniform in 0..1000 (float scores uniform in [0, 1000) "
        "on the smallest size), mentor capacities uniform in 1..5, every mentee wants one "
        "mentor and may stay unmatched. Edges are grouped by mentee, mentors within a mentee "
        "unsorted. Cohorts: the problem `solve(cohort, policy)` hands its solver for the "
        "synthetic cohort of that size (`matchkit.synth.generate_cohort`, same seed), each "
        "edge's score with its mentee's unmatched penalty added (the same optimisation "
        "problem; objectives differ from `solve`'s by the constant sum of penalties).",
        "",
    ]


def _pair(run: dict[str, Any], key: str = "time") -> str:
    return f"{run[key + '_min']:.3f} / {run[key + '_median']:.3f}"


def _time_section(cases: list[dict[str, Any]], target: float) -> list[str]:
    rows = []
    for c in cases:
        m, r = c["matchkit"], c["ratios"]
        method = m["runs"][0].get("method", "flow")
        rows.append(
            [
                c["label"],
                f"{c['n_edges']:,}",
                str(c["repeats"]),
                _pair(c["bare"]),
                _pair(c["pot"]),
                f"{_pair(m)} ({method})",
                f"{r['bare_time_min']:.2f}x / {r['bare_time_median']:.2f}x",
                f"{r['pot_time_min']:.2f}x / {r['pot_time_median']:.2f}x",
                f"**{c['verdicts']['time']}**",
                f"{m['objective']:.10g}",
                "yes" if c["objectives_agree"] else "**NO**",
            ]
        )
    header = ["Size", "Edges", "Runs", "Bare OR-Tools s (min / median)"]
    header += ["LEMON/POT s (min / median)", "matchkit s (min / median)"]
    header += ["Ratio vs bare", "Ratio vs POT", f"Time (< {target}x both)", "Optimum"]
    header += ["Same optimum"]
    return [
        "## Time",
        "",
        *_table(header, rows),
        "The verdict takes the worst of the four ratios (min and median against each peer).",
        "",
    ]


def _three(b: dict[str, Any], p: dict[str, Any], m: dict[str, Any], key: str) -> str:
    return f"{b[key]:.0f} / {p[key]:.0f} / {m[key]:.0f}"


def _memory_section(cases: list[dict[str, Any]], target: float) -> list[str]:
    rows = []
    for c in cases:
        b, p, m, r, v = c["bare"], c["pot"], c["matchkit"], c["ratios"], c["verdicts"]
        rows.append(
            [
                c["label"],
                _three(b, p, m, "rss_before_mib"),
                _three(b, p, m, "peak_mib"),
                f"{r['peak']:.2f}x",
                f"**{v['peak']}**",
                _three(b, p, m, "increment_mib"),
                f"{r['increment']:.2f}x",
                f"**{v['increment']}**",
            ]
        )
    header = ["Size", "RSS before MiB (bare / POT / mk)", "Peak MiB (bare / POT / mk)"]
    header += ["Peak vs lower", "Peak", "Increment MiB (bare / POT / mk)", "Increment vs lower"]
    header += ["Increment"]
    return [
        "## Memory",
        "",
        *_table(header, rows),
        f"Target: <= {target}x the lower of the two peers. *Peak* is the process's peak RSS "
        "(interpreter, imports and the loaded instance included, the same for all); "
        "*increment* is that peak minus the RSS just before the call: the memory the call "
        "itself needs, the stricter comparison.",
        "",
    ]


def _phases_section(cases: list[dict[str, Any]]) -> list[str]:
    rows = []
    for c in cases:
        b, p, m = c["bare"]["phases"], c["pot"]["phases"], c["matchkit"]["phases"]
        solver = m.get("solve_time", 0.0)
        rows.append(
            [
                c["label"],
                f"{b['build']:.3f} / {b['solve']:.3f} / {b['read']:.3f}",
                f"{p['build']:.3f} / {p['solve']:.3f} / {p['read']:.3f}",
                f"{m['problem']:.3f}",
                f"{solver:.3f}",
                f"{m['solve_assignment'] - solver:.3f}",
            ]
        )
    header = ["Size", "Bare: build / solve / read", "POT: build / solve / read"]
    header += ["matchkit: AssignmentProblem", "solver", "rest of solve_assignment"]
    return [
        "## Where the time goes (median seconds)",
        "",
        *_table(header, rows),
        "matchkit *solver* is the backend's own solver calls (OR-Tools' solve, or every "
        "network simplex round); *rest* is everything else in `solve_assignment`: option "
        "checks, the pre-solve infeasibility checks, building the arcs, choosing the edges "
        "of the first round and pricing every edge, reading the answer back.",
        "",
    ]


def _cpsat_section(cp: dict[str, Any] | None) -> list[str]:
    if cp is None:
        return ["## CP-SAT", "", "Not run: no random size in this run.", ""]
    run = cp["run"]
    ph, stats = run["phases"], run["stats"]
    rows = [
        [
            cp["size"],
            f"{cp['n_edges']:,}",
            f"{cp['time_limit']:g} s",
            run["status"],
            f"{run['objective']:.10g}",
            f"{run['bound']:.10g}",
            f"{run['gap']:.2%}",
            f"{run['wall_time']:.2f}",
            f"{ph['hint_time']:.2f} / {ph['build_time']:.2f} / {ph['solve_time']:.2f}",
            str(stats.get("workers")),
            "yes" if cp["reached_flow_optimum"] else "no",
        ]
    ]
    header = ["Size", "Edges", "Time limit", "Status", "Objective", "Bound", "Relative gap"]
    header += ["Wall s", "hint / build / search s", "Workers", "Reached flow optimum"]
    return [
        "## CP-SAT on the smallest size",
        "",
        *_table(header, rows),
        '`solve_assignment(problem, method="cpsat", time_limit=...)` (problem construction '
        "included in the wall time). Relative gap = (bound - objective) / |objective|. "
        "The backend hints CP-SAT with the min-cost-flow optimum "
        "(the *hint* time), so the search mostly has to prove optimality. Peak RSS "
        f"{run['peak_mib']:.0f} MiB (+{run['increment_mib']:.0f} over the loaded instance).",
        "",
    ]


def _imports_section(imports: dict[str, dict[str, Any]]) -> list[str]:
    rows = [
        [
            label,
            ", ".join(f"`{m}`" for m in v["modules"]),
            f"{v['time']:.3f}",
            f"{v['rss_mib']:.0f}",
        ]
        for label, v in imports.items()
    ]
    return [
        "## Cold imports (not in the figures above)",
        "",
        *_table(["", "Modules", "Seconds", "RSS MiB"], rows),
        "The workers import everything before measuring. `solve_assignment` imports "
        "`matchkit.solvers` (the flow backend and OR-Tools' graph module) on its first call, "
        "and POT on the first call that resolves to the simplex backend, a one-off cost per "
        "process each; CP-SAT is imported only when `method` resolves to "
        '`"cpsat"`.',
        "",
    ]


METHOD_NOTES = [
    "## Method",
    "",
    "- Every measurement runs in a fresh process (`python -m benchmarks engine --worker ...`) "
    "that loads the cached instance (`benchmarks/.cache/*.npy`), reads `VmRSS`, resets the "
    "peak-RSS counter (`/proc/self/clear_refs`), runs the call and reads `VmHWM`.",
    "- *Bare* (`benchmarks/bare.py`): `SimpleMinCostFlow` built by hand from the same numpy "
    "arrays with one bulk `add_arcs_with_capacity_and_unit_cost` per arc group (the same "
    "network matchkit builds: source -> mentee cap 1, mentee -> mentor cap 1 cost -score, "
    "mentor -> sink cap capacity, sink -> source), one `solve`, one bulk `flows` call and the "
    "objective from the flows.",
    "- *LEMON/POT* (`benchmarks/pot.py`): `ot.emd` on one `scipy.sparse.coo_matrix` of every "
    "edge (cost -score) plus an unmatched column and a spare-capacity row, the objective "
    "from `emd`'s own cost.",
    "- *matchkit*: `AssignmentProblem(...)` (validation included) plus "
    '`solve_assignment(problem)` (method `"auto"`: the backend it chose is named).',
    "- Bare, POT and matchkit runs alternate; all must reach the same optimum (exactly for "
    "integer scores, within the rounding slack for float scores). Every worker imports "
    "OR-Tools, POT and matchkit before measuring.",
    "",
]


def render_markdown(results: dict[str, Any]) -> str:
    """The engine benchmark report as Markdown."""
    targets = results["targets"]
    lines = [
        "# Engine benchmark",
        "",
        "matchkit against bare OR-Tools `SimpleMinCostFlow` and LEMON's network simplex "
        "(POT's `ot.emd`). Generated by "
        "`python -m benchmarks engine` (`make bench-engine`); do not edit by hand.",
        "",
    ]
    if results["quick"]:
        lines += ["**Quick mode: tiny sizes, a smoke test, not a measurement.**", ""]
    lines += _machine_section(results["machine"], results["command"])
    lines += _instances_section(results)
    lines += _time_section(results["cases"], targets["time_ratio"])
    lines += _memory_section(results["cases"], targets["memory_ratio"])
    lines += _phases_section(results["cases"])
    lines += _cpsat_section(results["cpsat"])
    lines += _imports_section(results["cold_imports"])
    lines += METHOD_NOTES
    return "\n".join(lines).rstrip("\n") + "\n"
