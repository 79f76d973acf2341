"""`Assignment` and `Status`: what every backend returns."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from matchkit.core.problem import AssignmentProblem

__all__ = ["Assignment", "Status", "objective_value"]


class Status(enum.StrEnum):
    """The outcome of a solve, the same for every backend.

    The backend's own status is kept beside it in ``Assignment.raw_status``.
    """

    OPTIMAL = "optimal"
    """The selection is optimal and ``bound == objective``."""
    FEASIBLE = "feasible"
    """The selection meets every rule; it may not be optimal (a time limit was hit)."""
    INFEASIBLE = "infeasible"
    """No selection meets every rule; ``explanation`` says which rule cannot be met."""
    UNKNOWN = "unknown"
    """The backend stopped before finding any feasible selection or proving there is none."""

    @property
    def has_solution(self) -> bool:
        """Whether ``selected`` holds a selection that meets every rule."""
        return self in (Status.OPTIMAL, Status.FEASIBLE)


def objective_value(problem: AssignmentProblem, selected: npt.NDArray[np.bool_]) -> float:
    """Total selected score minus the penalties for unfilled demand, in the caller's units."""
    gained = problem.score[selected].sum()
    counts = np.bincount(problem.mentee[selected], minlength=problem.n_mentees)
    missing = np.maximum(problem.demand - counts, 0)
    charged = (problem.unmatched_penalty * missing).sum() if problem.n_mentees else 0
    return float(gained - charged)


@dataclass(frozen=True, eq=False)
class Assignment:
    """The answer to an :class:`AssignmentProblem`.

    Attributes
    ----------
    problem:
        The problem this answers.
    selected:
        Read-only boolean mask over the problem's edges.
    objective:
        Total selected score minus penalties, in the caller's units; NaN without a solution.
    bound:
        A proven upper bound on the optimum; equal to ``objective`` when optimal, ``-inf``
        when infeasible, ``+inf`` when nothing is known.
    status:
        One library-wide :class:`Status`.
    method:
        The backend that produced it (``"flow"``, ``"cpsat"``, ...).
    wall_time:
        Seconds spent in :func:`solve_assignment`, validation of options included.
    raw_status:
        The backend's own status name, e.g. ``"OPTIMAL"`` or ``"FEASIBLE"``.
    explanation:
        For an infeasible problem, which rule cannot be met; otherwise ``None``.
    score_scale:
        The factor that turned scores into the solver's integers (1 for whole scores).
    stats:
        Backend figures (arcs, variables, conflicts, ...); informative, not a fixed schema.
    """

    problem: AssignmentProblem
    selected: npt.NDArray[np.bool_]
    objective: float
    bound: float
    status: Status
    method: str
    wall_time: float
    raw_status: str
    explanation: str | None = None
    score_scale: float = 1.0
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        sel = np.asarray(self.selected, dtype=np.bool_)
        if sel.shape != (self.problem.n_edges,):
            raise ValueError(f"selected has shape {sel.shape}, expected ({self.problem.n_edges},)")
        if sel is self.selected:
            sel = sel.view()
        sel.flags.writeable = False
        object.__setattr__(self, "selected", sel)

    def __repr__(self) -> str:
        return (
            f"Assignment(status={self.status.value}, objective={self.objective:.6g}, "
            f"bound={self.bound:.6g}, method={self.method!r}, "
            f"selected={int(self.selected.sum())}/{self.selected.size}, "
            f"wall_time={self.wall_time:.3f}s)"
        )

    @property
    def gap(self) -> float:
        """Relative gap ``(bound - objective) / max(1, |objective|)``; 0 when optimal."""
        if not self.status.has_solution:
            return math.inf
        return (self.bound - self.objective) / max(1.0, abs(self.objective))

    def mentor_of(self) -> npt.NDArray[np.int64]:
        """The mentor chosen for each mentee, -1 where none: for problems with demand 1.

        Raises
        ------
        ValueError
            If a mentee has more than one chosen mentor.
        """
        p = self.problem
        out = np.full(p.n_mentees, -1, dtype=np.int64)
        mentees = p.mentee[self.selected]
        if mentees.size and np.bincount(mentees, minlength=p.n_mentees).max() > 1:
            raise ValueError("some mentees have several mentors; use mentors_of() instead")
        out[mentees] = p.mentor[self.selected]
        return out

    def mentors_of(self) -> list[list[int]]:
        """The chosen mentors of every mentee, for any demand."""
        p = self.problem
        out: list[list[int]] = [[] for _ in range(p.n_mentees)]
        chosen_mentees = p.mentee[self.selected].tolist()
        chosen_mentors = p.mentor[self.selected].tolist()
        for i, j in zip(chosen_mentees, chosen_mentors, strict=True):
            out[i].append(j)
        return out

    def loads(self) -> npt.NDArray[np.int64]:
        """Units taken by each mentor (chosen edges' weights)."""
        p = self.problem
        w = p.weight[self.selected]
        return np.bincount(p.mentor[self.selected], weights=w, minlength=p.n_mentors).astype(
            np.int64
        )

    def counts(self) -> npt.NDArray[np.int64]:
        """Mentors chosen for each mentee."""
        p = self.problem
        return np.bincount(p.mentee[self.selected], minlength=p.n_mentees).astype(np.int64)
