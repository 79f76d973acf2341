"""Backend conformance: standard instances with known optima, run on every backend.

One class, parametrised over the backends (cvxpy's ``StandardTestLPs``, scipy's
``LinprogCommonTests``). Optima are checkable by hand or by brute force in the test itself, and
every answer passes :func:`verify_assignment`. The OR-Tools assignment samples are included:
the classic one directly, the team and group samples by enumerating the rule matchkit cannot
state and solving each sub-assignment with matchkit, the task-size sample (edge weights) on
CP-SAT only.

Worker/task samples map tasks to mentees (each task done by exactly one worker: ``required=1``)
and workers to mentors; a cost ``c`` becomes the score ``-c``, so the optimum is ``-min cost``.
"""

from __future__ import annotations

import itertools
import math
import re
from functools import cache

import numpy as np
import numpy.typing as npt
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from tests.backends import ALL

from matchkit import (
    Assignment,
    AssignmentProblem,
    Status,
    UnsupportedFeatureError,
    solve_assignment,
    verify_assignment,
)
from matchkit.solvers import BACKENDS

CLASSIC_COSTS = [
    [90, 80, 75, 70],
    [35, 85, 55, 65],
    [125, 95, 90, 95],
    [45, 110, 95, 115],
    [50, 100, 90, 100],
]
CLASSIC_MIN_COST = 265
CLASSIC_WORKER_OF_TASK = [3, 2, 1, 0]

TASK_SIZE_COSTS = [
    [90, 76, 75, 70, 50, 74, 12, 68],
    [35, 85, 55, 65, 48, 101, 70, 83],
    [125, 95, 90, 105, 59, 120, 36, 73],
    [45, 110, 95, 115, 104, 83, 37, 71],
    [60, 105, 80, 75, 59, 62, 93, 88],
    [45, 65, 110, 95, 47, 31, 81, 34],
    [38, 51, 107, 41, 69, 99, 115, 48],
    [47, 85, 57, 71, 92, 77, 109, 36],
    [39, 63, 97, 49, 118, 56, 92, 61],
    [47, 101, 71, 60, 88, 109, 52, 90],
]
TASK_SIZES = [10, 7, 3, 12, 15, 4, 11, 5]
TOTAL_SIZE_MAX = 15
TASK_SIZE_MIN_COST = 326  # the sample's printed "Total cost"

TEAM_COSTS = [
    [90, 76, 75, 70],
    [35, 85, 55, 65],
    [125, 95, 90, 105],
    [45, 110, 95, 115],
    [60, 105, 80, 75],
    [45, 65, 110, 95],
]
TEAMS = ([0, 2, 4], [1, 3, 5])
TEAM_MAX = 2
TEAM_MIN_COST = 250

GROUP_COSTS = [
    [90, 76, 75, 70, 50, 74],
    [35, 85, 55, 65, 48, 101],
    [125, 95, 90, 105, 59, 120],
    [45, 110, 95, 115, 104, 83],
    [60, 105, 80, 75, 59, 62],
    [45, 65, 110, 95, 47, 31],
    [38, 51, 107, 41, 69, 99],
    [47, 85, 57, 71, 92, 77],
    [39, 63, 97, 49, 118, 56],
    [47, 101, 71, 60, 88, 109],
    [17, 39, 103, 64, 61, 92],
    [101, 45, 83, 59, 92, 27],
]
# Which of a group's four workers work, in the sample's allowed combinations.
GROUP_PATTERNS = (
    [(0, 0, 1, 1), (0, 1, 0, 1), (0, 1, 1, 0), (1, 1, 0, 0), (1, 0, 1, 0)],
    [(0, 0, 1, 1), (0, 1, 0, 1), (0, 1, 1, 0), (1, 1, 0, 0), (1, 0, 0, 1)],
    [(0, 0, 1, 1), (0, 1, 0, 1), (0, 1, 1, 0), (1, 0, 1, 0), (1, 0, 0, 1)],
)
GROUP_MIN_COST = 239


def matrix_problem(costs: npt.ArrayLike, **kw: object) -> AssignmentProblem:
    """Tasks (columns) as mentees, workers (rows) as mentors, every pair an edge, score -cost.

    Defaults: every task done exactly once, every worker at most one task.
    """
    c = np.asarray(costs)
    n_workers, n_tasks = c.shape
    kw = {"required": 1, "capacity": 1, **kw}
    return AssignmentProblem(
        n_tasks,
        n_workers,
        mentee=np.tile(np.arange(n_tasks), n_workers),
        mentor=np.repeat(np.arange(n_workers), n_tasks),
        score=-c.ravel(),
        **kw,  # type: ignore[arg-type]
    )


def solve(p: AssignmentProblem, method: str, **options: object) -> Assignment:
    """Solve, and check the answer with the independent verifier."""
    if method == "cpsat":
        options = {"workers": 1, **options}
    missing = BACKENDS[method].missing(p)
    if missing:  # the instance needs a feature this backend lacks: it must say so
        with pytest.raises(UnsupportedFeatureError, match=sorted(missing)[0]):
            solve_assignment(p, method=method, **options)  # type: ignore[arg-type]
        pytest.skip(f"{method} cannot represent {sorted(missing)} (refusal checked)")
    a = solve_assignment(p, method=method, **options)  # type: ignore[arg-type]
    assert a.method == method
    assert verify_assignment(p, a) == []
    assert not a.selected.flags.writeable
    return a


def brute_min_cost(costs: npt.ArrayLike, allowed: object = None) -> int:
    """Cheapest way to give every task its own worker, by trying every injective map."""
    c = np.asarray(costs)
    n_workers, n_tasks = c.shape
    best = math.inf
    for workers in itertools.permutations(range(n_workers), n_tasks):
        if allowed is None or allowed(workers):  # type: ignore[operator]
            best = min(best, int(c[list(workers), range(n_tasks)].sum()))
    return int(best)


@cache
def group_sample_brute_force() -> int:
    """The group sample's optimum: every allowed pattern times every task order (numpy)."""
    c = np.asarray(GROUP_COSTS)
    orders = np.array(list(itertools.permutations(range(6))))
    best = math.inf
    for patterns in itertools.product(*GROUP_PATTERNS):
        working = np.flatnonzero(np.concatenate(patterns))
        # orders[k][t] is which working worker does task t
        totals = c[working[orders], np.arange(6)].sum(axis=1)
        best = min(best, int(totals.min()))
    return int(best)


def expect_infeasible(a: Assignment) -> None:
    assert a.status is Status.INFEASIBLE
    assert not a.status.has_solution
    assert a.explanation
    assert math.isnan(a.objective)
    assert a.bound == -math.inf
    assert not a.selected.any()


@pytest.mark.parametrize("method", ALL)
class TestConformance:
    """Every backend must give these answers."""

    # --- OR-Tools samples -------------------------------------------------------------------

    def test_classic_assignment_sample(self, method: str) -> None:
        assert brute_min_cost(CLASSIC_COSTS) == CLASSIC_MIN_COST
        a = solve(matrix_problem(CLASSIC_COSTS), method)
        assert a.status is Status.OPTIMAL
        assert a.objective == -CLASSIC_MIN_COST
        assert a.bound == a.objective
        assert a.mentor_of().tolist() == CLASSIC_WORKER_OF_TASK
        assert a.loads().tolist() == [1, 1, 1, 1, 0]

    def test_classic_sample_with_penalties_instead_of_required(self, method: str) -> None:
        # No task is required, but leaving one undone costs 1000: all four get done.
        p = matrix_problem(CLASSIC_COSTS, required=0, unmatched_penalty=1000)
        a = solve(p, method)
        assert a.objective == -CLASSIC_MIN_COST
        assert a.mentor_of().tolist() == CLASSIC_WORKER_OF_TASK

    def test_classic_sample_without_incentive_does_nothing(self, method: str) -> None:
        a = solve(matrix_problem(CLASSIC_COSTS, required=0), method)
        assert a.objective == 0
        assert not a.selected.any()

    def test_classic_sample_transposed_with_min_load(self, method: str) -> None:
        # Workers as mentees, tasks as mentors that must each take exactly one worker.
        c = np.asarray(CLASSIC_COSTS).T
        p = matrix_problem(c, required=0, capacity=1, min_load=1)
        a = solve(p, method)
        assert a.objective == -CLASSIC_MIN_COST
        worker_task = a.mentor_of().tolist()
        assert [worker_task.index(t) for t in range(4)] == CLASSIC_WORKER_OF_TASK
        assert worker_task[4] == -1

    def test_team_sample_by_enumerating_team_tasks(self, method: str) -> None:
        """Each team does at most two tasks: try every split of the tasks between teams."""
        c = np.asarray(TEAM_COSTS)
        n_tasks = c.shape[1]
        best, splits = -math.inf, 0
        for k in range(n_tasks + 1):
            for first in itertools.combinations(range(n_tasks), k):
                second = [t for t in range(n_tasks) if t not in first]
                if len(first) > TEAM_MAX or len(second) > TEAM_MAX:
                    continue
                splits += 1
                total = 0.0
                for team, tasks in zip(TEAMS, (list(first), second), strict=True):
                    a = solve(matrix_problem(c[np.ix_(team, tasks)]), method)
                    assert a.status is Status.OPTIMAL
                    total += a.objective
                best = max(best, total)
        assert splits == math.comb(4, 2)
        in_team_1 = set(TEAMS[0])
        assert (
            brute_min_cost(c, allowed=lambda w: sum(x in in_team_1 for x in w) == TEAM_MAX)
            == TEAM_MIN_COST
        )
        assert best == -TEAM_MIN_COST

    def test_group_sample_by_enumerating_allowed_groups(self, method: str) -> None:
        """Only some pairs of each group may work: try every allowed combination.

        The workers of a combination must each do exactly one task (``min_load=1``), the others
        none (``capacity=0``).
        """
        best = -math.inf
        for patterns in itertools.product(*GROUP_PATTERNS):
            working = np.concatenate(patterns)
            p = matrix_problem(GROUP_COSTS, capacity=working, min_load=working)
            a = solve(p, method)
            assert a.status is Status.OPTIMAL
            assert (a.loads() == working).all()
            best = max(best, a.objective)
        assert group_sample_brute_force() == GROUP_MIN_COST
        assert best == -GROUP_MIN_COST

    # --- small instances checkable by hand ----------------------------------------------------

    def test_better_mentee_wins_the_only_place(self, method: str) -> None:
        a = solve(AssignmentProblem(2, 1, [0, 1], [0, 0], [3, 5]), method)
        assert a.status is Status.OPTIMAL
        assert a.objective == 5
        assert a.mentor_of().tolist() == [-1, 0]
        assert a.counts().tolist() == [0, 1]

    def test_capacity_shared_optimally(self, method: str) -> None:
        # Greedy would give mentee 0 its 10 at mentor 0 and strand mentee 1 (only mentor 0).
        p = AssignmentProblem(2, 2, [0, 0, 1], [0, 1, 0], [10, 9, 8], capacity=1)
        a = solve(p, method)
        assert a.objective == 17
        assert a.mentor_of().tolist() == [1, 0]

    def test_negative_scores_are_left_out(self, method: str) -> None:
        p = AssignmentProblem(2, 2, [0, 1], [0, 1], [-3, 4], capacity=1)
        a = solve(p, method)
        assert a.objective == 4
        assert a.selected.tolist() == [False, True]

    def test_required_forces_a_negative_edge(self, method: str) -> None:
        p = AssignmentProblem(2, 2, [0, 1], [0, 1], [-3, 4], capacity=1, required=[1, 0])
        a = solve(p, method)
        assert a.objective == 1
        assert a.selected.tolist() == [True, True]

    @pytest.mark.parametrize(("penalty", "objective", "matched"), [(8, -5, True), (3, -3, False)])
    def test_penalty_decides_a_negative_edge(
        self, method: str, penalty: int, objective: int, matched: bool
    ) -> None:
        p = AssignmentProblem(1, 1, [0], [0], [-5], unmatched_penalty=penalty)
        a = solve(p, method)
        assert a.objective == objective
        assert a.selected.tolist() == [matched]

    def test_penalty_is_per_unit_of_demand(self, method: str) -> None:
        # demand 3, one candidate worth 1: charged 2 * 4 for the two units left unfilled
        p = AssignmentProblem(1, 1, [0], [0], [1], capacity=5, demand=3, unmatched_penalty=4)
        a = solve(p, method)
        assert a.objective == 1 - 2 * 4

    def test_multi_demand_takes_best_mentors(self, method: str) -> None:
        p = AssignmentProblem(1, 3, [0, 0, 0], [0, 1, 2], [4, 9, 7], demand=2)
        a = solve(p, method)
        assert a.objective == 16
        assert a.counts().tolist() == [2]
        assert sorted(a.mentors_of()[0]) == [1, 2]
        with pytest.raises(ValueError, match="several mentors"):
            a.mentor_of()

    def test_min_load_forces_a_worse_spread(self, method: str) -> None:
        base = {"capacity": [2, 1]}
        args = (2, 2, [0, 1, 1], [0, 0, 1], [10, 8, 1])
        assert solve(AssignmentProblem(*args, **base), method).objective == 18
        a = solve(AssignmentProblem(*args, **base, min_load=[0, 1]), method)
        assert a.objective == 11
        assert a.loads().tolist() == [1, 1]

    def test_pinned_edge_as_mask_or_indices(self, method: str) -> None:
        args = (2, 1, [0, 1], [0, 0], [3, 5])
        for pinned in ([True, False], np.array([0])):
            a = solve(AssignmentProblem(*args, pinned=pinned), method)
            assert a.objective == 3
            assert a.selected.tolist() == [True, False]

    def test_pinned_edges_count_towards_demand_and_capacity(self, method: str) -> None:
        # mentee 0 (demand 2) is pinned to mentor 0; its best free edge is to mentor 1, but
        # mentor 1 (capacity 1) is worth more to mentee 1.
        p = AssignmentProblem(
            2, 2, [0, 0, 1], [0, 1, 1], [-2, 6, 7], capacity=[1, 1], demand=[2, 1], pinned=[0]
        )
        a = solve(p, method)
        assert a.objective == 5
        assert a.selected.tolist() == [True, False, True]

    def test_float_scores(self, method: str) -> None:
        p = AssignmentProblem(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [0.1, 0.25, 0.7, 0.3])
        a = solve(p, method)
        assert a.objective == pytest.approx(0.95, abs=1e-12)
        assert a.mentor_of().tolist() == [1, 0]

    def test_float_scores_and_penalties(self, method: str) -> None:
        # matching mentee 0 gains 0.1 - (-0.15) = 0.25 over leaving it; mentee 1 loses 0.2 - 0.1
        p = AssignmentProblem(2, 2, [0, 1], [0, 1], [-0.15, -0.3], unmatched_penalty=[0.25, 0.1])
        a = solve(p, method)
        assert a.objective == pytest.approx(-0.15 - 0.1, abs=1e-12)
        assert a.selected.tolist() == [True, False]

    def test_tiny_float_differences_are_resolved(self, method: str) -> None:
        p = AssignmentProblem(2, 1, [0, 1], [0, 0], [1.0, 1.0 + 2**-30])
        assert solve(p, method).selected.tolist() == [False, True]

    def test_time_limit_still_optimal_on_small_instance(self, method: str) -> None:
        a = solve(matrix_problem(CLASSIC_COSTS), method, time_limit=30.0, seed=7)
        assert a.status is Status.OPTIMAL
        assert a.objective == -CLASSIC_MIN_COST

    # --- degenerate instances -------------------------------------------------------------------

    def test_no_edges(self, method: str) -> None:
        p = AssignmentProblem(3, 2, [], [], [], demand=[1, 2, 1], unmatched_penalty=[1, 2, 3])
        a = solve(p, method)
        assert a.status is Status.OPTIMAL
        assert a.selected.shape == (0,)
        assert a.objective == -(1 + 2 * 2 + 3)
        assert a.mentor_of().tolist() == [-1, -1, -1]

    def test_zero_mentees(self, method: str) -> None:
        a = solve(AssignmentProblem(0, 3, [], [], [], capacity=[1, 2, 0]), method)
        assert a.status is Status.OPTIMAL
        assert a.objective == 0
        assert a.loads().tolist() == [0, 0, 0]

    def test_zero_mentors(self, method: str) -> None:
        a = solve(AssignmentProblem(2, 0, [], [], [], unmatched_penalty=5), method)
        assert a.status is Status.OPTIMAL
        assert a.objective == -10
        assert a.counts().tolist() == [0, 0]

    def test_zero_mentors_and_mentees(self, method: str) -> None:
        a = solve(AssignmentProblem(0, 0, [], [], []), method)
        assert a.status is Status.OPTIMAL
        assert a.objective == 0

    def test_zero_capacity_everywhere(self, method: str) -> None:
        p = AssignmentProblem(2, 2, [0, 1], [1, 0], [10, 20], capacity=0)
        a = solve(p, method)
        assert a.objective == 0
        assert not a.selected.any()

    def test_only_penalties(self, method: str) -> None:
        # capacity 0: nobody can be matched, every unit of demand is charged
        p = AssignmentProblem(
            3, 1, [0, 1, 2], [0, 0, 0], [5, 5, 5], capacity=0, demand=[1, 2, 2],
            unmatched_penalty=[1, 2, 3],
        )  # fmt: skip
        a = solve(p, method)
        assert a.objective == -(1 + 4 + 6)

    # --- infeasible instances -----------------------------------------------------------------

    def test_required_exceeds_total_capacity(self, method: str) -> None:
        p = AssignmentProblem(3, 1, [0, 1, 2], [0, 0, 0], [1, 2, 3], capacity=2, required=1)
        a = solve(p, method)
        expect_infeasible(a)
        assert "exceeds total capacity" in a.explanation  # type: ignore[operator]
        assert "total required demand 3 exceeds total capacity 2" in a.explanation  # type: ignore[operator]

    def test_pinned_edges_overload_a_mentor(self, method: str) -> None:
        p = AssignmentProblem(3, 2, [0, 1, 2], [1, 1, 0], [1, 1, 1], capacity=1, pinned=[0, 1])
        a = solve(p, method)
        expect_infeasible(a)
        assert "pinned edges overload mentor 1" in a.explanation  # type: ignore[operator]

    def test_pinned_edges_exceed_demand(self, method: str) -> None:
        p = AssignmentProblem(1, 2, [0, 0], [0, 1], [1, 1], pinned=[True, True])
        a = solve(p, method)
        expect_infeasible(a)
        assert "mentee 0 has 2 pinned edges but demand 1" in a.explanation  # type: ignore[operator]

    def test_required_more_than_candidates(self, method: str) -> None:
        p = AssignmentProblem(2, 2, [0, 0], [0, 1], [1, 1], required=[1, 1])
        a = solve(p, method)
        expect_infeasible(a)
        assert "mentee 1 requires 1 mentor(s) but has 0 candidate edge(s)" in a.explanation  # type: ignore[operator]

    def test_min_load_more_than_candidates(self, method: str) -> None:
        p = AssignmentProblem(2, 2, [0, 1], [0, 1], [1, 1], capacity=2, min_load=[0, 2])
        a = solve(p, method)
        expect_infeasible(a)
        assert "mentor 1 must take at least 2 unit(s)" in a.explanation  # type: ignore[operator]

    def test_hall_violation_found_by_solver(self, method: str) -> None:
        # Totals balance (2 required, capacity 2) and everyone has a candidate, but mentees 0
        # and 1 both know only mentor 0, which takes one.
        p = AssignmentProblem(3, 2, [0, 1, 2], [0, 0, 1], [1, 1, 1], capacity=1, required=[1, 1, 0])
        a = solve(p, method)
        expect_infeasible(a)
        assert a.raw_status != "PRESOLVE_INFEASIBLE"
        assert "mentees 0, 1 cannot all get their required mentors" in a.explanation  # type: ignore[operator]
        assert "mentors 0" in a.explanation  # type: ignore[operator]

    def test_min_load_hall_violation_names_the_underloaded_mentors(self, method: str) -> None:
        # Mentors 0 and 1 must each take one mentee, but only mentee 0 (demand 1) knows them.
        # Mentor 2 has no minimum load and no part in the conflict.
        p = AssignmentProblem(2, 3, [0, 0, 1], [0, 1, 2], [1, 1, 1], min_load=[1, 1, 0])
        a = solve(p, method)
        expect_infeasible(a)
        assert a.raw_status != "PRESOLVE_INFEASIBLE"
        assert "mentors 0, 1" in a.explanation  # type: ignore[operator]
        assert not re.search(r"mentors [\d, ]*\b2\b", a.explanation)  # type: ignore[arg-type]


# --- the task-size sample: edge weights, CP-SAT only ---------------------------------------------


def task_size_problem() -> AssignmentProblem:
    n_tasks = len(TASK_SIZES)
    return matrix_problem(
        TASK_SIZE_COSTS,
        capacity=TOTAL_SIZE_MAX,
        weight=np.tile(TASK_SIZES, len(TASK_SIZE_COSTS)),
        demand=np.ones(n_tasks, dtype=np.int64),
    )


def task_size_milp_min_cost() -> float:
    """The sample's own model (worker x task binaries) solved by HiGHS, without matchkit."""
    c = np.asarray(TASK_SIZE_COSTS, dtype=float)
    n_workers, n_tasks = c.shape
    size_rows = np.kron(np.eye(n_workers), np.asarray(TASK_SIZES, dtype=float))
    task_rows = np.kron(np.ones(n_workers), np.eye(n_tasks))
    res = milp(
        c.ravel(),
        integrality=np.ones(c.size),
        bounds=Bounds(0, 1),
        constraints=[
            LinearConstraint(size_rows, 0, TOTAL_SIZE_MAX),
            LinearConstraint(task_rows, 1, 1),
        ],
        options={"mip_rel_gap": 0.0},
    )
    assert res.status == 0
    return float(res.fun)


def test_task_size_sample_independent_optimum() -> None:
    assert task_size_milp_min_cost() == TASK_SIZE_MIN_COST


def test_task_size_sample_cpsat() -> None:
    p = task_size_problem()
    a = solve(p, "cpsat")
    assert a.status is Status.OPTIMAL
    assert a.objective == -TASK_SIZE_MIN_COST
    assert (a.loads() <= TOTAL_SIZE_MAX).all()
    assert a.loads().sum() == sum(TASK_SIZES)
    assert a.counts().tolist() == [1] * len(TASK_SIZES)


def test_task_size_sample_flow_refuses() -> None:
    with pytest.raises(UnsupportedFeatureError, match="cpsat") as info:
        solve_assignment(task_size_problem(), method="flow")
    assert info.value.method == "flow"
    assert info.value.features == ("non-unit weight",)
    assert info.value.supporting == ("cpsat",)


def test_task_size_sample_auto_picks_cpsat() -> None:
    p = task_size_problem()
    a = solve_assignment(p, workers=1)
    assert a.method == "cpsat"
    assert a.objective == -TASK_SIZE_MIN_COST
    assert verify_assignment(p, a) == []


def test_auto_picks_flow_for_unit_weights() -> None:
    p = matrix_problem(CLASSIC_COSTS, min_load=0, pinned=[0], unmatched_penalty=1)
    a = solve_assignment(p)
    assert a.method == "flow"
    assert verify_assignment(p, a) == []


def test_weighted_infeasibility_is_explained() -> None:
    # Each mentee needs a weight-2 place; mentor 0 has room for one, mentor 1 knows nobody.
    p = AssignmentProblem(2, 2, [0, 1], [0, 0], [1, 1], capacity=[2, 5], required=1, weight=2)
    a = solve(p, "cpsat")
    expect_infeasible(a)
    assert "weight" in a.explanation  # type: ignore[operator]


def test_weight_zero_edges_use_no_capacity() -> None:
    p = AssignmentProblem(2, 1, [0, 1], [0, 0], [3, 5], capacity=0, weight=[0, 1])
    a = solve(p, "cpsat")
    assert a.objective == 3
    assert a.loads().tolist() == [0]
