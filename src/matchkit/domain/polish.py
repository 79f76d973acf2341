"""Polish an answer by large-neighbourhood search: small CP-SAT models, each solved exactly.

A neighbourhood is a handful of mentors: the best-valued candidates of one mentee left
unmatched. Every mentee those mentors hold is freed, as is every unmatched mentee eligible
with one of them; the rest of the answer stays fixed. The time-indexed CP-SAT model of
:mod:`~matchkit.domain.rich_model` over just those pairs (a few thousand session units)
then re-decides who goes where and when, exactly: the freed mentees may move between the
mentors, make room for an unmatched one, or retime their sessions. Rules that reach past the
neighbourhood are narrowed to it: a floor needs only what the fixed part does not already
give, and a max-min group may not lose matched mentees. A change is kept when the whole
answer then keeps every rule and scores higher, so the answer never gets worse.

On the full linear relaxation the answers of the Lagrangian heuristic at Seoul size lie
1-2% below the optimum, a few dozen mentees' worth spread over the whole cohort; CP-SAT over
the whole (restricted) model finds almost nothing of it in the time left, while these
small models, mostly solved to optimality in a tenth of a second, each find some
(docs/explanation/rich-rules.md).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matchkit.domain.rich_checks import RichData, rule_breaks
from matchkit.domain.rich_model import Model

__all__ = ["polish"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

MENTORS = 6
"""Mentors per neighbourhood: the unmatched mentee's best-valued candidates."""
DTIME = 0.1
"""CP-SAT's deterministic time per neighbourhood (most are solved to optimality in it)."""


def _csr(key: I64, n: int) -> tuple[I64, I64]:
    order = np.argsort(key, kind="stable").astype(np.int64)
    ptr = np.r_[0, np.cumsum(np.bincount(key, minlength=n))].astype(np.int64)
    return order, ptr


def polish(d: RichData, sel: B, start: I64, *, deadline: float, seed: int) -> tuple[B, I64, int]:
    """The answer after neighbourhood search until ``deadline`` (``time.perf_counter``),
    and how many neighbourhoods improved it. ``sel``/``start`` must keep every rule.

    Deterministic for a given number of neighbourhoods searched (which ``deadline`` sets)."""
    p = d.problem
    mentee = np.asarray(p.mentee, dtype=np.int64)
    mentor = np.asarray(p.mentor, dtype=np.int64)
    value = d.value()
    by_mentee, mentee_ptr = _csr(mentee, p.n_mentees)
    by_mentor, mentor_ptr = _csr(mentor, p.n_mentors)
    sel, start = sel.copy(), start.copy()
    objective = d.objective(sel)
    rng = np.random.default_rng(seed)
    # Mentees whose neighbourhood was searched without gain, and the mentors' versions
    # then: searched again only once one of those mentors' answers has changed.
    version = np.zeros(p.n_mentors, dtype=np.int64)
    settled: dict[int, tuple[I64, I64]] = {}
    improved = 0
    while time.perf_counter() < deadline:
        matched = np.zeros(p.n_mentees, dtype=np.bool_)
        matched[mentee[sel]] = True
        open_ = np.flatnonzero(~matched & (mentee_ptr[1:] > mentee_ptr[:-1]))
        open_ = np.array(
            [i for i in open_.tolist() if not _unchanged(settled.get(i), version)],
            dtype=np.int64,
        )
        if open_.size == 0:
            break
        i = int(open_[rng.integers(open_.size)])
        cand = by_mentee[mentee_ptr[i] : mentee_ptr[i + 1]]
        cand = cand[np.argsort(-value[cand], kind="stable")][:MENTORS]
        group = np.unique(mentor[cand])
        edges = np.concatenate([by_mentor[mentor_ptr[j] : mentor_ptr[j + 1]] for j in group])
        free = np.zeros(p.n_mentees, dtype=np.bool_)
        free[mentee[edges[sel[edges]]]] = True
        free[mentee[edges][~matched[mentee[edges]]]] = True
        R = np.sort(edges[free[mentee[edges]]])
        found = _solve(d, R, sel, start, free, matched, seed)
        if found is not None:
            c_sel, c_start = found
            n_sel, n_start = sel.copy(), start.copy()
            n_sel[R], n_start[R] = c_sel[R], c_start[R]
            n_obj = d.objective(n_sel)
            if n_obj > objective + 1e-9 and not rule_breaks(d, n_sel, n_start):
                sel, start, objective = n_sel, n_start, n_obj
                version[group] += 1
                improved += 1
                continue
        settled[i] = (group, version[group].copy())
    return sel, start, improved


def _unchanged(mark: tuple[I64, I64] | None, version: I64) -> bool:
    return mark is not None and bool(np.array_equal(version[mark[0]], mark[1]))


def _solve(
    d: RichData, R: I64, sel: B, start: I64, free: B, matched: B, seed: int
) -> tuple[B, I64] | None:
    """CP-SAT over the pairs ``R`` with the rules narrowed to the freed mentees."""
    floors = []
    for label, rows, need in d.groups.floors:
        inside = rows[free[rows]]
        fixed = int(matched[rows].sum()) - int(matched[inside].sum())
        floors.append((label, inside, max(0, need - fixed)))
    for label, rows in d.groups.maxmin:  # no max-min group loses a matched mentee
        inside = rows[free[rows]]
        floors.append((label, inside, int(matched[inside].sum())))
    groups = replace(d.groups, floors=tuple(floors), maxmin=())
    model = Model(replace(d, groups=groups), R)
    model.hint(sel, start)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = DTIME
    raw = solver.solve(model.m)
    if raw not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
    return model.decode(solution, d.problem.n_edges)
