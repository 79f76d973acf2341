"""The engine: every backend, the one registry, and the one dispatcher.

:func:`solve_assignment` takes an :class:`~matchkit.core.AssignmentProblem` and returns an
:class:`~matchkit.core.Assignment`; :data:`BACKENDS` holds every backend by name, each
declaring as data which problem features it represents (:class:`Backend`), and
:data:`AUTO_ORDER` is the order ``method="auto"`` tries them in. :func:`select_mentors` chooses
which candidate mentors to hire, with a proven bound (:class:`Selection`). Backends see arrays only:
this package imports :mod:`matchkit.core`, :mod:`matchkit.errors`, numpy and OR-Tools
(CP-SAT only when a CP-SAT solve runs; POT, optional, only in the ``simplex`` backend), and
never a record of :mod:`matchkit.domain`.
"""

from matchkit.solvers.base import Backend, SolveOptions
from matchkit.solvers.dispatch import available_methods, solve_assignment
from matchkit.solvers.registry import AUTO_ORDER, BACKENDS
from matchkit.solvers.selection import Selection, select_mentors

__all__ = [
    "AUTO_ORDER",
    "BACKENDS",
    "Backend",
    "Selection",
    "SolveOptions",
    "available_methods",
    "select_mentors",
    "solve_assignment",
]
