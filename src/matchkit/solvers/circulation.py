"""Repairing an answer whose prices fail on a few edges (used by :mod:`.priced`).

The answer's residual network, priced by the mentors' prices and mentees' values, has
negative reduced costs only on the underpriced edges; a min-cost circulation over its arcs of
small reduced cost turns the answer into a better one, the optimum over every edge when the
bound of :func:`shortfall` allows (see :func:`circulate`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matchkit.core.problem import AssignmentProblem

__all__ = ["DEAD_END_PASSES", "circulate", "shortfall"]

I64 = npt.NDArray[np.int64]
IntArray = npt.NDArray[np.integer[Any]]
Bool = npt.NDArray[np.bool_]

DEAD_END_PASSES = 20
"""Passes dropping residual arcs that lead nowhere, before a circulation step."""


def shortfall(bad: I64, mentee: IntArray, mentor: IntArray, under: I64, n: int, m: int) -> int:
    """The most any one improving cycle can gain on the underpriced edges ``bad``: it
    passes each mentee and each mentor once, so takes at most one of each one's edges."""
    by_mentee = np.zeros(n, dtype=np.int64)
    np.maximum.at(by_mentee, mentee[bad], under[bad])
    by_mentor = np.zeros(m, dtype=np.int64)
    np.maximum.at(by_mentor, mentor[bad], under[bad])
    return int(min(by_mentee.sum(), by_mentor.sum()))


def circulate(
    problem: AssignmentProblem,
    under: I64,
    useful: Bool | None,
    chosen: I64,
    y: I64,
    z: I64,
    total: int,
    budget: int,
) -> tuple[I64, bool, I64] | None:
    """A better answer from one whose prices fail on a few edges only, and whether it is
    the optimum over every edge.

    With prices and values that hold everywhere but on the underpriced edges, every
    improving exchange is a cycle in the answer's residual network whose reduced costs sum
    below zero, and it gains at most ``total`` (:func:`shortfall`) on the underpriced
    edges, so it uses no arc of reduced cost above ``total``: the min-cost circulation over
    the other arcs turns the answer into the optimum. Where those are more than ``budget``
    edges, only the ``budget`` of least reduced cost are offered, and the side arcs (into or
    out of the source and sink) are bounded the same way: a better answer, maybe not the
    best (the caller prices it over the chosen and offered edges, also returned). None if
    the network cannot be solved.
    """
    n, m = problem.n_mentees, problem.n_mentors
    mentee, mentor = problem.mentee, problem.mentor
    limit, exact = total, True
    sample = -under[:: max(1, under.size // 65_536)]  # reduced costs, a regular sample
    if np.count_nonzero(sample <= total) * (under.size / sample.size) > 2 * budget:
        # Far more than ``budget`` within the bound: a sample's quantile cuts a little
        # above it (one pass instead of a selection over every edge within the bound).
        share = min(1.0, 1.5 * budget / under.size)  # a little over, trimmed below
        limit = min(total, int(np.quantile(sample, share, method="higher")))
        exact = limit >= total
    near = under >= -limit
    near[chosen] = False
    if useful is not None:
        near &= useful
    forward = np.flatnonzero(near)
    del near, sample
    if forward.size > budget:
        cut = int(np.partition(-under[forward], budget)[budget])  # reduced costs
        forward = forward[-under[forward] < cut]
        limit, exact = cut - 1, False
    load_i = np.bincount(mentee[chosen], minlength=n)
    load_j = np.bincount(mentor[chosen], minlength=m)
    demand, capacity = problem.demand.astype(np.int64), problem.capacity.astype(np.int64)
    s, t = 0, n + m + 1
    mentees, mentors = np.arange(1, n + 1), np.arange(n + 1, n + m + 1)
    matched = chosen.size
    parts: list[tuple[Any, Any, Any, Any]] = [  # the residual network: (tails, heads,
        # residual capacities, reduced costs) per kind of arc
        (mentee[forward] + 1, mentor[forward] + n + 1, 1, -under[forward]),
        (mentor[chosen] + n + 1, mentee[chosen] + 1, 1, 0),
        (np.full(n, s), mentees, demand - load_i, -y),
        (mentees, np.full(n, s), load_i, y),
        (mentors, np.full(m, t), capacity - load_j, -z),
        (np.full(m, t), mentors, load_j, z),
        (np.array([t, s]), np.array([s, t]), np.array([demand.sum() - matched, matched]), 0),
    ]
    tails, heads, caps, costs = (
        np.concatenate([np.broadcast_to(p[k], np.shape(p[0])) for p in parts]).astype(np.int64)
        for k in range(4)
    )
    arcs = np.flatnonzero((caps > 0) & (costs <= limit))
    for _ in range(DEAD_END_PASSES):  # an arc into a node with no way out lies on no cycle
        tl, hd = tails[arcs], heads[arcs]
        live = (np.bincount(hd, minlength=n + m + 2)[tl] > 0) & (
            np.bincount(tl, minlength=n + m + 2)[hd] > 0
        )
        if live.all():
            break
        arcs = arcs[live]
    _, ends = np.unique(np.concatenate([tails[arcs], heads[arcs]]), return_inverse=True)
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(
        ends[: arcs.size], ends[arcs.size :], caps[arcs], costs[arcs]
    )
    if arcs.size and smcf.solve() != smcf.OPTIMAL:
        return None
    moved = arcs[smcf.flows(np.arange(arcs.size)) > 0] if arcs.size else arcs
    if not exact and moved.size == 0:
        return None
    gained = forward[moved[moved < forward.size]]
    back = moved[(moved >= forward.size) & (moved < forward.size + matched)] - forward.size
    return (
        np.union1d(np.setdiff1d(chosen, chosen[back]), gained),
        exact,
        np.union1d(chosen, forward),
    )
