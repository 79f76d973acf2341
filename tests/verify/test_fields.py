"""``verify`` recomputes every field a result reports: each match's and unmatched mentee's
facts, the metrics, and each floor's attainment (a relaxed answer is proven, not trusted).

Each field is falsified alone in a dumped ``result.json`` (written, edited as JSON, read
back) and must be flagged with a code naming it; the unedited file verifies clean."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from tests.records import mentee_with as _mentee
from tests.records import mentor_with as _mentor

from matchkit import Cohort, Policy, solve, verify
from matchkit.domain.policy import Floor
from matchkit.domain.result import MatchResult
from matchkit.io import read_result, write_result
from matchkit.verify.checks import max_flow

Edit = Callable[[dict[str, Any]], None]


def _edited(tmp_path: Path, result: MatchResult, edit: Edit) -> MatchResult:
    path = tmp_path / "x.json"
    write_result(result, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    edit(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "matchkit-manifest.json").unlink(missing_ok=True)
    return read_result(path)


def _codes(cohort: Cohort, policy: Policy, result: MatchResult) -> set[str]:
    return {v.code for v in verify(cohort, policy, result)}


# --- the max flow verify uses -------------------------------------------------------------


def test_max_flow_reroutes_through_a_groups_cap() -> None:
    # b's group is at its cap with b on x; a needs x: b must give way to c (on y).
    groups = [(["a"], 1), (["b", "c"], 1)]
    assert max_flow(groups, {"a": ["x"], "b": ["x"], "c": ["y"]}, {"x": 1, "y": 1}) == 2
    assert max_flow([(["a", "b"], 2)], {"a": ["x"], "b": ["x"]}, {"x": 1}) == 1
    assert max_flow([(["a"], 0)], {"a": ["x"]}, {"x": 1}) == 0


# --- relaxed floors -----------------------------------------------------------------------


def _competing() -> tuple[Cohort, Policy]:
    # One place, two floors of one mentee each: one floor must be relaxed.
    cohort = Cohort(
        mentors=[_mentor("m-1", capacity=1)],
        mentees=[_mentee("s-1", level="high", grade=1), _mentee("s-2", priority=2)],
    )
    return cohort, Policy(floors=[Floor(field="level", min_rate=1.0)])


def _unreachable() -> tuple[Cohort, Policy]:
    # The high group: h-1 can be matched, h-2 cannot (nobody teaches art); x competes.
    cohort = Cohort(
        mentors=[_mentor("m-1", capacity=1)],
        mentees=[
            _mentee("h-1", level="high", grade=1),
            _mentee("h-2", level="high", grade=1, needs={"art": 1}),
            _mentee("x", priority=3),
        ],
    )
    return cohort, Policy(floors=[Floor(field="level", value="high", min_rate=1.0)])


@pytest.mark.parametrize("case", [_competing, _unreachable])
def test_a_relaxed_result_verifies_clean(
    tmp_path: Path, case: Callable[[], tuple[Cohort, Policy]]
) -> None:
    cohort, policy = case()
    r = solve(cohort, policy)
    assert r.relaxed
    assert verify(cohort, policy, r) == []
    assert verify(cohort, policy, _edited(tmp_path, r, lambda d: None)) == []


def _floor(key: str, value: Any) -> Edit:
    def edit(d: dict[str, Any]) -> None:
        d["floors"][0][key] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (_floor("attainable", 0), "floor_attainable"),
        (_floor("attainable", 2), "floor_attainable"),
        (_floor("achieved", 2), "floor_achieved"),
        (_floor("required", 1), "floor_required"),
        (_floor("size", 3), "floor_size"),
        (_floor("met", True), "floor_met"),
        (_floor("label", "level='low'"), "floors"),
        (lambda d: d.update(relaxed=False), "relaxed"),
        (lambda d: d.update(floors=[]), "floors"),
    ],
)
def test_a_falsified_floor_is_flagged(tmp_path: Path, edit: Edit, code: str) -> None:
    cohort, policy = _unreachable()
    r = solve(cohort, policy)
    assert (r.floors[0].achieved, r.floors[0].attainable) == (1, 1)
    assert code in _codes(cohort, policy, _edited(tmp_path, r, edit))


def test_a_met_result_claiming_relaxed_is_flagged(tmp_path: Path) -> None:
    cohort, policy = _unreachable()
    policy = Policy(floors=[Floor(field="level", value="high", min_rate=0.5)])
    r = solve(cohort, policy)
    assert not r.relaxed
    assert verify(cohort, policy, r) == []
    assert "relaxed" in _codes(
        cohort, policy, _edited(tmp_path, r, lambda d: d.update(relaxed=True))
    )


def test_a_relaxed_answer_filling_fewer_floor_places_than_possible_is_flagged(
    tmp_path: Path,
) -> None:
    cohort, policy = _unreachable()
    r = solve(cohort, policy)
    assert r.mentor_of("h-1") == "m-1"

    def swap(d: dict[str, Any]) -> None:
        # x takes h-1's place; the floor's own figures are made to agree with the swap.
        [match] = d["matches"]
        match["mentee_id"], match["priority"] = "x", 3
        for u in d["unmatched"]:
            if u["mentee_id"] == "x":
                u["mentee_id"], u["priority"] = "h-1", 0
        d["floors"][0]["achieved"] = 0

    codes = _codes(cohort, policy, _edited(tmp_path, r, swap))
    assert "floor_relaxed" in codes
    assert "floor_achieved" not in codes


# --- every field of a match and of an unmatched mentee --------------------------------------


def _pair_cohort() -> Cohort:
    return Cohort(
        mentors=[
            _mentor("m-1", district="Seodaemun-gu", capacity=2),
            _mentor("m-2", capacity=1, availability="Sun 10:00-11:00"),
        ],
        mentees=[
            _mentee("s-1", mode="offline", priority=2, previous_mentor="m-1"),
            _mentee("s-2", level="high", grade=1, availability="Sun 10:00-12:00"),
            _mentee("s-3", previous_mentor="m-9"),
        ],
    )


def _set(where: str, key: str, value: Any) -> Edit:
    """Set ``key`` of the first record of ``where`` (``matches``/``unmatched``) to ``value``."""

    def edit(d: dict[str, Any]) -> None:
        d[where][0][key] = value

    return edit


@pytest.fixture
def solved() -> MatchResult:
    r = solve(_pair_cohort())
    assert [(m.mentee_id, m.mentor_id) for m in r.matches] == [("s-1", "m-1"), ("s-3", "m-1")]
    [u] = r.unmatched
    assert (u.mentee_id, u.reason.value) == ("s-2", "no_common_time")
    assert [n.mentor_id for n in u.near_misses]
    m = r.matches[0]
    assert (m.mode.value, m.continuity.value) == ("offline", "kept")
    assert m.distance_km is not None
    assert m.distance_km > 0
    return r


def test_an_unedited_result_verifies_clean(tmp_path: Path, solved: MatchResult) -> None:
    assert verify(_pair_cohort(), Policy(), solved) == []
    assert verify(_pair_cohort(), Policy(), _edited(tmp_path, solved, lambda d: None)) == []


def _near_rule(d: dict[str, Any]) -> None:
    d["unmatched"][0]["near_misses"][0]["rule"] = "has_room"


def _near_mentor(d: dict[str, Any]) -> None:
    d["unmatched"][0]["near_misses"][0]["mentor_id"] = "m-9"


def _breakdown(d: dict[str, Any]) -> None:
    b = d["matches"][0]["breakdown"]
    b["alumni"], b["subject_fit"] = b["alumni"] + 0.5, b["subject_fit"] - 0.5  # same sum


def _session(d: dict[str, Any]) -> None:
    d["matches"][0]["session"] = {"day": "Sat", "start": "10:00", "end": "12:00"}


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (_set("matches", "priority", 3), "priority"),
        (_set("matches", "level", "high"), "level"),
        (_set("matches", "district", "Nowon-gu"), "district"),
        (_set("matches", "continuity", "changed"), "continuity"),
        (_set("matches", "mode", "online"), "mode"),
        (_set("matches", "distance_km", 0.5), "distance_km"),
        (_set("matches", "distance_km", None), "distance_km"),
        (_set("matches", "window", "Sat 10:00-11:00"), "window"),
        (_set("matches", "score", 100.0), "score"),
        (_breakdown, "breakdown"),
        (_session, "session"),
        (_set("unmatched", "priority", 3), "priority"),
        (_set("unmatched", "level", "middle"), "level"),
        (_set("unmatched", "district", "Nowon-gu"), "district"),
        (_set("unmatched", "continuity", "lost"), "continuity"),
        (_set("unmatched", "reason", "no_subject"), "reason"),
        (_near_rule, "near_misses"),
        (_near_mentor, "near_misses"),
        (lambda d: d["mentor_capacity"].update({"m-2": 5}), "mentor_capacity"),
        (lambda d: d.update(objective=d["objective"] + 1), "objective"),
    ],
)
def test_a_falsified_field_is_flagged(
    tmp_path: Path, solved: MatchResult, edit: Edit, code: str
) -> None:
    assert code in _codes(_pair_cohort(), Policy(), _edited(tmp_path, solved, edit))


def test_the_metrics_of_a_falsified_result_do_not_pass(tmp_path: Path, solved: MatchResult) -> None:
    # The metrics are computed from the records' fields: one falsified priority moves them,
    # and verify flags the field they came from.
    edited = _edited(tmp_path, solved, _set("unmatched", "priority", 3))
    assert edited.metrics().match_rate_by_priority != solved.metrics().match_rate_by_priority
    assert "priority" in _codes(_pair_cohort(), Policy(), edited)
    edited = _edited(tmp_path, solved, lambda d: d["mentor_capacity"].update({"m-2": 5}))
    assert edited.metrics().utilisation != solved.metrics().utilisation
    assert "mentor_capacity" in _codes(_pair_cohort(), Policy(), edited)


def test_a_relaxed_answer_is_proven_with_the_pins_held() -> None:
    # The answer gives the one place to s-2 (middle); pinning that pair keeps it a
    # most-filled answer (the pin is held in verify's max flow), pinning s-1 does not.
    cohort, policy = _competing()
    r = solve(cohort, policy)
    assert r.relaxed
    assert r.mentor_of("s-2") == "m-1"
    pinned = policy.model_copy(update={"pinned": (("s-2", "m-1"),)})
    assert verify(cohort, pinned, r) == []
    other = policy.model_copy(update={"pinned": (("s-1", "m-1"),)})
    assert "pinned" in _codes(cohort, other, r)


def test_a_relaxed_flag_on_an_infeasible_result_is_flagged(tmp_path: Path) -> None:
    cohort, policy = _unreachable()
    r = solve(cohort, policy)
    edited = _edited(tmp_path, r, lambda d: d.update(status="infeasible", matches=[], relaxed=True))
    assert "relaxed" in _codes(cohort, policy, edited)


def test_max_flow_agrees_with_networkx_on_random_networks() -> None:
    for trial in range(300):
        r = random.Random(trial)
        ids = [f"s{i}" for i in range(r.randint(1, 20))]
        by_group: dict[int, list[str]] = {}
        for i in ids:
            by_group.setdefault(r.randrange(r.randint(1, 4)), []).append(i)
        groups = [(v, r.randint(0, len(v))) for v in by_group.values()]
        room = {f"t{j}": r.randint(0, 3) for j in range(r.randint(1, 6))}
        eligible = {i: [t for t in room if r.random() < 0.4] for i in ids}
        g = nx.DiGraph()
        g.add_node("sink")
        for k, (members, cap) in enumerate(groups):
            g.add_edge("source", ("g", k), capacity=cap)
            g.add_edges_from((("g", k), i, {"capacity": 1}) for i in members)
        one = {"capacity": 1}
        g.add_edges_from((i, ("t", t), one) for i, ts in eligible.items() for t in ts)
        g.add_edges_from((("t", t), "sink", {"capacity": c}) for t, c in room.items())
        assert max_flow(groups, eligible, room) == nx.maximum_flow_value(g, "source", "sink")
