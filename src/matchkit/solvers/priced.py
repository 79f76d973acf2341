"""The ``priced`` backend: min-cost flow on a few edges, proven optimal over all of them.

Matching where each mentee wants at most one mentor is a transportation problem, and its
linear-programming dual gives every mentor a price ``z`` (what one of its places is worth at
the optimum) and every mentee a value ``y``. Any selection whose prices and values satisfy
``y[i] + z[j] >= profit`` on *every* edge, with equality on the chosen ones, is optimal over
every edge (linear-programming duality; the transportation polytope is integral). So:

1. **Exact reductions.** Edges worth less than leaving the mentee unmatched (profit < 0), and
   edges of mentees wanting nobody or of mentors with no place, are in no optimal answer.
2. **A small first problem.** Each mentee's :data:`CANDIDATES` most profitable edges, and
   each mentor's :data:`FALLBACKS` edges that cost their mentee least against its best
   (where a mentee goes when its favourites are full). On crowded cohorts, where places are
   fewer than mentees and the best mentors are wanted by many, the second set is what makes
   the first answer nearly right.
3. **Solve it** with OR-Tools min-cost flow (as the ``flow`` backend, on the same integer
   profits), then compute the **minimal prices** that prove it optimal there: a longest-path
   problem between mentors (one vectorised Bellman-Ford pass per step; the answer's optimality
   is exactly the absence of positive cycles). The values follow, and the dual objective must
   equal the answer's: checked, as a certificate.
4. **Price every edge** in one numpy pass. If none has ``profit > y + z``, the answer is
   optimal over all edges, proven.
5. **Repair** otherwise: each mentee with underpriced edges gets its :data:`ADDED` most
   underpriced ones for later solves, and the answer is improved by a min-cost circulation
   over the arcs of its residual network of small reduced cost (:mod:`.circulation`): exactly
   optimal over every edge when those arcs are few enough, else optimal over the edges
   offered, which step 3 then proves (or, if its prices keep rising or give no certificate,
   the edges kept so far are solved again). Back to step 4.

Every answer returned is proven by step 4. If a proof fails where it cannot (after a solve or
an exact circulation step), or :data:`MAX_ROUNDS` pass, the whole problem goes to the
``flow`` backend (never seen so far).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow

from matchkit.core.assignment import Assignment
from matchkit.core.problem import AssignmentProblem, Feature
from matchkit.core.scaling import scaled_profits
from matchkit.solvers.base import Backend, SolveOptions, proven_optimal
from matchkit.solvers.circulation import circulate, shortfall
from matchkit.solvers.flow import solve_flow
from matchkit.solvers.network import circulation_arcs

__all__ = [
    "ADDED",
    "AUTO_MIN_EDGES",
    "CANDIDATES",
    "FALLBACKS",
    "PRICED",
    "PricedTuning",
    "rank_in_runs",
    "solve_priced",
    "takes",
]

I64 = npt.NDArray[np.int64]
IntArray = npt.NDArray[np.integer[Any]]
Bool = npt.NDArray[np.bool_]
U8 = npt.NDArray[np.uint8]

CANDIDATES = 6
"""Edges per mentee in the first problem (its most profitable)."""
FALLBACKS = 60
"""Edges per mentor in the first problem: those whose mentees lose least against their best.

Measured on the synthetic cohorts (fresh processes, 2-core machine): each mentee's 12 best
edges alone leave the first answer 22% short at Seoul size (570,000 underpriced edges);
with 40 fallbacks per mentor added it is 0.04% short (7,800). In crowded cohorts the
optimum goes deep into mentees' lists (at metro size, a tenth of matched mentees get their
45th choice or worse), and a mentor's fallbacks are where they land. With 6 and 60 every
cohort tried took one solve and two circulation steps; with 6 and 30, and with 6 or 4 and 40,
national size took more."""
ADDED = 30
"""Underpriced edges added per mentee and round (its most underpriced)."""
CIRCULATION_SHARE = 0.3
"""A circulation step offers at most this share of the edges solved over (where more are within its
bound, a partial circulation step). Measured at national size after the first solve (48,000 edges
underpriced): 0.3 took two circulation steps, 4.2 and 4.6 s (25.0 s in all); 0.2 three (28.3 s);
0.5 two, larger (27.1 s); 0.1 left an answer that was not optimal over the edges offered,
solved again (a second solve costs 9-10 s there). OR-Tools' time on a circulation step follows its
nodes more than its arcs: the residual arcs that lead nowhere are dropped first."""
MAX_ROUNDS = 40
"""Beyond this many rounds the problem goes to the flow backend (none needed so far)."""
AUTO_MIN_EDGES = 200_000
"""``method="auto"`` takes this backend from this many edges (below, flow takes a few ms)."""
BINS = 32


@dataclass(frozen=True, slots=True)
class PricedTuning:
    """The backend's measured constants as one value, so that a test (or a study) can set
    them per call: ``solve_priced(problem, options, tuning=PricedTuning(candidates=1))``."""

    candidates: int = CANDIDATES
    fallbacks: int = FALLBACKS
    added: int = ADDED
    circulation_share: float = CIRCULATION_SHARE
    max_rounds: int = MAX_ROUNDS
    auto_min_edges: int = AUTO_MIN_EDGES


def takes(problem: AssignmentProblem, tuning: PricedTuning = PricedTuning()) -> bool:
    """Whether ``method="auto"`` takes this backend for ``problem`` (features aside): from
    :data:`AUTO_MIN_EDGES` edges."""
    return problem.n_edges >= tuning.auto_min_edges


def rank_in_runs(keys: IntArray) -> I64:
    """Each position's rank within its run of equal ``keys`` (sorted): 0, 1, ... per run."""
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return np.arange(keys.size) - np.repeat(first, np.diff(np.r_[first, keys.size]))


def _bins(loss: I64, work: I64) -> U8:
    """Each loss's bin of :data:`BINS` (``work``: scratch), rising with the loss.

    Cut at quantiles of a regular sample of the losses, through a table over ``loss >>
    shift`` (one gather instead of a binary search per edge; losses one ``2**shift`` apart
    may share a bin, which only moves the cuts)."""
    sample = loss[:: max(1, loss.size // 65_536)]
    cuts = np.quantile(sample, np.linspace(0, 1, BINS + 1)[1:-1], method="lower")
    shift = (int(cuts[-1]) >> 15).bit_length()  # the top cut maps below 2**15
    table = np.searchsorted(cuts, np.arange(2**16, dtype=np.int64) << shift).astype(np.uint8)
    key = np.right_shift(loss, shift, out=work)
    np.minimum(key, 2**16 - 1, out=key)
    return table[key]


def _top_per_group(
    group: IntArray,
    loss: I64,
    bins: U8,
    n_groups: int,
    k: int,
    work: I64,
) -> Bool:
    """Each group's ``k`` edges of least ``loss`` (>= 0; ties in a fixed order).

    Without sorting every edge: a histogram of the losses' ``bins`` per group bounds each
    group's k-th loss, and only the edges under the bound are sorted (``work``: scratch).
    """
    keep = np.zeros(group.size, dtype=np.bool_)
    if group.size == 0 or k <= 0:
        return keep
    cell = np.multiply(group, BINS, out=work, casting="unsafe")
    cell += bins
    counts = np.bincount(cell, minlength=n_groups * BINS).reshape(n_groups, BINS)
    enough = np.cumsum(counts, axis=1) >= k
    limit = np.where(enough[:, -1], enough.argmax(axis=1), BINS - 1).astype(np.uint8)
    cand = np.flatnonzero(bins <= limit[group])
    span = int(loss[cand].max()) + 1 if cand.size else 1
    g = group[cand].astype(np.int64)
    if n_groups * span < 2**62:
        order = np.argsort(g * span + loss[cand])
    else:
        order = np.lexsort((loss[cand], g))
    keep[cand[order[rank_in_runs(g[order]) < k]]] = True
    return keep


def _flow(
    mentee: IntArray, mentor: IntArray, profit: I64, demand: I64, capacity: I64
) -> I64 | None:
    """An optimal selection (indices) over the given edges, by OR-Tools (the flow backend's
    network, :mod:`._network`)."""
    k = mentee.size
    tails, heads, caps = circulation_arcs(mentee, mentor, demand, capacity, int(demand.sum()))
    costs = np.zeros(tails.size, dtype=np.int64)
    np.negative(profit, out=costs[:k])
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    del tails, heads, caps, costs
    if smcf.solve() != smcf.OPTIMAL:
        return None
    return np.flatnonzero(smcf.flows(arcs[:k]) > 0)


def _group_order(group: IntArray, n_groups: int) -> npt.NDArray[np.intp]:
    """A stable order of ``group`` (values below ``n_groups``): a radix sort where they fit
    16 bits (numpy sorts those in linear time: 0.06 s for 4 million, not 0.48 s)."""
    if n_groups <= 2**16:
        return np.argsort(group.astype(np.uint16), kind="stable")
    return np.argsort(group, kind="stable")


def _prices(
    mentee: IntArray, mentor: IntArray, profit: I64, chosen: I64, n: int, m: int, limit: int
) -> tuple[I64 | None, int]:
    """The least mentor prices proving ``chosen`` optimal over these edges, or None.

    Prices ``z >= 0`` with ``z[j'] >= profit(i, j')`` for every unmatched mentee ``i`` and
    ``z[j'] - z[j] >= profit(i, j') - profit(i, j)`` for every mentee ``i`` matched to ``j``:
    longest paths from the unmatched mentees' edges, found by Bellman-Ford steps over the
    mentors whose price rose in the step before; and the steps taken. None when ``limit``
    steps do not settle them (as with a positive cycle: ``chosen`` is not optimal here).
    """
    assigned = np.full(n, -1, dtype=np.int64)
    assigned[mentee[chosen]] = mentor[chosen]
    got = np.zeros(n, dtype=np.int64)
    got[mentee[chosen]] = profit[chosen]
    a = assigned[mentee]
    z = np.zeros(m, dtype=np.int64)
    free = a < 0
    np.maximum.at(z, mentor[free], profit[free])
    arcs = np.flatnonzero(~free & (mentor != a))
    src = a[arcs]
    order = _group_order(src, m)
    src = src[order]
    dst = mentor[arcs][order]
    w = profit[arcs][order] - got[mentee[arcs][order]]
    del arcs, order, a, free
    start = np.searchsorted(src, np.arange(m + 1))
    active = np.arange(m)  # every price bounds others from below, zero ones too
    for step in range(limit):
        if active.size == 0:
            return z, step
        lo = start[active]
        sizes = start[active + 1] - lo
        idx = np.repeat(lo - (sizes.cumsum() - sizes), sizes) + np.arange(int(sizes.sum()))
        new = z.copy()
        np.maximum.at(new, dst[idx], z[src[idx]] + w[idx])
        active = np.flatnonzero(new > z)
        z = new
    return None, limit


def _first_edges(
    mentee: IntArray,
    mentor: IntArray,
    profit: I64,
    useful: Bool | None,
    n: int,
    m: int,
    work: tuple[I64, I64],
    tuning: PricedTuning,
) -> Bool:
    """The first problem's edges: each mentee's :data:`CANDIDATES` most profitable and each
    mentor's :data:`FALLBACKS` that lose their mentee least against its most profitable
    (``useful`` ones only: None if all are; ``work``: two edge-sized scratch arrays)."""
    best = np.zeros(n, dtype=np.int64)
    if useful is None:
        np.maximum.at(best, mentee, profit)
    else:
        np.maximum.at(best, mentee[useful], profit[useful])
    loss = np.take(best, mentee, out=work[0], mode="clip")  # "raise" would buffer `out`
    np.subtract(loss, profit, out=loss)
    if useful is not None:
        loss[~useful] = 0
    bins = _bins(loss, work[1])
    keep = _top_per_group(mentee, loss, bins, n, tuning.candidates, work[1])
    keep |= _top_per_group(mentor, loss, bins, m, tuning.fallbacks, work[1])
    if useful is not None:
        keep &= useful
    return keep


def _rounds(
    problem: AssignmentProblem,
    profit: I64,
    useful: Bool | None,
    start: Bool | None,
    counts: dict[str, int],
    tuning: PricedTuning,
) -> tuple[I64, float] | None:
    """The optimal selection (edge indices), proven, and the first edges' time; None when
    the proof fails (it should not) or takes too many rounds. ``useful``: None if every
    edge is; ``counts`` receives the rounds, solves, circulation steps and edges solved over."""
    t0 = time.perf_counter()
    n, m = problem.n_mentees, problem.n_mentors
    mentee, mentor = problem.mentee, problem.mentor
    demand = problem.demand.astype(np.int64)
    capacity = problem.capacity.astype(np.int64)
    work = (np.empty(profit.size, dtype=np.int64), np.empty(profit.size, dtype=np.int64))
    keep = _first_edges(mentee, mentor, profit, useful, n, m, work, tuning)
    if start is not None:  # a previous answer's edges: the optimum is often close to it
        keep |= start if useful is None else start & useful
    t_first = time.perf_counter() - t0
    edges = np.flatnonzero(keep)
    chosen: I64 | None = None  # edge indices of the current answer; None: solve again
    basis: I64 | None = None  # the edges it is optimal over (None: ``edges``)
    exact = True  # the current answer is optimal over ``edges`` (else: a partial circulation step)
    steps = 0
    while True:
        counts["rounds"] += 1
        counts["priced_edges"] = int(edges.size)
        if counts["rounds"] > tuning.max_rounds:
            return None
        if basis is None or chosen is None:
            basis = edges
        sub = (mentee[basis], mentor[basis], profit[basis])
        if chosen is None:
            counts["flow_solves"] += 1
            out = _flow(*sub, demand, capacity)
            if out is None:
                return None
            chosen, exact = edges[out], True
        at = np.searchsorted(basis, chosen)
        # After a partial circulation step, prices still rising after twice the steps they
        # took last time mean a positive cycle: the answer is not optimal here; solve again
        # (also when the prices are no certificate, below).
        z, took = _prices(*sub, at, n, m, m + 2 if exact else 2 * steps + 20)
        y = np.zeros(n, dtype=np.int64)
        if z is not None:
            np.maximum.at(y, sub[0], sub[2] - z[sub[1]])
        del sub
        if z is None or int(y @ demand + z @ capacity) != int(profit[chosen].sum()):
            if exact:
                return None  # no certificate for an optimal answer: it should not happen
            chosen = None  # a partial circulation step not optimal over these edges: solve again
            continue
        steps = took
        under = np.take(z, mentor, out=work[0], mode="clip")  # profit - price - value
        np.subtract(profit, under, out=under)
        np.subtract(under, np.take(y, mentee, out=work[1], mode="clip"), out=under)
        over = under > 0
        if useful is not None:
            over &= useful
        bad = np.flatnonzero(over)
        del over
        if bad.size == 0:
            return chosen, t_first  # optimal over every edge, proven
        keep[_most_under(bad, mentee[bad], under[bad], tuning.added)] = True
        total = shortfall(bad, mentee, mentor, under, n, m)
        budget = int(tuning.circulation_share * edges.size)
        fixed = circulate(problem, under, useful, chosen, y, z, total, budget)
        if fixed is None:
            chosen = None
        else:
            counts["circulations"] += 1
            chosen, exact, offered = fixed
            basis = None if exact else offered
            counts["partial_circulations"] += not exact
            keep[chosen] = True
        edges = np.flatnonzero(keep)


def solve_priced(
    problem: AssignmentProblem, options: SolveOptions, *, tuning: PricedTuning = PricedTuning()
) -> Assignment:
    """Solve ``problem`` exactly by priced min-cost flow (see the module docstring); the
    constants are ``tuning``'s (the measured defaults unless given)."""
    t0 = time.perf_counter()
    n, m = problem.n_mentees, problem.n_mentors
    profits = scaled_profits(problem, n + m + 2)
    profit = profits.profit
    worth = profit >= 0
    if not (problem.demand > 0).all():
        worth &= problem.demand[problem.mentee] > 0
    if not (problem.capacity > 0).all():
        worth &= problem.capacity[problem.mentor] > 0
    chosen = np.zeros(0, dtype=np.int64)  # choosing nothing is optimal...
    counts = {
        "rounds": 0,
        "flow_solves": 0,
        "circulations": 0,
        "partial_circulations": 0,
        "priced_edges": 0,
    }
    t_first = 0.0
    if worth.any():  # ...unless some edge is worth more than leaving its mentee unmatched
        useful = None if worth.all() else worth
        rounds = _rounds(problem, profit, useful, options.hint, counts, tuning)
        if rounds is None:
            answer = solve_flow(problem, options)
            stats = {**answer.stats, **counts, "priced_time": time.perf_counter() - t0}
            return replace(answer, stats=stats)
        chosen, t_first = rounds
    selected = np.zeros(problem.n_edges, dtype=np.bool_)
    selected[chosen] = True
    stats = {**counts, "first_edges_time": t_first, "rounding_slack": profits.slack}
    return proven_optimal(
        problem, selected, method="priced", started=t0, score_scale=profits.scale, stats=stats
    )


def _most_under(bad: I64, owner: IntArray, under: I64, added: int) -> I64:
    """Of the underpriced edges ``bad``, each mentee's ``added`` most underpriced."""
    order = np.argsort(owner.astype(np.int64) * (int(under.max()) + 1) - under)
    return bad[order[rank_in_runs(owner[order]) < added]]


PRICED = Backend(
    name="priced",
    solve=solve_priced,
    supports=frozenset({Feature.PENALTY}),
    exact=True,
    auto=takes,
    description="OR-Tools min-cost flow on priced edges, proven optimal by mentor prices",
)
