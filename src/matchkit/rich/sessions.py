"""Weekly sessions: where a pair's session may start, and scheduling one mentor's sessions.

Time is one line over the week in 30-minute slots: slot ``48 d + k`` is day ``d``'s ``k``-th
half hour. A pair's session of ``L`` slots may start at slot ``t`` when slots ``t .. t+L-1``
of one day lie in both availabilities (the eroded common mask, :func:`erode`). Two sessions of
one mentor conflict when they overlap or, both offline, are less than the travel buffer apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchkit.domain.schedule import SLOTS_PER_DAY, erode

__all__ = ["Item", "ScheduleGaveUpError", "conflict", "schedule", "session_starts"]

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]

_CHUNK = 1 << 16
_SEARCH_NODES = 20_000


def session_starts(s_avail: U64, t_avail: U64, length: I64) -> tuple[I64, I64]:
    """Every allowed start of each pair's session, as CSR arrays ``(ptr, starts)``.

    ``s_avail[n]`` and ``t_avail[n]`` are the two people's seven day masks of pair ``n``,
    ``length[n]`` its session length in slots; pair ``n``'s starts, increasing, are
    ``starts[ptr[n]:ptr[n + 1]]``.
    """
    n = s_avail.shape[0]
    counts = np.zeros(n, dtype=np.int64)
    parts = []
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        common = s_avail[lo:hi] & t_avail[lo:hi]
        eroded = np.empty_like(common)
        for size in np.unique(length[lo:hi]).tolist():
            rows = length[lo:hi] == size
            eroded[rows] = erode(common[rows], size)
        # Little-endian bytes of each word: bit k of day d is column 64 d + k.
        bits = np.unpackbits(eroded.astype("<u8").view(np.uint8), axis=1, bitorder="little")
        r, c = np.nonzero(bits)
        counts[lo:hi] = np.bincount(r, minlength=hi - lo)
        parts.append((c // 64) * SLOTS_PER_DAY + c % 64)
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    starts = np.concatenate(parts) if parts else np.empty(0, np.int64)
    return ptr, starts.astype(np.int64)


@dataclass(frozen=True, slots=True)
class Item:
    """One session to place: its allowed starts, length in slots, and whether offline."""

    starts: Sequence[int]
    length: int
    offline: bool


def conflict(a: tuple[int, int, bool], b: tuple[int, int, bool], buffer: int) -> bool:
    """Whether sessions ``(start, length, offline)`` ``a`` and ``b`` of one mentor clash."""
    gap = buffer if (a[2] and b[2]) else 0
    return a[0] < b[0] + b[1] + gap and b[0] < a[0] + a[1] + gap


class ScheduleGaveUpError(Exception):
    """:func:`schedule` gave up: neither a schedule nor a proof that none exists."""


def schedule(items: Sequence[Item], buffer: int, *, nodes: int = _SEARCH_NODES) -> list[int] | None:
    """Non-conflicting starts for one mentor's sessions (in ``items`` order), or None.

    Depth-first search, most constrained session first, earliest start first; exact: None
    means no schedule exists. Raises :class:`ScheduleGaveUpError` after ``nodes``
    placements (the caller then leaves the question to CP-SAT).
    """
    order = sorted(range(len(items)), key=lambda k: (len(items[k].starts), k))
    placed: list[tuple[int, int, bool]] = []
    chosen = [0] * len(items)
    budget = [nodes]

    def place(depth: int) -> bool:
        if depth == len(order):
            return True
        item = items[order[depth]]
        for t in item.starts:
            budget[0] -= 1
            if budget[0] < 0:
                raise ScheduleGaveUpError
            mine = (t, item.length, item.offline)
            if any(conflict(mine, other, buffer) for other in placed):
                continue
            placed.append(mine)
            chosen[order[depth]] = t
            if place(depth + 1):
                return True
            placed.pop()
        return False

    return chosen if place(0) else None


def session_capacity(
    mentee: I64, mentor: I64, s_avail: U64, t_avail: U64, length: I64, n_mentors: int
) -> I64:
    """The most non-overlapping sessions each mentor could hold with its candidate pairs.

    Over every (start, length) any of the mentor's pairs allows, the greatest number of
    pairwise disjoint sessions (earliest end first, which is optimal for intervals), ignoring
    who the sessions are with and travel buffers: no schedule holds more, so
    ``min(capacity, session_capacity)`` keeps the flow problem a relaxation of the problem
    with sessions, and a much tighter one when mentors have narrow windows.
    """
    lengths = np.unique(length).tolist()
    # has[k][j]: day masks of the starts some pair of mentor j allows for length lengths[k].
    has = np.zeros((len(lengths), n_mentors, 7), dtype=np.uint64)
    for k, size in enumerate(lengths):
        rows = np.flatnonzero(length[mentee] == size)
        for lo in range(0, rows.size, _CHUNK):
            part = rows[lo : lo + _CHUNK]
            common = erode(s_avail[mentee[part]] & t_avail[mentor[part]], size)
            for d in range(7):
                np.bitwise_or.at(has[k, :, d], mentor[part], common[:, d])
    count = np.zeros(n_mentors, dtype=np.int64)
    free_from = np.zeros(n_mentors, dtype=np.int64)  # first slot after the last session
    one = np.uint64(1)
    for end in range(1, 7 * SLOTS_PER_DAY + 1):
        for k, size in enumerate(lengths):
            start = end - size
            d, b = divmod(start, SLOTS_PER_DAY)
            if start < 0 or b + size > SLOTS_PER_DAY:
                continue
            ok = ((has[k, :, d] >> np.uint64(b)) & one).astype(np.bool_) & (free_from <= start)
            count += ok
            free_from[ok] = end
    return count
