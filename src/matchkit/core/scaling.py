"""Turning scores into the integers exact solvers need.

Min-cost flow and CP-SAT work with integers. matchkit multiplies every edge's profit
(its score plus its mentee's unmatched penalty) by one factor ``S`` and rounds:

* whole scores and penalties use ``S = 1`` and are solved exactly;
* otherwise ``S`` is the largest power of two for which
  ``max|profit| * S * max(n_nodes + 1, n_units + 1) <= 2**53``.
  Multiplying by a power of two is exact in floating point, so the only error is the
  rounding to the grid ``1/S``: each edge's profit moves by at most ``1/(2S)``, and the
  chosen selection is optimal to within ``n_units / S`` of the true float optimum
  (``n_units`` = the most edges any answer can choose).

Scores near the float range (``1e308``) or far below it (``1e-300``) scale the same way:
the exponent of ``S`` is computed from logarithms where the product above would overflow or
underflow, and ``S`` stays a normal float (at most ``2**1023``), so no such score is an error
of this step. (The domain level bounds its weights far below this: see
``matchkit.domain.policy.MAX_WEIGHT``.)

The bound ``2**53`` keeps every cost, every node potential a cost-scaling min-cost flow
builds (costs times ``n_nodes + 1``) and every objective sum exactly representable both
as int64 and as float64 (CP-SAT's linear relaxation works in doubles), so nothing can
overflow. The objective reported to callers is always recomputed from the original
scores in the caller's units, never read back from the solver.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchkit.core.problem import AssignmentProblem

__all__ = ["INT_LIMIT", "ScaledProfits", "scaled_profits"]

INT_LIMIT = 2**53


@dataclass(frozen=True, slots=True)
class ScaledProfits:
    """Integer edge profits ``round(S * (score + penalty[mentee]))`` and their scale ``S``."""

    profit: npt.NDArray[np.int64]
    scale: float
    exact: bool
    units: int

    @property
    def slack(self) -> float:
        """Most by which rounding can move any answer's objective, in caller units."""
        return 0.0 if self.exact else self.units / (2.0 * self.scale)


def scaled_profits(
    problem: AssignmentProblem, n_nodes: int, *, out: npt.NDArray[np.int64] | None = None
) -> ScaledProfits:
    """Scale the problem's edge profits onto one integer grid (see the module docstring).

    ``out``, if given, receives the profits (one edge-sized array fewer at large sizes).
    """
    score = problem.score
    pen = problem.unmatched_penalty
    has_penalty = problem.n_mentees > 0 and bool(pen.any())
    units = int(min(int(problem.demand.sum()), problem.n_edges))
    score_abs = max(float(score.max()), -float(score.min())) if score.size else 0.0
    max_abs = score_abs + float(pen.max()) if has_penalty else score_abs
    magnitude = max(n_nodes + 1, units + 1)
    exact = problem.integral
    if max_abs == 0.0 or (exact and max_abs * magnitude <= INT_LIMIT):
        scale = 1.0
    else:
        scale = 2.0 ** _exponent(score_abs, float(pen.max()) if has_penalty else 0.0, magnitude)
        exact = exact and scale == 1.0
    ints = np.empty(problem.n_edges, dtype=np.int64) if out is None else out
    if scale == 1.0 and score.dtype.kind in "iu" and (not has_penalty or pen.dtype.kind in "iu"):
        if has_penalty:
            np.take(pen, problem.mentee, out=ints, mode="clip")  # "raise" buffers `out`
            np.add(ints, score, out=ints)
        else:
            ints[...] = score
    else:
        # a new array: rounding in place touches nothing shared. Scaled before the sum
        # (exact: S is a power of two), so a score and penalty near 1e308 cannot overflow.
        scaled = score * scale
        if has_penalty:
            scaled += pen[problem.mentee] * scale
        np.rint(scaled, out=scaled)
        ints[...] = scaled
    return ScaledProfits(ints, scale, exact, units)


def _exponent(score_abs: float, pen_max: float, magnitude: int) -> int:
    """``floor(log2(INT_LIMIT / ((score_abs + pen_max) * magnitude)))``, at most 1023,
    without overflow."""
    max_abs = score_abs + pen_max
    ratio = INT_LIMIT / (max_abs * magnitude)
    if 0.0 < ratio < math.inf:
        return min(math.floor(math.log2(ratio)), 1023)
    if math.isinf(max_abs):  # the sum overflowed: log2(a + b) = log2(a/2 + b/2) + 1
        log_abs = math.log2(score_abs / 2 + pen_max / 2) + 1
    else:
        log_abs = math.log2(max_abs)
    return min(math.floor(math.log2(INT_LIMIT) - log_abs - math.log2(magnitude)), 1023)
