"""An upper bound for matching with weekly sessions: Lagrangian relaxation, per-mentor DP.

Drop "each mentee at most one session" into the objective with a price ``lambda_i >= 0`` per
mentee. What remains splits by mentor: choose at most ``capacity`` non-overlapping sessions,
each worth its best pair's value minus that mentee's price, a weighted interval scheduling
problem solved exactly by dynamic programming over the week (all mentors at once, in numpy).
For every ``lambda >= 0``

    L(lambda) = sum_i lambda_i + sum_j best_schedule_j(lambda) - sum_i value_of_matching_i

is at least the optimum of every answer keeping the rules (caps, minimum loads and travel
buffers only restrict it further; the balance penalty only lowers scores), over every
eligible pair: a valid bound (floors are left out of it too: pricing them as well, tried,
made the subgradient converge far more slowly at Seoul size). Subgradient steps (Polyak's
rule, toward the best answer known; step halved after ten iterations without progress)
lower it. It sees what the flow relaxation cannot: two mentees whose only common time
with a mentor is the same two hours cannot both have them.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from matchkit.domain.rich_checks import RichData, StartTable, grouped
from matchkit.domain.schedule import SLOTS_PER_DAY

__all__ = ["session_bound"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
_T = 7 * SLOTS_PER_DAY


class _Options:
    """Every (mentor, start, length) some pair allows, with the units (pair starts) behind it."""

    def __init__(self, d: RichData, units: StartTable) -> None:
        p = d.problem
        edge = np.repeat(units.edges, np.diff(units.ptr))
        mentee = np.asarray(p.mentee, dtype=np.int64)[edge]
        mentor = np.asarray(p.mentor, dtype=np.int64)[edge]
        length = d.length[mentee]
        key = (mentor * (_T + 1) + units.starts) * (_T + 1) + length
        order = np.argsort(key, kind="stable")
        key = key[order]
        self.mentee = mentee[order]
        self.edge = edge[order]
        self.start = units.starts[order]
        self.value = d.value()[edge][order].astype(np.float64)
        first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        self.first = first
        self.o_mentor = mentor[order][first]
        self.o_start = units.starts[order][first]
        self.o_end = self.o_start + length[order][first]
        self.o_length = self.o_end - self.o_start
        # Options by (end, length): within one such group each mentor appears at most once,
        # so a group updates the DP table in one vectorised step.
        group_key = self.o_end * (_T + 1) + self.o_length
        self.groups = grouped(group_key, np.arange(group_key.size))
        self.seg = np.repeat(np.arange(first.size), np.diff(np.r_[first, key.size]))
        self.cap = np.asarray(p.capacity, dtype=np.int64)
        self.n_mentors = p.n_mentors
        self.n_mentees = p.n_mentees

    def best(self, price: F64) -> tuple[F64, I64]:
        """Each option's best unit value minus its mentee's price, and that unit."""
        w = self.value - price[self.mentee]
        best = np.maximum.reduceat(w, self.first)
        hit = np.flatnonzero(w == best[self.seg])
        unit = np.full(self.first.size, -1, dtype=np.int64)
        unit[self.seg[hit[::-1]]] = hit[::-1]  # the first best unit of each option
        return best, unit

    def schedule(self, weight: F64) -> tuple[float, I64]:
        """Sum over mentors of the best schedule's weight, and the options it uses."""
        k_max = int(self.cap.max(initial=0))
        nt = self.n_mentors
        f = np.zeros((_T + 1, nt, k_max + 1))
        took = np.full((_T + 1, nt, k_max + 1), -1, dtype=np.int32)
        groups = iter(self.groups)
        group = next(groups, None)
        for e in range(1, _T + 1):
            f[e] = f[e - 1]
            while group is not None and self.o_end[group[0]] == e:
                opts = group[weight[group] > 0]
                if opts.size:
                    j = self.o_mentor[opts]
                    s = int(self.o_start[opts[0]])
                    cand = f[s, j, :-1] + weight[opts][:, None]
                    better = cand > f[e, j, 1:]
                    f[e, j, 1:] = np.where(better, cand, f[e, j, 1:])
                    took[e, j, 1:] = np.where(better, opts[:, None], took[e, j, 1:])
                group = next(groups, None)
        rows = np.arange(nt)
        room: I64 = np.minimum(self.cap, k_max)
        total = float(f[_T, rows, room].sum())
        at: I64 = np.full(nt, _T, dtype=np.int64)
        chosen = []
        while True:
            live = np.flatnonzero((at > 0) & (room > 0))
            if live.size == 0:
                break
            ej, kj = at[live], room[live]
            o = took[ej, live, kj].astype(np.int64)
            take = (o >= 0) & (f[ej, live, kj] != f[ej - 1, live, kj])
            chosen.append(o[take])
            at[live] = np.where(take, self.o_start[np.maximum(o, 0)], ej - 1)
            room[live] = kj - take
        return total, np.concatenate(chosen) if chosen else np.empty(0, np.int64)


def session_bound(
    d: RichData,
    units: StartTable,
    best_known: float,
    *,
    iterations: int,
    deadline: float,
    answers: Callable[[I64, I64], float] | None = None,
    every: int = 100,
) -> tuple[float, int]:
    """The lowest Lagrangian bound found (in the objective's units) and the iterations run.

    ``units`` must cover every eligible pair (else the bound is not valid); ``best_known``
    is the best answer's objective (Polyak's target). Every ``every`` iterations the relaxed
    schedules go to ``answers`` as (edges, session starts), a mentee possibly in several: a
    Lagrangian heuristic makes an answer of them and returns the best objective known since
    (a better target). Deterministic for a given iteration count; ``deadline`` (a
    ``time.perf_counter`` value) may end it sooner.
    """
    constant = float(np.asarray(d.problem.unmatched_penalty).sum())
    if units.starts.size == 0:
        return -constant, 0  # no session can be held: nobody can be matched
    opts = _Options(d, units)
    price = np.zeros(opts.n_mentees)
    bound = np.inf
    theta = 2.0
    stale = 0
    done = 0
    for _ in range(iterations):
        if time.perf_counter() > deadline:
            break
        done += 1
        weight, unit = opts.best(price)
        total, chosen = opts.schedule(weight)
        value = price.sum() + total - constant
        if value < bound - 1e-9:
            bound, stale = value, 0
        else:
            stale += 1
            if stale >= 10:
                theta, stale = theta / 2, 0
        picked = unit[chosen]
        if answers is not None and done % every == 0:
            best_known = max(best_known, answers(opts.edge[picked], opts.start[picked]))
        count = np.bincount(opts.mentee[picked], minlength=opts.n_mentees)
        g = 1.0 - count  # d L / d price_i
        g[(price <= 0) & (g > 0)] = 0.0  # projected: prices stay >= 0
        norm = float(g @ g)
        if norm == 0:
            break  # the relaxed answer gives each mentee one session: the bound is tight
        step = theta * max(value - best_known, 1.0) / norm
        price = np.maximum(price - step * g, 0.0)
    return float(bound), done
