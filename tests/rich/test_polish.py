"""Neighbourhood search (matchkit.rich.polish): keeps every rule, never worse, finds gains."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.domain_strategies import cohorts

import matchkit.rich.pipeline as rich
from matchkit import Cohort, Policy
from matchkit.compiler.groups import group_rules
from matchkit.compiler.prepare import prepare
from matchkit.compiler.problem import compile_problem
from matchkit.domain.policy import Floor, GroupCap
from matchkit.rich.bound import session_bound
from matchkit.rich.data import RichData, StartTable, rich_data, rule_breaks
from matchkit.rich.polish import _guided, _Search, polish
from matchkit.synth import generate_cohort

INF = float("inf")


def _data(cohort: Cohort, policy: Policy) -> RichData:
    rules, pinned = prepare(cohort, policy)
    return rich_data(rules, compile_problem(rules, pinned).problem, group_rules(cohort, policy))


def _small(seed: int, buffer: int) -> RichData:
    """5 mentors, 20 mentees, sessions on."""
    policy = Policy(sessions={"offline_buffer_minutes": buffer})
    return _data(generate_cohort(5, 20, seed=seed), policy)


def _every(d: RichData) -> StartTable:
    """Every pair's allowed session starts."""
    return d.start_table(np.arange(d.problem.n_edges, dtype=np.int64))


def _start(d: RichData) -> tuple[np.ndarray, np.ndarray] | None:
    """The rich solve's starting answer (repair and insertion), if it keeps every rule."""
    every = _every(d)
    relaxed = np.zeros(d.problem.n_edges, dtype=np.bool_)
    sel, start, breaks = rich._start(d, relaxed, every, (0.0, 0.0), {})
    return None if breaks else (sel, start)


@settings(max_examples=25, deadline=None)
@given(
    cohort=st.one_of(
        cohorts(max_mentors=6, max_mentees=16),
        st.integers(0, 10_000).map(lambda seed: generate_cohort(6, 30, seed=seed)),
    ),
    buffer=st.sampled_from((0, 30, 60)),
    rules=st.sampled_from(("none", "floor", "cap", "maxmin")),
    guided=st.booleans(),
)
def test_polish_keeps_every_rule_and_never_lowers_the_score(
    cohort: Cohort, buffer: int, rules: str, guided: bool
) -> None:
    extra: dict[str, object] = {
        "none": {},
        "floor": {"floors": [Floor(field="level", min_rate=0.3)]},
        "cap": {"group_caps": [GroupCap(field="level", max_per_mentor=1)]},
        "maxmin": {"maxmin": ["level"]},
    }[rules]
    d = _data(cohort, Policy(sessions={"offline_buffer_minutes": buffer}, **extra))
    found = _start(d)
    if found is None:
        return
    sel, start = found
    guide = None
    if guided:
        every = _every(d)
        _, _, guide = session_bound(d, every, d.objective(sel), iterations=20, deadline=INF)
    a_sel, a_start, _ = polish(d, sel, start, deadline=INF, seed=3, guide=guide)
    assert rule_breaks(d, a_sel, a_start) == []
    assert d.objective(a_sel) >= d.objective(sel)
    b_sel, b_start, _ = polish(d, sel, start, deadline=INF, seed=3, guide=guide)
    assert np.array_equal(a_sel, b_sel)
    assert np.array_equal(a_start, b_start)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), buffer=st.sampled_from((0, 30)))
def test_polish_from_nothing_matches_someone_whenever_anyone_can_be(seed: int, buffer: int) -> None:
    d = _small(seed, buffer)
    n, every = d.problem.n_edges, _every(d)
    empty, none = np.zeros(n, dtype=np.bool_), np.full(n, -1, dtype=np.int64)
    sel, start, improved = polish(d, empty, none, deadline=INF, seed=0)
    assert rule_breaks(d, sel, start) == []
    if every.starts.size == 0:  # no pair has a session time in common
        assert not sel.any()
        return
    assert improved >= 1
    assert d.objective(sel) > d.objective(empty)
    # Polished to a local optimum: no mentee left unmatched has a candidate mentor with
    # nobody and a session time that fits (matching it there alone would be a gain).
    load = np.bincount(d.problem.mentor[sel], minlength=d.problem.n_mentors)
    matched = np.zeros(d.problem.n_mentees, dtype=np.bool_)
    matched[d.problem.mentee[sel]] = True
    for k in range(n):
        i, j = int(d.problem.mentee[k]), int(d.problem.mentor[k])
        if not matched[i] and load[j] == 0:
            assert every.ptr[k + 1] == every.ptr[k], "an idle mentor could take an unmatched mentee"


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000), buffer=st.sampled_from((0, 30)))
def test_guided_polish_closes_the_mentors_schedule_gaps(seed: int, buffer: int) -> None:
    d = _small(seed, buffer)
    n, every = d.problem.n_edges, _every(d)
    _, _, guide = session_bound(d, every, 0.0, iterations=20, deadline=INF)
    if guide is None:
        return
    reduced = d.value() - guide.price[d.problem.mentee]

    def gaps(sel: np.ndarray) -> np.ndarray:
        held = np.bincount(d.problem.mentor[sel], weights=reduced[sel], minlength=len(guide.best))
        return np.maximum(guide.best - held, 0.0)  # type: ignore[no-any-return]

    empty = np.zeros(n, dtype=np.bool_)
    s = _Search(d, empty, np.full(n, -1, dtype=np.int64), seed=0, deadline=INF)
    _guided(s, guide)
    assert rule_breaks(d, s.sel, s.start) == []
    if (gaps(empty) > 1.0).any():
        assert s.improved >= 1
        assert gaps(s.sel).sum() < gaps(empty).sum()
