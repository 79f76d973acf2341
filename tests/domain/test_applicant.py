"""The applicant record: a mentor not yet hired, plus recommendation and review points."""

from __future__ import annotations

import math
from typing import Any

import pytest
from pydantic import ValidationError

from matchkit import Applicant, Cohort, Mentor

BASE: dict[str, Any] = {
    "id": "a-1",
    "subjects": {"math": 4, "english": 3},
    "availability": "Sat 10:00-14:00",
    "district": "Mapo-gu",
    "review": 75.5,
}


def applicant(**fields: Any) -> Applicant:
    return Applicant(**{**BASE, **fields})


def test_defaults_and_mentor_fields() -> None:
    a = applicant(university="Yonsei University", terms_committed=4, alumni=True)
    assert isinstance(a, Mentor)
    assert a.recommended is True
    assert a.review == 75.5
    assert (a.university, a.terms_committed, a.alumni, a.capacity) == (
        "Yonsei University",
        4,
        True,
        3,
    )
    assert applicant(recommended=False).recommended is False


def test_frozen() -> None:
    a = applicant()
    with pytest.raises(ValidationError):
        a.review = 80.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("review", "message"),
    [
        (120, "120 is above the largest review score, 100"),
        (-0.5, "-0.5 is below the smallest review score, 0"),
        (math.inf, "inf is not a finite number"),
        (math.nan, "nan is not a finite number"),
        (True, "true is not a number"),
        ("abc", "review: Input should be a valid number"),
    ],
)
def test_bad_review_is_named(review: Any, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        applicant(review=review)
    text = str(info.value)
    assert "applicant 'a-1': review" in text
    assert message in text


def test_review_is_required_and_bounds_are_inclusive() -> None:
    with pytest.raises(ValidationError, match="applicant 'a-1': review: Field required"):
        Applicant(**{k: v for k, v in BASE.items() if k != "review"})
    assert applicant(review=0).review == 0.0
    assert applicant(review=100).review == 100.0


def test_errors_name_the_applicant_not_other_fields() -> None:
    with pytest.raises(ValidationError) as info:
        applicant(name="Kim Minsu", terms_committed=0)
    text = str(info.value)
    assert "applicant 'a-1': terms_committed" in text
    assert "Kim" not in text


def test_as_mentor_keeps_every_mentor_field() -> None:
    a = applicant(
        capacity=5,
        mode="online",
        coordinates=(37.55, 126.92),
        attributes={"cohort": 2026},
        name="Kim Minsu",
        terms_committed=2,
        alumni=True,
        university="Sogang University",
        recommended=False,
    )
    m = a.as_mentor()
    assert type(m) is Mentor
    assert m.model_dump() == {k: v for k, v in a.model_dump().items() if k in Mentor.model_fields}
    assert "review" not in m.model_dump()


def test_json_round_trip_and_cohort() -> None:
    a = applicant(coordinates=(37.5, 127.0), alumni=True)
    assert Applicant.model_validate_json(a.model_dump_json()) == a
    cohort = Cohort(mentors=[a.as_mentor()], mentees=[])
    assert Cohort.model_validate_json(cohort.model_dump_json()) == cohort


def test_unknown_field_is_rejected() -> None:
    with pytest.raises(ValidationError, match="applicant 'a-1': score: Extra inputs"):
        applicant(score=3)
