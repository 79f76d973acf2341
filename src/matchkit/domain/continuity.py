"""Across terms and within one: blocking pairs of any answer (stable matching's test).

See ``docs/explanation/continuity.md`` for when to use ``rematch``'s ``prefer`` and
``require``, ``repair`` and ``method="stable"``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchkit.domain.compile import compile_problem
from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.domain.prepare import prepare
from matchkit.domain.result import MatchResult
from matchkit.domain.stable import blocking_edges, id_ranks, preference_ranks

__all__ = ["blocking_pairs"]

I64 = npt.NDArray[np.int64]


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
    :mod:`matchkit.domain.stable`): mentees by pair score, mentors by priority then score,
    ties by ID; pinned mentees are fixed and their places held. An answer of
    ``method="stable"`` has none; an optimal answer usually has some.

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
    s_rank, t_rank = preference_ranks(problem, a.s_priority, id_ranks(a.s_ids), id_ranks(a.t_ids))
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
