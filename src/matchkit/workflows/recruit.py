"""``recruit``: whom to hire this year, and next term's matching with them.

The cohort holds the mentors who stay and next term's mentees; the applicants are mentors
not yet hired. Applicants below the standard (or not recommended, where the rules ask) are
set aside first. The rest become candidate mentors of one :class:`~matchkit.AssignmentProblem`
(compiled under the policy's rules, exactly as :func:`~matchkit.solve` would), each worth
``points_weight`` times their points when hired, grouped by university for the quotas;
:func:`~matchkit.select_mentors` chooses the hires with a proven bound. The new cohort (the
staying mentors and the hired applicants) is then matched by :func:`~matchkit.solve`.

Rules beyond the linear ones (weekly sessions, floors, caps) are kept by that final
matching; the choice itself is made on the policy's linear rules, whose optimum only
exceeds the richer one's, so the bound stays valid (the gap may be wider).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matchkit.compiler.prepare import prepare
from matchkit.compiler.problem import compile_problem
from matchkit.compiler.rules import MILLI
from matchkit.core.options import validate_options
from matchkit.core.problem import AssignmentProblem
from matchkit.domain.applicant import Applicant
from matchkit.domain.hiring import (
    CurvePoint,
    HireDecision,
    HireReason,
    HiringRules,
    RecruitResult,
)
from matchkit.domain.model import Cohort, Mentee
from matchkit.domain.policy import Policy
from matchkit.domain.result import Match, MatchResult
from matchkit.errors import InputError, InputProblem
from matchkit.solvers.selection import (
    Selection,
    gain_estimates,
    hiring_curve,
    select_mentors,
)
from matchkit.workflows.solve import solve

__all__ = ["CURVE_STEPS", "recruit"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

CURVE_STEPS = (-50, -10, -1, 0, 1, 10, 50)
"""The hire counts of the value curve, around ``rules.hire``."""


def _check(
    cohort: Cohort, applicants: Sequence[Applicant], rules: HiringRules
) -> list[InputProblem]:
    problems: list[InputProblem] = []
    staying = {m.id for m in cohort.mentors}
    seen: set[str] = set()
    for k, a in enumerate(applicants):
        if not isinstance(a, Applicant):
            problems.append(
                InputProblem("not_an_applicant", f"applicants[{k}]", "is not an Applicant record")
            )
            continue
        if a.id in staying:
            problems.append(
                InputProblem(
                    "id_taken", f"applicants[{k}].id", f"{a.id!r} is already a mentor's id"
                )
            )
        if a.id in seen:
            problems.append(
                InputProblem("repeated_id", f"applicants[{k}].id", f"{a.id!r} appears twice")
            )
        seen.add(a.id)
    universities = {a.university for a in applicants if isinstance(a, Applicant)}
    for name in rules.quotas:
        if name not in universities:
            problems.append(
                InputProblem(
                    "unknown_university",
                    f"rules.quotas[{name!r}]",
                    "names a university no applicant studies at",
                )
            )
    return problems


def recruit(
    cohort: Cohort,
    applicants: Sequence[Applicant],
    policy: Policy | None = None,
    rules: HiringRules | None = None,
    *,
    method: str = "auto",
    time_limit: float | None = 60.0,
    seed: int = 0,
    gap: float = 1e-4,
    curve: Sequence[int] | None = CURVE_STEPS,
) -> RecruitResult:
    """Choose which applicants to hire, and match next term's mentees with the new cohort.

    Parameters
    ----------
    cohort : Cohort
        The mentors who stay and next term's mentees.
    applicants : sequence of Applicant
        This year's applicants (ids distinct from every staying mentor's).
    policy : Policy, optional
        The matching rules (as for :func:`~matchkit.solve`).
    rules : HiringRules
        How many to hire and how applicants are scored; required.
    method : {"auto", "lagrange", "cpsat"}
        The selection method (:func:`~matchkit.select_mentors`).
    time_limit : float, optional
        Seconds for the choice (60 by default); the matching, the marginal values and the
        curve add a few solves after it.
    seed : int
        The seed of every search; the same input and seed give the same answer.
    gap : float
        Stop the choice once this close to its bound.
    curve : sequence of int, optional
        Offsets from ``rules.hire`` at which to report the value of fewer or more hires
        (``RecruitResult.curve``); None for none.

    Returns
    -------
    RecruitResult

    Raises
    ------
    InputError
        Before any solving, naming the field: no rules, a quota naming a university no
        applicant studies at, more to hire than applicants meeting the standard, quotas that
        cannot add up to ``hire``, an applicant id already a mentor's, a repeated id.

    Examples
    --------
    >>> from matchkit import Applicant, Cohort, HiringRules, Mentee, Mentor, recruit
    >>> stay = Mentor(id="m-1", subjects={"math": 4}, availability="Sat 10:00-14:00",
    ...               district="Mapo-gu", capacity=1)
    >>> kids = [Mentee(id=f"s-{k}", level="middle", grade=2, needs={"english": 1},
    ...                availability="Sat 09:00-12:00", district="Mapo-gu") for k in (1, 2)]
    >>> apps = [Applicant(id="a-1", subjects={"english": 4}, availability="Sat 10:00-14:00",
    ...                   district="Mapo-gu", capacity=2, review=70),
    ...         Applicant(id="a-2", subjects={"math": 5}, availability="Sat 10:00-14:00",
    ...                   district="Mapo-gu", capacity=2, review=95)]
    >>> r = recruit(Cohort(mentors=[stay], mentees=kids), apps, rules=HiringRules(hire=1))
    >>> r.hired, r.decision("a-2").reason.value, len(r.match.matches)
    (('a-1',), 'lower_value', 2)
    """
    t0 = time.perf_counter()
    policy = Policy() if policy is None else policy
    if rules is None:
        raise InputError("recruit", [InputProblem("missing", "rules", "HiringRules are required")])
    validate_options(time_limit, seed, None)
    applicants = tuple(applicants)
    problems = _check(cohort, applicants, rules)
    if problems:
        raise InputError("recruit", problems)
    considered: list[Applicant] = []
    set_aside: dict[str, tuple[HireReason, str]] = {}
    for a in applicants:
        if a.review < rules.min_review:
            set_aside[a.id] = (
                HireReason.BELOW_STANDARD,
                f"review {a.review:g} is below the standard, {rules.min_review:g}",
            )
        elif rules.recommended_only and not a.recommended:
            set_aside[a.id] = (
                HireReason.NOT_RECOMMENDED,
                "not recommended by their university, and only recommended applicants are "
                "considered",
            )
        else:
            considered.append(a)
    if rules.hire > len(considered):
        raise InputError(
            "recruit",
            [
                InputProblem(
                    "too_many",
                    "rules.hire",
                    f"asks for {rules.hire} hires but only {len(considered)} of "
                    f"{len(applicants)} applicants meet the standard",
                )
            ],
        )
    staying = cohort.mentors
    everyone = Cohort(
        mentors=(*staying, *(a.as_mentor() for a in considered)), mentees=cohort.mentees
    )
    pair_rules, pinned = prepare(everyone, policy)
    problem = compile_problem(pair_rules, pinned).problem
    n_stay = len(staying)
    optional = np.zeros(problem.n_mentors, dtype=np.bool_)
    optional[n_stay:] = True
    points = np.zeros(problem.n_mentors)
    points[n_stay:] = [rules.points(a.review, a.alumni, a.terms_committed) for a in considered]
    # the compiled scores are in thousandths of a point (MILLI); so are the bonuses
    bonus: F64 = MILLI * rules.points_weight * points
    names = sorted(rules.quotas)
    code = {name: g for g, name in enumerate(names)}
    groups = np.full(problem.n_mentors, -1, dtype=np.int64)
    groups[n_stay:] = [code.get(a.university or "", -1) for a in considered]
    quotas = {code[n]: (q.at_least, q.at_most) for n, q in rules.quotas.items()}
    try:
        sel = select_mentors(
            problem,
            hire=rules.hire,
            optional=optional,
            bonus=bonus,
            groups=groups,
            quotas=quotas or None,
            at_most=rules.at_most,
            method=method,
            time_limit=time_limit,
            seed=seed,
            gap=gap,
        )
    except InputError as exc:
        raise InputError("recruit", [_named(p, names) for p in exc.problems]) from None
    t_chosen = time.perf_counter()
    hired_idx = np.flatnonzero(sel.hired)
    hired_apps = [considered[j - n_stay] for j in hired_idx.tolist()]
    new_cohort = Cohort(
        mentors=(*staying, *(a.as_mentor() for a in hired_apps)), mentees=cohort.mentees
    )
    match = solve(new_cohort, policy, seed=seed, time_limit=time_limit)
    points_hired = float(bonus[sel.hired].sum()) / MILLI
    objective = match.objective + points_hired if match.status.has_solution else math.nan
    # The matching keeps every rule of the policy; without rich rules its objective is the
    # selection's (the same problem on the same mentors), with them it can only be lower.
    sel_bound = sel.bound / MILLI
    bound = max(sel_bound, objective) if math.isfinite(objective) else sel_bound
    # what each unhired applicant would add: for the reasons and for the curve's larger counts
    gains = gain_estimates(problem, sel, bonus=bonus) if sel.status.has_solution else None
    decisions = _decisions(
        applicants, considered, set_aside, sel, problem, bonus, groups, quotas, names, gains,
        match, cohort.mentees, n_stay, rules,
    )  # fmt: skip
    rows: tuple[CurvePoint, ...] = ()
    if curve and sel.status.has_solution:
        counts = [rules.hire + d for d in curve if 0 <= rules.hire + d <= len(considered)]
        rows = tuple(
            CurvePoint(
                hires=r.hires,
                objective=r.objective / MILLI,
                bound=r.bound / MILLI,
                matched=r.matched,
            )
            for r in hiring_curve(
                problem, sel, counts, bonus=bonus, groups=groups, quotas=quotas or None,
                time_limit=time_limit, gap=gap, gains=gains,
            )
        )  # fmt: skip
    status = match.status if sel.status.has_solution else sel.status
    if status.value == "optimal" and bound - objective > 1e-6 * max(1.0, abs(objective)):
        status = type(status).FEASIBLE
    return RecruitResult(
        status=status,
        method=sel.method,
        objective=objective,
        bound=bound,
        hired=tuple(a.id for a in hired_apps),
        decisions=decisions,
        cohort=new_cohort,
        match=match,
        curve=rows,
        rules=rules,
        seed=seed,
        wall_time=time.perf_counter() - t0,
        stats={
            "applicants": float(len(applicants)),
            "considered": float(len(considered)),
            "selection_time": t_chosen - t0,
            "selection_bound": sel_bound,
            "selection_objective": sel.objective / MILLI,
            "sets_solved": float(sel.stats.get("sets_solved", 0)),
        },
    )


def _named(p: InputProblem, names: list[str]) -> InputProblem:
    """The engine's problem in the rules' words (a group number becomes its university)."""
    field = p.field.replace("hire", "rules.hire")
    for g, name in enumerate(names):
        field = field.replace(f"quotas[{g}]", f"rules.quotas[{name!r}]")
    if field == "quotas":
        field = "rules.quotas"
    return InputProblem(p.code, field, p.message, p.indices)


def _decisions(
    applicants: tuple[Applicant, ...],
    considered: list[Applicant],
    set_aside: dict[str, tuple[HireReason, str]],
    sel: Selection,
    problem: AssignmentProblem,
    bonus: F64,
    groups: I64,
    quotas: dict[int, tuple[int, int | None]],
    names: list[str],
    gains: F64 | None,
    match: MatchResult,
    mentees: tuple[Mentee, ...],
    n_stay: int,
    rules: HiringRules,
) -> tuple[HireDecision, ...]:
    index = {a.id: n_stay + k for k, a in enumerate(considered)}
    open_ = sel.open
    mentee = np.asarray(problem.mentee)
    mentor = np.asarray(problem.mentor)
    on_open = open_[mentor]
    n_open = np.bincount(mentee[on_open], minlength=problem.n_mentees)
    # of each hire's own students next term, those no other open mentor could take
    sole_edge = np.asarray(sel.assignment.selected) & (n_open[mentee] == 1)
    sole = np.bincount(mentor[sole_edge], minlength=problem.n_mentors)
    hired_values = sel.value[sel.hired]
    least = float(np.nanmin(hired_values)) / MILLI if np.isfinite(hired_values).any() else math.inf
    counts = np.bincount(groups[sel.hired][groups[sel.hired] >= 0], minlength=len(names))
    by_mentor: dict[str, list[Match]] = {}
    for m in match.matches:
        by_mentor.setdefault(m.mentor_id, []).append(m)
    needs = {s.id: s.needs for s in mentees}
    out: list[HireDecision] = []
    for a in applicants:
        pts = rules.points(a.review, a.alumni, a.terms_committed)
        hours = a.availability.hours
        if a.id in set_aside:
            out.append(_not_hired(a, *set_aside[a.id], pts, None))
            continue
        j = index[a.id]
        if sel.hired[j]:
            mine = by_mentor.get(a.id, [])
            subjects = sorted(
                {s for m in mine for s in needs.get(m.mentee_id, {}) if s in a.subjects}
            )
            districts = sorted({m.district for m in mine})
            value = float(sel.value[j]) / MILLI if np.isfinite(sel.value[j]) else None
            if value is None:
                shown = "not computed in the time allowed"
            elif sel.value_exact is not None and sel.value_exact[j]:
                shown = f"{value:,.1f} points (the objective lost without them, re-solved)"
            else:
                shown = f"at most {value:,.1f} points (estimated: the objective lost without them)"
            out.append(
                HireDecision(
                    applicant_id=a.id,
                    hired=True,
                    reason=HireReason.HIRED,
                    detail=(
                        f"points {pts:g} (review {a.review:g}); {len(mine)} students next "
                        f"term, {int(sole[j])} of them with no other mentor; worth {shown}"
                    ),
                    university=a.university,
                    review=a.review,
                    points=pts,
                    value=value,
                    students=len(mine),
                    sole_students=int(sole[j]),
                    subjects=tuple(subjects),
                    districts=tuple(districts),
                    weekly_hours=hours,
                )
            )
            continue
        gain = float(gains[j]) / MILLI if gains is not None and np.isfinite(gains[j]) else 0.0
        g = int(groups[j])
        most = quotas.get(g, (0, None))[1] if g >= 0 else None
        if most is not None and counts[g] >= most and gain > least:
            reason = HireReason.QUOTA_FULL
            detail = f"the quota of {names[g]} ({most}) is full; would add an estimated {gain:,.1f}"
        else:
            reason = HireReason.LOWER_VALUE
            if gain <= least:
                detail = (
                    f"would add an estimated {gain:,.1f} (points {pts:g}), less than the "
                    f"least valuable hire ({least:,.1f})"
                )
            else:
                # worth more added than the least hire is worth, but not in its place: the
                # students they would take are mostly ones the hires already serve
                detail = (
                    f"would add an estimated {gain:,.1f} (points {pts:g}) on top of the "
                    "hires, but no hire was found whom they would replace with a gain (the "
                    "students they could take are mostly served by the hires already)"
                )
        out.append(_not_hired(a, reason, detail, pts, gain))
    out.sort(key=lambda d: (not d.hired, -(d.value if d.value is not None else -math.inf)))
    return tuple(out)


def _not_hired(
    a: Applicant, reason: HireReason, detail: str, points: float, value: float | None
) -> HireDecision:
    return HireDecision(
        applicant_id=a.id,
        hired=False,
        reason=reason,
        detail=detail,
        university=a.university,
        review=a.review,
        points=points,
        value=value,
        weekly_hours=a.availability.hours,
    )
