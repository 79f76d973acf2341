"""Why a mentee is unmatched: the first hard rule that leaves no candidate, or the rules
and the optimum that left it out (see :class:`~matchkit.UnmatchedReason`)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from matchkit.compiler.rules import PairRules
from matchkit.core.problem import AssignmentProblem
from matchkit.domain.policy import Policy
from matchkit.domain.result import NearMiss, UnmatchedReason

__all__ = ["NEAR_MISSES", "near_misses", "unmatched_reasons"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
NEAR_MISSES = 3
"""Near misses kept per unmatched mentee."""
_SLOT_MIN = 30


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


def _longest_run(common: npt.NDArray[np.uint64]) -> I64:
    """Longest run of set bits (half-hour slots) on any one day, per row of day masks."""
    x = common.copy()
    longest = np.zeros(x.shape[0], dtype=np.int64)
    one = np.uint64(1)
    while True:
        alive = (x != 0).any(axis=1)
        if not alive.any():
            return longest
        longest += alive
        x &= x >> one


def near_misses(rules: PairRules, rows: I64, load: I64) -> list[tuple[NearMiss, ...]]:
    """Up to :data:`NEAR_MISSES` mentors per mentee in ``rows`` that came closest.

    Candidates are the mentors passing the subject and mode rules (in chunks, never all
    mentors x mentees). Each pair is checked against distance, common time, exclusion and
    a free place; order: fewest rules missed, then the smallest miss (km over the limit /
    limit, minutes short / session length; a full or excluded mentor misses by 0), then
    mentor id. A pair missing nothing (``has_room``) ranks first.
    """
    a, p = rules.a, rules.p
    out: list[tuple[NearMiss, ...]] = [() for _ in range(rows.size)]
    if rows.size == 0:
        return out
    pos = np.full(a.n_mentees, -1, dtype=np.int64)
    pos[rows] = np.arange(rows.size)
    rank = np.argsort(np.argsort(np.array(a.t_ids, dtype=object), kind="stable"))
    for i, j in rules.candidates(rows):
        if i.size == 0:
            continue
        near, _ = rules.near_enough(i, j)
        timed = rules.fits_time(i, j)
        allowed = rules.allowed(i, j)
        full = load[j] >= a.t_capacity[j]
        n_missed = (~near).astype(np.int64) + ~timed + ~allowed + full
        # Only pairs that can be among a mentee's closest: at most the number of rules
        # missed by its NEAR_MISSES-th best pair (counted by bincount, no sort).
        _, local = np.unique(i, return_inverse=True)
        counts = np.bincount(local * 5 + n_missed, minlength=(local.max() + 1) * 5)
        reached = np.cumsum(counts.reshape(-1, 5), axis=1) >= NEAR_MISSES
        reach = np.where(reached[:, -1], reached.argmax(axis=1), 4)
        cut = np.flatnonzero(n_missed <= reach[local])
        i, j, n_missed = i[cut], j[cut], n_missed[cut]
        near, timed, allowed, full = near[cut], timed[cut], allowed[cut], full[cut]
        online = rules.online(i, j)
        on_km = np.inf if p.online_max_km is None else p.online_max_km
        off_km = np.inf if p.max_travel_km is None else p.max_travel_km
        limit = np.where(online, on_km, off_km)
        km = np.zeros(i.size)
        far = np.flatnonzero(~near)
        km[far] = rules.distance_km(i[far], j[far])
        short = np.zeros(i.size, dtype=np.int64)
        late = np.flatnonzero(~timed)
        if late.size:
            run = _longest_run(a.s_avail[i[late]] & a.t_avail[j[late]])
            short[late] = np.maximum(a.s_slots[i[late]] - run, 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            over = (km - limit) / np.where(limit > 0, limit, 1.0)
        far_miss = np.where(near, 0.0, np.nan_to_num(over, nan=np.inf))
        miss = far_miss + short / np.maximum(a.s_slots[i], 1)
        order = np.lexsort((rank[j], miss, n_missed, i))
        i_o = i[order]
        first = np.r_[True, i_o[1:] != i_o[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(i_o.size), 0))
        keep = order[(np.arange(i_o.size) - start) < NEAR_MISSES]
        cols = zip(
            i[keep].tolist(),
            j[keep].tolist(),
            near[keep].tolist(),
            timed[keep].tolist(),
            allowed[keep].tolist(),
            full[keep].tolist(),
            km[keep].tolist(),
            limit[keep].tolist(),
            short[keep].tolist(),
            strict=True,
        )
        for ki, kj, is_near, is_timed, is_allowed, is_full, d, lim, sh in cols:
            parts: list[tuple[str, str]] = []
            if not is_near:
                where = "distance unknown" if math.isinf(d) else f"{d:.1f} km > {lim:g} km"
                parts.append(("too_far", f"too far: {where}"))
            if not is_timed:
                parts.append(("no_common_time", f"time: {sh * _SLOT_MIN} min short"))
            if not is_allowed:
                parts.append(("excluded", "excluded: avoid list or forbidden pair"))
            if is_full:
                parts.append(("full", f"full: {int(load[kj])} of {int(a.t_capacity[kj])}"))
            if not parts:
                free = int(a.t_capacity[kj] - load[kj])
                parts.append(("has_room", f"has room: {free} free, not chosen"))
            r = int(pos[ki])
            out[r] = (
                *out[r],
                NearMiss.model_construct(
                    mentor_id=a.t_ids[kj],
                    rule="+".join(x for x, _ in parts),
                    detail="; ".join(y for _, y in parts),
                ),
            )
    return out
