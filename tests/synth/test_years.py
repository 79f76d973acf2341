"""The yearly simulation: deterministic, the size kept, ids unique across the years, and
``recruit``'s choice never behind the office's rule where it is exact."""

from __future__ import annotations

import math
from functools import cache

import pytest

from matchkit import Applicant, HiringRules, InputError, Policy, Weights
from matchkit.synth import YearsSimulation, generate, office_hires, simulate_years

SMALL = {"n_mentors": 30, "n_mentees": 120, "n_applicants": 60, "time_limit": 5.0}
RULES = HiringRules(hire=0, min_review=60, points_weight=0.0)
"""By students served alone: seeds 0 and 4 are proven optimal in well under the time limit
every year, so the answers do not depend on how far a time-limited search got."""


@cache
def small(seed: int = 0) -> YearsSimulation:
    """Two years at 30 mentors, 120 mentees, 60 applicants (about 1.5 s)."""
    return simulate_years(2, rules=RULES, seed=seed, **SMALL)  # type: ignore[arg-type]


@cache
def with_points() -> YearsSimulation:
    """One year with the default points weight (review and extra points count)."""
    rules = RULES.model_copy(update={"points_weight": 1.0})
    return simulate_years(1, rules=rules, seed=0, **SMALL)  # type: ignore[arg-type]


@cache
def match_only() -> YearsSimulation:
    """Every student left unmatched costs the same 50 points, nothing else is scored: the
    objective is -50 x the unmatched, so an exact choice matches as many as any other."""
    zero = dict.fromkeys(
        ["subject_fit", "schedule_slack", "continuity", "commitment", "alumni", "distance"], 0.0
    )
    policy = Policy(weights=Weights(**zero, priority=0.0, lost_mentor=0.0))
    return simulate_years(2, rules=RULES, policy=policy, seed=3, **SMALL)  # type: ignore[arg-type]


def _without_times(sim: YearsSimulation) -> list[dict[str, object]]:
    return [y.model_dump(exclude={"seconds"}) for y in sim.years]


def test_deterministic_for_a_seed() -> None:
    # every year's search ended by itself (proven, or within recruit's gap), not by the clock
    assert all(y.gap <= 1e-4 for y in (*small().years, *small(4).years))
    again = simulate_years(2, rules=RULES, seed=0, **SMALL)  # type: ignore[arg-type]
    assert _without_times(again) == _without_times(small())
    assert again.cohorts == small().cohorts
    assert _without_times(small(4)) != _without_times(small())


def test_departures_replaced_so_the_size_stays() -> None:
    sim = small()
    assert (sim.start_mentors, sim.start_mentees) == (30, 120)
    for y, cohort in zip(sim.years, sim.cohorts, strict=True):
        assert y.mentors_left == round(30 * 850 / 1500) == 17
        assert y.hire == y.mentors_left <= y.considered <= y.applicants == 60
        assert len(y.hired) == y.hire
        assert y.mentors_stayed + y.hire == len(cohort.mentors) == 30
        assert y.mentees_left == y.mentees_joined == round(0.44 * 120)
        assert len(cohort.mentees) == y.mentees == 120


def test_a_fixed_hire_count_every_year() -> None:
    sim = simulate_years(2, rules=RULES, hire=5, seed=4, **SMALL)  # type: ignore[arg-type]
    assert [len(y.hired) for y in sim.years] == [5, 5]
    assert [len(c.mentors) for c in sim.cohorts] == [30 - 17 + 5, 18 - 10 + 5]


def test_ids_unique_across_years() -> None:
    sim = small()
    start = generate(30, 120, seed=0).cohort
    seen_mentors = {m.id for m in start.mentors}
    seen_mentees = {s.id for s in start.mentees}
    for y, cohort in zip(sim.years, sim.cohorts, strict=True):
        assert all(h.startswith(f"a-y{y.year}-") for h in y.hired)
        assert not set(y.hired) & seen_mentors  # never an id someone had before
        new = {s.id for s in cohort.mentees} - seen_mentees
        assert len(new) == y.mentees_joined
        assert all(i.startswith(f"s-y{y.year}-") for i in new)
        seen_mentors |= {m.id for m in cohort.mentors}
        seen_mentees |= new
        assert {m.id for m in cohort.mentors} >= set(y.hired)


def test_recruit_matches_at_least_the_office_where_exact() -> None:
    for y in match_only().years:
        assert y.status == "optimal"
        assert y.gap == 0.0
        assert y.objective == pytest.approx(-50 * (y.mentees - y.matched))
        assert y.matched >= y.office_matched
        assert y.more_matched == y.matched - y.office_matched


def test_the_office_never_beats_the_bound() -> None:
    for y in [*small().years, *match_only().years, *with_points().years]:
        tol = 1e-6 * max(1.0, abs(y.bound))
        assert y.office_objective <= y.bound + tol
        assert y.objective <= y.bound + tol
        if y.gap == 0.0:
            assert y.objective >= y.office_objective - tol
        assert y.office_gap >= 0.0
        assert math.isfinite(y.office_gap)
        assert y.more_top_priority_matched == y.top_priority_matched - (
            y.office_top_priority_matched
        )
        assert 0 <= y.top_priority_matched <= y.top_priority_mentees <= y.mentees


def test_mentors_within_their_commitment_leave_less() -> None:
    start = generate(30, 120, seed=4).cohort
    long_term = {m.id for m in start.mentors if m.terms_committed > 2}
    assert 0 < len(long_term) < 30 - 17
    # weight 0: nobody still within their commitment leaves while others can
    sim = simulate_years(1, rules=RULES, unserved_weight=0.0, seed=4, **SMALL)  # type: ignore[arg-type]
    assert long_term <= {m.id for m in sim.cohorts[0].mentors}


def test_frame_has_a_row_per_year_and_no_ids() -> None:
    frame = small().to_frame()
    assert list(frame["year"]) == [1, 2]
    assert "hired" not in frame.columns
    assert {"matched", "office_matched", "gap", "more_top_priority_matched"} <= set(frame)
    assert small().rows()[0]["year"] == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_years": 0}, "n_years"),
        ({"mentor_leave_rate": 1.0}, "mentor_leave_rate"),
        ({"mentee_leave_rate": -0.1}, "mentee_leave_rate"),
        ({"unserved_weight": math.nan}, "unserved_weight"),
        ({"hire": -1}, "hire"),
        ({"n_applicants": True}, "n_applicants"),
        ({"seed": -2}, "seed"),
    ],
)
def test_bad_arguments_named(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {"n_years": 1, **SMALL, **kwargs}
    with pytest.raises(InputError) as info:
        simulate_years(**args)  # type: ignore[arg-type]
    assert [p.field for p in info.value.problems] == [field]


def _app(k: int, review: float, university: str, **extra: object) -> Applicant:
    return Applicant(
        id=f"a-{k}",
        subjects={"math": 4},
        availability="Sat 10:00-12:00",
        district="Mapo-gu",
        review=review,
        university=university,
        **extra,  # type: ignore[arg-type]
    )


def test_office_rule_ranks_by_points_within_the_rules() -> None:
    apps = [
        _app(0, 90, "A"),
        _app(1, 80, "A"),
        _app(2, 70, "B", terms_committed=4),  # 70 + 2 x 3 terms = 76
        _app(3, 75, "B"),
        _app(4, 58, "C", alumni=True),  # below the standard, alumni points or not
        _app(5, 65, "C", recommended=False),
        _app(6, 75, "C"),  # ties with a-3: the earlier applicant first
    ]
    rules = HiringRules(hire=3, min_review=60)
    assert office_hires(apps, rules) == ("a-0", "a-1", "a-2")
    capped = HiringRules(hire=4, min_review=60, quotas={"A": {"at_most": 1}})
    assert office_hires(apps, capped) == (
        "a-0",
        "a-2",
        "a-3",
        "a-6",
    )
    least = HiringRules(hire=2, min_review=60, quotas={"C": {"at_least": 2}})
    assert office_hires(apps, least) == ("a-6", "a-5")
    only = HiringRules(hire=2, min_review=60, recommended_only=True, quotas={"C": {"at_least": 2}})
    assert office_hires(apps, only) == ("a-0", "a-6")
    assert office_hires(apps, HiringRules(hire=10, min_review=95)) == ()
