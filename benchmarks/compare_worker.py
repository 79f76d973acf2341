"""The worker side of :mod:`benchmarks.compare`: one method on one case, in a fresh process."""

from __future__ import annotations

from typing import Any

from benchmarks.compare import ROOT, Case, Limits, _skip

__all__ = ["MATCHKIT", "run_method"]

MATCHKIT = ("auto", "flow", "cpsat")
"""matchkit's own methods: from the cohort (or the problem), end to end."""


def run_method(case: Case, seed: int, method: str, limits: Limits) -> dict[str, Any]:
    """Build the case's problem (untimed), run one method (timed), verify and measure."""
    import gc
    import time

    import numpy as np

    from benchmarks.methods import METHODS, Edges, dense_bytes
    from benchmarks.worker import _peak_mib, _reset_peak, _status_mib
    from matchkit import (
        AssignmentProblem,
        Policy,
        Status,
        solve,
        solve_assignment,
        verify_assignment,
    )
    from matchkit import verify as verify_cohort
    from matchkit.core.assignment import Assignment, objective_value

    cohort = policy = rules = None
    if case.kind == "cohort":
        from matchkit.compiler.prepare import prepare
        from matchkit.compiler.problem import compile_problem
        from matchkit.compiler.rules import MILLI
        from matchkit.synth import generate_cohort
        from matchkit.workflows.solve import join

        cohort = generate_cohort(n_mentors=case.mentors, n_mentees=case.mentees, seed=seed)
        policy = Policy(**dict(case.policy))
        rules, pinned = prepare(cohort, policy)
        problem = compile_problem(rules, pinned).problem
        profit = problem.score + problem.unmatched_penalty[problem.mentee]
    else:
        from benchmarks.instances import Size, ensure_cached, load

        size = Size(case.name.replace(" ", "-"), case.mentees, case.mentors, case.k)
        cache = ensure_cached(ROOT / "benchmarks" / ".cache", size, seed)
        inst = load(cache, "int")
        problem = AssignmentProblem(
            case.mentees, case.mentors, inst.mentee, inst.mentor, inst.score, inst.capacity
        )
        profit = problem.score
    edges = Edges(
        problem.n_mentees,
        problem.n_mentors,
        problem.mentee,
        problem.mentor,
        problem.score,
        profit,
        problem.capacity,
    )
    out: dict[str, Any] = {"case": case.name, "seed": seed, "method": method}
    out["edges"] = edges.n_edges
    reason = _skip(method, edges.n_edges, dense_bytes(edges))
    if reason is not None:
        return {**out, "skipped": reason}

    gc.collect()
    rss_before = _status_mib("VmRSS")
    _reset_peak()
    t0 = time.perf_counter()
    if method in MATCHKIT:
        limit = limits.cpsat_s if method == "cpsat" else None
        if cohort is not None:
            result = solve(cohort, policy, method=method, time_limit=limit, seed=0)
            status = result.status.value
        else:
            a = solve_assignment(problem, method=method, time_limit=limit, seed=0)
            selected, status = a.selected, a.status.value
    else:
        fn = METHODS[method]
        kw = {"time_limit": limits.milp_s if method == "milp" else limits.cpsat_s}
        selected, status = (
            fn(edges, seed, **kw) if method in ("milp", "cpsat_plain") else fn(edges, seed)
        )
    wall = time.perf_counter() - t0
    peak = _peak_mib()
    out.update(wall_s=wall, peak_mib=peak, rss_before_mib=rss_before, status=status)

    if method in MATCHKIT and cohort is not None:
        selected = _selection(problem, rules, result)
    optimal = status == "optimal"
    chosen = np.asarray(selected, dtype=np.bool_)
    value = objective_value(problem, chosen)
    assignment = Assignment(
        problem=problem,
        selected=chosen,
        objective=value,
        bound=value if optimal else float("inf"),  # a heuristic proves no bound
        status=Status.OPTIMAL if optimal else Status.FEASIBLE,
        method=method,
        wall_time=wall,
        raw_status=status,
    )
    out["violations"] = [str(v) for v in verify_assignment(problem, assignment)][:5]
    out["matched"] = int(assignment.selected.sum())
    out["mentees"] = problem.n_mentees
    if cohort is None:
        out["objective"] = float(assignment.objective)
        return out
    assert rules is not None
    assert policy is not None
    res = join(rules, assignment, policy, seed, {}, {})
    out["objective"] = round(res.objective * MILLI) / MILLI
    m = res.metrics()
    top = max(m.match_rate_by_priority) if m.match_rate_by_priority else None
    out["metrics"] = {
        "match_rate": m.match_rate,
        "matched": len(res.matches),
        "top_priority": top,
        "top_priority_rate": m.match_rate_by_priority.get(top, 0.0) if top is not None else None,
        "top_priority_matched": sum(1 for x in res.matches if x.priority == top),
        "mean_subject_fit": m.mean_subject_fit,
        "continuity_kept": m.continuity_kept,
    }
    if case.verify:
        out["violations"] += [str(v) for v in verify_cohort(cohort, policy, res)][:5]
    return out


def _selection(problem: Any, rules: Any, result: Any) -> Any:
    """The edges of ``problem`` that a MatchResult's matches use."""
    import numpy as np

    nt = problem.n_mentors
    s_index = {sid: k for k, sid in enumerate(rules.a.s_ids)}
    t_index = {tid: k for k, tid in enumerate(rules.a.t_ids)}
    keys = [s_index[m.mentee_id] * nt + t_index[m.mentor_id] for m in result.matches]
    edge_keys = problem.mentee.astype(np.int64) * nt + problem.mentor
    return np.isin(edge_keys, np.array(keys, dtype=np.int64))
