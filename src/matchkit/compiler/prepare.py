"""Resolve a policy's pinned and forbidden pairs against a cohort, before compiling."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchkit.compiler.arrays import cohort_arrays
from matchkit.compiler.rules import PairRules
from matchkit.domain.geo import unknown_district_sentence, unknown_districts
from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.errors import InputError, InputProblem

__all__ = ["RULE_WORDS", "prepare"]

I64 = npt.NDArray[np.int64]
RULE_WORDS = {
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


def _districts(cohort: Cohort, policy: Policy) -> tuple[str, ...]:
    """Unknown districts of people who need a place: an error, or warnings if the policy
    says ``unknown_districts="warn"`` (see :mod:`matchkit.domain.geo`)."""
    found = [
        *unknown_districts("mentor", cohort.mentors),
        *unknown_districts("mentee", cohort.mentees),
    ]
    if not found:
        return ()
    if policy.unknown_districts == "error":
        problems = [
            InputProblem(
                "unknown_district",
                f"{who}: district",
                unknown_district_sentence(district, hint)
                + " (give coordinates, or Policy(unknown_districts='warn'))",
            )
            for who, district, hint in found
        ]
        raise InputError("Cohort", problems)
    return tuple(
        f"{who}: district: {unknown_district_sentence(district, hint)}; its distances are "
        "unknown (0 km within the same district label, not eligible offline across labels)"
        for who, district, hint in found
    )


def prepare(cohort: Cohort, policy: Policy) -> tuple[PairRules, tuple[I64, I64]]:
    """Resolve the policy's pairs against the cohort and check pins and districts; raise
    on bad input (the warnings of ``Policy(unknown_districts="warn")`` are left on
    ``rules.warnings``)."""
    warnings = _districts(cohort, policy)
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
    rules.warnings = warnings
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
                    f"pinned pair {pair} is not eligible: {RULE_WORDS[first]}",
                    (k,),
                )
            )
    if problems:
        raise InputError("Policy", problems)
    return rules, (pi, pj)
