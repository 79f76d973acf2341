"""The array-level engine: problem, assignment, and one solve entry point (numpy only)."""

from matchkit.core.assignment import Assignment, Status
from matchkit.core.problem import AssignmentProblem, Feature
from matchkit.core.solve import available_methods, solve_assignment

__all__ = [
    "Assignment",
    "AssignmentProblem",
    "Feature",
    "Status",
    "available_methods",
    "solve_assignment",
]
