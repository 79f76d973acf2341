"""The ``cpsat`` backend: OR-Tools CP-SAT, one Boolean per candidate edge.

Supports every feature of :class:`~matchkit.AssignmentProblem`, non-unit weights included.
The model is written straight into CP-SAT's C++-backed proto in bulk (a Python call per
variable would cost seconds at 10^6 edges). Where min-cost flow applies, its optimal answer
is given to CP-SAT as a solution hint, so CP-SAT starts from the optimum and only has to
prove it.

Determinism: the answer depends only on the problem, ``seed`` and ``workers`` when the
search ends by itself (optimal or infeasible). With several workers CP-SAT runs its
deterministic interleaved search. A wall-clock ``time_limit`` that stops the search early
can stop it at different points on different runs.
"""

from __future__ import annotations

import os
import time

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model, cp_model_helper

from matchkit.core.assignment import Assignment, Status, objective_value
from matchkit.core.problem import AssignmentProblem, Feature
from matchkit.core.scaling import scaled_profits
from matchkit.errors import MatchkitError
from matchkit.solvers.base import SolveOptions
from matchkit.solvers.flow import solve_flow
from matchkit.solvers.infeasibility import cut_explanation

__all__ = [
    "add_linear",
    "build_model",
    "grouped_index",
    "grouped_list",
    "solve_cpsat",
    "solve_with_at_least",
]

STATUS_MAP: dict[object, Status] = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.UNKNOWN: Status.UNKNOWN,
}
DEFAULT_MAX_WORKERS = 8


def grouped_index(
    key: npt.NDArray[np.integer], n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Indices grouped by ``key`` in ``0..n-1`` (stable) and each group's start offset:
    group ``k`` is ``order[starts[k]:starts[k + 1]]``."""
    order = np.argsort(key, kind="stable").astype(np.int64)
    starts = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=starts[1:])
    return order, starts


def grouped_list(key: npt.NDArray[np.integer], n: int) -> tuple[list[int], npt.NDArray[np.int64]]:
    """Edge indices grouped by ``key`` (as one list) and each group's start offset."""
    order, starts = grouped_index(key, n)
    return order.tolist(), starts


def add_linear(
    proto: cp_model_helper.CpModelProto,
    members: list[int],
    coeffs: list[int],
    lo: int,
    hi: int,
) -> None:
    """Add ``lo <= sum(coeffs * members) <= hi`` to ``proto`` in bulk (no Python objects per
    term)."""
    ct = proto.constraints.add()
    ct.linear.vars.extend(members)
    ct.linear.coeffs.extend(coeffs)
    ct.linear.domain.extend((lo, hi))


def build_model(problem: AssignmentProblem, profit: npt.NDArray[np.int64]) -> cp_model.CpModel:
    p = problem
    model = cp_model.CpModel()
    proto = model.proto
    free_var = cp_model_helper.IntegerVariableProto()
    free_var.domain.extend((0, 1))
    pinned_var = cp_model_helper.IntegerVariableProto()
    pinned_var.domain.extend((1, 1))
    variables = [free_var] * p.n_edges
    for e in np.flatnonzero(p.pinned).tolist():
        variables[e] = pinned_var
    proto.variables.extend(variables)
    del variables

    members, starts = grouped_list(p.mentee, p.n_mentees)
    degree = np.diff(starts)
    for i in np.flatnonzero((p.required > 0) | (p.demand < degree)).tolist():
        a, b = int(starts[i]), int(starts[i + 1])
        add_linear(proto, members[a:b], [1] * (b - a), int(p.required[i]), int(p.demand[i]))

    members, starts = grouped_list(p.mentor, p.n_mentors)
    reach = np.bincount(p.mentor, weights=p.weight, minlength=p.n_mentors)
    unit = Feature.WEIGHT not in p.features
    weights = None if unit else p.weight.tolist()
    for j in np.flatnonzero((p.min_load > 0) | (p.capacity < reach)).tolist():
        a, b = int(starts[j]), int(starts[j + 1])
        mem = members[a:b]
        coeffs = [1] * (b - a) if weights is None else [weights[e] for e in mem]
        add_linear(proto, mem, coeffs, int(p.min_load[j]), int(p.capacity[j]))

    nonzero = np.flatnonzero(profit)
    proto.objective.vars.extend(nonzero.tolist())
    proto.objective.coeffs.extend(np.negative(profit[nonzero]).tolist())
    return model


def _hint(problem: AssignmentProblem, options: SolveOptions) -> npt.NDArray[np.bool_] | None:
    if options.hint is not None:
        return options.hint
    if Feature.WEIGHT in problem.features:
        return None

    warm = solve_flow(problem, options)
    return np.asarray(warm.selected) if warm.status.has_solution else None


def solve_cpsat(problem: AssignmentProblem, options: SolveOptions) -> Assignment:
    """Solve ``problem`` with CP-SAT, honouring ``time_limit``, ``seed`` and ``workers``."""
    t0 = time.perf_counter()
    n_nodes = problem.n_mentees + problem.n_mentors + 2
    profits = scaled_profits(problem, n_nodes)
    hint = _hint(problem, options)
    t_hint = time.perf_counter()
    model = build_model(problem, profits.profit)
    if hint is not None:
        model.proto.solution_hint.vars.extend(range(problem.n_edges))
        model.proto.solution_hint.values.extend(hint.astype(np.int64).tolist())
    t_built = time.perf_counter()

    solver = cp_model.CpSolver()
    params = solver.parameters
    workers = options.workers or min(os.cpu_count() or 1, DEFAULT_MAX_WORKERS)
    params.num_workers = workers
    params.random_seed = options.seed
    if workers > 1:
        params.interleave_search = True
    if options.time_limit is not None:
        params.max_time_in_seconds = float(options.time_limit)
    raw = solver.solve(model)
    t_solved = time.perf_counter()
    if raw == cp_model.MODEL_INVALID:
        raise MatchkitError(f"internal error: CP-SAT rejected the model: {model.validate()}")
    status = STATUS_MAP.get(raw, Status.UNKNOWN)

    penalty_constant = float((problem.unmatched_penalty * problem.demand).sum())
    selected = np.zeros(problem.n_edges, dtype=np.bool_)
    explanation = None
    if status.has_solution:
        values = np.asarray(solver.response_proto.solution, dtype=np.int64)
        np.greater(values, 0, out=selected)
        objective = objective_value(problem, selected)
    else:
        objective = float("nan")
    if status is Status.OPTIMAL:
        bound = objective
    elif status is Status.INFEASIBLE:
        bound = float("-inf")
        explanation = cut_explanation(problem)
    else:
        raw_bound = -float(solver.best_objective_bound) / profits.scale
        bound = raw_bound - penalty_constant + profits.slack
        if status.has_solution:
            bound = max(bound, objective)
    return Assignment(
        problem=problem,
        selected=selected,
        objective=objective,
        bound=bound,
        status=status,
        method="cpsat",
        wall_time=time.perf_counter() - t0,
        raw_status=solver.status_name(raw),
        explanation=explanation,
        score_scale=profits.scale,
        stats={
            "variables": problem.n_edges,
            "constraints": len(model.proto.constraints),
            "workers": workers,
            "hinted": hint is not None,
            "hint_time": t_hint - t0,
            "build_time": t_built - t_hint,
            "solve_time": t_solved - t_built,
            "conflicts": int(solver.num_conflicts),
            "rounding_slack": profits.slack,
        },
    )


def solve_with_at_least(
    p: AssignmentProblem,
    bonus: npt.NDArray[np.bool_],
    need: int,
    start: npt.NDArray[np.bool_],
    bound: float,
    *,
    seed: int,
    time_limit: float,
) -> tuple[npt.NDArray[np.bool_], float]:
    """CP-SAT on ``p`` plus "at least ``need`` of the ``bonus`` edges", hinted with ``start``
    (one worker, ``seed``, ``time_limit`` seconds): the better of its answer and ``start``,
    and the lower of ``bound`` and CP-SAT's bound (both in ``p``'s scaled units)."""
    profit = np.asarray(p.score, np.int64) + np.asarray(p.unmatched_penalty, np.int64)[p.mentee]
    model = build_model(p, profit)
    model.add(
        sum(model.get_bool_var_from_proto_index(int(e)) for e in np.flatnonzero(bonus)) >= need
    )
    model.proto.solution_hint.vars.extend(range(p.n_edges))
    model.proto.solution_hint.values.extend(start.astype(np.int64).tolist())
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_limit
    raw = solver.solve(model)
    if raw not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start, bound
    constant = float(np.asarray(p.unmatched_penalty).sum())
    sel = np.asarray(solver.response_proto.solution, dtype=np.int64) > 0
    better = objective_value(p, sel) > objective_value(p, start)
    return (sel if better else start), min(bound, -solver.best_objective_bound - constant)
