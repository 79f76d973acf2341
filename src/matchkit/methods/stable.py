"""Stable matching: mentee-proposing deferred acceptance with capacities, and blocking pairs
(:func:`blocking_pairs`, for any answer).

A baseline beside the optimum: an answer in which no mentee and mentor would both rather be
together than where they are. Preferences are derived from the compiled problem, so every
hard rule holds (only eligible pairs are acceptable, ``forbidden`` and ``avoid`` included):

* a **mentee** ranks eligible mentors by pair score, higher first (ties: mentor ID);
* a **mentor** ranks eligible mentees by priority, higher first, then pair score (ties:
  mentee ID) -- the programme asks mentors' places to go to the students in greatest need.

Pinned pairs are fixed before anyone proposes: they use their mentor's capacity, their
mentees do not propose, and a mentor never gives up a pinned mentee. Ties are broken by
IDs, never by input order, so reordering the cohort does not change the answer.

Deferred acceptance (Gale and Shapley; Roth's hospital-resident form) gives the
mentee-optimal stable matching: every mentee gets the best mentor of any stable matching.
"""

from __future__ import annotations

import heapq
import time

import numpy as np
import numpy.typing as npt

from matchkit.compiler.arrays import CohortArrays
from matchkit.compiler.prepare import prepare
from matchkit.compiler.problem import compile_problem
from matchkit.compiler.rules import MILLI
from matchkit.core.assignment import Assignment, Status, objective_value
from matchkit.core.problem import AssignmentProblem
from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.domain.result import MatchResult
from matchkit.solvers.dispatch import solve_assignment

__all__ = [
    "blocking_edges",
    "blocking_pairs",
    "deferred_acceptance",
    "id_ranks",
    "preference_ranks",
    "stable_assignment",
]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


def _rank(order: I64) -> I64:
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank


def preference_ranks(problem: AssignmentProblem, a: CohortArrays) -> tuple[I64, I64]:
    """Per edge, its rank in its mentee's list and in its mentor's list (lower = preferred).

    Ranks are global positions in one lexicographic order; compared only between edges of
    the same mentee (or mentor), they order that person's list. Ties are broken by the rank
    of each person's ID among the IDs (:func:`id_ranks`). The one definition of the
    preferences, for deferred acceptance and for :func:`blocking_pairs` alike.
    """
    s_priority, s_tie, t_tie = a.s_priority, id_ranks(a.s_ids), id_ranks(a.t_ids)
    i = np.asarray(problem.mentee, dtype=np.int64)
    j = np.asarray(problem.mentor, dtype=np.int64)
    score = np.asarray(problem.score)
    s_rank = _rank(np.lexsort((t_tie[j], -score)))
    t_rank = _rank(np.lexsort((s_tie[i], -score, -s_priority[i])))
    return s_rank, t_rank


def deferred_acceptance(
    n_mentees: int,
    n_mentors: int,
    mentee: I64,
    mentor: I64,
    s_rank: I64,
    t_rank: I64,
    capacity: I64,
    fixed: B | None = None,
) -> B:
    """Mentee-proposing deferred acceptance; the selected edges of the mentee-optimal stable
    matching.

    Parameters
    ----------
    n_mentees, n_mentors : int
        Sizes.
    mentee, mentor : array of int
        Each edge's two ends: the acceptable pairs (acceptability is mutual).
    s_rank, t_rank : array of int
        Each edge's rank in its mentee's and its mentor's preference list, lower preferred;
        distinct within one person's list.
    capacity : array of int
        Each mentor's capacity.
    fixed : array of bool, optional
        Edges fixed in advance (pins): selected, counted against capacity, never rejected.

    Examples
    --------
    Two mentees both prefer mentor 0 (capacity 1), who prefers mentee 1:

    >>> import numpy as np
    >>> sel = deferred_acceptance(2, 2, np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]),
    ...     s_rank=np.array([0, 1, 2, 3]), t_rank=np.array([1, 0, 0, 1]),
    ...     capacity=np.array([1, 1]))
    >>> sel.astype(int).tolist()  # mentee 0 -> mentor 1, mentee 1 -> mentor 0
    [0, 1, 1, 0]
    """
    mentee = np.asarray(mentee, dtype=np.int64)
    mentor = np.asarray(mentor, dtype=np.int64)
    selected = np.zeros(mentee.size, dtype=np.bool_)
    room = np.asarray(capacity, dtype=np.int64).copy()
    active = np.ones(n_mentees, dtype=np.bool_)
    if fixed is not None and fixed.any():
        selected |= fixed
        np.subtract.at(room, mentor[fixed], 1)
        active[mentee[fixed]] = False
    # Each mentee's list, best first, as positions into the edge arrays.
    order = np.lexsort((s_rank, mentee))
    ptr = np.searchsorted(mentee[order], np.arange(n_mentees + 1))
    lists = order.tolist()
    nxt = ptr[:-1].tolist()
    end = ptr[1:].tolist()
    m_of = mentor.tolist()
    s_of = mentee.tolist()
    tr = np.asarray(t_rank, dtype=np.int64).tolist()
    left = np.maximum(room, 0).tolist()
    held: list[list[tuple[int, int]]] = [[] for _ in range(n_mentors)]  # (-rank, edge)
    free = np.flatnonzero(active)[::-1].tolist()  # a stack; the order does not change the answer
    while free:
        i = free.pop()
        k, stop = nxt[i], end[i]
        while k < stop:
            e = lists[k]
            k += 1
            j = m_of[e]
            if left[j] == 0:
                continue
            heap = held[j]
            if len(heap) < left[j]:
                heapq.heappush(heap, (-tr[e], e))
                break
            if -heap[0][0] > tr[e]:  # j prefers i to its worst held mentee: swap them
                _, out = heapq.heapreplace(heap, (-tr[e], e))
                free.append(s_of[out])
                break
        nxt[i] = k
    for heap in held:
        for _, e in heap:
            selected[e] = True
    return selected


def blocking_edges(
    problem: AssignmentProblem, selected: B, s_rank: I64, t_rank: I64, fixed: B | None = None
) -> I64:
    """The edges that block ``selected``: the mentee prefers the mentor to their match (or
    has none), and the mentor has room or prefers the mentee to one of its unfixed mentees.

    Mentees in fixed (pinned) pairs cannot move and never block; their places are held.
    """
    i = np.asarray(problem.mentee, dtype=np.int64)
    j = np.asarray(problem.mentor, dtype=np.int64)
    sel = np.asarray(selected, dtype=np.bool_)
    fix = np.zeros(sel.size, dtype=np.bool_) if fixed is None else np.asarray(fixed, np.bool_)
    big = np.iinfo(np.int64).max
    # Each mentee's current rank (big: unmatched, so any acceptable mentor is better).
    current = np.full(problem.n_mentees, big, dtype=np.int64)
    np.minimum.at(current, i[sel], s_rank[sel])
    pinned_mentee = np.zeros(problem.n_mentees, dtype=np.bool_)
    pinned_mentee[i[fix]] = True
    load = np.bincount(j[sel], minlength=problem.n_mentors)
    # Each mentor's worst movable mentee (-1: none movable).
    worst = np.full(problem.n_mentors, -1, dtype=np.int64)
    movable = sel & ~fix
    np.maximum.at(worst, j[movable], t_rank[movable])
    cap = np.asarray(problem.capacity, dtype=np.int64)
    wants = ~sel & (s_rank < current[i]) & ~pinned_mentee[i]
    takes = (load[j] < cap[j]) | ((worst[j] >= 0) & (t_rank < worst[j]))
    return np.flatnonzero(wants & takes)


def id_ranks(ids: tuple[str, ...]) -> I64:
    """Each ID's position among the sorted IDs: the tie-break that input order cannot move."""
    return _rank(np.argsort(np.array(ids, dtype=object), kind="stable").astype(np.int64))


def stable_assignment(problem: AssignmentProblem, a: CohortArrays) -> Assignment:
    """The mentee-optimal stable matching of a compiled cohort, as an :class:`Assignment`.

    Its bound is the flow optimum of the same problem, so ``gap`` is the price of stability
    and ``stats`` holds both objectives and matched counts.
    """
    t0 = time.perf_counter()
    s_rank, t_rank = preference_ranks(problem, a)
    fixed = np.asarray(problem.pinned, dtype=np.bool_) if problem.pinned is not None else None
    sel = deferred_acceptance(
        problem.n_mentees,
        problem.n_mentors,
        np.asarray(problem.mentee),
        np.asarray(problem.mentor),
        s_rank,
        t_rank,
        np.asarray(problem.capacity),
        fixed,
    )
    wall = time.perf_counter() - t0
    best = solve_assignment(problem, method="flow")
    objective = objective_value(problem, sel)
    stats = {
        "stable_time": wall,
        "stable_objective": objective / MILLI,
        "stable_matched": float(sel.sum()),
        "optimal_objective": best.objective / MILLI,
        "optimal_matched": float(np.asarray(best.selected).sum()),
    }
    return Assignment(
        problem=problem,
        selected=sel,
        objective=objective,
        bound=best.bound,
        status=Status.FEASIBLE if objective < best.bound else Status.OPTIMAL,
        method="stable",
        wall_time=time.perf_counter() - t0,
        raw_status="STABLE",
        stats=stats,
    )


def _selected(keys: I64, pairs: list[tuple[int, int]], n_mentors: int, what: str) -> I64:
    """Positions in ``keys`` (sorted mentee * n_mentors + mentor) of ``pairs``; raise naming
    the first pair that is not an eligible one."""
    want = np.array([i * n_mentors + j for i, j in pairs], dtype=np.int64)
    at = np.searchsorted(keys, want)
    bad = (at >= keys.size) | (keys[np.minimum(at, max(keys.size - 1, 0))] != want)
    if bad.any():
        raise ValueError(f"{what}: {int(bad.sum())} pair(s) are not eligible under this policy")
    return at


def blocking_pairs(
    cohort: Cohort, policy: Policy | None, result: MatchResult
) -> list[tuple[str, str]]:
    """The (mentee id, mentor id) pairs that block ``result``, sorted.

    A pair blocks when it is eligible, the mentee prefers that mentor to the one they have
    (any eligible mentor beats none) and the mentor has room or prefers the mentee to one of
    its mentees. Preferences as ``solve(method="stable")`` derives them (see
    :mod:`matchkit.methods.stable`): mentees by pair score, mentors by priority then score,
    ties by ID; pinned mentees are fixed and their places held. An answer of
    ``method="stable"`` has none; an optimal answer usually has some.

    Parameters
    ----------
    cohort : Cohort
        The cohort ``result`` answers.
    policy : Policy or None
        The policy ``result`` was solved under; ``None`` for ``Policy()``.
    result : MatchResult
        The answer to check.

    Returns
    -------
    list of tuple of (str, str)
        ``(mentee id, mentor id)`` pairs, sorted; empty for a stable answer.

    Raises
    ------
    ValueError
        ``result`` matches a pair that is not eligible under ``policy`` (check it with
        :func:`matchkit.verify`).

    Examples
    --------
    >>> from matchkit import Cohort, Mentor, Mentee, solve
    >>> cohort = Cohort(
    ...     mentors=[Mentor(id="m-1", subjects={"math": 5}, availability="Sat 10:00-14:00",
    ...                     district="Mapo-gu", capacity=1)],
    ...     mentees=[Mentee(id=f"s-{k}", level="middle", grade=2, needs={"math": 1},
    ...                     availability="Sat 10:00-12:00", district="Mapo-gu", priority=k)
    ...              for k in (1, 2)])
    >>> blocking_pairs(cohort, None, solve(cohort, method="stable"))
    []
    """
    policy = Policy() if policy is None else policy
    rules, pinned = prepare(cohort, policy)
    problem = compile_problem(rules, pinned).problem
    a = rules.a
    nt = a.n_mentors
    keys = np.asarray(problem.mentee, np.int64) * nt + np.asarray(problem.mentor, np.int64)
    order = np.argsort(keys, kind="stable")
    s_index, t_index = cohort.mentee_index(), cohort.mentor_index()
    pairs = [(s_index[m.mentee_id], t_index[m.mentor_id]) for m in result.matches]
    sel = np.zeros(problem.n_edges, dtype=np.bool_)
    sel[order[_selected(keys[order], pairs, nt, "result")]] = True
    s_rank, t_rank = preference_ranks(problem, a)
    found = blocking_edges(problem, sel, s_rank, t_rank, np.asarray(problem.pinned))
    out = [
        (a.s_ids[i], a.t_ids[j])
        for i, j in zip(
            np.asarray(problem.mentee)[found].tolist(),
            np.asarray(problem.mentor)[found].tolist(),
            strict=True,
        )
    ]
    return sorted(out)
