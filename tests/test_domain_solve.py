"""The domain layer end to end: compile against a slow reference, properties, hand-made cases."""

from __future__ import annotations

import gc
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.domain_strategies import cohorts, policies

from matchkit import (
    Cohort,
    Continuity,
    InputError,
    MatchResult,
    Mentee,
    Mentor,
    Mode,
    Policy,
    Status,
    UnmatchedReason,
    solve,
    verify,
)
from matchkit.compiler.arrays import cohort_arrays
from matchkit.compiler.problem import compile_problem
from matchkit.compiler.rules import PairRules
from matchkit.domain.geo import haversine_km

# --- a slow, obviously correct reference for eligibility -----------------------------------


def _slots(avail_text: str) -> set[tuple[str, int]]:
    """Every (day, half-hour index) in an availability, by walking the text form."""
    out = set()
    for part in filter(None, (p.strip() for p in avail_text.split(","))):
        day, span = part.split(" ")
        a, b = span.split("-")
        start = int(a[:2]) * 2 + (a[3:] == "30")
        end = int(b[:2]) * 2 + (b[3:] == "30")
        out |= {(day, k) for k in range(start, end)}
    return out


def _has_window(s: Mentee, m: Mentor) -> bool:
    common = _slots(str(s.availability)) & _slots(str(m.availability))
    need = round(s.session_hours * 2)
    return any(all((day, k + d) in common for d in range(need)) for day, k in common)


def _reference_eligible(s: Mentee, m: Mentor, p: Policy) -> bool:
    if not any(m.subjects.get(sub, 0) >= p.min_proficiency for sub in s.needs):
        return False
    if not (Mode.BOTH in (s.mode, m.mode) or s.mode == m.mode):
        return False
    must_meet_offline = Mode.OFFLINE in (s.mode, m.mode)
    a, b = s.location(), m.location()
    if a is None or b is None:
        km = 0.0 if s.district == m.district else math.inf
        online_km = 0.0  # an online limit applies only where both places are known
    else:
        km = online_km = float(haversine_km(*a, *b))
    if must_meet_offline and p.max_travel_km is not None and km > p.max_travel_km:
        return False
    if not must_meet_offline and p.online_max_km is not None and online_km > p.online_max_km:
        return False
    return _has_window(s, m) and m.id not in s.avoid and (s.id, m.id) not in p.forbidden


@given(cohort=cohorts(), policy=policies())
def test_compiled_pairs_are_exactly_the_eligible_pairs(cohort: Cohort, policy: Policy) -> None:
    a = cohort_arrays(cohort)
    rules = PairRules(a, policy, (a.avoid_mentee * a.n_mentors + a.avoid_mentor))
    compiled = compile_problem(rules, (a.avoid_mentee[:0], a.avoid_mentor[:0]))
    got = {
        (a.s_ids[i], a.t_ids[j])
        for i, j in zip(
            compiled.problem.mentee.tolist(), compiled.problem.mentor.tolist(), strict=True
        )
    }
    want = {
        (s.id, m.id)
        for s in cohort.mentees
        for m in cohort.mentors
        if _reference_eligible(s, m, policy)
    }
    assert got == want
    assert compiled.eligible_pairs == len(want)


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


def _mentor(id: str, **kw: object) -> Mentor:
    base: dict[str, object] = {
        "subjects": {"math": 4},
        "availability": "Sat 10:00-14:00",
        "district": "Mapo-gu",
        "capacity": 1,
    }
    base.update(kw)
    return Mentor(id=id, **base)  # type: ignore[arg-type]


def _mentee(id: str, **kw: object) -> Mentee:
    base: dict[str, object] = {
        "level": "middle",
        "grade": 2,
        "needs": {"math": 1},
        "availability": "Sat 10:00-12:00",
        "district": "Mapo-gu",
    }
    base.update(kw)
    return Mentee(id=id, **base)  # type: ignore[arg-type]


def _small_cohort() -> Cohort:
    return Cohort(
        mentors=[_mentor("m-1", capacity=2), _mentor("m-2", subjects={"english": 5})],
        mentees=[
            _mentee("s-1", priority=3),
            _mentee("s-2", priority=1),
            _mentee("s-3", priority=2),
            _mentee("s-4", needs={"english": 1}, previous_mentor="m-2"),
        ],
    )


def test_greatest_need_wins_a_contested_mentor() -> None:
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
        (_mentee("s-9", needs={"science": 1}), UnmatchedReason.NO_SUBJECT, "proficiency >= 3"),
        (_mentee("s-9", mode="online"), UnmatchedReason.NO_MODE, "compatible mode"),
        (_mentee("s-9", district="Nowon-gu"), UnmatchedReason.TOO_FAR, "farther than 10.0 km"),
        (_mentee("s-9", availability="Sun 10:00-12:00"), UnmatchedReason.NO_COMMON_TIME, "2 h"),
        (_mentee("s-9", avoid=frozenset({"m-1"})), UnmatchedReason.EXCLUDED, "avoid list"),
    ],
)
def test_unmatched_reasons_name_the_first_rule_that_fails(
    mentee: Mentee, reason: UnmatchedReason, fragment: str
) -> None:
    cohort = Cohort(mentors=[_mentor("m-1", mode="offline")], mentees=[mentee])
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
        Cohort(mentors=[], mentees=[_mentee("s-1")]),
        Cohort(mentors=[_mentor("m-1")], mentees=[]),
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


@pytest.mark.parametrize("online_max_km", [None, 6.0, 8.0, 15.0])
@pytest.mark.parametrize("max_travel_km", [None, 5.0, 10.0, 20.0])
def test_distance_rules_and_the_district_prefilter_match_the_reference(
    online_max_km: float | None, max_travel_km: float | None
) -> None:
    # Every pair fits on subject and time, so only the two distance rules decide; people sit
    # in districts 0.7 to 20 km apart, some with their own coordinates, some unplaced.
    places: list[dict[str, object]] = [
        {"district": "Mapo-gu"},
        {"district": "Jongno-gu"},
        {"district": "Gangnam-gu"},
        {"district": "Nowon-gu"},
        {"district": "Nowon-gu", "coordinates": (37.66, 127.06)},
        {"district": "Songpa-gu", "coordinates": (37.50, 127.11)},
        {"district": "Island"},
    ]
    mentors = [
        _mentor(f"m-{k}-{mode}", mode=mode, capacity=1, **place)
        for k, place in enumerate(places)
        for mode in ("online", "offline", "both")
    ]
    mentees = [
        _mentee(f"s-{k}-{mode}", mode=mode, **place)
        for k, place in enumerate(places)
        for mode in ("online", "offline", "both")
    ]
    cohort = Cohort(mentors=mentors, mentees=mentees)
    policy = Policy(max_travel_km=max_travel_km, online_max_km=online_max_km)
    a = cohort_arrays(cohort)
    rules = PairRules(a, policy, np.empty(0, dtype=np.int64))
    compiled = compile_problem(rules, (np.empty(0, np.int64), np.empty(0, np.int64)))
    got = {
        (a.s_ids[i], a.t_ids[j])
        for i, j in zip(
            compiled.problem.mentee.tolist(), compiled.problem.mentor.tolist(), strict=True
        )
    }
    want = {(s.id, m.id) for s in mentees for m in mentors if _reference_eligible(s, m, policy)}
    assert got == want
