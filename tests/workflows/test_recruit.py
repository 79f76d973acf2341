"""`recruit`: the hires are the best choice (brute force over every subset on small cohorts),
every reason is true, bad rules are refused before solving, and the new cohort verifies."""

from __future__ import annotations

import itertools

import pytest
from tests.records import math_mentee, math_mentor

from matchkit import (
    Applicant,
    Cohort,
    HireReason,
    HiringRules,
    InputError,
    Policy,
    Quota,
    recruit,
    solve,
    verify,
)
from matchkit.synth import generate_applicants, generate_cohort


def _applicant(id: str, subject: str, review: float, **kw: object) -> Applicant:
    kw.setdefault("district", "Mapo-gu")
    kw.setdefault("availability", "Sat 10:00-14:00")
    kw.setdefault("capacity", 2)
    return Applicant(id=id, subjects={subject: 4}, review=review, **kw)  # type: ignore[arg-type]


def _small(seed: int) -> tuple[Cohort, tuple[Applicant, ...]]:
    syn = generate_cohort(3, 14, seed=seed)
    apps = generate_applicants(6, seed=seed, cohort=syn)
    return syn, apps


def _best_by_brute_force(cohort: Cohort, apps: tuple[Applicant, ...], rules: HiringRules) -> float:
    best = -float("inf")
    pool = [a for a in apps if a.review >= rules.min_review]
    for chosen in itertools.combinations(pool, rules.hire):
        per_uni: dict[str | None, int] = {}
        for a in chosen:
            per_uni[a.university] = per_uni.get(a.university, 0) + 1
        if any(
            not (q.at_least <= per_uni.get(u, 0) <= (q.at_most if q.at_most is not None else 99))
            for u, q in rules.quotas.items()
        ):
            continue
        new = Cohort(
            mentors=(*cohort.mentors, *(a.as_mentor() for a in chosen)), mentees=cohort.mentees
        )
        r = solve(new)
        points = sum(rules.points(a.review, a.alumni, a.terms_committed) for a in chosen)
        best = max(best, r.objective + rules.points_weight * points)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_the_hires_are_the_best_choice(seed: int) -> None:
    cohort, apps = _small(seed)
    rules = HiringRules(hire=2, min_review=50, points_weight=0.5 * (seed % 2))
    r = recruit(cohort, apps, rules=rules, gap=0.0)  # proven: no stop at a small gap
    assert r.status.value == "optimal"
    assert r.objective == pytest.approx(_best_by_brute_force(cohort, apps, rules), abs=1e-6)
    assert len(r.hired) == 2
    assert verify(r.cohort, Policy(), r.match) == []
    assert {m.id for m in r.cohort.mentors} == {m.id for m in cohort.mentors} | set(r.hired)


def test_every_reason_is_true() -> None:
    cohort = Cohort(mentors=[], mentees=[math_mentee(f"s-{k}") for k in range(4)])
    apps = (
        _applicant("a-1", "math", 90, university="U1"),
        _applicant("a-2", "math", 85, university="U1"),
        _applicant("a-3", "math", 40, university="U2"),  # below the standard
        _applicant("a-4", "math", 80, university="U3", recommended=False),
        _applicant("a-5", "english", 99, university="U2"),  # nobody needs english
    )
    rules = HiringRules(
        hire=2, min_review=50, recommended_only=True, quotas={"U1": Quota(at_most=1)}
    )
    r = recruit(cohort, apps, rules=rules)
    reasons = {d.applicant_id: d.reason for d in r.decisions}
    assert reasons["a-3"] is HireReason.BELOW_STANDARD
    assert reasons["a-4"] is HireReason.NOT_RECOMMENDED
    assert reasons["a-1"] is HireReason.HIRED  # U1's better applicant takes its one place
    assert reasons["a-2"] is HireReason.QUOTA_FULL
    assert reasons["a-5"] is HireReason.HIRED  # the only one left to make two hires
    hired = r.decision("a-1")
    assert hired.students == 2
    assert hired.sole_students == 2  # a-5 teaches english: nobody else takes math
    assert hired.subjects == ("math",)
    assert hired.districts == ("Mapo-gu",)
    assert hired.value is not None
    assert hired.value > 0
    assert "40 is below the standard, 50" in r.decision("a-3").detail
    frame = r.to_frame()
    assert list(frame.applicant_id[:2]) == ["a-1", "a-5"] or frame.hired[:2].all()


def test_lower_value_is_truthful() -> None:
    cohort = Cohort(mentors=[], mentees=[math_mentee("s-1")])
    apps = (_applicant("a-1", "math", 60), _applicant("a-2", "english", 99))
    r = recruit(cohort, apps, rules=HiringRules(hire=1, points_weight=0))
    assert r.hired == ("a-1",)
    d = r.decision("a-2")
    assert d.reason is HireReason.LOWER_VALUE
    assert d.value == 0.0  # nobody needs english: it would add nothing


@pytest.mark.parametrize(
    ("rules", "code", "field"),
    [
        (
            HiringRules(hire=1, quotas={"Nowhere": Quota(at_most=1)}),
            "unknown_university",
            "rules.quotas['Nowhere']",
        ),
        (HiringRules(hire=3), "too_many", "rules.hire"),
        (
            HiringRules(hire=2, quotas={"U1": Quota(at_most=0)}),
            "quota_sum_below_hire",
            "rules.quotas",
        ),
        (
            HiringRules(hire=1, quotas={"U1": Quota(at_least=2)}),
            "quota_sum_above_hire",
            "rules.quotas",
        ),
    ],
)
def test_bad_rules_are_refused_before_solving(rules: HiringRules, code: str, field: str) -> None:
    cohort = Cohort(mentors=[], mentees=[math_mentee("s-1")])
    apps = (
        _applicant("a-1", "math", 60, university="U1"),
        _applicant("a-2", "math", 70, university="U1"),
    )
    with pytest.raises(InputError) as err:
        recruit(cohort, apps, rules=rules)
    assert err.value.codes() == [code]
    assert err.value.problems[0].field == field


def test_an_applicant_id_taken_by_a_mentor_is_refused() -> None:
    cohort = Cohort(mentors=[math_mentor("m-1")], mentees=[math_mentee("s-1")])
    with pytest.raises(InputError) as err:
        recruit(cohort, (_applicant("m-1", "math", 60),), rules=HiringRules(hire=1))
    assert err.value.codes() == ["id_taken"]
    assert err.value.problems[0].field == "applicants[0].id"


def test_same_seed_same_hires_and_a_curve_around_the_count() -> None:
    cohort = generate_cohort(20, 160, seed=4)
    apps = generate_applicants(60, seed=4, cohort=cohort)
    rules = HiringRules(hire=25, min_review=50)
    a = recruit(cohort, apps, rules=rules, time_limit=20)
    b = recruit(cohort, apps, rules=rules, time_limit=20)
    assert a.hired == b.hired
    assert a.objective == b.objective
    assert verify(a.cohort, Policy(), a.match) == []
    hires = [c.hires for c in a.curve]
    assert 25 in hires
    assert 24 in hires
    assert 26 in hires
    for c in a.curve:
        assert c.bound >= c.objective - 1e-6
    here = next(c for c in a.curve if c.hires == 25)
    assert here.objective == pytest.approx(a.objective)
    assert a.gap < 0.01
    for d in a.decisions:
        assert d.sole_students <= d.students
