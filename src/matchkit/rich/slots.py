"""Slot search: improve an answer with sessions by min-cost flow over fixed time slots.

Give every mentor at most ``capacity`` disjoint time *slots*, each holding at most one
session. Which mentee goes to which slot is then a plain assignment problem (a slot is a
mentor of capacity one; a pair may use a slot when one of its allowed session starts fits
inside it), solved exactly and fast by the flow engine over every eligible pair at once, and
every answer it gives has non-overlapping sessions by construction. Slots are grown around
the current answer's sessions (each session's slot stretches into the free time next to it,
alternately to the left and to the right) plus the longest free stretches where a mentor
has room, so the current answer always fits and a round never makes it worse. A few rounds
move many mentees at once: a large-neighbourhood search whose neighbourhoods are solved
exactly. Rules flow cannot see (floors, caps, balance, travel buffers) are checked on each
round's answer, which is kept only if it keeps them and scores better.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from matchkit.core.problem import AssignmentProblem
from matchkit.domain.schedule import SLOTS_PER_DAY
from matchkit.rich.data import RichData, StartTable, drop_to_fit, rule_breaks
from matchkit.rich.insert import insert
from matchkit.solvers.dispatch import solve_assignment

__all__ = ["fill", "slot_search"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
_WEEK = 7 * SLOTS_PER_DAY


def _slots(
    runs: list[tuple[int, int]], sessions: list[tuple[int, int]], room: int, side: int, least: int
) -> list[tuple[int, int]]:
    """Disjoint slots for one mentor: one around each session, stretched into the free time
    to its right (``side`` 1), left (-1) or half of each side (0), and up to ``room`` more in
    the longest free stretches of at least ``least`` slots."""
    slots: list[tuple[int, int]] = []
    free: list[tuple[int, int]] = []
    for a, b in runs:
        inside = sorted(s for s in sessions if a <= s[0] and s[1] <= b)
        if not inside:
            if b - a >= least:
                free.append((a, b))
            continue
        xs = [s[0] for s in inside]
        ys = [s[1] for s in inside]
        n = len(inside)
        if side == 1:
            if xs[0] - a >= least:
                free.append((a, xs[0]))
            ends = [*xs[1:], b]
            slots += [(xs[k], ends[k]) for k in range(n)]
        elif side == -1:
            if b - ys[-1] >= least:
                free.append((ys[-1], b))
            begins = [a, *ys[:-1]]
            slots += [(begins[k], ys[k]) for k in range(n)]
        else:
            cuts = [a, *((ys[k] + xs[k + 1]) // 2 for k in range(n - 1)), b]
            slots += [(cuts[k], cuts[k + 1]) for k in range(n)]
    free.sort(key=lambda ab: (ab[0] - ab[1], ab[0]))
    return sorted(slots + free[:room])


def _build(d: RichData, sel: B, start: I64, side: int) -> tuple[I64, I64, I64]:
    """Every mentor's slots: arrays (mentor, begin, end), slot ids in that order."""
    p = d.problem
    chosen = np.flatnonzero(sel)
    by_mentor: dict[int, list[tuple[int, int]]] = {}
    for e in chosen.tolist():
        t = int(start[e])
        by_mentor.setdefault(int(p.mentor[e]), []).append((t, t + int(d.length[p.mentee[e]])))
    least = int(d.length.min()) if d.length.size else 1
    owner, begin, end = [], [], []
    for j in range(p.n_mentors):
        mine = by_mentor.get(j, [])
        room = int(p.capacity[j]) - len(mine)
        if room <= 0 and not mine:
            continue
        for a, b in _slots(d.t_runs[j], mine, max(room, 0), side, least):
            owner.append(j)
            begin.append(a)
            end.append(b)
    return np.array(owner, np.int64), np.array(begin, np.int64), np.array(end, np.int64)


def _slot_problem(
    d: RichData, units: StartTable, slots: tuple[I64, I64, I64], sel: B, bonus: I64
) -> tuple[AssignmentProblem, I64, I64]:
    """The assignment of mentees to slots; each slot edge's pair and earliest start."""
    p = d.problem
    owner, begin, end = slots
    # slot_at[j, t]: the slot of mentor j covering slot t of the week, or -1.
    cover = np.full((p.n_mentors, _WEEK + 1), -1, dtype=np.int64)
    for s, (j, a, b) in enumerate(zip(owner.tolist(), begin.tolist(), end.tolist(), strict=True)):
        cover[j, a:b] = s
    edge = np.repeat(units.edges, np.diff(units.ptr))
    t = units.starts
    j = p.mentor[edge].astype(np.int64)
    sid = cover[j, t]
    ok = (sid >= 0) & (t + d.length[p.mentee[edge]] <= end[np.maximum(sid, 0)])
    edge, t, sid = edge[ok], t[ok], sid[ok]
    key = edge * owner.size + sid
    key, pos = np.unique(key, return_index=True)  # starts ascend within a pair: earliest
    edge, t, sid = edge[pos], t[pos], sid[pos]
    pinned = np.asarray(p.pinned)[edge] & sel[edge]
    problem = AssignmentProblem(
        p.n_mentees,
        owner.size,
        np.asarray(p.mentee)[edge],
        sid,
        np.asarray(p.score)[edge],
        1,
        unmatched_penalty=np.asarray(p.unmatched_penalty) + bonus,
        pinned=pinned if pinned.any() else None,
    )
    return problem, edge, t


def _shortfall(d: RichData, sel: B) -> tuple[int, I64]:
    """How many matches the floors lack in all, and each floor's shortfall (<= 0: met)."""
    matched = np.zeros(d.problem.n_mentees, dtype=np.bool_)
    matched[d.problem.mentee[sel]] = True
    per = np.array(
        [need - int(matched[group].sum()) for _, group, need in d.groups.floors], dtype=np.int64
    )
    return int(np.maximum(per, 0).sum()), per


def _round(
    d: RichData, units: StartTable, sel: B, start: I64, side: int, bonus: I64
) -> tuple[B, I64] | None:
    """One slot round: slots grown around the answer's sessions, then :func:`fill`."""
    slots = _build(d, sel, start, side)
    if slots[0].size == 0:
        return None
    return fill(d, units, slots, sel, bonus)


def fill(
    d: RichData, units: StartTable, slots: tuple[I64, I64, I64], sel: B, bonus: I64
) -> tuple[B, I64] | None:
    """The flow answer over given slots (``(mentor, begin, end)``, disjoint per mentor, at
    most ``capacity`` each), made to keep every rule flow cannot see (sessions rescheduled
    exactly, travel buffers and caps, dropping the least valuable pairs, then greedy
    insertion); None if flow finds no answer. ``sel``'s pinned pairs stay pinned."""
    problem, edge, _ = _slot_problem(d, units, slots, sel, bonus)
    answer = solve_assignment(problem, method="flow")
    if not answer.status.has_solution:
        return None
    new_sel = np.zeros_like(sel)
    new_sel[edge[np.flatnonzero(answer.selected)]] = True
    new_sel, new_start, _ = drop_to_fit(d, new_sel)
    insert(d, new_sel, new_start)
    return new_sel, new_start


def slot_search(
    d: RichData,
    units: StartTable,
    sel: B,
    start: I64,
    *,
    rounds: int,
    deadline: float,
    floors_deadline: float | None = None,
) -> tuple[B, I64, int]:
    """Improve ``sel``/``start`` by slot rounds; return the best answer and how many rounds
    improved it. ``units`` are the allowed starts of every edge.

    The answer given must keep every rule but the floors. While floors fall short, each
    short floor's mentees are worth a bonus in the flow (a price per floor, raised in
    proportion to its shortfall and lowered in proportion to its room, never below zero,
    the step halved when a floor swings: subgradient steps, so overlapping groups settle
    between them), and
    an answer with a smaller total shortfall wins; then the score decides. Stops after
    ``rounds`` rounds or three rounds in a row without gain (one of each stretching side),
    so the answer is the same on any machine, unless a round would start after ``deadline``
    (a ``time.perf_counter`` value): the time limit wins over repeatability.
    """
    p = d.problem
    short, per = _shortfall(d, sel)
    best = (short, d.objective(sel))
    groups = [group for _, group, _ in d.groups.floors]
    price = np.zeros(len(groups), dtype=np.int64)
    # Subgradient steps: per missing match, a group's price rises by 0.4 / size of a
    # typical mentee's value (about 1 point per 100 missing in a group of 3,000: a big group
    # moves many mentees per point), halved whenever the group swings between short and room.
    typical = int(np.median(np.asarray(p.unmatched_penalty))) if p.n_mentees else 1
    sizes = np.array([max(1, g.size) for g in groups], dtype=np.int64)
    step = np.maximum(typical * 2 // (5 * sizes), 1)
    previous = per.copy()
    improved = stale = 0
    for r in range(rounds):
        now = time.perf_counter()
        if (stale >= 3 and best[0] == 0) or (now > deadline and best[0] == 0):
            break
        if now > (deadline if floors_deadline is None else floors_deadline):
            break
        stale += 1
        step = np.where(np.sign(per) * np.sign(previous) < 0, np.maximum(step // 2, 1), step)
        previous = per
        price = np.maximum(price + per * step, 0)
        bonus = np.zeros(p.n_mentees, dtype=np.int64)
        for group, value in zip(groups, price.tolist(), strict=True):
            bonus[group] += value
        found = _round(d, units, sel, start, (-1, 1, 0)[r % 3], bonus)
        if found is None:
            break
        new_sel, new_start = found
        new_short, new_per = _shortfall(d, new_sel)
        key = (new_short, d.objective(new_sel))
        breaks = [b for b in rule_breaks(d, new_sel, new_start) if not b.startswith("floor ")]
        if (key[0], -key[1]) < (best[0], -best[1]) and not breaks:
            sel, start, best = new_sel, new_start, key
            improved += 1
            stale = 0
        per = new_per  # the round's own shortfalls: its floors' subgradient
    return sel, start, improved
