"""`select_mentors` against an independent MILP (HiGHS), and its invariants.

Exact where small: ``method="auto"`` equals the oracle on random instances with and without
capacities, required mentees, penalties, bonuses, quotas and budgets. The Lagrangian bound is
never below the optimum, an answer never breaks a rule, more candidates never lower the
optimum, and bad input is refused before solving, naming the field.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.solvers.selection_oracle import best_selection

from matchkit import (
    AssignmentProblem,
    InputError,
    Selection,
    Status,
    UnsupportedFeatureError,
    select_mentors,
    verify_assignment,
)
from matchkit.core.assignment import objective_value
from matchkit.solvers.selection import choose_within_quotas

Bool = npt.NDArray[np.bool_]


def _instance(
    seed: int,
) -> tuple[
    AssignmentProblem,
    Bool,
    int,
    npt.NDArray[np.float64],
    bool,
    npt.NDArray[np.int64],
    dict[int, tuple[int | None, int | None]],
]:
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(3, 14)), int(rng.integers(2, 9))
    mask = rng.random((n, m)) < 0.55
    mask[0, 0] = True
    ii, jj = np.nonzero(mask)
    kind = seed % 4
    cap = rng.integers(1, 4, m) if kind in (1, 3) else n
    req = (rng.random(n) < 0.25).astype(int) if kind in (2, 3) else 0
    pen = rng.integers(0, 6, n) if seed % 3 == 0 else 0
    p = AssignmentProblem(
        n,
        m,
        ii,
        jj,
        rng.integers(-3, 12, ii.size),
        capacity=cap,
        required=req,
        unmatched_penalty=pen,
    )
    optional = rng.random(m) < 0.75
    optional[int(rng.integers(m))] = True
    hire = int(rng.integers(0, optional.sum() + 1))
    bonus = rng.integers(0, 5, m).astype(float) * (seed % 5 == 0)
    at_most = seed % 7 == 0
    groups = np.where(optional, rng.integers(0, 2, m), -1).astype(np.int64)
    quotas: dict[int, tuple[int | None, int | None]] = {}
    if seed % 6 == 1 and (groups == 0).any() and hire > 0:
        quotas = {0: (None, max(0, min(hire - 1, int((groups == 0).sum()))))}
        if int((groups == 0).sum()) - 0 + int((groups != 0).sum()) < hire:
            quotas = {}
    return p, optional, hire, bonus, at_most, groups, quotas


def _check_rules(
    s: Selection,
    p: AssignmentProblem,
    hire: int,
    bonus: npt.NDArray[np.float64],
    *,
    at_most: bool = False,
) -> None:
    """Everything an answer claims, recomputed from the arrays."""
    assert not (s.hired & ~s.optional).any()
    n = int(s.hired.sum())
    assert n <= hire if at_most else n == hire
    a = s.assignment
    assert verify_assignment(a.problem, a) == []
    loads = np.bincount(p.mentor[a.selected], minlength=p.n_mentors)
    assert not (loads[s.optional & ~s.hired]).any()  # nobody on an unhired candidate
    recomputed = objective_value(p, np.asarray(a.selected)) + float(bonus[s.hired].sum())
    assert s.objective == pytest.approx(recomputed, abs=1e-6)
    assert s.bound >= s.objective - 1e-6


@pytest.mark.parametrize("seed", range(48))
def test_auto_equals_the_milp_optimum(seed: int) -> None:
    p, optional, hire, bonus, at_most, groups, quotas = _instance(seed)
    try:
        best = best_selection(
            p, hire, optional, bonus, at_most=at_most, groups=groups, quotas=quotas
        )
    except AssertionError:
        pytest.skip("oracle instance not drawable")
    s = select_mentors(
        p,
        hire=hire,
        optional=optional,
        bonus=bonus,
        at_most=at_most,
        groups=groups if quotas else None,
        quotas=quotas or None,
    )
    if best is None:
        assert s.status is Status.INFEASIBLE
        return
    assert s.status is Status.OPTIMAL
    assert s.objective == pytest.approx(best, abs=1e-6)
    _check_rules(s, p, hire, bonus, at_most=at_most)
    if quotas:
        ((g, (least, most)),) = quotas.items()
        chosen = int((s.hired & (groups == g)).sum())
        assert (least or 0) <= chosen <= (hire if most is None else most)


@pytest.mark.parametrize("seed", range(48))
def test_lagrange_bound_is_never_below_the_optimum(seed: int) -> None:
    p, optional, hire, bonus, at_most, _, _ = _instance(seed)
    best = best_selection(p, hire, optional, bonus, at_most=at_most)
    s = select_mentors(
        p, hire=hire, optional=optional, bonus=bonus, at_most=at_most, method="lagrange"
    )
    if best is None:
        assert not s.status.has_solution
        return
    assert s.bound >= best - 1e-6
    if s.status.has_solution:
        assert s.objective <= best + 1e-6
        _check_rules(s, p, hire, bonus, at_most=at_most)


@st.composite
def _selections(draw: st.DrawFn) -> tuple[AssignmentProblem, Bool, int]:
    n = draw(st.integers(2, 9))
    m = draw(st.integers(2, 6))
    pairs = draw(
        st.sets(st.tuples(st.integers(0, n - 1), st.integers(0, m - 1)), min_size=1, max_size=n * m)
    )
    ii = np.array([a for a, _ in sorted(pairs)])
    jj = np.array([b for _, b in sorted(pairs)])
    score = np.array(draw(st.lists(st.integers(-4, 20), min_size=ii.size, max_size=ii.size)))
    cap = np.array(draw(st.lists(st.integers(1, 4), min_size=m, max_size=m)))
    p = AssignmentProblem(n, m, ii, jj, score, capacity=cap)
    optional = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    optional[draw(st.integers(0, m - 1))] = True
    hire = draw(st.integers(0, int(optional.sum())))
    return p, optional, hire


@settings(max_examples=40, deadline=None)
@given(case=_selections())
def test_bound_holds_and_more_candidates_never_lower_the_optimum(
    case: tuple[AssignmentProblem, Bool, int],
) -> None:
    p, optional, hire = case
    best = best_selection(p, hire, optional)
    assert best is not None  # nothing required: every choice is feasible
    lag = select_mentors(p, hire=hire, optional=optional, method="lagrange")
    assert lag.bound >= best - 1e-6
    assert lag.objective <= best + 1e-6
    exact = select_mentors(p, hire=hire, optional=optional)
    assert exact.objective == pytest.approx(best)
    more = optional.copy()
    more[~optional] = True  # every mentor a candidate: a superset of choices
    if more.sum() > optional.sum():
        wider = select_mentors(p, hire=hire + int((~optional).sum()), optional=more)
        assert wider.objective >= exact.objective - 1e-6


@settings(max_examples=30, deadline=None)
@given(
    values=st.lists(st.integers(-5, 20), min_size=2, max_size=9),
    data=st.data(),
)
def test_choice_within_quotas_is_the_best_and_keeps_them(
    values: list[int], data: st.DataObject
) -> None:
    m = len(values)
    value = np.array(values, dtype=float)
    group = np.array(data.draw(st.lists(st.integers(0, 2), min_size=m, max_size=m)))
    lo = np.array([data.draw(st.integers(0, int((group == g).sum()))) for g in range(3)])
    hi = np.array(
        [data.draw(st.integers(int(lo[g]), int((group == g).sum()) + 1)) for g in range(3)]
    )
    hire = data.draw(st.integers(int(lo.sum()), m))
    cand = np.ones(m, dtype=np.bool_)
    forced = np.zeros(m, dtype=np.bool_)
    if int(np.minimum(hi, np.bincount(group, minlength=3)).sum()) < hire:
        return
    chosen = choose_within_quotas(value, cand, forced, group, lo, hi, hire)
    counts = np.bincount(group[chosen], minlength=3)
    assert int(chosen.sum()) == hire
    assert ((counts >= lo) & (counts <= hi)).all()
    # brute force over every subset of the right size within the quotas
    from itertools import combinations

    best = max(
        sum(values[k] for k in c)
        for c in combinations(range(m), hire)
        if all(lo[g] <= sum(group[k] == g for k in c) <= hi[g] for g in range(3))
    )
    assert value[chosen].sum() == best


def _small() -> AssignmentProblem:
    return AssignmentProblem(3, 3, [0, 1, 2, 2], [0, 1, 2, 0], [5, 4, 3, 1], capacity=2)


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"hire": 4}, "too_many", "hire"),
        ({"hire": -1}, "bad_hire", "hire"),
        ({"hire": 1, "groups": [0, 0, 1], "quotas": {7: (None, 1)}}, "unknown_group", "quotas[7]"),
        (
            {"hire": 2, "groups": [0, 0, 0], "quotas": {0: (None, 1)}},
            "quota_sum_below_hire",
            "quotas",
        ),
        (
            {"hire": 1, "groups": [0, 0, 1], "quotas": {0: (1, None), 1: (1, None)}},
            "quota_sum_above_hire",
            "quotas",
        ),
        ({"hire": 1, "groups": [0, 0, 1], "quotas": {1: (2, None)}}, "quota_too_high", "quotas[1]"),
        ({"hire": 1, "optional": [True, False]}, "bad_shape", "optional"),
        ({"hire": 1, "bonus": [1.0, float("nan"), 0.0]}, "bad_bonus", "bonus"),
    ],
)
def test_bad_input_is_refused_before_solving(kwargs: dict, code: str, field: str) -> None:
    with pytest.raises(InputError) as err:
        select_mentors(_small(), **kwargs)
    assert err.value.codes() == [code]
    assert err.value.problems[0].field == field


def test_weights_need_cpsat() -> None:
    p = AssignmentProblem(2, 2, [0, 1], [0, 1], [3, 4], capacity=2, weight=[2, 1])
    with pytest.raises(UnsupportedFeatureError):
        select_mentors(p, hire=1, method="lagrange")
    s = select_mentors(p, hire=1)
    assert s.status is Status.OPTIMAL
    assert s.objective == 4.0
    assert s.method == "cpsat"


def _mid(seed: int = 3) -> tuple[AssignmentProblem, Bool]:
    rng = np.random.default_rng(seed)
    n, m = 600, 160
    ii = np.repeat(np.arange(n), 12)
    jj = np.concatenate([rng.choice(m, 12, replace=False) for _ in range(n)])
    p = AssignmentProblem(
        n,
        m,
        ii,
        jj,
        rng.integers(0, 30, ii.size),
        capacity=rng.integers(2, 6, m),
        unmatched_penalty=rng.integers(5, 15, n),
    )
    optional = np.ones(m, dtype=np.bool_)
    optional[:40] = False
    return p, optional


def test_same_seed_same_answer_and_the_marginal_values() -> None:
    p, optional = _mid()
    a = select_mentors(p, hire=60, optional=optional, method="lagrange", gap=0.0, time_limit=60)
    b = select_mentors(p, hire=60, optional=optional, method="lagrange", gap=0.0, time_limit=60)
    assert np.array_equal(a.hired, b.hired)
    assert a.objective == b.objective
    assert a.bound == b.bound
    _check_rules(a, p, 60, np.zeros(p.n_mentors))
    assert a.gap < 0.05
    # each hire's marginal value: the objective lost without it, re-solved
    j = int(np.flatnonzero(a.hired)[0])
    without = a.hired.copy()
    without[j] = False
    opened = np.where(without | ~optional, p.capacity, 0)
    from matchkit import solve_assignment

    rest = solve_assignment(p.replace(capacity=opened))
    assert a.value[j] == pytest.approx(a.objective - rest.objective)
    assert np.isnan(a.value[~a.hired]).all()


def test_a_time_limit_is_honoured() -> None:
    p, optional = _mid(5)
    t = time.perf_counter()
    s = select_mentors(p, hire=60, optional=optional, time_limit=0.5, gap=0.0)
    assert time.perf_counter() - t < 0.5 + 1.5
    assert s.status.has_solution
    assert math.isfinite(s.bound)


def test_dense_required_median_is_close_to_its_bound() -> None:
    rng = np.random.default_rng(0)
    n = 120
    a, b = rng.random((n, 2)), rng.random((n, 2))
    d = np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1))
    ii, jj = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    p = AssignmentProblem(
        n, n, ii.ravel(), jj.ravel(), -np.rint(1000 * d).ravel(), capacity=n, required=1
    )
    s = select_mentors(p, hire=8, method="lagrange", time_limit=20, marginal=False)
    assert s.status.has_solution
    assert s.gap < 0.01
    assert (s.assignment.mentor_of() >= 0).all()  # every mentee required, every one served


def test_the_work_clock_ends_the_search_the_same_way_every_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With every step charged far above its cost, the work clock (not the wall clock) ends
    the search, after the same steps on every run, however busy the machine."""
    from matchkit.solvers import selection

    monkeypatch.setattr(selection, "WORK_MARGIN", 200.0)
    p, optional = _mid(7)
    runs = [
        select_mentors(p, hire=60, optional=optional, method="lagrange", gap=0.0, time_limit=5)
        for _ in range(2)
    ]
    assert runs[0].wall_time < 4  # stopped by the work clock, well before the wall clock
    assert runs[0].stats["steps"] == runs[1].stats["steps"]
    assert runs[0].stats["swaps"] == runs[1].stats["swaps"]
    assert np.array_equal(runs[0].hired, runs[1].hired)
    assert runs[0].objective == runs[1].objective
    assert runs[0].bound == runs[1].bound


def test_a_selection_too_large_for_the_exact_model_is_polished_to_the_optimum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A programme cohort of 300 mentors (60 stay) and 500 mentees: 22,549 edges, above the
    # exact model's limit; the swaps end 0.013% below the optimum, and CP-SAT on the
    # reduced edges, hinted with their answer, reaches the optimum HiGHS proves.
    from benchmarks.recruit_instances import build_cohort, load_cohort

    import matchkit.solvers.selection as selection

    inst = load_cohort(build_cohort(300, 500, 60, 0, tmp_path, "programme"))
    p = inst.problem()
    assert p.n_edges > selection.EXACT_MAX_EDGES
    best = best_selection(p, 80, inst.optional)
    s = select_mentors(p, hire=80, optional=inst.optional, time_limit=20, marginal=False)
    assert s.stats["polished"] is True
    assert s.objective == best
    assert s.objective == pytest.approx(objective_value(p, np.asarray(s.assignment.selected)))
    assert s.bound >= best
    monkeypatch.setattr(selection, "POLISH_MAX_EDGES", 0)
    unpolished = select_mentors(p, hire=80, optional=inst.optional, time_limit=20, marginal=False)
    assert unpolished.stats["polished"] is False
    assert unpolished.objective < best
