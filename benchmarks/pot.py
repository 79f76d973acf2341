"""The second peer: LEMON's network simplex as shipped in POT, ``ot.emd`` on a sparse matrix.

What a user who knows optimal transport writes: the matching as a transportation problem
over every edge. Mentees (rows) supply one unit each, mentors (columns) take up to their
capacity; an extra column "unmatched" (cost 0, room for every mentee) and an extra row (cost
0 to every column, supplying all the capacity) balance it, so a mentee may stay unmatched
and a mentor may keep room. Costs are ``-score`` (float64), the whole matrix goes to
``ot.emd`` as one ``scipy.sparse.coo_matrix``, and the plan comes back as one
(its pairs are counted; the objective is ``emd``'s own cost).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import ot
import scipy.sparse as sp

from benchmarks.instances import Instance

__all__ = ["PotResult", "solve_pot"]


@dataclass(frozen=True, slots=True)
class PotResult:
    objective: float
    matched: int
    build_time: float
    solve_time: float
    read_time: float


def solve_pot(inst: Instance) -> PotResult:
    """Solve ``inst`` with ``ot.emd`` over every edge; the objective from the plan."""
    t0 = time.perf_counter()
    n, m = inst.size.n_mentees, inst.size.n_mentors
    rows = np.concatenate([inst.mentee, np.arange(n), np.full(m + 1, n)])
    cols = np.concatenate([inst.mentor, np.full(n, m), np.arange(m + 1)])
    costs = np.concatenate([-inst.score.astype(np.float64), np.zeros(n + m + 1)])
    matrix = sp.coo_matrix((costs, (rows, cols)), shape=(n + 1, m + 1))
    a = np.r_[np.ones(n), float(inst.capacity.sum())]
    b = np.r_[inst.capacity.astype(np.float64), float(n)]
    del rows, cols, costs
    t1 = time.perf_counter()
    plan, log = ot.emd(a, b, matrix, numItermax=2**62, log=True, check_marginals=False)
    t2 = time.perf_counter()
    if log["result_code"] != 1:
        raise RuntimeError(f"ot.emd did not reach the optimum: {log['warning']}")
    objective = -float(log["cost"])  # the dummy row and column cost nothing
    plan = plan.tocoo()
    matched = int(((plan.row < n) & (plan.col < m) & (plan.data > 0.5)).sum())
    t3 = time.perf_counter()
    return PotResult(objective, matched, t1 - t0, t2 - t1, t3 - t2)
