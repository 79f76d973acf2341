"""Rich rules (issue: sessions, floors, max-min, load balance, group caps, category limits,
pins with explanations, method choice): each rule end to end, from ``Policy`` through
``solve`` to ``verify``."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.domain_strategies import cohorts

import matchkit.rich.pipeline as rich
from matchkit import (
    Cohort,
    InputError,
    Mentee,
    Mentor,
    Policy,
    UnsupportedFeatureError,
    solve,
    verify,
)
from matchkit.domain.policy import CategoryLimit, Floor, GroupCap
from matchkit.synth import generate_cohort


def mentor(id: str, avail: str = "Sat 10:00-14:00", **kw: object) -> Mentor:
    kw.setdefault("subjects", {"math": 4})
    kw.setdefault("district", "Mapo-gu")
    return Mentor(id=id, availability=avail, **kw)  # type: ignore[arg-type]


def mentee(id: str, avail: str = "Sat 10:00-14:00", **kw: object) -> Mentee:
    kw.setdefault("level", "middle")
    kw.setdefault("grade", 2)
    kw.setdefault("needs", {"math": 1})
    kw.setdefault("district", "Mapo-gu")
    return Mentee(id=id, availability=avail, **kw)  # type: ignore[arg-type]


def solved(cohort: Cohort, policy: Policy, **kw: object):  # type: ignore[no-untyped-def]
    result = solve(cohort, policy, **kw)  # type: ignore[arg-type]
    assert verify(cohort, policy, result) == []
    return result


# --- method choice -----------------------------------------------------------------------------


def test_auto_takes_flow_for_linear_rules_and_cpsat_for_rich_ones() -> None:
    cohort = Cohort(mentors=[mentor("m-1", capacity=2)], mentees=[mentee("s-1"), mentee("s-2")])
    for policy in (Policy(), Policy(min_load=1)):
        r = solved(cohort, policy)
        assert r.method == "flow"
        assert "linear" in str(r.method_reason)
    r = solved(cohort, Policy(sessions={}))
    assert r.method == "cpsat"
    assert "sessions" in str(r.method_reason)
    with pytest.raises(UnsupportedFeatureError, match="sessions"):
        solve(cohort, Policy(sessions={}), method="flow")


def test_policy_rules_are_validated() -> None:
    with pytest.raises(ValueError, match="at_most"):
        CategoryLimit(field="level", value="high", at_least=2, at_most=1)
    with pytest.raises(ValueError, match="less than or equal to 1"):
        Floor(field="level", min_rate=1.5)
    with pytest.raises(ValueError, match="multiple of 30"):
        Policy(sessions={"offline_buffer_minutes": 45})  # not on the half-hour grid
    cohort = Cohort(mentors=[mentor("m-1")], mentees=[mentee("s-1")])
    with pytest.raises(InputError, match=r"policy\.floors\[0\]\.field.*'school'.*'s-1'"):
        solve(cohort, Policy(floors=[Floor(field="school", min_rate=0.5)]))
    with pytest.raises(InputError, match="no mentee has level='high'"):
        solve(cohort, Policy(floors=[Floor(field="level", value="high", min_rate=0.5)]))


# --- sessions ------------------------------------------------------------------------------------


def test_sessions_never_overlap_and_lie_inside_both_availabilities() -> None:
    cohort = Cohort(
        mentors=[mentor("m-1", capacity=3)],
        mentees=[mentee(f"s-{k}") for k in range(3)],
    )
    r = solved(cohort, Policy(sessions={}))
    assert len(r.matches) == 2  # two 2-hour sessions fit in four hours, not three
    assert sorted(str(m.session) for m in r.matches) == ["Sat 10:00-12:00", "Sat 12:00-14:00"]
    assert [u.reason.value for u in r.unmatched] == ["policy_rules"]
    assert r.status.value == "optimal"
    # Without sessions all three fit the mentor's capacity (the common window is enough).
    assert len(solved(cohort, Policy()).matches) == 3


def test_offline_sessions_keep_the_travel_buffer() -> None:
    cohort = Cohort(
        mentors=[mentor("m-1", "Sat 10:00-15:00", capacity=2, mode="offline")],
        mentees=[mentee("s-1", mode="offline"), mentee("s-2", "Sat 10:00-15:00", mode="offline")],
    )
    assert len(solved(cohort, Policy(sessions={})).matches) == 2
    r = solved(cohort, Policy(sessions={"offline_buffer_minutes": 60}))
    assert len(r.matches) == 2  # 10-12, travel 12-13, 13-15
    sessions = sorted(str(m.session) for m in r.matches)
    assert sessions == ["Sat 10:00-12:00", "Sat 13:00-15:00"]
    r = solved(cohort, Policy(sessions={"offline_buffer_minutes": 90}))
    assert len(r.matches) == 1


def test_sessions_travel_to_json_csv_and_explain(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from matchkit.io import read_result, write_result

    cohort = Cohort(mentors=[mentor("m-1")], mentees=[mentee("s-1")])
    r = solved(cohort, Policy(sessions={}))
    write_result(r, tmp_path)
    assert read_result(tmp_path) == r
    assert "Sat 10:00-12:00" in (tmp_path / "matches.csv").read_text()
    assert "weekly session Sat 10:00-12:00" in r.explain("s-1")
    assert r.to_frame()["session"].tolist() == ["Sat 10:00-12:00"]


def test_verify_catches_bad_sessions() -> None:
    cohort = Cohort(mentors=[mentor("m-1", capacity=2)], mentees=[mentee("s-1"), mentee("s-2")])
    policy = Policy(sessions={})
    r = solved(cohort, policy)
    first, second = r.matches
    clash = r.model_copy(
        update={"matches": (first, second.model_copy(update={"session": first.session}))}
    )
    assert "session_overlap" in {v.code for v in verify(cohort, policy, clash)}
    outside = first.model_copy(
        update={"session": first.session.model_copy(update={"day": "Sun"})}  # type: ignore[union-attr]
    )
    bad = r.model_copy(update={"matches": (outside, second)})
    assert "session" in {v.code for v in verify(cohort, policy, bad)}


def test_pins_that_cannot_all_get_sessions_are_explained() -> None:
    cohort = Cohort(
        mentors=[mentor("m-1", "Sat 10:00-12:00", capacity=3)],
        mentees=[mentee("s-1"), mentee("s-2")],
    )
    policy = Policy(sessions={}, pinned=[("s-1", "m-1"), ("s-2", "m-1")])
    r = solve(cohort, policy)
    assert r.status.value == "infeasible"
    assert "'m-1'" in str(r.explanation)
    assert "non-overlapping sessions" in str(r.explanation)
    assert verify(cohort, policy, r) == []


# --- floors and max-min -------------------------------------------------------------------------


def _contested() -> Cohort:
    # One mentor, two mentees: the priority-3 one wins unless a floor says otherwise.
    return Cohort(
        mentors=[mentor("m-1", capacity=1)],
        mentees=[
            mentee("s-1", priority=3, district="Mapo-gu"),
            mentee("s-2", priority=0, district="Mapo-gu", level="high"),
        ],
    )


def test_a_floor_changes_who_is_matched() -> None:
    cohort = _contested()
    assert solved(cohort, Policy()).mentor_of("s-1") == "m-1"
    policy = Policy(floors=[Floor(field="level", value="high", min_rate=1.0)])
    r = solved(cohort, policy)
    assert r.mentor_of("s-2") == "m-1"
    assert r.method == "flow"  # one floor: disjoint groups, a lower bound in the flow
    r = solved(cohort, Policy(floors=policy.floors, sessions={}))
    assert r.mentor_of("s-2") == "m-1"
    assert r.method == "cpsat"


def test_an_unreachable_floor_is_relaxed_and_explained() -> None:
    cohort = Cohort(
        mentors=[mentor("m-1")],
        mentees=[mentee("s-1"), mentee("s-2", needs={"art": 1}, level="high")],
    )
    policy = Policy(floors=[Floor(field="level", value="high", min_rate=1.0)])
    r = solve(cohort, policy)
    # Not an empty answer: the best one that meets the floor as far as it can be met.
    assert r.status.value == "optimal"
    assert r.relaxed
    [floor] = r.floors
    assert (floor.required, floor.achieved, floor.attainable, floor.met) == (1, 0, 0, False)
    assert "level='high'" in " ".join(r.warnings)
    assert r.mentor_of("s-1") == "m-1"
    assert r.mentor_of("s-2") is None


def test_maxmin_lifts_the_worst_group_first() -> None:
    cohort = _contested()
    r = solved(cohort, Policy(maxmin=("level",)))
    # Either mentee leaves the other group at 0; max-min cannot do better, then the score
    # decides: the priority-3 mentee.
    assert r.mentor_of("s-1") == "m-1"
    cohort = Cohort(
        mentors=[mentor("m-1", capacity=1), mentor("m-2", capacity=1, subjects={"art": 5})],
        mentees=[
            mentee("s-1", priority=3),
            mentee("s-2", priority=3),
            mentee("s-3", priority=0, level="high", needs={"math": 1, "art": 1}),
        ],
    )
    # The score alone gives both mentors to ... whoever scores best; max-min by level must
    # match the one high-school mentee.
    r = solved(cohort, Policy(maxmin=("level",)))
    assert r.mentor_of("s-3") is not None


# --- load balance, minimum load, caps ------------------------------------------------------------


def test_balance_spreads_mentees_across_mentors() -> None:
    cohort = Cohort(
        mentors=[
            mentor("m-star", capacity=3, subjects={"math": 5}, terms_committed=4),
            mentor("m-2", capacity=3, subjects={"math": 3}),
        ],
        mentees=[mentee(f"s-{k}", "Sat 10:00-12:00") for k in range(4)],
    )
    plain = Counter(m.mentor_id for m in solved(cohort, Policy()).matches)
    assert plain["m-star"] == 3
    spread = solved(cohort, Policy(weights={"balance": 10}))
    assert sorted(Counter(m.mentor_id for m in spread.matches).values()) == [2, 2]
    assert spread.objective < solved(cohort, Policy()).objective
    assert spread.method == "flow"
    assert "parallel arcs" in str(spread.method_reason)
    # With a minimum load too, CP-SAT (flow's places cannot carry both).
    both = solved(cohort, Policy(weights={"balance": 10}, min_load=1))
    assert both.method == "cpsat"
    assert both.objective == pytest.approx(spread.objective)


@settings(max_examples=30)
@given(
    cohort=st.one_of(
        cohorts(),  # dense small cohorts; synthetic ones have mentors of capacity up to 5
        st.integers(0, 10_000).map(lambda seed: generate_cohort(8, 40, seed=seed)),
    ),
    balance=st.sampled_from((0.5, 4.0, 40.0)),
)
def test_balance_by_flow_and_by_cpsat_agree(cohort: Cohort, balance: float) -> None:
    policy = Policy(weights={"balance": balance})
    flow = solve(cohort, policy)
    cpsat = solve(cohort, policy, method="cpsat", time_limit=20)
    assert flow.method == "flow"
    assert cpsat.method == "cpsat"
    assert flow.status == cpsat.status
    if flow.status.has_solution:
        assert flow.status.value == "optimal"
        assert cpsat.objective == pytest.approx(flow.objective, abs=1e-6)
        assert verify(cohort, policy, flow) == []
        assert verify(cohort, policy, cpsat) == []


def test_min_load_uses_flow_and_is_verified() -> None:
    cohort = Cohort(
        mentors=[mentor("m-star", capacity=2, subjects={"math": 5}), mentor("m-2", capacity=2)],
        mentees=[mentee("s-1"), mentee("s-2")],
    )
    r = solved(cohort, Policy(min_load=1))
    assert r.method == "flow"
    assert sorted(Counter(m.mentor_id for m in r.matches).values()) == [1, 1]
    short = Cohort(mentors=cohort.mentors, mentees=cohort.mentees[:1])
    r = solve(short, Policy(min_load=1))
    assert r.status.value == "infeasible"
    assert r.explanation


def test_group_caps_and_category_limits() -> None:
    cohort = Cohort(
        mentors=[mentor("m-1", capacity=3), mentor("m-2", capacity=3, subjects={"math": 3})],
        mentees=[
            mentee(f"s-{k}", "Sat 10:00-12:00", attributes={"school": "A" if k < 3 else "B"})
            for k in range(4)
        ],
    )
    capped = Policy(group_caps=[GroupCap(field="school", max_per_mentor=1)])
    r = solved(cohort, capped)
    for t in ("m-1", "m-2"):
        schools = [m.mentee_id for m in r.matches if m.mentor_id == t]
        assert len(schools) <= 2
    at_least = Policy(category_limits=[CategoryLimit(field="school", value="B", at_least=1)])
    r = solved(cohort, at_least)
    assert len({m.mentor_id for m in r.matches}) == 1  # only one mentor can have the B pupil
    at_most = Policy(category_limits=[CategoryLimit(field="school", value="A", at_most=1)])
    r = solved(cohort, at_most)
    assert len(r.matches) == 3


def test_pins_against_a_cap_are_explained() -> None:
    cohort = Cohort(
        mentors=[mentor("m-1", capacity=3)],
        mentees=[
            mentee("s-1", attributes={"school": "A"}),
            mentee("s-2", attributes={"school": "A"}),
        ],
    )
    policy = Policy(
        pinned=[("s-1", "m-1"), ("s-2", "m-1")],
        group_caps=[GroupCap(field="school", max_per_mentor=1)],
    )
    r = solve(cohort, policy)
    assert r.status.value == "infeasible"
    assert "'m-1'" in str(r.explanation)
    assert "school='A'" in str(r.explanation)


# --- properties ---------------------------------------------------------------------------------


@settings(max_examples=25)
@given(cohort=cohorts(), buffer=st.sampled_from((0, 30, 60)))
def test_with_sessions_every_result_verifies(cohort: Cohort, buffer: int) -> None:
    policy = Policy(sessions={"offline_buffer_minutes": buffer})
    r = solve(cohort, policy, time_limit=10)
    assert r.status.has_solution
    assert verify(cohort, policy, r) == []
    assert len(r.matches) + len(r.unmatched) == len(cohort.mentees)


@settings(max_examples=25)
@given(cohort=cohorts(), rate=st.sampled_from((0.25, 0.5, 1.0)))
def test_an_achievable_floor_is_always_met(cohort: Cohort, rate: float) -> None:
    base = solve(cohort, Policy())
    matched = {m.mentee_id for m in base.matches}
    # Ask for what some answer already achieves in each priority group, at most ``rate``.
    reach = Counter(s.priority for s in cohort.mentees if s.id in matched)
    size = Counter(s.priority for s in cohort.mentees)
    floors = [
        Floor(field="priority", value=p, min_rate=min(rate, reach[p] / size[p])) for p in size
    ]
    policy = Policy(floors=floors)
    r = solve(cohort, policy, time_limit=10)
    assert r.status.has_solution
    assert verify(cohort, policy, r) == []


@settings(max_examples=25)
@given(cohort=cohorts())
def test_maxmin_never_ends_below_the_flow_answers_lowest_group_rate(cohort: Cohort) -> None:
    def lowest(result) -> float:  # type: ignore[no-untyped-def]
        rates = result.metrics().match_rate_by_level
        return min(rates.values()) if rates else 1.0

    base = solve(cohort, Policy())
    r = solve(cohort, Policy(maxmin=("level",)), time_limit=10)
    assert r.status.value == "optimal"  # every pair in the model: both stages proven
    assert verify(cohort, Policy(maxmin=("level",)), r) == []
    assert lowest(r) >= lowest(base) - 1e-12


@settings(max_examples=30)
@given(cohort=cohorts())
def test_the_cpsat_model_agrees_with_flow_when_the_rich_rules_do_not_bind(cohort: Cohort) -> None:
    # A cap no mentor can reach: the same optimum. Forbid the shortcut that accepts the flow
    # answer, so CP-SAT's own model has to find and prove it.
    loose = Policy(group_caps=[GroupCap(field="level", max_per_mentor=50)])
    # Fault injection: no argument of solve() turns one pipeline step off, nor should one.
    with pytest.MonkeyPatch.context() as m:
        m.setattr(rich, "rule_breaks", lambda *a: ["forced search"])
        r = solve(cohort, loose, time_limit=20)
    flow = solve(cohort, Policy())
    assert r.status.value == "optimal"
    assert r.objective == pytest.approx(flow.objective, abs=1e-6)
    assert verify(cohort, loose, r) == []


def test_same_input_and_seed_give_the_same_answer() -> None:
    cohort = generate_cohort(40, 160, seed=3)
    policy = Policy(sessions={}, floors=[Floor(field="priority", value=3, min_rate=0.5)])
    a = solve(cohort, policy, seed=1, time_limit=30)
    b = solve(cohort, policy, seed=1, time_limit=30)
    assert a.status.value == "optimal"
    assert [(m.mentee_id, m.mentor_id, str(m.session)) for m in a.matches] == [
        (m.mentee_id, m.mentor_id, str(m.session)) for m in b.matches
    ]
    assert verify(cohort, policy, a) == []


@settings(max_examples=25)
@given(
    cohort=cohorts(max_mentors=5, max_mentees=12),
    iterations=st.sampled_from((1, 5, 40)),
    buffer=st.sampled_from((0, 30, 60)),
)
def test_the_lagrangian_and_session_capacity_bounds_never_cut_off_the_optimum(
    cohort: Cohort, iterations: int, buffer: int
) -> None:
    import numpy as np

    from matchkit.rich.bound import session_bound

    captured = {}
    original = rich._start

    def spy(d, *args):  # type: ignore[no-untyped-def]
        captured["d"] = d
        return original(d, *args)

    policy = Policy(sessions={"offline_buffer_minutes": buffer})
    # A spy and a step turned off: fault injection, which no argument of solve() should offer.
    with pytest.MonkeyPatch.context() as m:
        m.setattr(rich, "_start", spy)
        m.setattr(rich, "session_bound", lambda *a, **k: (np.inf, 0, None))  # CP-SAT proves alone
        r = solve(cohort, policy, time_limit=20, gap=0)
    assert r.status.value in ("optimal", "infeasible")
    if "d" not in captured or r.status.value != "optimal":
        return
    d = captured["d"]  # the session-capacity relaxation: its flow bound was checked above
    every = d.start_table(np.arange(d.problem.n_edges, dtype=np.int64))
    bound, _, _ = session_bound(d, every, -1e18, iterations=iterations, deadline=float("inf"))
    assert bound / 1000 >= r.objective - 1e-6


@settings(max_examples=30)
@given(
    cohort=st.one_of(
        cohorts(), st.integers(0, 10_000).map(lambda seed: generate_cohort(8, 40, seed=seed))
    ),
    rate=st.sampled_from((0.3, 0.6, 1.0)),
    min_load=st.sampled_from((0, 1)),
)
def test_disjoint_floors_by_flow_and_by_cpsat_agree(
    cohort: Cohort, rate: float, min_load: int
) -> None:
    policy = Policy(floors=[Floor(field="level", min_rate=rate)], min_load=min_load)
    flow = solve(cohort, policy)
    cpsat = solve(cohort, policy, method="cpsat", time_limit=20, gap=0)
    assert flow.method == "flow"
    assert "disjoint groups" in str(flow.method_reason)
    assert verify(cohort, policy, flow) == []
    assert verify(cohort, policy, cpsat) == []
    # Both relax unmeetable floors the same way: the most floor places, then the score.
    assert flow.relaxed == cpsat.relaxed
    assert sum(min(f.achieved, f.required) for f in flow.floors) == sum(
        min(f.achieved, f.required) for f in cpsat.floors
    )
    assert flow.status.has_solution == cpsat.status.has_solution
    if flow.status.has_solution:
        assert flow.status.value == "optimal"
        assert cpsat.status.value == "optimal"
        assert cpsat.objective == pytest.approx(flow.objective, abs=1e-6)
    else:
        assert flow.explanation


def test_overlapping_floors_go_to_cpsat() -> None:
    cohort = _contested()
    policy = Policy(
        floors=[Floor(field="level", min_rate=0.5), Floor(field="priority", value=3, min_rate=1)]
    )
    r = solved(cohort, policy)
    assert r.method == "cpsat"
