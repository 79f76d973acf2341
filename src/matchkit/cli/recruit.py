"""``matchkit recruit``'s own parts: the files it writes, the earlier-run check, the summary.

The command itself is in :mod:`matchkit.cli.app`, beside ``solve``, whose options, error
handling and file safety it shares. The summary names no person: counts, figures and the
value curve only.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from matchkit.domain.hiring import HireReason, RecruitResult
from matchkit.io.atomic import MANIFEST
from matchkit.io.files import COHORT_FILES, RESULT_FILES
from matchkit.io.hires import HIRES_FILES

__all__ = ["RECRUIT_FILES", "earlier_outputs", "print_recruit_summary"]

RECRUIT_FILES = (*HIRES_FILES, *COHORT_FILES, *RESULT_FILES, MANIFEST)
"""Every file ``matchkit recruit`` may write into its ``--out`` folder: the hires and the
curve, the new cohort (mentors.csv, mentees.csv), its result (result.json, matches.csv,
unmatched.csv, roster.csv, result.xlsx; transition.csv is removed if an earlier run left
one) and the manifest."""


def earlier_outputs(out: Path) -> list[str]:
    """The files in ``out`` that a run would replace (empty if ``out`` does not exist)."""
    if not out.is_dir():
        return []
    return [name for name in RECRUIT_FILES if (out / name).exists()]


def _pct(x: float) -> str:
    return f"{x:.1%}" if math.isfinite(x) else "n/a"


def _num(x: float) -> str:
    return f"{x:,.2f}" if math.isfinite(x) else str(x)


def _of(part: int, whole: int) -> str:
    return f"{part:,} of {whole:,}" + (f" ({part / whole:.1%})" if whole else "")


def print_recruit_summary(
    console: Console, result: RecruitResult, *, timings: Mapping[str, float]
) -> None:
    """Print who was hired (counts), why the others were not, the objective and its bound,
    the students served next term, the value curve and the timings."""
    reasons = Counter(d.reason for d in result.decisions)
    n_applicants = len(result.decisions)
    head = Table(title="Recruitment result", show_header=False, title_justify="left")
    head.add_column("figure")
    head.add_column("value", justify="right")  # figures right, sentences left (their Text)
    head.add_row("status", Text(f"{result.status.value} ({result.method})"))
    verb = "at most" if result.rules.at_most else "exactly"
    head.add_row(
        "hired",
        f"{len(result.hired):,} of {n_applicants:,} applicants ({verb} {result.rules.hire:,})",
    )
    head.add_row(
        "set aside: below standard",
        f"{reasons[HireReason.BELOW_STANDARD]:,} (review below {result.rules.min_review:g})",
    )
    if result.rules.recommended_only:
        head.add_row("set aside: not recommended", f"{reasons[HireReason.NOT_RECOMMENDED]:,}")
    if result.rules.quotas:
        head.add_row("not hired: quota full", f"{reasons[HireReason.QUOTA_FULL]:,}")
    head.add_row("not hired: lower value", f"{reasons[HireReason.LOWER_VALUE]:,}")
    head.add_row("objective (points)", _num(result.objective))
    head.add_row("bound (points)", _num(result.bound))
    head.add_row("gap to bound", _pct(result.gap))
    match = result.match
    n_mentees = len(match.matches) + len(match.unmatched)
    head.add_row("students matched", _of(len(match.matches), n_mentees))
    priorities = Counter(s.priority for s in result.cohort.mentees)
    if priorities:
        top = max(priorities)
        hits = sum(m.priority == top for m in match.matches)
        head.add_row(f"top-priority students matched (priority {top})", _of(hits, priorities[top]))
    staying = len(result.cohort.mentors) - len(result.hired)
    head.add_row(
        "mentors next term",
        f"{len(result.cohort.mentors):,} ({staying:,} staying, {len(result.hired):,} hired)",
    )
    for k, warning in enumerate(match.warnings):
        head.add_row("warning" if k == 0 else "", Text(warning, justify="left"))
    console.print(head)

    if result.curve:
        curve = Table(title="Value of fewer and more hires", title_justify="left")
        for name in ("hires", "students matched", "objective", "bound"):
            curve.add_column(name, justify="right")
        for c in sorted(result.curve, key=lambda c: c.hires):
            curve.add_row(f"{c.hires:,}", f"{c.matched:,}", _num(c.objective), _num(c.bound))
        console.print(curve)

    table = Table(title="Timings", title_justify="left")
    table.add_column("step")
    table.add_column("seconds", justify="right")
    choice = result.stats.get("selection_time")
    if isinstance(choice, float):
        table.add_row("choose hires", f"{choice:.2f}")
    table.add_row("recruit total", f"{result.wall_time:.2f}")
    for step, seconds in timings.items():
        table.add_row(step, f"{seconds:.2f}")
    console.print(table)
