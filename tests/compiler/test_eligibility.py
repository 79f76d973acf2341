"""The compiler's eligible pairs against a slow, obviously correct reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from tests.domain_strategies import cohorts, mentee, mentor, policies

from matchkit import Cohort, Mentee, Mentor, Mode, Policy
from matchkit.compiler.arrays import cohort_arrays
from matchkit.compiler.problem import compile_problem
from matchkit.compiler.rules import PairRules
from matchkit.domain.geo import haversine_km

# --- a slow, obviously correct reference for eligibility -----------------------------------


def _slots(avail_text: str) -> set[tuple[str, int]]:
    """Every (day, half-hour index) in an availability, by walking the text form."""
    out = set()
    for part in filter(None, (p.strip() for p in avail_text.split(","))):
        day, span = part.split(" ")
        a, b = span.split("-")
        start = int(a[:2]) * 2 + (a[3:] == "30")
        end = int(b[:2]) * 2 + (b[3:] == "30")
        out |= {(day, k) for k in range(start, end)}
    return out


def _has_window(s: Mentee, m: Mentor) -> bool:
    common = _slots(str(s.availability)) & _slots(str(m.availability))
    need = round(s.session_hours * 2)
    return any(all((day, k + d) in common for d in range(need)) for day, k in common)


def _reference_eligible(s: Mentee, m: Mentor, p: Policy) -> bool:
    if not any(m.subjects.get(sub, 0) >= p.min_proficiency for sub in s.needs):
        return False
    if not (Mode.BOTH in (s.mode, m.mode) or s.mode == m.mode):
        return False
    must_meet_offline = Mode.OFFLINE in (s.mode, m.mode)
    a, b = s.location(), m.location()
    if a is None or b is None:
        km = 0.0 if s.district == m.district else math.inf
        online_km = 0.0  # an online limit applies only where both places are known
    else:
        km = online_km = float(haversine_km(*a, *b))
    if must_meet_offline and p.max_travel_km is not None and km > p.max_travel_km:
        return False
    if not must_meet_offline and p.online_max_km is not None and online_km > p.online_max_km:
        return False
    return _has_window(s, m) and m.id not in s.avoid and (s.id, m.id) not in p.forbidden


@given(cohort=cohorts(), policy=policies())
def test_compiled_pairs_are_exactly_the_eligible_pairs(cohort: Cohort, policy: Policy) -> None:
    a = cohort_arrays(cohort)
    rules = PairRules(a, policy, (a.avoid_mentee * a.n_mentors + a.avoid_mentor))
    compiled = compile_problem(rules, (a.avoid_mentee[:0], a.avoid_mentor[:0]))
    got = {
        (a.s_ids[i], a.t_ids[j])
        for i, j in zip(
            compiled.problem.mentee.tolist(), compiled.problem.mentor.tolist(), strict=True
        )
    }
    want = {
        (s.id, m.id)
        for s in cohort.mentees
        for m in cohort.mentors
        if _reference_eligible(s, m, policy)
    }
    assert got == want
    assert compiled.eligible_pairs == len(want)


@pytest.mark.parametrize("online_max_km", [None, 6.0, 8.0, 15.0])
@pytest.mark.parametrize("max_travel_km", [None, 5.0, 10.0, 20.0])
def test_distance_rules_and_the_district_prefilter_match_the_reference(
    online_max_km: float | None, max_travel_km: float | None
) -> None:
    # Every pair fits on subject and time, so only the two distance rules decide; people sit
    # in districts 0.7 to 20 km apart, some with their own coordinates, some unplaced.
    places: list[dict[str, object]] = [
        {"district": "Mapo-gu"},
        {"district": "Jongno-gu"},
        {"district": "Gangnam-gu"},
        {"district": "Nowon-gu"},
        {"district": "Nowon-gu", "coordinates": (37.66, 127.06)},
        {"district": "Songpa-gu", "coordinates": (37.50, 127.11)},
        {"district": "Island"},
    ]
    mentors = [
        mentor(f"m-{k}-{mode}", mode=mode, capacity=1, **place)
        for k, place in enumerate(places)
        for mode in ("online", "offline", "both")
    ]
    mentees = [
        mentee(f"s-{k}-{mode}", mode=mode, **place)
        for k, place in enumerate(places)
        for mode in ("online", "offline", "both")
    ]
    cohort = Cohort(mentors=mentors, mentees=mentees)
    policy = Policy(max_travel_km=max_travel_km, online_max_km=online_max_km)
    a = cohort_arrays(cohort)
    rules = PairRules(a, policy, np.empty(0, dtype=np.int64))
    compiled = compile_problem(rules, (np.empty(0, np.int64), np.empty(0, np.int64)))
    got = {
        (a.s_ids[i], a.t_ids[j])
        for i, j in zip(
            compiled.problem.mentee.tolist(), compiled.problem.mentor.tolist(), strict=True
        )
    }
    want = {(s.id, m.id) for s in mentees for m in mentors if _reference_eligible(s, m, policy)}
    assert got == want
