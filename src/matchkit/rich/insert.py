"""Greedy insertion: give unmatched mentees a mentor with room, keeping every rich rule.

After :func:`~matchkit.rich.data.drop_to_fit` has dropped pairs to fit sessions and caps,
the mentees left out (those of floors still short first, then highest value of matching
first) each try their best candidate pairs in
turn; a pair is taken when its mentor has capacity, the per-mentor caps allow it and, with
sessions, one of the pair's allowed starts is free of the mentor's other sessions (and, for
an offline pair, at least the travel buffer from its other offline sessions). Sessions already
placed never move. This is the CP-SAT search's starting point, not an optimum.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchkit.domain.schedule import SLOTS_PER_DAY
from matchkit.rich.data import RichData, StartTable

__all__ = ["insert"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
_WEEK = 7 * SLOTS_PER_DAY


def _best_edges(d: RichData, rows: I64, per_mentee: int) -> list[I64]:
    """Each mentee in ``rows``'s best ``per_mentee`` edges, by value, best first."""
    p = d.problem
    mentee = np.asarray(p.mentee, dtype=np.int64)
    wanted = np.zeros(p.n_mentees, dtype=np.bool_)
    wanted[rows] = True
    edges = np.flatnonzero(wanted[mentee])
    value = d.value()[edges]
    order = np.lexsort((-value, mentee[edges]))
    edges = edges[order]
    first = np.searchsorted(mentee[edges], rows)
    last = np.searchsorted(mentee[edges], rows, side="right")
    return [edges[a : min(b, a + per_mentee)] for a, b in zip(first, last, strict=True)]


def insert(d: RichData, sel: B, start: I64, *, per_mentee: int = 20) -> int:
    """Insert unmatched mentees into ``sel``/``start`` in place; return how many were."""
    p = d.problem
    n_t = p.n_mentors
    mentee = np.asarray(p.mentee, dtype=np.int64)
    mentor = np.asarray(p.mentor, dtype=np.int64)
    chosen = np.flatnonzero(sel)
    load = np.bincount(mentor[chosen], minlength=n_t)
    matched = np.zeros(p.n_mentees, dtype=np.bool_)
    matched[mentee[chosen]] = True
    caps = [(g.code, k, np.zeros((n_t, len(g.values)), dtype=np.int64)) for g, k in d.groups.caps]
    for code, _, count in caps:
        np.add.at(count, (mentor[chosen], code[mentee[chosen]]), 1)
    limits = [(mask, hi, np.zeros(n_t, dtype=np.int64)) for _, mask, _, hi in d.groups.limits]
    for mask, _, per_mentor in limits:
        np.add.at(per_mentor, mentor[chosen][mask[mentee[chosen]]], 1)
    pad = _WEEK + SLOTS_PER_DAY
    occ = np.zeros((n_t, pad), dtype=np.bool_)
    off = np.zeros((n_t, pad), dtype=np.bool_)
    if d.sessions:
        for e in chosen.tolist():
            t, length = int(start[e]), int(d.length[mentee[e]])
            occ[mentor[e], t : t + length] = True
            if d.offline[e]:
                off[mentor[e], t : t + length] = True

    penalty = np.asarray(p.unmatched_penalty)
    rows = np.flatnonzero(~matched)
    # Mentees of floors still short go first, the most floors first; then by value.
    short = np.zeros(p.n_mentees, dtype=np.int64)
    for _, group, need in d.groups.floors:
        if int(matched[group].sum()) < need:
            short[group] += 1
    rows = rows[np.lexsort((-penalty[rows], -short[rows]))]
    candidates = _best_edges(d, rows, per_mentee)
    flat = np.concatenate(candidates) if candidates else np.empty(0, np.int64)
    table = d.start_table(np.sort(flat)) if d.sessions and flat.size else None
    inserted = 0
    for i, edges in zip(rows.tolist(), candidates, strict=True):
        for e in edges.tolist():
            j = int(mentor[e])
            if load[j] >= p.capacity[j]:
                continue
            if any(count[j, code[i]] >= k for code, k, count in caps):
                continue
            if any(mask[i] and hi is not None and n[j] >= hi for mask, hi, n in limits):
                continue
            t = -1
            if table is not None:
                t = _free_start(d, table, e, occ[j], off[j], int(d.length[i]))
                if t < 0:
                    continue
                occ[j, t : t + d.length[i]] = True
                if d.offline[e]:
                    off[j, t : t + d.length[i]] = True
            sel[e], start[e] = True, t
            load[j] += 1
            for code, _, count in caps:
                count[j, code[i]] += 1
            for mask, _, per_mentor in limits:
                per_mentor[j] += int(mask[i])
            inserted += 1
            break
    return inserted


def _free_start(d: RichData, table: StartTable, e: int, occ: B, off: B, length: int) -> int:
    """The earliest allowed start of edge ``e`` free in the mentor's occupancy, or -1."""
    k = int(np.searchsorted(table.edges, e))
    buffer = d.buffer if d.offline[e] else 0
    for t in table.of(k):
        if occ[t : t + length].any():
            continue
        if buffer and off[max(0, t - buffer) : t + length + buffer].any():
            continue
        return int(t)
    return -1
