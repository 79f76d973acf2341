"""Polish an answer by large-neighbourhood search: small CP-SAT models, each solved exactly.

A neighbourhood is a handful of mentors. Every mentee those mentors hold is freed, as is
every unmatched mentee eligible with one of them; the rest of the answer stays fixed. The
time-indexed CP-SAT model of :mod:`~matchkit.rich.model` over just those pairs (a
few hundred to a few thousand session units) then re-decides who goes where and when,
exactly: the freed mentees may move between the mentors, make room for an unmatched one,
or retime their sessions. Rules that reach past the neighbourhood are narrowed to it: a
floor needs only what the fixed part does not already give, and a max-min group may not
lose matched mentees. A change is kept when the whole answer then keeps every rule and
scores higher, so the answer never gets worse.

Which mentors: first, guided by the Lagrangian (:mod:`~matchkit.rich.bound`), a
mentor whose answer falls furthest short of its relaxed schedule at the last prices,
together with the mentors now holding that schedule's mentees; then the best candidates
of an unmatched mentee drawn at random. At Seoul size (seed 0) the guided neighbourhoods
took an answer from -72,776 to -71,756 points in 15 s, where as many seconds of unmatched
mentees' neighbourhoods reached -72,510 and CP-SAT over the whole restricted model (one
worker, hinted) nothing (docs/explanation/rich-rules.md).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matchkit.rich.bound import Guide
from matchkit.rich.data import RichData, rule_breaks
from matchkit.rich.model import Model
from matchkit.solvers.cpsat import grouped_index

__all__ = ["polish"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

MENTORS = 6
"""Mentors per neighbourhood: the unmatched mentee's best-valued candidates."""
DTIME = 0.1
"""CP-SAT's deterministic time per neighbourhood (most are solved to optimality in it)."""


class _Search:
    """The answer being polished, and the neighbourhoods already searched without gain."""

    def __init__(self, d: RichData, sel: B, start: I64, seed: int, deadline: float) -> None:
        p = self.p = d.problem
        self.d, self.seed, self.deadline = d, seed, deadline
        self.slowest = 0.0  # seconds the slowest neighbourhood took
        self.mentee = np.asarray(p.mentee, dtype=np.int64)
        self.mentor = np.asarray(p.mentor, dtype=np.int64)
        self.by_mentee, self.mentee_ptr = grouped_index(self.mentee, p.n_mentees)
        self.by_mentor, self.mentor_ptr = grouped_index(self.mentor, p.n_mentors)
        self.sel, self.start = sel.copy(), start.copy()
        self.objective = d.objective(sel)
        # A neighbourhood searched without gain is searched again only once the answer
        # of one of its mentors has changed (``version``).
        self.version = np.zeros(p.n_mentors, dtype=np.int64)
        self.improved = 0

    def time_left(self) -> bool:
        """Whether one more neighbourhood, as slow as the slowest so far, ends in time."""
        return time.perf_counter() + self.slowest < self.deadline

    def matched(self) -> B:
        out = np.zeros(self.p.n_mentees, dtype=np.bool_)
        out[self.mentee[self.sel]] = True
        return out

    def mark(self, group: I64) -> tuple[I64, I64]:
        return group, self.version[group].copy()

    def unchanged(self, mark: tuple[I64, I64] | None) -> bool:
        return mark is not None and bool(np.array_equal(self.version[mark[0]], mark[1]))

    def search(self, group: I64) -> bool:
        """Re-decide the mentees of the mentors ``group`` and the unmatched mentees eligible
        with them; keep the result if it keeps every rule and scores higher."""
        t = time.perf_counter()
        try:
            return self._search(group)
        finally:
            self.slowest = max(self.slowest, time.perf_counter() - t)

    def _search(self, group: I64) -> bool:
        d, sel, mentee = self.d, self.sel, self.mentee
        matched = self.matched()
        edges = np.concatenate(
            [self.by_mentor[self.mentor_ptr[j] : self.mentor_ptr[j + 1]] for j in group]
        )
        free = np.zeros(self.p.n_mentees, dtype=np.bool_)
        free[mentee[edges[sel[edges]]]] = True
        free[mentee[edges][~matched[mentee[edges]]]] = True
        R = np.sort(edges[free[mentee[edges]]])
        seconds = self.deadline - time.perf_counter()
        found = _solve(d, R, sel, self.start, free, matched, self.seed, seconds)
        if found is None:
            return False
        n_sel, n_start = sel.copy(), self.start.copy()
        n_sel[R], n_start[R] = found[0][R], found[1][R]
        n_obj = d.objective(n_sel)
        if n_obj <= self.objective + 1e-9 or rule_breaks(d, n_sel, n_start):
            return False
        self.sel, self.start, self.objective = n_sel, n_start, n_obj
        self.version[group] += 1
        self.improved += 1
        return True


def polish(
    d: RichData,
    sel: B,
    start: I64,
    *,
    deadline: float,
    seed: int,
    guide: Guide | None = None,
) -> tuple[B, I64, int]:
    """The answer after neighbourhood search until ``deadline`` (``time.perf_counter``),
    and how many neighbourhoods improved it. ``sel``/``start`` must keep every rule.

    With a ``guide`` (the Lagrangian's last relaxed schedules) mentors come first, those
    whose answer falls furthest short of their relaxed schedule at its prices first; then
    neighbourhoods around unmatched mentees. Deterministic for a given number of
    neighbourhoods searched (which ``deadline`` sets)."""
    s = _Search(d, sel, start, seed, deadline)
    if guide is not None:
        _guided(s, guide)
    _around_unmatched(s)
    return s.sel, s.start, s.improved


def _guided(s: _Search, guide: Guide) -> None:
    """Mentor ``j`` and the mentors now holding the mentees of its relaxed schedule, by
    the schedule gap ``best_j - sum over j's mentees of (value - price)``.

    At the Lagrangian's prices the gap between bound and answer is the sum of these gaps
    plus the prices of unmatched mentees, and at Seoul size nearly all of it is in the
    former (11 of 1,678 unmatched mentees had a price): searched this way, 15 s of
    neighbourhoods lifted an answer from -72,776 to -71,756 points, against -72,510 when
    seeded by unmatched mentees."""
    reduced = s.d.value() - guide.price[s.mentee]
    order, ptr = grouped_index(s.mentor[guide.edges], s.p.n_mentors)
    in_schedule = s.mentee[guide.edges][order]
    settled: dict[int, tuple[I64, I64]] = {}
    while s.time_left():
        gap = guide.best - np.bincount(
            s.mentor[s.sel], weights=reduced[s.sel], minlength=s.p.n_mentors
        )
        ranked = np.argsort(-gap, kind="stable")
        j = next(
            (k for k in ranked[gap[ranked] > 1.0].tolist() if not s.unchanged(settled.get(k))),
            None,
        )
        if j is None:
            return
        owner = np.full(s.p.n_mentees, -1, dtype=np.int64)
        owner[s.mentee[s.sel]] = s.mentor[s.sel]
        held = owner[in_schedule[ptr[j] : ptr[j + 1]]]
        members = [j, *[k for k in held.tolist() if k >= 0]]
        group = np.array(list(dict.fromkeys(members))[:MENTORS], dtype=np.int64)
        if not s.search(group):
            settled[j] = s.mark(group)


def _around_unmatched(s: _Search) -> None:
    """An unmatched mentee's best-valued candidate mentors, the mentee drawn at random."""
    rng = np.random.default_rng(s.seed)
    value = s.d.value()
    settled: dict[int, tuple[I64, I64]] = {}
    while s.time_left():
        ptr = s.mentee_ptr
        open_ = np.flatnonzero(~s.matched() & (ptr[1:] > ptr[:-1]))
        open_ = np.array(
            [i for i in open_.tolist() if not s.unchanged(settled.get(i))], dtype=np.int64
        )
        if open_.size == 0:
            return
        i = int(open_[rng.integers(open_.size)])
        cand = s.by_mentee[ptr[i] : ptr[i + 1]]
        cand = cand[np.argsort(-value[cand], kind="stable")][:MENTORS]
        group = np.unique(s.mentor[cand])
        if not s.search(group):
            settled[i] = s.mark(group)


def _solve(
    d: RichData, R: I64, sel: B, start: I64, free: B, matched: B, seed: int, seconds: float
) -> tuple[B, I64] | None:
    """CP-SAT over the pairs ``R`` with the rules narrowed to the freed mentees."""
    floors = []
    for label, rows, need in d.groups.floors:
        inside = rows[free[rows]]
        got = int(matched[rows].sum())
        fixed = got - int(matched[inside].sum())
        # Soft floors: the neighbourhood keeps what the answer fills (a hard floor there).
        floors.append((label, inside, max(0, (min(need, got) if d.soft_floors else need) - fixed)))
    for label, rows in d.groups.maxmin:  # no max-min group loses a matched mentee
        inside = rows[free[rows]]
        floors.append((label, inside, int(matched[inside].sum())))
    groups = replace(d.groups, floors=tuple(floors), maxmin=())
    model = Model(d.with_groups(groups, soft_floors=False), R)
    model.hint(sel, start)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = DTIME
    solver.parameters.max_time_in_seconds = max(0.01, seconds)
    raw = solver.solve(model.m)
    if raw not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
    return model.decode(solution, d.problem.n_edges)
