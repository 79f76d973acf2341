"""The alternatives a user could reach for instead of matchkit, on the same compiled problem.

Every method here gets the edges matchkit compiled (``mentee``, ``mentor``, integer
``profit`` = pair score plus the value of matching the mentee, in milli-points) and the
mentors' capacities, and returns which edges it selects. The selection is turned back into a
:class:`matchkit.MatchResult` by matchkit's own join, so every method's answer is verified
and measured the same way.

* ``bare``: OR-Tools ``SimpleMinCostFlow`` driven by hand (:mod:`benchmarks.bare`);
* ``networkx``: ``networkx.network_simplex`` on a source/mentee/mentor/sink graph with a
  bypass arc per mentee (leaving a mentee unmatched costs nothing);
* ``lsa``: ``scipy.optimize.linear_sum_assignment`` on the dense mentees x slots matrix,
  every mentor's column repeated once per unit of capacity, plus one dummy column per mentee
  (unmatched, cost 0) and a prohibitive cost for ineligible pairs;
* ``milp``: the assignment as a MIP through scipy's HiGHS ``milp``;
* ``cpsat_plain``: CP-SAT with one Boolean per pair, built the way the OR-Tools samples do;
* ``greedy``: the spreadsheet method, pairs sorted by score, each taken if both are free;
* ``random``: pairs in a random order, each taken if both are free (a feasible floor).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["METHODS", "Edges", "dense_bytes"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


class Edges:
    """The compiled problem as plain arrays (what every alternative starts from)."""

    def __init__(
        self,
        n_mentees: int,
        n_mentors: int,
        mentee: npt.NDArray[np.integer],
        mentor: npt.NDArray[np.integer],
        score: I64,
        profit: I64,
        capacity: I64,
    ) -> None:
        self.n_mentees, self.n_mentors = n_mentees, n_mentors
        self.mentee = np.asarray(mentee, dtype=np.int64)
        self.mentor = np.asarray(mentor, dtype=np.int64)
        self.score, self.profit, self.capacity = score, profit, capacity

    @property
    def n_edges(self) -> int:
        return int(self.mentee.size)


def dense_bytes(e: Edges) -> int:
    """Memory of the expanded ``linear_sum_assignment`` cost matrix (float64)."""
    return 8 * e.n_mentees * (int(e.capacity.sum()) + e.n_mentees)


def _take_if_free(e: Edges, order: npt.NDArray[np.intp]) -> B:
    """Walk the edges in ``order``, taking each whose mentee is free and mentor has room."""
    taken = np.zeros(e.n_mentees, dtype=np.bool_).tolist()
    room = e.capacity.tolist()
    mentee, mentor = e.mentee[order].tolist(), e.mentor[order].tolist()
    worth = (e.profit[order] > 0).tolist()
    chosen = []
    for k, (i, j, w) in enumerate(zip(mentee, mentor, worth, strict=True)):
        if w and not taken[i] and room[j] > 0:
            taken[i] = True
            room[j] -= 1
            chosen.append(k)
    selected = np.zeros(e.n_edges, dtype=np.bool_)
    selected[order[np.array(chosen, dtype=np.intp)]] = True
    return selected


def greedy(e: Edges, seed: int) -> tuple[B, str]:
    order = np.lexsort((np.arange(e.n_edges), -e.score))  # best score first, ties by index
    return _take_if_free(e, order), "done"


def random_feasible(e: Edges, seed: int) -> tuple[B, str]:
    order = np.random.default_rng(seed).permutation(e.n_edges)
    return _take_if_free(e, order), "done"


def bare(e: Edges, seed: int) -> tuple[B, str]:
    from ortools.graph.python import min_cost_flow

    from benchmarks.bare import add_side_arcs

    nm, n = e.n_mentees, e.n_edges
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        (e.mentee + 1).astype(np.int32),
        (e.mentor + nm + 1).astype(np.int32),
        np.ones(n, dtype=np.int64),
        -e.profit,
    )
    add_side_arcs(smcf, nm, e.n_mentors, e.capacity)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        return np.zeros(n, dtype=np.bool_), f"status {status}"
    return smcf.flows(arcs) > 0, "optimal"


def networkx_simplex(e: Edges, seed: int) -> tuple[B, str]:
    import networkx as nx

    nm = e.n_mentees
    g = nx.DiGraph()
    g.add_node("s", demand=-nm)
    g.add_node("t", demand=nm)
    g.add_edges_from((("s", ("e", i)) for i in range(nm)), capacity=1, weight=0)
    g.add_edges_from(((("e", i), "t") for i in range(nm)), capacity=1, weight=0)  # unmatched
    g.add_edges_from(
        (("m", j), "t", {"capacity": c, "weight": 0}) for j, c in enumerate(e.capacity.tolist())
    )
    g.add_edges_from(
        (("e", i), ("m", j), {"capacity": 1, "weight": -p})
        for i, j, p in zip(e.mentee.tolist(), e.mentor.tolist(), e.profit.tolist(), strict=True)
    )
    _, flow = nx.network_simplex(g)
    selected = np.fromiter(
        (
            flow[("e", i)].get(("m", j), 0) > 0
            for i, j in zip(e.mentee.tolist(), e.mentor.tolist(), strict=True)
        ),
        dtype=np.bool_,
        count=e.n_edges,
    )
    return selected, "optimal"


def lsa(e: Edges, seed: int) -> tuple[B, str]:
    from scipy.optimize import linear_sum_assignment

    nm = e.n_mentees
    slots = int(e.capacity.sum())
    first_slot = np.concatenate([[0], np.cumsum(e.capacity)[:-1]])
    # Any pair with a positive profit beats a dummy column (cost 0); ineligible cells cost more
    # than every eligible one so they are never chosen while a dummy is free (one per mentee).
    forbidden = float(np.abs(e.profit).max() + 1) if e.n_edges else 1.0
    cost = np.full((nm, slots + nm), forbidden)
    cost[:, slots:] = 0.0
    reps = e.capacity[e.mentor]
    rows = np.repeat(e.mentee, reps)
    offset = np.arange(rows.size) - np.repeat(np.cumsum(reps) - reps, reps)
    cols = np.repeat(first_slot[e.mentor], reps) + offset
    cost[rows, cols] = -np.repeat(e.profit, reps).astype(np.float64)
    r, c = linear_sum_assignment(cost)
    slot_mentor = np.repeat(np.arange(e.n_mentors), e.capacity)
    real = c < slots
    pairs = r[real] * e.n_mentors + slot_mentor[c[real]]
    keys = e.mentee * e.n_mentors + e.mentor
    return np.isin(keys, pairs), "optimal"


def milp(e: Edges, seed: int, time_limit: float | None = None) -> tuple[B, str]:
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    n = e.n_edges
    k = np.arange(n)
    rows = np.concatenate([e.mentee, e.n_mentees + e.mentor])
    a = coo_array(
        (np.ones(2 * n), (rows, np.concatenate([k, k]))),
        shape=(e.n_mentees + e.n_mentors, n),
    ).tocsr()
    upper = np.concatenate([np.ones(e.n_mentees), e.capacity.astype(np.float64)])
    options = {} if time_limit is None else {"time_limit": time_limit}
    res = milp(
        c=-e.profit.astype(np.float64),
        constraints=LinearConstraint(a, -np.inf, upper),
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        options=options,
    )
    if res.x is None:
        return np.zeros(n, dtype=np.bool_), f"no solution ({res.message})"
    return res.x > 0.5, "optimal" if res.status == 0 else f"status {res.status}: {res.message}"


def cpsat_plain(e: Edges, seed: int, time_limit: float | None = None) -> tuple[B, str]:
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in range(e.n_edges)]
    by_mentee: list[list[int]] = [[] for _ in range(e.n_mentees)]
    by_mentor: list[list[int]] = [[] for _ in range(e.n_mentors)]
    for k, (i, j) in enumerate(zip(e.mentee.tolist(), e.mentor.tolist(), strict=True)):
        by_mentee[i].append(k)
        by_mentor[j].append(k)
    for ks in by_mentee:
        if ks:
            model.add_at_most_one(x[k] for k in ks)
    for j, ks in enumerate(by_mentor):
        if ks:
            model.add(sum(x[k] for k in ks) <= int(e.capacity[j]))
    model.maximize(sum(p * x[k] for k, p in enumerate(e.profit.tolist())))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = seed
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return np.zeros(e.n_edges, dtype=np.bool_), solver.status_name(status).lower()
    values = np.fromiter((solver.boolean_value(v) for v in x), dtype=np.bool_, count=e.n_edges)
    return values, solver.status_name(status).lower()


METHODS = {
    "bare": bare,
    "networkx": networkx_simplex,
    "lsa": lsa,
    "milp": milp,
    "cpsat_plain": cpsat_plain,
    "greedy": greedy,
    "random": random_feasible,
}
