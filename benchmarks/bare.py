"""The baseline: OR-Tools ``SimpleMinCostFlow`` driven by hand from the instance arrays.

This is what a careful user writes without matchkit, and it uses the very network matchkit
builds (same node numbering, same arc order), so the two solver runs are identical and any
difference in time or memory is matchkit's own overhead:

* node ``0`` is the source, ``1..n_mentees`` the mentees, then the mentors, then the sink;
* mentee -> mentor, capacity 1, cost ``-score``, one arc per edge (first, so the returned
  arc indices are the edges);
* source -> mentee, capacity 1; mentor -> sink, capacity ``capacity[j]``;
* sink -> source, capacity ``n_mentees``: a circulation with zero supplies, so a mentee
  may stay unmatched.

Each arc group goes in with one bulk ``add_arcs_with_capacity_and_unit_cost`` call and its
arrays are dropped straight after, and the flows come back with one bulk ``flows`` call.
Float scores are put on the same power-of-two grid matchkit uses (``matchkit.core.scaling``),
so both solve the same integer problem.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from benchmarks.instances import Instance

__all__ = ["BareResult", "add_side_arcs", "edge_costs", "solve_bare"]

INT_LIMIT = 2**53


@dataclass(frozen=True, slots=True)
class BareResult:
    objective: float
    optimal_cost: int
    scale: float
    build_time: float
    solve_time: float
    read_time: float


def edge_costs(
    score: npt.NDArray[np.int64] | npt.NDArray[np.float64], n_nodes: int, units: int
) -> tuple[npt.NDArray[np.int64], float]:
    """Integer arc costs ``-round(S * score)`` and the scale ``S`` (1 for integer scores)."""
    if score.dtype.kind in "iu":
        return np.negative(score, dtype=np.int64), 1.0
    max_abs = float(np.abs(score).max()) if score.size else 0.0
    scale = 1.0
    if max_abs > 0.0:
        magnitude = max(n_nodes + 1, units + 1)
        scale = 2.0 ** math.floor(math.log2(INT_LIMIT / (max_abs * magnitude)))
    scaled = score * scale
    np.rint(scaled, out=scaled)
    np.negative(scaled, out=scaled)
    return scaled.astype(np.int64), scale


def _add_edge_arcs(
    smcf: min_cost_flow.SimpleMinCostFlow, inst: Instance, n_nodes: int
) -> tuple[npt.NDArray[np.int32], float]:
    nm = inst.size.n_mentees
    n_edges = inst.mentee.shape[0]
    costs, scale = edge_costs(inst.score, n_nodes, min(nm, n_edges))
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        inst.mentee + np.int32(1),
        inst.mentor + np.int32(nm + 1),
        np.ones(n_edges, dtype=np.int64),
        costs,
    )
    return arcs, scale


def add_side_arcs(
    smcf: min_cost_flow.SimpleMinCostFlow,
    nm: int,
    nt: int,
    capacity: npt.NDArray[np.integer],
) -> None:
    """Source -> mentee, mentor -> sink and sink -> source arcs (see the module docstring)."""
    sink = nm + nt + 1
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.zeros(nm, dtype=np.int32),
        np.arange(1, nm + 1, dtype=np.int32),
        np.ones(nm, dtype=np.int64),
        np.zeros(nm, dtype=np.int64),
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.arange(nm + 1, nm + nt + 1, dtype=np.int32),
        np.full(nt, sink, dtype=np.int32),
        capacity.astype(np.int64, copy=False),
        np.zeros(nt, dtype=np.int64),
    )
    smcf.add_arcs_with_capacity_and_unit_cost(
        np.array([sink], dtype=np.int32),
        np.array([0], dtype=np.int32),
        np.array([nm], dtype=np.int64),
        np.array([0], dtype=np.int64),
    )


def solve_bare(inst: Instance) -> BareResult:
    """Solve ``inst`` by hand with ``SimpleMinCostFlow``; the objective is from the flows."""
    t0 = time.perf_counter()
    n_nodes = inst.size.n_mentees + inst.size.n_mentors + 2
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs, scale = _add_edge_arcs(smcf, inst, n_nodes)
    add_side_arcs(smcf, inst.size.n_mentees, inst.size.n_mentors, inst.capacity)
    t1 = time.perf_counter()
    status = smcf.solve()
    t2 = time.perf_counter()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"bare SimpleMinCostFlow did not solve to optimality: {status}")
    selected = smcf.flows(arcs) > 0
    objective = float(inst.score[selected].sum())
    t3 = time.perf_counter()
    return BareResult(
        objective=objective,
        optimal_cost=int(smcf.optimal_cost()),
        scale=scale,
        build_time=t1 - t0,
        solve_time=t2 - t1,
        read_time=t3 - t2,
    )
