"""The CLI summary shows a result's warnings and each floor's attainment."""

from __future__ import annotations

from rich.console import Console
from tests.rich.test_rich_rules import mentee, mentor

from matchkit import Cohort, Floor, Policy, solve
from matchkit.cli.summary import print_summary


def test_a_relaxed_floor_and_its_warning_are_printed() -> None:
    cohort = Cohort(
        mentors=[mentor("m-1")],
        mentees=[mentee("s-1"), mentee("s-2", needs={"art": 1}, level="high")],
    )
    result = solve(cohort, Policy(floors=[Floor(field="level", value="high", min_rate=1.0)]))
    console = Console(record=True, width=200)
    print_summary(console, result)
    text = console.export_text()
    assert "Floors (relaxed: not all can be met)" in text
    assert "level='high'" in text
    assert "warning" in text
    assert result.warnings[0][:40] in text
