"""Bad input to ``AssignmentProblem`` and ``solve_assignment``: one clear error, every problem."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from matchkit import (
    AssignmentProblem,
    InputError,
    MatchkitError,
    UnknownMethodError,
    solve_assignment,
)


def _error(**overrides: object) -> InputError:
    kw: dict[str, object] = {
        "n_mentees": 3,
        "n_mentors": 2,
        "mentee": [0, 1, 2],
        "mentor": [0, 1, 1],
        "score": [1.0, 2.0, 3.0],
    }
    kw.update(overrides)
    with pytest.raises(InputError) as info:
        AssignmentProblem(**kw)  # type: ignore[arg-type]
    return info.value


@pytest.mark.parametrize(
    ("overrides", "code", "field", "fragment"),
    [
        ({"n_mentees": -1}, "bad_count", "n_mentees", "non-negative integer"),
        ({"n_mentors": 2.5}, "bad_count", "n_mentors", "non-negative integer"),
        ({"mentee": [[0, 1, 2]]}, "bad_shape", "mentee", "1-D"),
        ({"mentor": [0, 1]}, "bad_shape", "mentor", "length 3"),
        ({"score": ["a", "b", "c"]}, "bad_dtype", "score", "numeric"),
        ({"score": [1.0, np.nan, np.inf]}, "not_finite", "score", "positions [1, 2]"),
        ({"capacity": [1.5, 1]}, "not_integer", "capacity", "position [0]"),
        ({"mentee": [0, 3, 2]}, "index_out_of_range", "mentee", "values [3]"),
        ({"mentor": [0, -1, 1]}, "index_out_of_range", "mentor", "position [1]"),
        ({"capacity": [1, -2]}, "negative", "capacity", "values [-2]"),
        ({"unmatched_penalty": -1.0}, "negative", "unmatched_penalty", "3 positions"),
        ({"required": [2, 0, 0]}, "required_exceeds_demand", "required", "position [0]"),
        ({"min_load": [2, 0]}, "min_load_exceeds_capacity", "min_load", "position [0]"),
        ({"mentee": [0, 0, 2], "mentor": [1, 1, 1]}, "duplicate_edge", "mentee/mentor", "(0, 1)"),
        ({"pinned": [0, 5]}, "index_out_of_range", "pinned", "edge index outside [0, 3)"),
        ({"pinned": [1.0, 0.0]}, "bad_dtype", "pinned", "boolean mask"),
        ({"pinned": np.array([True, False])}, "bad_shape", "pinned", "length 3"),
        ({"weight": [1, 0, -1]}, "negative", "weight", "position [2]"),
    ],
)
def test_each_problem_is_named(
    overrides: dict[str, object], code: str, field: str, fragment: str
) -> None:
    err = _error(**overrides)
    assert code in err.codes()
    problem = err.problems[err.codes().index(code)]
    assert problem.field == field
    assert fragment in str(problem)
    if field not in ("n_mentees", "n_mentors", "mentee"):  # these make other fields unreadable
        assert err.codes() == [code]


def test_every_problem_is_reported_at_once() -> None:
    err = _error(
        mentee=[0, 7, 2],
        score=[1.0, np.nan, 3.0],
        capacity=[-1, 1],
        required=[0, 2, 0],
    )
    assert sorted(err.codes()) == sorted(
        ["index_out_of_range", "not_finite", "negative", "required_exceeds_demand"]
    )
    text = str(err)
    assert text.startswith("AssignmentProblem has 4 problems:")
    for field in ("mentee:", "score:", "capacity:", "required:"):
        assert field in text


def test_offending_indices_are_given() -> None:
    err = _error(score=[np.nan, 1.0, np.nan])
    assert err.problems[0].indices == (0, 2)


def test_input_error_is_a_value_error_and_a_matchkit_error() -> None:
    err = _error(n_mentees=-1)
    assert isinstance(err, ValueError)
    assert isinstance(err, MatchkitError)


def test_duplicates_are_found_in_unsorted_input() -> None:
    err = _error(mentee=[2, 0, 2], mentor=[1, 0, 1])
    assert err.codes() == ["duplicate_edge"]
    assert "edges [2]" in str(err)


@given(
    pairs=st.lists(st.tuples(st.integers(0, 4), st.integers(0, 3)), max_size=12),
    grouped=st.booleans(),
)
def test_duplicates_are_found_in_any_order(pairs: list[tuple[int, int]], grouped: bool) -> None:
    # Grouped input (each mentee's edges together, mentors in order) takes the O(n) path;
    # the rest is sorted. Both must report exactly the repeated pairs.
    if grouped:
        firsts = list(dict.fromkeys(i for i, _ in pairs))
        pairs = sorted(pairs, key=lambda e: (firsts.index(e[0]), e[1]))
    mentee, mentor = [i for i, _ in pairs], [j for _, j in pairs]
    kw = {"mentee": mentee, "mentor": mentor, "score": [1.0] * len(pairs)}
    if len(set(pairs)) == len(pairs):
        AssignmentProblem(5, 4, **kw)  # type: ignore[arg-type]
    else:
        err = _error(n_mentees=5, n_mentors=4, **kw)
        assert err.codes() == ["duplicate_edge"]
        repeats = [e for e in range(len(pairs)) if pairs[e] in pairs[:e]]
        assert err.problems[0].indices == tuple(repeats)


def test_scalars_broadcast_and_arrays_are_read_only() -> None:
    p = AssignmentProblem(3, 2, [0, 1, 2], [0, 1, 1], [1, 2, 3], capacity=2, demand=1)
    assert p.capacity.tolist() == [2, 2]
    assert p.demand.tolist() == [1, 1, 1]
    with pytest.raises(ValueError, match="read-only"):
        p.capacity[0] = 5
    with pytest.raises(AttributeError):
        p.n_mentors = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "exc", "fragment"),
    [
        ({"method": "lemon"}, UnknownMethodError, "'auto', 'flow', 'cpsat', 'simplex', 'priced'"),
        ({"time_limit": 0}, ValueError, "time_limit"),
        ({"time_limit": float("nan")}, ValueError, "time_limit"),
        ({"seed": -1}, ValueError, "seed"),
        ({"seed": 2**31}, ValueError, "seed must be an integer from 0 to 2147483647"),
        ({"workers": 0}, ValueError, "workers"),
        ({"workers": True}, ValueError, "workers"),
    ],
)
def test_bad_options_fail_before_solving(
    kwargs: dict[str, object], exc: type[Exception], fragment: str
) -> None:
    p = AssignmentProblem(1, 1, [0], [0], [1.0])
    with pytest.raises(exc, match=fragment.replace("(", r"\(")):
        solve_assignment(p, **kwargs)  # type: ignore[arg-type]


def test_matchkit_errors_survive_pickling() -> None:
    """Errors raised in worker processes (what-if scenarios) reach the caller intact."""
    import pickle

    from matchkit.errors import InputProblem, UnsupportedFeatureError

    errors = [
        InputError("scenario 'x'", [InputProblem("scenario", "capacities", "unknown", (1,))]),
        UnsupportedFeatureError("flow", ["sessions"], ["cpsat"]),
        UnknownMethodError("simplex", ["flow", "cpsat"]),
    ]
    for e in errors:
        back = pickle.loads(pickle.dumps(e))
        assert type(back) is type(e)
        assert str(back) == str(e)
        assert vars(back) == vars(e)
