"""Continuity across terms (``rematch``) and mid-term repair (``repair``).

Optimality is cross-checked against HiGHS (scipy's ``milp``) on the compiled problem with
the side constraint written out directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp
from tests.domain_strategies import cohorts, policies

from matchkit import (
    BreakReason,
    Cohort,
    InputError,
    MatchResult,
    Mentee,
    Mentor,
    Policy,
    Status,
    rematch,
    repair,
    solve,
    verify,
)
from matchkit.compiler.prepare import prepare
from matchkit.compiler.problem import compile_problem
from matchkit.compiler.rules import MILLI
from matchkit.synth import generate, generate_cohort
from matchkit.verify.checks import pair_breaks as rule_broken

LOOSE = Policy(weights={"continuity": 0.0})
"""No continuity weight: the optimum breaks pairs freely, so the rules under test bind."""


def _mentor(mentor_id: str = "m-1", **changes: Any) -> Mentor:
    """A Saturday maths mentor in Mapo-gu; ``changes`` override fields."""
    fields: dict[str, Any] = {
        "subjects": {"math": 4},
        "availability": "Sat 10:00-14:00",
        "district": "Mapo-gu",
        "capacity": 1,
    }
    return Mentor(id=mentor_id, **{**fields, **changes})


def _mentee(mentee_id: str, **changes: Any) -> Mentee:
    """A middle-school maths mentee free on Saturday morning in Mapo-gu."""
    fields: dict[str, Any] = {
        "level": "middle",
        "grade": 1,
        "needs": {"math": 1},
        "availability": "Sat 10:00-12:00",
        "district": "Mapo-gu",
    }
    return Mentee(id=mentee_id, **{**fields, **changes})


def _history(cohort: Cohort) -> list[tuple[str, str]]:
    """Last term's pairs as the strategy drew them, plus one of a mentee who has left."""
    pairs = [(s.id, s.previous_mentor) for s in cohort.mentees if s.previous_mentor]
    if cohort.mentors:
        pairs.append(("s-gone", cohort.mentors[0].id))
    return pairs


def _oracle(
    cohort: Cohort,
    policy: Policy,
    *,
    at_least: tuple[set[tuple[str, str]], int] | None = None,
    unmatched: set[str] = frozenset(),  # type: ignore[assignment]
) -> float:
    """The optimum by HiGHS: at least ``at_least[1]`` of the pairs ``at_least[0]`` kept, the
    mentees ``unmatched`` left out."""
    rules, pinned = prepare(cohort, policy)
    p = compile_problem(rules, pinned).problem
    a = rules.a
    i, j = np.asarray(p.mentee, np.int64), np.asarray(p.mentor, np.int64)
    n = p.n_edges
    penalty = np.asarray(p.unmatched_penalty, dtype=float)
    value = np.asarray(p.score, dtype=float) + penalty[i]
    rows = [np.eye(p.n_mentees)[i].T, np.eye(p.n_mentors)[j].T]
    lo = [np.zeros(p.n_mentees), np.zeros(p.n_mentors)]
    hi = [np.ones(p.n_mentees), np.asarray(p.capacity, dtype=float)]
    if at_least is not None:
        pairs, need = at_least
        rows.append(
            np.array(
                [[(a.s_ids[x], a.t_ids[y]) in pairs for x, y in zip(i, j, strict=True)]], float
            )
        )
        lo.append(np.array([need]))
        hi.append(np.array([np.inf]))
    low = np.asarray(p.pinned, dtype=float)
    up = np.array([a.s_ids[x] not in unmatched for x in i], dtype=float)
    if n == 0:
        return -penalty.sum() / MILLI
    res = milp(
        -value,
        constraints=LinearConstraint(np.vstack(rows), np.concatenate(lo), np.concatenate(hi)),
        integrality=np.ones(n),
        bounds=Bounds(low, up),
    )
    assert res.status == 0, res.message
    return float(round(-res.fun) - penalty.sum()) / MILLI


@given(cohorts(), policies())
def test_require_keeps_every_continuing_pair_that_still_fits(
    cohort: Cohort, policy: Policy
) -> None:
    pairs = _history(cohort)
    result = rematch(pairs, cohort, policy, keep="require")
    here = cohort.with_previous(dict(pairs))
    assert verify(here, policy, result) == []
    t = result.transition
    assert t is not None
    assert t.changes == 0
    assert len(t.kept) + len(t.broken) == len(pairs)
    mentors = {m.id: m for m in cohort.mentors}
    mentees = {s.id: s for s in cohort.mentees}
    kept = set(t.kept)
    for s, m in pairs:
        if s not in mentees or m not in mentors:
            continue
        fits = rule_broken(mentees[s], mentors[m], policy, set()) is None
        capacity_short = any(
            b.reason is BreakReason.MENTOR_CAPACITY and b.mentee_id == s for b in t.broken
        )
        assert ((s, m) in kept) == (fits and not capacity_short), (s, m)
    # Capacity is the only reason a fitting pair is dropped, and only beyond the capacity.
    load: dict[str, int] = {}
    for _, m in t.kept:
        load[m] = load.get(m, 0) + 1
    for b in t.broken:
        if b.reason is BreakReason.MENTOR_CAPACITY:
            assert load.get(b.mentor_id, 0) == mentors[b.mentor_id].capacity


@given(st.integers(0, 10_000), st.integers(3, 8), st.integers(0, 2))
def test_max_changes_is_never_exceeded_and_the_answer_is_optimal(
    seed: int, n_mentors: int, fewer: int
) -> None:
    # Synthetic cohorts: last term's pairs mostly still fit, and without continuity points
    # the optimum breaks some of them (in 23 of the first 30 seeds at this size).
    syn = generate(n_mentors, 4 * n_mentors, seed=seed)
    cohort, pairs = syn.cohort, list(syn.previous_pairs)
    free = rematch(pairs, cohort, LOOSE).transition
    assert free is not None
    max_changes = max(free.changes - 1 - fewer, 0)  # binding whenever pairs are broken freely
    result = rematch(pairs, cohort, LOOSE, keep="prefer", max_changes=max_changes)
    here = cohort.with_previous(dict(pairs))
    assert verify(here, LOOSE, result) == []
    t = result.transition
    assert t is not None
    assert t.changes <= max_changes
    continuing = set(t.kept) | {(b.mentee_id, b.mentor_id) for b in t.broken if b.reason.chosen}
    best = _oracle(here, LOOSE, at_least=(continuing, len(continuing) - max_changes))
    assert result.objective <= best + 1e-6 <= result.bound + 2e-6
    if result.status is Status.OPTIMAL:
        assert result.objective == pytest.approx(best, abs=1e-6)


def test_max_changes_binds_at_seoul_like_scale() -> None:
    syn = generate(60, 240, seed=3)
    free = rematch(syn.previous_pairs, syn.cohort, LOOSE)
    assert free.transition is not None
    assert free.transition.changes > 3  # without the bound, pairs are broken freely
    bounded = rematch(syn.previous_pairs, syn.cohort, LOOSE, max_changes=3)
    assert bounded.transition is not None
    assert bounded.transition.changes <= 3
    assert bounded.objective <= free.objective
    assert bounded.stats["max_changes_flow_solves"] >= 2
    assert verify(syn.cohort.with_previous(dict(syn.previous_pairs)), LOOSE, bounded) == []


def test_mentees_who_lost_their_mentor_come_first() -> None:
    mentor = _mentor()
    mentees = [_mentee(s, level="high") for s in ("s-a", "s-b")]
    cohort = Cohort(mentors=[mentor], mentees=mentees)
    # s-b's mentor graduated; s-a never had one: s-b gets the only place.
    result = rematch([("s-b", "m-graduated")], cohort)
    assert result.mentor_of("s-b") == "m-1"
    broken = result.transition.broken if result.transition else ()
    assert [(b.mentee_id, b.reason) for b in broken] == [("s-b", BreakReason.MENTOR_LEFT)]
    assert solve(cohort).mentor_of("s-a") == "m-1"  # without the history, the ID tie-break


def test_prefer_keeps_working_pairs_with_the_default_weights() -> None:
    syn = generate(60, 240, seed=4)
    result = rematch(syn.previous_pairs, syn.cohort)
    t = result.transition
    assert t is not None
    loose = rematch(syn.previous_pairs, syn.cohort, LOOSE).transition
    assert loose is not None
    assert t.changes < loose.changes / 4  # the continuity weight keeps most working pairs
    assert len(t.new) == len({(m.mentee_id, m.mentor_id) for m in result.matches} - set(t.kept))
    assert MatchResult.model_validate_json(result.model_dump_json()) == result


def test_rematch_rejects_bad_arguments() -> None:
    cohort = generate_cohort(5, 10, seed=1)
    with pytest.raises(InputError, match="two mentors"):
        rematch([("s-000001", "m-1"), ("s-000001", "m-2")], cohort)
    with pytest.raises(ValueError, match="keep"):
        rematch([], cohort, keep="always")
    with pytest.raises(ValueError, match="max_changes"):
        rematch([], cohort, keep="require", max_changes=1)
    with pytest.raises(ValueError, match="max_changes"):
        rematch([], cohort, max_changes=-1)


# --- repair ----------------------------------------------------------------------------------


@given(cohorts(max_mentors=5, max_mentees=9), st.data())
def test_repair_touches_no_other_pair_and_is_optimal_under_that_restriction(
    cohort: Cohort, data: st.DataObject
) -> None:
    before = solve(cohort)
    ids = [m.id for m in cohort.mentors]
    gone = data.draw(
        st.lists(st.sampled_from(ids), unique=True, max_size=2) if ids else st.just([])
    )
    left = data.draw(
        st.lists(st.sampled_from([s.id for s in cohort.mentees]), unique=True, max_size=1)
        if cohort.mentees
        else st.just([])
    )
    waiting = data.draw(st.booleans())
    after = repair(
        before, cohort, removed_mentors=gone, removed_mentees=left, include_unmatched=waiting
    )
    new = cohort.changed(removed_mentors=gone, removed_mentees=left)
    assert verify(new, Policy(), after) == []
    untouched = {
        (m.mentee_id, m.mentor_id)
        for m in before.matches
        if m.mentor_id not in gone and m.mentee_id not in left
    }
    pairs = {(m.mentee_id, m.mentor_id) for m in after.matches}
    assert untouched <= pairs
    movable = {m.mentee_id for m in before.matches if m.mentor_id in gone}
    if waiting:
        movable |= {u.mentee_id for u in before.unmatched}
    assert {s for s, _ in pairs - untouched} <= movable
    # Optimal: HiGHS with the untouched pairs pinned and everyone else who may not move out.
    frozen = {s.id for s in new.mentees} - movable - {s for s, _ in untouched}
    best = _oracle(new, Policy(pinned=tuple(sorted(untouched))), unmatched=frozen)
    assert after.objective == pytest.approx(best, abs=1e-6)


def test_repair_with_new_mentors_places_waiting_mentees() -> None:
    cohort = generate_cohort(40, 200, seed=6)
    before = solve(cohort)
    assert before.unmatched
    extra = [
        m.model_copy(update={"id": f"new-{m.id}"}) for m in generate_cohort(20, 5, seed=7).mentors
    ]
    after = repair(before, cohort, added_mentors=extra)
    assert verify(cohort.changed(added_mentors=extra), Policy(), after) == []
    t = after.transition
    assert t is not None
    assert t.broken == ()
    assert len(t.kept) == len(before.matches)
    assert t.new
    assert all(m.startswith("new-") for _, m in t.new)


def test_repair_rejects_what_it_cannot_do() -> None:
    cohort = generate_cohort(5, 10, seed=1)
    before = solve(cohort)
    with pytest.raises(InputError, match="not in the cohort"):
        repair(before, cohort, removed_mentors=["m-nobody"])
    with pytest.raises(ValueError, match="sessions"):
        repair(before, cohort, Policy(sessions={}))


def test_verify_catches_a_tampered_transition() -> None:
    syn = generate(30, 120, seed=2)
    result = rematch(syn.previous_pairs, syn.cohort, keep="require")
    here = syn.cohort.with_previous(dict(syn.previous_pairs))
    assert verify(here, Policy(), result) == []
    t = result.transition
    assert t is not None
    assert t.kept
    dropped = t.model_copy(update={"kept": t.kept[1:]})
    codes = {
        v.code for v in verify(here, Policy(), result.model_copy(update={"transition": dropped}))
    }
    assert "transition" in codes
    fake = t.broken[0].model_copy(update={"reason": BreakReason.REASSIGNED})
    lying = t.model_copy(update={"broken": (fake, *t.broken[1:])})
    codes = {
        v.code for v in verify(here, Policy(), result.model_copy(update={"transition": lying}))
    }
    assert "max_changes" in codes


def test_a_rematch_result_writes_its_transition_for_spreadsheets(tmp_path: Path) -> None:
    from matchkit.io import read_result, write_result

    syn = generate(30, 120, seed=2)
    result = rematch(syn.previous_pairs, syn.cohort)
    write_result(result, tmp_path / "out")
    assert read_result(tmp_path / "out") == result
    lines = (tmp_path / "out" / "transition.csv").read_text("utf-8-sig").splitlines()
    t = result.transition
    assert t is not None
    assert lines[0] == "mentee_id,mentor_id,outcome,reason,detail"
    assert len(lines) == 1 + len(t.kept) + len(t.broken) + len(t.new)
    assert sum(",broken,mentor_left," in line for line in lines) == sum(
        b.reason is BreakReason.MENTOR_LEFT for b in t.broken
    )


def test_commitment_counts_most_where_support_is_needed_longest() -> None:
    mentor = _mentor(capacity=2, terms_committed=4)
    young = _mentee("s-young", priority=3)
    senior = _mentee("s-senior", level="high", grade=3, priority=0)
    result = solve(Cohort(mentors=[mentor], mentees=[young, senior]))
    points = {m.mentee_id: m.breakdown["commitment"] for m in result.matches}
    assert points == {"s-young": pytest.approx(3.0), "s-senior": pytest.approx(1.5)}


def test_require_with_a_policy_pin_on_a_continuing_pair() -> None:
    mentor, mentee = _mentor(), _mentee("s-1")
    cohort = Cohort(mentors=[mentor], mentees=[mentee])
    policy = Policy(pinned=(("s-1", "m-1"),))
    result = rematch([("s-1", "m-1")], cohort, policy, keep="require")
    assert result.transition is not None
    assert result.transition.kept == (("s-1", "m-1"),)
    assert result.transition.broken == ()
    assert verify(cohort.with_previous({"s-1": "m-1"}), policy, result) == []
