"""An edited assignment checked from the records: who is paired with whom, nothing else.

An officer edits the matches sheet (``matches.csv`` or a result workbook), not
``result.json``. The sheet says only which mentor each mentee has, so
:func:`verify_pairs` checks what those pairs alone decide: everyone is in the cohort and
accounted for, every pair keeps the hard rules (the same pair check
:func:`matchkit.verify.verify` uses), no mentor is over capacity, and the policy's pinned
pairs are kept. Against the result matchkit wrote, each pair that differs is reported as
information, code :data:`EDITED`, never as a broken rule.
"""

from __future__ import annotations

from collections.abc import Mapping

from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.domain.result import MatchResult
from matchkit.verify.checks import _SHOWN, Violation, listed, pair_breaks

__all__ = ["EDITED", "unchecked_rules", "verify_pairs"]

EDITED = "edited"
"""The code of a note saying a pair differs from the result it is checked against: not a
broken rule (see :func:`verify_pairs`)."""


def verify_pairs(
    cohort: Cohort,
    policy: Policy,
    pairs: Mapping[str, str | None],
    *,
    against: MatchResult | None = None,
) -> list[Violation]:
    """Every rule the assignment ``pairs`` breaks, recomputed from ``cohort`` and ``policy``.

    Checked: every mentee and mentor named is in the cohort (``unknown_mentee``,
    ``unknown_mentor``) and every cohort mentee is listed (``not_accounted_for``); each pair
    keeps every hard rule (``rule_subject``, ``rule_mode``, ``rule_distance``, ``rule_time``,
    ``rule_rules``: the policy's minimum proficiency, compatible modes, travel distance, a
    common weekly window of the mentee's session length, avoid lists and forbidden pairs);
    no mentor has more mentees than its capacity (``capacity``); every pinned pair is kept
    (``pinned``). Not checked, because a sheet of ids cannot say: the rules of
    :func:`unchecked_rules` (sessions, floors, minimum loads, group caps, category limits),
    scores and the objective.

    Parameters
    ----------
    cohort : Cohort
        The cohort the sheet assigns.
    policy : Policy
        The rules to check (a result's own policy: ``result.policy``).
    pairs : mapping
        Mentee id to mentor id, or None for an unmatched mentee
        (:func:`matchkit.io.read_matches`).
    against : MatchResult, optional
        The result the sheet was exported from; each mentee whose mentor differs from it
        adds one :class:`Violation` with code :data:`EDITED`: a note, not a broken rule.

    Returns
    -------
    list of Violation
        Broken rules first, then the ``edited`` notes; no broken rule when every entry's
        code is :data:`EDITED`.

    Examples
    --------
    >>> from matchkit import Cohort, Mentor, Mentee, Policy
    >>> cohort = Cohort(
    ...     mentors=[Mentor(id="m-1", subjects={"math": 4}, availability="Sat 10:00-14:00",
    ...                     district="Mapo-gu")],
    ...     mentees=[Mentee(id="s-1", level="high", grade=1, needs={"math": 1},
    ...                     availability="Sat 10:00-12:00", district="Mapo-gu")])
    >>> verify_pairs(cohort, Policy(), {"s-1": "m-1"})
    []
    >>> [v.code for v in verify_pairs(cohort, Policy(), {"s-1": "m-9"})]
    ['unknown_mentor']
    """
    out: list[Violation] = []
    mentors = {m.id: m for m in cohort.mentors}
    mentees = {s.id: s for s in cohort.mentees}
    forbidden = set(policy.forbidden)
    unknown = sorted(pairs.keys() - mentees.keys())
    missing = sorted(mentees.keys() - pairs.keys())
    strangers = sorted({t for t in pairs.values() if t is not None and t not in mentors})
    out += listed(
        ("unknown_mentee", unknown, "mentees not in the cohort"),
        ("not_accounted_for", missing, "cohort mentees missing from the sheet"),
        ("unknown_mentor", strangers, "mentors not in the cohort"),
    )
    load: dict[str, int] = {}
    for mentee, mentor in pairs.items():
        if mentor is None:
            continue
        load[mentor] = load.get(mentor, 0) + 1
        s, t = mentees.get(mentee), mentors.get(mentor)
        if s is None or t is None:
            continue
        rule = pair_breaks(s, t, policy, forbidden)
        if rule is not None:
            out.append(
                Violation(f"rule_{rule}", f"match {(mentee, mentor)} breaks the {rule} rule")
            )
    over = [
        f"{t} ({n} of {mentors[t].capacity})"
        for t, n in sorted(load.items())
        if t in mentors and n > mentors[t].capacity
    ]
    if over:
        out.append(Violation("capacity", f"mentors over capacity: {over[:_SHOWN]}"))
    unpinned = [p for p in policy.pinned if pairs.get(p[0]) != p[1]]
    if unpinned:
        out.append(Violation("pinned", f"pinned pairs not kept: {unpinned[:_SHOWN]}"))
    if against is not None:
        out.extend(_edits(pairs, against))
    return out


def _edits(pairs: Mapping[str, str | None], against: MatchResult) -> list[Violation]:
    before: dict[str, str | None] = {u.mentee_id: None for u in against.unmatched}
    before.update({m.mentee_id: m.mentor_id for m in against.matches})
    notes = []
    for mentee, new in pairs.items():
        old = before.get(mentee)
        if mentee in before and old == new:
            continue
        was = "not in result.json" if mentee not in before else (old or "unmatched")
        notes.append(
            Violation(
                EDITED,
                f"mentee {mentee!r}: {new or 'unmatched'} in the sheet, {was} in result.json",
            )
        )
    return notes


def unchecked_rules(policy: Policy) -> tuple[str, ...]:
    """The active rules of ``policy`` that :func:`verify_pairs` cannot check from pairs of
    ids (the sheet holds no sessions, and these are not checked there).

    Examples
    --------
    >>> unchecked_rules(Policy()), unchecked_rules(Policy(min_load=1))
    ((), ('min_load',))
    """
    active = {
        "sessions": policy.sessions is not None,
        "floors": bool(policy.floors),
        "min_load": policy.min_load > 0,
        "group_caps": bool(policy.group_caps),
        "category_limits": bool(policy.category_limits),
    }
    return tuple(name for name, on in active.items() if on)
