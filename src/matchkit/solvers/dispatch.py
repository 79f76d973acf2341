"""`solve_assignment`: the engine's one dispatcher over every backend in the registry."""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from matchkit.core.assignment import Assignment, Status
from matchkit.core.options import check_method, start_selection, validate_options
from matchkit.core.problem import AssignmentProblem
from matchkit.errors import UnsupportedFeatureError
from matchkit.solvers.base import SolveOptions
from matchkit.solvers.infeasibility import quick_explanation
from matchkit.solvers.registry import AUTO_ORDER, BACKENDS

__all__ = ["available_methods", "solve_assignment"]


def available_methods() -> tuple[str, ...]:
    """The names ``solve_assignment`` accepts as ``method``."""
    return ("auto", *BACKENDS)


def solve_assignment(
    problem: AssignmentProblem,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    start: npt.ArrayLike | None = None,
) -> Assignment:
    """Choose edges that maximise the total score under every rule of ``problem``.

    Parameters
    ----------
    problem : AssignmentProblem
        The problem; it is never modified.
    method : {"auto", "flow", "cpsat", "simplex", "priced"}
        ``"flow"`` is exact min-cost flow (unit edge weights only); ``"cpsat"`` handles every
        feature; ``"simplex"`` is LEMON's network simplex on priced edges (needs the ``pot``
        extra) and ``"priced"`` min-cost flow on priced edges with circulation steps, both
        for mentees with one mentor each and unmatched penalties, nothing else; ``"auto"``
        (the default) takes ``"simplex"`` on large, sparse problems it fits
        (:data:`~matchkit.solvers.simplex.AUTO_MIN_EDGES`,
        :data:`~matchkit.solvers.simplex.AUTO_MAX_DEGREE`) when POT is installed, else
        ``"priced"`` on large problems it fits
        (:data:`~matchkit.solvers.priced.AUTO_MIN_EDGES`), else ``"flow"`` when it applies,
        else ``"cpsat"``. The chosen backend is in ``Assignment.method``.
    time_limit : float, optional
        Seconds CP-SAT may search; past it the best answer found is returned with status
        ``feasible`` and its bound. Min-cost flow always runs to optimality.
    seed : int
        Random seed of the search (CP-SAT); the same seed and ``workers`` give the same answer.
    workers : int, optional
        CP-SAT search workers; default: the machine's cores, at most 8.
    start : array_like of bool, optional
        A selection over the problem's edges to start from, typically the answer to a
        similar problem (a what-if before its change) carried over edge by edge. Any
        selection is allowed and the answer is the same optimum with or without it: the
        ``priced`` backend adds its edges to its first problem (a quarter to a third faster
        after removing 1% of the mentors from a cohort), ``cpsat`` takes it as its solution
        hint, ``flow`` and ``simplex`` cannot start from anything and ignore it.

    Returns
    -------
    Assignment
        An infeasible problem is not an exception: it returns status ``infeasible`` and an
        ``explanation`` naming the rule that cannot be met.

    Raises
    ------
    UnknownMethodError
        ``method`` is not one of :func:`available_methods`.
    UnsupportedFeatureError
        The named method cannot represent a feature the problem uses (e.g. ``"flow"`` with
        non-unit weights).

    Examples
    --------
    >>> from matchkit import AssignmentProblem, solve_assignment
    >>> p = AssignmentProblem(2, 1, mentee=[0, 1], mentor=[0, 0], score=[3, 5])
    >>> a = solve_assignment(p)
    >>> a.status.value, a.objective, a.mentor_of().tolist()
    ('optimal', 5.0, [-1, 0])
    """
    t0 = time.perf_counter()
    check_method(method, available_methods())
    validate_options(time_limit, seed, workers)
    hint = None if start is None else start_selection(start, problem.n_edges)
    if method == "auto":
        backend = next(BACKENDS[m] for m in AUTO_ORDER if BACKENDS[m].fits(problem))
    else:
        backend = BACKENDS[method]
        missing = backend.missing(problem)
        if missing:
            supporting = [b.name for b in BACKENDS.values() if not b.missing(problem)]
            raise UnsupportedFeatureError(method, sorted(missing), supporting)
    why = quick_explanation(problem)
    if why is not None:
        return Assignment(
            problem=problem,
            selected=np.zeros(problem.n_edges, dtype=np.bool_),
            objective=float("nan"),
            bound=float("-inf"),
            status=Status.INFEASIBLE,
            method=backend.name,
            wall_time=time.perf_counter() - t0,
            raw_status="PRESOLVE_INFEASIBLE",
            explanation=why,
        )
    options = SolveOptions(
        time_limit=time_limit,
        seed=int(seed),
        workers=workers,
        hint=hint,
        chosen_by_auto=method == "auto",
    )
    result = backend.solve(problem, options)
    return replace(result, wall_time=time.perf_counter() - t0)
