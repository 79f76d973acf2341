"""Why a mentee is unmatched: the first hard rule that leaves no candidate, or the rules
and the optimum that left it out (see :class:`~matchkit.UnmatchedReason`)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchkit.compiler.rules import PairRules
from matchkit.core.problem import AssignmentProblem
from matchkit.domain.policy import Policy
from matchkit.domain.result import UnmatchedReason

__all__ = ["unmatched_reasons"]

I64 = npt.NDArray[np.int64]


def _reasons(
    rules: PairRules, rows: I64, load: I64, rich: tuple[str, ...] = ()
) -> list[tuple[UnmatchedReason, str]]:
    """The first hard rule that leaves each mentee in ``rows`` without a candidate."""
    a, p = rules.a, rules.p
    nm = a.n_mentees
    n_subject = rules.key_subject_count[rules.key[rows]]
    n_mode = np.array([rules.key_candidates[k].size for k in rules.key[rows].tolist()])
    counts = np.zeros((5, nm), dtype=np.int64)
    for i, j in rules.candidates(rows):
        near, km = rules.near_enough(i, j)
        timed = near & rules.fits_time(i, j)
        allowed = timed & rules.allowed(i, j)
        spare = allowed & (load[j] < a.t_capacity[j])
        unknown = ~near & np.isinf(km)  # across unknown district labels: distance unknown
        for k, mask in enumerate((near, timed, allowed, spare, unknown)):
            counts[k] += np.bincount(i[mask], minlength=nm)
    stages = np.vstack([n_subject, n_mode, counts[:4, rows]])
    unknown_km = counts[4, rows].tolist()
    out = []
    for k, row in enumerate(rows.tolist()):
        n = stages[:, k].tolist()
        first = next((x for x in range(5) if n[x] == 0), 5)
        pruned = p.max_candidates is not None and n[4] > p.max_candidates
        out.append(
            _reason(
                first, n, a.s_slots[row] / 2, p, pruned=pruned, rich=rich, unknown=unknown_km[k]
            )
        )
    return out


def unmatched_reasons(
    rules: PairRules, prob: AssignmentProblem, rows: I64, load: I64, rich: tuple[str, ...] = ()
) -> list[tuple[UnmatchedReason, str]]:
    """Reasons for the unmatched ``rows``, re-walking the rules only where needed.

    A mentee with candidate edges in the solved problem (and none pruned) is explained from
    those edges: their mentors are full, or some have room but no pair is worth more than
    leaving the mentee out (or, under ``rich`` rules, no such pair fits those rules).
    Mentees without edges, or whose candidates were pruned by ``max_candidates``, are
    re-checked rule by rule.
    """
    a, k = rules.a, rules.p.max_candidates
    room = load[prob.mentor] < a.t_capacity[prob.mentor]
    degree = np.bincount(prob.mentee, minlength=a.n_mentees)[rows]
    spare = np.bincount(prob.mentee, weights=room, minlength=a.n_mentees)[rows]
    walk = (degree == 0) if k is None else (degree == 0) | (degree >= k)
    walked = iter(_reasons(rules, rows[walk], load, rich))
    out = []
    for n in range(rows.size):
        if walk[n]:
            out.append(next(walked))
        else:
            counts = [1, 1, 1, 1, int(degree[n]), int(spare[n])]
            out.append(_reason(5, counts, 0.0, rules.p, pruned=False, rich=rich))
    return out


def _reason(
    first: int,
    n: list[int],
    hours: float,
    p: Policy,
    *,
    pruned: bool,
    rich: tuple[str, ...] = (),
    unknown: int = 0,
) -> tuple[UnmatchedReason, str]:
    """Reason and detail from per-stage candidate counts (see ``_reasons``); ``unknown``
    counts the mentors ruled out because the distance is unknown (unknown districts)."""
    R = UnmatchedReason
    if first == 0:
        return R.NO_SUBJECT, (
            f"no mentor teaches a needed subject at proficiency >= {p.min_proficiency}"
        )
    if first == 1:
        return R.NO_MODE, (
            f"none of the {n[0]} mentors teaching a needed subject can meet in a compatible mode"
        )
    if first == 2 and unknown:
        return R.TOO_FAR, (
            f"the {n[1]} mentors teaching a needed subject in a compatible mode are out of "
            f"reach for an offline session: {unknown} at an unknown distance (a district "
            "not recognised and no coordinates)"
            + (f", {n[1] - unknown} farther than the limit" if n[1] > unknown else "")
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
    if rich and not pruned:
        return R.POLICY_RULES, (
            f"{n[5]} of {n[4]} eligible mentors have room, but no answer found gives this "
            f"mentee one of them within the policy's rules ({', '.join(rich)})"
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
