"""The rich rules over compiled arrays: their data, prechecks, dropping pairs from a flow
answer until it fits, and an array-level check of any answer (:func:`matchkit.verify`
checks again from the records).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import numpy.typing as npt

from matchkit.compiler.groups import GroupRules
from matchkit.compiler.rules import MILLI, PairRules
from matchkit.core.problem import AssignmentProblem
from matchkit.domain.schedule import SLOTS_PER_DAY
from matchkit.rich.sessions import Item, ScheduleGaveUpError, conflict, schedule, session_starts

__all__ = [
    "RichData",
    "StartTable",
    "drop_to_fit",
    "grouped",
    "precheck",
    "rich_data",
    "rule_breaks",
]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
U64 = npt.NDArray[np.uint64]
_SHOWN = 5


@dataclass(frozen=True)
class StartTable:
    """Allowed session starts of edges ``edges`` (sorted): row ``k`` is ``edges[k]``."""

    edges: I64
    ptr: I64
    starts: I64

    def of(self, k: int) -> list[int]:
        return self.starts[self.ptr[k] : self.ptr[k + 1]].tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class RichData:
    """Everything the rich solve needs, in engine indices."""

    problem: AssignmentProblem
    groups: GroupRules
    s_ids: tuple[str, ...]
    t_ids: tuple[str, ...]
    sessions: bool
    buffer: int
    """Travel buffer between two offline sessions of a mentor, in slots."""
    length: I64
    """Session length per mentee, in slots."""
    offline: B
    """Per edge: the pair meets offline."""
    s_avail: U64
    t_avail: U64
    balance_milli: int
    always: B
    """Per edge: last term's pair (kept in the CP-SAT model whatever its rank)."""
    soft_floors: bool = False
    """The floors are soft: the most floor places in all first (:meth:`filled`), then the
    score; :func:`rule_breaks` then leaves them out, and the search ranks answers by both
    (the pipeline's setting: the same answers as hard floors when all can be met)."""

    def start_table(self, edges: I64) -> StartTable:
        p = self.problem
        i, j = p.mentee[edges], p.mentor[edges]
        ptr, starts = session_starts(self.s_avail[i], self.t_avail[j], self.length[i])
        return StartTable(edges, ptr, starts)

    @cached_property
    def t_runs(self) -> list[list[tuple[int, int]]]:
        """Each mentor's maximal available runs, (start, end) on the week's slot line;
        computed once per problem (slot search reads them every round)."""
        return [_runs(days) for days in self.t_avail.tolist()]

    @cached_property
    def _value(self) -> I64:
        p = self.problem
        pen = np.asarray(p.unmatched_penalty, dtype=np.int64)
        out: I64 = np.asarray(p.score, dtype=np.int64) + pen[p.mentee]
        out.flags.writeable = False
        return out

    def with_groups(self, groups: GroupRules, *, soft_floors: bool | None = None) -> RichData:
        """The same data under other group rules (and floors soft or not), keeping what was
        computed per problem (the edge values and the mentors' runs do not depend on them)."""
        soft = self.soft_floors if soft_floors is None else soft_floors
        out = replace(self, groups=groups, soft_floors=soft)
        for name in ("_value", "t_runs"):
            if name in self.__dict__:
                out.__dict__[name] = self.__dict__[name]
        return out

    def value(self) -> I64:
        """What each edge is worth when chosen: its score plus the value of matching
        (computed once per problem, read-only)."""
        return self._value

    def filled(self, sel: B) -> int:
        """The floor places ``sel`` fills in all: the sum over floors of ``min(matched in
        the group, the floor's count)``."""
        matched = np.zeros(self.problem.n_mentees, dtype=np.bool_)
        matched[self.problem.mentee[sel]] = True
        return sum(min(int(matched[rows].sum()), need) for _, rows, need in self.groups.floors)

    def objective(self, sel: B) -> float:
        p = self.problem
        base = float(self._value[sel].sum() - np.asarray(p.unmatched_penalty).sum())
        load = np.bincount(p.mentor[sel], minlength=p.n_mentors)
        return base - float(self.balance_milli * (load * (load - 1) // 2).sum())


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Maximal runs of one person's week (seven day masks), on the week's slot line."""
    out = []
    for day, word in enumerate(days):
        k = 0
        while word:
            if word & 1:
                a = k
                while word & 1:
                    word >>= 1
                    k += 1
                out.append((day * SLOTS_PER_DAY + a, day * SLOTS_PER_DAY + k))
            else:
                word >>= 1
                k += 1
    return out


def grouped(key: I64, values: I64) -> list[I64]:
    """``values`` grouped by ``key`` (stable; groups with at least one member, key order)."""
    if key.size == 0:
        return []
    order = np.argsort(key, kind="stable")
    sk = key[order]
    bounds = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1], True])
    return [values[order[a:b]] for a, b in itertools.pairwise(bounds.tolist())]


def _cap_groups(d: RichData, edges: I64) -> list[tuple[str, I64, int]]:
    """(rule, edges, limit) for every per-mentor cap, over ``edges``."""
    p = d.problem
    mentee, mentor = p.mentee[edges].astype(np.int64), p.mentor[edges].astype(np.int64)
    out: list[tuple[str, I64, int]] = []
    for g, k in d.groups.caps:
        key = mentor * len(g.values) + g.code[mentee]
        for part in grouped(key, edges):
            if part.size > k:
                v = g.values[int(g.code[p.mentee[part[0]]])]
                out.append((f"at most {k} mentees with {g.field}={v!r}", part, k))
    for label, mask, _, hi in d.groups.limits:
        inside = mask[mentee]
        if hi is None or not inside.any():
            continue
        for part in grouped(mentor[inside], edges[inside]):
            if part.size > hi:
                out.append((f"at most {hi} mentees with {label}", part, hi))
    return out


def _items(d: RichData, table: StartTable, rows: list[int]) -> list[Item]:
    p = d.problem
    return [
        Item(table.of(k), int(d.length[p.mentee[table.edges[k]]]), bool(d.offline[table.edges[k]]))
        for k in rows
    ]


def precheck(d: RichData) -> str | None:
    """Contradictions found without search (pins against caps and sessions), as one
    sentence each, or None. Floors are not checked: the pipeline relaxes floors that cannot
    all be met (:mod:`matchkit.rich.pipeline`)."""
    p = d.problem
    reasons: list[str] = []
    pins = np.flatnonzero(np.asarray(p.pinned))
    for rule, part, _ in _cap_groups(d, pins):
        reasons.append(
            f"mentor {d.t_ids[p.mentor[part[0]]]!r} is pinned {part.size} mentees but may take "
            f"{rule}"
        )
    if d.sessions and pins.size:
        table = d.start_table(np.sort(pins))
        for rows in grouped(p.mentor[table.edges].astype(np.int64), np.arange(table.edges.size)):
            if rows.size < 2:
                continue
            try:
                found = schedule(_items(d, table, rows.tolist()), d.buffer)
            except ScheduleGaveUpError:
                continue
            if found is None:
                who = ", ".join(repr(d.s_ids[p.mentee[table.edges[k]]]) for k in rows.tolist())
                reasons.append(
                    f"the pinned mentees of mentor {d.t_ids[p.mentor[table.edges[rows[0]]]]!r} "
                    f"({who}) cannot all get non-overlapping sessions"
                )
    if not reasons:
        return None
    more = f" (and {len(reasons) - _SHOWN} more)" if len(reasons) > _SHOWN else ""
    return "; ".join(reasons[:_SHOWN]) + more


def drop_to_fit(d: RichData, selected: B) -> tuple[B, I64, int]:
    """Make a flow answer keep caps and sessions by dropping the least valuable pairs.

    Returns the new selection, each selected edge's session start (-1 elsewhere) and how
    many pairs were dropped. Pinned pairs are never dropped. Floors and minimum loads are
    not fixed here (CP-SAT's search does that).
    """
    p = d.problem
    sel = selected.copy()
    value = d.value()
    pinned = np.asarray(p.pinned)
    rank = np.where(pinned, np.iinfo(np.int64).max, value)

    def drop_least(part: I64, keep: int) -> None:
        order = part[np.argsort(rank[part], kind="stable")]
        sel[order[: part.size - keep]] = False

    for _, part, k in _cap_groups(d, np.flatnonzero(sel)):
        drop_least(part, k)
    start = np.full(p.n_edges, -1, dtype=np.int64)
    if d.sessions:
        table = d.start_table(np.flatnonzero(sel))
        mentor = p.mentor[table.edges].astype(np.int64)
        for rows in grouped(mentor, np.arange(table.edges.size)):
            _schedule_or_drop(d, table, rows.tolist(), rank, sel, start)
    dropped = int(np.count_nonzero(selected & ~sel))
    return sel, start, dropped


def _schedule_or_drop(
    d: RichData, table: StartTable, rows: list[int], rank: I64, sel: B, start: I64
) -> None:
    """Schedule one mentor's sessions, dropping the least valuable until they fit."""
    rows = sorted(rows, key=lambda k: (-int(rank[table.edges[k]]), k))  # most valuable first
    while rows:
        try:
            found = schedule(_items(d, table, rows), d.buffer)
        except ScheduleGaveUpError:
            found = None
        if found is not None:
            for k, t in zip(rows, found, strict=True):
                start[table.edges[k]] = t
            return
        sel[table.edges[rows.pop()]] = False


def rule_breaks(d: RichData, sel: B, start: I64) -> list[str]:
    """Every rich rule ``sel`` (with session ``start``) breaks, from the arrays (the floors
    only while they are hard)."""
    p = d.problem
    out: list[str] = []
    load = np.bincount(p.mentor[sel], minlength=p.n_mentors)
    count = np.bincount(p.mentee[sel], minlength=p.n_mentees)
    check: list[tuple[str, Callable[[], bool]]] = [
        ("capacity", lambda: bool((load > p.capacity).any())),
        ("min_load", lambda: bool((load < p.min_load).any())),
        ("one mentor each", lambda: bool((count > 1).any())),
        ("pinned", lambda: bool((np.asarray(p.pinned) & ~sel).any())),
    ]
    out += [name for name, bad in check if bad()]
    matched = count > 0
    if not d.soft_floors:
        floors = d.groups.floors
        out += [f"floor {label}" for label, rows, need in floors if matched[rows].sum() < need]
    edges = np.flatnonzero(sel)
    out += [rule for rule, _, _ in _cap_groups(d, edges)]
    mentee, mentor = p.mentee[edges], p.mentor[edges]
    for label, mask, lo, _ in d.groups.limits:
        if lo > 0:
            cat = np.bincount(mentor[mask[mentee]], minlength=p.n_mentors)
            if ((load > 0) & (cat < lo)).any():
                out.append(f"at least {lo} mentees with {label}")
    if d.sessions and edges.size:
        table = d.start_table(edges)
        for k, e in enumerate(edges.tolist()):
            if int(start[e]) not in table.of(k):
                out.append("session outside the common window")
                break
        for rows in grouped(mentor.astype(np.int64), np.arange(edges.size)):
            items = _items(d, table, rows.tolist())
            placed = [
                (int(start[edges[k]]), it.length, it.offline)
                for k, it in zip(rows, items, strict=True)
            ]
            if any(conflict(a, b, d.buffer) for n, a in enumerate(placed) for b in placed[n + 1 :]):
                out.append("overlapping sessions")
                break
    return out


def rich_data(rules: PairRules, problem: AssignmentProblem, groups: GroupRules) -> RichData:
    """The rich solve's data for a compiled cohort."""
    a, p = rules.a, rules.p
    i, j = problem.mentee, problem.mentor
    always = a.s_prev[i] == j
    return RichData(
        problem=problem,
        groups=groups,
        s_ids=a.s_ids,
        t_ids=a.t_ids,
        sessions=p.sessions is not None,
        buffer=(p.sessions.offline_buffer_minutes // 30) if p.sessions is not None else 0,
        length=a.s_slots,
        offline=~rules.online(i.astype(np.int64), j.astype(np.int64)),
        s_avail=a.s_avail,
        t_avail=a.t_avail,
        balance_milli=round(p.weights.balance * MILLI),
        always=always,
    )
