"""An upper bound for matching with weekly sessions: Lagrangian relaxation, per-mentor DP.

Drop "each mentee at most one session" into the objective with a price ``lambda_i >= 0`` per
mentee. What remains splits by mentor: choose at most ``capacity`` non-overlapping sessions,
each worth its best pair's value minus that mentee's price, a weighted interval scheduling
problem solved exactly by dynamic programming over the week (all mentors at once, in numpy).
For every ``lambda >= 0``

    L(lambda) = sum_i lambda_i + sum_j best_schedule_j(lambda) - sum_i value_of_matching_i

is at least the optimum of every answer keeping the rules (caps and minimum loads only
restrict it further; the balance penalty only lowers scores), over every
eligible pair: a valid bound (floors are left out of it too: pricing them as well, tried,
made the subgradient converge far more slowly at Seoul size). Subgradient steps (Polyak's
rule, toward the best answer known; step halved after five iterations without progress)
lower it. It sees what the flow relaxation cannot: two mentees whose only common time
with a mentor is the same two hours cannot both have them, and two offline sessions need
the travel buffer between them (left out, the bound at Seoul size converges 11% above the
linear relaxation: see docs/benchmarks.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchkit.domain.schedule import SLOTS_PER_DAY
from matchkit.rich.data import RichData, StartTable, grouped

__all__ = ["Guide", "session_bound"]

STALE_STEPS = 5
"""The step halves after this many steps without a lower bound (Seoul size, 300 steps:
0.35% above the linear relaxation, against 0.85% with the step 2 halved after ten)."""

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
_T = 7 * SLOTS_PER_DAY


@dataclass(frozen=True)
class Guide:
    """The last relaxed schedules, to guide polishing (:mod:`matchkit.rich.polish`):
    the mentee prices they were made under, each mentor's best schedule weight at those
    prices (value minus price, summed), and the edges its schedule holds."""

    price: F64
    best: F64
    edges: I64


class _Options:
    """Every (mentor, start, length) some pair allows, with the units (pair starts) behind it."""

    def __init__(self, d: RichData, units: StartTable) -> None:
        p = d.problem
        edge = np.repeat(units.edges, np.diff(units.ptr))
        mentee = np.asarray(p.mentee, dtype=np.int64)[edge]
        mentor = np.asarray(p.mentor, dtype=np.int64)[edge]
        length = d.length[mentee]
        # Offline sessions need the travel buffer between them, online ones do not: an
        # option is (mentor, start, length, offline), so each keeps one kind of unit.
        offline = d.offline[edge].astype(np.int64) if d.buffer else np.zeros_like(edge)
        key = ((mentor * (_T + 1) + units.starts) * (_T + 1) + length) * 2 + offline
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
        self.o_offline = offline[order][first].astype(np.bool_)
        self.n_mentees = p.n_mentees
        self.set_schedules(np.asarray(p.capacity, dtype=np.int64), int(d.buffer))

    def set_schedules(self, cap: I64, buffer: int) -> None:
        """Index the options (``o_*``) for :meth:`schedule`: mentors' capacities, buffer."""
        # Options by (end, length, offline): within one such group each mentor appears at
        # most once, so a group updates the DP table in one vectorised step.
        group_key = (self.o_end * (_T + 1) + self.o_length) * 2 + self.o_offline
        self.groups = grouped(group_key, np.arange(group_key.size))
        self.cap = cap
        self.buffer = buffer
        self.n_mentors = int(cap.size)
        # last_end[j, e]: the latest end of one of mentor j's options at or before slot e
        # (0 if none): the traceback jumps between these instead of walking every slot.
        ends = np.zeros((self.n_mentors, _T + 1), dtype=np.int32)
        ends[self.o_mentor, self.o_end] = self.o_end
        self.last_end = np.maximum.accumulate(ends, axis=1)

    def best(self, price: F64) -> tuple[F64, F64]:
        """Each option's best unit value minus its mentee's price, and every unit's."""
        w = self.value - price[self.mentee]
        return np.maximum.reduceat(w, self.first), w

    def units(self, options: I64, best: F64, w: F64) -> I64:
        """The first best unit of each of ``options`` (only the chosen few: finding it
        for every option took as long as the schedules' DP)."""
        begin = self.first[options]
        size = np.r_[self.first[1:], self.value.size][options] - begin
        seg = np.repeat(np.arange(options.size), size)
        pos = np.arange(seg.size) - np.repeat(np.cumsum(size) - size, size) + begin[seg]
        hits = np.flatnonzero(w[pos] == best[options][seg])
        _, first_hit = np.unique(seg[hits], return_index=True)
        return pos[hits[first_hit]]  # type: ignore[no-any-return]

    def schedule(self, weight: F64) -> tuple[float, I64]:
        """Sum over mentors of the best schedule's weight, and the options it uses.

        ``f[e, r, j, k]``: mentor ``j``'s best at most ``k`` sessions that end by slot ``e``, every
        offline one by ``e - r`` (``r`` up to the travel buffer). An online session
        ``[s, e)`` extends state ``max(0, r - length)`` at ``s`` into state ``r`` at ``e``;
        an offline one extends state ``buffer`` at ``s`` into state 0 at ``e``: exactly the
        schedules whose sessions do not overlap and whose offline sessions lie a buffer
        apart."""
        if self.o_start.size == 0:
            return 0.0, np.empty(0, np.int64)
        k_max = int(self.cap.max(initial=0))
        nt, nb = self.n_mentors, self.buffer + 1
        f = np.zeros((_T + 1, nb, nt, k_max + 1))
        took = np.full((_T + 1, nb, nt, k_max + 1), -1, dtype=np.int32)
        groups = iter(self.groups)
        group = next(groups, None)
        for e in range(1, _T + 1):
            f[e, 0] = f[e - 1, 0]
            f[e, 1:] = f[e - 1, :-1]
            while group is not None and self.o_end[group[0]] == e:
                opts = group[weight[group] > 0]
                if opts.size:
                    j = self.o_mentor[opts]
                    one = int(opts[0])
                    s, size = int(self.o_start[one]), int(self.o_length[one])
                    moves = (
                        [(nb - 1, 0)]
                        if self.o_offline[one]
                        else [(max(0, r - size), r) for r in range(nb)]
                    )
                    for src, r in moves:
                        cand = f[s, src, j, :-1] + weight[opts][:, None]
                        better = cand > f[e, r, j, 1:]
                        f[e, r, j, 1:] = np.where(better, cand, f[e, r, j, 1:])
                        took[e, r, j, 1:] = np.where(better, opts[:, None], took[e, r, j, 1:])
                group = next(groups, None)
        rows = np.arange(nt)
        room: I64 = np.minimum(self.cap, k_max)
        total = float(f[_T, 0, rows, room].sum())
        at: I64 = np.full(nt, _T, dtype=np.int64)
        state: I64 = np.zeros(nt, dtype=np.int64)
        chosen = []
        while True:
            live = np.flatnonzero((at > 0) & (room > 0))
            if live.size == 0:
                break
            # No option of the mentor ends between its latest option end and ``at``: the
            # table only shifts there, so jump (the state counts down with the slots).
            e0 = at[live]
            ej = self.last_end[live, e0].astype(np.int64)
            rj, kj = np.maximum(state[live] - (e0 - ej), 0), room[live]
            ec = np.maximum(ej, 1)
            o = took[ec, rj, live, kj].astype(np.int64)
            base = f[ec - 1, np.maximum(rj - 1, 0), live, kj]
            take = (ej > 0) & (o >= 0) & (f[ec, rj, live, kj] != base)
            chosen.append(o[take])
            oo = np.maximum(o, 0)
            after = np.where(self.o_offline[oo], nb - 1, np.maximum(0, rj - self.o_length[oo]))
            at[live] = np.where(take, self.o_start[oo], np.maximum(ej - 1, 0))
            state[live] = np.where(take, after, np.maximum(rj - 1, 0))
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
    first: int = 100,
    every: int = 100,
    on_step: Callable[[float, float], None] | None = None,
) -> tuple[float, int, Guide | None]:
    """The lowest Lagrangian bound found (in the objective's units), the iterations run and
    the last iteration's schedules (None if none ran).

    ``units`` must cover every eligible pair (else the bound is not valid); ``best_known``
    is the best answer's objective (Polyak's target). At iteration ``first`` and every
    ``every`` iterations after it the relaxed schedules go to ``answers`` as (edges, session
    starts), a mentee possibly in several: a Lagrangian heuristic makes an answer of them
    and returns the best objective known since (a better target); the last schedules, from
    the most converged prices, go to it too if it was called before (so that one call,
    which should itself stop at ``deadline``, runs after it). Deterministic for a given
    iteration count; ``deadline`` (a ``time.perf_counter`` value) may end it sooner.
    ``on_step`` (if given) gets (lowest bound so far, best objective known) each step.
    """
    constant = float(np.asarray(d.problem.unmatched_penalty).sum())
    if units.starts.size == 0:
        return -constant, 0, None  # no session can be held: nobody can be matched
    opts = _Options(d, units)
    price = np.zeros(opts.n_mentees)
    bound = np.inf
    theta = 1.0
    stale = 0
    done = 0
    latest: I64 | None = None  # relaxed schedules not yet made an answer
    guide = None
    for _ in range(iterations):
        if time.perf_counter() > deadline:
            break
        done += 1
        weight, w = opts.best(price)
        total, chosen = opts.schedule(weight)
        value = price.sum() + total - constant
        if value < bound - 1e-9:
            bound, stale = value, 0
        else:
            stale += 1
            if stale >= STALE_STEPS:
                theta, stale = theta / 2, 0
        picked = latest = opts.units(chosen, weight, w)
        top = np.bincount(opts.o_mentor[chosen], weights=weight[chosen], minlength=opts.n_mentors)
        guide = Guide(price, top.astype(np.float64), opts.edge[picked])
        if answers is not None and done >= first and (done - first) % every == 0:
            best_known = max(best_known, answers(opts.edge[picked], opts.start[picked]))
            latest = None
        if on_step is not None:
            on_step(float(bound), best_known)
        count = np.bincount(opts.mentee[picked], minlength=opts.n_mentees)
        g = 1.0 - count  # d L / d price_i
        g[(price <= 0) & (g > 0)] = 0.0  # projected: prices stay >= 0
        norm = float(g @ g)
        if norm == 0:
            break  # the relaxed answer gives each mentee one session: the bound is tight
        step = theta * max(value - best_known, 1.0) / norm
        price = np.maximum(price - step * g, 0.0)
    if answers is not None and latest is not None and done > first:
        answers(opts.edge[latest], opts.start[latest])  # the latest prices' schedules, too
    return float(bound), done, guide
