"""Numbers that cannot give a right answer are rejected, naming the field and the value;
booleans are not numbers; pydantic's ``input_value=`` never shows a person's fields."""

from __future__ import annotations

import json
import math

import pytest
from pydantic import ValidationError
from tests.domain_strategies import mentee, mentor

from matchkit import Cohort, Mentee, Mentor, Policy, solve, verify
from matchkit.domain.policy import MAX_NEED, MAX_WEIGHT

WEIGHTS = (
    "subject_fit",
    "schedule_slack",
    "continuity",
    "commitment",
    "alumni",
    "distance",
    "match",
    "priority",
    "lost_mentor",
    "balance",
)


@pytest.mark.parametrize("value", [1e16, 1e17, 1e308, math.inf, -math.inf, math.nan])
@pytest.mark.parametrize("name", WEIGHTS)
def test_absurd_weights_are_rejected_naming_field_and_value(name: str, value: float) -> None:
    with pytest.raises(ValidationError) as info:
        Policy(weights={name: value})  # type: ignore[arg-type]
    text = str(info.value)
    assert f"weights.{name}" in text
    assert repr(value) in text
    assert "input_value" not in text


@pytest.mark.parametrize("value", [1e308, 1e7, math.inf, math.nan, 0.0, 1e-9, True])
def test_absurd_needs_are_rejected(value: float) -> None:
    with pytest.raises(ValidationError) as info:
        mentee("s-1", needs={"math": value})
    text = str(info.value)
    assert "mentee 's-1': needs.math" in text
    assert (str(value).lower() if isinstance(value, bool) else repr(value)) in text


def _two_pairs() -> Cohort:
    return Cohort(
        mentors=[mentor("m-0", capacity=2), mentor("m-1", capacity=2)],
        mentees=[mentee(f"s-{k}", previous_mentor="m-0" if k < 2 else None) for k in range(4)],
    )


def test_the_largest_weights_and_needs_still_give_verified_optima() -> None:
    # Before: a weight of 1e16 overflowed the integer scores and needs of 1e308 made every
    # subject fit NaN (verify rejected the tool's own answer).
    cohort = _two_pairs()
    policy = Policy(max_travel_km=None, weights={n: MAX_WEIGHT for n in WEIGHTS[:-1]})
    result = solve(cohort, policy)
    assert len(result.matches) == 4
    assert verify(cohort, policy, result) == []
    big = cohort.model_copy(
        update={
            "mentees": [
                s.model_copy(update={"needs": {"math": MAX_NEED, "english": MAX_NEED}})
                for s in cohort.mentees
            ]
        }
    )
    result = solve(big)
    assert len(result.matches) == 4
    assert verify(big, Policy(), result) == []


@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Mentor, "capacity"),
        (Mentor, "terms_committed"),
        (Mentee, "grade"),
        (Mentee, "priority"),
        (Mentee, "session_hours"),
    ],
)
def test_true_is_not_a_number_in_records(model: type[Mentor | Mentee], field: str) -> None:
    base = (mentor if model is Mentor else mentee)("x-1").model_dump(mode="json")
    message = f"{field}: true is not a number"
    with pytest.raises(ValidationError, match=message):
        model.model_validate({**base, field: True})
    with pytest.raises(ValidationError, match=message):
        model.model_validate_json(json.dumps({**base, field: True}))
    assert model.model_validate({**base, field: 1}) is not None


def test_true_is_not_a_proficiency() -> None:
    with pytest.raises(ValidationError, match=r"subjects\.math: true is not a number"):
        mentor("m-1", subjects={"math": True})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_proficiency": True},
        {"max_candidates": True},
        {"min_load": True},
        {"max_travel_km": True},
        {"sessions": {"offline_buffer_minutes": False}},
        {"group_caps": [{"field": "level", "max_per_mentor": True}]},
        {"category_limits": [{"field": "level", "value": "high", "at_most": True}]},
        {"weights": {"match": True}},
    ],
)
def test_true_is_not_a_number_in_policies(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValidationError, match="is not a number"):
        Policy.model_validate(kwargs)
    with pytest.raises(ValidationError, match="is not a number"):
        Policy.model_validate_json(json.dumps(kwargs))


def test_csv_numbers_still_read() -> None:
    assert mentor("m-1", capacity=3).capacity == 3


def test_errors_never_print_input_values() -> None:
    with pytest.raises(ValidationError) as info:
        mentee("s-1", grade=9, attributes={"phone": "010-1234-5678", "bad": [1]})
    text = str(info.value)
    assert "010-1234-5678" not in text
    assert "input_value" not in text
    assert "mentee 's-1': grade" in text
    for bad in (
        {"weights": {"match": "lots"}},
        {"floors": [{"field": "level", "min_rate": 2}]},
        {"pinned": [["s-1"]]},
        {"colour": "010-1234-5678"},
    ):
        with pytest.raises(ValidationError) as info:
            Policy.model_validate(bad)
        assert "input_value" not in str(info.value)
        assert "010-1234-5678" not in str(info.value)


def test_result_models_hide_inputs() -> None:
    from matchkit import MatchResult

    result = solve(_two_pairs())
    data = json.loads(result.model_dump_json())
    data["matches"][0]["mentee_id"] = {"phone": "010-1234-5678"}
    with pytest.raises(ValidationError) as info:
        MatchResult.model_validate(data)
    assert "010-1234-5678" not in str(info.value)
