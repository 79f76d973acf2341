"""Floors over disjoint groups by exact min-cost flow: a node per group with a lower bound.

The source feeds each group's node, which feeds its mentees; the arc into a group must carry
at least the floor's count (the standard lower-bound transformation: the count moves into the
nodes' supplies), so a circulation exists exactly when every floor can be met, and the
cheapest is optimal. Overlapping floors (priority 3 *and* a district) are not a flow: CP-SAT
takes them (:func:`disjoint` says which).

**An unmeetable floor is relaxed, not fatal.** When no circulation meets every floor, the
answer is the lexicographic optimum: first the most floor places filled in all (the sum over
floors of ``min(matched in group, floor count)``, that is the least total shortfall), then the
best objective with that many held. Both stages are one min-cost flow each: the first prices
only a group's first ``need`` places (through a hub node), the second moves the first stage's
count into the hub's supply as a lower bound. :func:`floor_attainment` reports, per floor, the
count required, achieved and attainable -- the last a max flow restricted to that group's
mentees and their mentors' places, a counted certificate that no answer does better.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matchkit.compiler.groups import GroupRules, relaxed_floors_text
from matchkit.core.assignment import Assignment, Status, objective_value
from matchkit.core.problem import AssignmentProblem
from matchkit.domain.result import FloorAttainment, MatchResult
from matchkit.solvers.network import group_max

__all__ = ["Attainment", "disjoint", "floor_attainment", "solve_floors", "with_floors"]

I64 = npt.NDArray[np.int64]


def disjoint(groups: GroupRules) -> bool:
    """Whether no mentee is under two floors (then :func:`solve_floors` is exact)."""
    rows = [r for _, r, _ in groups.floors]
    members = np.concatenate(rows) if rows else np.empty(0, np.int64)
    return bool(np.unique(members).size == members.size)


@dataclass(frozen=True, slots=True)
class Attainment:
    """One floor's group: its count required, achieved and attainable, and why short."""

    label: str
    size: int
    required: int
    achieved: int
    attainable: int
    """The most of the group's mentees any answer matches (max flow restricted to them)."""
    reachable: int
    """How many of the group's mentees have any eligible mentor."""
    reason: str | None


def floor_attainment(
    problem: AssignmentProblem,
    groups: GroupRules,
    selected: npt.NDArray[np.bool_],
    *,
    most: bool = True,
) -> tuple[Attainment, ...]:
    """Each floor's group in ``groups``: required, achieved by ``selected``, attainable, and a
    sentence saying why an unmet floor could not be met (None where met). ``most``: the
    answer is proven to fill the most floor places possible in all."""
    p = problem
    matched = np.zeros(p.n_mentees, dtype=np.bool_)
    matched[np.asarray(p.mentee, np.int64)[selected]] = True
    degree = np.bincount(np.asarray(p.mentee, np.int64), minlength=p.n_mentees)
    out: list[Attainment] = []
    for label, rows, need in groups.floors:
        got = int(matched[rows].sum())
        best = group_max(p, rows)
        reach = int(np.count_nonzero(degree[rows] > 0))
        reason = None
        if got < need:
            if best < need and reach == best:
                reason = (
                    f"only {reach} of the {rows.size} mentees in {label} have any eligible "
                    f"mentor; the floor needs {need}"
                )
            elif best < need:
                reason = (
                    f"at most {best} of the {rows.size} mentees in {label} can be matched at "
                    f"once (a max flow over their eligible mentors' places; {reach} have an "
                    f"eligible mentor); the floor needs {need}"
                )
            elif most:
                reason = (
                    f"the mentors of {label} have places for {need}, but not together with the "
                    f"other floors and rules: this answer fills the most floor places "
                    f"possible in all"
                )
            else:
                reason = (
                    f"the mentors of {label} have places for {need}, but no answer found in "
                    f"the time limit meets it together with the other floors and rules (not "
                    f"proven impossible)"
                )
        out.append(Attainment(label, int(rows.size), int(need), got, best, reach, reason))
    return tuple(out)


def with_floors(
    result: MatchResult, problem: AssignmentProblem, groups: GroupRules, assignment: Assignment
) -> MatchResult:
    """``result`` with each floor's attainment; ``relaxed`` (and a warning per unmet floor)
    where the answer has a solution that leaves a floor short."""
    found = assignment.status.has_solution
    most = assignment.stats.get("floors_proven", 1.0) == 1.0
    rows = floor_attainment(problem, groups, assignment.selected, most=most)
    floors = tuple(
        FloorAttainment(
            label=a.label,
            size=a.size,
            required=a.required,
            achieved=a.achieved,
            attainable=a.attainable,
            met=a.achieved >= a.required,
            reason=a.reason,
        )
        for a in rows
    )
    short = [f for f in floors if not f.met]
    relaxed = found and bool(short)
    warnings = result.warnings
    if relaxed:
        warnings += tuple(
            f"floor {f.label} relaxed: {f.achieved} of {f.required} matched ({f.reason})"
            for f in short
        )
    return result.model_copy(update={"floors": floors, "relaxed": relaxed, "warnings": warnings})


def _groups(p: AssignmentProblem, groups: GroupRules) -> tuple[I64, I64, I64]:
    k = len(groups.floors)
    group = np.full(p.n_mentees, k, dtype=np.int64)  # mentees under no floor: group k, no bound
    need = np.zeros(k + 1, dtype=np.int64)
    size = np.zeros(k + 1, dtype=np.int64)
    for g, (_, rows, n) in enumerate(groups.floors):
        group[rows], need[g], size[g] = g, n, rows.size
    size[k] = int((group == k).sum())
    return group, need, size


def solve_floors(problem: AssignmentProblem, groups: GroupRules) -> Assignment:
    """The optimum of ``problem`` with disjoint floors, by one min-cost circulation; where the
    floors cannot all be met, the lexicographic optimum of the relaxed floors (most floor
    places filled in all, then the best objective), said in ``explanation``."""
    p = problem
    nm, nt = p.n_mentees, p.n_mentors
    floors = groups.floors
    k = len(floors)
    group, need, size = _groups(p, groups)
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
        raw_name = getattr(raw, "name", str(raw))
    else:
        relaxed = _relaxed(p, group, need, size)
        if relaxed is not None:
            selected, filled = relaxed
            objective = objective_value(p, selected)
            status, bound = Status.OPTIMAL, objective
            why = relaxed_floors_text(filled, int(need.sum()))
            raw_name = "OPTIMAL_RELAXED"
        else:
            status, objective, bound = Status.INFEASIBLE, float("nan"), float("-inf")
            named = ", ".join(label for label, _, _ in floors)
            why = (
                f"the floors ({named}) cannot all be met together with the mentors' capacities"
                + (" and minimum loads" if low.any() else "")
                + " (no circulation exists)"
            )
            raw_name = getattr(raw, "name", str(raw))
    return Assignment(
        problem=p,
        selected=selected,
        objective=objective,
        bound=bound,
        status=status,
        method="flow",
        wall_time=0.0,
        raw_status=raw_name,
        explanation=why,
        stats={"floor_groups": float(k)},
    )


def _relaxed(
    p: AssignmentProblem, group: I64, need: I64, size: I64
) -> tuple[npt.NDArray[np.bool_], int] | None:
    """The lexicographic optimum with soft floors (see the module docstring), and how many
    floor places it fills; None when even that is infeasible (minimum loads)."""
    nm, nt = p.n_mentees, p.n_mentors
    k = need.size - 1
    source, hub, first_group = 0, 1, 2
    first_mentee = first_group + k + 1
    first_mentor = first_mentee + nm
    sink = first_mentor + nt
    n_nodes = sink + 1
    mentee, mentor = np.asarray(p.mentee, np.int64), np.asarray(p.mentor, np.int64)
    low = np.asarray(p.min_load, np.int64)
    total = int(need[:k].sum())
    tails = np.concatenate(
        [
            mentee + first_mentee,
            first_group + group,
            np.arange(nt) + first_mentor,
            np.full(k, hub),
            np.full(k + 1, source),
            [source, sink],
        ]
    )
    heads = np.concatenate(
        [
            mentor + first_mentor,
            np.arange(nm) + first_mentee,
            np.full(nt, sink),
            np.arange(k) + first_group,
            np.arange(k + 1) + first_group,
            [hub, source],
        ]
    )
    n_arcs = tails.size

    def run(
        filled: int | None,
    ) -> tuple[min_cost_flow.SimpleMinCostFlow | None, npt.NDArray[np.int32]]:
        caps = np.concatenate(
            [
                np.ones(p.n_edges + nm, np.int64),
                np.asarray(p.capacity) - low,
                need[:k],
                size - need,
                [total - (filled or 0), nm],
            ]
        )
        costs = np.zeros(n_arcs, np.int64)
        if filled is None:  # stage 1: a unit for each floor place filled
            costs[p.n_edges + nm + nt : p.n_edges + nm + nt + k] = -1
        else:  # stage 2: the objective, with the stage's count as the hub's lower bound
            costs[: p.n_edges] = -np.asarray(p.score, np.int64)
            costs[p.n_edges : p.n_edges + nm] = -np.asarray(p.unmatched_penalty, np.int64)
        supplies = np.zeros(n_nodes, dtype=np.int64)
        supplies[first_mentor:sink] -= low
        supplies[sink] += low.sum()
        if filled:
            supplies[source] -= filled
            supplies[hub] += filled
        smcf = min_cost_flow.SimpleMinCostFlow()
        arcs = smcf.add_arcs_with_capacity_and_unit_cost(
            tails.astype(np.int32), heads.astype(np.int32), caps, costs
        )
        smcf.set_nodes_supplies(np.arange(n_nodes, dtype=np.int32), supplies)
        ok = smcf.solve() == smcf.OPTIMAL
        return (smcf if ok else None), np.asarray(arcs, dtype=np.int32)

    first, _ = run(None)
    if first is None:
        return None
    filled = -int(first.optimal_cost())
    second, arcs = run(filled)
    if second is None:  # pragma: no cover - the first stage's answer is feasible here
        return None
    selected = np.greater(second.flows(arcs[: p.n_edges]), 0)
    return selected, filled
