"""``solve``: cohort and policy in, :class:`MatchResult` out (compile -> engine -> join)."""

from __future__ import annotations

import gc
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

from matchkit.core.assignment import Assignment
from matchkit.core.problem import AssignmentProblem
from matchkit.core.solve import _validate_options, solve_assignment
from matchkit.domain.arrays import CohortArrays, cohort_arrays
from matchkit.domain.compile import COMPONENTS, MILLI, PairRules, compile_problem
from matchkit.domain.model import Cohort, Level, Mode
from matchkit.domain.policy import Policy
from matchkit.domain.result import (
    Continuity,
    Match,
    MatchResult,
    Unmatched,
    UnmatchedReason,
    construct,
)
from matchkit.domain.schedule import Availability
from matchkit.errors import InputError, InputProblem

__all__ = ["solve"]

I64 = npt.NDArray[np.int64]
_LEVELS = (Level.MIDDLE, Level.HIGH)
_RULE_WORDS = {
    "subject": "the mentor teaches no needed subject at the required proficiency",
    "mode": "their modes are incompatible",
    "distance": "they live farther apart than the travel limit (max_travel_km offline, "
    "online_max_km online)",
    "time": "they share no weekly window as long as the session",
    "rules": "the pair is on the avoid list or forbidden",
}


def _pairs(
    index: tuple[dict[str, int], dict[str, int]],
    pairs: tuple[tuple[str, str], ...],
    field: str,
    out: list[InputProblem],
) -> tuple[I64, I64]:
    s_index, t_index = index
    ii, jj = [], []
    for k, (s, t) in enumerate(pairs):
        if s not in s_index or t not in t_index:
            who = f"mentee {s!r}" if s not in s_index else f"mentor {t!r}"
            out.append(
                InputProblem("unknown_id", f"policy.{field}", f"{who} is not in the cohort", (k,))
            )
            continue
        ii.append(s_index[s])
        jj.append(t_index[t])
    return np.array(ii, dtype=np.int64), np.array(jj, dtype=np.int64)


def _prepare(cohort: Cohort, policy: Policy) -> tuple[PairRules, tuple[I64, I64]]:
    """Resolve the policy's pairs against the cohort and check pins; raise on bad input."""
    a = cohort_arrays(cohort)
    problems: list[InputProblem] = []
    index: tuple[dict[str, int], dict[str, int]] = ({}, {})
    if policy.pinned or policy.forbidden:  # id lookups only when the policy names pairs
        index = (cohort.mentee_index(), cohort.mentor_index())
    pi, pj = _pairs(index, policy.pinned, "pinned", problems)
    fi, fj = _pairs(index, policy.forbidden, "forbidden", problems)
    nt = a.n_mentors
    forbidden = np.unique(np.concatenate([fi * nt + fj, a.avoid_mentee * nt + a.avoid_mentor]))
    rules = PairRules(a, policy, forbidden)
    seen: dict[int, int] = {}
    for k, (i, j) in enumerate(zip(pi.tolist(), pj.tolist(), strict=True)):
        pair = f"({a.s_ids[i]!r}, {a.t_ids[j]!r})"
        if i in seen and seen[i] != j:
            problems.append(
                InputProblem(
                    "pinned_twice",
                    "policy.pinned",
                    f"mentee {a.s_ids[i]!r} is pinned to two mentors",
                    (k,),
                )
            )
        seen[i] = j
        ok, first = rules.check(np.array([i]), np.array([j]))
        if not ok[0]:
            assert first is not None
            problems.append(
                InputProblem(
                    "pinned_ineligible",
                    "policy.pinned",
                    f"pinned pair {pair} is not eligible: {_RULE_WORDS[first]}",
                    (k,),
                )
            )
    if problems:
        raise InputError("Policy", problems)
    return rules, (pi, pj)


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


def _reasons(rules: PairRules, rows: I64, load: I64) -> list[tuple[UnmatchedReason, str]]:
    """The first hard rule that leaves each mentee in ``rows`` without a candidate."""
    a, p = rules.a, rules.p
    nm = a.n_mentees
    n_subject = rules.key_subject_count[rules.key[rows]]
    n_mode = np.array([rules.key_candidates[k].size for k in rules.key[rows].tolist()])
    counts = np.zeros((4, nm), dtype=np.int64)
    for i, j in rules.candidates(rows):
        near = rules.near_enough(i, j)[0]
        timed = near & rules.fits_time(i, j)
        allowed = timed & rules.allowed(i, j)
        spare = allowed & (load[j] < a.t_capacity[j])
        for k, mask in enumerate((near, timed, allowed, spare)):
            counts[k] += np.bincount(i[mask], minlength=nm)
    stages = np.vstack([n_subject, n_mode, counts[:, rows]])
    out = []
    for k, row in enumerate(rows.tolist()):
        n = stages[:, k].tolist()
        first = next((x for x in range(5) if n[x] == 0), 5)
        pruned = p.max_candidates is not None and n[4] > p.max_candidates
        out.append(_reason(first, n, a.s_slots[row] / 2, p, pruned=pruned))
    return out


def _unmatched_reasons(
    rules: PairRules, prob: AssignmentProblem, rows: I64, load: I64
) -> list[tuple[UnmatchedReason, str]]:
    """Reasons for the unmatched ``rows``, re-walking the rules only where needed.

    A mentee with candidate edges in the solved problem (and none pruned) is explained from
    those edges: their mentors are full, or some have room but no pair is worth more than
    leaving the mentee out. Mentees without edges, or whose candidates were pruned by
    ``max_candidates``, are re-checked rule by rule.
    """
    a, k = rules.a, rules.p.max_candidates
    room = load[prob.mentor] < a.t_capacity[prob.mentor]
    degree = np.bincount(prob.mentee, minlength=a.n_mentees)[rows]
    spare = np.bincount(prob.mentee, weights=room, minlength=a.n_mentees)[rows]
    walk = (degree == 0) if k is None else (degree == 0) | (degree >= k)
    walked = iter(_reasons(rules, rows[walk], load))
    out = []
    for n in range(rows.size):
        if walk[n]:
            out.append(next(walked))
        else:
            counts = [1, 1, 1, 1, int(degree[n]), int(spare[n])]
            out.append(_reason(5, counts, 0.0, rules.p, pruned=False))
    return out


def _reason(
    first: int, n: list[int], hours: float, p: Policy, *, pruned: bool
) -> tuple[UnmatchedReason, str]:
    """Reason and detail from per-stage candidate counts (see ``_reasons``)."""
    R = UnmatchedReason
    if first == 0:
        return R.NO_SUBJECT, (
            f"no mentor teaches a needed subject at proficiency >= {p.min_proficiency}"
        )
    if first == 1:
        return R.NO_MODE, (
            f"none of the {n[0]} mentors teaching a needed subject can meet in a compatible mode"
        )
    if first == 2:
        return R.TOO_FAR, (
            f"the {n[1]} mentors teaching a needed subject in a compatible mode are all "
            f"farther than {p.max_travel_km} km for an offline session"
            + (f" or {p.online_max_km} km online" if p.online_max_km is not None else "")
        )
    if first == 3:
        return R.NO_COMMON_TIME, (
            f"none of the {n[2]} mentors within reach shares a {hours:g} h weekly window"
        )
    if first == 4:
        return R.EXCLUDED, (
            f"the {n[3]} otherwise eligible mentors are on the avoid list or forbidden"
        )
    if n[5] == 0:
        return R.MENTORS_FULL, (
            f"all {n[4]} eligible mentors are full with mentees the optimum preferred"
        )
    if not pruned:
        return R.NOT_WORTH, (
            f"{n[5]} of {n[4]} eligible mentors have room, but no such pair scores above "
            "zero once the value of matching is counted (see Weights.match and priority)"
        )
    return R.MENTORS_FULL, (
        f"{n[5]} of {n[4]} eligible mentors have room but are not among the "
        f"{p.max_candidates} best-scoring candidates kept (Policy.max_candidates)"
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restoring its state after).

    ``solve`` builds one record per mentee, hundreds of thousands of container objects
    without cycles; each allocation burst triggers collections that walk every live
    object, the caller's cohort included (about 1 s of a 15,000 x 60,000 solve).
    Reference counting still frees everything as usual; only cycle detection waits.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _new_match(**values: Any) -> Match:
    return construct(Match, values)


def _new_unmatched(**values: Any) -> Unmatched:
    return construct(Unmatched, values)


def _join(
    rules: PairRules,
    assignment: Assignment,
    policy: Policy,
    seed: int,
    timings: dict[str, float],
    stats: dict[str, float],
) -> MatchResult:
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
        )
        for k, m, sc, pts, win, on, d in zip(*cols.values(), strict=True)
    ]
    rows = np.flatnonzero(~matched)
    explanation = _explanation(assignment.explanation, a)
    if assignment.status.has_solution:
        why = _unmatched_reasons(rules, prob, rows, np.bincount(j, minlength=a.n_mentors))
    else:
        detail = explanation or f"the solver found no answer ({assignment.raw_status})"
        why = [(UnmatchedReason.NO_SOLUTION, detail)] * rows.size
    unmatched = [
        _new_unmatched(
            mentee_id=a.s_ids[k],
            reason=reason,
            detail=detail,
            priority=int(a.s_priority[k]),
            level=_LEVELS[a.s_level[k]],
            district=a.districts[a.s_district[k]],
            continuity=continuity(k, -3),
        )
        for k, (reason, detail) in zip(rows.tolist(), why, strict=True)
    ]
    return MatchResult.model_construct(
        status=assignment.status,
        method=assignment.method,
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
    )


def solve(
    cohort: Cohort,
    policy: Policy | None = None,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
) -> MatchResult:
    """Match mentees to mentors under ``policy``: the best total score, every rule kept.

    Parameters
    ----------
    cohort : Cohort
        Mentors and mentees; never modified.
    policy : Policy, optional
        Hard rules and weights; ``Policy()`` by default.
    method, time_limit, seed
        As for :func:`matchkit.solve_assignment`.

    Returns
    -------
    MatchResult
        Every mentee is in ``matches`` or in ``unmatched`` with a reason. Infeasible rules
        (pins overloading a mentor, say) give status ``infeasible`` and an explanation.

    Raises
    ------
    InputError
        The policy names people not in the cohort, pins a mentee twice, or pins a pair that
        breaks a hard rule.

    Examples
    --------
    >>> from matchkit import Cohort, Mentor, Mentee, solve
    >>> cohort = Cohort(
    ...     mentors=[Mentor(id="m-1", subjects={"math": 4}, availability="Sat 10:00-14:00",
    ...                     district="Mapo-gu", capacity=1)],
    ...     mentees=[Mentee(id="s-1", level="middle", grade=2, needs={"math": 1},
    ...                     availability="Sat 09:00-12:00", district="Mapo-gu")])
    >>> result = solve(cohort)
    >>> result.status.value, result.mentor_of("s-1")
    ('optimal', 'm-1')
    """
    with _gc_paused():
        return _solve(cohort, policy, method, time_limit, seed)


def _solve(
    cohort: Cohort, policy: Policy | None, method: str, time_limit: float | None, seed: int
) -> MatchResult:
    t0 = time.perf_counter()
    policy = Policy() if policy is None else policy
    _validate_options(method, time_limit, seed, None)
    rules, pinned = _prepare(cohort, policy)
    compiled = compile_problem(rules, pinned)
    t1 = time.perf_counter()
    assignment = solve_assignment(compiled.problem, method=method, time_limit=time_limit, seed=seed)
    t2 = time.perf_counter()
    stats = {
        "mentors": float(rules.a.n_mentors),
        "mentees": float(rules.a.n_mentees),
        "eligible_pairs": float(compiled.eligible_pairs),
        "kept_pairs": float(compiled.problem.n_edges),
    }
    timings = {"compile": t1 - t0, "solve": t2 - t1}
    result = _join(rules, assignment, policy, seed, timings, stats)
    t3 = time.perf_counter()
    timings["join"] = t3 - t2
    timings["total"] = t3 - t0
    return result
