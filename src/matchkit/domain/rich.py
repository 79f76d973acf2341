"""Rules min-cost flow cannot express, solved with CP-SAT around a flow relaxation.

Sessions, floors, max-min fairness, the balance penalty, group caps and category limits only
ever restrict the linear problem (or, for balance, lower its score), so the flow optimum of
the compiled problem is an upper bound for every answer that keeps them. The pipeline:

1. **Relax.** Min-cost flow on every eligible pair (with ``min_load``): the bound, and the
   answer to start from. Infeasible here means infeasible, explained by the flow's cut.
2. **Check.** Cheap necessary conditions (pins against caps and sessions, floors against
   the mentees who have any eligible mentor, ...) explain contradictory rules before any
   search.
3. **Repair.** Each mentor's sessions are scheduled exactly (a small search per mentor);
   caps are enforced by dropping the least valuable pairs. If the flow answer needed no
   repair and keeps every rule, it is optimal: done, proven.
4. **Search.** CP-SAT over the pairs (every pair up to :data:`FULL_PAIRS`, else each mentee's
   best pairs plus the flow answer's, pins and last term's mentor), one optional interval per
   pair with sessions, hinted with the repaired answer; it stops once its answer is within
   ``gap`` of the flow bound, or at ``time_limit``. The repaired answer is kept if the search
   finds nothing better.

The result's bound is the flow bound (and CP-SAT's own, when it saw every pair): the reported
gap is to a true upper bound, never to the restricted model's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model, cp_model_helper

from matchkit.core.assignment import Status
from matchkit.core.problem import AssignmentProblem
from matchkit.core.solve import solve_assignment
from matchkit.domain.greedy import insert
from matchkit.domain.rich_checks import RichData, precheck, repair, rule_breaks
from matchkit.domain.rules import MILLI
from matchkit.domain.sessions import session_capacity
from matchkit.domain.slots import slot_search
from matchkit.solvers.cpsat import _add_linear, _groups

__all__ = ["FULL_PAIRS", "RichOutcome", "solve_rich"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

FULL_PAIRS = 150_000
"""CP-SAT sees every eligible pair up to this many; beyond it, each mentee's best
``FULL_PAIRS // n_mentees`` pairs (at least :data:`MIN_PER_MENTEE`) plus the flow answer's,
pinned pairs and last term's mentor."""
MIN_PER_MENTEE = 12
DEFAULT_TIME_LIMIT = 60.0
SLOT_ROUNDS = 12
"""Most rounds of slot search (:mod:`matchkit.domain.slots`) before CP-SAT: a round count,
not a time, so that the answer does not depend on the machine's speed."""
RATE_SCALE = 10_000
"""Max-min rates are compared in steps of 1/RATE_SCALE."""


@dataclass
class RichOutcome:
    selected: B
    start: I64
    """Session start slot per edge (-1 where not selected or without sessions)."""
    status: Status
    objective: float
    bound: float
    explanation: str | None
    stats: dict[str, float] = field(default_factory=dict)


def _restricted(problem: AssignmentProblem, keep: B) -> I64:
    """Edge indices CP-SAT sees: all, or each mentee's best plus the ``keep`` edges."""
    n = problem.n_edges
    if n <= FULL_PAIRS:
        return np.arange(n, dtype=np.int64)
    k = max(MIN_PER_MENTEE, FULL_PAIRS // max(1, problem.n_mentees))
    mentee = problem.mentee.astype(np.int64)
    order = np.lexsort((-np.asarray(problem.score), mentee))
    sm = mentee[order]
    first = np.r_[0, np.flatnonzero(sm[1:] != sm[:-1]) + 1]
    rank = np.arange(n) - np.repeat(first, np.diff(np.r_[first, n]))
    chosen = np.zeros(n, dtype=np.bool_)
    chosen[order[rank < k]] = True
    return np.flatnonzero(chosen | keep).astype(np.int64)


class _StopAtGap(cp_model.CpSolverSolutionCallback):
    """Stops the search at the first answer at or below ``target`` (the model minimises)."""

    def __init__(self, target: float) -> None:
        super().__init__()
        self.target = target

    def on_solution_callback(self) -> None:
        if self.objective_value <= self.target:
            self.stop_search()


class _Model:
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

        members, starts = _groups(self.mentee, p.n_mentees)
        for i in np.flatnonzero(np.diff(starts) > 1).tolist():
            self._amo(members[starts[i] : starts[i + 1]])
        pinned = np.flatnonzero(np.asarray(p.pinned)[R][self.unit_edge])
        if pinned.size:
            members_p, starts_p = _groups(self.unit_edge[pinned], R.size)
            for e in np.flatnonzero(np.diff(starts_p)).tolist():
                idx = pinned[members_p[starts_p[e] : starts_p[e + 1]]].tolist()
                _add_linear(self.m.proto, idx, [1] * len(idx), 1, 1)
        self.by_mentor, self.mentor_starts = _groups(self.mentor, p.n_mentors)
        cap, low = p.capacity, p.min_load
        count = np.diff(self.mentor_starts)
        for j in np.flatnonzero((count > cap) | (low > 0)).tolist():
            idx = self._of_mentor(j)
            _add_linear(self.m.proto, idx, [1] * len(idx), int(low[j]), int(cap[j]))
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
            _add_linear(self.m.proto, idx + extra, [1] * len(idx) + [-1] * len(extra), -top, 1)
            self.obj_vars += extra
            self.obj_coeffs += [b * (k + 1) for k in range(top - 1)]

    def _groups(self) -> None:
        d, proto = self.d, self.m.proto
        for _, rows, need in d.groups.floors:
            idx = np.flatnonzero(np.isin(self.mentee, rows)).tolist()
            _add_linear(proto, idx, [1] * len(idx), need, max(need, len(idx)))
        for grouping, k in d.groups.caps:
            key = self.mentor * len(grouping.values) + grouping.code[self.mentee]
            members, starts = _groups(key, d.problem.n_mentors * len(grouping.values))
            for g in np.flatnonzero(np.diff(starts) > k).tolist():
                idx = members[starts[g] : starts[g + 1]]
                _add_linear(proto, idx, [1] * len(idx), 0, k)
        for _, mask, lo, hi in d.groups.limits:
            inside = mask[self.mentee]
            for j in range(d.problem.n_mentors):
                idx = self._of_mentor(j)
                cat = [u for u in idx if inside[u]]
                if hi is not None and len(cat) > hi:
                    _add_linear(proto, cat, [1] * len(cat), 0, hi)
                if lo > 0 and idx:
                    used = self._vars(1, 0, 1)  # 1 when the mentor takes anyone
                    big = len(idx)
                    _add_linear(proto, [*idx, used], [1] * big + [-big], -big, 0)
                    _add_linear(proto, [*cat, used], [1] * len(cat) + [-lo], 0, len(cat))

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
    def maxmin_stage(self) -> None:
        """Objective: the lowest match rate over the max-min groups, in 1/RATE_SCALE steps."""
        self.t = self._vars(1, 0, RATE_SCALE)
        for _, rows in self.d.groups.maxmin:
            idx = np.flatnonzero(np.isin(self.mentee, rows)).tolist()
            coeffs = [RATE_SCALE] * len(idx) + [-int(rows.size)]
            _add_linear(self.m.proto, [*idx, self.t], coeffs, 0, RATE_SCALE * len(idx))
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


def _session_capacity(d: RichData) -> I64:
    p = d.problem
    return session_capacity(
        p.mentee.astype(np.int64),
        p.mentor.astype(np.int64),
        d.s_avail,
        d.t_avail,
        d.length,
        p.n_mentors,
    )


def _overloaded(d: RichData) -> str | None:
    """Mentors whose pins or minimum load exceed the sessions they could hold at all."""
    if not d.sessions:
        return None
    p = d.problem
    room = _session_capacity(d)
    pins = np.bincount(p.mentor[np.asarray(p.pinned)], minlength=p.n_mentors)
    need = np.maximum(pins, p.min_load)
    bad = np.flatnonzero(need > room)
    if bad.size == 0:
        return None
    parts = [
        f"mentor {d.t_ids[j]!r} must take {need[j]} mentees (pinned or min_load) but its "
        f"candidates' common windows hold at most {room[j]} non-overlapping sessions"
        for j in bad[:5].tolist()
    ]
    return "; ".join(parts) + (f" (and {bad.size - 5} more)" if bad.size > 5 else "")


def _tightened(d: RichData) -> RichData:
    """With sessions, each mentor's capacity capped by the sessions it could hold: still a
    relaxation (see :func:`session_capacity`), and a far tighter bound and start."""
    if not d.sessions:
        return d
    p = d.problem
    cap = np.minimum(p.capacity, _session_capacity(d))
    if np.array_equal(cap, p.capacity):
        return d
    tight = AssignmentProblem(
        p.n_mentees,
        p.n_mentors,
        p.mentee,
        p.mentor,
        p.score,
        cap,
        min_load=p.min_load,
        unmatched_penalty=p.unmatched_penalty,
        pinned=np.asarray(p.pinned) if np.asarray(p.pinned).any() else None,
    )
    return replace(d, problem=tight)


def _solver(seed: int, workers: int, limit: float) -> cp_model.CpSolver:
    """CP-SAT, deterministic: one worker, or several in interleaved (deterministic) search.

    ``limit`` bounds both CP-SAT's deterministic time (the same on every run) and the wall
    clock (so ``time_limit`` holds); which one ends a long search first depends on the
    machine, and only a search ended by itself or by deterministic time repeats exactly."""
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.interleave_search = workers > 1
    solver.parameters.max_deterministic_time = max(0.1, limit)
    solver.parameters.max_time_in_seconds = max(0.1, limit)
    return solver


def solve_rich(
    d: RichData,
    *,
    time_limit: float | None,
    seed: int,
    workers: int = 1,
    gap: float = 1e-4,
) -> RichOutcome:
    """Solve the compiled problem under the policy's rich rules (see the module docstring)."""
    t0 = time.perf_counter()
    p = d.problem
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    why = _overloaded(d)
    if why is not None:
        nan, none = float("nan"), np.full(p.n_edges, -1, dtype=np.int64)
        empty = np.zeros(p.n_edges, dtype=np.bool_)
        return RichOutcome(empty, none, Status.INFEASIBLE, nan, float("-inf"), why)
    d = _tightened(d)
    p = d.problem
    relax = solve_assignment(p, method="flow", seed=seed)
    none = np.full(p.n_edges, -1, dtype=np.int64)
    empty = np.zeros(p.n_edges, dtype=np.bool_)
    if not relax.status.has_solution:
        return RichOutcome(
            empty, none, relax.status, float("nan"), float("-inf"), relax.explanation
        )
    bound = relax.objective
    stats = {"relax_time": time.perf_counter() - t0, "flow_bound": bound / MILLI}
    why = precheck(d)
    if why is not None:
        return RichOutcome(empty, none, Status.INFEASIBLE, float("nan"), float("-inf"), why, stats)
    sel, start, changed = repair(d, np.asarray(relax.selected))
    stats["inserted_pairs"] = float(insert(d, sel, start))
    breaks = rule_breaks(d, sel, start)
    if d.sessions and all(b.startswith("floor ") for b in breaks):
        t_slots = time.perf_counter()
        units = d.start_table(np.arange(p.n_edges, dtype=np.int64))
        sel, start, better = slot_search(
            d, units, sel, start, rounds=SLOT_ROUNDS, deadline=t0 + limit / 2
        )
        del units
        stats["slot_rounds_improved"] = float(better)
        stats["slot_time"] = time.perf_counter() - t_slots
        breaks = rule_breaks(d, sel, start)
    ok = not breaks
    objective = d.objective(sel) if ok else float("-inf")
    stats["start_objective"] = objective / MILLI
    stats["repair_time"] = time.perf_counter() - t0 - stats["relax_time"]
    stats["repaired_pairs"] = float(changed)
    if ok and not d.groups.maxmin and objective >= bound - 1e-9:
        stats["cpsat_pairs"] = 0.0
        return RichOutcome(sel, start, Status.OPTIMAL, objective, objective, None, stats)

    R = _restricted(p, np.asarray(relax.selected) | np.asarray(p.pinned) | d.always)
    t1 = time.perf_counter()
    model = _Model(d, R)
    # Interleaved search aborts the process on some infeasible hinted models (OR-Tools
    # 9.15, observed here), so only a single worker gets the hint; the starting answer is
    # kept below whenever the search does not beat it.
    if workers == 1:
        model.hint(sel, start)
    stats["cpsat_pairs"] = float(R.size)
    stats["build_time"] = time.perf_counter() - t1
    left = max(0.1, limit - (time.perf_counter() - t0))
    t_floor = None
    if d.groups.maxmin:
        model.maxmin_stage()
        solver = _solver(seed, workers, left / 3)
        raw = solver.solve(model.m)
        if raw in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
            t_floor = int(solution[model.t])
            if workers == 1:
                model.hint(*model.decode(solution, p.n_edges))
        elif raw == cp_model.INFEASIBLE and R.size == p.n_edges:
            text = "no matching keeps every rule together (CP-SAT proved it; see the prechecks)"
            return RichOutcome(
                empty, none, Status.INFEASIBLE, float("nan"), float("-inf"), text, stats
            )
        left = max(0.1, limit - (time.perf_counter() - t0))
    model.score_stage(t_floor)
    constant = float(np.asarray(p.unmatched_penalty).sum())
    solver = _solver(seed, workers, left)
    # The model minimises -(score + value of matching) + balance; stop within ``gap``.
    raw = solver.solve(model.m, _StopAtGap(-(bound - gap * abs(bound) + constant)))
    stats["cpsat_time"] = time.perf_counter() - t1 - stats["build_time"]
    stats["cpsat_conflicts"] = float(solver.num_conflicts)
    full = R.size == p.n_edges
    if raw in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
        c_sel, c_start = model.decode(solution, p.n_edges)
        c_obj = d.objective(c_sel)
        if c_obj > objective or not ok:
            sel, start, objective, ok = c_sel, c_start, c_obj, True
        if full:
            bound = min(bound, -float(solver.best_objective_bound) - constant)
        if full and raw == cp_model.OPTIMAL and not d.groups.maxmin:
            bound = objective
    elif raw == cp_model.INFEASIBLE and full and not ok:
        text = "no matching keeps every rule together (CP-SAT proved it; see the prechecks)"
        return RichOutcome(empty, none, Status.INFEASIBLE, float("nan"), float("-inf"), text, stats)
    if not ok:
        stats["total_time"] = time.perf_counter() - t0
        return RichOutcome(
            empty,
            none,
            Status.UNKNOWN,
            float("nan"),
            bound,
            f"no answer keeping every rule was found within {limit:g} s",
            stats,
        )
    bound = max(bound, objective)
    status = Status.OPTIMAL if objective >= bound - 1e-9 else Status.FEASIBLE
    stats["gap"] = (bound - objective) / max(1.0, abs(bound))
    stats["total_time"] = time.perf_counter() - t0
    return RichOutcome(sel, start, status, objective, bound, None, stats)
