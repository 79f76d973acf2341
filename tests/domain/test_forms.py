"""Input forms people type: day ranges, Korean day names, '~', needs without a weight."""

from __future__ import annotations

import pytest

from matchkit import Availability
from matchkit.io.cells import format_pairs, parse_pairs


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        (
            "Mon-Fri 19:00-21:00",
            "Mon 19:00-21:00, Tue 19:00-21:00, Wed 19:00-21:00, Thu 19:00-21:00, Fri 19:00-21:00",
        ),
        ("월 19:00-21:00", "Mon 19:00-21:00"),
        ("월요일 19:00-21:00", "Mon 19:00-21:00"),
        (
            "월~금 19:00-21:00",
            "Mon 19:00-21:00, Tue 19:00-21:00, Wed 19:00-21:00, Thu 19:00-21:00, Fri 19:00-21:00",
        ),
        ("토,일 10:00-12:00", "Sat 10:00-12:00, Sun 10:00-12:00"),
        ("토, 일 10:00~12:00", "Sat 10:00-12:00, Sun 10:00-12:00"),
        ("Sat/Sun 10:00-12:00", "Sat 10:00-12:00, Sun 10:00-12:00"),
        ("Mon 19:00~21:00", "Mon 19:00-21:00"),
        ("Mon 19:00 ~ 21:00", "Mon 19:00-21:00"),
        ("Mon 19:00\u201321:00", "Mon 19:00-21:00"),
        ("Saturday 10:00-12:00, sunday 10:00-11:00", "Sat 10:00-12:00, Sun 10:00-11:00"),
        ("Mon - Wed 18:00-19:00", "Mon 18:00-19:00, Tue 18:00-19:00, Wed 18:00-19:00"),
        ("토~일 10:00-12:00, 수 18:00-20:00", "Wed 18:00-20:00, Sat 10:00-12:00, Sun 10:00-12:00"),
    ],
)
def test_typed_availability_forms(typed: str, canonical: str) -> None:
    a = Availability.parse(typed)
    assert str(a) == canonical
    assert Availability.parse(str(a)) == a  # the canonical form round-trips unchanged


def test_json_forms_take_day_ranges_too() -> None:
    want = Availability.parse("Sat 10:00-12:00, Sun 10:00-12:00")
    assert Availability.parse(["토~일 10:00-12:00"]) == want
    assert Availability.parse([{"day": "Sat-Sun", "start": "10:00", "end": "12:00"}]) == want


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("Fri-Mon 10:00-11:00", "the days 'Fri-Mon' run backwards"),
        ("월화 10:00-11:00", "'월화' is not a day (use Mon..Sun or 월..일)"),
        ("토", "availability '토' is not of the form 'Mon 18:00-21:00'"),
        ("Mon 10:00-12:00, 토", "availability '토' is not of the form"),
        ("월~ 10:00-11:00", "is not a day"),
        ("Mon-Tue-Wed 10:00-11:00", "'Mon-Tue-Wed' is not a day or day range"),
        ("월 19:00~21:15", "'21:15' is not on the 30-minute grid"),
        ("Mon 10:00-11:00-12:00", "is not a time of day"),
    ],
)
def test_forms_not_understood_are_errors_quoting_the_value(typed: str, message: str) -> None:
    with pytest.raises(ValueError, match="availability") as info:
        Availability.parse(typed)
    assert message in str(info.value)


def test_a_need_without_a_weight_weighs_one() -> None:
    pairs, entries = parse_pairs("math", whole=False)
    assert pairs == {"math": 1}
    assert parse_pairs("Math; english:2", whole=False)[0] == {"Math": 1, "english": 2}
    assert format_pairs(pairs) == "math:1"
    assert entries == {"math": "math"}


def test_a_proficiency_still_needs_its_level() -> None:
    with pytest.raises(ValueError, match="'math' is not of the form 'subject:number'"):
        parse_pairs("math", whole=True)
    with pytest.raises(ValueError, match="is not of the form"):
        parse_pairs(":2", whole=False)
