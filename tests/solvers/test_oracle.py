"""Both backends against an independent oracle: scipy's ``milp`` (HiGHS).

The oracle is written from the problem's definition alone, not from anything in matchkit: one
binary ``x[e]`` per edge and one integer ``u[i]`` per mentee for the unfilled demand, so

    maximise  sum(score[e] * x[e]) - sum(unmatched_penalty[i] * u[i])
    s.t.      count_i + u[i] == demand[i],   required[i] <= count_i <= demand[i]
              min_load[j] <= sum(weight[e] * x[e] for e at j) <= capacity[j]
              x[e] == 1 for pinned e.

With integer scores both backends must reach the oracle's optimum exactly, and both must agree
with it on infeasibility.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from scipy.optimize import Bounds, LinearConstraint, milp
from tests.backends import ALL
from tests.strategies import float_problems, plain_problems, unit_problems, weighted_problems

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

"""Every backend; each instance is checked with those that represent it."""


def milp_optimum(p: AssignmentProblem) -> float | None:
    """The optimum of ``p`` by HiGHS, or None when no selection meets every rule."""
    n, nm, nt = p.n_edges, p.n_mentees, p.n_mentors
    if n + nm == 0:
        return None if (np.asarray(p.min_load) > 0).any() else 0.0
    mentee = np.asarray(p.mentee, dtype=np.int64)
    mentor = np.asarray(p.mentor, dtype=np.int64)
    edges = np.arange(n)
    # columns: x[0..n) then u[0..nm)
    c = np.concatenate([-np.asarray(p.score, float), np.asarray(p.unmatched_penalty, float)])
    count = np.zeros((nm, n + nm))
    count[mentee, edges] = 1.0
    filled = count.copy()
    filled[np.arange(nm), n + np.arange(nm)] = 1.0
    load = np.zeros((nt, n + nm))
    load[mentor, edges] = p.weight
    constraints = [
        LinearConstraint(filled, p.demand, p.demand),  # count_i + u_i == demand_i
        LinearConstraint(count, p.required, p.demand),
        LinearConstraint(load, p.min_load, p.capacity),
    ]
    constraints = [con for con in constraints if con.A.shape[0]]
    lower = np.concatenate([np.asarray(p.pinned, float), np.zeros(nm)])
    upper = np.concatenate([np.ones(n), np.asarray(p.demand, float)])
    res = milp(
        c,
        integrality=np.ones(n + nm),
        bounds=Bounds(lower, upper),
        constraints=constraints,
        options={"mip_rel_gap": 0.0},
    )
    if res.status == 2:
        return None
    assert res.status == 0, res.message
    return float(-res.fun)


def _solve(p: AssignmentProblem, method: str) -> Assignment:
    a = solve_assignment(p, method=method, workers=1)
    assert a.method == method
    assert verify_assignment(p, a) == []
    return a


def _check_against_oracle(p: AssignmentProblem, methods: tuple[str, ...], *, exact: bool) -> None:
    expected = milp_optimum(p)
    for method in (m for m in methods if not BACKENDS[m].missing(p)):
        a = _solve(p, method)
        if expected is None:
            assert a.status is Status.INFEASIBLE, (method, a)
            assert a.explanation
            assert not a.selected.any()
        else:
            assert a.status is Status.OPTIMAL, (method, a, a.explanation)
            if exact:
                assert a.objective == expected, method
            else:
                assert a.objective == pytest.approx(expected, rel=1e-9, abs=1e-6), method


class TestOracleItself:
    """The oracle must be right on instances small enough to check by hand."""

    def test_picks_best_feasible(self) -> None:
        p = AssignmentProblem(2, 1, [0, 1], [0, 0], [3, 5])
        assert milp_optimum(p) == 5

    def test_penalty_and_required(self) -> None:
        # mentee 0 must take its -4 edge; mentee 1 is better off unmatched (-2 > -9)
        p = AssignmentProblem(
            2, 2, [0, 1], [0, 1], [-4, -9], capacity=1, required=[1, 0], unmatched_penalty=2
        )
        assert milp_optimum(p) == -4 - 2

    def test_infeasible(self) -> None:
        p = AssignmentProblem(2, 1, [0, 1], [0, 0], [3, 5], required=1)
        assert milp_optimum(p) is None

    def test_weights(self) -> None:
        p = AssignmentProblem(2, 1, [0, 1], [0, 0], [3, 5], capacity=3, weight=[1, 3])
        assert milp_optimum(p) == 5

    def test_empty(self) -> None:
        assert milp_optimum(AssignmentProblem(0, 2, [], [], [], min_load=0)) == 0
        assert milp_optimum(AssignmentProblem(2, 0, [], [], [], unmatched_penalty=3)) == -6
        assert milp_optimum(AssignmentProblem(1, 1, [], [], [], min_load=1)) is None


@given(plain_problems())
def test_plain_problems_match_oracle(p: AssignmentProblem) -> None:
    _check_against_oracle(p, ALL, exact=True)


@given(unit_problems())
def test_unit_problems_match_oracle(p: AssignmentProblem) -> None:
    """Lower bounds, pins, penalties and demand 2: exact optimum or agreed infeasibility."""
    _check_against_oracle(p, ALL, exact=True)


@given(weighted_problems())
def test_weighted_problems_match_oracle(p: AssignmentProblem) -> None:
    _check_against_oracle(p, ("cpsat",), exact=True)
    if Feature.WEIGHT in p.features:
        with pytest.raises(UnsupportedFeatureError):
            solve_assignment(p, method="flow")
        assert solve_assignment(p, workers=1).method == "cpsat"


@given(float_problems())
def test_float_problems_match_oracle(p: AssignmentProblem) -> None:
    _check_against_oracle(p, ALL, exact=False)


def random_problem(
    rng: np.random.Generator,
    n_mentees: int,
    n_mentors: int,
    *,
    per_mentee: int = 6,
    lower_bounds: bool = False,
    pins: int = 0,
    penalties: bool = False,
    demand_max: int = 1,
) -> AssignmentProblem:
    """A sparse random problem from ``rng``: each mentee gets ``per_mentee`` distinct mentors."""
    mentee = np.repeat(np.arange(n_mentees), per_mentee)
    mentor = np.concatenate(
        [rng.choice(n_mentors, size=per_mentee, replace=False) for _ in range(n_mentees)]
    )
    order = rng.permutation(mentee.size)
    mentee, mentor = mentee[order], mentor[order]
    score = rng.integers(-10, 100, size=mentee.size)
    capacity = rng.integers(1, 6, size=n_mentors)
    demand = rng.integers(1, demand_max + 1, size=n_mentees)
    kw: dict[str, object] = {"demand": demand}
    if lower_bounds:
        kw["required"] = np.minimum(demand, rng.random(n_mentees) < 0.5)
        kw["min_load"] = np.minimum(capacity, rng.integers(0, 2, size=n_mentors))
    if penalties:
        kw["unmatched_penalty"] = rng.integers(0, 40, size=n_mentees)
    if pins:
        kw["pinned"] = rng.choice(mentee.size, size=pins, replace=False)
    return AssignmentProblem(n_mentees, n_mentors, mentee, mentor, score, capacity, **kw)  # type: ignore[arg-type]


LARGER = [
    pytest.param({}, id="plain"),
    pytest.param({"penalties": True}, id="penalties"),
    pytest.param({"lower_bounds": True}, id="lower-bounds"),
    pytest.param({"lower_bounds": True, "penalties": True, "pins": 5}, id="all"),
    pytest.param({"demand_max": 3, "penalties": True}, id="multi-demand"),
]


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("features", LARGER)
def test_flow_and_cpsat_agree_on_larger_instances(features: dict[str, object], seed: int) -> None:
    """60 mentees x 20 mentors: flow and CP-SAT agree with each other and with the oracle."""
    rng = np.random.default_rng([seed, len(features)])
    p = random_problem(rng, 60, 20, **features)  # type: ignore[arg-type]
    flow = _solve(p, "flow")
    cpsat = solve_assignment(p, method="cpsat", workers=2)
    assert verify_assignment(p, cpsat) == []
    assert flow.status is cpsat.status
    expected = milp_optimum(p)
    if expected is None:
        assert flow.status is Status.INFEASIBLE
    else:
        assert flow.status is Status.OPTIMAL
        assert flow.objective == cpsat.objective == expected
