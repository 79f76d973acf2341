"""Summary, Markdown and plots of the comparison benchmark (see :mod:`benchmarks.compare`)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.report import mark

__all__ = ["plot", "render", "summarise"]

EXACT = ("auto", "flow", "cpsat", "bare", "networkx", "lsa", "milp", "cpsat_plain")
ANSWERED = {"optimal", "feasible", "done"}
"""Statuses that come with an answer (CP-SAT's ``unknown``: none found in the time limit)."""
TARGETS = {"networkx": 20.0, "lsa": 10.0, "milp": 5.0}
"""At Seoul size, matchkit flow end to end must be at least this many times faster."""
LABELS = {
    "auto": "matchkit auto",
    "flow": "matchkit flow",
    "cpsat": "matchkit cpsat",
    "bare": "bare OR-Tools min-cost flow",
    "networkx": "networkx network_simplex",
    "lsa": "scipy linear_sum_assignment (expanded)",
    "milp": "scipy milp (HiGHS)",
    "cpsat_plain": "plain CP-SAT (one Boolean per pair)",
    "greedy": "greedy (sort by score)",
    "random": "random feasible",
}


def _agreement(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    optimal = {
        r["method"]: r["objective"]
        for r in runs
        if r["method"] in EXACT and r.get("status") == "optimal" and "objective" in r
    }
    values = list(optimal.values())
    agree = bool(values) and max(values) - min(values) <= 1e-6 * max(1.0, abs(max(values)))
    return {"optimal": optimal, "agree": agree, "optimum": optimal.get("flow")}


def summarise(cases: Sequence[Any], runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for case in cases:
        mine = [r for r in runs if r["case"] == case.name]
        seeds = sorted({r["seed"] for r in mine})
        agreement = {s: _agreement([r for r in mine if r["seed"] == s]) for s in seeds}
        methods: dict[str, dict[str, Any]] = {}
        for method in dict.fromkeys(r["method"] for r in mine):
            rs = [r for r in mine if r["method"] == method]
            walls = [r["wall_s"] for r in rs if r.get("wall_s") is not None]
            first = rs[0]
            methods[method] = {
                "statuses": [r.get("status") for r in rs],
                "skipped": first.get("skipped"),
                "error": next((r["error"] for r in rs if "error" in r), None),
                "timeout_s": first.get("timeout_s"),
                "wall_median": statistics.median(walls) if walls else None,
                "wall_min": min(walls) if walls else None,
                "wall_max": max(walls) if walls else None,
                "peak_mib": max((r["peak_mib"] for r in rs if "peak_mib" in r), default=None),
                "objective": first.get("objective"),
                "matched": first.get("matched"),
                "mentees": first.get("mentees"),
                "metrics": first.get("metrics"),
                "verified": all(not r.get("violations") for r in rs if "violations" in r)
                and any("violations" in r for r in rs),
                "violations": next((r["violations"] for r in rs if r.get("violations")), []),
            }
        flow = methods.get("flow", {}).get("wall_median")
        for m in methods.values():
            w = m["wall_median"]
            if flow and w is not None:
                m["ratio"] = w / flow
            elif flow and m["timeout_s"]:
                m["ratio_at_least"] = m["timeout_s"] / flow
        targets = {}
        if case.name == "seoul":
            for method, factor in TARGETS.items():
                m = methods.get(method)
                if m is None:
                    continue
                fast = m.get("ratio", m.get("ratio_at_least", 0.0)) >= factor
                ran = [a for a in agreement.values() if method in a["optimal"]]
                same = bool(ran) and all(a["agree"] for a in ran)  # slow methods: seed 0 only
                targets[method] = {"factor": factor, "faster": fast, "same_optimum": same}
        out.append(
            {
                "case": case.name,
                "kind": case.kind,
                "edges": next((r["edges"] for r in mine if "edges" in r), None),
                "seeds": seeds,
                "agreement": {str(s): a for s, a in agreement.items()},
                "methods": methods,
                "targets": targets,
            }
        )
    return out


def _fmt_wall(m: dict[str, Any]) -> str:
    if m["skipped"]:
        return "not run"
    if m["wall_median"] is None:
        return f"> {m['timeout_s']:,.0f} (timed out)" if m["timeout_s"] else "failed"
    if m["wall_min"] == m["wall_max"]:
        return f"{m['wall_median']:.2f}"
    return f"{m['wall_median']:.2f} ({m['wall_min']:.2f}-{m['wall_max']:.2f})"


def _fmt_ratio(m: dict[str, Any]) -> str:
    if "ratio" in m:
        return f"{m['ratio']:.1f}x"
    if "ratio_at_least" in m:
        return f"> {m['ratio_at_least']:.0f}x"
    return "-"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.1%}"


def render(results: dict[str, Any]) -> str:
    m = results["machine"]
    lim = results["limits"]
    lines = [
        "# matchkit against the alternatives",
        "",
        f"Generated by `{results['command']}` (`make bench-compare`); do not edit by hand.",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gib']:.1f} GiB RAM, "
        f"Python {m['python']}, numpy {m['numpy']}, OR-Tools {m['ortools']}; {m['date']}, "
        f"commit {m['git_commit']}.",
        "",
        f"Limits: CP-SAT {lim['cpsat_s']:g} s (both models), milp {lim['milp_s']:g} s, any "
        f"method {lim['timeout_s']:g} s. matchkit is timed end to end from the cohort (compile, "
        "solve, join); the others from the compiled edges. Wall: median over seeds (min-max).",
    ]
    for s in results["summary"]:
        lines += ["", f"## {s['case']} ({s['edges']:,} edges; seeds {s['seeds']})", ""]
        cohort = s["kind"] == "cohort"
        head = "| Method | Status | Wall s | x flow | Peak MiB | Objective | Matched |"
        rule = "|---|---|---|---|---|---|---|"
        if cohort:
            head += " Top priority matched | Mean subject fit | Continuity kept |"
            rule += "---|---|---|"
        lines += [head + " Verified |", rule + "---|"]
        for name, mm in s["methods"].items():
            if not mm["skipped"] and not set(mm["statuses"]) & ANSWERED:
                mm = {**mm, "objective": None, "matched": None, "metrics": None}
            statuses = ", ".join(sorted(set(map(str, mm["statuses"]))))
            status = "not run" if mm["skipped"] else statuses
            peak = "-" if mm["peak_mib"] is None else f"{mm['peak_mib']:,.0f}"
            obj = "-" if mm["objective"] is None else f"{mm['objective']:,.3f}"
            matched = (
                "-"
                if mm["matched"] is None
                else f"{mm['matched']:,} ({mm['matched'] / max(1, mm['mentees']):.1%})"
            )
            row = (
                f"| {LABELS.get(name, name)} | {status} | {_fmt_wall(mm)} | {_fmt_ratio(mm)} "
                f"| {peak} | {obj} | {matched} |"
            )
            if cohort:
                x = mm["metrics"] or {}
                fit = x.get("mean_subject_fit")
                row += (
                    f" {_pct(x.get('top_priority_rate'))} | "
                    f"{'-' if fit is None else format(fit, '.3f')}"
                    f" | {_pct(x.get('continuity_kept'))} |"
                )
            verified = (
                "-"
                if mm["skipped"] or mm["wall_median"] is None or mm["objective"] is None
                else ("yes" if mm["verified"] else "**no**: " + "; ".join(mm["violations"])[:200])
            )
            lines.append(row + f" {verified} |")
        notes = [
            f"*{LABELS[n]}*: {mm['skipped']}" for n, mm in s["methods"].items() if mm["skipped"]
        ]
        notes += [
            f"*{LABELS[n]}* failed: `{mm['error']}`"
            for n, mm in s["methods"].items()
            if mm["error"]
        ]
        agree = all(a["agree"] for a in s["agreement"].values())
        lines += [
            "",
            "Exact methods that finished optimal agree on the optimum in every seed: "
            + ("**yes**" if agree else "**no**")
            + ".",
        ]
        lines += [""] + [f"- {n}" for n in notes] if notes else []
        if cohort and "flow" in s["methods"] and s["methods"]["flow"]["metrics"]:
            best = s["methods"]["flow"]["metrics"]
            for base in ("greedy", "random"):
                mm = s["methods"].get(base)
                if mm and mm["metrics"]:
                    lost = best["top_priority_matched"] - mm["metrics"]["top_priority_matched"]
                    lines.append(
                        f"- {LABELS[base]} leaves {lost:,} more mentees of the top priority group "
                        f"({best['top_priority']}) without a mentor than the optimum (seed 0), "
                        f"and {best['matched'] - mm['metrics']['matched']:,} more in all."
                    )
        if s["targets"]:
            lines += ["", "Targets (matchkit flow end to end, same optimum):", ""]
            for method, t in s["targets"].items():
                ok = t["faster"] and t["same_optimum"]
                lines.append(
                    f"- ≥ {t['factor']:g}x faster than {LABELS[method]}: "
                    f"{mark(ok)} ({_fmt_ratio(s['methods'][method])}, "
                    f"same optimum: {'yes' if t['same_optimum'] else 'no'})"
                )
    if results["scaling"]:
        lines += [
            "",
            "## Scaling: matchkit, bare OR-Tools and LEMON/POT against eligible pairs",
            "",
            *_scaling_run(results),
            'matchkit with `method="auto"` (the backend it chose in brackets); random '
            "instances with 50 candidates per mentee (10 below 10,000 edges).",
            "",
            "| Edges | matchkit s | bare s | POT s | vs bare | vs POT "
            "| matchkit peak MiB | bare peak MiB | POT peak MiB |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        by = {(r["edges"], r["kind"]): r for r in results["scaling"]}
        for n in sorted({r["edges"] for r in results["scaling"]}):
            a, b = by[(n, "matchkit")], by[(n, "bare")]
            c = by.get((n, "pot"))  # results before the POT column have none
            pot = (f"{c['wall_s']:.3f}", f"{a['wall_s'] / c['wall_s']:.2f}") if c else ("", "")
            lines.append(
                f"| {n:,} | {a['wall_s']:.3f}{_chosen(a)} | {b['wall_s']:.3f} | {pot[0]} "
                f"| {a['wall_s'] / b['wall_s']:.2f} | {pot[1]} | {a['peak_mib']:,.0f} "
                f"| {b['peak_mib']:,.0f} | {c['peak_mib'] if c else 0:,.0f} |"
            )
        lines += ["", "![time per method](compare-time.png)", "", "![scaling](compare-scaling.png)"]
    return "\n".join(lines) + "\n"


def _scaling_run(results: dict[str, Any]) -> list[str]:
    run = results.get("scaling_run")
    if run is None:
        return []
    m = run["machine"]
    return [
        f"Measured separately by `{run['command']}`: {m['cpu']}, {m['cores']} cores, "
        f"{m['date']}, commit {m['git_commit']}.",
        "",
    ]


def _chosen(row: dict[str, Any]) -> str:
    return f" ({row['method']})" if row.get("method") else ""


def plot(results: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = results["summary"]
    fig, axes = plt.subplots(len(summary), 1, figsize=(9, 3.4 * len(summary)), squeeze=False)
    for ax, s in zip(axes[:, 0], summary, strict=True):
        names = [n for n, m in s["methods"].items() if m["wall_median"] is not None]
        walls = [s["methods"][n]["wall_median"] for n in names]
        ax.barh(
            [LABELS[n] for n in names],
            walls,
            color=["C0" if n in ("auto", "flow") else "C7" for n in names],
        )
        ax.set_xscale("log")
        ax.invert_yaxis()
        ax.set_xlabel("wall time, s (log)")
        ax.set_title(f"{s['case']} ({s['edges']:,} edges)")
    fig.tight_layout()
    fig.savefig(out / "compare-time.png", dpi=110)
    plt.close(fig)
    if not results["scaling"]:
        return
    fig, (t_ax, m_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for kind, label, style in (
        ("matchkit", "matchkit (auto)", "o-"),
        ("bare", "bare OR-Tools", "s--"),
        ("pot", "LEMON/POT", "^:"),
    ):
        rows = sorted(
            (r for r in results["scaling"] if r["kind"] == kind), key=lambda r: r["edges"]
        )
        xs = [r["edges"] for r in rows]
        t_ax.loglog(xs, [r["wall_s"] for r in rows], style, label=label)
        m_ax.loglog(xs, [r["peak_mib"] for r in rows], style, label=label)
    t_ax.set(xlabel="eligible pairs (edges)", ylabel="wall time, s", title="Time")
    m_ax.set(xlabel="eligible pairs (edges)", ylabel="peak RSS, MiB", title="Memory")
    t_ax.legend()
    fig.tight_layout()
    fig.savefig(out / "compare-scaling.png", dpi=110)
    plt.close(fig)
