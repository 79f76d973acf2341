"""Compile a cohort and policy to an :class:`~matchkit.AssignmentProblem`, vectorised.

The rules and the score of each pair live in :class:`~matchkit.compiler.rules.PairRules`;
this module runs them over the whole cohort: candidate chunks of about a million pairs on a
small standard-library thread pool (BLAS held to one thread inside it), results in input
order, so memory grows with the pairs a region can form, never with
``n_mentors x n_mentees``, and the output is deterministic.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from matchkit.compiler.rules import PairRules, to_milli
from matchkit.core.problem import AssignmentProblem

__all__ = ["Compiled", "compile_problem", "compile_threads"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

T = TypeVar("T")
R = TypeVar("R")

_THREADS = [min(2, os.cpu_count() or 1)]
"""Compile threads (a one-item list, so :func:`compile_threads` can change it)."""


@contextmanager
def compile_threads(n: int) -> Iterator[None]:
    """Compile on ``n`` threads inside the block (what-if workers running side by side on
    every core use 1: more would only compete for the same cores)."""
    before = _THREADS[0]
    _THREADS[0] = max(1, int(n))
    try:
        yield
    finally:
        _THREADS[0] = before


@dataclass(frozen=True)
class Compiled:
    problem: AssignmentProblem
    eligible_pairs: int


def _top_k(i: I64, score: F64, keep_always: B, k: int | None) -> B:
    if k is None:
        return np.ones(i.size, dtype=np.bool_)
    order = np.lexsort((-score, i))
    si = i[order]
    starts = np.r_[0, np.flatnonzero(si[1:] != si[:-1]) + 1]
    rank = np.arange(si.size) - np.repeat(starts, np.diff(np.r_[starts, si.size]))
    keep = np.zeros(i.size, dtype=np.bool_)
    keep[order] = rank < k
    return keep | keep_always


def ordered_map(
    fn: Callable[[T], R], items: Iterable[T], workers: int | None = None
) -> Iterator[R]:
    """``map(fn, items)`` on a thread pool, in order, with few items in flight (bounded memory).

    numpy releases the GIL in the array work, so chunks overlap on both cores; results come
    back in input order, so the output is the same as a serial run.
    """
    workers = _THREADS[0] if workers is None else workers
    if workers <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(fn, item))
            if len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def compile_problem(rules: PairRules, pinned: tuple[I64, I64]) -> Compiled:
    """The eligible pairs (best ``max_candidates`` per mentee, continuity, pins) as a problem."""
    a, p = rules.a, rules.p
    nt = a.n_mentors
    pin_keys = np.sort(pinned[0] * nt + pinned[1])

    def chunk(task: list[tuple[I64, I64, bool]]) -> tuple[I32, I32, I64, int]:
        i, j, km, slack = rules.eligible(task)
        score = rules.score(rules.components(i, j, km, slack))
        always = a.s_prev[i] == j
        if pin_keys.size:
            always |= np.isin(i * nt + j, pin_keys)
        keep = _top_k(i, score, always, p.max_candidates)
        # int32 indices (the engine keeps them as they are): a third less memory per edge.
        return i[keep].astype(np.int32), j[keep].astype(np.int32), to_milli(score[keep]), i.size

    parts_i: list[I32] = []
    parts_j: list[I32] = []
    parts_s: list[I64] = []
    eligible = 0
    # The chunks already keep both cores busy; BLAS threads inside each block's small matrix
    # product would only compete with them (and spin while waiting).
    with threadpool_limits(limits=1, user_api="blas"):
        tasks = rules.candidate_tasks(np.arange(a.n_mentees))
        for i, j, score, n in ordered_map(chunk, tasks):
            eligible += n
            parts_i.append(i)
            parts_j.append(j)
            parts_s.append(score)
    mentee = np.concatenate(parts_i) if parts_i else np.empty(0, np.int32)
    mentor = np.concatenate(parts_j) if parts_j else np.empty(0, np.int32)
    score = np.concatenate(parts_s) if parts_s else np.empty(0, np.int64)
    del parts_i, parts_j, parts_s
    keys = mentee.astype(np.int64) * nt + mentor if pin_keys.size else None
    pinned_mask = np.isin(keys, pin_keys) if keys is not None else None
    problem = AssignmentProblem(
        a.n_mentees,
        nt,
        mentee,
        mentor,
        score,
        a.t_capacity,
        min_load=np.minimum(p.min_load, a.t_capacity) if p.min_load else 0,
        unmatched_penalty=rules.value_of_matching_milli(),
        pinned=pinned_mask,
    )
    return Compiled(problem, eligible)
