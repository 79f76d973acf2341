"""The one protocol every backend follows: capabilities as data, one solve function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchkit.core.assignment import Assignment
from matchkit.core.problem import AssignmentProblem, Feature

__all__ = ["Backend", "SolveOptions"]


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """Options every backend receives; a backend ignores those it has no use for."""

    time_limit: float | None = None
    seed: int = 0
    workers: int | None = None
    hint: npt.NDArray[np.bool_] | None = None
    """A selection to start from (CP-SAT takes it as a solution hint)."""
    chosen_by_auto: bool = False
    """``method="auto"`` chose this backend: it may hand the problem on to the next one in
    ``AUTO_ORDER`` where its own measured rule says that is faster (the simplex backend)."""


@dataclass(frozen=True, slots=True)
class Backend:
    """A solver backend: its name, what it supports, and its solve function."""

    name: str
    solve: Callable[[AssignmentProblem, SolveOptions], Assignment]
    supports: frozenset[Feature]
    exact: bool
    description: str
    auto: Callable[[AssignmentProblem], bool] | None = None
    """Where ``method="auto"`` takes this backend (None: wherever it supports the problem)."""

    def missing(self, problem: AssignmentProblem) -> frozenset[Feature]:
        """The problem's features this backend cannot represent."""
        return problem.features - self.supports

    def fits(self, problem: AssignmentProblem) -> bool:
        """Whether ``method="auto"`` takes this backend for ``problem``."""
        return not self.missing(problem) and (self.auto is None or self.auto(problem))
