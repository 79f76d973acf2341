"""``repair(include_unmatched=False)`` keeps waiting mentees unmatched, but never with last
run's reason: it is re-derived against the changed cohort (and checked by ``verify``)."""

from __future__ import annotations

from tests.records import mentee_with as _mentee
from tests.records import mentor_with as _mentor

from matchkit import Cohort, Policy, repair, solve, verify
from matchkit.domain.result import UnmatchedReason


def test_a_waiting_mentee_whose_only_mentor_left_gets_the_new_reason() -> None:
    cohort = Cohort(
        mentors=[_mentor("m-1", capacity=0), _mentor("m-2", subjects={"art": 4})],
        mentees=[_mentee("s-1", previous_mentor="m-1")],
    )
    before = solve(cohort)
    assert before.unmatched[0].reason is UnmatchedReason.MENTORS_FULL
    after = repair(before, cohort, removed_mentors=["m-1"], include_unmatched=False)
    new = cohort.changed(removed_mentors=["m-1"])
    [u] = after.unmatched
    assert u.reason is UnmatchedReason.NO_SUBJECT
    assert u.continuity.value == "lost"  # last term's mentor left
    assert u.near_misses == ()
    assert verify(new, Policy(), after) == []


def test_a_waiting_mentee_not_moved_into_a_freed_place_says_so() -> None:
    cohort = Cohort(
        mentors=[_mentor("m-1", capacity=1)],
        mentees=[_mentee("s-1", priority=3), _mentee("s-2")],
    )
    before = solve(cohort)
    assert before.mentor_of("s-1") == "m-1"
    assert before.unmatched[0].reason is UnmatchedReason.MENTORS_FULL
    after = repair(before, cohort, removed_mentees=["s-1"], include_unmatched=False)
    new = cohort.changed(removed_mentees=["s-1"])
    [u] = after.unmatched
    assert u.reason is UnmatchedReason.NOT_MOVED
    assert [(n.mentor_id, n.rule) for n in u.near_misses] == [("m-1", "has_room")]
    assert verify(new, Policy(), after) == []
    # Outside a repair, or with no room, the claim is flagged.
    codes = {
        v.code for v in verify(cohort, Policy(), before.model_copy(update={"unmatched": (u,)}))
    }
    assert "reason_not_moved" in codes
