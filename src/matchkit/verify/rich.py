"""The policy's rich rules, checked from the cohort's records (used by :func:`matchkit.verify`).

Written without the solver's code: groups are read from each mentee's fields, sessions are
compared as minutes of the week, and counts are plain Python. Returns ``(code, message)``
pairs; :mod:`matchkit.verify` wraps them as violations.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import Any

from matchkit.domain.model import Cohort, Mentee, Mode
from matchkit.domain.policy import Policy
from matchkit.domain.result import Match, MatchResult
from matchkit.domain.schedule import DAYS

__all__ = ["balance_penalty", "check_rich", "floor_groups"]

_SHOWN = 10
_MENTEE_FIELDS = ("priority", "level", "grade", "district", "mode", "session_hours")


def _field(s: Mentee, name: str) -> Any:
    if name in _MENTEE_FIELDS:
        value = getattr(s, name)
        return getattr(value, "value", value)
    return s.attributes.get(name)


def _minutes(m: Match) -> tuple[int, int] | None:
    """The session as minutes from Monday 00:00: (start, end), or None if malformed."""
    s = m.session
    if s is None or s.day not in DAYS:
        return None
    try:
        h1, m1 = (int(x) for x in s.start.split(":"))
        h2, m2 = (int(x) for x in s.end.split(":"))
    except ValueError:
        return None
    day = DAYS.index(s.day) * 24 * 60
    return day + h1 * 60 + m1, day + h2 * 60 + m2


def balance_penalty(policy: Policy, result: MatchResult) -> float:
    """``Weights.balance`` times, per mentor, the pairs of mentees sharing it."""
    loads = Counter(m.mentor_id for m in result.matches)
    return policy.weights.balance * sum(k * (k - 1) // 2 for k in loads.values())


def _sessions(cohort: Cohort, policy: Policy, result: MatchResult) -> list[tuple[str, str]]:
    assert policy.sessions is not None
    buffer = policy.sessions.offline_buffer_minutes
    mentees = {s.id: s for s in cohort.mentees}
    mentors = {t.id: t for t in cohort.mentors}
    bad_session: list[tuple[str, str]] = []
    by_mentor: dict[str, list[tuple[int, int, bool, str]]] = defaultdict(list)
    for m in result.matches:
        s, t = mentees.get(m.mentee_id), mentors.get(m.mentor_id)
        span = _minutes(m)
        if s is None or t is None:
            continue
        if span is None or m.session is None:
            bad_session.append((m.mentee_id, m.mentor_id))
            continue
        inside = (m.session.availability() & s.availability & t.availability) == (
            m.session.availability()
        )
        if span[1] - span[0] != round(s.session_hours * 60) or not inside:
            bad_session.append((m.mentee_id, m.mentor_id))
        by_mentor[m.mentor_id].append((span[0], span[1], m.mode is Mode.OFFLINE, m.mentee_id))
    out = []
    if bad_session:
        out.append(
            (
                "session",
                "matches without a session of the mentee's length inside both availabilities: "
                f"{bad_session[:_SHOWN]}",
            )
        )
    clash = []
    for mentor, spans in sorted(by_mentor.items()):
        spans.sort()
        for n, (a0, a1, a_off, _) in enumerate(spans):
            for b0, b1, b_off, _ in spans[n + 1 :]:
                gap = buffer if (a_off and b_off) else 0
                if b0 < a1 + gap and a0 < b1 + gap:
                    clash.append(mentor)
    if clash:
        out.append(
            (
                "session_overlap",
                "mentors with overlapping sessions (or offline sessions closer than the "
                f"travel buffer): {sorted(set(clash))[:_SHOWN]}",
            )
        )
    return out


def floor_groups(cohort: Cohort, policy: Policy) -> list[tuple[str, list[str], int]]:
    """Each floor's group as the solver labels it: (``field=value``, mentee ids, count
    required), read from the mentees' fields, in the policy's order (a field's values sorted
    by type name, then value)."""
    out: list[tuple[str, list[str], int]] = []
    for f in policy.floors:
        groups: dict[Any, list[str]] = defaultdict(list)
        for s in cohort.mentees:
            groups[_field(s, f.field)].append(s.id)
        if f.value is None:
            keys = sorted(groups, key=lambda v: (type(v).__name__, v))
            chosen = [(v, groups[v]) for v in keys]
        else:
            hits = [v for v in groups if v == f.value and type(v) is type(f.value)]
            hits = hits or [v for v in groups if v == f.value]
            chosen = [(f.value, [i for v in hits for i in groups[v]])]
        for value, ids in chosen:
            out.append((f"{f.field}={value!r}", ids, math.ceil(f.min_rate * len(ids) - 1e-9)))
    return out


def check_rich(cohort: Cohort, policy: Policy, result: MatchResult) -> list[tuple[str, str]]:
    """Every rich rule of ``policy`` that ``result`` breaks (empty without a solution)."""
    if not result.status.has_solution and not result.matches:
        return []
    out: list[tuple[str, str]] = []
    if policy.sessions is not None:
        out += _sessions(cohort, policy, result)
    load = Counter(m.mentor_id for m in result.matches)
    if policy.min_load:
        under = [
            t.id for t in cohort.mentors if load.get(t.id, 0) < min(policy.min_load, t.capacity)
        ]
        if under:
            out.append(("min_load", f"mentors under the minimum load: {under[:_SHOWN]}"))
    matched = {m.mentee_id for m in result.matches}
    # A relaxed result's floors are proven by :func:`matchkit.verify.checks` instead.
    for k, f in enumerate(() if result.relaxed else policy.floors):
        groups: dict[Any, list[str]] = defaultdict(list)
        for s in cohort.mentees:
            groups[_field(s, f.field)].append(s.id)
        chosen = groups.items() if f.value is None else [(f.value, groups.get(f.value, []))]
        for value, ids in chosen:
            need = math.ceil(f.min_rate * len(ids) - 1e-9)
            got = sum(i in matched for i in ids)
            if got < need:
                out.append(
                    (
                        "floor",
                        f"floors[{k}]: {f.field}={value!r} has {got} of {len(ids)} matched, "
                        f"below {f.min_rate:g}",
                    )
                )
    mentees = {s.id: s for s in cohort.mentees}
    per_mentor: dict[str, list[Mentee]] = defaultdict(list)
    for m in result.matches:
        if m.mentee_id in mentees:
            per_mentor[m.mentor_id].append(mentees[m.mentee_id])
    for k, cap in enumerate(policy.group_caps):
        over = sorted(
            t
            for t, people in per_mentor.items()
            if max(Counter(_field(s, cap.field) for s in people).values()) > cap.max_per_mentor
        )
        if over:
            out.append(("group_cap", f"group_caps[{k}] exceeded by mentors {over[:_SHOWN]}"))
    for k, lim in enumerate(policy.category_limits):
        wrong = []
        for t, people in sorted(per_mentor.items()):
            n = sum(_field(s, lim.field) == lim.value for s in people)
            if n < lim.at_least or (lim.at_most is not None and n > lim.at_most):
                wrong.append(t)
        if wrong:
            out.append(("category_limit", f"category_limits[{k}] broken by {wrong[:_SHOWN]}"))
    return out
