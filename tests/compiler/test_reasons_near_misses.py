"""Near misses of unmatched mentees: the mentors that came closest and the rule each missed."""

from __future__ import annotations

from matchkit import Cohort, MatchResult, Mentee, Mentor, Policy, solve
from matchkit.domain.result import NearMiss


def _mentor(mid: str, **kw: object) -> Mentor:
    base: dict[str, object] = {
        "id": mid,
        "subjects": {"math": 4},
        "availability": "Sat 10:00-14:00",
        "district": "Nowon-gu",
    }
    return Mentor.model_validate(base | kw)


def _mentee(sid: str, **kw: object) -> Mentee:
    base: dict[str, object] = {
        "id": sid,
        "level": "middle",
        "grade": 2,
        "needs": {"math": 1},
        "availability": "Sat 10:00-12:00",
        "district": "Nowon-gu",
    }
    return Mentee.model_validate(base | kw)


def _cohort() -> Cohort:
    """s-1 is left out: m-full's one place goes to s-0 (priority 3), m-short has 90 of the
    120 minutes, m-far meets offline only, 15 km away; m-art teaches another subject."""
    return Cohort(
        mentors=[
            _mentor("m-far", district="Gangnam-gu", mode="offline"),
            _mentor("m-short", availability="Sat 10:00-11:30"),
            _mentor("m-full", capacity=1, name="Kim Mentor"),
            _mentor("m-art", subjects={"art": 4}),
        ],
        mentees=[
            _mentee("s-0", priority=3, name="Lee Mentee"),
            _mentee("s-1", priority=1, name="Park Mentee"),
        ],
    )


def test_full_short_and_far_closest_first() -> None:
    result = solve(_cohort())
    (u,) = result.unmatched
    assert u.mentee_id == "s-1"
    assert u.near_misses == (
        NearMiss(mentor_id="m-full", rule="full", detail="full: 1 of 1"),
        NearMiss(mentor_id="m-short", rule="no_common_time", detail="time: 30 min short"),
        NearMiss(mentor_id="m-far", rule="too_far", detail="too far: 15.3 km > 10 km"),
    )
    assert str(u.near_misses[0]) == "m-full (full: 1 of 1)"


def test_at_most_three_ties_by_mentor_id() -> None:
    c = _cohort()
    extra = [_mentor(f"m-x{k}", capacity=1) for k in (3, 1, 2)]
    more = [_mentee(f"s-x{k}", priority=3) for k in range(3)]
    cohort = Cohort(mentors=[*c.mentors, *extra], mentees=[*c.mentees, *more])
    (u,) = solve(cohort).unmatched
    assert [n.mentor_id for n in u.near_misses] == ["m-full", "m-x1", "m-x2"]
    assert {n.rule for n in u.near_misses} == {"full"}


def test_several_rules_missed_rank_after_one_and_join() -> None:
    cohort = Cohort(
        mentors=[
            _mentor("m-a", district="Gangnam-gu", mode="offline", availability="Sat 10:00-11:00"),
            _mentor("m-b", availability="Sat 10:00-10:30"),
        ],
        mentees=[_mentee("s-1")],
    )
    (u,) = solve(cohort).unmatched
    assert [n.mentor_id for n in u.near_misses] == ["m-b", "m-a"]
    assert u.near_misses[0].detail == "time: 90 min short"
    assert u.near_misses[1].rule == "too_far+no_common_time"
    assert u.near_misses[1].detail == "too far: 15.3 km > 10 km; time: 60 min short"


def test_excluded_and_no_subject() -> None:
    cohort = Cohort(
        mentors=[_mentor("m-a"), _mentor("m-art", subjects={"art": 4})],
        mentees=[_mentee("s-1", avoid=["m-a"]), _mentee("s-2", needs={"music": 1})],
    )
    by_id = {u.mentee_id: u for u in solve(cohort).unmatched}
    assert by_id["s-1"].near_misses == (
        NearMiss(mentor_id="m-a", rule="excluded", detail="excluded: avoid list or forbidden pair"),
    )
    assert by_id["s-2"].near_misses == ()  # nobody teaches music: no candidate came close


def test_near_misses_round_trip_without_names_and_are_deterministic() -> None:
    cohort = _cohort()
    result = solve(cohort, Policy())
    text = result.model_dump_json()
    assert "near_misses" in text
    assert "m-short" in text
    assert "Mentee" not in text
    assert "Kim" not in text
    assert MatchResult.model_validate_json(text) == result
    assert solve(cohort, Policy()).unmatched == result.unmatched
