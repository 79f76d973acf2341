"""Synthetic applicants: deterministic, valid, shaped as documented, placed where asked."""

from __future__ import annotations

from collections import Counter
from functools import cache

import numpy as np
import pytest

from matchkit import Applicant, Cohort, InputError, Mentee, Mentor
from matchkit.domain.geo import SEOUL_DISTRICTS, haversine_km
from matchkit.synth import (
    SEOUL_UNIVERSITIES,
    ApplicantKnobs,
    SynthKnobs,
    generate_applicants,
    generate_cohort,
)


@cache
def pool() -> tuple[Applicant, ...]:
    """A year's pool at the default knobs (2,000 applicants, about 0.2 s)."""
    return generate_applicants(2000, seed=0)


def test_deterministic_and_seeded() -> None:
    a = generate_applicants(50, seed=3)
    assert a == generate_applicants(50, seed=3)
    assert a != generate_applicants(50, seed=4)
    assert [x.id for x in a[:2]] == ["a-000001", "a-000002"]
    assert generate_applicants(0) == ()


def test_records_are_valid_applicants() -> None:
    for a in pool()[:200]:
        assert type(a) is Applicant
        assert Applicant.model_validate_json(a.model_dump_json()) == a
    assert len({a.id for a in pool()}) == len(pool())


def test_shapes_follow_the_knobs() -> None:
    p = pool()
    n = len(p)
    review = np.array([a.review for a in p])
    assert 68 < review.mean() < 72
    assert 10.5 < review.std() < 13.5
    assert review.min() >= 0
    assert review.max() <= 100
    assert np.all(review * 2 == np.round(review * 2))  # half points
    assert 0.82 < sum(a.recommended for a in p) / n < 0.88
    assert 0.06 < sum(a.alumni for a in p) / n < 0.10
    terms = Counter(a.terms_committed for a in p)
    assert set(terms) == {1, 2, 4}
    assert abs(terms[1] / n - 0.45) < 0.04
    assert abs(terms[4] / n - 0.20) < 0.04
    caps = Counter(a.capacity for a in p)  # the cohort generator's: 2-5, mean 3.5
    assert set(caps) <= set(SynthKnobs().capacity_weights)
    assert 3.35 < sum(a.capacity for a in p) / n < 3.65
    assert all(a.district in SEOUL_DISTRICTS for a in p)
    assert all(any(v >= 3 for v in a.subjects.values()) for a in p)  # teachable main subject


def test_universities_by_size_and_near_campus() -> None:
    p = pool()
    by_uni = Counter(a.university for a in p)
    assert set(by_uni) <= set(SEOUL_UNIVERSITIES)
    assert by_uni["Korea University"] > 4 * by_uni["Chongshin University"]
    near = np.mean([SEOUL_UNIVERSITIES[a.university][0] == a.district for a in p])  # type: ignore[index]
    flat = generate_applicants(2000, seed=0, knobs=ApplicantKnobs(campus_pull=0))
    far = np.mean([SEOUL_UNIVERSITIES[a.university][0] == a.district for a in flat])  # type: ignore[index]
    assert near > far + 0.02


def test_knobs_change_the_pool() -> None:
    k = ApplicantKnobs(
        universities={"Alpha University": ("Mapo-gu", 1.0), "Beta University": ("Nowon-gu", 0.0)},
        recommended_share=0.0,
        review_mean=40.0,
        review_sd=0.0,
        review_step=5.0,
        alumni_share=1.0,
        terms_weights={3: 1.0},
        capacity_weights={1: 1.0},
        mentors=SynthKnobs(offline_share=0.0, online_share=1.0),
    )
    p = generate_applicants(40, seed=1, knobs=k)
    assert {a.university for a in p} == {"Alpha University"}
    assert {(a.recommended, a.review, a.alumni, a.terms_committed, a.capacity) for a in p} == {
        (False, 40.0, True, 3, 1)
    }
    assert {a.mode.value for a in p} == {"online"}


def test_review_is_clipped_to_the_scale() -> None:
    p = generate_applicants(300, seed=2, knobs=ApplicantKnobs(review_mean=100, review_sd=30))
    review = [a.review for a in p]
    assert max(review) == 100.0
    assert min(review) >= 0


def test_placed_where_the_cohort_lives() -> None:
    far = (35.1796, 129.0756)  # not a Seoul district: the mean of its people's coordinates
    cohort = Cohort(
        mentors=[
            Mentor(
                id=f"m-{k}",
                subjects={"math": 4},
                availability="Sat 10:00-12:00",
                district="Busan-01",
                coordinates=(far[0] + 0.01 * (k % 3 - 1), far[1]),
            )
            for k in range(6)
        ]
        + [Mentor(id="m-9", subjects={"math": 4}, availability="", district="Nowon-gu")],
        mentees=[],
    )
    p = generate_applicants(700, seed=5, cohort=cohort)
    where = Counter(a.district for a in p)
    assert set(where) == {"Busan-01", "Nowon-gu"}
    assert 0.78 < where["Busan-01"] / 700 < 0.93  # 6 of the 7 mentors live there
    busan = np.array([a.coordinates for a in p if a.district == "Busan-01"])
    km = haversine_km(busan[:, 0], busan[:, 1], far[0], far[1])
    assert np.median(km) < 5  # around the centre, jittered by 2 km per axis


def test_mentees_place_a_cohort_without_mentors() -> None:
    cohort = Cohort(
        mentors=[],
        mentees=[
            Mentee(
                id="s-1",
                level="high",
                grade=1,
                needs={"math": 1},
                availability="Sat 10:00-12:00",
                district="Gwanak-gu",
            )
        ],
    )
    assert {a.district for a in generate_applicants(20, cohort=cohort)} == {"Gwanak-gu"}


def test_a_yearly_call_with_a_prefix() -> None:
    cohort = generate_cohort(10, 20, seed=0)
    year1 = generate_applicants(5, seed=2027, prefix="a2027-")
    hired = cohort.changed(added_mentors=[a.as_mentor() for a in year1[:2]])
    with pytest.raises(InputError, match=r"the cohort's mentors already have \('a2027-000001'"):
        generate_applicants(5, seed=2028, cohort=hired, prefix="a2027-")
    year2 = generate_applicants(5, seed=2028, cohort=hired, prefix="a2028-")
    assert year2[0].id == "a2028-000001"
    assert year2 != generate_applicants(5, seed=2027, cohort=hired, prefix="a2028-")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n": -1}, "n"),
        ({"n": True}, "n"),
        ({"n": 3, "seed": -1}, "seed"),
        ({"n": 3, "prefix": "a\n"}, "prefix"),
        ({"n": 3, "cohort": "cohort"}, "cohort"),
        ({"n": 3, "knobs": {"alumni_share": 0.1}}, "knobs"),
        ({"n": 3, "cohort": Cohort(mentors=[], mentees=[])}, "cohort"),
    ],
)
def test_bad_requests_name_the_argument(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        generate_applicants(**kwargs)  # type: ignore[arg-type]
    assert [p.field for p in info.value.problems] == [field]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"recommended_share": 1.5}, "recommended_share"),
        ({"alumni_share": float("nan")}, "alumni_share"),
        ({"review_mean": 120}, "review_mean"),
        ({"review_sd": -1}, "review_sd"),
        ({"review_step": 0}, "review_step"),
        ({"campus_pull": True}, "campus_pull"),
        ({"universities": {}}, "universities"),
        ({"universities": {"X": ("Mapo-gu", 0.0)}}, "universities"),
        ({"universities": {"X": ("Mapo-gu", -1.0)}}, "universities['X']"),
        ({"terms_weights": {0: 1.0}}, "terms_weights.0.[key]"),
        ({"capacity_weights": {3: -1.0}}, "capacity_weights"),
    ],
)
def test_bad_knobs_are_named(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        ApplicantKnobs(**kwargs)  # type: ignore[arg-type]
    assert field in [p.field for p in info.value.problems]


def test_capacity_defaults_to_the_cohort_generators() -> None:
    mentors = SynthKnobs(capacity_weights={4: 1.0})
    p = generate_applicants(20, knobs=ApplicantKnobs(mentors=mentors))
    assert {a.capacity for a in p} == {4}
