"""Stable matching (``method="stable"``) and ``blocking_pairs``.

The deferred-acceptance core is cross-checked against the ``matching`` package's
hospital-resident solver (resident-optimal), an independent implementation.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from matching.games import HospitalResident
from tests.domain_strategies import cohorts, policies

from matchkit import (
    Cohort,
    Mentee,
    Mentor,
    Policy,
    UnsupportedFeatureError,
    blocking_pairs,
    solve,
    verify,
)
from matchkit.methods.stable import deferred_acceptance
from matchkit.synth import generate_cohort


def _random_hr(rng: random.Random, n_res: int, n_hosp: int) -> tuple[dict, dict, dict]:
    """Random strict, mutually consistent preference lists and capacities."""
    acceptable = {
        r: rng.sample(range(n_hosp), rng.randint(0, min(n_hosp, 4))) for r in range(n_res)
    }
    hosp_prefs: dict[int, list[int]] = {h: [] for h in range(n_hosp)}
    for r, hs in acceptable.items():
        for h in hs:
            hosp_prefs[h].append(r)
    for h in hosp_prefs:
        rng.shuffle(hosp_prefs[h])
    caps = {h: rng.randint(1, 3) for h in range(n_hosp)}
    return acceptable, hosp_prefs, caps


def _ours(acceptable: dict, hosp_prefs: dict, caps: dict) -> set[tuple[int, int]]:
    mentee, mentor, s_rank, t_rank = [], [], [], []
    for r, hs in acceptable.items():
        for k, h in enumerate(hs):
            mentee.append(r)
            mentor.append(h)
            s_rank.append(k)
            t_rank.append(hosp_prefs[h].index(r))
    sel = deferred_acceptance(
        len(acceptable),
        len(hosp_prefs),
        np.array(mentee, dtype=np.int64),
        np.array(mentor, dtype=np.int64),
        np.array(s_rank, dtype=np.int64),
        np.array(t_rank, dtype=np.int64),
        np.array([caps[h] for h in range(len(hosp_prefs))], dtype=np.int64),
    )
    return {(mentee[e], mentor[e]) for e in np.flatnonzero(sel)}


def _theirs(acceptable: dict, hosp_prefs: dict, caps: dict) -> set[tuple[int, int]]:
    game = HospitalResident.create_from_dictionaries(
        {f"r{r}": [f"h{h}" for h in hs] for r, hs in acceptable.items() if hs},
        {f"h{h}": [f"r{r}" for r in rs] for h, rs in hosp_prefs.items() if rs},
        {f"h{h}": c for h, c in caps.items() if hosp_prefs[h]},
    )
    answer = game.solve(optimal="resident")
    return {
        (int(r.name[1:]), int(h.name[1:])) for h, residents in answer.items() for r in residents
    }


@pytest.mark.parametrize("seed", range(40))
def test_deferred_acceptance_equals_the_matching_package(seed: int) -> None:
    rng = random.Random(seed)
    instance = _random_hr(rng, rng.randint(1, 40), rng.randint(1, 12))
    assert _ours(*instance) == _theirs(*instance)


@given(cohorts(), policies())
def test_stable_answers_verify_and_have_no_blocking_pairs(cohort: Cohort, policy: Policy) -> None:
    result = solve(cohort, policy, method="stable")
    assert verify(cohort, policy, result) == []
    assert blocking_pairs(cohort, policy, result) == []
    optimum = solve(cohort, policy)
    assert result.objective <= optimum.objective + 1e-9
    assert result.bound == pytest.approx(optimum.objective)
    assert result.stats["optimal_objective"] == pytest.approx(optimum.objective)


@given(cohorts(max_mentors=5, max_mentees=8), st.randoms(use_true_random=False))
def test_stable_answer_does_not_depend_on_input_order(cohort: Cohort, rnd: random.Random) -> None:
    mentors, mentees = list(cohort.mentors), list(cohort.mentees)
    rnd.shuffle(mentors)
    rnd.shuffle(mentees)
    shuffled = Cohort(mentors=mentors, mentees=mentees)

    def pairs(c: Cohort) -> set[tuple[str, str]]:
        return {(m.mentee_id, m.mentor_id) for m in solve(c, method="stable").matches}

    assert pairs(shuffled) == pairs(cohort)


def _contested() -> Cohort:
    """One mentor both mentees want; the mentor's priority rule and the optimum disagree."""
    mentors = [
        Mentor(id="m-good", subjects={"math": 5}, availability="Sat 10:00-14:00",
               district="Mapo-gu", capacity=1),
        Mentor(id="m-ok", subjects={"math": 3}, availability="Sat 10:00-14:00",
               district="Mapo-gu", capacity=1, mode="online"),
    ]  # fmt: skip
    mentees = [
        # s-a can only meet offline: m-good is its only mentor.
        Mentee(id="s-a", level="middle", grade=1, needs={"math": 1}, mode="offline",
               availability="Sat 10:00-12:00", district="Mapo-gu", priority=1),
        Mentee(id="s-b", level="middle", grade=1, needs={"math": 1},
               availability="Sat 10:00-12:00", district="Mapo-gu", priority=2),
    ]  # fmt: skip
    return Cohort(mentors=mentors, mentees=mentees)


def test_the_optimum_can_have_a_blocking_pair_and_stable_cannot() -> None:
    cohort = _contested()
    optimum = solve(cohort)
    assert {m.mentee_id: m.mentor_id for m in optimum.matches} == {
        "s-a": "m-good",
        "s-b": "m-ok",
    }
    # s-b prefers m-good, who prefers s-b (higher priority) to s-a.
    assert blocking_pairs(cohort, None, optimum) == [("s-b", "m-good")]
    stable = solve(cohort, method="stable")
    assert stable.mentor_of("s-b") == "m-good"
    assert stable.mentor_of("s-a") is None
    assert stable.status.value == "feasible"
    assert stable.gap > 0
    assert stable.method == "stable"
    assert "deferred acceptance" in (stable.method_reason or "")


def test_pins_hold_in_a_stable_answer_and_pinned_mentees_never_block() -> None:
    cohort = _contested()
    policy = Policy(pinned=(("s-a", "m-good"),))
    result = solve(cohort, policy, method="stable")
    assert result.mentor_of("s-a") == "m-good"
    assert verify(cohort, policy, result) == []
    assert blocking_pairs(cohort, policy, result) == []


def test_stable_rejects_rules_it_cannot_keep() -> None:
    cohort = _contested()
    with pytest.raises(UnsupportedFeatureError, match="sessions"):
        solve(cohort, Policy(sessions={}), method="stable")
    with pytest.raises(UnsupportedFeatureError, match="min_load"):
        solve(cohort, Policy(min_load=1), method="stable")


def test_blocking_pairs_rejects_a_result_with_ineligible_pairs() -> None:
    cohort = _contested()
    result = solve(cohort)
    with pytest.raises(ValueError, match="not eligible"):
        blocking_pairs(cohort, Policy(min_proficiency=5), result)


def test_stable_on_a_synthetic_cohort() -> None:
    cohort = generate_cohort(60, 240, seed=5)
    result = solve(cohort, method="stable")
    assert verify(cohort, Policy(), result) == []
    assert blocking_pairs(cohort, None, result) == []
    assert result.stats["stable_matched"] == len(result.matches)
    assert result.objective < result.bound == result.stats["optimal_objective"]
