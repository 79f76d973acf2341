"""Parsing and validation of the domain records: every bad input named, with its message."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from hypothesis import given
from pydantic import ValidationError
from tests.domain_strategies import availabilities, cohorts

from matchkit import Availability, Cohort, Mentee, Mentor, Policy
from matchkit.domain.schedule import erode


def test_availability_text_and_hours() -> None:
    a = Availability.parse("Mon 18:00-21:00, Sat 10:00-12:30")
    assert a.hours == 5.5
    assert str(a) == "Mon 18:00-21:00, Sat 10:00-12:30"
    assert a.longest_run() == 3.0
    assert Availability.parse("sat 22:00-24:00").intervals() == [("Sat", "22:00", "24:00")]


def test_overlapping_intervals_merge() -> None:
    a = Availability.parse("Tue 10:00-12:00, Tue 11:00-13:30, Tue 13:30-14:00")
    assert str(a) == "Tue 10:00-14:00"


def test_json_interval_forms() -> None:
    as_text = Availability.parse("Wed 16:00-18:00")
    assert Availability.parse(["Wed 16:00-18:00"]) == as_text
    assert Availability.parse([{"day": "Wed", "start": "16:00", "end": "18:00"}]) == as_text
    assert Availability.parse([]) == Availability()


def test_longest_common_run() -> None:
    a = Availability.parse("Mon 18:00-21:00, Sat 10:00-12:30")
    b = Availability.parse("Mon 19:30-22:00, Sat 09:00-11:00")
    assert a.longest_common_run(b) == 1.5
    assert str(a & b) == "Mon 19:30-21:00, Sat 10:00-11:00"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mon 25:00-26:00", "'25:00' is not a time of day"),
        ("Mon 10:60-11:00", "'10:60' is not a time of day"),
        ("Mon 24:00-24:30", "'24:00' is not a time of day"),
        ("Funday 10:00-11:00", "'Funday' is not a day"),
        ("Mon 10:15-11:00", "'10:15' is not on the 30-minute grid"),
        ("Mon 11:00-10:00", "the end is not after the start"),
        ("Mon 10:00-10:00", "the end is not after the start"),
        ("Mon 10-11", "'10' is not a time of day (HH:MM)"),
        ("Monday", "is not of the form 'Mon 18:00-21:00'"),
    ],
)
def test_impossible_times_are_rejected(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="availability") as info:
        Availability.parse(text)
    assert message in str(info.value)


@given(a=availabilities(), b=availabilities())
def test_text_round_trip_and_eroded_windows(a: Availability, b: Availability) -> None:
    assert Availability.parse(str(a)) == a
    run = a.longest_common_run(b)
    ma = np.array([a.masks], dtype=np.uint64)
    mb = np.array([b.masks], dtype=np.uint64)
    for k in range(1, 12):
        shared = bool((erode(ma, k) & erode(mb, k)).any())
        assert shared == (run * 2 >= k)


@given(cohort=cohorts())
def test_cohorts_pickle_by_value(cohort: Cohort) -> None:
    # Process pools and Dask ship cohorts to workers by pickling them.
    back = pickle.loads(pickle.dumps(cohort))
    assert back == cohort
    assert [m.availability for m in back.mentors] == [m.availability for m in cohort.mentors]


def test_record_errors_name_the_record_and_field() -> None:
    with pytest.raises(ValidationError) as info:
        Mentee(
            id="s-0042",
            level="middle",
            grade=2,
            needs={"math": 1},
            availability="Mon 25:00-26:00",
            district="Mapo-gu",
        )
    text = str(info.value)
    assert "mentee 's-0042': availability 'Mon 25:00-26:00': '25:00' is not a time of day" in text


def test_all_problems_of_a_record_at_once_and_no_personal_values_echoed() -> None:
    with pytest.raises(ValidationError) as info:
        Mentee(
            id="s-7",
            level="college",
            grade=5,
            needs={},
            availability="Sat 10:00-12:00",
            district="Mapo-gu",
            session_hours=1.2,
            priority=-1,
            attributes={"school": "Secret High"},
        )
    text = str(info.value)
    for fragment in (
        "mentee 's-7': level: Input should be 'middle' or 'high'",
        "mentee 's-7': grade: Input should be less than or equal to 3",
        "mentee 's-7': needs: a mentee must need at least one subject",
        "mentee 's-7': session_hours: 1.2 is not a whole number of half hours",
        "mentee 's-7': priority: Input should be greater than or equal to 0",
    ):
        assert fragment in text
    assert "Secret High" not in text


def test_mentor_errors() -> None:
    with pytest.raises(ValidationError) as info:
        Mentor(
            id="m-3",
            subjects={"Math": 6, "math ": 3},
            availability="Sat 10:00-12:00",
            district="Mapo-gu",
            capacity=-1,
        )
    text = str(info.value)
    assert "mentor 'm-3': subjects: subject 'math' is listed twice" in text
    with pytest.raises(ValidationError, match=r"mentor 'm-3': subjects.math: Input should be"):
        Mentor(id="m-3", subjects={"math": 6}, availability="", district="Mapo-gu")
    with pytest.raises(ValidationError, match="mentor 'm-3': capacity"):
        Mentor(id="m-3", subjects={"math": 3}, availability="", district="x", capacity=-1)
    with pytest.raises(ValidationError, match="mentor 'm-3': colour: Extra inputs"):
        Mentor(id="m-3", subjects={"math": 3}, availability="", district="x", colour="red")  # type: ignore[call-arg]


def test_cohort_checks_ids_and_references() -> None:
    m = Mentor(id="m-1", subjects={"math": 4}, availability="Sat 10:00-12:00", district="x")
    s = Mentee(
        id="s-1",
        level="high",
        grade=1,
        needs={"math": 1},
        availability="Sat 10:00-12:00",
        district="x",
        avoid=frozenset({"m-9"}),
    )
    with pytest.raises(ValidationError) as info:
        Cohort(mentors=[m, m], mentees=[s])
    text = str(info.value)
    assert "mentor ids must be unique; repeated: 'm-1'" in text
    assert "mentee 's-1': avoid names unknown mentor(s) ['m-9']" in text


def test_departed_previous_mentor_is_flagged_not_an_error() -> None:
    m = Mentor(id="m-1", subjects={"math": 4}, availability="Sat 10:00-12:00", district="x")
    s = Mentee(
        id="s-1",
        level="high",
        grade=1,
        needs={"math": 1},
        availability="Sat 10:00-12:00",
        district="x",
        previous_mentor="m-graduated",
    )
    assert Cohort(mentors=[m], mentees=[s]).lost_mentor() == ["s-1"]


def test_json_schema_exports() -> None:
    for model in (Cohort, Policy):
        schema = model.model_json_schema()
        json.dumps(schema)
    props = Cohort.model_json_schema()["$defs"]["Mentee"]["properties"]
    assert props["availability"]["type"] == "string"


def test_policy_validation() -> None:
    with pytest.raises(ValidationError):
        Policy(min_proficiency=0)
    with pytest.raises(ValidationError):
        Policy(weights={"continuity": -1})  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Policy(weights={"kindness": 1})  # type: ignore[arg-type]
    assert Policy.model_validate_json(Policy().model_dump_json()) == Policy()


def test_cohort_model_copy_with_changes_does_not_reuse_cached_arrays() -> None:
    from matchkit.compiler.arrays import cohort_arrays
    from matchkit.synth import generate_cohort

    cohort = generate_cohort(5, 10, seed=1)
    cached = cohort_arrays(cohort)
    fewer = cohort.model_copy(update={"mentors": cohort.mentors[:2]})
    assert cohort_arrays(fewer) is not cached
    assert len(cohort_arrays(fewer).t_ids) == 2
    assert cohort.model_copy() == cohort
