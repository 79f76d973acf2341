"""The ``simplex`` backend (POT's network simplex on priced edges) against the flow backend."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import problems

import matchkit.solvers.simplex as simplex
from matchkit import (
    Assignment,
    AssignmentProblem,
    MissingDependencyError,
    UnsupportedFeatureError,
    solve_assignment,
    verify_assignment,
)
from matchkit.solvers import BACKENDS, SolveOptions
from matchkit.solvers.simplex import SimplexTuning


@settings(max_examples=200, deadline=None)
@given(
    problem=st.one_of(problems(), problems(penalties=True), problems(float_scores=True)),
    candidates=st.integers(1, 4),
)
def test_simplex_and_flow_agree_whatever_the_first_edges(
    problem: AssignmentProblem, candidates: int
) -> None:
    """Few first edges per mentee force pricing rounds; the optimum never depends on them."""
    a = _solve(problem, candidates=candidates)
    b = solve_assignment(problem, method="flow")
    assert a.status.value == "optimal"
    assert a.objective == pytest.approx(b.objective, abs=1e-9)
    assert a.bound == a.objective
    assert verify_assignment(problem, a) == []


def _solve(problem: AssignmentProblem, *, auto: bool = False, **tuning: float) -> Assignment:
    """The backend itself, with its constants set for this call (``SimplexTuning``);
    ``auto``: as if ``method="auto"`` had chosen it."""
    options = SolveOptions(chosen_by_auto=auto)
    return simplex.solve_simplex(problem, options, tuning=SimplexTuning(**tuning))  # type: ignore[arg-type]


def _contested(seed: int, n: int = 300) -> AssignmentProblem:
    """Every mentee prefers the same few mentors: the first edges cannot all be kept."""
    rng = np.random.default_rng(seed)
    m = 60
    mentee = np.repeat(np.arange(n), m)
    mentor = np.tile(np.arange(m), n)
    score = 1000 - 10 * mentor + rng.integers(0, 10, n * m)
    return AssignmentProblem(n, m, mentee=mentee, mentor=mentor, score=score, capacity=3)


def _spread(seed: int, n: int = 300, m: int = 60) -> AssignmentProblem:
    """The engine benchmark's kind: 20 random candidates each, random scores and capacities."""
    rng = np.random.default_rng(seed)
    k = 20
    mentor = np.concatenate([rng.choice(m, k, replace=False) for _ in range(n)])
    score = rng.integers(0, 1001, n * k)
    capacity = rng.integers(1, 6, m)
    return AssignmentProblem(n, m, np.repeat(np.arange(n), k), mentor, score, capacity)


def test_pricing_adds_the_edges_the_first_solve_lacked() -> None:
    p = _contested(0)
    a = _solve(p, candidates=2)
    assert a.stats["rounds"] >= 2
    assert a.stats["priced_edges"] > 2 * p.n_mentees
    assert a.objective == solve_assignment(p, method="flow").objective
    assert a.loads().tolist() == [3] * 60  # all 180 places are worth taking


def test_auto_takes_simplex_on_large_sparse_problems_only() -> None:
    small = _spread(1)
    assert solve_assignment(small).method == "flow"  # 6,000 edges: below AUTO_MIN_EDGES
    assert simplex.takes(small, SimplexTuning(auto_min_edges=small.n_edges))
    assert not simplex.takes(small, SimplexTuning(auto_min_edges=0, auto_max_degree=19))
    assert simplex.takes(small, SimplexTuning(auto_min_edges=0, auto_max_degree=20))
    p = _spread(1, n=10_000, m=2_000)  # 200,000 edges, 20 per mentee: the real threshold
    a = solve_assignment(p)
    assert a.method == "simplex"
    assert a.objective == solve_assignment(p, method="flow").objective
    pinned = AssignmentProblem(2, 1, mentee=[0, 1], mentor=[0, 0], score=[1, 2], pinned=[0])
    assert not BACKENDS["simplex"].fits(pinned)  # pins: simplex does not apply
    with pytest.raises(UnsupportedFeatureError, match="pinned"):
        solve_assignment(pinned, method="simplex")


def test_auto_hands_a_crowded_problem_to_priced() -> None:
    p = _contested(3, n=3_400)  # every mentee wants mentor 0 first: 3,400 for 3 places
    assert simplex.takes(p)  # 204,000 edges, 60 per mentee
    auto = solve_assignment(p)
    assert auto.method == "priced"
    assert auto.stats["simplex_time"] > 0
    asked = solve_assignment(p, method="simplex")  # asked for by name: it solves it
    assert asked.method == "simplex"
    assert auto.objective == asked.objective
    assert _solve(p, auto=True, max_crowding=1.0).method == "simplex"


def test_a_missing_pot_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # Simulating an absent package is fault injection: no argument would do.
    monkeypatch.setattr(simplex, "installed", lambda: False)
    p = _contested(2)
    with pytest.raises(MissingDependencyError, match=r"matchkit\[pot\]"):
        solve_assignment(p, method="simplex")
    assert not simplex.takes(p, SimplexTuning(auto_min_edges=0))
    assert solve_assignment(p).method == "flow"
