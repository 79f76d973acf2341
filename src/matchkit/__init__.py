"""matchkit: mentor-mentee matching as exact optimisation.

The array-level engine is public here: build an :class:`AssignmentProblem`, call
:func:`solve_assignment`, check the answer with :func:`verify_assignment`.
"""

from matchkit.core import (
    Assignment,
    AssignmentProblem,
    Feature,
    Status,
    available_methods,
    solve_assignment,
)
from matchkit.errors import (
    InputError,
    InputProblem,
    MatchkitError,
    UnknownMethodError,
    UnsupportedFeatureError,
)
from matchkit.verify import Violation, verify_assignment

__version__ = "0.1.0"

__all__ = [
    "Assignment",
    "AssignmentProblem",
    "Feature",
    "InputError",
    "InputProblem",
    "MatchkitError",
    "Status",
    "UnknownMethodError",
    "UnsupportedFeatureError",
    "Violation",
    "__version__",
    "available_methods",
    "solve_assignment",
    "verify_assignment",
]
