"""matchkit: mentor-mentee matching as exact optimisation.

Domain level: build a :class:`Cohort` of :class:`Mentor` and :class:`Mentee` records, call
:func:`solve` under a :class:`Policy`, check the :class:`MatchResult` with :func:`verify`.
Array level: build an :class:`AssignmentProblem`, call :func:`solve_assignment`, check the
answer with :func:`verify_assignment`.

Every name below is loaded on first use (PEP 562), so ``import matchkit`` is cheap and the
command line can catch a Ctrl-C while the solving code loads; type checkers, IDEs and
``dir(matchkit)`` see every one of them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matchkit.core import Assignment, AssignmentProblem, Feature, Status
    from matchkit.domain import (
        Applicant,
        Availability,
        BreakReason,
        BrokenPair,
        CategoryLimit,
        Cohort,
        Continuity,
        CurvePoint,
        Floor,
        GroupCap,
        HireDecision,
        HireReason,
        HiringRules,
        Level,
        Match,
        MatchResult,
        Mentee,
        Mentor,
        Metrics,
        Mode,
        NearMiss,
        Policy,
        Quota,
        RecruitResult,
        Session,
        Sessions,
        Transition,
        Unmatched,
        UnmatchedReason,
        Weights,
    )
    from matchkit.errors import (
        InputError,
        InputProblem,
        MatchkitError,
        MissingDependencyError,
        UnknownMethodError,
        UnsupportedFeatureError,
    )
    from matchkit.methods.stable import blocking_pairs
    from matchkit.solvers import Selection, available_methods, select_mentors, solve_assignment
    from matchkit.verify import Violation, verify, verify_assignment
    from matchkit.workflows.recruit import recruit
    from matchkit.workflows.rematch import rematch
    from matchkit.workflows.repair import repair
    from matchkit.workflows.solve import solve

_LAZY = {
    "Applicant": "matchkit.domain",
    "Assignment": "matchkit.core",
    "AssignmentProblem": "matchkit.core",
    "Availability": "matchkit.domain",
    "BreakReason": "matchkit.domain",
    "BrokenPair": "matchkit.domain",
    "CategoryLimit": "matchkit.domain",
    "Cohort": "matchkit.domain",
    "Continuity": "matchkit.domain",
    "CurvePoint": "matchkit.domain",
    "Feature": "matchkit.core",
    "Floor": "matchkit.domain",
    "GroupCap": "matchkit.domain",
    "HireDecision": "matchkit.domain",
    "HireReason": "matchkit.domain",
    "HiringRules": "matchkit.domain",
    "InputError": "matchkit.errors",
    "InputProblem": "matchkit.errors",
    "Level": "matchkit.domain",
    "Match": "matchkit.domain",
    "MatchResult": "matchkit.domain",
    "MatchkitError": "matchkit.errors",
    "Mentee": "matchkit.domain",
    "Mentor": "matchkit.domain",
    "Metrics": "matchkit.domain",
    "MissingDependencyError": "matchkit.errors",
    "Mode": "matchkit.domain",
    "NearMiss": "matchkit.domain",
    "Policy": "matchkit.domain",
    "Quota": "matchkit.domain",
    "RecruitResult": "matchkit.domain",
    "Selection": "matchkit.solvers",
    "Session": "matchkit.domain",
    "Sessions": "matchkit.domain",
    "Status": "matchkit.core",
    "Transition": "matchkit.domain",
    "UnknownMethodError": "matchkit.errors",
    "Unmatched": "matchkit.domain",
    "UnmatchedReason": "matchkit.domain",
    "UnsupportedFeatureError": "matchkit.errors",
    "Violation": "matchkit.verify",
    "Weights": "matchkit.domain",
    "available_methods": "matchkit.solvers",
    "blocking_pairs": "matchkit.methods.stable",
    "recruit": "matchkit.workflows.recruit",
    "rematch": "matchkit.workflows.rematch",
    "repair": "matchkit.workflows.repair",
    "select_mentors": "matchkit.solvers",
    "solve": "matchkit.workflows.solve",
    "solve_assignment": "matchkit.solvers",
    "verify": "matchkit.verify",
    "verify_assignment": "matchkit.verify",
}
"""Where each public name lives: imported from there on first use."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'matchkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"
"""This release of matchkit, as in ``pyproject.toml``."""

__all__ = [
    "Applicant",
    "Assignment",
    "AssignmentProblem",
    "Availability",
    "BreakReason",
    "BrokenPair",
    "CategoryLimit",
    "Cohort",
    "Continuity",
    "CurvePoint",
    "Feature",
    "Floor",
    "GroupCap",
    "HireDecision",
    "HireReason",
    "HiringRules",
    "InputError",
    "InputProblem",
    "Level",
    "Match",
    "MatchResult",
    "MatchkitError",
    "Mentee",
    "Mentor",
    "Metrics",
    "MissingDependencyError",
    "Mode",
    "NearMiss",
    "Policy",
    "Quota",
    "RecruitResult",
    "Selection",
    "Session",
    "Sessions",
    "Status",
    "Transition",
    "UnknownMethodError",
    "Unmatched",
    "UnmatchedReason",
    "UnsupportedFeatureError",
    "Violation",
    "Weights",
    "__version__",
    "available_methods",
    "blocking_pairs",
    "recruit",
    "rematch",
    "repair",
    "select_mentors",
    "solve",
    "solve_assignment",
    "verify",
    "verify_assignment",
]


class _Package(types.ModuleType):
    """``matchkit`` itself: keeps the public function ``verify`` when the subpackage
    ``matchkit.verify`` loads. The import system binds every loaded subpackage on its
    parent, which would shadow the function of the same name (the eager imports this module
    had before rebound it afterwards)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
