"""The answer joined back: an :class:`~matchkit.core.Assignment` over the compiled arrays
becomes a :class:`~matchkit.MatchResult` over the cohort's ids, with every unmatched mentee's
reason (:mod:`matchkit.compiler.reasons`) and engine indices in explanations replaced by ids.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import numpy.typing as npt

from matchkit.compiler.arrays import CohortArrays
from matchkit.compiler.reasons import near_misses, unmatched_reasons
from matchkit.compiler.rules import COMPONENTS, MILLI, PairRules
from matchkit.core.assignment import Assignment
from matchkit.domain.model import Level, Mode
from matchkit.domain.policy import Policy
from matchkit.domain.result import (
    Continuity,
    Match,
    MatchResult,
    Session,
    Unmatched,
    UnmatchedReason,
    construct,
)
from matchkit.domain.schedule import Availability

__all__ = ["join"]

I64 = npt.NDArray[np.int64]
_LEVELS = (Level.MIDDLE, Level.HIGH)


def _explanation(text: str | None, a: CohortArrays) -> str | None:
    """Replace engine indices by record ids in an infeasibility explanation."""
    if text is None:
        return None

    def ids(match: re.Match[str]) -> str:
        kind, nums = match.group(1), match.group(3)
        table = a.s_ids if kind == "mentee" else a.t_ids
        named = re.sub(r"\d+", lambda m: repr(table[int(m.group(0))]), nums)
        return f"{kind}{match.group(2)} {named}"

    return re.sub(r"\b(mentee|mentor)(s?) (\d+(?:, \d+)*)", ids, text)


def _new_match(**values: Any) -> Match:
    return construct(Match, values)


def _new_unmatched(**values: Any) -> Unmatched:
    return construct(Unmatched, values)


def join(
    rules: PairRules,
    assignment: Assignment,
    policy: Policy,
    seed: int,
    timings: dict[str, float],
    stats: dict[str, float],
    *,
    start: I64 | None = None,
    method_reason: str | None = None,
) -> MatchResult:
    """The :class:`MatchResult` of ``assignment`` over the cohort ``rules`` was compiled from.

    ``start`` holds each edge's session start slot where the policy has sessions; ``timings``
    and ``stats`` are stored on the result as given.
    """
    a = rules.a
    prob = assignment.problem
    sel = assignment.selected
    i, j = prob.mentee[sel].astype(np.int64), prob.mentor[sel].astype(np.int64)
    order = np.argsort(i, kind="stable")  # matches in the cohort's mentee order
    i, j = i[order], j[order]
    parts = rules.components(i, j)
    km = rules.distance_km(i, j)
    online = rules.online(i, j)
    windows = a.s_avail[i] & a.t_avail[j]
    score = prob.score[sel][order] / MILLI
    if start is not None:
        begin = start[sel][order].tolist()
        sessions: list[Session | None] = [
            Session.from_slots(b, n) for b, n in zip(begin, a.s_slots[i].tolist(), strict=True)
        ]
    else:
        sessions = [None] * i.size
    matched = np.zeros(a.n_mentees, dtype=np.bool_)
    matched[i] = True

    def continuity(k: int, mentor: int) -> Continuity:
        prev = int(a.s_prev[k])
        if prev == -1:
            return Continuity.NONE
        if prev == -2:
            return Continuity.LOST
        return Continuity.KEPT if prev == mentor else Continuity.CHANGED

    points = np.column_stack(list(rules.points(parts).values()))
    cols = {
        "k": i.tolist(),
        "m": j.tolist(),
        "score": score.tolist(),
        "points": points.tolist() if i.size else [],
        "window": [Availability.from_masks(tuple(w)) for w in windows.tolist()],
        "online": online.tolist(),
        "km": np.where(np.isfinite(km), np.round(km, 3), np.nan).tolist(),
        "session": sessions,
    }
    matches = [
        _new_match(
            mentee_id=a.s_ids[k],
            mentor_id=a.t_ids[m],
            score=sc,
            breakdown=dict(zip(COMPONENTS, pts, strict=True)),
            window=win,
            mode=Mode.ONLINE if on else Mode.OFFLINE,
            distance_km=None if d != d else d,
            priority=int(a.s_priority[k]),
            level=_LEVELS[a.s_level[k]],
            district=a.districts[a.s_district[k]],
            continuity=continuity(k, m),
            session=ses,
        )
        for k, m, sc, pts, win, on, d, ses in zip(*cols.values(), strict=True)
    ]
    rows = np.flatnonzero(~matched)
    explanation = _explanation(assignment.explanation, a)
    if assignment.status.has_solution:
        load = np.bincount(j, minlength=a.n_mentors)
        why = unmatched_reasons(rules, prob, rows, load, policy.rich_rules())
        close = near_misses(rules, rows, load)
    else:
        detail = explanation or f"the solver found no answer ({assignment.raw_status})"
        why = [(UnmatchedReason.NO_SOLUTION, detail)] * rows.size
        close = [()] * rows.size
    unmatched = [
        _new_unmatched(
            mentee_id=a.s_ids[k],
            reason=reason,
            detail=detail,
            priority=int(a.s_priority[k]),
            level=_LEVELS[a.s_level[k]],
            district=a.districts[a.s_district[k]],
            continuity=continuity(k, -3),
            near_misses=near,
        )
        for k, (reason, detail), near in zip(rows.tolist(), why, close, strict=True)
    ]
    return MatchResult.model_construct(
        status=assignment.status,
        method=assignment.method,
        method_reason=method_reason,
        objective=assignment.objective / MILLI,
        bound=assignment.bound / MILLI,
        explanation=explanation,
        matches=tuple(matches),
        unmatched=tuple(unmatched),
        mentor_capacity=dict(zip(a.t_ids, a.t_capacity.tolist(), strict=True)),
        policy=policy,
        seed=seed,
        timings=timings,
        stats=stats,
        warnings=rules.warnings,
    )
