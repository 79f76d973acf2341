"""Explaining why a problem has no feasible selection, in words a person can act on.

Two stages. :func:`quick_explanation` runs cheap, vectorised necessary conditions before any
solver starts (pins that overload a mentor, a mentee that requires more mentors than it has
candidates, totals that cannot balance, ...). :func:`cut_explanation` runs after a solver
reports infeasibility: a max-flow over the lower-bounded network (unit weights) whose
minimum cut names the mentees and mentors that form the bottleneck.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow

from matchkit.core.problem import AssignmentProblem, Feature
from matchkit.solvers.network import build_network

__all__ = ["cut_explanation", "quick_explanation"]

_SHOWN = 5


def _first(idx: npt.NDArray[np.intp]) -> str:
    head = ", ".join(str(int(i)) for i in idx[:_SHOWN])
    return head + (f" and {idx.size - _SHOWN} more" if idx.size > _SHOWN else "")


def quick_explanation(problem: AssignmentProblem) -> str | None:
    """The first cheap reason the problem is infeasible, or None if none is found.

    None does not mean feasible: only a solver can tell that.
    """
    p = problem
    reasons: list[str] = []
    pins = np.flatnonzero(p.pinned) if Feature.PINNED in p.features else np.empty(0, np.intp)
    if pins.size:
        pinned_load = np.bincount(p.mentor[pins], weights=p.weight[pins], minlength=p.n_mentors)
        over = np.flatnonzero(pinned_load > p.capacity)
        for j in over[:_SHOWN]:
            n = int(np.count_nonzero(p.mentor[pins] == j))
            units = "" if Feature.WEIGHT not in p.features else f", {int(pinned_load[j])} units"
            reasons.append(
                f"pinned edges overload mentor {j} ({n} pinned{units}, capacity {p.capacity[j]})"
            )
        pinned_count = np.bincount(p.mentee[pins], minlength=p.n_mentees)
        over = np.flatnonzero(pinned_count > p.demand)
        for i in over[:_SHOWN]:
            reasons.append(
                f"mentee {i} has {pinned_count[i]} pinned edges but demand {p.demand[i]}"
            )
    # Edge-wide counts only where a rule needs them (they cost a pass over every edge).
    if Feature.REQUIRED in p.features:
        degree = np.bincount(p.mentee, minlength=p.n_mentees)
        short = np.flatnonzero(p.required > degree)
    else:
        short = np.empty(0, np.intp)
    for i in short[:_SHOWN]:
        reasons.append(
            f"mentee {i} requires {p.required[i]} mentor(s) but has {degree[i]} candidate edge(s)"
        )
    if Feature.MIN_LOAD in p.features:
        reach = np.bincount(p.mentor, weights=p.weight, minlength=p.n_mentors)
        short = np.flatnonzero(p.min_load > reach)
    else:
        short = np.empty(0, np.intp)
    for j in short[:_SHOWN]:
        reasons.append(
            f"mentor {j} must take at least {p.min_load[j]} unit(s) but its candidate edges "
            f"offer only {int(reach[j])}"
        )
    total_required = int(p.required.sum())
    total_capacity = int(p.capacity.sum())
    min_weight = int(p.weight.min()) if p.n_edges else 1
    if total_required * min_weight > total_capacity:
        reasons.append(
            f"total required demand {total_required} exceeds total capacity {total_capacity}"
            + (f" (each edge uses at least {min_weight} units)" if min_weight > 1 else "")
        )
    total_min_load = int(p.min_load.sum())
    max_weight = int(p.weight.max()) if p.n_edges else 1
    total_demand = int(p.demand.sum())
    if total_min_load > total_demand * max_weight:
        reasons.append(
            f"total minimum load {total_min_load} exceeds what total demand {total_demand} can fill"
        )
    return "; ".join(reasons) if reasons else None


def cut_explanation(problem: AssignmentProblem) -> str:
    """Explain an infeasibility a solver proved, through a minimum cut.

    For unit weights the cut is exact: it names the mentees with required mentors and the
    mentors with minimum loads whose forced units cannot all be routed. With non-unit weights
    the unit-weight relaxation may be feasible; then the weights are named as the cause.
    """
    net = build_network(problem)
    n = net.n_nodes
    super_source, super_sink = n, n + 1
    excess = np.flatnonzero(net.supplies > 0)
    deficit = np.flatnonzero(net.supplies < 0)
    smf = max_flow.SimpleMaxFlow()
    smf.add_arcs_with_capacity(net.tails, net.heads, net.caps)
    smf.add_arcs_with_capacity(
        np.full(excess.size, super_source, np.int32),
        excess.astype(np.int32),
        net.supplies[excess],
    )
    smf.add_arcs_with_capacity(
        deficit.astype(np.int32),
        np.full(deficit.size, super_sink, np.int32),
        -net.supplies[deficit],
    )
    status = smf.solve(super_source, super_sink)
    forced = int(net.supplies[excess].sum())
    if status != smf.OPTIMAL:
        return "no selection meets every rule (the diagnostic max-flow did not finish)"
    routed = int(smf.optimal_flow())
    if routed >= forced:
        if Feature.WEIGHT in problem.features:
            return (
                "no selection meets the mentors' capacities in weight units together with the "
                "required mentors, minimum loads and pinned edges (proved by the solver; "
                "with unit weights it would be feasible)"
            )
        return "no selection meets every rule (proved by the solver)"
    nm, nt = problem.n_mentees, problem.n_mentors
    source, sink = 0, nm + nt + 1
    n_base = net.tails.shape[0]
    fed = smf.flows(np.arange(n_base, n_base + excess.size))
    drained = smf.flows(np.arange(n_base + excess.size, n_base + excess.size + deficit.size))
    unmet_excess = np.zeros(n, dtype=bool)
    unmet_excess[excess[fed < net.supplies[excess]]] = True
    unmet_deficit = np.zeros(n, dtype=bool)
    unmet_deficit[deficit[drained < -net.supplies[deficit]]] = True
    # Nodes the super source still reaches, and nodes that still reach the super sink. Through
    # the source/sink hubs these sets can take in bystanders; then only nodes whose own forced
    # units are stranded are named.
    s_side = np.zeros(n + 2, dtype=bool)
    s_side[np.asarray(smf.get_source_side_min_cut(), dtype=np.int64)] = True
    t_side = np.zeros(n + 2, dtype=bool)
    t_side[np.asarray(smf.get_sink_side_min_cut(), dtype=np.int64)] = True
    mentee_nodes = np.arange(1, nm + 1)
    mentor_nodes = np.arange(nm + 1, nm + nt + 1)
    stuck = net.supplies[mentee_nodes] > 0
    stuck &= unmet_excess[mentee_nodes] if s_side[sink] else s_side[mentee_nodes]
    under = net.supplies[mentor_nodes] < 0
    under &= unmet_deficit[mentor_nodes] if t_side[source] else t_side[mentor_nodes]
    parts = [
        f"only {routed} of the {forced} forced units (required mentors, minimum loads, "
        "pinned edges) can be placed"
    ]
    if stuck.any():
        full = np.flatnonzero(s_side[mentor_nodes] & (problem.capacity > 0))
        parts.append(
            f"mentees {_first(np.flatnonzero(stuck))} cannot all get their required mentors"
        )
        if full.size:
            parts.append(f"their candidate mentors {_first(full)} are full")
    if under.any():
        parts.append(
            f"mentors {_first(np.flatnonzero(under))} cannot all reach their minimum loads"
        )
    return "; ".join(parts)
