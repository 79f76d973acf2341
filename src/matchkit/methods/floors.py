"""Floors over disjoint groups by exact min-cost flow: a node per group with a lower bound.

The source feeds each group's node, which feeds its mentees; the arc into a group must carry
at least the floor's count (the standard lower-bound transformation: the count moves into the
nodes' supplies), so a circulation exists exactly when every floor can be met, and the
cheapest is optimal. Overlapping floors (priority 3 *and* a district) are not a flow: CP-SAT
takes them (:func:`disjoint` says which).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matchkit.compiler.groups import GroupRules
from matchkit.core.assignment import Assignment, Status, objective_value
from matchkit.core.problem import AssignmentProblem

__all__ = ["disjoint", "solve_floors"]

I64 = npt.NDArray[np.int64]


def disjoint(groups: GroupRules) -> bool:
    """Whether no mentee is under two floors (then :func:`solve_floors` is exact)."""
    rows = [r for _, r, _ in groups.floors]
    members = np.concatenate(rows) if rows else np.empty(0, np.int64)
    return bool(np.unique(members).size == members.size)


def solve_floors(problem: AssignmentProblem, groups: GroupRules) -> Assignment:
    """The optimum of ``problem`` with disjoint floors, by one min-cost circulation."""
    p = problem
    nm, nt = p.n_mentees, p.n_mentors
    floors = groups.floors
    k = len(floors)
    group = np.full(nm, k, dtype=np.int64)  # mentees under no floor: group k, no bound
    need = np.zeros(k + 1, dtype=np.int64)
    size = np.zeros(k + 1, dtype=np.int64)
    for g, (_, rows, n) in enumerate(floors):
        group[rows], need[g], size[g] = g, n, rows.size
    size[k] = int((group == k).sum())
    source, first_group, first_mentee = 0, 1, k + 2
    first_mentor = first_mentee + nm
    sink = first_mentor + nt
    n_nodes = sink + 1
    mentee, mentor = np.asarray(p.mentee, np.int64), np.asarray(p.mentor, np.int64)
    low = np.asarray(p.min_load, np.int64)
    tails = np.concatenate(
        [
            mentee + first_mentee,
            first_group + group,
            np.arange(nt) + first_mentor,
            np.full(k + 1, source),
            [sink],
        ]
    )
    heads = np.concatenate(
        [
            mentor + first_mentor,
            np.arange(nm) + first_mentee,
            np.full(nt, sink),
            np.arange(k + 1) + first_group,
            [source],
        ]
    )
    caps = np.concatenate(
        [np.ones(p.n_edges + nm, np.int64), np.asarray(p.capacity) - low, size - need, [nm]]
    )
    costs = np.concatenate(
        [
            -np.asarray(p.score, np.int64),
            -np.asarray(p.unmatched_penalty, np.int64),
            np.zeros(nt + k + 2, np.int64),
        ]
    )
    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[source] -= need.sum()
    supplies[first_group : first_group + k + 1] += need
    supplies[first_mentor:sink] -= low
    supplies[sink] += low.sum()
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), caps, costs
    )
    smcf.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
    raw = smcf.solve()
    selected = np.zeros(p.n_edges, dtype=np.bool_)
    if raw == smcf.OPTIMAL:
        np.greater(smcf.flows(np.asarray(arcs[: p.n_edges], dtype=np.int32)), 0, out=selected)
        objective = objective_value(p, selected)
        status, bound, why = Status.OPTIMAL, objective, None
    else:
        status, objective, bound = Status.INFEASIBLE, float("nan"), float("-inf")
        named = ", ".join(label for label, _, _ in floors)
        why = (
            f"the floors ({named}) cannot all be met together with the mentors' capacities"
            + (" and minimum loads" if low.any() else "")
            + " (no circulation exists)"
        )
    return Assignment(
        problem=p,
        selected=selected,
        objective=objective,
        bound=bound,
        status=status,
        method="flow",
        wall_time=0.0,
        raw_status=getattr(raw, "name", str(raw)),
        explanation=why,
        stats={"floor_groups": float(k)},
    )
