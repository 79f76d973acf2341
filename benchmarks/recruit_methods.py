"""The worker side of :mod:`benchmarks.recruit`: every method on one instance, measured.

The methods, each given the same arrays (:mod:`benchmarks.recruit_instances`), ``hire`` and
time limit:

* ``matchkit``: :func:`matchkit.select_mentors`;
* ``cpsat_plain``: one CP-SAT model of the whole selection written with ``cp_model`` the way
  its samples do (a Boolean per edge and per candidate, no hint), its (time, objective, bound)
  trajectory recorded by a solution callback and a bound callback;
* ``highs``: the same MILP through :func:`scipy.optimize.milp` (HiGHS), told to stop at
  matchkit's gap when the job carries it (``stop_gap``, ``stop_objective``);
* ``greedy``: lazy greedy by marginal value, every gain evaluated exactly by
  :func:`matchkit.solve_assignment`;
* ``rank``: the office's rule, the ``hire`` candidates with the most review points.

Every hire set a method returns is re-solved exactly (``solve_assignment`` on the edges of
the open mentors) so all are measured the same way: its value, matched and top-priority
matched mentees.
"""

from __future__ import annotations

import heapq
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from benchmarks.recruit_instances import Recruit, build_dense, evaluate, load_cohort

__all__ = ["METHODS", "PHASE", "highs_gap", "run_method"]

PHASE = "RECRUIT-PHASE "
"""Progress lines a worker prints (``built <s>``), so a killed worker's row says how far it got."""

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


def _profit(inst: Recruit) -> I64:
    """Score plus the mentee's unmatched penalty: the value of an edge over leaving it out."""
    return inst.score + inst.penalty[inst.mentee]


def _constant(inst: Recruit) -> float:
    return float(inst.penalty.sum())  # demand 1 everywhere


def run_matchkit(inst: Recruit, hire: int, limit: float, bonus: Any, opts: dict[str, Any]) -> Any:
    from matchkit.solvers.selection import select_mentors  # public export pending

    s = select_mentors(
        inst.problem(),
        hire=hire,
        optional=inst.optional,
        bonus=bonus if bonus.any() else None,
        time_limit=limit,
        seed=0,
        marginal=bool(opts.get("marginal", False)),
    )
    found = s.stats.get("found_at") or []
    out = {
        "status": s.status.value,
        "method_used": s.method,
        "objective": s.objective if s.status.has_solution else None,
        "bound": s.bound if math.isfinite(s.bound) else None,
        "gap": s.gap if s.status.has_solution else None,
        "last_found_s": found[-1][0] if found else None,
        "stats": {k: v for k, v in s.stats.items() if isinstance(v, int | float)},
    }
    return (s.hired if s.status.has_solution else None), out


def _phase(text: str) -> None:
    print(PHASE + text, file=sys.stderr, flush=True)


def run_cpsat_plain(
    inst: Recruit, hire: int, limit: float, bonus: Any, opts: dict[str, Any]
) -> Any:
    from ortools.sat.python import cp_model

    t0 = time.perf_counter()
    build_limit = float(opts["build_limit"])
    model = cp_model.CpModel()
    cand = np.flatnonzero(inst.optional)
    y: list[Any] = [None] * inst.n_mentors
    for j in cand.tolist():
        y[j] = model.new_bool_var(f"y{j}")
    mentee, mentor = inst.mentee.tolist(), inst.mentor.tolist()
    x = []
    by_mentee: list[list[Any]] = [[] for _ in range(inst.n_mentees)]
    by_mentor: list[list[Any]] = [[] for _ in range(inst.n_mentors)]
    for e, (i, j) in enumerate(zip(mentee, mentor, strict=True)):
        v = model.new_bool_var("")
        x.append(v)
        by_mentee[i].append(v)
        by_mentor[j].append(v)
        if y[j] is not None:
            model.add(v <= y[j])
        if e % 100_000 == 0 and time.perf_counter() - t0 > build_limit:
            return None, {"status": f"did not build in {build_limit:g} s", "built": False}
    cap, req = inst.capacity.tolist(), inst.required.tolist()
    total = cp_model.LinearExpr.sum
    for i, vs in enumerate(by_mentee):
        if req[i]:
            model.add(total(vs) == 1)
        elif vs:
            model.add_at_most_one(vs)
    for j, vs in enumerate(by_mentor):
        if vs:
            model.add(total(vs) <= cap[j] * (1 if y[j] is None else y[j]))
    model.add(total([y[j] for j in cand.tolist()]) == hire)
    coeffs = _profit(inst).tolist() + bonus[cand].tolist()
    model.maximize(cp_model.LinearExpr.weighted_sum(x + [y[j] for j in cand.tolist()], coeffs))
    build = time.perf_counter() - t0
    _phase(f"built {build:.1f}")
    constant = _constant(inst)
    events: list[tuple[float, float | None, float]] = []

    class Recorder(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            now = time.perf_counter() - t0
            events.append(
                (now, self.objective_value - constant, self.best_objective_bound - constant)
            )

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = limit
    solver.best_bound_callback = lambda b: events.append(
        (time.perf_counter() - t0, None, b - constant)
    )
    raw = solver.solve(model, Recorder())
    out: dict[str, Any] = {
        "status": solver.status_name(raw).lower(),
        "built": True,
        "build_s": build,
        "trajectory": _trajectory(events),
    }
    if raw not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None, out
    out["objective"] = solver.objective_value - constant
    out["bound"] = solver.best_objective_bound - constant
    out["gap"] = _gap(out["objective"], out["bound"])
    hired = np.zeros(inst.n_mentors, dtype=np.bool_)
    hired[cand] = [solver.boolean_value(y[j]) for j in cand.tolist()]
    return hired, out


def _trajectory(events: list[tuple[float, float | None, float]]) -> list[list[float | None]]:
    """(seconds, best objective so far, best bound so far) after every event."""
    best, bound, rows = None, math.inf, []
    for t, obj, b in sorted(events, key=lambda e: e[0]):
        if obj is not None:
            best = obj if best is None else max(best, obj)
        bound = min(bound, b)
        rows.append([t, best, bound])
    return rows


def _gap(objective: float, bound: float) -> float:
    return max(0.0, bound - objective) / max(1.0, abs(objective))


HIGHS_STATUS = {0: "optimal", 1: "time limit", 2: "infeasible", 3: "unbounded", 4: "other"}
"""scipy ``milp``'s status codes."""


def run_highs(inst: Recruit, hire: int, limit: float, bonus: Any, opts: dict[str, Any]) -> Any:
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_array

    t0 = time.perf_counter()
    n, nm, nt = inst.n_edges, inst.n_mentees, inst.n_mentors
    cand = np.flatnonzero(inst.optional)
    ycol = np.full(nt, -1, dtype=np.int64)
    ycol[cand] = n + np.arange(cand.size)
    k = np.arange(n)
    linked = np.flatnonzero(ycol[inst.mentor] >= 0)
    # rows: mentees | mentors (sum x - cap y <= 0, or <= cap) | x_e - y_j <= 0 | sum y = hire
    r_link = nm + nt + np.arange(linked.size)
    r_hire = nm + nt + linked.size
    rows = [inst.mentee, nm + inst.mentor, nm + cand, r_link, r_link, np.full(cand.size, r_hire)]
    cols = [k, k, ycol[cand], linked, ycol[inst.mentor[linked]], ycol[cand]]
    vals = [np.ones(n), np.ones(n), -inst.capacity[cand].astype(np.float64)]
    vals += [np.ones(linked.size), -np.ones(linked.size), np.ones(cand.size)]
    a = coo_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(r_hire + 1, n + cand.size),
    ).tocsr()
    fixed_cap = np.where(inst.optional, 0, inst.capacity).astype(np.float64)
    lower = np.concatenate(
        [inst.required, np.full(nt, -np.inf), np.full(linked.size, -np.inf), [hire]]
    )
    upper = np.concatenate([np.ones(nm), fixed_cap, np.zeros(linked.size), [hire]])
    c = -np.concatenate([_profit(inst), bonus[cand]]).astype(np.float64)
    build = time.perf_counter() - t0
    _phase(f"built {build:.1f}")
    constant = _constant(inst)
    options: dict[str, Any] = {"time_limit": limit, "disp": False}
    if opts.get("stop_gap") is not None:
        options["mip_rel_gap"] = highs_gap(
            float(opts["stop_gap"]), float(opts["stop_objective"]), constant
        )
    res = milp(
        c=c,
        constraints=LinearConstraint(a, lower, upper),
        integrality=np.ones(c.size),
        bounds=Bounds(0, 1),
        options=options,
    )
    out: dict[str, Any] = {
        "status": HIGHS_STATUS.get(res.status, f"status {res.status}"),
        "raw_status": res.message,
        "built": True,
        "build_s": build,
        "mip_rel_gap_asked": options.get("mip_rel_gap"),
    }
    dual = getattr(res, "mip_dual_bound", None)
    if dual is not None and math.isfinite(dual):
        out["bound"] = -float(dual) - constant
    if res.x is None:
        return None, out
    out["objective"] = -float(res.fun) - constant
    out["gap"] = _gap(out["objective"], out["bound"]) if "bound" in out else None
    out["mip_gap"] = getattr(res, "mip_gap", None)
    hired = np.zeros(nt, dtype=np.bool_)
    hired[cand] = res.x[n:] > 0.5
    return hired, out


def highs_gap(gap: float, objective: float, constant: float) -> float:
    """HiGHS's ``mip_rel_gap`` for matchkit's ``gap`` at ``objective``: the same distance
    between answer and bound, relative to HiGHS's objective (``objective + constant``: the
    unmatched penalties counted as profit), a little under so HiGHS stops at or inside it."""
    distance = gap * max(1.0, abs(objective))
    return 0.999 * distance / max(1.0, abs(objective + constant))


def _alone(inst: Recruit, profit: I64) -> npt.NDArray[np.float64]:
    """Each mentor's value alone: its ``capacity`` best positive profits (a valid first key
    for lazy greedy: the value of a set is submodular, so a gain is at most this)."""
    order = np.lexsort((-profit, inst.mentor))
    j = inst.mentor[order]
    starts = np.searchsorted(j, np.arange(inst.n_mentors))
    rank = np.arange(order.size) - starts[j]
    keep = (rank < inst.capacity[j]) & (profit[order] > 0)
    value = np.bincount(j[keep], weights=profit[order][keep], minlength=inst.n_mentors)
    return value.astype(np.float64)


def run_greedy(inst: Recruit, hire: int, limit: float, bonus: Any, opts: dict[str, Any]) -> Any:
    """Lazy greedy by marginal value. Required mentees count, while the greedy runs, as a
    penalty larger than any other difference (so an infeasible start has finite values)."""
    from matchkit import AssignmentProblem, solve_assignment

    t0 = time.perf_counter()
    spread = int(inst.score.max() - inst.score.min()) + int(inst.penalty.max()) + 1
    big = inst.n_mentees * spread
    pen = inst.penalty + big * inst.required
    profit = inst.score + pen[inst.mentee]

    def value(open_: Bool) -> float:  # in profit units (the constant left out)
        keep = open_[inst.mentor]
        sub = AssignmentProblem(
            inst.n_mentees,
            inst.n_mentors,
            inst.mentee[keep],
            inst.mentor[keep],
            profit[keep],
            inst.capacity,
        )
        return float(solve_assignment(sub, seed=0).objective)

    hired = np.zeros(inst.n_mentors, dtype=np.bool_)
    base = ~inst.optional
    current = value(base) if base.any() else 0.0
    seen = np.zeros(inst.n_mentors)  # the value with each candidate, when last evaluated
    key = _alone(inst, profit) + bonus
    heap = [(-float(key[j]), j) for j in np.flatnonzero(inst.optional).tolist()]
    heapq.heapify(heap)
    fresh = np.full(inst.n_mentors, -1)
    solves = 0
    while int(hired.sum()) < hire and heap and time.perf_counter() - t0 < limit:
        _, j = heapq.heappop(heap)
        if fresh[j] == hired.sum():  # its gain is up to date and still the best: hire it
            hired[j] = True
            current = float(seen[j])
            continue
        trial = base | hired
        trial[j] = True
        seen[j] = value(trial)
        gain = seen[j] - current + float(bonus[j])
        solves += 1
        fresh[j] = hired.sum()
        heapq.heappush(heap, (-gain, j))
    reached = hired.copy()
    # The rest (when time ran out) taken from the queue by their last known gain.
    while int(hired.sum()) < hire and heap:
        hired[heapq.heappop(heap)[1]] = True
    out = {"status": "done", "hires_reached": int(reached.sum()), "solves": solves}
    if int(reached.sum()) < hire:
        out["partial"] = reached
    return hired, out


def run_rank(inst: Recruit, hire: int, limit: float, bonus: Any, opts: dict[str, Any]) -> Any:
    cand = np.flatnonzero(inst.optional)
    top = cand[np.lexsort((cand, -inst.review[cand]))[:hire]]
    hired = np.zeros(inst.n_mentors, dtype=np.bool_)
    hired[top] = True
    return hired, {"status": "done"}


METHODS = {
    "matchkit": run_matchkit,
    "cpsat_plain": run_cpsat_plain,
    "highs": run_highs,
    "greedy": run_greedy,
    "rank": run_rank,
}


def run_method(job: dict[str, Any]) -> dict[str, Any]:
    """One method on one instance (built untimed), timed, its hire set re-solved exactly."""
    import gc

    # Every method's libraries loaded before the clock, so all start from the same RSS.
    import ortools.sat.python.cp_model  # noqa: F401
    import scipy.optimize  # noqa: F401

    import matchkit.solvers.selection  # noqa: F401  (matchkit.solvers with it)
    from benchmarks.worker import _peak_mib, _reset_peak, _status_mib

    if job["kind"] == "cohort":
        inst = load_cohort(Path(job["path"]))
    else:
        inst = build_dense(job["candidates"], job["mentees"], job["seed"], job["scores"])
    bonus = float(job["bonus_weight"]) * inst.review.astype(np.float64)
    gc.collect()
    rss_before = _status_mib("VmRSS")
    _reset_peak()
    t0 = time.perf_counter()
    hired, out = METHODS[job["method"]](inst, job["hire"], job["time_limit"], bonus, job)
    assert isinstance(out, dict)
    wall = time.perf_counter() - t0
    out.update(wall_s=wall, peak_mib=_peak_mib(), rss_before_mib=rss_before, edges=inst.n_edges)
    if hired is not None:
        t1 = time.perf_counter()
        out.update(evaluate(inst, hired, bonus))
        out["evaluate_s"] = time.perf_counter() - t1
        out["hired"] = int(hired.sum())
        out["review_hired"] = int(inst.review[hired].sum())
    partial = out.pop("partial", None)
    if partial is not None:  # greedy stopped by the time limit: the set it had reached
        out["reached"] = evaluate(inst, partial, bonus)
    return out
