"""The ``priced`` backend (min-cost flow on priced edges, circulation steps) against flow."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import problems

import matchkit.solvers.priced as priced
import matchkit.solvers.simplex as simplex
from matchkit import (
    Assignment,
    AssignmentProblem,
    UnsupportedFeatureError,
    solve_assignment,
    verify_assignment,
)
from matchkit.solvers import BACKENDS, SolveOptions
from matchkit.solvers.priced import PricedTuning


def _solve(
    problem: AssignmentProblem, start: np.ndarray | None = None, **tuning: float
) -> Assignment:
    """The backend itself, with its constants set for this call (``PricedTuning``)."""
    options = SolveOptions(hint=start)
    return priced.solve_priced(problem, options, tuning=PricedTuning(**tuning))


@settings(max_examples=300, deadline=None)
@given(
    problem=st.one_of(problems(), problems(penalties=True), problems(float_scores=True)),
    candidates=st.integers(0, 3),
    fallbacks=st.integers(0, 3),
    added=st.integers(1, 3),
    share=st.sampled_from([0.0, 0.05, 0.3, 100.0]),
)
def test_priced_and_flow_agree_whatever_the_first_edges(
    problem: AssignmentProblem,
    candidates: int,
    fallbacks: int,
    added: int,
    share: float,
) -> None:
    """Few first edges force pricing rounds, full and partial circulation steps (share 0: nothing
    offered beyond the bound) and solves again; the answer is the flow backend's optimum,
    proven by the prices (never handed on)."""
    a = _solve(
        problem,
        candidates=candidates,
        fallbacks=fallbacks,
        added=added,
        circulation_share=share,
    )
    b = solve_assignment(problem, method="flow")
    assert a.method == "priced"
    assert a.status.value == "optimal"
    assert a.objective == pytest.approx(b.objective, abs=1e-9)
    assert a.bound == a.objective
    assert verify_assignment(problem, a) == []


def _crowded(seed: int, n: int = 400, m: int = 80, k: int = 40) -> AssignmentProblem:
    """Fewer places than mentees, everyone's favourites shared: a small Seoul cohort."""
    rng = np.random.default_rng(seed)
    mentor = np.concatenate([rng.choice(m, k, replace=False) for _ in range(n)])
    popular = 300 - 3 * mentor  # low-numbered mentors are wanted by everyone
    score = popular + rng.integers(0, 200, n * k)
    penalty = rng.choice([750, 1000, 1250], n)
    capacity = rng.integers(1, 6, m)
    return AssignmentProblem(
        n, m, np.repeat(np.arange(n), k), mentor, score, capacity, unmatched_penalty=penalty
    )


@pytest.mark.parametrize("seed", range(4))
def test_crowded_problems_take_rounds_and_circulations(seed: int) -> None:
    p = _crowded(seed)
    a = _solve(p, candidates=2, fallbacks=2, added=3)
    b = solve_assignment(p, method="flow")
    assert a.method == "priced"
    assert a.stats["rounds"] >= 2
    assert a.stats["priced_edges"] < p.n_edges
    assert a.objective == b.objective
    assert verify_assignment(p, a) == []


def test_circulations_alone_reach_the_optimum() -> None:
    """After the first solve, only full circulation steps (no second solve) on these instances."""
    for seed in range(4):
        p = _crowded(seed)
        a = _solve(p, candidates=4, fallbacks=8, circulation_share=10.0**9)
        assert a.stats["flow_solves"] == 1
        assert a.stats["circulations"] >= 1
        assert a.objective == solve_assignment(p, method="flow").objective


def test_partial_circulations_are_proven_over_the_edges_offered() -> None:
    """A small circulation budget: answers optimal over the edges offered only, priced again."""
    partial = 0
    for seed in range(4):
        p = _crowded(seed)
        a = _solve(p, candidates=2, fallbacks=4, circulation_share=0.05)
        partial += a.stats["partial_circulations"]
        assert a.method == "priced"
        assert a.objective == solve_assignment(p, method="flow").objective
    assert partial >= 1


def test_an_answer_without_a_certificate_is_never_returned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A solve that returned a poor answer (here: nobody) would get prices that satisfy every
    edge but no duality certificate; the problem then goes to the flow backend."""
    p = _crowded(8)
    # Fault injection (no argument would do: nothing but a broken solve returns this), the
    # one module attribute these tests patch.
    monkeypatch.setattr(priced, "_flow", lambda *args: np.zeros(0, dtype=np.int64))
    a = solve_assignment(p, method="priced")
    assert a.method == "flow"
    assert a.objective == solve_assignment(p, method="flow").objective


def test_too_many_rounds_hand_the_problem_to_flow() -> None:
    p = _crowded(5)
    a = _solve(p, candidates=1, fallbacks=0, added=1, circulation_share=0.0, max_rounds=1)
    assert a.method == "flow"
    assert a.stats["priced_time"] > 0
    assert a.objective == solve_assignment(p, method="flow").objective


def test_nobody_worth_matching_and_people_without_places() -> None:
    p = AssignmentProblem(
        3,
        2,
        mentee=[0, 1, 2, 2],
        mentor=[0, 0, 1, 0],
        score=[-5, 4, 7, 3],
        capacity=[1, 0],
        demand=[1, 1, 0],
    )
    a = solve_assignment(p, method="priced")
    assert a.mentor_of().tolist() == [-1, 0, -1]
    assert a.objective == 4.0
    nothing = AssignmentProblem(2, 1, mentee=[0, 1], mentor=[0, 0], score=[-1, -2])
    assert not solve_assignment(nothing, method="priced").selected.any()


def test_auto_takes_priced_where_simplex_does_not_fit() -> None:
    small = _crowded(6)  # 40 candidates per mentee, crowded
    assert solve_assignment(small).method == "flow"  # 16,000 edges: below AUTO_MIN_EDGES
    assert not priced.takes(small)
    assert priced.takes(small, PricedTuning(auto_min_edges=small.n_edges))
    # At the real threshold: 1,500 mentees with 150 candidates each (225,000 edges), more
    # per mentee than the simplex backend takes.
    p = _crowded(6, n=1500, m=300, k=150)
    assert p.n_edges >= priced.AUTO_MIN_EDGES
    assert not simplex.takes(p)
    a = solve_assignment(p)
    assert a.method == "priced"
    assert a.objective == solve_assignment(p, method="flow").objective
    pinned = AssignmentProblem(2, 1, mentee=[0, 1], mentor=[0, 0], score=[1, 2], pinned=[0])
    assert not BACKENDS["priced"].fits(pinned)  # pins: priced does not apply
    with pytest.raises(UnsupportedFeatureError, match="pinned"):
        solve_assignment(pinned, method="priced")


@settings(max_examples=100, deadline=None)
@given(problem=problems(penalties=True), data=st.data())
def test_any_start_gives_the_same_optimum(problem: AssignmentProblem, data: st.DataObject) -> None:
    start = np.array(
        data.draw(st.lists(st.booleans(), min_size=problem.n_edges, max_size=problem.n_edges)),
        dtype=np.bool_,
    )
    a = _solve(problem, start, candidates=1, fallbacks=1)
    assert a.method == "priced"
    assert a.objective == pytest.approx(solve_assignment(problem, method="flow").objective)


def test_starting_from_the_answer_before_a_change() -> None:
    """Remove some mentors, start from the old answer: the new optimum, in fewer rounds."""
    p = _crowded(9)
    before = _solve(p, candidates=2, fallbacks=2)
    kept = ~np.isin(p.mentor, [1, 2, 3])
    q = AssignmentProblem(
        p.n_mentees,
        p.n_mentors,
        p.mentee[kept],
        p.mentor[kept],
        p.score[kept],
        p.capacity,
        unmatched_penalty=p.unmatched_penalty,
    )
    cold = _solve(q, candidates=2, fallbacks=2)
    warm = _solve(q, before.selected[kept], candidates=2, fallbacks=2)
    assert warm.objective == cold.objective == solve_assignment(q, method="flow").objective
    assert warm.stats["rounds"] <= cold.stats["rounds"]


def test_a_start_of_the_wrong_shape_is_a_clear_error() -> None:
    p = _crowded(10)
    with pytest.raises(ValueError, match="start must be a boolean selection over the problem's"):
        solve_assignment(p, start=np.zeros(3, dtype=np.bool_))
    with pytest.raises(ValueError, match="dtype int64"):
        solve_assignment(p, start=np.zeros(p.n_edges, dtype=np.int64))


def test_the_same_input_gives_the_same_answer() -> None:
    p = _crowded(7)
    a = _solve(p, candidates=2, fallbacks=2)
    b = _solve(p, candidates=2, fallbacks=2)
    assert np.array_equal(a.selected, b.selected)
    counts = [{k: v for k, v in r.stats.items() if not k.endswith("_time")} for r in (a, b)]
    assert counts[0] == counts[1]
