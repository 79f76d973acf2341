"""Rules min-cost flow cannot express, solved around a flow relaxation, ending in CP-SAT.

Sessions, floors, max-min fairness, the balance penalty, group caps and category limits only
ever restrict the linear problem (or, for balance, lower its score), so the flow optimum of
the compiled problem is an upper bound for every answer that keeps them. The pipeline (see
``docs/explanation/rich-rules.md`` for the measurements behind each step):

1. **Relax.** Min-cost flow on every eligible pair (with ``min_load``; with sessions, each
   mentor's capacity capped by the sessions it could hold at all): a bound and a start.
   Infeasible here means infeasible, explained by the flow's cut.
2. **Check.** Cheap necessary conditions (pins against caps and sessions, ...) explain
   contradictory rules before any search. Floors are soft: the most floor places first,
   then the score, in every step below (all of them when they can all be met).
3. **Drop to fit, then insert** (:mod:`~matchkit.rich.insert`). Sessions scheduled exactly per
   mentor, caps enforced by dropping the least valuable pairs, then left-out mentees placed
   greedily. If the flow answer needed nothing, it is optimal: done, proven.
4. **Slot search** (:mod:`~matchkit.rich.slots`, sessions): flow over fixed time slots.
5. **Lagrangian bound** (:mod:`~matchkit.rich.bound`, sessions): per-mentor schedules
   under mentee prices; a valid bound over every pair, and answers on the way.
6. **Polish** (:mod:`~matchkit.rich.polish`, large models): small CP-SAT neighbourhoods
   around unmatched mentees, each solved exactly, in the time the bound leaves.
7. **CP-SAT** (:mod:`~matchkit.rich.model`): the time-indexed model over every pair up
   to :data:`FULL_PAIRS`, else each mentee's best pairs plus the current answer's, pins and
   last term's mentor; hinted with the best answer; stops within ``gap`` of the bound or at
   the time limit. The best answer of any step is returned.

The result's bound is the lowest of the flow and Lagrangian bounds (and CP-SAT's own, when it
saw every pair): the reported gap is to a true upper bound, never to a restricted model's.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from matchkit.compiler.groups import relaxed_floors_text
from matchkit.compiler.rules import MILLI
from matchkit.core.assignment import Status
from matchkit.core.problem import AssignmentProblem
from matchkit.core.progress import Progress, ProgressCallback
from matchkit.rich.bound import session_bound
from matchkit.rich.data import RichData, StartTable, drop_to_fit, precheck, rule_breaks
from matchkit.rich.insert import insert
from matchkit.rich.model import Model, StopAtGap
from matchkit.rich.polish import polish
from matchkit.rich.sessions import session_capacity
from matchkit.rich.slots import fill, slot_search
from matchkit.solvers.dispatch import solve_assignment
from matchkit.solvers.network import group_max

__all__ = ["FULL_PAIRS", "RichOutcome", "solve_rich"]

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

FULL_PAIRS = 150_000
"""CP-SAT sees every eligible pair up to this many; beyond it, each mentee's best
``FULL_PAIRS // n_mentees`` pairs (at least :data:`MIN_PER_MENTEE`) plus the flow answer's,
pinned pairs and last term's mentor."""
MIN_PER_MENTEE = 12
DEFAULT_TIME_LIMIT = 60.0
MIN_SEARCH_SECONDS = 20.0
"""Below this many seconds left, CP-SAT is not started on a restricted (large) model:
building and presolving it alone takes longer at Seoul size, and the time limit holds."""
BOUND_ITERATIONS = 400
"""Most subgradient iterations of the Lagrangian bound (:mod:`matchkit.rich.bound`)."""
HEURISTIC_FROM = 200
HEURISTIC_EVERY = 20
"""From step ``HEURISTIC_FROM`` on, every ``HEURISTIC_EVERY`` subgradient steps the relaxed
schedules become an answer (a Lagrangian heuristic: their sessions as slots, filled by
flow). The answers vary by 1-1.5% from one step to the next (Seoul size), so many late
calls beat a few with slot rounds after them (which improved none of 21 such answers)."""
BOUND_SHARE = 0.8
"""On large models the Lagrangian steps stop at this share of the time limit, or sooner
when their iterations run out; polishing (:mod:`matchkit.rich.polish`) then gets the time
up to :data:`POLISH_SHARE`. Polishing guided by the steps' prices closes most of the gap
the heuristic leaves, so it must get time: Seoul, 60 s, seed 2, gaps of 1.55% with the
steps to 95% (all 400 steps ran, to 58 s: no time left to polish), 0.57% to 80%, 0.73% to
75%; seed 0, 0.49% with 80% or 95% (its 400 steps end by 49 s)."""
POLISH_SHARE = 0.95
POLISH_SECONDS = 1.0
"""Polishing starts only with this many seconds to go: indexing the pairs for it and one
neighbourhood take about half a second at Seoul size."""
SLOT_ROUNDS = 12
"""Most rounds of slot search (:mod:`matchkit.rich.slots`) before CP-SAT: a round count,
not a time, so that the answer does not depend on the machine's speed."""
SLOT_SHARE = 0.15
"""On large models with ``time_limit`` of 30 s or more, slot search stops at this share of
it and the Lagrangian steps get the rest: their bound needs about 300 steps at Seoul size,
and their heuristic answers beat further slot rounds (Seoul, 60 s: a 2.6% gap, against
5.7% with slot search to 35% of the time)."""


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


def _overloaded(d: RichData, room: I64) -> str | None:
    """Mentors whose pins or minimum load exceed the ``room`` they have for sessions."""
    p = d.problem
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


def _tightened(d: RichData, room: I64) -> RichData:
    """Each mentor's capacity capped by the sessions it could hold (``room``): still a
    relaxation (see :func:`session_capacity`), and a far tighter bound and start."""
    p = d.problem
    cap = np.minimum(p.capacity, room)
    if np.array_equal(cap, p.capacity):
        return d
    return replace(d, problem=p.replace(capacity=cap))


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
    progress: ProgressCallback | None = None,
    started: float | None = None,
) -> RichOutcome:
    """Solve the compiled problem under the policy's rich rules (see the module docstring).

    ``progress`` (if given) is called with the best objective and the bound in points as
    either improves; ``started`` (a ``time.perf_counter`` value) is when the call began."""
    t0 = time.perf_counter()
    report = _reporter(progress, t0 if started is None else started)
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    n = d.problem.n_edges
    none, empty, nan = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.bool_), float("nan")
    if d.sessions:
        room = _session_capacity(d)
        why = _overloaded(d, room)
        if why is not None:
            return RichOutcome(empty, none, Status.INFEASIBLE, nan, float("-inf"), why)
        d = _tightened(d, room)
    p = d.problem
    relax = solve_assignment(p, method="flow", seed=seed)
    if not relax.status.has_solution:
        return RichOutcome(empty, none, relax.status, nan, float("-inf"), relax.explanation)
    bound = relax.objective
    report(float("-inf"), bound, "relaxation")
    stats = {"relax_time": time.perf_counter() - t0, "flow_bound": bound / MILLI}
    # Floors are soft: the most floor places first, then the score (all of them, when they
    # can all be met: the same answers as hard floors, with a start that need not meet them).
    if d.groups.floors and not d.soft_floors:
        d = d.with_groups(d.groups, soft_floors=True)
    why = precheck(d)
    if why is not None:
        return RichOutcome(empty, none, Status.INFEASIBLE, nan, float("-inf"), why, stats)
    R = _restricted(p, np.asarray(relax.selected) | np.asarray(p.pinned) | d.always)
    full = R.size == p.n_edges
    # Large models: the start, slot search, the Lagrangian and polishing carry the answer.
    # Short runs: slot search carries it. Longer ones: the Lagrangian steps (SLOT_SHARE),
    # then polishing (BOUND_SHARE).
    share, bound_share = (0.3, 0.5) if full else (SLOT_SHARE if limit >= 30 else 0.7, BOUND_SHARE)
    # Every pair's session starts: slot search and the Lagrangian bound both need them all.
    every = d.start_table(np.arange(p.n_edges, dtype=np.int64)) if d.sessions else None
    deadlines = (t0 + share * limit, t0 + 0.8 * limit)  # the second while floors are short
    sel, start, breaks = _start(d, np.asarray(relax.selected), every, deadlines, stats)
    # A start meeting every floor needs no proof that they cannot all be met.
    total = sum(need for _, _, need in d.groups.floors)
    top = _floors_top(d) if d.filled(sel) < total else total
    ok = not breaks
    objective = d.objective(sel) if ok else float("-inf")
    stats["start_objective"] = objective / MILLI
    report(objective, bound, "start")
    stats["start_time"] = time.perf_counter() - t0
    if ok and not d.groups.maxmin and objective >= bound - 1e-9 and _most(d, sel, top):
        why = _relaxed_text(d, sel, top, proven=True)
        return RichOutcome(sel, start, Status.OPTIMAL, objective, objective, why, stats)
    guide = None
    if every is not None and ok:
        t_bound = time.perf_counter()
        bound_deadline = t0 + bound_share * limit
        best_answer: list[tuple[float, B, I64]] = [(objective, sel, start)]

        def answers(edges: I64, starts: I64) -> float:
            """The relaxed schedules' sessions as slots, filled by flow (each mentee once);
            the best objective so far."""
            owner = np.asarray(p.mentor, dtype=np.int64)[edges]
            order = np.lexsort((starts, owner))
            ends = starts + d.length[np.asarray(p.mentee)[edges]]
            slots = (owner[order], starts[order], ends[order])
            filled = fill(d, every, slots, sel, np.zeros(p.n_mentees, dtype=np.int64))
            if filled is not None and not rule_breaks(d, *filled):
                value = d.objective(filled[0])
                best = best_answer[0]
                if _rank(d, filled[0], value) > _rank(d, best[1], best[0]):
                    best_answer[0] = (value, *filled)
            return best_answer[0][0]

        lagrangian, rounds, guide = session_bound(
            d,
            every,
            objective,
            iterations=BOUND_ITERATIONS,
            deadline=bound_deadline,
            answers=answers,
            first=HEURISTIC_FROM,
            every=HEURISTIC_EVERY,
            on_step=lambda b, best: report(best, min(bound, b), "lagrangian"),
        )
        if best_answer[0][1] is not sel:
            objective, sel, start = best_answer[0]
            stats["lagrangian_objective"] = objective / MILLI
        bound = min(bound, lagrangian)
        stats["lagrangian_bound"] = lagrangian / MILLI
        stats["lagrangian_iterations"] = float(rounds)
        stats["bound_time"] = time.perf_counter() - t_bound
        if objective >= bound - 1e-9 and not d.groups.maxmin and _most(d, sel, top):
            why = _relaxed_text(d, sel, top, proven=True)
            return RichOutcome(sel, start, Status.OPTIMAL, objective, objective, why, stats)
    end = t0 + POLISH_SHARE * limit
    if ok and not full and end - time.perf_counter() >= POLISH_SECONDS:
        t_polish = time.perf_counter()
        sel, start, better = polish(d, sel, start, deadline=end, seed=seed, guide=guide)
        objective = d.objective(sel)
        stats["polish_improved"] = float(better)
        stats["polish_time"] = time.perf_counter() - t_polish
    left = limit - (time.perf_counter() - t0)
    if full or left >= MIN_SEARCH_SECONDS:
        found = _search(
            d,
            R,
            sel,
            start,
            ok,
            seed,
            workers,
            gap,
            bound,
            t0 + limit,
            stats,
            report,
            objective,
            top,
        )
        if isinstance(found, str):
            return RichOutcome(empty, none, Status.INFEASIBLE, nan, float("-inf"), found, stats)
        if found is not None:
            c_sel, c_start, c_bound = found
            c_obj = d.objective(c_sel)
            if not ok or _rank(d, c_sel, c_obj) > _rank(d, sel, objective):
                sel, start, objective, ok = c_sel, c_start, c_obj, True
            bound = min(bound, c_bound)
    stats["total_time"] = time.perf_counter() - t0
    if not ok:
        text = f"no answer keeping every rule was found within {limit:g} s"
        return RichOutcome(empty, none, Status.UNKNOWN, nan, bound, text, stats)
    bound = max(bound, objective)
    # With max-min, optimal also needs the lowest rate proven best (CP-SAT on every pair);
    # with soft floors, the most floor places proven filled first.
    top = int(stats.get("floors_bound", top))
    floors = _most(d, sel, top)
    stats["floors_proven"] = float(floors)
    proven = floors and (not d.groups.maxmin or stats.get("maxmin_proven") == 1.0)
    status = Status.OPTIMAL if objective >= bound - 1e-9 and proven else Status.FEASIBLE
    why = _relaxed_text(d, sel, top, proven=floors)
    return RichOutcome(sel, start, status, objective, bound, why, stats)


def _floors_first(
    model: Model,
    d: RichData,
    full: bool,
    sel: B | None,
    top: int,
    seed: int,
    workers: int,
    deadline: float,
    stats: dict[str, float],
) -> None:
    """Soft floors: CP-SAT's first stage, the most floor places filled (a third of the time
    left; none when ``sel``, the starting answer, fills ``top``, their upper bound), then
    held in every later stage. Over every pair, CP-SAT's own bound on the floor places
    lowers ``top`` (``stats["floors_bound"]``)."""
    most = d.filled(sel) if sel is not None else 0
    if most < top:
        model.floors_stage()
        solver = _solver(seed, workers, (deadline - time.perf_counter()) / 3)
        raw = solver.solve(model.m)
        if raw in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
            f_sel, f_start = model.decode(solution, d.problem.n_edges)
            if d.filled(f_sel) > most:
                most = d.filled(f_sel)
                if workers == 1:
                    model.hint(f_sel, f_start)  # the start no longer holds the floors' count
            if full:  # CP-SAT's bound on the floor places (minus theirs: it minimises)
                top = min(top, math.floor(-solver.best_objective_bound + 1e-6))
    stats["floors_bound"] = float(top)
    stats["floors_filled"] = float(most)
    model.hold_floors(most)


def _reporter(
    progress: ProgressCallback | None, started: float
) -> Callable[[float, float, str], None]:
    """``report(objective, bound, stage)`` in milli-points, to ``progress`` in points (the
    bound never below the objective: the best answer is itself a lower bound on the
    optimum, and every bound reported here is an upper one)."""
    best = [float("-inf")]

    def report(objective: float, bound: float, stage: str) -> None:
        if progress is None:
            return
        best[0] = max(best[0], objective)
        top = max(bound, best[0])
        progress(Progress(best[0] / MILLI, top / MILLI, time.perf_counter() - started, stage))

    return report


def _rank(d: RichData, sel: B, objective: float) -> tuple[int, float, float]:
    """How answers compare: the floor places filled first (soft floors), then the lowest
    max-min group rate (if any), then the score."""
    filled = d.filled(sel) if d.soft_floors else 0
    if not d.groups.maxmin:
        return (filled, 0.0, objective)
    matched = np.zeros(d.problem.n_mentees, dtype=np.bool_)
    matched[d.problem.mentee[sel]] = True
    rates = (float(matched[rows].mean()) for _, rows in d.groups.maxmin if rows.size)
    return (filled, min(rates, default=1.0), objective)


def _floors_top(d: RichData) -> int:
    """An upper bound on the floor places any answer fills: per floor, a max flow over its
    mentees into their mentors' places (the flow relaxation's, so it holds under every
    rule), capped at the floor's count, summed. Each unmet floor's own reason is in
    ``result.floors`` (:func:`matchkit.methods.floors.floor_attainment`)."""
    return sum(min(group_max(d.problem, rows), need) for _, rows, need in d.groups.floors)


def _most(d: RichData, sel: B, top: int) -> bool:
    """Whether ``sel`` provably fills the most floor places possible (hard floors: all)."""
    return not d.soft_floors or d.filled(sel) >= top


def _relaxed_text(d: RichData, sel: B, top: int, *, proven: bool) -> str | None:
    """Why ``sel`` leaves floor places empty (None when it meets every floor): ``proven``
    whether it fills the most possible, ``top`` the bound on them."""
    total = sum(need for _, _, need in d.groups.floors)
    filled = d.filled(sel)
    if filled >= total:
        return None
    if proven:
        return relaxed_floors_text(filled, total)
    if top < total:
        return (
            f"the floors cannot all be met (at most {top} of their {total} places can be "
            f"filled): relaxed; this answer fills {filled}, the most found in the time limit "
            f"(not proven the most), then the best score found with those held"
        )
    return (
        f"the floors were not all met in the time limit: this answer fills {filled} of "
        f"{total} floor places, the most found (not proven that all cannot be met), then "
        f"the best score found with those held"
    )


def _start(
    d: RichData,
    relaxed: B,
    units: StartTable | None,
    deadlines: tuple[float, float],
    stats: dict[str, float],
) -> tuple[B, I64, list[str]]:
    """Repair and insertion, then slot search with sessions: the search's starting answer
    and the rules it still breaks."""
    sel, start, dropped = drop_to_fit(d, relaxed)
    stats["dropped_to_fit"] = float(dropped)
    stats["inserted_pairs"] = float(insert(d, sel, start))
    breaks = rule_breaks(d, sel, start)
    if units is not None and all(b.startswith("floor ") for b in breaks):
        t = time.perf_counter()
        sel, start, better = slot_search(
            d,
            units,
            sel,
            start,
            rounds=SLOT_ROUNDS,
            deadline=deadlines[0],
            floors_deadline=deadlines[1],
        )
        stats["slot_rounds_improved"] = float(better)
        stats["slot_time"] = time.perf_counter() - t
        breaks = rule_breaks(d, sel, start)
    return sel, start, breaks


def _search(
    d: RichData,
    R: I64,
    sel: B,
    start: I64,
    ok: bool,
    seed: int,
    workers: int,
    gap: float,
    bound: float,
    deadline: float,
    stats: dict[str, float],
    report: Callable[[float, float, str], None] = lambda o, b, s: None,
    best: float = float("-inf"),
    top: int = 0,
) -> tuple[B, I64, float] | str | None:
    """CP-SAT over ``R``, starting from ``sel``/``start`` (hinted if ``ok``): its answer and
    bound (the bound only counts when it saw every pair), an explanation if it proved the
    rules infeasible over every pair, or None if it found nothing."""
    p = d.problem
    full = R.size == p.n_edges
    t1 = time.perf_counter()
    model = Model(d, R)
    # Interleaved search aborts the process on some infeasible hinted models (OR-Tools
    # 9.15, observed here), so only a single worker gets the hint; the starting answer is
    # kept whenever the search does not beat it.
    if workers == 1 and ok:
        model.hint(sel, start)
    stats["cpsat_pairs"] = float(R.size)
    stats["build_time"] = time.perf_counter() - t1
    infeasible = "no matching keeps every rule together (CP-SAT proved it over every pair)"
    if d.soft_floors:
        _floors_first(model, d, full, sel if ok else None, top, seed, workers, deadline, stats)
    t_floor = None
    if d.groups.maxmin:
        model.maxmin_stage()
        solver = _solver(seed, workers, (deadline - time.perf_counter()) / 3)
        raw = solver.solve(model.m)
        stats["maxmin_proven"] = float(raw == cp_model.OPTIMAL and full)
        if raw in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
            assert model.t is not None
            t_floor = int(solution[model.t])
            if workers == 1:
                model.hint(*model.decode(solution, p.n_edges))
        elif raw == cp_model.INFEASIBLE and full:
            return infeasible
    model.score_stage(t_floor)
    constant = float(np.asarray(p.unmatched_penalty).sum())
    solver = _solver(seed, workers, deadline - time.perf_counter())

    def each(value: float) -> None:  # each answer's objective, in milli-points
        report(max(best, -value - constant), bound, "cpsat")

    # The model minimises -(score + value of matching) + balance; stop within ``gap``.
    raw = solver.solve(model.m, StopAtGap(-(bound - gap * abs(bound) + constant), each))
    stats["cpsat_time"] = time.perf_counter() - t1 - stats["build_time"]
    if raw == cp_model.INFEASIBLE and full and t_floor is None:
        return infeasible
    if raw not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    solution = np.asarray(solver.response_proto.solution, dtype=np.int64)
    c_sel, c_start = model.decode(solution, p.n_edges)
    c_bound = float("inf")
    if full and not d.groups.maxmin:
        c_bound = -float(solver.best_objective_bound) - constant
        if raw == cp_model.OPTIMAL:
            c_bound = d.objective(c_sel)
    return c_sel, c_start, c_bound
