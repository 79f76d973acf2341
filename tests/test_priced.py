"""The ``priced`` backend (min-cost flow on priced edges, circulation steps) against flow."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.strategies import problems

import matchkit.solvers.priced as priced
import matchkit.solvers.simplex as simplex
from matchkit import AssignmentProblem, UnsupportedFeatureError, solve_assignment, verify_assignment


def _solve(problem: AssignmentProblem, **constants: float) -> object:
    with pytest.MonkeyPatch.context() as m:
        for name, value in constants.items():
            m.setattr(priced, name, value)
        return solve_assignment(problem, method="priced")


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
        CANDIDATES=candidates,
        FALLBACKS=fallbacks,
        ADDED=added,
        REPAIR_SHARE=share,
    )
    b = solve_assignment(problem, method="flow")
    assert a.method == "priced"  # type: ignore[attr-defined]
    assert a.status.value == "optimal"  # type: ignore[attr-defined]
    assert a.objective == pytest.approx(b.objective, abs=1e-9)  # type: ignore[attr-defined]
    assert a.bound == a.objective  # type: ignore[attr-defined]
    assert verify_assignment(problem, a) == []  # type: ignore[arg-type]


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
    a = _solve(p, CANDIDATES=2, FALLBACKS=2, ADDED=3)
    b = solve_assignment(p, method="flow")
    assert a.method == "priced"  # type: ignore[attr-defined]
    assert a.stats["rounds"] >= 2  # type: ignore[attr-defined]
    assert a.stats["priced_edges"] < p.n_edges  # type: ignore[attr-defined]
    assert a.objective == b.objective  # type: ignore[attr-defined]
    assert verify_assignment(p, a) == []  # type: ignore[arg-type]


def test_circulations_alone_reach_the_optimum() -> None:
    """After the first solve, only full circulation steps (no second solve) on these instances."""
    for seed in range(4):
        p = _crowded(seed)
        a = _solve(p, CANDIDATES=4, FALLBACKS=8, REPAIR_SHARE=10.0**9)
        assert a.stats["flow_solves"] == 1  # type: ignore[attr-defined]
        assert a.stats["circulations"] >= 1  # type: ignore[attr-defined]
        assert a.objective == solve_assignment(p, method="flow").objective  # type: ignore[attr-defined]


def test_partial_circulations_are_proven_over_the_edges_offered() -> None:
    """A small circulation budget: answers optimal over the edges offered only, priced again."""
    partial = 0
    for seed in range(4):
        p = _crowded(seed)
        a = _solve(p, CANDIDATES=2, FALLBACKS=4, REPAIR_SHARE=0.05)
        partial += a.stats["partial_circulations"]  # type: ignore[attr-defined]
        assert a.method == "priced"  # type: ignore[attr-defined]
        assert a.objective == solve_assignment(p, method="flow").objective  # type: ignore[attr-defined]
    assert partial >= 1


def test_an_answer_without_a_certificate_is_never_returned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A solve that returned a poor answer (here: nobody) would get prices that satisfy every
    edge but no duality certificate; the problem then goes to the flow backend."""
    p = _crowded(8)
    monkeypatch.setattr(priced, "_flow", lambda *args: np.zeros(0, dtype=np.int64))
    a = solve_assignment(p, method="priced")
    assert a.method == "flow"
    assert a.objective == solve_assignment(p, method="flow").objective


def test_too_many_rounds_hand_the_problem_to_flow() -> None:
    p = _crowded(5)
    a = _solve(p, CANDIDATES=1, FALLBACKS=0, ADDED=1, REPAIR_SHARE=0.0, MAX_ROUNDS=1)
    assert a.method == "flow"  # type: ignore[attr-defined]
    assert a.stats["priced_time"] > 0  # type: ignore[attr-defined]
    assert a.objective == solve_assignment(p, method="flow").objective  # type: ignore[attr-defined]


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


def test_auto_takes_priced_where_simplex_does_not_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    p = _crowded(6)  # 40 candidates per mentee, crowded
    assert solve_assignment(p).method == "flow"  # 16,000 edges: below AUTO_MIN_EDGES
    monkeypatch.setattr(priced, "AUTO_MIN_EDGES", p.n_edges)
    monkeypatch.setattr(simplex, "AUTO_MAX_DEGREE", 39)  # simplex: too many per mentee
    a = solve_assignment(p)
    assert a.method == "priced"
    assert a.objective == solve_assignment(p, method="flow").objective
    pinned = AssignmentProblem(2, 1, mentee=[0, 1], mentor=[0, 0], score=[1, 2], pinned=[0])
    monkeypatch.setattr(priced, "AUTO_MIN_EDGES", 0)
    assert solve_assignment(pinned).method == "flow"  # pins: priced does not apply
    with pytest.raises(UnsupportedFeatureError, match="pinned"):
        solve_assignment(pinned, method="priced")


@settings(max_examples=100, deadline=None)
@given(problem=problems(penalties=True), data=st.data())
def test_any_start_gives_the_same_optimum(problem: AssignmentProblem, data: st.DataObject) -> None:
    start = np.array(
        data.draw(st.lists(st.booleans(), min_size=problem.n_edges, max_size=problem.n_edges)),
        dtype=np.bool_,
    )
    with pytest.MonkeyPatch.context() as m:
        m.setattr(priced, "CANDIDATES", 1)
        m.setattr(priced, "FALLBACKS", 1)
        a = solve_assignment(problem, method="priced", start=start)
    assert a.method == "priced"
    assert a.objective == pytest.approx(solve_assignment(problem, method="flow").objective)


def test_starting_from_the_answer_before_a_change() -> None:
    """Remove some mentors, start from the old answer: the new optimum, in fewer rounds."""
    p = _crowded(9)
    before = _solve(p, CANDIDATES=2, FALLBACKS=2)
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
    with pytest.MonkeyPatch.context() as m:
        m.setattr(priced, "CANDIDATES", 2)
        m.setattr(priced, "FALLBACKS", 2)
        cold = solve_assignment(q, method="priced")
        warm = solve_assignment(q, method="priced", start=before.selected[kept])  # type: ignore[attr-defined]
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
    a = _solve(p, CANDIDATES=2, FALLBACKS=2)
    b = _solve(p, CANDIDATES=2, FALLBACKS=2)
    assert np.array_equal(a.selected, b.selected)  # type: ignore[attr-defined]
    counts = [{k: v for k, v in r.stats.items() if not k.endswith("_time")} for r in (a, b)]  # type: ignore[attr-defined]
    assert counts[0] == counts[1]
