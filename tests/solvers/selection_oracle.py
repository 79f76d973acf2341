"""An independent oracle for the selection problem: one MILP solved by HiGHS (scipy's milp).

Written from the problem statement in :mod:`matchkit.solvers.selection`, sharing no code with
it: a binary ``x`` per edge and ``y`` per candidate, each mentee between ``required`` and
``demand`` edges, each mentor at most ``capacity`` (times ``y`` for a candidate), ``x <= y``,
``hire`` candidates (or at most), quotas per group; maximise profit plus bonuses.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from matchkit import AssignmentProblem


def best_selection(
    p: AssignmentProblem,
    hire: int,
    optional: npt.NDArray[np.bool_],
    bonus: npt.NDArray[np.float64] | None = None,
    *,
    at_most: bool = False,
    groups: npt.NDArray[np.int64] | None = None,
    quotas: Mapping[int, tuple[int | None, int | None]] | None = None,
) -> float | None:
    """The optimum objective (assignment plus bonuses), or None when no choice is feasible."""
    n_e = p.n_edges
    cand = np.flatnonzero(optional)
    ypos = {int(j): n_e + k for k, j in enumerate(cand)}
    b = np.zeros(p.n_mentors) if bonus is None else np.asarray(bonus, dtype=float)
    w = np.asarray(p.score, float) + np.asarray(p.unmatched_penalty, float)[p.mentee]
    cost = -np.concatenate([w, b[cand]])
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []

    def row(members: list[int], coeffs: list[float], low: float, high: float) -> None:
        r = len(lo)
        rows.extend([r] * len(members))
        cols.extend(members)
        vals.extend(coeffs)
        lo.append(low)
        hi.append(high)

    for i in range(p.n_mentees):
        es = np.flatnonzero(p.mentee == i).tolist()
        row(es, [1.0] * len(es), float(p.required[i]), float(p.demand[i]))
    for j in range(p.n_mentors):
        es = np.flatnonzero(p.mentor == j).tolist()
        if j in ypos:
            row([*es, ypos[j]], [1.0] * len(es) + [-float(p.capacity[j])], -np.inf, 0.0)
            for e in es:
                row([e, ypos[j]], [1.0, -1.0], -np.inf, 0.0)
        else:
            row(es, [1.0] * len(es), -np.inf, float(p.capacity[j]))
    ys = [ypos[int(j)] for j in cand]
    row(ys, [1.0] * len(ys), 0.0 if at_most else float(hire), float(hire))
    for g, (least, most) in (quotas or {}).items():
        assert groups is not None
        mem = [ypos[int(j)] for j in cand if groups[j] == g]
        row(mem, [1.0] * len(mem), float(least or 0), float(hire if most is None else most))
    a = coo_matrix((vals, (rows, cols)), shape=(len(lo), n_e + cand.size))
    res = milp(
        cost,
        constraints=LinearConstraint(a, lo, hi),
        integrality=np.ones(n_e + cand.size),
        bounds=Bounds(0, 1),
    )
    if res.status != 0:
        return None
    constant = float((np.asarray(p.unmatched_penalty) * np.asarray(p.demand)).sum())
    return float(-res.fun - constant)
