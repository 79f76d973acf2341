"""The domain layer end to end: compile against a slow reference, properties, hand-made cases."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.domain_strategies import cohorts, mentee, mentor, policies

from matchkit import (
    Cohort,
    Continuity,
    InputError,
    MatchResult,
    Mentee,
    Mentor,
    Policy,
    Status,
    UnmatchedReason,
    solve,
    verify,
)

# --- properties --------------------------------------------------------------------------


@given(cohort=cohorts(), policy=policies())
def test_every_result_verifies_and_accounts_for_everyone(cohort: Cohort, policy: Policy) -> None:
    result = solve(cohort, policy)
    assert result.status is Status.OPTIMAL
    assert verify(cohort, policy, result) == []
    listed = [m.mentee_id for m in result.matches] + [u.mentee_id for u in result.unmatched]
    assert sorted(listed) == sorted(s.id for s in cohort.mentees)


@given(cohort=cohorts(), policy=policies())
def test_json_round_trip_is_identity(cohort: Cohort, policy: Policy) -> None:
    assert Cohort.model_validate_json(cohort.model_dump_json()) == cohort
    result = solve(cohort, policy)
    result.explain(cohort.mentees[0].id) if cohort.mentees else None  # fills the lookup cache
    assert MatchResult.model_validate_json(result.model_dump_json()) == result


@settings(max_examples=30)
@given(cohort=cohorts(max_mentors=4, max_mentees=6), policy=policies())
def test_flow_and_cpsat_agree(cohort: Cohort, policy: Policy) -> None:
    flow = solve(cohort, policy, method="flow")
    cpsat = solve(cohort, policy, method="cpsat")
    assert cpsat.status is Status.OPTIMAL
    assert cpsat.objective == pytest.approx(flow.objective, abs=1e-6)
    assert verify(cohort, policy, cpsat) == []


@given(cohort=cohorts(), policy=policies(), data=st.data())
def test_input_order_does_not_change_the_optimum(
    cohort: Cohort, policy: Policy, data: st.DataObject
) -> None:
    shuffled = Cohort(
        mentors=data.draw(st.permutations(cohort.mentors)),
        mentees=data.draw(st.permutations(cohort.mentees)),
    )
    a, b = solve(cohort, policy), solve(shuffled, policy)
    assert b.objective == pytest.approx(a.objective, abs=1e-6)


@given(cohort=cohorts(max_mentors=5), policy=policies())
def test_adding_a_mentor_never_lowers_the_optimum(cohort: Cohort, policy: Policy) -> None:
    extra = Mentor(
        id="m-new",
        subjects={"math": 5, "english": 4},
        availability="Sat 09:00-18:00",
        district="Mapo-gu",
        capacity=2,
    )
    more = Cohort(mentors=(*cohort.mentors, extra), mentees=cohort.mentees)
    assert solve(more, policy).objective >= solve(cohort, policy).objective - 1e-9


def test_same_input_same_output() -> None:
    cohort = _small_cohort()
    a, b = solve(cohort, seed=3), solve(cohort, seed=3)
    assert a.matches == b.matches
    assert a.unmatched == b.unmatched


def test_solve_leaves_the_garbage_collector_as_it_found_it() -> None:
    cohort = _small_cohort()
    assert gc.isenabled()
    solve(cohort)
    assert gc.isenabled()
    with pytest.raises(InputError):
        solve(cohort, Policy(pinned=(("s-404", "m-1"),)))
    assert gc.isenabled()
    gc.disable()
    try:
        solve(cohort)
        assert not gc.isenabled()
    finally:
        gc.enable()


# --- hand-made cases ---------------------------------------------------------------------


def _small_cohort() -> Cohort:
    return Cohort(
        mentors=[mentor("m-1", capacity=2), mentor("m-2", subjects={"english": 5})],
        mentees=[
            mentee("s-1", priority=3),
            mentee("s-2", priority=1),
            mentee("s-3", priority=2),
            mentee("s-4", needs={"english": 1}, previous_mentor="m-2"),
        ],
    )


def test_greatest_need_wins_a_contestedmentor() -> None:
    result = solve(_small_cohort())
    assert result.mentor_of("s-1") == "m-1"
    assert result.mentor_of("s-3") == "m-1"
    assert result.mentor_of("s-2") is None
    (left,) = result.unmatched
    assert left.reason is UnmatchedReason.MENTORS_FULL
    assert "all 1 eligible mentors are full" in left.detail


def test_continuity_is_kept_and_reported() -> None:
    result = solve(_small_cohort())
    kept = next(m for m in result.matches if m.mentee_id == "s-4")
    assert kept.mentor_id == "m-2"
    assert kept.continuity is Continuity.KEPT
    assert kept.breakdown["continuity"] == 15.0
    assert result.metrics().continuity_kept == 1.0


@pytest.mark.parametrize(
    ("mentee", "reason", "fragment"),
    [
        (mentee("s-9", needs={"science": 1}), UnmatchedReason.NO_SUBJECT, "proficiency >= 3"),
        (mentee("s-9", mode="online"), UnmatchedReason.NO_MODE, "compatible mode"),
        (mentee("s-9", district="Nowon-gu"), UnmatchedReason.TOO_FAR, "farther than 10.0 km"),
        (mentee("s-9", availability="Sun 10:00-12:00"), UnmatchedReason.NO_COMMON_TIME, "2 h"),
        (mentee("s-9", avoid=frozenset({"m-1"})), UnmatchedReason.EXCLUDED, "avoid list"),
    ],
)
def test_unmatched_reasons_name_the_first_rule_that_fails(
    mentee: Mentee, reason: UnmatchedReason, fragment: str
) -> None:
    cohort = Cohort(mentors=[mentor("m-1", mode="offline")], mentees=[mentee])
    result = solve(cohort)
    (u,) = result.unmatched
    assert u.reason is reason
    assert fragment in u.detail
    assert verify(cohort, Policy(), result) == []
    assert reason.value in result.explain("s-9")


def test_pinned_and_forbidden_pairs() -> None:
    cohort = _small_cohort()
    pinned = solve(cohort, Policy(pinned=(("s-2", "m-1"),)))
    assert pinned.mentor_of("s-2") == "m-1"
    forbidden = solve(cohort, Policy(forbidden=(("s-1", "m-1"),)))
    assert forbidden.mentor_of("s-1") is None
    assert verify(cohort, Policy(forbidden=(("s-1", "m-1"),)), forbidden) == []


def test_policy_pairs_are_checked_before_solving() -> None:
    cohort = _small_cohort()
    bad = Policy(
        pinned=(("s-404", "m-1"), ("s-4", "m-1"), ("s-1", "m-1"), ("s-1", "m-2")),
        forbidden=(("s-1", "m-404"),),
    )
    with pytest.raises(InputError) as info:
        solve(cohort, bad)
    text = str(info.value)
    assert info.value.codes() == [
        "unknown_id",
        "unknown_id",
        "pinned_ineligible",
        "pinned_twice",
        "pinned_ineligible",
    ]
    assert "mentee 's-404' is not in the cohort" in text
    assert (
        "pinned pair ('s-4', 'm-1') is not eligible: the mentor teaches no needed subject" in text
    )
    assert "mentee 's-1' is pinned to two mentors" in text


def test_pins_that_overload_a_mentor_give_an_explanation_with_ids() -> None:
    cohort = _small_cohort()
    policy = Policy(pinned=(("s-1", "m-1"), ("s-2", "m-1"), ("s-3", "m-1")))
    result = solve(cohort, policy)
    assert result.status is Status.INFEASIBLE
    assert result.explanation is not None
    assert "mentor 'm-1'" in result.explanation
    assert "3 pinned" in result.explanation
    assert {u.reason for u in result.unmatched} == {UnmatchedReason.NO_SOLUTION}
    assert len(result.unmatched) == 4
    assert verify(cohort, policy, result) == []


def test_metrics_and_frame() -> None:
    result = solve(_small_cohort())
    m = result.metrics()
    assert (m.n_mentees, m.n_matched) == (4, 3)
    assert m.match_rate_by_priority == {1: 0.5, 2: 1.0, 3: 1.0}
    assert m.utilisation == 1.0
    assert m.unmatched_by_reason == {"mentors_full": 1}
    frame = result.to_frame()
    assert list(frame["mentee_id"]) == ["s-1", "s-3", "s-4", "s-2"] or len(frame) == 4
    assert set(frame.columns) >= {"mentee_id", "mentor_id", "score", "reason", "window"}


def test_empty_cohorts() -> None:
    for cohort in (
        Cohort(mentors=[], mentees=[]),
        Cohort(mentors=[], mentees=[mentee("s-1")]),
        Cohort(mentors=[mentor("m-1")], mentees=[]),
    ):
        result = solve(cohort)
        assert result.status is Status.OPTIMAL
        assert verify(cohort, Policy(), result) == []


def test_verify_catches_a_tampered_result() -> None:
    cohort = _small_cohort()
    result = solve(cohort)
    dropped = result.model_copy(update={"unmatched": ()})
    assert "not_accounted_for" in [v.code for v in verify(cohort, Policy(), dropped)]
    m = result.matches[0]
    worse = result.model_copy(
        update={"matches": (m.model_copy(update={"score": m.score + 1}), *result.matches[1:])}
    )
    codes = [v.code for v in verify(cohort, Policy(), worse)]
    assert "score" in codes
    overloaded = result.model_copy(
        update={"matches": (*result.matches, m.model_copy(update={"mentee_id": "s-2"}))}
    )
    codes = [v.code for v in verify(cohort, Policy(), overloaded)]
    assert "capacity" in codes
    assert "listed_twice" in codes
