"""``verify`` must reject false claims in a result, not only pass true ones."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.records import one_mentor_cohort

from matchkit import Cohort, Policy, solve, verify
from matchkit.domain.result import MatchResult, Unmatched, UnmatchedReason
from matchkit.io import read_result, write_result


def _cohort() -> Cohort:
    return one_mentor_cohort(capacity=2, level="high", grade=1)


def _drop_first(result: MatchResult, reason: UnmatchedReason) -> MatchResult:
    """Move the first match to ``unmatched`` with ``reason``."""
    m = result.matches[0]
    u = Unmatched(
        mentee_id=m.mentee_id,
        reason=reason,
        detail="",
        priority=m.priority,
        level=m.level,
        district=m.district,
        continuity=m.continuity,
    )
    return result.model_copy(
        update={"matches": result.matches[1:], "unmatched": (*result.unmatched, u)}
    )


def _edit(result: MatchResult, tmp: Path, change: Callable[[dict[str, Any]], None]) -> MatchResult:
    """``result`` written as ``result.json``, edited by hand (``change``), read back."""
    path = tmp / "result.json"
    write_result(result, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    return read_result(path)


def _codes(cohort: Cohort, policy: Policy, result: MatchResult) -> set[str]:
    return {v.code for v in verify(cohort, policy, result)}


def test_the_answer_verifies() -> None:
    assert verify(_cohort(), Policy(), solve(_cohort())) == []


def test_mentors_full_while_a_mentor_has_room_is_reported() -> None:
    lie = _drop_first(solve(_cohort()), UnmatchedReason.MENTORS_FULL)
    codes = {v.code for v in verify(_cohort(), Policy(), lie)}
    assert "reason_full" in codes


def test_infeasible_without_any_must_rule_is_reported(tmp_path: Path) -> None:
    def lie(d: dict[str, Any]) -> None:
        d["status"] = "infeasible"

    assert "infeasible_claim" in _codes(_cohort(), Policy(), _edit(solve(_cohort()), tmp_path, lie))

    nobody = _drop_first(
        _drop_first(solve(_cohort()), UnmatchedReason.NO_SUBJECT), UnmatchedReason.NO_SUBJECT
    )
    edited = _edit(nobody, tmp_path, lie)
    assert not edited.matches
    assert "infeasible_claim" in _codes(_cohort(), Policy(), edited)


def test_infeasible_status_does_not_switch_the_pin_check_off(tmp_path: Path) -> None:
    policy = Policy(pinned=[("s-2", "m-1")])
    result = solve(_cohort(), policy)
    assert verify(_cohort(), policy, result) == []
    pinned_first = sorted(result.matches, key=lambda m: m.mentee_id != "s-2")
    lie = _drop_first(
        result.model_copy(update={"matches": tuple(pinned_first)}), UnmatchedReason.MENTORS_FULL
    )

    def infeasible(d: dict[str, Any]) -> None:
        d["status"] = "infeasible"

    codes = _codes(_cohort(), policy, _edit(lie, tmp_path, infeasible))
    assert "pinned" in codes
    assert "objective" in codes
