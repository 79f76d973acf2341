"""The ``simplex`` backend: LEMON's network simplex (as shipped in POT) on priced edges.

Optional: ``pip install matchkit[pot]``. Matching where each mentee wants at most one mentor
is a transportation problem: mentees supply one unit each, mentors take up to their
capacity, and a dummy mentor ("unmatched", cost 0) takes the rest; a dummy mentee feeds the
capacity nobody uses. POT's sparse ``emd`` solves it with LEMON's network simplex and
returns the dual potentials ``u`` (mentees) and ``v`` (mentors), which make the answer
provable without handing the solver every edge:

1. **Exact reductions.** An edge worth less than leaving its mentee unmatched (profit < 0)
   is in no optimal answer (unmatching is always allowed here): dropped.
2. **Price.** Solve over each mentee's :data:`CANDIDATES` most profitable edges only, then
   check every edge's reduced cost ``-profit - u[mentee] - v[mentor]`` in one vectorised
   pass. If none is negative, the duals prove the answer optimal over *all* edges (linear
   programming duality; the transportation polytope is integral); otherwise the violating
   edges join and the solve repeats. The result is the same optimum as over every edge,
   proven, after solving a problem a quarter of the size.

Profits are the flow backend's integer grid (:mod:`matchkit.core.scaling`) as float64 (exact
below 2**53), so both backends solve the same problem. Supports the unmatched penalty;
``demand > 1`` (an edge then needs capacity 1, which transportation cannot state), pins,
required mentees, minimum loads and edge weights are left to the other backends.

``import ot`` takes about 1.3 s (it imports much of scipy); this module imports it when
first used, once per process, so ``method="auto"`` only picks this backend on problems
large enough to repay it (:data:`AUTO_MIN_EDGES`).
"""

from __future__ import annotations

import importlib.util
import sys
import time
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from matchkit.core.assignment import Assignment
from matchkit.core.problem import AssignmentProblem, Feature
from matchkit.core.scaling import scaled_profits
from matchkit.errors import MissingDependencyError
from matchkit.solvers.base import Backend, SolveOptions, proven_optimal
from matchkit.solvers.priced import rank_in_runs, solve_priced

__all__ = [
    "AUTO_MAX_DEGREE",
    "AUTO_MIN_EDGES",
    "CANDIDATES",
    "SIMPLEX",
    "SimplexTuning",
    "installed",
    "solve_simplex",
    "takes",
]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

CANDIDATES = 12
"""Edges per mentee in the first solve (each mentee's most profitable). Every further round
solves from scratch (POT's sparse solver takes no warm start), so the first should rarely
miss: at 200,000 x 50,000 with 50 random candidates each, 10 missed one edge (a second round:
11.4 s in all) and 12 none (4.3 s); 8 missed 39 at 200,000 x 60,000."""
AUTO_MIN_EDGES = 200_000
"""``method="auto"`` takes this backend from this many edges (by size only, so that the
choice never depends on what the process imported before): below it, POT's import costs
more than the flow backend's whole solve."""
AUTO_MAX_DEGREE = 120
"""...and only while mentees have at most this many candidate edges on average. Where they
have many more and compete hard for the same mentors, the first round's 12 edges per mentee
miss most of the optimum's and every further round is a whole solve: on the synthetic Seoul
cohort (1,336,936 edges, 223 per mentee) 4 rounds took 2.3 s against 1.0 s for the flow
backend (0.9-1.1 s with 20-30 first edges per mentee and each mentor's best edges added,
still no faster). The engine benchmark's instances (50 and 100 per mentee) need one round."""
CROWDED = 8
MAX_CROWDING = 0.1
"""Chosen by ``method="auto"``, the backend hands the problem to the ``priced`` backend
(min-cost flow on priced edges, :mod:`matchkit.solvers.priced`) when more
than this share of mentees have a first choice (most profitable mentor) that more than
:data:`CROWDED` times its capacity also want first. Where many compete for the same few
mentors, the first round misses much of the optimum and the network simplex itself slows
down: a metro-size cohort with 60 candidates per mentee (45% crowded) took 5 rounds and
21.7 s against 4.8 s for flow, its first round alone 4.5 s; the Seoul cohort is 50% crowded.
The engine benchmark's random instances are 1-2% crowded and need one round."""
MAX_ITERATIONS = 2**62
"""Network simplex pivots allowed (POT's default, 100,000, stops large problems early)."""


@dataclass(frozen=True, slots=True)
class SimplexTuning:
    """The backend's measured constants as one value, so that a test (or a study) can set
    them per call: ``solve_simplex(problem, options, tuning=SimplexTuning(candidates=2))``."""

    candidates: int = CANDIDATES
    auto_min_edges: int = AUTO_MIN_EDGES
    auto_max_degree: int = AUTO_MAX_DEGREE
    max_crowding: float = MAX_CROWDING


def takes(problem: AssignmentProblem, tuning: SimplexTuning = SimplexTuning()) -> bool:
    """Whether ``method="auto"`` takes this backend for ``problem`` (features aside): from
    :data:`AUTO_MIN_EDGES` edges, at most :data:`AUTO_MAX_DEGREE` per mentee on average, and
    POT installed."""
    sized = tuning.auto_min_edges <= problem.n_edges <= tuning.auto_max_degree * problem.n_mentees
    return sized and installed()


def installed() -> bool:
    """Whether POT (the ``pot`` extra) can be imported."""
    return "ot" in sys.modules or importlib.util.find_spec("ot") is not None


def _top(mentee: I64, profit: I64, n_mentees: int, k: int) -> tuple[npt.NDArray[np.bool_], I64]:
    """Each mentee's ``k`` most profitable edges (ties in a fixed order, for a given input),
    and each mentee's most profitable edge (of mentees with any).

    One sort of one int64 key, mentee then profit descending (``np.lexsort`` on the two took
    four times as long), where the key fits; else two stable sorts."""
    if mentee.size == 0:
        return np.zeros(0, dtype=np.bool_), np.zeros(0, dtype=np.int64)
    low, high = int(profit.min()), int(profit.max())
    span = high - low + 1
    if n_mentees * span < 2**62:
        key = mentee * span + (high - profit)
        order = np.argsort(key)
        del key
    else:
        by_profit = np.argsort(-profit, kind="stable")
        order = by_profit[np.argsort(mentee[by_profit], kind="stable")]
    rank = rank_in_runs(mentee[order])
    keep = np.zeros(mentee.size, dtype=np.bool_)
    keep[order[rank < k]] = True
    return keep, order[rank == 0]


def _crowding(first: I64, capacity: I64) -> float:
    """Share of mentees whose first choice more than CROWDED times its capacity want first."""
    if first.size == 0:
        return 0.0
    wanted = np.bincount(first, minlength=capacity.size)
    crowded = wanted > CROWDED * np.maximum(capacity, 1)
    return float(crowded[first].mean())


def _transport(
    mentee: I64, mentor: I64, cost: F64, demand: I64, capacity: I64, n_mentors: int
) -> tuple[I64, I64, F64, F64, int]:
    """POT's sparse network simplex: flows (source, target) and the duals ``u``, ``v``."""
    from ot.lp.emd_wrap import emd_c_sparse

    n_mentees = demand.size
    dummy_s, dummy_t = n_mentees, n_mentors
    sources = np.concatenate(
        [mentee, np.arange(n_mentees), np.full(n_mentors + 1, dummy_s)]
    ).astype(np.uint64)
    targets = np.concatenate(
        [mentor, np.full(n_mentees, dummy_t), np.arange(n_mentors + 1)]
    ).astype(np.uint64)
    costs = np.concatenate([cost, np.zeros(n_mentees + n_mentors + 1)])
    a = np.r_[demand.astype(np.float64), float(capacity.sum())]
    b = np.r_[capacity.astype(np.float64), float(demand.sum())]
    fs, ft, fv, _, u, v, code = emd_c_sparse(a, b, sources, targets, costs, MAX_ITERATIONS)
    return (
        np.asarray(fs, dtype=np.int64)[np.asarray(fv) > 0.5],
        np.asarray(ft, dtype=np.int64)[np.asarray(fv) > 0.5],
        np.asarray(u, dtype=np.float64),
        np.asarray(v, dtype=np.float64),
        int(code),
    )


def solve_simplex(
    problem: AssignmentProblem, options: SolveOptions, *, tuning: SimplexTuning = SimplexTuning()
) -> Assignment:
    """Solve ``problem`` exactly by priced network simplex (see the module docstring); the
    constants are ``tuning``'s (the measured defaults unless given)."""
    if not installed():
        raise MissingDependencyError("simplex", "pot")
    t0 = time.perf_counter()
    n, m = problem.n_mentees, problem.n_mentors
    profits = scaled_profits(problem, n + m + 2)
    profit, scale = profits.profit, profits.scale
    mentee = problem.mentee.astype(np.int64)
    mentor = problem.mentor.astype(np.int64)
    useful = profit >= 0
    keep, best = _top(mentee, np.where(useful, profit, -1), n, tuning.candidates)
    keep &= useful
    if options.chosen_by_auto and (_crowding(mentor[best], problem.capacity) > tuning.max_crowding):
        spent = time.perf_counter() - t0  # the check itself: profits and first choices
        answer = solve_priced(problem, options)
        return replace(answer, stats={**answer.stats, "simplex_time": spent})
    rounds, solve_time = 0, 0.0
    edges = np.flatnonzero(keep)
    fs = ft = np.empty(0, dtype=np.int64)
    while useful.any() and problem.demand.sum() > 0:  # else choosing nothing is optimal
        rounds += 1
        edges = np.flatnonzero(keep)
        t = time.perf_counter()
        cost = -profit[edges].astype(np.float64)
        fs, ft, u, v, code = _transport(
            mentee[edges], mentor[edges], cost, problem.demand, problem.capacity, m
        )
        solve_time += time.perf_counter() - t
        if code != 1:  # POT's OPTIMAL
            raise RuntimeError(f"network simplex did not reach the optimum (POT code {code})")
        # Reduced costs are integers (integer costs, tree potentials): -0.5 is exact.
        reduced = -profit.astype(np.float64) - u[mentee] - v[mentor]
        violated = useful & ~keep & (reduced < -0.5)
        if not violated.any():
            break
        keep |= violated
    selected = np.zeros(problem.n_edges, dtype=np.bool_)
    real = (fs < n) & (ft < m)
    key = mentee[edges] * m + mentor[edges]  # unique: no duplicate edges in a problem
    order = np.argsort(key, kind="stable")
    found = np.searchsorted(key, fs[real] * m + ft[real], sorter=order)
    selected[edges[order[found]]] = True
    stats = {
        "rounds": rounds,
        "priced_edges": int(edges.size),
        "solve_time": solve_time,
        "rounding_slack": profits.slack,
    }
    return proven_optimal(
        problem, selected, method="simplex", started=t0, score_scale=scale, stats=stats
    )


SIMPLEX = Backend(
    name="simplex",
    solve=solve_simplex,
    supports=frozenset({Feature.PENALTY}),
    exact=True,
    auto=takes,
    description="LEMON network simplex via POT (optional extra) on priced edges; exact",
)
