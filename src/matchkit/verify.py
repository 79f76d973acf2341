"""Independent checks of answers, written without any solver code.

:func:`verify_assignment` recomputes every rule of an :class:`AssignmentProblem` from the
problem's own arrays with plain counting, so a bug in a backend or in the network it builds
cannot hide behind the same bug here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchkit.core.assignment import Assignment, Status
from matchkit.core.problem import AssignmentProblem

__all__ = ["Violation", "verify_assignment"]

_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: a stable ``code``, a sentence, and the offending indices."""

    code: str
    message: str
    indices: tuple[int, ...] = ()

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def _where(out: list[Violation], code: str, bad: npt.NDArray[np.bool_], describe: str) -> None:
    if bad.any():
        idx = np.flatnonzero(bad)
        shown = ", ".join(str(int(i)) for i in idx[:_SHOWN])
        more = f" and {idx.size - _SHOWN} more" if idx.size > _SHOWN else ""
        listed = tuple(int(i) for i in idx[:_SHOWN])
        out.append(Violation(code, f"{describe}: {shown}{more}", listed))


def verify_assignment(
    problem: AssignmentProblem, assignment: Assignment, *, rtol: float = 1e-9
) -> list[Violation]:
    """Every rule ``assignment`` breaks, recomputed from ``problem``; empty when it is sound.

    Checked: the selection's shape; each mentor's load in weight units against
    ``capacity`` and ``min_load``; each mentee's count against ``demand`` and ``required``;
    pinned edges chosen; no (mentee, mentor) pair chosen twice; ``objective`` equal to the
    recomputed value (relative tolerance ``rtol``); ``bound`` not below ``objective`` and
    equal to it when optimal; an explanation for infeasible answers.

    Examples
    --------
    >>> from matchkit import AssignmentProblem, solve_assignment
    >>> p = AssignmentProblem(2, 1, mentee=[0, 1], mentor=[0, 0], score=[3, 5])
    >>> verify_assignment(p, solve_assignment(p))
    []
    """
    out: list[Violation] = []
    sel = np.asarray(assignment.selected)
    if sel.shape != (problem.n_edges,) or sel.dtype != np.bool_:
        return [Violation("bad_selection", f"selected must be bool[{problem.n_edges}]")]
    status = assignment.status
    if not status.has_solution:
        if sel.any():
            out.append(Violation("selection_without_solution", f"status {status} selects edges"))
        if status is Status.INFEASIBLE and not assignment.explanation:
            out.append(Violation("no_explanation", "infeasible answer gives no explanation"))
        return out

    mentee = np.asarray(problem.mentee, dtype=np.int64)[sel]
    mentor = np.asarray(problem.mentor, dtype=np.int64)[sel]
    weight = np.asarray(problem.weight, dtype=np.int64)[sel]
    if mentee.size and (mentee.min() < 0 or mentee.max() >= problem.n_mentees):
        out.append(Violation("bad_edge", "a chosen edge names a mentee out of range"))
        return out
    if mentor.size and (mentor.min() < 0 or mentor.max() >= problem.n_mentors):
        out.append(Violation("bad_edge", "a chosen edge names a mentor out of range"))
        return out
    load = np.zeros(problem.n_mentors, dtype=np.int64)
    np.add.at(load, mentor, weight)
    count = np.zeros(problem.n_mentees, dtype=np.int64)
    np.add.at(count, mentee, 1)
    _where(out, "capacity", load > problem.capacity, "mentors over capacity")
    _where(out, "min_load", load < problem.min_load, "mentors under their minimum load")
    _where(out, "demand", count > problem.demand, "mentees with more mentors than demand")
    _where(out, "required", count < problem.required, "mentees with fewer mentors than required")
    _where(out, "pinned", np.asarray(problem.pinned) & ~sel, "pinned edges not chosen")
    pairs = set(zip(mentee.tolist(), mentor.tolist(), strict=True))
    if len(pairs) != mentee.size:
        out.append(Violation("repeated_pair", "a (mentee, mentor) pair is chosen twice"))

    gained = math.fsum(np.asarray(problem.score, dtype=np.float64)[sel].tolist())
    missing = np.maximum(np.asarray(problem.demand) - count, 0)
    pen = np.asarray(problem.unmatched_penalty, dtype=np.float64)
    charged = math.fsum((pen * missing).tolist())
    expected = gained - charged
    tol = rtol * max(1.0, abs(expected))
    if not abs(assignment.objective - expected) <= tol:
        out.append(
            Violation("objective", f"objective {assignment.objective!r} != recomputed {expected!r}")
        )
    if assignment.bound < assignment.objective - tol:
        out.append(Violation("bound", f"bound {assignment.bound!r} < objective"))
    if status is Status.OPTIMAL and not abs(assignment.bound - assignment.objective) <= tol:
        out.append(Violation("bound", "optimal answer whose bound differs from its objective"))
    return out
