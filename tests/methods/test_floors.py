"""Floors by min-cost flow: an unmeetable floor is relaxed to the most it can reach (the
lexicographic optimum, checked by brute force), with each floor's attainment certified by an
independent count."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from tests.domain_strategies import mentee, mentor

from matchkit import Cohort, Floor, Policy, solve
from matchkit.compiler.groups import GroupRules
from matchkit.core.assignment import Status, objective_value
from matchkit.core.problem import AssignmentProblem
from matchkit.methods.floors import floor_attainment, solve_floors
from matchkit.solvers.network import group_max


def _groups(*floors: tuple[str, list[int], int]) -> GroupRules:
    return GroupRules(
        floors=tuple((label, np.array(rows, np.int64), need) for label, rows, need in floors),
        maxmin=(),
        caps=(),
        limits=(),
    )


def _brute(p: AssignmentProblem, groups: GroupRules) -> tuple[int, float]:
    """The lexicographic optimum (floor places filled, then objective) over every answer."""
    best: tuple[int, float] | None = None
    for bits in itertools.product([False, True], repeat=p.n_edges):
        sel = np.array(bits, dtype=np.bool_)
        if (np.bincount(p.mentee[sel], minlength=p.n_mentees) > 1).any():
            continue
        load = np.bincount(p.mentor[sel], minlength=p.n_mentors)
        if (load > p.capacity).any() or (load < p.min_load).any():
            continue
        matched = np.zeros(p.n_mentees, np.bool_)
        matched[p.mentee[sel]] = True
        filled = sum(min(int(matched[r].sum()), n) for _, r, n in groups.floors)
        key = (filled, objective_value(p, sel))
        best = key if best is None or key > best else best
    assert best is not None
    return best


def _problem(seed: int) -> AssignmentProblem:
    rng = np.random.default_rng(seed)
    nm, nt = 5, 3
    pairs = [(i, j) for i in range(nm) for j in range(nt) if rng.random() < 0.45]
    mentee_, mentor_ = zip(*pairs, strict=True) if pairs else ((), ())
    return AssignmentProblem(
        nm,
        nt,
        mentee=list(mentee_),
        mentor=list(mentor_),
        score=rng.integers(1, 20, len(pairs)).tolist(),
        capacity=rng.integers(1, 3, nt).tolist(),
        unmatched_penalty=rng.integers(0, 30, nm).tolist(),
    )


@pytest.mark.parametrize("seed", range(12))
def test_relaxed_floors_are_the_lexicographic_optimum(seed: int) -> None:
    p = _problem(seed)
    groups = _groups(("a", [0, 1, 2], 3), ("b", [3, 4], 2))
    out = solve_floors(p, groups)
    assert out.status is Status.OPTIMAL
    filled, objective = _brute(p, groups)
    matched = np.zeros(p.n_mentees, np.bool_)
    matched[p.mentee[out.selected]] = True
    got = sum(min(int(matched[r].sum()), n) for _, r, n in groups.floors)
    assert got == filled
    assert out.objective == pytest.approx(objective)
    for a, (_, rows, _) in zip(
        floor_attainment(p, groups, out.selected), groups.floors, strict=True
    ):
        assert a.achieved <= a.attainable == _brute(p, _groups(("g", rows.tolist(), rows.size)))[0]


def test_meetable_floors_are_unchanged() -> None:
    p = AssignmentProblem(3, 2, mentee=[0, 1, 2, 2], mentor=[0, 0, 1, 0], score=[5, 9, 1, 3])
    out = solve_floors(p, _groups(("a", [0], 1)))
    assert out.raw_status != "OPTIMAL_RELAXED"
    assert out.explanation is None
    assert out.selected.tolist() == [True, False, True, False]


def test_group_max_counts_places_not_people() -> None:
    p = AssignmentProblem(3, 1, mentee=[0, 1, 2], mentor=[0, 0, 0], score=[1, 1, 1], capacity=2)
    assert group_max(p, np.array([0, 1, 2], np.int64)) == 2


def _cohort() -> Cohort:
    # Four priority-3 mentees, one needing a subject nobody teaches; one math mentor of
    # capacity 2 and one of capacity 1: at most 3 of the 4 can be matched.
    mentees = [mentee(f"s-{k}", priority=3) for k in range(3)]
    mentees += [mentee("s-3", priority=3, needs={"physics": 1}), mentee("s-4", priority=1)]
    return Cohort(mentors=[mentor("m-1", capacity=2), mentor("m-2")], mentees=mentees)


def test_an_unmeetable_floor_keeps_the_best_partial_answer() -> None:
    policy = Policy(floors=[Floor(field="priority", value=3, min_rate=1.0)])
    result = solve(_cohort(), policy)
    assert result.status is Status.OPTIMAL
    assert result.relaxed
    assert len(result.matches) == 3
    (f,) = result.floors
    assert (f.required, f.achieved, f.attainable, f.met) == (4, 3, 3, False)
    assert f.reason is not None
    assert "only 3 of the 4 mentees in priority=3" in f.reason
    assert any("relaxed" in w for w in result.warnings)
    # every match is a priority-3 mentee: the floor comes before the score
    assert {m.mentee_id for m in result.matches} == {"s-0", "s-1", "s-2"}


def test_a_met_floor_is_reported_and_not_relaxed() -> None:
    policy = Policy(floors=[Floor(field="priority", value=3, min_rate=0.5)])
    result = solve(_cohort(), policy)
    assert not result.relaxed
    (f,) = result.floors
    assert f.met
    assert f.reason is None
    assert f.achieved >= 2
