"""matchkit: mentor-mentee matching as exact optimisation.

Domain level: build a :class:`Cohort` of :class:`Mentor` and :class:`Mentee` records, call
:func:`solve` under a :class:`Policy`, check the :class:`MatchResult` with :func:`verify`.
Array level: build an :class:`AssignmentProblem`, call :func:`solve_assignment`, check the
answer with :func:`verify_assignment`.
"""

from matchkit.core import Assignment, AssignmentProblem, Feature, Status
from matchkit.domain import (
    Availability,
    BreakReason,
    BrokenPair,
    CategoryLimit,
    Cohort,
    Continuity,
    Floor,
    GroupCap,
    Level,
    Match,
    MatchResult,
    Mentee,
    Mentor,
    Metrics,
    Mode,
    NearMiss,
    Policy,
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
from matchkit.solvers import available_methods, solve_assignment
from matchkit.verify import Violation, verify, verify_assignment
from matchkit.workflows.rematch import rematch
from matchkit.workflows.repair import repair
from matchkit.workflows.solve import solve

__version__ = "0.1.0"
"""This release of matchkit, as in ``pyproject.toml``."""

__all__ = [
    "Assignment",
    "AssignmentProblem",
    "Availability",
    "BreakReason",
    "BrokenPair",
    "CategoryLimit",
    "Cohort",
    "Continuity",
    "Feature",
    "Floor",
    "GroupCap",
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
    "rematch",
    "repair",
    "solve",
    "solve_assignment",
    "verify",
    "verify_assignment",
]
