"""The recruitment benchmark's summary (targets, peers against matchkit) and Markdown report."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from benchmarks.report import mark

__all__ = ["render", "summarise", "time_to_gap"]

LABELS = {
    "matchkit": "matchkit `select_mentors`",
    "cpsat_plain": "plain CP-SAT model",
    "highs": "HiGHS (scipy `milp`)",
    "greedy": "lazy greedy by marginal value",
    "rank": "rank by review + extra points",
}


def _gap(objective: float, bound: float) -> float:
    return max(0.0, bound - objective) / max(1.0, abs(objective))


def time_to_gap(run: dict[str, Any], gap: float | None) -> float | None:
    """Seconds (from the start of the timed call, model building included) until the run's
    own objective and bound were within ``gap``; None if never (or no bound)."""
    if gap is None:
        return None
    for t, best, bound in run.get("trajectory") or []:
        if best is not None and _gap(best, bound) <= gap + 1e-12:
            return float(t)
    if run.get("gap") is not None and run["gap"] <= gap + 1e-12 and run.get("wall_s"):
        return float(run["wall_s"])  # no trajectory (HiGHS): at the end, if at all
    return None


def summarise(cases: Sequence[Any], runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per case: matchkit's verdicts against the targets, and per (seed, hire) every
    method next to matchkit (value and top-priority mentees against it, time to its gap)."""
    out = []
    for case in cases:
        mine = [r for r in runs if r["case"] == case.name]
        mk = [r for r in mine if r["method"] == "matchkit"]
        verdicts: dict[str, bool | None] = {
            "gap": bool(mk) and all(r.get("gap") is not None and r["gap"] <= 0.01 for r in mk),
            "time_limit": bool(mk)
            and all(
                r.get("wall_s") is not None and r["wall_s"] <= case.time_limit * 1.05 for r in mk
            ),
            "memory": None
            if case.memory_gib is None
            else bool(mk) and all(r["peak_mib"] <= case.memory_gib * 1024 for r in mk),
        }
        if not mk:  # matchkit not run (--methods): no verdict
            verdicts = dict.fromkeys(verdicts)
        groups = []
        for seed in case.seeds:
            for hire in case.hires:
                rs = {r["method"]: r for r in mine if r["seed"] == seed and r["hire"] == hire}
                ref = rs.get("matchkit", {})
                gap, value, top = ref.get("gap"), ref.get("value"), ref.get("top_matched")
                methods = {}
                for name, r in rs.items():
                    v = r.get("value")
                    methods[name] = {
                        "time_to_matchkit_gap": time_to_gap(r, gap),
                        "value_vs_matchkit": None
                        if v is None or value is None
                        else (v - value) / max(1.0, abs(value)),
                        "top_vs_matchkit": None
                        if r.get("top_matched") is None or top is None
                        else r["top_matched"] - top,
                    }
                groups.append({"seed": seed, "hire": hire, "matchkit_gap": gap, "methods": methods})
        out.append({"case": case.name, "verdicts": verdicts, "groups": groups})
    return out


def _f(x: Any, fmt: str = ",.0f") -> str:
    return "-" if x is None else format(x, fmt)


def _case_text(c: dict[str, Any]) -> str:
    if c["kind"] == "cohort":
        return (
            f"synthetic cohort, {c['mentors']:,} mentors ({c['stay']:,} stay, "
            f"{c['mentors'] - c['stay']:,} candidates) x {c['mentees']:,} mentees"
        )
    scores = "p-median distances" if c["scores"] == "distance" else "random scores 0..1000"
    return (
        f"dense, {c['mentors']:,} candidates x {c['mentees']:,} mentees, every pair an edge "
        f"({scores}), unlimited capacity, every mentee required"
    )


def _targets(results: dict[str, Any]) -> list[str]:
    lines = [
        "## matchkit against the targets",
        "",
        "| Case | Hire | Seeds | Time limit s | Wall s (max) | Status | Value (median) "
        "| Bound (median) | Gap (worst) | Peak MiB (max) | Gap <= 1% | Within time limit "
        "| Memory |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c, s in zip(results["cases"], results["summary"], strict=True):
        v = s["verdicts"]
        for hire in c["hires"]:
            rs = [
                r
                for r in results["runs"]
                if r["case"] == c["name"] and r["hire"] == hire and r["method"] == "matchkit"
            ]
            if not rs:
                continue
            gaps = [r["gap"] for r in rs if r.get("gap") is not None]
            walls = [r["wall_s"] for r in rs if r.get("wall_s") is not None]
            vals = [r["value"] for r in rs if r.get("value") is not None]
            bounds = [r["bound"] for r in rs if r.get("bound") is not None]
            memory = "n/a" if c["memory_gib"] is None else f"<= {c['memory_gib']:g} GiB: "
            memory += "" if c["memory_gib"] is None else mark(v["memory"])
            lines.append(
                f"| {c['name']} | {hire:,} | {len(rs)} | {c['time_limit']:g} "
                f"| {_f(max(walls) if walls else None, '.1f')} "
                f"| {', '.join(sorted({r['status'] for r in rs}))} "
                f"| {_f(statistics.median(vals) if vals else None)} "
                f"| {_f(statistics.median(bounds) if bounds else None)} "
                f"| {_f(max(gaps) if len(gaps) == len(rs) else None, '.2%')} "
                f"| {_f(max(r['peak_mib'] for r in rs))} | {mark(v['gap'])} "
                f"| {mark(v['time_limit'])} | {memory} |"
            )
    return [
        *lines,
        "",
        "The verdicts are per case, over every seed and hire count.",
        "",
    ]


def _note(r: dict[str, Any]) -> str:
    notes = []
    if r["method"] == "greedy" and r.get("hires_reached") is not None:
        notes.append(
            f"{r['hires_reached']:,} of {r['hire']:,} hires by greedy ({r['solves']:,} solves)"
        )
        if r.get("reached", {}).get("value") is not None:
            notes.append(f"value of those: {r['reached']['value']:,.0f}; the rest from its queue")
    if r["method"] == "matchkit" and r.get("method_used"):
        notes.append(f"method {r['method_used']}")
    if r["method"] == "highs" and r.get("mip_gap") is not None:
        notes.append(f"HiGHS mip_gap {r['mip_gap']:.2%}")
    if r.get("error"):
        notes.append("error: " + r["error"].splitlines()[-1][:120])
    return "; ".join(notes)


def _side_by_side(results: dict[str, Any]) -> list[str]:
    lines = ["## Side by side", ""]
    for c, s in zip(results["cases"], results["summary"], strict=True):
        lines += [
            f"### {c['name']}: {_case_text(c)}, {c['time_limit']:g} s each",
            "",
            "| Seed | Hire | Method | Wall s | Build s | Status | Objective | Bound | Gap "
            "| Hire set's value | vs matchkit | Matched | Top priority matched (vs matchkit) "
            "| Review points hired | s to matchkit's gap | Peak MiB | Note |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for g in s["groups"]:
            for name, d in g["methods"].items():
                r = next(
                    x
                    for x in results["runs"]
                    if x["case"] == c["name"]
                    and x["seed"] == g["seed"]
                    and x["hire"] == g["hire"]
                    and x["method"] == name
                )
                top = _f(r.get("top_matched"))
                if d["top_vs_matchkit"] is not None and name != "matchkit":
                    top += f" ({d['top_vs_matchkit']:+,})"
                lines.append(
                    f"| {g['seed']} | {g['hire']:,} | {LABELS[name]} "
                    f"| {_f(r.get('wall_s'), '.1f')} "
                    f"| {_f(r.get('build_s'), '.1f')} | {r['status']} | {_f(r.get('objective'))} "
                    f"| {_f(r.get('bound'))} | {_f(r.get('gap'), '.2%')} | {_f(r.get('value'))} "
                    f"| {_f(d['value_vs_matchkit'], '+.2%')} | {_f(r.get('matched'))} | {top} "
                    f"| {_f(r.get('review_hired'))} | {_f(d['time_to_matchkit_gap'], '.1f')} "
                    f"| {_f(r.get('peak_mib'))} | {_note(r)} |"
                )
        lines.append("")
    return lines


NOTES = [
    "## How to read it",
    "",
    "- *Objective*, *Bound*, *Gap*: what the method itself reports (gap = (bound - objective) "
    "/ max(1, |objective|)); greedy and the ranking prove no bound. *Hire set's value*: the "
    "method's hires re-solved exactly by `solve_assignment` (the best assignment they allow, "
    "plus bonuses if `--bonus-weight` is set), so every method is measured the same way; "
    "*vs matchkit* is that value against matchkit's. Cohort values are in milli-points "
    "(1,000 per point), after subtracting every unmatched mentee's penalty.",
    "- *Top priority matched*: mentees of the highest priority (3 in the cohorts) with a "
    "mentor in that re-solved assignment; the dense cases have no priorities.",
    "- *s to matchkit's gap*: seconds from the start of the timed call (model building "
    "included) until the method's own objective and bound were within the gap matchkit "
    "reached; for plain CP-SAT from a solution callback and a bound callback; HiGHS is told "
    "to stop at that gap (`mip_rel_gap`, converted to its objective, which counts the "
    "unmatched penalties as profit), so its time is its wall time when it gets there (scipy "
    "exposes no progress). HiGHS's own objective is its incumbent's; its hire set re-solved "
    "can be worth more.",
    "- Plain CP-SAT: one Boolean per edge and per candidate, x <= y per edge, sum x <= "
    "capacity y per mentor, at most (required: exactly) one mentor per mentee, sum y = hire, "
    "no hint, 2 workers. HiGHS: the same MILP through `scipy.optimize.milp`. Lazy greedy: "
    "from the mentors who stay, hire the candidate whose addition raises the optimal "
    "assignment most (each gain solved exactly with `solve_assignment` on the open "
    "mentors' edges; the value is submodular, so stale gains are upper bounds and the first "
    "key, a mentor's value alone, is one too); required mentees count as a large penalty "
    "while it runs. When time runs out, the rest of its hires come from its queue. Rank: the "
    "`hire` candidates with the most review + extra points (seeded: review ~ N(70, 12) "
    "clipped to 0..100, +5 for a former mentee (15%), +2 per committed term beyond the "
    "first).",
    "- Each measurement runs in a fresh process (`python -m benchmarks recruit --worker ...`),"
    " one at a time; *Peak MiB* is that process's peak RSS from just before the call "
    "(the loaded instance included). A worker over the memory cap or the hard timeout is "
    "stopped and its row says how far it got.",
    "",
]


def render(results: dict[str, Any]) -> str:
    m, o = results["machine"], results["options"]
    lines = [
        "# Recruitment benchmark",
        "",
        "`select_mentors(problem, hire=..., optional=..., time_limit=...)` against a plain "
        "CP-SAT model, HiGHS, lazy greedy by marginal value and ranking by review points, on "
        f"the same arrays in one run. Generated by `{results['command']}` "
        "(`make bench-recruit`); do not edit by hand.",
        "",
    ]
    if results["quick"]:
        lines += ["**Quick mode: tiny sizes, a smoke test, not a measurement.**", ""]
    lines += [
        f"Machine: {m['cpu']}, {m['cores']} cores, {_f(m['ram_gib'], '.1f')} GiB RAM, "
        f"Python {m['python']}, numpy {m['numpy']}, OR-Tools {m['ortools']}, git "
        f"{m['git_commit']}{' (src modified)' if m['src_modified'] else ''}; {m['date']}. "
        f"Memory cap per worker {o['memory_cap_gib']:g} GiB, plain CP-SAT build limit "
        f"{o['build_limit_s']:g} s, bonus weight {o['bonus_weight']:g}, marginal values "
        f"{'on' if o['marginal'] else 'off'}.",
        "",
    ]
    lines += _targets(results)
    lines += _side_by_side(results)
    lines += NOTES
    return "\n".join(lines).rstrip("\n") + "\n"
