"""Scores at the ends of the float range scale onto the integer grid without an error."""

from __future__ import annotations

import pytest

from matchkit import AssignmentProblem, solve_assignment
from matchkit.core.scaling import INT_LIMIT, scaled_profits


@pytest.mark.parametrize(
    ("scores", "penalty", "chosen", "objective"),
    [
        ([1e308, 1.0], 0.0, [True, False], 1e308),  # before: "math domain error"
        ([1e308, 1.0], 1e308, [True, False], 0.0),  # score + penalty overflows float
        ([-1e308, 1.0], 1e308, [False, True], 1.0 - 1e308),
        ([3e-300, 1e-300], 0.0, [True, False], 3e-300),  # before: OverflowError (2.0**1046)
    ],
)
def test_extreme_scores(
    scores: list[float], penalty: float, chosen: list[bool], objective: float
) -> None:
    p = AssignmentProblem(
        2, 1, mentee=[0, 1], mentor=[0, 0], score=scores, unmatched_penalty=[penalty, penalty]
    )
    a = solve_assignment(p)
    assert a.selected.tolist() == chosen
    assert a.objective == pytest.approx(objective)
    s = scaled_profits(p, 4)
    assert abs(s.profit).max() * 5 <= INT_LIMIT
