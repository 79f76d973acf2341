"""verify's eligibility index (arrays, for Seoul-size floors and "mentors full" checks) names
exactly the mentors that ``pair_breaks``, the definition, passes, one pair at a time."""

from __future__ import annotations

from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.domain_strategies import cohorts
from tests.records import math_mentee

from matchkit import Cohort, Mentee, Mentor, Policy
from matchkit.domain.geo import haversine_km
from matchkit.synth import generate_cohort
from matchkit.verify.checks import _Eligible, pair_breaks

P = TypeVar("P", Mentor, Mentee)


def _lost(person: P) -> P:
    if person.district != "Jongno-gu":
        return person
    return person.model_copy(update={"district": "Atlantis", "coordinates": None})


def agree(cohort: Cohort, policy: Policy) -> None:
    forbidden = set(policy.forbidden)
    index = _Eligible(cohort.mentors, policy, forbidden)
    for s in cohort.mentees:
        one_by_one = [t.id for t in cohort.mentors if pair_breaks(s, t, policy, forbidden) is None]
        assert [t.id for t in index(s)] == one_by_one, s.id


@settings(max_examples=200, deadline=None)
@given(
    cohort=cohorts(max_mentors=8, max_mentees=8),
    proficiency=st.integers(1, 5),
    travel=st.sampled_from((None, 0.5, 3.0, 10.0)),
    online=st.sampled_from((None, 1.0, 20.0)),
    forbid=st.booleans(),
    unknown=st.booleans(),
)
def test_the_index_agrees_with_pair_breaks(
    cohort: Cohort,
    proficiency: int,
    travel: float | None,
    online: float | None,
    forbid: bool,
    unknown: bool,
) -> None:
    if unknown:  # Jongno-gu's people in a district matchkit cannot place
        cohort = Cohort(
            mentors=[_lost(t) for t in cohort.mentors], mentees=[_lost(s) for s in cohort.mentees]
        )
    forbidden = [(s.id, t.id) for s in cohort.mentees[:2] for t in cohort.mentors[:1]]
    policy = Policy(
        min_proficiency=proficiency,
        max_travel_km=travel,
        online_max_km=online,
        forbidden=forbidden if forbid else [],
    )
    agree(cohort, policy)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), online=st.sampled_from((None, 5.0)))
def test_the_index_agrees_on_generated_cohorts(seed: int, online: float | None) -> None:
    agree(generate_cohort(30, 60, seed=seed), Policy(online_max_km=online))


def test_a_pair_at_the_limit_and_an_odd_session_length() -> None:
    # A mentor exactly max_travel_km away (the limit itself is allowed), one just beyond, a
    # session of 1.5 h in a window of exactly 1.5 h, and a mentee the mentor avoids.
    here, there = (37.5665, 126.9780), (37.6000, 126.9780)
    km = float(haversine_km(*here, *there))
    mentors = [
        Mentor(
            id=f"m-{k}",
            subjects={"math": 4},
            availability="Sat 10:00-11:30",
            mode="offline",
            district="Jung-gu",
            coordinates=there,
        )
        for k in range(2)
    ]
    mentees = [
        Mentee(
            id=id,
            level="middle",
            grade=1,
            needs={"math": 1},
            session_hours=hours,
            availability="Sat 10:00-12:00",
            mode="offline",
            district="Jung-gu",
            coordinates=here,
            avoid=avoid,
        )
        for id, hours, avoid in (("s-1", 1.5, ["m-1"]), ("s-2", 2.0, []))
    ]
    cohort = Cohort(mentors=mentors, mentees=mentees)
    for limit in (km, km - 1e-9, km + 1e-9, km * 2):
        agree(cohort, Policy(max_travel_km=limit))
    index = _Eligible(cohort.mentors, Policy(max_travel_km=km), set())
    assert [t.id for t in index(mentees[0])] == ["m-0"]  # m-1 avoided
    assert index(mentees[1]) == []  # two hours do not fit in the 1.5-hour window


def test_session_hours_are_whole_half_hours_exactly() -> None:
    s = math_mentee("s", session_hours=2.0000000001)
    assert s.session_hours == 2.0


def test_unknown_districts_are_near_only_to_themselves() -> None:
    def person(kind: type[P], id: str, mode: str, district: str) -> P:
        extra = {"level": "middle", "grade": 1, "needs": {"math": 1}} if kind is Mentee else {}
        extra = extra or {"subjects": {"math": 4}}
        return kind(id=id, availability="Sat 10:00-12:00", mode=mode, district=district, **extra)

    cohort = Cohort(
        mentors=[
            person(Mentor, "m-same", "offline", "Atlantis"),
            person(Mentor, "m-placed", "offline", "Mapo-gu"),
            person(Mentor, "m-online", "online", "Mapo-gu"),
        ],
        mentees=[person(Mentee, "s-1", "both", "Atlantis")],
    )
    for policy in (Policy(), Policy(online_max_km=1.0), Policy(max_travel_km=None)):
        agree(cohort, policy)
    index = _Eligible(cohort.mentors, Policy(online_max_km=1.0), set())
    # Same unknown district: 0 km; to a placed district: unknown, so too far offline, and
    # online not limited (the online limit needs both placed).
    assert [t.id for t in index(cohort.mentees[0])] == ["m-same", "m-online"]
