"""The public surface: what ``from matchkit import ...`` offers, typed and documented."""

from __future__ import annotations

import dataclasses
import importlib.resources
import inspect

import numpy as np
import pytest

import matchkit
from matchkit import Assignment, AssignmentProblem, Status, solve_assignment


def test_every_export_exists_and_is_documented() -> None:
    assert sorted(matchkit.__all__) == matchkit.__all__
    for name in matchkit.__all__:
        obj = getattr(matchkit, name)
        if name != "__version__":
            assert inspect.getdoc(obj), f"{name} has no docstring"


def test_package_is_typed() -> None:
    assert importlib.resources.files("matchkit").joinpath("py.typed").is_file()


def test_solve_options_are_keyword_only() -> None:
    params = inspect.signature(solve_assignment).parameters
    assert [n for n, p in params.items() if p.kind is p.KEYWORD_ONLY] == [
        "method",
        "time_limit",
        "seed",
        "workers",
        "start",
    ]


def test_available_methods() -> None:
    assert matchkit.available_methods() == ("auto", "flow", "cpsat", "simplex", "priced")


def test_status_is_one_enum_with_string_values() -> None:
    assert [s.value for s in Status] == ["optimal", "feasible", "infeasible", "unknown"]
    assert Status.OPTIMAL.has_solution
    assert Status.FEASIBLE.has_solution
    assert not Status.INFEASIBLE.has_solution
    assert not Status.UNKNOWN.has_solution


def test_assignment_is_frozen_and_read_only() -> None:
    p = AssignmentProblem(3, 2, [0, 1, 2, 2], [0, 0, 1, 0], [2.0, 3.0, 1.0, 5.0], capacity=[1, 1])
    a = solve_assignment(p)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.objective = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        a.selected[0] = True
    assert isinstance(a, Assignment)
    # Mentee 2 with mentor 0 (5.0) beats mentee 1 with mentor 0 plus mentee 2 with mentor 1 (4.0).
    assert a.objective == 5.0
    assert a.mentor_of().tolist() == [-1, -1, 0]
    assert a.loads().tolist() == [1, 0]
    assert a.gap == 0.0
    assert np.isclose(a.bound, a.objective)
    assert a.method == "flow"
    assert a.wall_time >= 0
    assert a.raw_status
