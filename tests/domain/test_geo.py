"""Districts in the spellings people type, and unknown districts never silently too far."""

from __future__ import annotations

import pytest
from tests.domain_strategies import mentee, mentor

from matchkit import Cohort, Policy, UnmatchedReason, solve, verify
from matchkit.domain.geo import (
    SEOUL_DISTRICTS,
    district_coordinates,
    resolve_district,
    suggest_district,
)
from matchkit.errors import InputError


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("노원구", "Nowon-gu"),
        ("노원", "Nowon-gu"),
        ("Nowon", "Nowon-gu"),
        ("Nowon-gu", "Nowon-gu"),
        ("nowon gu", "Nowon-gu"),
        ("NOWONGU", "Nowon-gu"),
        (" Nowon_gu ", "Nowon-gu"),
        ("마포구", "Mapo-gu"),
        ("Mapo", "Mapo-gu"),
        ("Jongro", "Jongno-gu"),
        ("Jongno-gu", "Jongno-gu"),
        ("종로", "Jongno-gu"),
        ("Gwanak", "Gwanak-gu"),
        ("Kwanak-gu", "Gwanak-gu"),
        ("중구", "Jung-gu"),
        ("jung", "Jung-gu"),
        ("중랑구", "Jungnang-gu"),
        ("Kangnam", "Gangnam-gu"),
        ("영등포", "Yeongdeungpo-gu"),
    ],
)
def test_district_spellings_resolve_to_one_place(typed: str, canonical: str) -> None:
    assert resolve_district(typed) == canonical
    assert district_coordinates(typed) == SEOUL_DISTRICTS[canonical]


def test_every_district_resolves_in_every_form() -> None:
    from matchkit.domain.geo import DISTRICT_ALIASES

    assert set(DISTRICT_ALIASES) == set(SEOUL_DISTRICTS)
    for name, aliases in DISTRICT_ALIASES.items():
        for form in (name, name.removesuffix("-gu"), name.upper(), *aliases):
            assert resolve_district(form) == name, form


@pytest.mark.parametrize("typed", ["Mappo-gu", "Atlantis", "Seoul", "Busan", ""])
def test_unknown_districts_do_not_resolve(typed: str) -> None:
    assert resolve_district(typed) is None
    assert district_coordinates(typed) is None


def test_suggestion_for_a_misspelling() -> None:
    assert suggest_district("Mappo-gu") == "Mapo-gu"
    assert suggest_district("Gangnamgu") == "Gangnam-gu"
    assert suggest_district("Atlantis") is None


def test_korean_and_romanised_districts_are_the_same_place() -> None:
    # Before: '노원구' had no coordinates, so an offline pair with a 'Nowon-gu' mentor was
    # too_far "farther than 10.0 km" although both live in the same district.
    cohort = Cohort(
        mentors=[mentor("m-1", mode="offline", district="Nowon-gu")],
        mentees=[mentee("s-1", mode="offline", district="노원구")],
    )
    result = solve(cohort)
    assert [m.mentor_id for m in result.matches] == ["m-1"]
    assert result.matches[0].distance_km == 0.0
    assert result.warnings == ()
    assert verify(cohort, Policy(), result) == []


def test_unknown_district_is_an_error_naming_record_field_and_value() -> None:
    cohort = Cohort(
        mentors=[mentor("m-1", mode="offline", district="Mapo-gu")],
        mentees=[mentee("s-1", mode="offline", district="Mappo-gu", attributes={"p": "010"})],
    )
    with pytest.raises(InputError) as info:
        solve(cohort)
    assert info.value.codes() == ["unknown_district"]
    text = str(info.value)
    assert "mentee 's-1': district: 'Mappo-gu' is not a Seoul district" in text
    assert "did you mean 'Mapo-gu'?" in text
    assert "010" not in text


def test_unknown_district_needs_no_place_online_or_with_coordinates() -> None:
    cohort = Cohort(
        mentors=[mentor("m-1", mode="online", district="Atlantis")],
        mentees=[
            mentee("s-1", mode="online", district="Atlantis"),
            mentee("s-2", mode="both", district="Jeju", coordinates=(33.5, 126.5)),
        ],
    )
    assert solve(cohort).warnings == ()


def test_unknown_district_warned_and_reason_says_distance_unknown() -> None:
    policy = Policy(unknown_districts="warn")
    cohort = Cohort(
        mentors=[mentor("m-1", mode="offline", district="Mapo-gu")],
        mentees=[mentee("s-1", mode="offline", district="Mappo-gu")],
    )
    result = solve(cohort, policy)
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("mentee 's-1': district: 'Mappo-gu' is not a Seoul")
    (u,) = result.unmatched
    assert u.reason is UnmatchedReason.TOO_FAR
    assert "unknown distance" in u.detail
    assert "farther than" not in u.detail
    assert verify(cohort, policy, result) == []


def test_record_keeps_the_district_as_typed() -> None:
    assert mentee("s-1", district="노원").district == "노원"
