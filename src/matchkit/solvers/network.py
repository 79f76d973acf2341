"""The flow network behind an `AssignmentProblem` (unit weights), as bulk numpy arrays.

Nodes: ``0`` is the source, ``1..n_mentees`` the mentees, then the mentors, then the sink.
Arcs, in this order (so arc ``k < n_free`` is the k-th free edge):

1. one arc per free (not pinned) edge, mentee -> mentor, capacity 1;
2. source -> mentee ``i``, capacity ``demand[i] - required[i]``;
3. mentor ``j`` -> sink, capacity ``capacity[j] - min_load[j]``;
4. sink -> source, capacity ``sum(demand)``: the network is a circulation.

Lower bounds (``required``, ``min_load`` and pinned edges) use the standard transformation:
an arc ``u -> v`` that must carry ``l`` units keeps capacity ``c - l`` and moves ``l`` units of
supply, ``b[u] -= l`` and ``b[v] += l``. A feasible circulation with these supplies is exactly
a selection meeting every rule; one pass, no re-solving.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow

from matchkit.core.problem import AssignmentProblem, Feature

__all__ = ["Network", "build_network", "circulation_arcs", "group_max"]

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Network:
    n_nodes: int
    n_free: int
    free: npt.NDArray[np.intp] | None
    """Edge indices of the free edges, or None when every edge is free."""
    tails: I32
    heads: I32
    caps: I64
    supplies: I64


def circulation_arcs(
    e_mentee: npt.NDArray[np.integer[Any]],
    e_mentor: npt.NDArray[np.integer[Any]],
    mentee_caps: I64,
    mentor_caps: I64,
    total: int,
) -> tuple[I32, I32, I64]:
    """Tails, heads and capacities of the circulation's arcs, in the order above: one per
    edge (capacity 1), source -> each mentee (``mentee_caps``), each mentor -> sink
    (``mentor_caps``), sink -> source (``total``)."""
    nm, nt, n_free = mentee_caps.size, mentor_caps.size, int(e_mentee.shape[0])
    sink = nm + nt + 1
    n_arcs = n_free + nm + nt + 1
    tails = np.empty(n_arcs, dtype=np.int32)
    heads = np.empty(n_arcs, dtype=np.int32)
    np.add(e_mentee, 1, out=tails[:n_free], casting="unsafe")
    np.add(e_mentor, nm + 1, out=heads[:n_free], casting="unsafe")
    tails[n_free : n_free + nm] = 0
    heads[n_free : n_free + nm] = np.arange(1, nm + 1, dtype=np.int32)
    tails[n_free + nm : n_arcs - 1] = np.arange(nm + 1, nm + nt + 1, dtype=np.int32)
    heads[n_free + nm : n_arcs - 1] = sink
    tails[-1], heads[-1] = sink, 0
    caps = np.empty(n_arcs, dtype=np.int64)
    caps[:n_free] = 1
    caps[n_free : n_free + nm] = mentee_caps
    caps[n_free + nm : n_arcs - 1] = mentor_caps
    caps[-1] = total
    return tails, heads, caps


def build_network(problem: AssignmentProblem) -> Network:
    """Arcs and supplies of the problem's circulation (see the module docstring)."""
    nm, nt = problem.n_mentees, problem.n_mentors
    sink = nm + nt + 1
    n_nodes = nm + nt + 2
    if Feature.PINNED in problem.features:
        free: npt.NDArray[np.intp] | None = np.flatnonzero(~problem.pinned)
        e_mentee, e_mentor = problem.mentee[free], problem.mentor[free]
    else:
        free = None
        e_mentee, e_mentor = problem.mentee, problem.mentor
    tails, heads, caps = circulation_arcs(
        e_mentee,
        e_mentor,
        problem.demand - problem.required,
        problem.capacity - problem.min_load,
        int(problem.demand.sum()),
    )

    supplies = np.zeros(n_nodes, dtype=np.int64)
    supplies[0] = -int(problem.required.sum())
    supplies[1 : nm + 1] = problem.required
    supplies[nm + 1 : nm + nt + 1] = -problem.min_load
    supplies[sink] = int(problem.min_load.sum())
    if free is not None:
        pins = np.flatnonzero(problem.pinned)
        supplies[1 : nm + 1] -= np.bincount(problem.mentee[pins], minlength=nm)
        supplies[nm + 1 : nm + nt + 1] += np.bincount(problem.mentor[pins], minlength=nt)
    return Network(n_nodes, int(e_mentee.shape[0]), free, tails, heads, caps, supplies)


def group_max(problem: AssignmentProblem, rows: I64) -> int:
    """The most of the mentees ``rows`` matched at once: a max flow over their eligible edges
    into their mentors' places (capacities), ignoring everyone else."""
    p = problem
    inside = np.zeros(p.n_mentees, dtype=np.bool_)
    inside[rows] = True
    edges = np.flatnonzero(inside[np.asarray(p.mentee, np.int64)])
    if edges.size == 0:
        return 0
    nm, nt = p.n_mentees, p.n_mentors
    source, first_mentee = 0, 1
    first_mentor = first_mentee + nm
    sink = first_mentor + nt
    mentee = np.asarray(p.mentee, np.int64)[edges]
    mentor = np.asarray(p.mentor, np.int64)[edges]
    used = np.unique(mentor)
    tails = np.concatenate([np.full(rows.size, source), mentee + first_mentee, used + first_mentor])
    heads = np.concatenate([rows + first_mentee, mentor + first_mentor, np.full(used.size, sink)])
    caps = np.concatenate(
        [np.ones(rows.size + edges.size, np.int64), np.asarray(p.capacity, np.int64)[used]]
    )
    smf = max_flow.SimpleMaxFlow()
    smf.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), caps)
    if smf.solve(source, sink) != smf.OPTIMAL:  # pragma: no cover - a max flow always exists
        raise RuntimeError("max flow failed")
    return int(smf.optimal_flow())
