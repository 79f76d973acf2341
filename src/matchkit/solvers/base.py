"""The one protocol every backend follows: capabilities as data, one solve function."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matchkit.core.assignment import Assignment, Status, objective_value
from matchkit.core.problem import AssignmentProblem, Feature

__all__ = ["Backend", "SolveOptions", "proven_optimal"]


def proven_optimal(
    problem: AssignmentProblem,
    selected: npt.NDArray[np.bool_],
    *,
    method: str,
    started: float,
    score_scale: float,
    stats: dict[str, Any],
) -> Assignment:
    """The answer of a backend that proved ``selected`` optimal itself (by duality): its
    objective recomputed from the scores, the bound equal to it."""
    objective = objective_value(problem, selected)
    return Assignment(
        problem=problem,
        selected=selected,
        objective=objective,
        bound=objective,
        status=Status.OPTIMAL,
        method=method,
        wall_time=time.perf_counter() - started,
        raw_status="OPTIMAL",
        score_scale=score_scale,
        stats=stats,
    )


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """Options every backend receives; a backend ignores those it has no use for."""

    time_limit: float | None = None
    """Seconds a search may run (CP-SAT); None: until it ends by itself."""
    seed: int = 0
    """The search's random seed (CP-SAT)."""
    workers: int | None = None
    """Search workers (CP-SAT); None: the machine's cores, at most 8."""
    hint: npt.NDArray[np.bool_] | None = None
    """A selection to start from (``solve_assignment(start=...)``): CP-SAT takes it as a
    solution hint, the priced backend adds its edges to its first problem."""
    chosen_by_auto: bool = False
    """``method="auto"`` chose this backend: it may hand the problem on to the next one in
    ``AUTO_ORDER`` where its own measured rule says that is faster (the simplex backend)."""


@dataclass(frozen=True, slots=True)
class Backend:
    """A solver backend: its name, what it supports, and its solve function."""

    name: str
    """The ``method=`` name that asks for it."""
    solve: Callable[[AssignmentProblem, SolveOptions], Assignment]
    """Solves a problem it supports under the options."""
    supports: frozenset[Feature]
    """The features it represents exactly; a problem using any other is refused."""
    exact: bool
    """Whether it solves the problem itself, not an approximation: an answer it calls
    optimal is the optimum."""
    description: str
    """One line for people: what it runs."""
    auto: Callable[[AssignmentProblem], bool] | None = None
    """Where ``method="auto"`` takes this backend (None: wherever it supports the problem)."""

    def missing(self, problem: AssignmentProblem) -> frozenset[Feature]:
        """The problem's features this backend cannot represent."""
        return problem.features - self.supports

    def fits(self, problem: AssignmentProblem) -> bool:
        """Whether ``method="auto"`` takes this backend for ``problem``."""
        return not self.missing(problem) and (self.auto is None or self.auto(problem))
