"""``verify_assignment`` must catch every kind of broken answer, not only pass good ones."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from matchkit import Assignment, AssignmentProblem, Status, solve_assignment, verify_assignment


def _problem() -> AssignmentProblem:
    # Mentees 0..2, mentors 0..1; mentor 0 takes two, mentor 1 must take one.
    return AssignmentProblem(
        3,
        2,
        mentee=[0, 0, 1, 1, 2],
        mentor=[0, 1, 0, 1, 1],
        score=[5.0, 1.0, 4.0, 2.0, 3.0],
        capacity=[2, 1],
        min_load=[0, 1],
        required=[1, 0, 0],
        unmatched_penalty=[0.0, 0.0, 1.5],
        pinned=[4],
    )


def _with(a: Assignment, selected: list[bool], **changes: object) -> Assignment:
    sel = np.array(selected, dtype=bool)
    objective = changes.pop("objective", None)
    if objective is None:
        p = a.problem
        count = np.bincount(p.mentee[sel], minlength=p.n_mentees)
        objective = float(p.score[sel].sum() - (p.unmatched_penalty * (p.demand - count)).sum())
    bound = changes.pop("bound", objective)
    return dataclasses.replace(a, selected=sel, objective=objective, bound=bound, **changes)


@pytest.fixture
def good() -> Assignment:
    a = solve_assignment(_problem())
    assert a.status is Status.OPTIMAL
    return a


def test_the_optimum_verifies(good: Assignment) -> None:
    assert verify_assignment(good.problem, good) == []
    assert good.selected.tolist() == [True, False, True, False, True]
    assert good.objective == 12.0


@pytest.mark.parametrize(
    ("selected", "code"),
    [
        ([True, False, True, True, True], "demand"),  # mentee 1 gets two mentors
        ([True, True, False, False, True], "demand"),  # mentee 0 gets two
        ([False, False, True, False, True], "required"),  # mentee 0 left out
        ([True, False, True, False, False], "pinned"),  # pinned edge 4 dropped
        ([True, False, False, True, True], "capacity"),  # mentor 1 takes two
        ([True, False, True, False, False], "min_load"),  # mentor 1 left empty
    ],
)
def test_each_broken_rule_is_reported(good: Assignment, selected: list[bool], code: str) -> None:
    bad = _with(good, selected)
    codes = [v.code for v in verify_assignment(good.problem, bad)]
    assert code in codes


def test_wrong_objective_is_reported(good: Assignment) -> None:
    bad = dataclasses.replace(good, objective=good.objective + 1, bound=good.objective + 1)
    assert [v.code for v in verify_assignment(good.problem, bad)] == ["objective"]


def test_penalty_is_part_of_the_objective(good: Assignment) -> None:
    # Dropping mentee 2's pinned edge would cost its 1.5 penalty; ignoring it must be caught.
    sel = [True, False, True, False, False]
    honest = _with(good, sel)
    assert honest.objective == 9.0 - 1.5
    lying = _with(good, sel, objective=9.0)
    assert "objective" in [v.code for v in verify_assignment(good.problem, lying)]


def test_bound_below_objective_and_loose_optimal_bound(good: Assignment) -> None:
    low = dataclasses.replace(good, bound=good.objective - 1)
    assert "bound" in [v.code for v in verify_assignment(good.problem, low)]
    loose = dataclasses.replace(good, bound=good.objective + 1)
    assert "bound" in [v.code for v in verify_assignment(good.problem, loose)]
    feasible = dataclasses.replace(good, bound=good.objective + 1, status=Status.FEASIBLE)
    assert verify_assignment(good.problem, feasible) == []


def test_answer_checked_against_another_problem(good: Assignment) -> None:
    other = AssignmentProblem(1, 1, [0], [0], [1.0])
    assert [v.code for v in verify_assignment(other, good)] == ["bad_selection"]
    with pytest.raises(ValueError, match="expected"):
        dataclasses.replace(good, selected=np.ones(4, dtype=bool))


def test_infeasible_answers_need_an_explanation_and_no_selection(good: Assignment) -> None:
    base = dataclasses.replace(
        good,
        status=Status.INFEASIBLE,
        selected=np.zeros(5, dtype=bool),
        objective=float("nan"),
        bound=float("-inf"),
        explanation="pinned edges overload mentor 1",
    )
    assert verify_assignment(good.problem, base) == []
    silent = dataclasses.replace(base, explanation=None)
    assert [v.code for v in verify_assignment(good.problem, silent)] == ["no_explanation"]
    selecting = dataclasses.replace(base, selected=good.selected)
    assert "selection_without_solution" in [
        v.code for v in verify_assignment(good.problem, selecting)
    ]


def test_weights_count_in_capacity() -> None:
    p = AssignmentProblem(2, 1, [0, 1], [0, 0], [3.0, 4.0], capacity=3, weight=[2, 2])
    a = solve_assignment(p)
    assert verify_assignment(p, a) == []
    assert a.selected.sum() == 1
    both = _with(a, [True, True])
    assert "capacity" in [v.code for v in verify_assignment(p, both)]
