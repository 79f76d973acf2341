"""Arrays in, arrays out: the problem, its answer, one status enum, options and scaling.

:class:`AssignmentProblem` is what every backend solves and :class:`Assignment` what it
returns; :class:`Status` is the one status enum of the whole library. This package imports
numpy and :mod:`matchkit.errors` only: it knows nothing of records, files or solvers.
"""

from matchkit.core.assignment import Assignment, Status
from matchkit.core.problem import AssignmentProblem, Feature

__all__ = ["Assignment", "AssignmentProblem", "Feature", "Status"]
