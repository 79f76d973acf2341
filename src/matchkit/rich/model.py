"""The CP-SAT model of the rich rules: time-indexed units, cliques, linear rules, stages.

Used by :mod:`matchkit.rich.pipeline`, which explains the whole search.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model, cp_model_helper

from matchkit.rich.data import RichData
from matchkit.solvers.cpsat import add_linear, grouped_list

__all__ = ["RATE_SCALE", "Model", "StopAtGap"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

RATE_SCALE = 10_000
"""Max-min rates are compared in steps of 1/RATE_SCALE."""


class StopAtGap(cp_model.CpSolverSolutionCallback):
    """Stops the search at the first answer at or below ``target`` (the model minimises);
    ``each`` (if given) sees every answer's objective value first."""

    def __init__(self, target: float, each: Callable[[float], None] | None = None) -> None:
        super().__init__()
        self.target = target
        self.each = each

    def on_solution_callback(self) -> None:
        if self.each is not None:
            self.each(self.objective_value)
        if self.objective_value <= self.target:
            self.stop_search()


class Model:
    """The CP-SAT model over edges ``R`` of the compiled problem, written in bulk.

    Its Booleans are *units*: one per edge, or with sessions one per (edge, allowed start):
    the time-indexed formulation. A mentor's sessions never clash exactly when, at every
    start point, at most one of the mentor's units covering it is chosen (the cliques of an
    interval graph lie at its left endpoints), and once more over offline units lengthened
    by the travel buffer. Every other rule is a linear constraint over units, so CP-SAT's
    linear relaxation sees them all. The model minimises minus the score.
    """

    def __init__(self, d: RichData, R: I64) -> None:
        self.d, self.R = d, R
        self.m = cp_model.CpModel()
        p = d.problem
        e_mentee = p.mentee[R].astype(np.int64)
        e_mentor = p.mentor[R].astype(np.int64)
        if d.sessions:
            table = d.start_table(R)
            self.unit_edge = np.repeat(np.arange(R.size), np.diff(table.ptr))
            self.unit_start = table.starts
        else:
            self.unit_edge = np.arange(R.size)
            self.unit_start = np.full(R.size, -1, dtype=np.int64)
        n = self.n = int(self.unit_edge.size)
        self.mentee = e_mentee[self.unit_edge]
        self.mentor = e_mentor[self.unit_edge]
        self._vars(n, 0, 1)
        value = d.value()[R][self.unit_edge]
        self.obj_vars: list[int] = list(range(n))
        self.obj_coeffs: list[int] = np.negative(value).tolist()

        members, starts = grouped_list(self.mentee, p.n_mentees)
        for i in np.flatnonzero(np.diff(starts) > 1).tolist():
            self._amo(members[starts[i] : starts[i + 1]])
        pinned = np.flatnonzero(np.asarray(p.pinned)[R][self.unit_edge])
        if pinned.size:
            members_p, starts_p = grouped_list(self.unit_edge[pinned], R.size)
            for e in np.flatnonzero(np.diff(starts_p)).tolist():
                idx = pinned[members_p[starts_p[e] : starts_p[e + 1]]].tolist()
                add_linear(self.m.proto, idx, [1] * len(idx), 1, 1)
        self.by_mentor, self.mentor_starts = grouped_list(self.mentor, p.n_mentors)
        cap, low = p.capacity, p.min_load
        count = np.diff(self.mentor_starts)
        for j in np.flatnonzero((count > cap) | (low > 0)).tolist():
            idx = self._of_mentor(j)
            add_linear(self.m.proto, idx, [1] * len(idx), int(low[j]), int(cap[j]))
        self._balance()
        self._groups()
        if d.sessions:
            self._sessions()
        self.t: int | None = None
        self.score_stage(None)

    # --- helpers ---------------------------------------------------------------------------
    def _vars(self, n: int, lo: int, hi: int) -> int:
        """Add ``n`` integer variables in [lo, hi]; return the first's index."""
        first = len(self.m.proto.variables)
        var = cp_model_helper.IntegerVariableProto()
        var.domain.extend((lo, hi))
        self.m.proto.variables.extend([var] * n)
        return first

    def _amo(self, lits: list[int]) -> None:
        self.m.proto.constraints.add().at_most_one.literals.extend(lits)

    def _of_mentor(self, j: int) -> list[int]:
        return self.by_mentor[self.mentor_starts[j] : self.mentor_starts[j + 1]]

    def _set_objective(self, variables: list[int], coeffs: list[int]) -> None:
        obj = self.m.proto.objective
        obj.vars.clear()
        obj.coeffs.clear()
        obj.vars.extend(variables)
        obj.coeffs.extend(coeffs)

    # --- rules -----------------------------------------------------------------------------
    def _balance(self) -> None:
        b = self.d.balance_milli
        if b <= 0:
            return
        cap = self.d.problem.capacity
        for j in range(self.d.problem.n_mentors):
            idx = self._of_mentor(j)
            top = min(len(idx), int(cap[j]))
            if top < 2:
                continue
            # load - 1 <= sum(extra); the k-th extra costs b * k, so the cheapest fill first.
            z = self._vars(top - 1, 0, 1)
            extra = list(range(z, z + top - 1))
            add_linear(self.m.proto, idx + extra, [1] * len(idx) + [-1] * len(extra), -top, 1)
            self.obj_vars += extra
            self.obj_coeffs += [b * (k + 1) for k in range(top - 1)]

    def _groups(self) -> None:
        d, proto = self.d, self.m.proto
        self.filled: list[int] = []
        """With soft floors: per floor, a variable at most its count and its group's matched
        mentees (so their sum is the floor places filled, :meth:`RichData.filled`)."""
        for _, rows, need in d.groups.floors:
            idx = np.flatnonzero(np.isin(self.mentee, rows)).tolist()
            if d.soft_floors:
                s = self._vars(1, 0, need)
                self.filled.append(s)
                add_linear(proto, [*idx, s], [1] * len(idx) + [-1], 0, len(idx))
            else:
                add_linear(proto, idx, [1] * len(idx), need, max(need, len(idx)))
        for grouping, k in d.groups.caps:
            key = self.mentor * len(grouping.values) + grouping.code[self.mentee]
            members, starts = grouped_list(key, d.problem.n_mentors * len(grouping.values))
            for g in np.flatnonzero(np.diff(starts) > k).tolist():
                idx = members[starts[g] : starts[g + 1]]
                add_linear(proto, idx, [1] * len(idx), 0, k)
        for _, mask, lo, hi in d.groups.limits:
            inside = mask[self.mentee]
            for j in range(d.problem.n_mentors):
                idx = self._of_mentor(j)
                cat = [u for u in idx if inside[u]]
                if hi is not None and len(cat) > hi:
                    add_linear(proto, cat, [1] * len(cat), 0, hi)
                if lo > 0 and idx:
                    used = self._vars(1, 0, 1)  # 1 when the mentor takes anyone
                    big = len(idx)
                    add_linear(proto, [*idx, used], [1] * big + [-big], -big, 0)
                    add_linear(proto, [*cat, used], [1] * len(cat) + [-lo], 0, len(cat))

    def _sessions(self) -> None:
        d = self.d
        length = d.length[self.mentee]
        offline = d.offline[self.R[self.unit_edge]]
        seen: set[bytes] = set()
        for j in np.flatnonzero(d.problem.capacity >= 2).tolist():
            idx = np.asarray(self._of_mentor(j), dtype=np.int64)
            if idx.size < 2:
                continue
            groups = [(idx, length[idx])]
            if d.buffer:
                off = idx[offline[idx]]
                groups.append((off, length[off] + d.buffer))
            for units, size in groups:
                begin = self.unit_start[units]
                points = np.unique(begin)
                cover = (begin[None, :] <= points[:, None]) & (
                    points[:, None] < (begin + size)[None, :]
                )
                for row in cover[cover.sum(axis=1) >= 2]:
                    key = units[row].tobytes()
                    if key not in seen:
                        seen.add(key)
                        self._amo(units[row].tolist())

    # --- stages, hints, answers ------------------------------------------------------------
    def floors_stage(self) -> None:
        """Objective (soft floors): the most floor places filled in all."""
        self._set_objective(self.filled, [-1] * len(self.filled))

    def hold_floors(self, filled: int) -> None:
        """Keep at least ``filled`` floor places in every later stage (soft floors)."""
        add_linear(
            self.m.proto,
            self.filled,
            [1] * len(self.filled),
            filled,
            sum(need for _, _, need in self.d.groups.floors),
        )

    def maxmin_stage(self) -> None:
        """Objective: the lowest match rate over the max-min groups, in 1/RATE_SCALE steps."""
        self.t = self._vars(1, 0, RATE_SCALE)
        for _, rows in self.d.groups.maxmin:
            idx = np.flatnonzero(np.isin(self.mentee, rows)).tolist()
            coeffs = [RATE_SCALE] * len(idx) + [-int(rows.size)]
            add_linear(self.m.proto, [*idx, self.t], coeffs, 0, RATE_SCALE * len(idx))
        self._set_objective([self.t], [-1])

    def score_stage(self, t_floor: int | None) -> None:
        """Objective: the score, holding the max-min stage's rate if there was one."""
        if self.t is not None and t_floor is not None:
            dom = self.m.proto.variables[self.t].domain
            dom.clear()
            dom.extend((t_floor, RATE_SCALE))
        self._set_objective(self.obj_vars, self.obj_coeffs)

    def hint(self, sel: B, start: I64) -> None:
        """Hint the units of a selection (with its session starts); every other unit 0."""
        chosen = sel[self.R][self.unit_edge]
        if self.d.sessions:
            chosen &= start[self.R][self.unit_edge] == self.unit_start
        hint = self.m.proto.solution_hint
        hint.vars.clear()
        hint.values.clear()
        hint.vars.extend(range(self.n))
        hint.values.extend(chosen.astype(np.int64).tolist())
        if self.filled:
            matched = np.zeros(self.d.problem.n_mentees, dtype=np.bool_)
            matched[self.mentee[chosen]] = True
            hint.vars.extend(self.filled)
            hint.values.extend(
                min(int(matched[rows].sum()), need) for _, rows, need in self.d.groups.floors
            )

    def decode(self, solution: I64, n_edges: int) -> tuple[B, I64]:
        """The selection over every edge, and each chosen edge's session start."""
        chosen = np.flatnonzero(solution[: self.n] > 0)
        edges = self.R[self.unit_edge[chosen]]
        sel = np.zeros(n_edges, dtype=np.bool_)
        sel[edges] = True
        start = np.full(n_edges, -1, dtype=np.int64)
        if self.d.sessions:
            start[edges] = self.unit_start[chosen]
        return sel, start
