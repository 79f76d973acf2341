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
from matchkit.core.solve import _validate_options, solve_assignment
from matchkit.domain.arrays import CohortArrays
from matchkit.domain.compile import COMPONENTS, MILLI, PairRules, compile_problem
from matchkit.domain.flow_rules import flow_kind, solve_balanced, solve_floors
from matchkit.domain.groups import group_rules
from matchkit.domain.model import Cohort, Level, Mode
from matchkit.domain.policy import Policy
from matchkit.domain.prepare import prepare
from matchkit.domain.reasons import unmatched_reasons
from matchkit.domain.result import (
    Continuity,
    Match,
    MatchResult,
    Session,
    Unmatched,
    UnmatchedReason,
    construct,
)
from matchkit.domain.rich_checks import rich_data
from matchkit.domain.schedule import Availability
from matchkit.domain.stable import stable_assignment
from matchkit.errors import UnsupportedFeatureError

__all__ = ["solve"]

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


@contextmanager
def gc_paused() -> Iterator[None]:
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
    )


def solve(
    cohort: Cohort,
    policy: Policy | None = None,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    gap: float = 1e-4,
) -> MatchResult:
    """Match mentees to mentors under ``policy``: the best total score, every rule kept.

    Parameters
    ----------
    cohort : Cohort
        Mentors and mentees; never modified.
    policy : Policy, optional
        Hard rules and weights; ``Policy()`` by default.
    method : {"auto", "flow", "cpsat", "simplex", "priced", "stable"}
        ``"auto"`` (the default) takes an exact linear solver when every active rule is
        linear (hard rules, weights, pins, ``min_load``): min-cost flow, or where their
        rules apply (large problems; see :func:`matchkit.solve_assignment`) min-cost flow
        or the network simplex on priced edges; CP-SAT when the policy
        uses a rule flow cannot express (:meth:`Policy.rich_rules`); ``result.method_reason``
        says which and why. ``"flow"`` with such a rule raises
        :class:`~matchkit.UnsupportedFeatureError`. ``"stable"``: the mentee-optimal
        stable matching (:mod:`matchkit.domain.stable`), not the optimum; its ``bound`` is
        the optimum, so ``gap`` is the price of stability.
    time_limit : float, optional
        Seconds CP-SAT may search. With rich rules the default is 60 s; the best answer
        found is returned with status ``feasible``, its ``bound`` and ``gap``.
    seed : int
        CP-SAT's random seed.
    workers : int, optional
        CP-SAT search workers. With rich rules the default is one; several run CP-SAT's
        interleaved search. Either way the answer is the same for the same input, seed and
        ``workers`` (time limits count CP-SAT's deterministic time, see
        ``docs/explanation/rich-rules.md``). Without rich rules, as for
        :func:`matchkit.solve_assignment`.
    gap : float
        With rich rules, stop once the answer is within this fraction of the bound (the
        flow relaxation's optimum); 0 searches until proven optimal or ``time_limit``.

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
    with gc_paused():
        return _solve(cohort, policy, method, time_limit, seed, workers, gap)


def _solve(
    cohort: Cohort,
    policy: Policy | None,
    method: str,
    time_limit: float | None,
    seed: int,
    workers: int | None,
    gap: float,
) -> MatchResult:
    t0 = time.perf_counter()
    policy = Policy() if policy is None else policy
    _validate_options("auto" if method == "stable" else method, time_limit, seed, workers)
    if isinstance(gap, bool) or not isinstance(gap, int | float) or not 0 <= gap < 1:
        raise ValueError(f"gap must be a number in [0, 1), got {gap!r}")
    rich = policy.rich_rules()
    rules, pinned = prepare(cohort, policy)
    groups = group_rules(cohort, policy) if rich else None
    by_flow = flow_kind(policy, groups, method)  # balance alone, or disjoint floors
    if rich and by_flow is None and method == "flow":
        raise UnsupportedFeatureError("flow", sorted(rich), ["cpsat"])
    if method == "stable" and (rich or policy.min_load):
        beyond = [*rich, *(["min_load"] if policy.min_load else [])]
        raise UnsupportedFeatureError("stable", beyond, ["auto", "flow", "cpsat"])
    compiled = compile_problem(rules, pinned)
    t1 = time.perf_counter()
    stats = {
        "mentors": float(rules.a.n_mentors),
        "mentees": float(rules.a.n_mentees),
        "eligible_pairs": float(compiled.eligible_pairs),
        "kept_pairs": float(compiled.problem.n_edges),
    }
    start = None
    if method == "stable":
        assignment = stable_assignment(compiled.problem, rules.a)
        stats.update(assignment.stats)
        reason = "method='stable': mentee-proposing deferred acceptance"
    elif groups is not None and by_flow is None:
        from matchkit.domain.rich import solve_rich  # imports CP-SAT (about 0.5 s): when used

        data = rich_data(rules, compiled.problem, groups)
        # The time limit covers the whole call: compiling has used some of it already.
        left = None if time_limit is None else max(0.1, time_limit - (t1 - t0))
        out = solve_rich(data, time_limit=left, seed=seed, workers=workers or 1, gap=gap)
        stats.update(out.stats)
        start = out.start if policy.sessions is not None else None
        assignment = Assignment(
            problem=compiled.problem,
            selected=out.selected,
            objective=out.objective,
            bound=out.bound,
            status=out.status,
            method="cpsat",
            wall_time=time.perf_counter() - t1,
            raw_status=out.status.value.upper(),
            explanation=out.explanation,
        )
        reason = f"rules flow cannot express: {', '.join(rich)}"
    elif by_flow == "balance":
        balance = round(policy.weights.balance * MILLI)
        assignment = solve_balanced(compiled.problem, balance, seed=seed)
        stats.update(assignment.stats)
        reason = "the balance penalty as parallel arcs of rising cost: exact min-cost flow"
    elif by_flow == "floors":
        assert groups is not None
        assignment = solve_floors(compiled.problem, groups)
        reason = "floors over disjoint groups as lower bounds on group arcs: exact min-cost flow"
    else:
        assignment = solve_assignment(
            compiled.problem, method=method, time_limit=time_limit, seed=seed, workers=workers
        )
        solver = {
            "simplex": "network simplex on priced edges",
            "priced": "min-cost flow on priced edges",
        }.get(assignment.method, "min-cost flow")
        reason = (
            f"every active rule is linear: exact {solver}"
            if method == "auto"
            else f"method={method!r} was asked for"
        )
    t2 = time.perf_counter()
    timings = {"compile": t1 - t0, "solve": t2 - t1}
    result = join(
        rules, assignment, policy, seed, timings, stats, start=start, method_reason=reason
    )
    t3 = time.perf_counter()
    timings["join"] = t3 - t2
    timings["total"] = t3 - t0
    return result
