"""The balance penalty by exact min-cost flow: parallel arcs of rising cost.

A mentor of capacity ``c`` becomes ``c`` places of capacity one; a pair's edge to the ``k``-th
place (``k = 0, 1, ...``) scores ``balance * k`` less. The costs rise with ``k``, so an optimal
flow fills a mentor's places in order, and a mentor with ``L`` mentees pays
``balance * L * (L - 1) / 2``: the penalty exactly. Which mentee sits in which place does not
matter, so pinned pairs take a mentor's first places.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchkit.core.assignment import Assignment
from matchkit.core.problem import AssignmentProblem
from matchkit.solvers.dispatch import solve_assignment
from matchkit.solvers.infeasibility import quick_explanation

__all__ = ["solve_balanced"]

I64 = npt.NDArray[np.int64]


def solve_balanced(problem: AssignmentProblem, balance_milli: int, *, seed: int) -> Assignment:
    """The optimum of ``problem`` minus the balance penalty, as an :class:`Assignment` over
    ``problem``'s own edges (its ``objective`` includes the penalty)."""
    p = problem
    if quick_explanation(p) is not None:  # pins over capacity: explained on the real mentors
        return solve_assignment(p, method="flow", seed=seed)
    cap = np.asarray(p.capacity, dtype=np.int64)
    first = np.zeros(p.n_mentors + 1, dtype=np.int64)
    np.cumsum(cap, out=first[1:])
    mentor = np.asarray(p.mentor, dtype=np.int64)
    copies = cap[mentor]
    edge = np.repeat(np.arange(p.n_edges), copies)
    # k-th copy of each edge: position within its run of repeats.
    k = np.arange(edge.size) - np.repeat(np.cumsum(copies) - copies, copies)
    place = first[mentor[edge]] + k
    score = np.asarray(p.score, dtype=np.int64)[edge] - balance_milli * k
    pinned_edges = np.flatnonzero(np.asarray(p.pinned))
    pinned = None
    if pinned_edges.size:
        # The j-th pinned pair of a mentor takes its j-th place.
        order = np.argsort(mentor[pinned_edges], kind="stable")
        pe = pinned_edges[order]
        pm = mentor[pe]
        rank = np.arange(pe.size) - np.searchsorted(pm, pm)
        starts = np.cumsum(copies) - copies  # first expanded index of each edge
        pinned = np.zeros(edge.size, dtype=np.bool_)
        pinned[starts[pe] + np.minimum(rank, cap[pm] - 1)] = True
    expanded = AssignmentProblem(
        p.n_mentees,
        int(first[-1]),
        np.asarray(p.mentee)[edge],
        place,
        score,
        1,
        unmatched_penalty=p.unmatched_penalty,
        pinned=pinned,
    )
    answer = solve_assignment(expanded, method="flow", seed=seed)
    selected = np.zeros(p.n_edges, dtype=np.bool_)
    selected[edge[np.asarray(answer.selected)]] = True
    return Assignment(
        problem=p,
        selected=selected,
        objective=answer.objective,
        bound=answer.bound,
        status=answer.status,
        method="flow",
        wall_time=answer.wall_time,
        raw_status=answer.raw_status,
        explanation=answer.explanation,
        stats={"expanded_edges": float(expanded.n_edges)},
    )
