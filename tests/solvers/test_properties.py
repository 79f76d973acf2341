"""Properties every answer must have, on problems drawn by hypothesis.

Monotonicity: relaxing a rule (more capacity, one more candidate edge) never lowers the
optimum; relabelling (edge order) never changes it. Determinism: the same seed gives the same
selection. Purity: solving modifies neither the problem nor the caller's arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.backends import ALL, representing
from tests.strategies import (
    problem_arrays,
    problem_kwargs,
    problems_with_spare_pair,
    rebuild,
    unit_problems,
    weighted_problems,
)

from matchkit import (
    Assignment,
    AssignmentProblem,
    Feature,
    Status,
    UnsupportedFeatureError,
    solve_assignment,
    verify_assignment,
)
from matchkit.solvers import BACKENDS


def _solve(p: AssignmentProblem, method: str, **options: object) -> Assignment:
    if method == "cpsat":
        options = {"workers": 1, **options}
    a = solve_assignment(p, method=method, **options)  # type: ignore[arg-type]
    assert verify_assignment(p, a) == []
    assert a.status in (Status.OPTIMAL, Status.INFEASIBLE)
    return a


def _no_worse(before: Assignment, after: Assignment) -> None:
    """``after`` solves a relaxation of ``before``'s problem."""
    if before.status is Status.OPTIMAL:
        assert after.status is Status.OPTIMAL
        assert after.objective >= before.objective


@pytest.mark.parametrize("method", ALL)
@given(p=unit_problems())
def test_every_answer_verifies(method: str, p: AssignmentProblem) -> None:
    missing = BACKENDS[method].missing(p)
    if missing:  # a backend that cannot represent the instance must say so, not guess
        with pytest.raises(UnsupportedFeatureError):
            solve_assignment(p, method=method)
        return
    a = _solve(p, method)
    assert a.method == method
    if a.status is Status.OPTIMAL:
        assert a.bound == a.objective
        assert a.explanation is None
        assert a.gap == 0
    else:
        assert a.explanation


@given(p=weighted_problems())
def test_every_weighted_answer_verifies(p: AssignmentProblem) -> None:
    a = _solve(p, "cpsat")
    if a.status.has_solution:
        assert (a.loads() <= p.capacity).all()
        assert (a.loads() >= p.min_load).all()


@given(p=weighted_problems(), data=st.data())
def test_raising_a_capacity_never_lowers_the_optimum(
    p: AssignmentProblem, data: st.DataObject
) -> None:
    if p.n_mentors == 0:
        return
    j = data.draw(st.integers(0, p.n_mentors - 1), label="mentor")
    extra = data.draw(st.integers(1, 3), label="extra capacity")
    capacity = np.array(p.capacity)
    capacity[j] += extra
    q = rebuild(p, capacity=capacity)
    for method in representing(p):
        _no_worse(_solve(p, method), _solve(q, method))


@given(pair=problems_with_spare_pair(lower_bounds=True, pinned=True, penalties=True, weights=True),
       data=st.data())  # fmt: skip
def test_adding_an_edge_never_lowers_the_optimum(
    pair: tuple[AssignmentProblem, tuple[int, int]], data: st.DataObject
) -> None:
    p, (i, j) = pair
    score = data.draw(st.integers(-20, 50), label="new score")
    weight = data.draw(st.integers(1, 3) if Feature.WEIGHT in p.features else st.just(1))
    arrays = problem_arrays(p)
    q = rebuild(
        p,
        mentee=np.append(arrays["mentee"], i),
        mentor=np.append(arrays["mentor"], j),
        score=np.append(arrays["score"], score),
        weight=np.append(arrays["weight"], weight),
        pinned=np.append(arrays["pinned"], False),
    )
    for method in representing(q):
        _no_worse(_solve(p, method), _solve(q, method))


@given(p=weighted_problems(), data=st.data())
def test_edge_order_does_not_change_the_optimum(p: AssignmentProblem, data: st.DataObject) -> None:
    order = np.array(data.draw(st.permutations(range(p.n_edges)), label="order"), dtype=np.intp)
    arrays = problem_arrays(p)
    q = rebuild(
        p, **{k: arrays[k][order] for k in ("mentee", "mentor", "score", "weight", "pinned")}
    )
    for method in representing(p):
        a, b = _solve(p, method), _solve(q, method)
        assert a.status is b.status
        if a.status is Status.OPTIMAL:
            assert a.objective == b.objective


@pytest.mark.parametrize(("method", "workers"), [("flow", None), ("cpsat", 1), ("cpsat", 2)])
@given(p=unit_problems(), seed=st.integers(0, 2**31 - 1))
def test_same_seed_same_selection(
    method: str, workers: int | None, p: AssignmentProblem, seed: int
) -> None:
    first = solve_assignment(p, method=method, seed=seed, workers=workers)
    second = solve_assignment(p, method=method, seed=seed, workers=workers)
    assert first.status is second.status
    np.testing.assert_array_equal(first.selected, second.selected)
    if first.status.has_solution:
        assert first.objective == second.objective


def _snapshot(p: AssignmentProblem) -> dict[str, object]:
    return {
        k: (np.array(v) if isinstance(v, np.ndarray) else v) for k, v in problem_arrays(p).items()
    }


@given(kw=problem_kwargs(lower_bounds=True, pinned=True, penalties=True, weights=True))
def test_inputs_and_problem_are_not_mutated(kw: dict[str, object]) -> None:
    arrays = {k: v for k, v in kw.items() if isinstance(v, np.ndarray)}
    before = {k: v.copy() for k, v in arrays.items()}
    p = AssignmentProblem(**kw)  # type: ignore[arg-type]
    problem_before = _snapshot(p)
    features = p.features
    for method in representing(p):
        _solve(p, method)
    for k, v in arrays.items():
        np.testing.assert_array_equal(v, before[k], err_msg=k)
        assert v.flags.writeable, f"the caller's {k} array was made read-only"
    for k, v in _snapshot(p).items():
        np.testing.assert_array_equal(v, problem_before[k], err_msg=k)
    assert p.features == features
    for name in ("mentee", "mentor", "score", "capacity", "pinned", "weight"):
        assert not getattr(p, name).flags.writeable, name
