"""Rich rules min-cost flow can still take exactly: the balance penalty, disjoint floors.

**Balance: parallel arcs of rising cost.** A mentor of capacity ``c`` becomes ``c`` places
of capacity one; a pair's edge to the ``k``-th place (``k = 0, 1, ...``) scores
``balance * k`` less. The costs rise with ``k``, so an optimal flow fills a mentor's places
in order, and a mentor with ``L`` mentees pays ``balance * L * (L - 1) / 2``: the penalty
exactly. Which mentee sits in which place does not matter, so pinned pairs take a mentor's
first places.

**Floors over disjoint groups: a node per group with a lower bound.** The source feeds each
group's node, which feeds its mentees; the arc into a group must carry at least the floor's
count (the standard lower-bound transformation: the count moves into the nodes' supplies),
so a circulation exists exactly when every floor can be met, and the cheapest is optimal.
Overlapping floors (priority 3 *and* a district) are not a flow: CP-SAT takes them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matchkit.core.assignment import Assignment, Status, objective_value
from matchkit.core.problem import AssignmentProblem
from matchkit.core.solve import solve_assignment
from matchkit.domain.groups import GroupRules
from matchkit.domain.policy import Policy
from matchkit.solvers.infeasibility import quick_explanation

__all__ = ["flow_kind", "solve_balanced", "solve_floors"]

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


def flow_kind(policy: Policy, groups: GroupRules | None, method: str) -> str | None:
    """``"balance"`` or ``"floors"`` when flow takes the policy's rich rules exactly, else None."""
    rich = policy.rich_rules()
    if method == "cpsat" or not rich:
        return None
    if rich == ("balance",) and policy.min_load == 0:
        return "balance"
    if rich == ("floors",) and not policy.pinned and groups is not None:
        rows = [r for _, r, _ in groups.floors]
        members = np.concatenate(rows) if rows else np.empty(0, np.int64)
        if np.unique(members).size == members.size:  # disjoint groups
            return "floors"
    return None


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
