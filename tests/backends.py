"""The backends every engine suite runs, defined once.

The conformance (``tests/solvers/test_conformance.py``), oracle (``test_oracle.py``) and
property (``test_properties.py``) suites all take their list from here, and it is the
registry itself: a backend registered in :data:`matchkit.solvers.BACKENDS` is tested by all
three the day it lands, on every instance it represents (and its refusal on the others).
"""

from __future__ import annotations

from matchkit import AssignmentProblem
from matchkit.solvers import BACKENDS

ALL: tuple[str, ...] = tuple(BACKENDS)
"""Every registered backend, in registry order."""


def representing(problem: AssignmentProblem) -> tuple[str, ...]:
    """The backends that represent ``problem`` exactly (no feature missing)."""
    return tuple(name for name in ALL if not BACKENDS[name].missing(problem))
