"""The backend registry: every backend by name, and the order ``method="auto"`` tries them.

Each backend is one module with one solve function and a :class:`~matchkit.solvers.base.Backend`
record that says, as data, which problem features it represents exactly. ``method="auto"``
takes the first backend in :data:`AUTO_ORDER` that supports every feature the problem uses
(and whose own measured rule, where it has one, takes the problem).
"""

from __future__ import annotations

from matchkit.core.assignment import Assignment
from matchkit.core.problem import AssignmentProblem, Feature
from matchkit.solvers.base import Backend, SolveOptions
from matchkit.solvers.flow import FLOW
from matchkit.solvers.priced import PRICED
from matchkit.solvers.simplex import SIMPLEX

__all__ = ["AUTO_ORDER", "BACKENDS", "CPSAT"]


def _solve_cpsat(problem: AssignmentProblem, options: SolveOptions) -> Assignment:
    # Lazy import of a heavy dependency: CP-SAT (and the pandas it imports) costs about
    # 0.5 s to import, so ``import matchkit`` does not load it; only a CP-SAT solve does.
    from matchkit.solvers.cpsat import solve_cpsat

    return solve_cpsat(problem, options)


CPSAT = Backend(
    name="cpsat",
    solve=_solve_cpsat,
    supports=frozenset(Feature),
    exact=True,
    description="OR-Tools CP-SAT, one Boolean per edge; every feature; honours time_limit",
)
"""The CP-SAT backend's record (its module, :mod:`matchkit.solvers.cpsat`, is imported on
first use)."""

BACKENDS: dict[str, Backend] = {b.name: b for b in (FLOW, CPSAT, SIMPLEX, PRICED)}
"""Every backend by name."""

AUTO_ORDER: tuple[str, ...] = ("simplex", "priced", "flow", "cpsat")
"""The order ``method="auto"`` tries backends in: fastest exact first (``simplex`` only
where POT is installed and the problem is large with few candidates per mentee, see
:mod:`matchkit.solvers.simplex`; ``priced`` on other large problems it represents, see
:mod:`matchkit.solvers.priced`)."""
