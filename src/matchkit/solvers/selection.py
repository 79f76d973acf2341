"""`select_mentors`: which candidate mentors to hire, with a proven bound on every choice.

The problem, in words: some mentors of an :class:`~matchkit.AssignmentProblem` are
*candidates* (``optional``); choose exactly ``hire`` of them (or at most ``hire``), within
per-group quotas, to maximise the best assignment the chosen mentors and the others allow
(every rule of the problem) plus a ``bonus`` per chosen candidate. With one place per mentor
and no other rule it is the maximum-weight ``hire``-median problem; in general it is
capacitated facility location with a cardinality constraint, NP-hard, so answers carry a bound.

**The bound** (valid at every step, whatever the prices): drop each mentee's row
("at most ``demand``, at least ``required`` mentors") into the objective with a price
``pi_i`` (free where the mentee is required, else ``pi_i >= 0``). What remains splits by
mentor: an open mentor ``j`` takes its ``capacity`` best edges of positive reduced profit
``w_e - pi_i``, worth ``v_j(pi)``; a candidate is worth ``v_j + bonus_j``, and the best
``hire`` candidates within the quotas are a greedy choice (the groups partition the
candidates, each group's values are taken best first: a separable concave allocation). So

    L(pi) = sum_i pi_i * (demand_i or required_i) + sum_{mentors there} v_j
            + best quota-respecting sum of (v_j + bonus_j) over ``hire`` candidates

is at least the optimum of every hire set. Minimum loads and pinned edges are left out of
it (leaving rules out only raises a maximum). With unit weights each mentor's subproblem is
integral, so the least ``L`` equals the linear relaxation with ``x_ij <= y_j`` (the strong
one). Subgradient steps (Polyak's rule toward the best answer known) lower it.

**The answers**: every hire set tried is solved exactly by the engine (min-cost flow, or
``cpsat`` for non-unit weights) on the problem with the unchosen candidates' capacity 0, so
an answer's objective is exact, not estimated. The sets tried: the Lagrangian's own choice
at its prices, then swaps (a hired candidate out, an unhired one in) ranked by their
values at the prices, kept when the re-solved objective is higher.

**Exact on small problems**: ``method="cpsat"`` (and ``"auto"`` where the model is small,
:data:`EXACT_MAX_EDGES`) solves one CP-SAT model, a Boolean per edge and per candidate, in
CP-SAT's interleaved search on two workers (unhinted: hinted, it stayed at the hint), and
returns its proven optimum (or its bound at the time limit), or the Lagrangian answer where
that is better. Between that size and :data:`POLISH_MAX_EDGES` reduced edges, ``"auto"``
polishes the swaps' answer with the same model on the reduced edges, hinted, one worker.

See ``docs/explanation/recruitment.md`` for the model, its guarantees and the figures.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from matchkit.core.assignment import Assignment, Status
from matchkit.core.options import check_method, validate_options
from matchkit.core.problem import AssignmentProblem, Feature
from matchkit.core.scaling import scaled_profits
from matchkit.errors import InputError, InputProblem, UnsupportedFeatureError
from matchkit.solvers.dispatch import solve_assignment
from matchkit.solvers.priced import _flow, _prices, rank_in_runs

__all__ = [
    "EXACT_MAX_EDGES",
    "POLISH_MAX_EDGES",
    "SELECTION_METHODS",
    "CurveRow",
    "Selection",
    "choose_within_quotas",
    "gain_estimates",
    "hiring_curve",
    "select_mentors",
]

SELECTION_METHODS = ("auto", "lagrange", "cpsat")
"""``lagrange``: Lagrangian bound and re-solved hire sets; ``cpsat``: one exact CP-SAT model;
``auto``: ``lagrange``, finished by ``cpsat`` when not proven and the model is small."""

EXACT_MAX_EDGES = 20_000
"""``method="auto"`` finishes with the exact CP-SAT model up to this many edges."""

STALE_STEPS = 6
"""The subgradient step halves after this many steps without a lower bound."""

MAX_STEPS = 3000
"""Subgradient steps at most, when no time limit stops them first."""

SOLVE_EVERY = 25
"""Every this many subgradient steps the prices' own choice of candidates is solved."""

MAX_AIM = 0.05
"""Polyak's step aims at most this far (relative) below the current ``L``."""

WEAK_FLOWS = 5
"""Flows of the weak relaxation tried first (on capacitated problems)."""

PRICE_STEPS = 10_000
"""Bellman-Ford steps allowed when pricing the weak relaxation's last flow."""

PRICE_SHARE = 0.5
"""The share of the time left that the subgradient may use (the swaps get the rest)."""

SWAP_TRIES = 4
"""Batches of swaps tried at one size before the size halves."""

KEEP_MENTEE = 10
"""Edges kept per mentee where swaps are scored (its most profitable)."""

KEEP_MENTOR = 4
"""Edges kept per place of a mentor where swaps are scored (cheapest at the prices)."""

PAIR_SIDE = 12
"""One-for-one swaps are tried among this many candidates on each side."""

SWAP_CELLS = 4_000_000
"""The interchange scores every (in, out) pair when there are at most this many."""

POLISH_MAX_EDGES = 40_000
"""After the swaps, a selection whose reduced edge set (:class:`_Reduced`) has at most this
many edges is finished by CP-SAT on that set, hinted with the best answer, in the time
left (one worker: the hint is followed; the answer is then solved on every edge). A 630 x
1,200 programme cohort (111,021 edges, 17,061 reduced), hire 170: 15,383,627 after the
swaps (5 s), 15,400,199 polished (12 s more), the value HiGHS proves optimal on the whole
model. At Seoul size (94,000 reduced edges) CP-SAT did not improve on the hint in 30 s.
Without a time limit the polish gets :data:`POLISH_SECONDS` of CP-SAT's deterministic time."""

POLISH_SECONDS = 30.0
"""The polish's deterministic time without a time limit (with one: the time left)."""

MARGINAL_SHARE = 0.1
"""With a time limit and ``marginal=True``, the share of it left for the exact marginal
values."""

WORK_SECONDS = {
    "prices": 7.5e-9,  # per edge, one L(pi): reduced profits, sums, choice
    "extract": 1.0e-8,  # per edge of a mentor with fewer places than edges, per place
    "solve": 4.0e-7,  # per edge, one exact solve of a hire set
    "flow": 5.5e-7,  # per edge, one flow of the weak relaxation
    "reduced": 9.5e-7,  # per reduced edge, one flow where swaps are scored
    "sweep": 4.0e-8,  # per edge, one interchange step
}
"""The work clock: seconds each step is charged, by its size (:data:`WORK_SECONDS`) and per
call (:data:`WORK_FIXED`), measured on the reference machine (2 cores, docs/benchmarks.md).
The search stops when the charged seconds reach the time limit, so on that machine the same
input and seed give the same answer run after run; the wall clock stops it too, at the limit,
so that a slower or busier machine never runs over (it may then stop at another point)."""

WORK_FIXED = {
    "prices": 2e-4,
    "extract": 0.0,
    "solve": 1.5e-3,
    "flow": 1e-3,
    "reduced": 5e-4,
    "sweep": 2e-4,
}
"""Seconds charged per step besides its size (calls, validation)."""

WORK_MARGIN = 1.2
"""Every charge is this much above the measured cost, so that on the reference machine the
work clock, not the wall clock, ends the search."""


MIN_THETA = 1e-3
"""The subgradient stops when its step factor falls below this (it has converged)."""

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Selection:
    """Which candidates to hire, the assignment they allow, and how good it is proven to be.

    Attributes
    ----------
    hired:
        One bool per mentor: True for each chosen candidate (False for mentors who are not
        candidates, who are always there).
    optional:
        One bool per mentor: which mentors were candidates.
    assignment:
        The best assignment with the chosen candidates, an :class:`~matchkit.Assignment` on
        the problem with every unchosen candidate's capacity (and minimum load) set to 0:
        its edges are the input problem's.
    objective:
        The assignment's objective plus the chosen candidates' bonuses, in the caller's units.
    bound:
        A proven upper bound on ``objective`` over every choice the rules allow.
    status:
        ``optimal`` when ``objective`` reaches ``bound`` (within the score grid),
        ``feasible`` otherwise, ``infeasible`` when no choice meets the rules.
    method:
        ``"lagrange"`` or ``"cpsat"``: what produced the answer.
    value:
        One float per mentor: for each chosen candidate its marginal value, the objective lost
        if it alone were not hired: re-solved exactly where ``value_exact``, else an upper
        bound (its mentees moved to their best mentor with a free place, or left unmatched:
        an answer without it that loses this much); NaN elsewhere.
    wall_time:
        Seconds spent in :func:`select_mentors`.
    value_exact:
        One bool per mentor: which ``value`` entries were re-solved exactly (all of them
        without a time limit; with one, the least valuable hires first, in the last
        :data:`MARGINAL_SHARE` of it).
    explanation:
        Why no choice meets the rules, when infeasible; otherwise None.
    stats:
        Figures of the search (steps, hire sets solved, when each was found); informative.
    """

    hired: Bool
    optional: Bool
    assignment: Assignment
    objective: float
    bound: float
    status: Status
    method: str
    value: F64
    wall_time: float
    value_exact: Bool | None = None
    explanation: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Relative gap ``(bound - objective) / max(1, |objective|)``; 0 when optimal."""
        if not self.status.has_solution:
            return math.inf
        return max(0.0, self.bound - self.objective) / max(1.0, abs(self.objective))

    @property
    def open(self) -> Bool:
        """Every mentor in the answer: the ones always there and the ones hired."""
        return self.hired | ~self.optional

    def __repr__(self) -> str:
        return (
            f"Selection(status={self.status.value}, hired={int(self.hired.sum())}, "
            f"objective={self.objective:.6g}, bound={self.bound:.6g}, gap={self.gap:.3%}, "
            f"method={self.method!r}, wall_time={self.wall_time:.3f}s)"
        )


@dataclass(frozen=True)
class _Instance:
    """The validated selection problem, in the engine's integer profits."""

    problem: AssignmentProblem
    profit: I64
    scale: float
    slack: float
    bonus: I64
    bonus_caller: F64
    optional: Bool
    forced: Bool
    group: I64
    lo: I64
    hi: I64
    hire: int
    at_most: bool
    constant: float

    def choose(self, worth: F64, *, at_most: bool | None = None) -> Bool:
        """The candidates of most ``worth`` within the rules (:func:`choose_within_quotas`)."""
        return choose_within_quotas(
            worth,
            self.optional,
            self.forced,
            self.group,
            self.lo,
            self.hi,
            self.hire,
            at_most=self.at_most if at_most is None else at_most,
        )


def _fail(field_name: str, code: str, message: str) -> InputError:
    return InputError("select_mentors", [InputProblem(code, field_name, message)])


def _mask(value: npt.ArrayLike | None, n: int) -> Bool:
    if value is None:
        return np.ones(n, dtype=np.bool_)
    arr = np.asarray(value)
    if arr.dtype != np.bool_ or arr.shape != (n,):
        raise _fail(
            "optional",
            "bad_shape",
            f"must be a boolean mask of length {n} (one per mentor), got dtype {arr.dtype} "
            f"and shape {arr.shape}",
        )
    return arr


def _instance(
    problem: AssignmentProblem,
    hire: int,
    at_most: bool,
    optional: npt.ArrayLike | None,
    bonus: npt.ArrayLike | None,
    groups: npt.ArrayLike | None,
    quotas: Mapping[int, tuple[int | None, int | None]] | None,
) -> _Instance:
    m = problem.n_mentors
    opt = _mask(optional, m)
    n_cand = int(opt.sum())
    if isinstance(hire, bool) or not isinstance(hire, int | np.integer) or hire < 0:
        raise _fail("hire", "bad_hire", f"must be a whole number at least 0, got {hire!r}")
    hire = int(hire)
    if hire > n_cand:
        raise _fail(
            "hire", "too_many", f"asks for {hire} hires but there are only {n_cand} candidates"
        )
    if bonus is None:
        bonus_c = np.zeros(m)
    else:
        bonus_c = np.asarray(bonus, dtype=np.float64)
        if bonus_c.ndim == 0:
            bonus_c = np.full(m, float(bonus_c))
        if bonus_c.shape != (m,) or not np.isfinite(bonus_c).all():
            raise _fail("bonus", "bad_bonus", f"must be {m} finite numbers (one per mentor)")
    bonus_c = np.where(opt, bonus_c, 0.0)
    # Groups: -1 (or no groups) means "in no quota"; each such candidate is its own group.
    if groups is None:
        g = np.full(m, -1, dtype=np.int64)
    else:
        g = np.asarray(groups)
        if g.shape != (m,) or g.dtype.kind not in "iu":
            raise _fail("groups", "bad_groups", f"must be {m} whole numbers (one per mentor)")
        g = g.astype(np.int64)
    n_named = int(g.max()) + 1 if g.size and g.max() >= 0 else 0
    lo = np.zeros(n_named, dtype=np.int64)
    hi = np.full(n_named, hire, dtype=np.int64)
    in_group = np.bincount(g[opt & (g >= 0)], minlength=n_named)
    problems: list[InputProblem] = []
    for key, (least, most) in (quotas or {}).items():
        k = int(key)
        if not 0 <= k < n_named or in_group[k] == 0:
            problems.append(
                InputProblem(
                    "unknown_group", f"quotas[{key!r}]", "names a group no candidate is in"
                )
            )
            continue
        lo[k] = 0 if least is None else int(least)
        hi[k] = max(hire, int(lo[k])) if most is None else int(most)
        if lo[k] < 0 or hi[k] < lo[k]:
            problems.append(
                InputProblem(
                    "bad_quota",
                    f"quotas[{key!r}]",
                    f"needs 0 <= at least <= at most, got {lo[k]}, {hi[k]}",
                )
            )
        elif lo[k] > in_group[k]:
            problems.append(
                InputProblem(
                    "quota_too_high",
                    f"quotas[{key!r}]",
                    f"asks for at least {lo[k]} but the group has {in_group[k]} candidates",
                )
            )
    if problems:
        raise InputError("select_mentors", problems)
    free = opt & (g < 0)
    room = int(np.minimum(hi, in_group).sum()) + int(free.sum())
    if room < hire:
        raise _fail(
            "quotas",
            "quota_sum_below_hire",
            f"let at most {room} candidates be hired, fewer than hire={hire}",
        )
    if int(lo.sum()) > hire:
        raise _fail(
            "quotas",
            "quota_sum_above_hire",
            f"ask for at least {int(lo.sum())}, more than hire={hire}",
        )
    # Each ungrouped candidate becomes a group of its own with no quota.
    gid = g.copy()
    extra = np.flatnonzero(free)
    gid[extra] = n_named + np.arange(extra.size)
    gid[~opt] = -1
    lo = np.concatenate([lo, np.zeros(extra.size, dtype=np.int64)])
    hi = np.concatenate([hi, np.ones(extra.size, dtype=np.int64)])
    forced = np.zeros(m, dtype=np.bool_)
    if problem.pinned.any():
        forced[problem.mentor[problem.pinned]] = True
    forced &= opt
    if int(forced.sum()) > hire:
        raise _fail(
            "hire",
            "too_few_for_pinned",
            f"pinned edges need {int(forced.sum())} candidates hired, more than hire={hire}",
        )
    n_nodes = problem.n_mentees + m + 2
    profits = scaled_profits(problem, n_nodes)
    bonus_i = np.rint(bonus_c * profits.scale).astype(np.int64)
    bonus_slack = 0.0 if np.array_equal(bonus_i, bonus_c * profits.scale) else hire * 0.5
    constant = float((problem.unmatched_penalty * problem.demand).sum())
    return _Instance(
        problem=problem,
        profit=profits.profit,
        scale=profits.scale,
        slack=profits.slack + bonus_slack / profits.scale,
        bonus=bonus_i,
        bonus_caller=bonus_c,
        optional=opt,
        forced=forced,
        group=gid,
        lo=lo,
        hi=hi,
        hire=hire,
        at_most=at_most,
        constant=constant,
    )


def choose_within_quotas(
    value: F64,
    candidate: Bool,
    forced: Bool,
    group: I64,
    lo: I64,
    hi: I64,
    hire: int,
    *,
    at_most: bool = False,
) -> Bool:
    """The candidates of most total ``value``: ``hire`` of them (or at most ``hire``, then
    only positive extra values), the ``forced`` ones included, each group ``g`` holding
    between ``lo[g]`` and ``hi[g]``. Exact: the groups partition the candidates, so taking
    each group's best first, the quota minima, then the best of the rest where their group
    has room, is optimal. Ties go to the lower index."""
    chosen = forced & candidate
    n_groups = lo.size
    taken = np.bincount(group[chosen], minlength=n_groups)
    rest = np.flatnonzero(candidate & ~chosen)
    order = rest[np.lexsort((rest, -value[rest]))]
    g = group[order]
    # rank of each candidate within its group, in value order
    by_group = np.argsort(g, kind="stable")
    gs = g[by_group]
    starts = np.searchsorted(gs, np.arange(n_groups))
    rank = np.empty(order.size, dtype=np.int64)
    rank[by_group] = np.arange(order.size) - starts[gs]
    need = np.maximum(lo - taken, 0)
    first = rank < need[g]
    chosen[order[first]] = True
    taken = taken + np.minimum(need, np.bincount(g, minlength=n_groups))
    left = hire - int(chosen.sum())
    if left > 0:
        room = hi - taken
        later = ~first & (rank - need[g] < room[g])
        if at_most:
            later &= value[order] > 0
        chosen[order[np.flatnonzero(later)[:left]]] = True
    return chosen


class _Prices:
    """The Lagrangian of the module docstring: ``L(pi)`` and its subgradient, in numpy."""

    def __init__(self, inst: _Instance) -> None:
        p = inst.problem
        order = np.argsort(p.mentor, kind="stable")
        self.inst = inst
        self.order = order
        self.mentor = np.asarray(p.mentor, dtype=np.int64)[order]
        self.mentee = np.asarray(p.mentee, dtype=np.int64)[order]
        self.w = inst.profit[order].astype(np.float64)
        m = p.n_mentors
        self.starts = np.searchsorted(self.mentor, np.arange(m + 1))
        cap = np.asarray(p.capacity, dtype=np.int64)
        self.cap = cap
        deg = np.diff(self.starts)
        self.tight = cap < deg
        self.edge_tight = self.tight[self.mentor]
        self.demand = np.asarray(p.demand, dtype=np.float64)
        self.required = np.asarray(p.required, dtype=np.float64)
        self.free = self.required > 0
        self.there = ~inst.optional
        t = np.flatnonzero(self.tight)
        self.t_mentors = t
        self.t_edges = np.flatnonzero(self.edge_tight)
        self.t_seg = np.searchsorted(t, self.mentor[self.t_edges])
        self.t_starts = np.searchsorted(self.t_seg, np.arange(t.size))
        self.t_cap = cap[t]
        self.max_cap = int(self.t_cap.max()) if t.size else 0
        # one evaluation's size on the work clock, in units of "prices"
        ratio = WORK_SECONDS["extract"] / WORK_SECONDS["prices"]
        self.work = self.w.size + ratio * self.t_edges.size * min(self.max_cap, 8)

    def top(self, r: F64) -> Bool:
        """Each mentor's ``capacity`` best edges of positive reduced profit ``r``."""
        take = r > 0
        if self.t_mentors.size == 0:
            return take
        te = self.t_edges
        rt = np.where(take[te], r[te], -np.inf)
        got = np.zeros(te.size, dtype=np.bool_)
        if self.max_cap <= 8:
            seg = self.t_seg
            for k in range(self.max_cap):
                best = np.maximum.reduceat(rt, self.t_starts)
                live = (best > 0) & (k < self.t_cap)
                hit = np.flatnonzero((rt == best[seg]) & live[seg])
                _, first = np.unique(seg[hit], return_index=True)
                pick = hit[first]
                got[pick] = True
                rt[pick] = -np.inf
        else:
            o = np.lexsort((-rt, self.t_seg))
            rank = np.arange(te.size) - self.t_starts[self.t_seg[o]]
            ok = (rank < self.t_cap[self.t_seg[o]]) & (rt[o] > 0)
            got[o[ok]] = True
        take[te] = got
        return take

    def evaluate(self, pi: F64) -> tuple[float, F64, Bool, F64]:
        """``L(pi)`` (scaled units, before the penalty constant), each mentor's ``v_j``, the
        candidates it chooses, and the subgradient."""
        inst = self.inst
        r = self.w - pi[self.mentee]
        take = self.top(r)
        v = np.bincount(self.mentor[take], weights=r[take], minlength=self.cap.size).astype(
            np.float64
        )
        worth: F64 = v + inst.bonus
        chosen = inst.choose(worth)
        open_ = chosen | self.there
        row = np.where(pi >= 0, self.demand, self.required)
        total = float((row * pi).sum() + v[self.there].sum() + worth[chosen].sum())
        used = take & open_[self.mentor]
        count = np.bincount(self.mentee[used], minlength=pi.size).astype(np.float64)
        grad = row - count
        return total, v, chosen, grad


def _open_problem(problem: AssignmentProblem, open_: Bool) -> AssignmentProblem:
    return problem.replace(
        capacity=np.where(open_, problem.capacity, 0),
        min_load=np.where(open_, problem.min_load, 0),
    )


class _Search:
    """Hire sets solved exactly, the best kept; the time limit checked between solves."""

    def __init__(self, inst: _Instance, method: str, deadline: float, seed: int) -> None:
        self.inst = inst
        self.method = method
        self.deadline = deadline
        self.budget = deadline - time.perf_counter()  # work seconds allowed (inf: none)
        self.spent = 0.0
        self.seed = seed
        self.best: Assignment | None = None
        self.best_hired: Bool | None = None
        self.best_value = -math.inf
        self.solved = 0
        self.seen: dict[bytes, float] = {}
        self.found_at: list[tuple[float, float]] = []
        self.t0 = time.perf_counter()
        self.improver = _Interchange(inst) if uncapacitated(inst) else None
        self.moves = 0

    def answer(self) -> Assignment | None:
        """The best set's assignment, solved on every edge (once)."""
        if self.best is None and self.best_hired is not None:
            open_ = self.best_hired | ~self.inst.optional
            a = solve_assignment(_open_problem(self.inst.problem, open_), method=self.method)
            if a.status.has_solution:
                self.best = a
                self.best_value = a.objective + float(self.inst.bonus_caller[self.best_hired].sum())
        return self.best

    def left(self) -> float:
        """Seconds left: by the work clock (:data:`WORK_SECONDS`), and never past the wall
        clock's deadline."""
        return min(self.budget - self.spent, self.deadline - time.perf_counter())

    def charge(self, kind: str, size: float) -> None:
        """Count ``size`` units of work of one kind on the work clock."""
        self.spent += WORK_MARGIN * (WORK_SECONDS[kind] * size + WORK_FIXED[kind])

    def extend(self, deadline: float) -> None:
        """Allow work until ``deadline`` (the marginal values' share of a time limit)."""
        self.budget += max(deadline - self.deadline, 0.0)
        self.deadline = max(self.deadline, deadline)

    def solve(self, hired: Bool, *, keep: bool = True) -> float:
        """The objective with these hires (bonuses included), -inf if infeasible; the best
        kept unless ``keep`` is False. In the uncapacitated case (``improver``) the set is
        first improved by swaps and valued exactly without a solve; :meth:`answer` solves
        the best one."""
        if self.improver is not None:
            if keep:
                hired, moves = self.improver.improve(hired, self)
                self.moves += moves
            key = np.packbits(hired).tobytes()
            if key not in self.seen:
                self.seen[key] = self.improver.value(hired)
                self.solved += 1
            value = self.seen[key]
            if keep and value > self.best_value:
                self.best, self.best_hired, self.best_value = None, hired.copy(), value
                self.found_at.append((time.perf_counter() - self.t0, value))
            return value
        key = np.packbits(hired).tobytes()
        if key in self.seen:
            return self.seen[key]
        inst = self.inst
        open_ = hired | ~inst.optional
        start = None if self.best is None else self.best.selected
        a = solve_assignment(
            _open_problem(inst.problem, open_),
            method=self.method,
            seed=self.seed,
            start=start,
            time_limit=(
                max(self.left(), 0.01)
                if self.method == "cpsat" and math.isfinite(self.deadline)
                else None
            ),
        )
        self.solved += 1
        self.charge("solve", inst.problem.n_edges)
        value = a.objective + float(inst.bonus_caller[hired].sum())
        if not a.status.has_solution:
            value = -math.inf
        self.seen[key] = value
        if keep and value > self.best_value:
            self.best, self.best_hired, self.best_value = a, hired.copy(), value
            self.found_at.append((time.perf_counter() - self.t0, value))
        return value


def _weak_start(inst: _Instance, search: _Search) -> tuple[float, F64 | None, int]:
    """The weak relaxation (``load_j <= capacity_j * y_j``, ``y`` fractional), solved as
    min-cost flows: a price ``lam`` per hire costs each place of candidate ``j``
    ``lam / capacity_j``, and ``flow(lam) + lam * hire`` bounds every choice. A few values of
    ``lam`` are tried (bisection on the fractional hires ``sum load_j / capacity_j``); each
    flow's busiest candidates are rounded to a hire set and solved. Returns the best bound
    (caller units), mentee prices from the last flow's dual (a start for the subgradient),
    and the flows run. Only for problems the plain flow represents (no required mentees,
    minimum loads or pins)."""
    p = inst.problem
    cap = np.asarray(p.capacity, dtype=np.int64)
    mentee = np.asarray(p.mentee, dtype=np.int64)
    mentor = np.asarray(p.mentor, dtype=np.int64)
    demand = np.asarray(p.demand, dtype=np.int64)
    cand = inst.optional
    per_place = np.where(cand, 1.0 / np.maximum(cap, 1), 0.0)
    # lam: between nothing and the most a hire could be worth (all its places at best)
    hi_lam = (
        float(
            np.max(
                cap
                * np.bincount(mentor, weights=inst.profit, minlength=cap.size)
                / np.maximum(np.bincount(mentor, minlength=cap.size), 1)
            )
        )
        + 1.0
    )
    lo_lam = 0.0
    best = math.inf
    last: tuple[I64, I64, I64] | None = None
    flows = 0
    for _ in range(WEAK_FLOWS):
        if search.left() <= 0:
            break
        lam = (lo_lam + hi_lam) / 2
        d = np.floor(np.maximum(lam - inst.bonus, 0) * per_place).astype(np.int64)
        prof = inst.profit - d[mentor]
        keep = np.flatnonzero(prof > 0)
        chosen = _flow(mentee[keep], mentor[keep], prof[keep], demand, cap)
        search.charge("flow", p.n_edges)
        flows += 1
        if chosen is None:
            break
        sel = keep[chosen]
        gain = float(np.maximum(inst.bonus - lam, 0)[cand].sum())
        value = float(prof[sel].sum()) + gain + lam * inst.hire
        best = min(best, value)
        load = np.bincount(mentor[sel], minlength=cap.size)
        frac = load * per_place
        pick = inst.choose(frac + load * 1e-9)
        search.solve(pick)
        last = (keep, chosen, prof)
        if float(frac[cand].sum()) > inst.hire:
            lo_lam = lam
        else:
            hi_lam = lam
    bound = _whole(best) / inst.scale - inst.constant + inst.slack
    if last is None:
        return bound, None, flows
    keep, chosen, prof = last
    z, _ = _prices(
        mentee[keep], mentor[keep], prof[keep], chosen, p.n_mentees, p.n_mentors, PRICE_STEPS
    )
    if z is None:
        return bound, None, flows
    pi = np.zeros(p.n_mentees)
    np.maximum.at(pi, mentee[keep], (prof[keep] - z[mentor[keep]]).astype(np.float64))
    return bound, pi, flows


def _whole(total: float) -> float:
    """A bound on a sum of the engine's integer profits and bonuses, rounded down to a whole
    number: every answer's total is whole, so no answer exceeds it (with a little room for
    the float sums' own error)."""
    if not math.isfinite(total):
        return total
    return float(math.floor(total + 1e-7 * max(1.0, abs(total))))


def _lagrange(
    inst: _Instance, search: _Search, bound_goal: float
) -> tuple[float, F64, dict[str, Any]]:
    """Subgradient steps on ``L``, each new choice of candidates solved; the best bound
    (caller units), the prices it was found at, and figures."""
    prices = _Prices(inst)
    p = inst.problem
    weak = math.inf
    pi: F64 | None = None
    flows = 0
    plain = not (p.features & {Feature.REQUIRED, Feature.MIN_LOAD, Feature.PINNED})
    if plain and prices.tight[inst.optional].any():
        weak, pi, flows = _weak_start(inst, search)
    if pi is None:
        # each mentee priced at its best edge, so no mentor looks worth more than it is
        pi = np.full(p.n_mentees, -np.inf)
        np.maximum.at(pi, prices.mentee, prices.w)
        pi = np.where(np.isfinite(pi), pi, 0.0)
        if not prices.free.any():
            pi = np.maximum(pi, 0.0)
    best_l = math.inf
    # how far Polyak's step may aim: relative to L, or to the profits where L is near 0
    reach = max(float(np.abs(prices.w).max(initial=0.0)) * p.n_mentees * 1e-3, 1.0)
    best_pi = pi.copy()
    theta = 1.0
    stale = 0
    steps = 0
    tried = 0
    to_caller = 1.0 / inst.scale
    # the prices get at most half the time left: the swaps need the rest (none in the
    # uncapacitated case, where every set tried is improved to a local optimum at once)
    share = 1.0 if search.improver is not None else PRICE_SHARE
    stop = search.spent + search.left() * share
    while steps < MAX_STEPS and search.spent < stop and search.left() > 0:
        total, _, chosen, grad = prices.evaluate(pi)
        search.charge("prices", prices.work)
        steps += 1
        if total < best_l - 1e-9 * max(1.0, abs(total)):
            best_l, best_pi, stale = total, pi.copy(), 0
        else:
            stale += 1
            if stale >= STALE_STEPS:
                theta /= 2
                stale = 0
                pi = best_pi.copy()  # step again from the best prices, shorter
                continue
        if steps == 1 or steps % SOLVE_EVERY == 0:
            tried += 1
            search.solve(chosen)
            if inst.at_most and not math.isfinite(search.best_value):
                # a budget whose profitable hires alone break a rule (a required mentee
                # without a mentor): try the whole budget, best first
                worth = prices.evaluate(pi)[1] + inst.bonus
                search.solve(inst.choose(worth, at_most=False))
        lower = search.best_value if math.isfinite(search.best_value) else None
        bound = min(_whole(best_l) * to_caller - inst.constant + inst.slack, weak)
        if lower is not None and bound - lower <= bound_goal * max(1.0, abs(lower)):
            break
        if theta < MIN_THETA:
            break
        norm = float(grad @ grad)
        if norm == 0:
            break
        # Polyak's target: the best answer, but never more than MAX_AIM below L (a poor
        # first answer would otherwise throw the prices far off).
        aim = total - MAX_AIM * max(abs(total), reach)
        target = max((lower + inst.constant) * inst.scale, aim) if lower is not None else aim
        pi = pi - theta * max(total - target, 1e-9 * abs(total)) / norm * grad
        pi = np.where(prices.free, pi, np.maximum(pi, 0))
    bound = min(_whole(best_l) * to_caller - inst.constant + inst.slack, weak)
    figures = {"steps": steps, "sets_from_prices": tried, "theta": theta, "weak_flows": flows}
    return bound, best_pi, figures


def _estimates(inst: _Instance, prices: _Prices, sel: Bool, hired: Bool) -> tuple[F64, F64]:
    """For each unhired candidate, what opening it would gain at the answer ``a`` (its
    places filled by the mentees who would gain most by moving, chains ignored); for each
    hired one, what closing it would lose (its mentees moved to their best mentor with a
    free place, or left unmatched). Both in scaled units, bonuses included."""
    p = inst.problem
    mentee = np.asarray(p.mentee, dtype=np.int64)
    mentor = np.asarray(p.mentor, dtype=np.int64)
    got = np.zeros(p.n_mentees)
    np.maximum.at(got, mentee[sel], inst.profit[sel].astype(np.float64))
    r = prices.w - got[prices.mentee]
    take = prices.top(r)
    gain = np.bincount(prices.mentor[take], weights=r[take], minlength=p.n_mentors).astype(
        np.float64
    )
    open_ = hired | ~inst.optional
    load = np.bincount(mentor[sel], minlength=p.n_mentors)
    free = open_ & (load < np.asarray(p.capacity))
    alt = np.zeros(p.n_mentees)
    e_free = np.flatnonzero(free[mentor])
    np.maximum.at(alt, mentee[e_free], inst.profit[e_free].astype(np.float64))
    lost = np.maximum(inst.profit[sel] - alt[mentee[sel]], 0)
    loss = np.bincount(mentor[sel], weights=lost, minlength=p.n_mentors).astype(np.float64)
    return gain + inst.bonus.astype(np.float64), loss + inst.bonus.astype(np.float64)


class _Reduced:
    """The selection on the edges that matter: each mentee's :data:`KEEP_MENTEE` most
    profitable edges, each mentor's :data:`KEEP_MENTOR` places' worth of the edges whose
    mentees lose least at the prices ``pi`` against their price, and the answers' edges.
    A hire set's value here is a lower bound on its true value (fewer edges), and close to it;
    swaps are scored here and only the best set is solved on every edge."""

    def __init__(self, inst: _Instance, pi: F64, extra: Bool) -> None:
        p = inst.problem
        mentee = np.asarray(p.mentee, dtype=np.int64)
        mentor = np.asarray(p.mentor, dtype=np.int64)
        w = inst.profit
        keep = extra.copy()
        o = np.lexsort((-w, mentee))
        keep[o[rank_in_runs(mentee[o]) < KEEP_MENTEE]] = True
        r = w - pi[mentee]
        o = np.lexsort((-r, mentor))
        cap = np.asarray(p.capacity, dtype=np.int64)
        keep[o[rank_in_runs(mentor[o]) < KEEP_MENTOR * np.maximum(cap[mentor[o]], 1)]] = True
        self.edges = np.flatnonzero(keep & (w > 0))
        self.mentee = mentee[self.edges]
        self.mentor = mentor[self.edges]
        self.profit = w[self.edges]
        self.cap = cap
        self.demand = np.asarray(p.demand, dtype=np.int64)
        self.inst = inst
        self.n_edges = p.n_edges
        self.seen: dict[bytes, float] = {}

    def value(self, hired: Bool) -> tuple[float, Bool | None]:
        """The objective (caller units, bonuses included) of ``hired`` on these edges, and
        the edges chosen (a mask over every edge; None if seen before or infeasible)."""
        key = np.packbits(hired).tobytes()
        if key in self.seen:
            return self.seen[key], None
        inst = self.inst
        cap = np.where(hired | ~inst.optional, self.cap, 0)
        chosen = _flow(self.mentee, self.mentor, self.profit, self.demand, cap)
        if chosen is None:
            self.seen[key] = -math.inf
            return -math.inf, None
        got = float(self.profit[chosen].sum())
        value = (got + float(inst.bonus[hired].sum())) / inst.scale - inst.constant
        self.seen[key] = value
        mask = np.zeros(self.n_edges, dtype=np.bool_)
        mask[self.edges[chosen]] = True
        return value, mask


def _swaps(
    inst: _Instance, search: _Search, pi: F64, goal: float, bound: float
) -> tuple[int, _Reduced | None]:
    """Local search from the best answer: swap hired candidates that would lose least for
    unhired ones that would gain most (:func:`_estimates`), scored on the reduced edges
    (:class:`_Reduced`); first in batches (halving when none improves), then one for one
    over the :data:`PAIR_SIDE` most promising on each side. The best set found is solved on
    every edge. Returns the swaps scored and the reduced edges."""
    if search.improver is not None:
        return 0, None  # every set was already improved to a local optimum by the interchange
    if search.best_hired is None or search.best is None:
        return 0, None
    prices = _Prices(inst)
    reduced = _Reduced(inst, pi, np.asarray(search.best.selected))
    search.charge("flow", 2 * inst.problem.n_edges)  # two sorts of every edge
    hired = search.best_hired.copy()
    current, sel = reduced.value(hired)
    search.charge("reduced", reduced.edges.size)
    if sel is None:
        return 0, None
    swaps = 0
    batch = max(1, inst.hire // 32)
    while search.left() > 0 and batch >= 1:
        if bound - current <= goal * max(1.0, abs(current)):
            break
        gain, loss = _estimates(inst, prices, sel, hired)
        search.charge("prices", prices.work)
        out = np.flatnonzero(hired & ~inst.forced)
        inn = np.flatnonzero(inst.optional & ~hired)
        if out.size == 0 or inn.size == 0:
            break
        out = out[np.lexsort((out, loss[out]))]
        inn = inn[np.lexsort((inn, -gain[inn]))]
        if batch > 1:
            trials = [
                (out[k : k + batch], inn[k : k + batch])
                for k in range(0, min(out.size, inn.size, SWAP_TRIES * batch), batch)
            ]
        else:
            o, i = out[:PAIR_SIDE], inn[:PAIR_SIDE]
            delta = gain[i][None, :] - loss[o][:, None]
            order = np.argsort(-delta, axis=None, kind="stable")
            trials = [
                (o[k // i.size : k // i.size + 1], i[k % i.size : k % i.size + 1]) for k in order
            ]
        improved = False
        for o, i in trials:
            if search.left() <= 0:
                break
            trial = hired.copy()
            trial[o] = False
            trial[i] = True
            if not _within_quotas(inst, trial):
                continue
            swaps += 1
            value, mask = reduced.value(trial)
            search.charge("reduced", reduced.edges.size)
            if value > current and mask is not None:
                hired, current, sel, improved = trial, value, mask, True
                break
        if not improved:
            batch //= 2
    search.solve(hired)
    return swaps, reduced


def _polish(inst: _Instance, search: _Search, reduced: _Reduced, seed: int) -> bool:
    """CP-SAT on the reduced edges (:data:`POLISH_MAX_EDGES`), hinted with the best answer,
    on one worker for the work left; its hires solved on every edge (kept if better).
    Whether it ran."""
    p = inst.problem
    if (
        search.best is None
        or search.best_hired is None
        or reduced.edges.size > POLISH_MAX_EDGES
        or p.features & {Feature.PINNED, Feature.MIN_LOAD}
        or search.left() <= 0
    ):
        return False
    e = reduced.edges
    sub = AssignmentProblem(
        p.n_mentees,
        p.n_mentors,
        np.asarray(p.mentee)[e],
        np.asarray(p.mentor)[e],
        np.asarray(p.score)[e],
        p.capacity,
        demand=p.demand,
        required=p.required,
        unmatched_penalty=p.unmatched_penalty,
    )
    small = replace(inst, problem=sub, profit=inst.profit[e])
    hint = (np.asarray(search.best.selected)[e], search.best_hired)
    # deterministic time, so the same answer every run; the wall clock as a guard
    work = min(
        search.budget - search.spent, POLISH_SECONDS if math.isinf(search.budget) else math.inf
    )
    wall = search.left()
    hired, _, _, used = _exact(small, hint, work, seed, 1, wall=None if math.isinf(wall) else wall)
    search.spent += used
    if hired is not None:
        search.solve(hired)
    return True


def uncapacitated(inst: _Instance) -> bool:
    """Whether no capacity can bind and each mentee takes one mentor: then an answer is
    every mentee at its best open mentor (the ``hire``-median problem)."""
    p = inst.problem
    deg = np.bincount(p.mentor, minlength=p.n_mentors)
    return not (
        p.features & {Feature.MIN_LOAD, Feature.PINNED, Feature.MULTI_DEMAND, Feature.WEIGHT}
    ) and bool((np.asarray(p.capacity) >= deg).all())


class _Interchange:
    """Local search for the uncapacitated case: every mentee at its best open mentor, and
    the best single swap (one candidate in, one out; or one in or out under ``at_most``)
    found exactly from each mentee's best and second-best open mentor (the fast interchange
    of Whitaker, as in Resende and Werneck), applied until none improves."""

    def __init__(self, inst: _Instance) -> None:
        p = inst.problem
        self.inst = inst
        self.mentee = np.asarray(p.mentee, dtype=np.int64)
        self.mentor = np.asarray(p.mentor, dtype=np.int64)
        self.w = inst.profit.astype(np.float64)
        self.required = np.asarray(p.required) > 0
        span = float(np.abs(self.w).max(initial=1.0))
        # an uncovered required mentee costs more than every other change together
        self.big = span * (p.n_mentees + 2) * 4.0
        self.n = p.n_mentees
        self.m = p.n_mentors

    def _best_two(self, open_: Bool) -> tuple[F64, F64, I64]:
        floor = np.where(self.required, -self.big, 0.0)
        e = np.flatnonzero(open_[self.mentor])
        b1 = floor.copy()
        np.maximum.at(b1, self.mentee[e], self.w[e])
        top = e[self.w[e] == b1[self.mentee[e]]]
        a1 = np.full(self.n, -1, dtype=np.int64)
        a1[self.mentee[top[::-1]]] = self.mentor[top[::-1]]  # the lowest-index edge wins
        rest = e[self.mentor[e] != a1[self.mentee[e]]]
        b2 = floor.copy()
        np.maximum.at(b2, self.mentee[rest], self.w[rest])
        a1 = np.where(b1 > floor, a1, -1)
        return b1, b2, a1

    def value(self, hired: Bool) -> float:
        """The exact objective of ``hired`` (caller units), -inf if a required mentee has
        no open mentor."""
        inst = self.inst
        b1, _, a1 = self._best_two(hired | ~inst.optional)
        if (self.required & (a1 < 0)).any():
            return -math.inf
        return (float(b1.sum()) + float(inst.bonus[hired].sum())) / inst.scale - inst.constant

    def improve(self, hired: Bool, clock: _Search) -> tuple[Bool, int]:
        """Swaps applied until none improves (or the clock runs out); the set and the swaps
        made."""
        inst = self.inst
        hired = hired.copy()
        moves = 0
        bonus = inst.bonus.astype(np.float64)
        while clock.left() > 0:
            clock.charge("sweep", self.w.size)
            open_ = hired | ~inst.optional
            b1, b2, a1 = self._best_two(open_)
            closed = np.flatnonzero(inst.optional & ~hired)
            out = np.flatnonzero(hired & ~inst.forced)
            e = np.flatnonzero(~open_[self.mentor])
            gain_e = np.maximum(self.w[e] - b1[self.mentee[e]], 0)
            add = np.bincount(self.mentor[e], weights=gain_e, minlength=self.m) + bonus
            has = a1 >= 0
            rem = np.bincount(a1[has], weights=(b1 - b2)[has], minlength=self.m) + bonus
            best_delta, move = 0.0, None
            if closed.size and out.size and closed.size * out.size <= SWAP_CELLS:
                k_pos = np.full(self.m, -1, dtype=np.int64)
                k_pos[closed] = np.arange(closed.size)
                j_pos = np.full(self.m, -1, dtype=np.int64)
                j_pos[out] = np.arange(out.size)
                i = self.mentee[e]
                # corr[k, j]: mentees of j that k would serve better than their second best
                hit = (self.w[e] > b2[i]) & has[i]
                ee, ii = e[hit], i[hit]
                jj = j_pos[a1[ii]]
                ok = jj >= 0
                kk = k_pos[self.mentor[ee[ok]]]
                part = np.minimum(self.w[ee[ok]], b1[ii[ok]]) - b2[ii[ok]]
                corr = np.bincount(
                    kk * out.size + jj[ok], weights=part, minlength=closed.size * out.size
                ).reshape(closed.size, out.size)
                delta = add[closed][:, None] - rem[out][None, :] + corr
                delta[~self._swap_ok(hired, closed, out)] = -np.inf
                flat = int(np.argmax(delta))
                if delta.flat[flat] > best_delta:
                    best_delta = float(delta.flat[flat])
                    move = ([int(out[flat % out.size])], [int(closed[flat // out.size])])
            if inst.at_most:
                n_h = int(hired.sum())
                if n_h < inst.hire and closed.size:
                    k = closed[int(np.argmax(add[closed]))]
                    trial = hired.copy()
                    trial[k] = True
                    if add[k] > best_delta and _within_quotas(inst, trial):
                        best_delta, move = float(add[k]), ([], [int(k)])
                if out.size:
                    j = out[int(np.argmin(rem[out]))]
                    trial = hired.copy()
                    trial[j] = False
                    if -rem[j] > best_delta and _within_quotas(inst, trial):
                        best_delta, move = float(-rem[j]), ([int(j)], [])
            if move is None or best_delta <= 1e-9 * max(1.0, abs(float(b1.sum()))):
                break
            hired[move[0]] = False
            hired[move[1]] = True
            moves += 1
        return hired, moves

    def _swap_ok(self, hired: Bool, closed: I64, out: I64) -> Bool:
        """Which (in, out) swaps keep every quota."""
        inst = self.inst
        g_in, g_out = inst.group[closed], inst.group[out]
        counts = np.bincount(inst.group[inst.optional & hired], minlength=inst.lo.size)
        can_leave = counts[g_out] - 1 >= inst.lo[g_out]
        can_join = counts[g_in] + 1 <= inst.hi[g_in]
        same = g_in[:, None] == g_out[None, :]
        ok: Bool = same | (can_join[:, None] & can_leave[None, :])
        return ok


def _within_quotas(inst: _Instance, hired: Bool) -> bool:
    counts = np.bincount(inst.group[hired], minlength=inst.lo.size)
    n = int(hired.sum())
    ok_count = n <= inst.hire if inst.at_most else n == inst.hire
    return ok_count and bool(((counts >= inst.lo) & (counts <= inst.hi)).all())


def _exact(
    inst: _Instance,
    hint: tuple[Bool, Bool] | None,
    time_limit: float | None,
    seed: int,
    workers: int | None,
    *,
    wall: float | None = None,
) -> tuple[Bool | None, float, bool, float]:
    """One CP-SAT model of the whole selection: the hires, the bound (caller units), whether
    it is proven optimal, and the deterministic time CP-SAT used. ``time_limit`` bounds the
    deterministic time, and the wall clock too unless ``wall`` is given."""
    from ortools.sat.python import cp_model  # the CP-SAT model is built only when used

    from matchkit.solvers.cpsat import DEFAULT_MAX_WORKERS, add_linear, grouped_list

    p = inst.problem
    model = cp_model.CpModel()
    proto = model.proto
    n_e = p.n_edges
    for e in range(n_e):
        var = proto.variables.add()
        var.domain.extend((1, 1) if p.pinned[e] else (0, 1))
    cand = np.flatnonzero(inst.optional)
    yvar = np.full(p.n_mentors, -1, dtype=np.int64)
    yvar[cand] = n_e + np.arange(cand.size)
    for j in cand.tolist():
        var = proto.variables.add()
        var.domain.extend((1, 1) if inst.forced[j] else (0, 1))
    members, starts = grouped_list(p.mentee, p.n_mentees)
    for i in range(p.n_mentees):
        a, b = int(starts[i]), int(starts[i + 1])
        if b > a:
            add_linear(proto, members[a:b], [1] * (b - a), int(p.required[i]), int(p.demand[i]))
        elif p.required[i] > 0:
            add_linear(proto, [], [], 1, 1)  # a required mentee with no edge: infeasible
    members, starts = grouped_list(p.mentor, p.n_mentors)
    weight = np.asarray(p.weight, dtype=np.int64)
    for j in range(p.n_mentors):
        a, b = int(starts[j]), int(starts[j + 1])
        mem = members[a:b]
        coeffs = [int(weight[e]) for e in mem]
        cap, least = int(p.capacity[j]), int(p.min_load[j])
        if yvar[j] < 0:
            add_linear(proto, mem, coeffs, least, cap)
            continue
        y = int(yvar[j])
        add_linear(proto, [*mem, y], [*coeffs, -cap], -(2**40), 0)
        if least:
            add_linear(proto, [*mem, y], [*coeffs, -least], 0, 2**40)
        for e in mem:  # the strong form: an edge only to a hired mentor
            add_linear(proto, [e, y], [1, -1], -1, 0)
    ys = yvar[cand].tolist()
    add_linear(proto, ys, [1] * len(ys), 0 if inst.at_most else inst.hire, inst.hire)
    for g in range(inst.lo.size):
        if inst.lo[g] == 0 and inst.hi[g] >= inst.hire:
            continue
        mem = yvar[cand[inst.group[cand] == g]].tolist()
        add_linear(proto, mem, [1] * len(mem), int(inst.lo[g]), int(inst.hi[g]))
    coeff = np.concatenate([inst.profit, inst.bonus[cand]])
    nz = np.flatnonzero(coeff)
    proto.objective.vars.extend(nz.tolist())
    proto.objective.coeffs.extend(np.negative(coeff[nz]).tolist())
    n_workers = workers or min(2, DEFAULT_MAX_WORKERS)
    if hint is not None and n_workers == 1:
        # Hinted only with one worker: the interleaved search stayed at the hint (a 70 x
        # 120 cohort with continuing pairs: 7.7% below the optimum after 5 s, which the
        # unhinted search proved in 5 s); the Lagrangian answer is kept if CP-SAT's is worse.
        sel = np.asarray(hint[0], dtype=np.int64)
        proto.solution_hint.vars.extend(range(n_e + cand.size))
        proto.solution_hint.values.extend(
            np.concatenate([sel, hint[1][cand].astype(np.int64)]).tolist()
        )
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = seed
    params.num_workers = n_workers
    if params.num_workers > 1:
        params.interleave_search = True
    if time_limit is not None:
        # deterministic time (the same answer however loaded the machine), and the wall
        # clock as a guard
        params.max_deterministic_time = max(float(time_limit), 0.01)
        params.max_time_in_seconds = max(float(time_limit), 0.01)
    if wall is not None:
        params.max_time_in_seconds = max(float(wall), 0.01)
    raw = solver.solve(model)
    used = float(solver.response_proto.deterministic_time)
    to_caller = 1.0 / inst.scale
    if raw == cp_model.INFEASIBLE:
        return None, -math.inf, True, used
    bound = -float(solver.best_objective_bound) * to_caller - inst.constant + inst.slack
    if raw not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, bound, False, used
    values = np.asarray(solver.response_proto.solution, dtype=np.int64)
    hired = np.zeros(p.n_mentors, dtype=np.bool_)
    hired[cand] = values[n_e + np.arange(cand.size)] > 0
    return hired, bound, raw == cp_model.OPTIMAL, used


def select_mentors(
    problem: AssignmentProblem,
    *,
    hire: int,
    optional: npt.ArrayLike | None = None,
    bonus: npt.ArrayLike | None = None,
    groups: npt.ArrayLike | None = None,
    quotas: Mapping[int, tuple[int | None, int | None]] | None = None,
    at_most: bool = False,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    gap: float = 1e-4,
    marginal: bool = True,
) -> Selection:
    """Choose which candidate mentors to hire, and the best assignment they allow.

    Parameters
    ----------
    problem : AssignmentProblem
        Every mentor, the ones already there and the candidates, with every rule
        (capacities, required mentees, penalties, pins, minimum loads).
    hire : int
        How many candidates to choose: exactly this many, or at most (``at_most=True``).
    optional : bool mask, shape (n_mentors,), optional
        Which mentors are candidates; default: every mentor.
    bonus : float or array_like, shape (n_mentors,), optional
        Points added to the objective for each candidate chosen (review points, say).
    groups : array_like of int, shape (n_mentors,), optional
        Each candidate's group (a university, say) for ``quotas``; -1 for none.
    quotas : mapping of group -> (at least, at most), optional
        How many of a group's candidates may be chosen; None for no limit on that side.
    at_most : bool
        Choose at most ``hire`` (a budget) instead of exactly ``hire``; then a candidate is
        only taken if it raises the objective.
    method : {"auto", "lagrange", "cpsat"}
        See :data:`SELECTION_METHODS`.
    time_limit : float, optional
        Seconds for the whole call (the marginal values too). Without it the search stops
        when the gap closes or the subgradient converges.
    seed : int
        Seed of the CP-SAT search; the same seed gives the same answer (the Lagrangian
        search is deterministic).
    gap : float
        Stop once ``(bound - objective) / |objective|`` is at most this; the exact CP-SAT
        finish of small problems is skipped too when the Lagrangian search gets there (0:
        prove optimality where the time allows). Bounds on whole-number problems are rounded
        down to a whole number, so a whole-number optimum is proven when reached.
    marginal : bool
        Compute each chosen candidate's marginal value (one exact solve per hire).

    Returns
    -------
    Selection

    Raises
    ------
    InputError
        Before any solving, naming the field: ``hire`` above the number of candidates, a quota
        naming a group no candidate is in, quotas that cannot add up to ``hire``, ...
    UnsupportedFeatureError
        ``method="lagrange"`` with non-unit edge weights (use ``"cpsat"``).

    Examples
    --------
    >>> from matchkit import AssignmentProblem
    >>> p = AssignmentProblem(3, 3, mentee=[0, 1, 2, 2], mentor=[0, 1, 2, 0],
    ...                       score=[5, 4, 3, 1], capacity=2)
    >>> s = select_mentors(p, hire=1)
    >>> s.hired.tolist(), s.objective, s.status.value
    ([True, False, False], 6.0, 'optimal')
    """
    t0 = time.perf_counter()
    check_method(method, SELECTION_METHODS)
    validate_options(time_limit, seed, None)
    inst = _instance(problem, hire, at_most, optional, bonus, groups, quotas)
    weighted = Feature.WEIGHT in problem.features
    if weighted and method == "lagrange":
        raise UnsupportedFeatureError(method, [Feature.WEIGHT.value], ["cpsat", "auto"])
    end = t0 + time_limit if time_limit is not None else math.inf
    # the marginal values get the last share of a time limit
    deadline = t0 + time_limit * (1 - MARGINAL_SHARE) if marginal and time_limit else end
    backend = "cpsat" if weighted else "auto"
    search = _Search(inst, backend, deadline, seed)
    stats: dict[str, Any] = {}
    reduced: _Reduced | None = None
    bound = math.inf
    used = "lagrange"
    if method != "cpsat" and not weighted:
        bound, pi, stats = _lagrange(inst, search, gap)
        stats["swaps"], reduced = _swaps(inst, search, pi, gap, bound)
        stats["prices"] = pi  # the best bound's mentee prices (scaled units): hiring_curve
    exact_ok = method == "cpsat" or (
        method == "auto" and (weighted or problem.n_edges <= EXACT_MAX_EDGES)
    )
    close = math.isfinite(search.best_value) and bound - search.best_value <= max(
        inst.slack, gap * max(1.0, abs(search.best_value))
    )  # proven optimal, or within the gap asked for
    if not exact_ok and not close and reduced is not None:
        stats["polished"] = _polish(inst, search, reduced, seed)
    if exact_ok and not close and (search.left() > 0):
        hint = None
        search.answer()
        if search.best is not None and search.best_hired is not None:
            hint = (np.asarray(search.best.selected), search.best_hired)
        left = search.left()
        hired, cp_bound, cp_proven, _ = _exact(
            inst, hint, None if math.isinf(left) else left, seed, None
        )
        bound = min(bound, cp_bound)
        used = "cpsat"
        if hired is not None:
            search.solve(hired)
        if cp_proven and hired is None:
            bound = -math.inf
    stats.update(sets_solved=search.solved, moves=search.moves, found_at=search.found_at)
    return _finish(inst, search, bound, used, marginal, end, t0, stats)


def _finish(
    inst: _Instance,
    search: _Search,
    bound: float,
    method: str,
    marginal: bool,
    marginal_deadline: float,
    t0: float,
    stats: dict[str, Any],
) -> Selection:
    p = inst.problem
    value = np.full(p.n_mentors, np.nan)
    search.answer()
    if search.best is None or search.best_hired is None or not math.isfinite(search.best_value):
        empty = np.zeros(p.n_mentors, dtype=np.bool_)
        a = solve_assignment(_open_problem(p, ~inst.optional), time_limit=1.0)
        return Selection(
            hired=empty,
            optional=inst.optional,
            assignment=a,
            objective=math.nan,
            bound=bound,
            status=Status.INFEASIBLE if bound == -math.inf else Status.UNKNOWN,
            method=method,
            value=value,
            wall_time=time.perf_counter() - t0,
            explanation="no choice of candidates meets every rule"
            if bound == -math.inf
            else "no feasible choice was found in the time allowed",
            stats=stats,
        )
    hired = search.best_hired
    objective = search.best_value
    bound = max(bound, objective)
    proven = bound - objective <= max(inst.slack, 1e-9 * max(1.0, abs(objective)))
    exact = np.zeros(p.n_mentors, dtype=np.bool_)
    if marginal:
        # every hire's upper bound first (its students moved to free places or left
        # unmatched: a feasible answer without it), then exact re-solves, least valuable
        # first, while the time allows
        search.extend(marginal_deadline)
        _, loss = _estimates(inst, _Prices(inst), np.asarray(search.best.selected), hired)
        value[hired] = loss[hired] / inst.scale
        order = np.flatnonzero(hired & ~inst.forced)
        for j in order[np.lexsort((order, loss[order]))].tolist():
            if search.left() <= 0:
                break
            without = hired.copy()
            without[j] = False
            value[j] = objective - search.solve(without, keep=False)
            exact[j] = True
    return Selection(
        hired=hired,
        optional=inst.optional,
        assignment=search.best,
        value_exact=exact,
        objective=objective,
        bound=bound,
        status=Status.OPTIMAL if proven else Status.FEASIBLE,
        method=method,
        value=value,
        wall_time=time.perf_counter() - t0,
        stats=stats,
    )


@dataclass(frozen=True)
class CurveRow:
    """One point of :func:`hiring_curve`: with ``hires`` candidates, an answer's objective,
    a proven upper bound for that count, and the mentees matched in the answer."""

    hires: int
    objective: float
    bound: float
    matched: int


def gain_estimates(
    problem: AssignmentProblem, selection: Selection, *, bonus: npt.ArrayLike | None = None
) -> F64:
    """For each unhired candidate, what adding it to ``selection`` gains at least (caller
    units, its bonus included): its places filled by the mentees who gain most by moving
    to it from the answer (a feasible change, chains ignored); NaN for everyone else."""
    inst = _instance(
        problem, int(selection.hired.sum()), True, selection.optional, bonus, None, None
    )
    gain, _ = _estimates(
        inst, _Prices(inst), np.asarray(selection.assignment.selected), selection.hired
    )
    out = np.full(problem.n_mentors, np.nan)
    closed = selection.optional & ~selection.hired
    out[closed] = gain[closed] / inst.scale
    return out


def hiring_curve(
    problem: AssignmentProblem,
    selection: Selection,
    counts: list[int],
    *,
    bonus: npt.ArrayLike | None = None,
    groups: npt.ArrayLike | None = None,
    quotas: Mapping[int, tuple[int | None, int | None]] | None = None,
    time_limit: float | None = None,
    gap: float = 1e-4,
    gains: F64 | None = None,
) -> list[CurveRow]:
    """The value of fewer and more hires around ``selection``: for each count, an answer
    and a proven bound for exactly that many hires.

    Small problems (:data:`EXACT_MAX_EDGES`): each count solved exactly by
    :func:`select_mentors`. Larger: fewer hires drop the least valuable hires first
    (``selection.value``), more add the candidates of most :func:`gain_estimates` first;
    each set is solved exactly, and the bound is the Lagrangian at the selection's prices
    for that count (``inf`` if the selection has none). Counts the quotas cannot meet, or
    past the candidates, are skipped; ``time_limit`` stops early (the rows so far); ``gap``
    is each small count's stopping gap, as in :func:`select_mentors`; ``gains``, if given,
    are :func:`gain_estimates`' figures already computed for ``selection``.
    """
    t0 = time.perf_counter()
    small = problem.n_edges <= EXACT_MAX_EDGES
    hired0 = selection.hired
    value = np.where(np.isnan(selection.value), np.inf, selection.value)
    if gains is None and not small:
        gains = gain_estimates(problem, selection, bonus=bonus)
    rows: list[CurveRow] = []
    prices = selection.stats.get("prices")
    lagrangian: _Prices | None = None
    for h in sorted(set(counts)):
        if time_limit is not None and time.perf_counter() - t0 > time_limit:
            break
        try:
            inst = _instance(problem, h, False, selection.optional, bonus, groups, quotas)
        except InputError:
            continue
        if small:
            each = None
            if time_limit is not None:
                each = max((time_limit - (time.perf_counter() - t0)) / len(counts), 0.05)
            s = select_mentors(
                problem,
                hire=h,
                optional=selection.optional,
                bonus=bonus,
                groups=groups,
                quotas=quotas,
                marginal=False,
                time_limit=each,
                gap=gap,
            )
            if s.status.has_solution:
                matched = int(np.unique(problem.mentee[s.assignment.selected]).size)
                rows.append(CurveRow(h, s.objective, s.bound, matched))
            continue
        hired = hired0.copy()
        n0 = int(hired.sum())
        if h < n0:
            drop = np.flatnonzero(hired & ~inst.forced)
            drop = drop[np.lexsort((drop, value[drop]))]
            for j in drop:
                if int(hired.sum()) == h:
                    break
                hired[j] = False
                if not _within_quotas_partial(inst, hired, shrinking=True):
                    hired[j] = True
        elif h > n0:
            assert gains is not None
            add = np.flatnonzero(selection.optional & ~hired)
            add = add[np.lexsort((add, -gains[add]))]
            for k in add:
                if int(hired.sum()) == h:
                    break
                hired[k] = True
                if not _within_quotas_partial(inst, hired, shrinking=False):
                    hired[k] = False
        if int(hired.sum()) != h:
            continue
        open_ = hired | ~inst.optional
        a = solve_assignment(_open_problem(problem, open_))
        if not a.status.has_solution:
            continue
        objective = a.objective + float(inst.bonus_caller[hired].sum())
        bound = math.inf
        if prices is not None:
            # one set of sorted edges for every count: only the count (inst.hire) differs
            if lagrangian is None:
                lagrangian = _Prices(inst)
            lagrangian.inst = inst
            total, *_ = lagrangian.evaluate(np.asarray(prices, dtype=np.float64))
            bound = max(total / inst.scale - inst.constant + inst.slack, objective)
        matched = int(np.unique(problem.mentee[a.selected]).size)
        rows.append(CurveRow(h, objective, bound, matched))
    return rows


def _within_quotas_partial(inst: _Instance, hired: Bool, *, shrinking: bool) -> bool:
    """Whether ``hired`` keeps the quota side that moving in this direction can break."""
    counts = np.bincount(inst.group[hired], minlength=inst.lo.size)
    return bool((counts >= inst.lo).all()) if shrinking else bool((counts <= inst.hi).all())
