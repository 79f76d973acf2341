"""The command line's summary of a result: rich tables a programme office reads first."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from matchkit.core.assignment import Status
from matchkit.domain.result import Match, MatchResult, Unmatched
from matchkit.verify import Violation
from matchkit.whatif.report import ScenarioReport
from rich import box

__all__ = ["print_report", "print_summary", "print_violations"]


def _t(value: object) -> Text:
    """A table cell as plain text: data from files is never read as rich markup
    (a scenario named ``close[/x]`` would otherwise crash the table)."""
    return value if isinstance(value, Text) else Text(str(value))


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.1%}"


def _num(x: float) -> str:
    return f"{x:,.2f}" if math.isfinite(x) else str(x)


def print_summary(
    console: Console, result: MatchResult, *, more_timings: Mapping[str, float] | None = None
) -> None:
    """Print the result's headline figures, match rate by priority, unmatched reasons, timings.

    ``more_timings`` (seconds) are listed after the solver's own (``compile``, ``solve``,
    ``join``, ``total``), e.g. the time to generate or verify a cohort.
    """
    m = result.metrics()
    head = Table(title="Matching result", show_header=False, title_justify="left")
    head.add_column("figure")
    head.add_column("value", justify="right")  # figures right, sentences left (their Text)
    head.add_row("status", _t(f"{result.status.value} ({result.method})"))
    if result.method_reason:
        head.add_row("method chosen because", Text(result.method_reason, justify="left"))
    if result.status is not Status.OPTIMAL and result.status.has_solution:
        head.add_row("bound (points)", _num(result.bound))
        head.add_row("gap to bound", _pct(result.gap))
    if result.matches and result.matches[0].session is not None:
        head.add_row("weekly sessions", f"{len(result.matches):,} scheduled, none overlapping")
    head.add_row("objective (points)", _num(result.objective))
    head.add_row("mentees", f"{m.n_mentees:,}")
    head.add_row("matched", f"{m.n_matched:,} ({_pct(m.match_rate)})")
    head.add_row("unmatched", f"{m.n_mentees - m.n_matched:,}")
    total_capacity = sum(result.mentor_capacity.values())
    head.add_row("mentors used", f"{m.mentors_used:,} of {len(result.mentor_capacity):,}")
    head.add_row("utilisation", f"{_pct(m.utilisation)} of {total_capacity:,} places")
    head.add_row("continuity kept", _pct(m.continuity_kept))
    head.add_row("previous mentor left", f"{m.lost_mentor:,}")
    head.add_row("mean subject fit", _pct(m.mean_subject_fit))
    if result.explanation:
        head.add_row("explanation", Text(result.explanation, justify="left"))
    for k, warning in enumerate(result.warnings):
        head.add_row("warning" if k == 0 else "", Text(warning, justify="left"))
    console.print(head)
    if result.floors:
        floors = Table(
            title="Floors" + (" (relaxed: not all can be met)" if result.relaxed else ""),
            title_justify="left",
        )
        for name in ("group", "required", "matched", "attainable", "met"):
            floors.add_column(name, justify="left" if name == "group" else "right")
        for f in result.floors:
            floors.add_row(
                Text(f.label),
                f"{f.required:,}",
                f"{f.achieved:,}",
                f"{f.attainable:,}",
                "yes" if f.met else "no",
            )
        console.print(floors)

    records: list[Match | Unmatched] = [*result.matches, *result.unmatched]
    counts: Counter[int] = Counter(r.priority for r in records)
    hits: Counter[int] = Counter(r.priority for r in result.matches)
    by_priority = Table(
        title="Match rate by priority (higher = greater need)", title_justify="left"
    )
    for name in ("priority", "mentees", "matched", "rate"):
        by_priority.add_column(name, justify="right")
    for p in sorted(counts, reverse=True):
        by_priority.add_row(str(p), f"{counts[p]:,}", f"{hits[p]:,}", _pct(hits[p] / counts[p]))
    by_priority.add_row("all", f"{m.n_mentees:,}", f"{m.n_matched:,}", _pct(m.match_rate))
    console.print(by_priority)

    if m.unmatched_by_reason:
        reasons = Table(title="Unmatched by reason", title_justify="left")
        reasons.add_column("reason")
        reasons.add_column("mentees", justify="right")
        ranked = sorted(m.unmatched_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
        for reason, n in ranked:
            reasons.add_row(_t(reason), f"{n:,}")
        console.print(reasons)

    timings = Table(title="Timings", title_justify="left")
    timings.add_column("step")
    timings.add_column("seconds", justify="right")
    for step in ("compile", "solve", "join", "total"):
        if step in result.timings:
            timings.add_row(step, f"{result.timings[step]:.2f}")
    for step, seconds in (more_timings or {}).items():
        timings.add_row(step, f"{seconds:.2f}")
    console.print(timings)


def print_violations(console: Console, violations: Sequence[Violation], *, limit: int = 50) -> None:
    """A table of broken rules, one row each; past ``limit`` they are counted."""
    table = Table(title=f"{len(violations)} violation(s)", title_justify="left")
    table.add_column("code")
    table.add_column("message")
    for v in violations[:limit]:
        table.add_row(Text(v.code), Text(v.message))  # data, never markup
    if len(violations) > limit:
        table.add_row(Text("..."), f"and {len(violations) - limit} more")
    console.print(table)


_REPORT_COLUMNS = {
    "mentors": "mentors",
    "match_rate": "matched",
    "top_priority_match_rate": "top prio.",
    "worst_district_match_rate": "worst distr.",
    "continuity_kept": "kept",
    "utilisation": "util.",
    "objective": "objective",
    "status": "status",
}


def print_report(console: Console, report: ScenarioReport) -> None:
    """A what-if report as one table: a row per scenario (a sweep: its parameters)."""
    table = Table(
        title=f"{len(report.rows)} scenarios in {report.wall_s:.1f} s",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    keys = list(report.params) or ["scenario"]
    for key in keys:
        label = key.removeprefix("weights.").replace("_", " ")
        table.add_column(_t(label), justify="right" if report.params else "left")
    for label in _REPORT_COLUMNS.values():
        table.add_column(label, justify="right")
    for r in report.rows:
        cells: list[Text | str] = [_t(r.get(k)) for k in keys]
        for c in _REPORT_COLUMNS:
            v = r.get(c)
            if c == "objective" and isinstance(v, float):
                cells.append(f"{v:,.0f}" if math.isfinite(v) else str(v))
            elif isinstance(v, float):
                cells.append(_pct(v))
            else:
                cells.append(_t(v))
        table.add_row(*cells)
    console.print(table)
