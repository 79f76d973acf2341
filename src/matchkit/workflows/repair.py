"""Mid-term: ``repair`` re-assigns only the mentees a change affects; every other pair stays.

See ``docs/explanation/continuity.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from matchkit.compiler.prepare import prepare
from matchkit.compiler.reasons import near_misses, unmatched_reasons
from matchkit.compiler.rules import value_of_matching
from matchkit.core.problem import AssignmentProblem
from matchkit.domain.model import Cohort, Mentee, Mentor
from matchkit.domain.policy import Policy
from matchkit.domain.result import Continuity, MatchResult, Unmatched, UnmatchedReason
from matchkit.domain.transition import BreakReason, BrokenPair, broken
from matchkit.workflows.rematch import transition
from matchkit.workflows.solve import solve

__all__ = ["repair"]


def repair(
    result: MatchResult,
    cohort: Cohort,
    policy: Policy | None = None,
    *,
    removed_mentors: Iterable[str] = (),
    removed_mentees: Iterable[str] = (),
    added_mentors: Iterable[Mentor] = (),
    added_mentees: Iterable[Mentee] = (),
    include_unmatched: bool = True,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
) -> MatchResult:
    """Mid-term: re-assign only the mentees a change affects; every other pair untouched.

    ``result`` answered ``cohort``; the new cohort is ``cohort.changed(...)`` with the same
    arguments. Affected: mentees whose mentor was removed, added mentees and, with
    ``include_unmatched`` (the default), mentees ``result`` left unmatched (they are
    waiting for a mentor; added mentors are usually hired for them). Every other pair of
    ``result`` is kept as it is (pinned); mentees not affected and unmatched stay so, with
    their reason. The affected mentees get the best answer under that restriction (exact
    min-cost flow for a linear policy, as :func:`solve` does otherwise).

    Parameters
    ----------
    result : MatchResult
        The answer for ``cohort`` (from :func:`solve`, :func:`~matchkit.rematch` or an
        earlier ``repair``).
    cohort : Cohort
        The cohort ``result`` answered; never modified.
    policy : Policy, optional
        The policy ``result`` was solved under; ``Policy()`` by default. It may not schedule
        sessions.
    removed_mentors, removed_mentees : iterable of str
        IDs of the people who left.
    added_mentors, added_mentees : iterable of Mentor or Mentee
        The people who joined; their IDs must be new.
    include_unmatched : bool
        Also solve for the mentees ``result`` left unmatched (the default); ``False`` moves
        only the mentees who lost their mentor and the added ones.
    method, time_limit, seed
        As for :func:`solve`, for the affected mentees.

    Returns
    -------
    MatchResult
        For ``cohort.changed(...)``, with a :attr:`MatchResult.transition` from ``result``.

    Raises
    ------
    InputError
        A removed ID is unknown, or an added ID is taken.
    ValueError
        The policy schedules sessions: kept pairs' sessions would have to be fixed as well,
        which ``repair`` does not do yet.

    Examples
    --------
    >>> from matchkit.synth import generate_cohort
    >>> cohort = generate_cohort(40, 160, seed=2)
    >>> before = solve(cohort)
    >>> gone = before.matches[0].mentor_id
    >>> after = repair(before, cohort, removed_mentors=[gone])
    >>> untouched = {(m.mentee_id, m.mentor_id) for m in before.matches if m.mentor_id != gone}
    >>> untouched <= {(m.mentee_id, m.mentor_id) for m in after.matches}
    True
    """
    policy = Policy() if policy is None else policy
    if policy.sessions is not None:
        raise ValueError("repair does not support sessions yet: kept pairs' sessions would move")
    removed_t, removed_s = set(removed_mentors), set(removed_mentees)
    added_s = tuple(added_mentees)
    new = cohort.changed(
        removed_mentors=removed_t,
        removed_mentees=removed_s,
        added_mentors=added_mentors,
        added_mentees=added_s,
    )
    before = {m.mentee_id: m.mentor_id for m in result.matches}
    keep = {s: t for s, t in before.items() if s not in removed_s and t not in removed_t}
    waiting = {u.mentee_id for u in result.unmatched} if include_unmatched else set()
    moving = {s for s, t in before.items() if t in removed_t} | waiting | {s.id for s in added_s}
    moving -= removed_s
    sub = Cohort(
        mentors=new.mentors, mentees=[s for s in new.mentees if s.id in keep or s.id in moving]
    )
    alive = {m.id for m in new.mentors}, {s.id for s in sub.mentees}
    pins = tuple(keep.items()) + tuple(
        (s, t) for s, t in policy.pinned if s in alive[1] and t in alive[0] and s not in keep
    )
    forbid = tuple((s, t) for s, t in policy.forbidden if s in alive[1] and t in alive[0])
    solved = solve(
        sub,
        policy.model_copy(update={"pinned": pins, "forbidden": forbid}),
        method=method,
        time_limit=time_limit,
        seed=seed,
    )
    forced = [
        broken(s, t, BreakReason.MENTEE_LEFT, "the mentee was removed")
        if s in removed_s
        else broken(s, t, BreakReason.MENTOR_LEFT, "the mentor was removed")
        for s, t in sorted(before.items())
        if s in removed_s or t in removed_t
    ]
    return _merge(solved, result, new, policy, (before, forced))


def _merge(
    solved: MatchResult,
    result: MatchResult,
    new: Cohort,
    policy: Policy,
    before: tuple[dict[str, str], list[BrokenPair]],
) -> MatchResult:
    """The sub-cohort's answer plus the untouched unmatched mentees, for the whole cohort."""
    done = {m.mentee_id for m in solved.matches} | {u.mentee_id for u in solved.unmatched}
    index = {u.mentee_id: u for u in result.unmatched}
    rest = _rederived(
        [index[s.id] for s in new.mentees if s.id not in done and s.id in index],
        solved,
        new,
        policy,
    )
    here: set[str | None] = {None, *(m.id for m in new.mentors)}  # None: had no mentor
    previous = {s.id: s.previous_mentor for s in new.mentees}
    priority = np.array([r.priority for r in rest], dtype=np.int64)
    lost = np.array([previous[r.mentee_id] not in here for r in rest], dtype=np.bool_)
    charged = float(value_of_matching(policy.weights, priority, lost).sum())
    order = new.mentee_index()
    merged = solved.model_copy(
        update={
            "unmatched": tuple(
                sorted((*solved.unmatched, *rest), key=lambda u: order[u.mentee_id])
            ),
            "objective": solved.objective - charged,
            "bound": solved.bound - charged,
            "policy": policy,
        }
    )
    return merged.model_copy(update={"transition": transition(*before, merged, "repair", None)})


def _rederived(
    rest: list[Unmatched], solved: MatchResult, new: Cohort, policy: Policy
) -> list[Unmatched]:
    """The waiting mentees ``repair`` did not move, their reason, near misses and continuity
    re-derived against the new cohort and the repaired loads (a removed mentor leaves some
    with nobody eligible; a freed place leaves room they were not moved into: ``not_moved``).
    """
    if not rest:
        return rest
    ids = {s.id for s in new.mentees}, {t.id for t in new.mentors}
    forbid = tuple((s, t) for s, t in policy.forbidden if s in ids[0] and t in ids[1])
    rules, _ = prepare(new, policy.model_copy(update={"pinned": (), "forbidden": forbid}))
    a = rules.a
    mentee_at, mentor_at = new.mentee_index(), new.mentor_index()
    rows = np.array([mentee_at[u.mentee_id] for u in rest], dtype=np.int64)
    load = np.zeros(a.n_mentors, dtype=np.int64)
    for m in solved.matches:
        load[mentor_at[m.mentor_id]] += 1
    nothing = AssignmentProblem(a.n_mentees, a.n_mentors, mentee=[], mentor=[], score=[])
    why = unmatched_reasons(rules, nothing, rows, load, policy.rich_rules())
    close = near_misses(rules, rows, load)
    previous = {s.id: s.previous_mentor for s in new.mentees}
    out = []
    for u, (reason, detail), near in zip(rest, why, close, strict=True):
        if reason in (UnmatchedReason.NOT_WORTH, UnmatchedReason.POLICY_RULES):
            reason = UnmatchedReason.NOT_MOVED
            detail = (
                "eligible mentors have room, but this waiting mentee was not re-assigned "
                "(repair with include_unmatched=False)"
            )
        prev = previous[u.mentee_id]
        continuity = (
            Continuity.NONE
            if prev is None
            else Continuity.CHANGED
            if prev in ids[1]
            else Continuity.LOST
        )
        update = {"reason": reason, "detail": detail, "near_misses": near}
        out.append(u.model_copy(update={**update, "continuity": continuity}))
    return out
