"""A synthetic programme over several years: departures replaced by :func:`~matchkit.recruit`.

Each year a share of the mentors leaves (graduation, a job), some mentees leave and new ones
arrive, a year's applicants apply, and ``recruit`` chooses whom to hire; in the same run, on
the same cohort and applicants, the office's rule (the applicants with the most points,
:func:`office_hires`) is matched too, so every year says how many more students (and
top-priority students) ``recruit``'s choice serves. Re-exported by :mod:`matchkit.synth`
(``simulate_years``, ``YearsSimulation``, ``YearRecord``, ``office_hires``).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from matchkit.domain.applicant import Applicant
from matchkit.domain.hiring import HiringRules, RecruitResult
from matchkit.domain.model import Cohort, Mentee, Mentor
from matchkit.domain.policy import Policy
from matchkit.domain.result import MatchResult
from matchkit.errors import InputError, InputProblem
from matchkit.synth import draw, records
from matchkit.synth.applicants import ApplicantKnobs, generate_applicants
from matchkit.synth.generate import generate
from matchkit.synth.knobs import SynthKnobs
from matchkit.synth.regions import Districts, districts
from matchkit.workflows.recruit import recruit
from matchkit.workflows.solve import solve

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["YearRecord", "YearsSimulation", "office_hires", "simulate_years"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")

MENTOR_LEAVE_RATE = 850 / 1500
"""Mentors who leave each year: the programme replaces about 850 of its 1,500 a year."""
MENTEE_LEAVE_RATE = 0.44
"""Mentees who leave each year: ``1 - 0.75**2``, :func:`simulate_terms`' 25% a term over a
year's two terms (an assumption: about two school years of mentoring)."""
UNSERVED_WEIGHT = 0.25
"""How likely a mentor who has not yet served the terms they committed to is to leave,
relative to one who has (an assumption: commitments are mostly kept)."""
TERMS_PER_YEAR = 2


class YearRecord(BaseModel):
    """One year: who left, whom ``recruit`` hired, and what that and the office's rule serve.

    The office's figures (``office_*``) are for the same staying mentors, mentees and
    applicants, hiring :func:`office_hires` instead; the next year continues from
    ``recruit``'s cohort.
    """

    model_config = _FROZEN

    year: int
    mentors_stayed: int
    """Mentors still here from last year (before this year's hires)."""
    mentors_left: int
    mentees: int
    mentees_left: int
    mentees_joined: int
    applicants: int
    considered: int
    """Applicants meeting the standard (``min_review``, and recommended if asked)."""
    hire: int
    """How many were to be hired: the departures (or ``hire``), at most ``considered``."""
    hired: tuple[str, ...]
    """The applicants ``recruit`` hired (ids; not in :meth:`YearsSimulation.to_frame`)."""
    alumni_hired: int
    """Of those, former mentees."""
    long_term_hired: int
    """Of those, committed to more than a school year (over two terms)."""
    matched: int
    """Mentees with a mentor in ``recruit``'s new cohort."""
    match_rate: float
    top_priority: int
    """The highest priority value among this year's mentees."""
    top_priority_mentees: int
    top_priority_matched: int
    top_priority_match_rate: float
    objective: float
    """``recruit``'s objective: students served plus ``points_weight`` times the points."""
    bound: float
    """A proven upper bound on the objective of every choice the rules allow."""
    gap: float
    """``(bound - objective) / max(1, |objective|)``."""
    status: str
    method: str
    office_matched: int
    office_top_priority_matched: int
    office_objective: float
    """The office's choice, scored as ``recruit`` scores its own."""
    office_gap: float
    """The office's objective against the same bound."""
    same_hires: int
    """Applicants on both lists."""
    more_matched: int
    """``matched - office_matched``."""
    more_top_priority_matched: int
    """``top_priority_matched - office_top_priority_matched``."""
    seconds: float
    """Wall time of the year (draws, ``recruit`` and the office's matching)."""


class YearsSimulation(BaseModel):
    """The years of one simulated programme, hiring by :func:`~matchkit.recruit`."""

    model_config = _FROZEN

    seed: int
    rules: HiringRules
    """The hiring rules (``hire`` is replaced by each year's count)."""
    start_mentors: int
    start_mentees: int
    start_matched: int
    """Year 0: the generated cohort matched with its own mentors."""
    years: tuple[YearRecord, ...]
    cohorts: tuple[Cohort, ...]
    """Each year's new cohort (staying mentors, hires, mentees), as ``recruit`` matched it."""

    def rows(self) -> list[dict[str, Any]]:
        """One dict per year (without the hired ids): ready for ``pandas.DataFrame``."""
        return [y.model_dump(exclude={"hired"}) for y in self.years]

    def to_frame(self) -> pd.DataFrame:
        """One row per year (pandas, imported on first use): every :class:`YearRecord`
        field but ``hired``."""
        import pandas as pd

        columns = [n for n in YearRecord.model_fields if n != "hired"]
        return pd.DataFrame(self.rows(), columns=columns)


def office_hires(applicants: Sequence[Applicant], rules: HiringRules) -> tuple[str, ...]:
    """The office's rule by hand: the ``rules.hire`` applicants with the most points.

    Among the applicants meeting the standard (``min_review``; recommended, with
    ``recommended_only``), ranked by :meth:`HiringRules.points` (ties in the applicants'
    order): each quota's ``at_least`` is filled first with that university's best, then the
    list is taken from the top, skipping a university whose ``at_most`` is full. The
    students they would serve are not looked at.

    Examples
    --------
    >>> from matchkit import Applicant, HiringRules
    >>> apps = [Applicant(id=f"a-{k}", subjects={"math": 4}, availability="Sat 10:00-12:00",
    ...                   district="Mapo-gu", review=r, university=u)
    ...         for k, (r, u) in enumerate([(90, "A"), (80, "A"), (70, "B"), (50, "B")])]
    >>> office_hires(apps, HiringRules(hire=2, min_review=60))
    ('a-0', 'a-1')
    >>> office_hires(apps, HiringRules(hire=2, min_review=60, quotas={"A": {"at_most": 1}}))
    ('a-0', 'a-2')
    """
    ok = [
        a
        for a in applicants
        if a.review >= rules.min_review and (a.recommended or not rules.recommended_only)
    ]
    points = np.array([rules.points(a.review, a.alumni, a.terms_committed) for a in ok])
    order = np.lexsort((np.arange(len(ok)), -points)).tolist() if ok else []
    taken: set[int] = set()
    count: dict[str | None, int] = {}

    def take(k: int) -> None:
        taken.add(k)
        count[ok[k].university] = count.get(ok[k].university, 0) + 1

    for name, quota in sorted(rules.quotas.items()):
        most = quota.at_most
        least = quota.at_least if most is None else min(quota.at_least, most)
        for k in [k for k in order if ok[k].university == name][:least]:
            if len(taken) < rules.hire:
                take(k)
    for k in order:
        if len(taken) >= rules.hire:
            break
        uni = ok[k].university
        q = rules.quotas.get(uni) if uni is not None else None
        full = q is not None and q.at_most is not None and count.get(uni, 0) >= q.at_most
        if k not in taken and not full:
            take(k)
    return tuple(ok[k].id for k in order if k in taken)


def simulate_years(
    n_years: int = 3,
    *,
    n_mentors: int = 1500,
    n_mentees: int = 6000,
    n_applicants: int = 2500,
    rules: HiringRules | None = None,
    hire: int | None = None,
    policy: Policy | None = None,
    mentor_leave_rate: float = MENTOR_LEAVE_RATE,
    unserved_weight: float = UNSERVED_WEIGHT,
    mentee_leave_rate: float = MENTEE_LEAVE_RATE,
    applicant_knobs: ApplicantKnobs | None = None,
    method: str = "auto",
    time_limit: float | None = 60.0,
    seed: int = 0,
    **knobs: Any,
) -> YearsSimulation:
    """Simulate ``n_years`` years of hiring: departures replaced by ``recruit``'s choice.

    Year 0 is :func:`matchkit.synth.generate`'s cohort, matched by :func:`~matchkit.solve`.
    Then, each year:

    * **mentors leave**: ``round(mentor_leave_rate * mentors)`` of them (57% by default: the
      programme replaces about 850 of 1,500 a year), drawn without replacement with weight
      1 for a mentor who has served the terms they committed to (two terms a year) and
      ``unserved_weight`` (0.25) for one who has not, so long-term mentors leave less often
      (an assumption);
    * **mentees leave** at ``mentee_leave_rate`` (44% a year, an assumption) and as many
      new ones arrive, drawn as the cohort generator draws mentees (ids ``s-y1-000001``,
      ...); the others keep last year's mentor as ``previous_mentor``;
    * **applicants apply**: :func:`generate_applicants` with a per-year seed, placed in the
      cohort's districts (ids ``a-y1-000001``, ...);
    * :func:`~matchkit.recruit` **hires** as many as left (or ``hire`` a year), at most the
      applicants meeting the standard, under ``rules``; the hires join as mentors;
    * **the office's rule** (:func:`office_hires`) is matched on the same cohort and
      applicants, and scored against ``recruit``'s bound.

    Every id is unique across the years. The same arguments give the same simulation as
    long as ``recruit`` does: always when every choice ends before its time limit, and under
    the limit as far as :func:`~matchkit.select_mentors`' work clock holds (a much slower or
    busier machine hits the wall clock first). A year takes about ``time_limit`` plus a few
    seconds (``recruit``'s matching and the office's).

    Parameters
    ----------
    n_years : int
        Years of hiring after year 0.
    n_mentors, n_mentees : int
        Year 0's programme; hiring as many as leave keeps it about this size.
    n_applicants : int
        Applicants a year (2,500 for Seoul's 850 places: an assumption).
    rules : HiringRules, optional
        The hiring rules (``HiringRules(hire=0)``'s defaults when omitted); ``hire`` is
        replaced each year.
    hire : int, optional
        Hire this many every year instead of as many as left.
    policy : Policy, optional
        The matching rules of every year; ``Policy()`` by default.
    mentor_leave_rate, mentee_leave_rate : float
        Shares leaving each year, in ``[0, 1)``.
    unserved_weight : float
        Relative weight of leaving before one's commitment is served, ``>= 0``.
    applicant_knobs : ApplicantKnobs, optional
        The applicants' distributions; by default ``ApplicantKnobs`` whose mentor draws use
        ``**knobs``.
    method, time_limit : str, float
        As for :func:`~matchkit.recruit` (each year; the office's matching gets the same
        limit).
    seed : int
        Seed of year 0's cohort, of every draw and of every search.
    **knobs
        Any field of :class:`SynthKnobs`, as for :func:`generate`.

    Returns
    -------
    YearsSimulation
        One :class:`YearRecord` per year and each year's new cohort.

    Raises
    ------
    InputError
        A bad count, rate, weight or seed (the field named); ``recruit``'s own errors (a
        quota naming a university no applicant of the year studies at, ...).

    Examples
    --------
    >>> sim = simulate_years(1, n_mentors=20, n_mentees=80, n_applicants=40,
    ...                      rules=HiringRules(hire=0, min_review=60), time_limit=5, seed=1)
    >>> y = sim.years[0]
    >>> y.hire == y.mentors_left == len(y.hired), y.mentors_stayed + len(y.hired)
    (True, 20)
    """
    _validate_years(
        n_years,
        (n_mentors, n_mentees, n_applicants),
        hire,
        seed,
        (mentor_leave_rate, mentee_leave_rate, unserved_weight),
    )
    policy = Policy() if policy is None else policy
    rules = HiringRules(hire=0) if rules is None else rules
    syn = generate(n_mentors, n_mentees, seed=seed, **knobs)
    k = syn.knobs
    app_knobs = ApplicantKnobs(mentors=k) if applicant_knobs is None else applicant_knobs
    # the generator's places (its first draw from the seed's stream), for the new mentees
    n_places = max(25, -(-(n_mentors + n_mentees) // k.people_per_district))
    places = districts(n_places, np.random.default_rng(seed))
    start = solve(syn.cohort, policy, seed=seed, time_limit=time_limit)
    cohort, prev = syn.cohort, {m.mentee_id: m.mentor_id for m in start.matches}
    served = {m.id: 1 for m in cohort.mentors}
    years: list[YearRecord] = []
    cohorts: list[Cohort] = []
    for year in range(1, n_years + 1):
        t0 = time.perf_counter()
        rng = np.random.default_rng([seed, year])
        rates = (mentor_leave_rate, mentee_leave_rate, unserved_weight)
        staying, moves = _next_year(
            cohort.with_previous(prev), served, rates, (k, places, year), rng
        )
        year_seed = int(np.random.SeedSequence([seed, year, 2]).generate_state(1)[0])
        apps = generate_applicants(
            n_applicants, seed=year_seed, cohort=staying, knobs=app_knobs, prefix=f"a-y{year}-"
        )
        considered = sum(
            a.review >= rules.min_review and (a.recommended or not rules.recommended_only)
            for a in apps
        )
        count = min(moves[0] if hire is None else hire, considered)
        year_rules = rules.model_copy(update={"hire": count})
        r = recruit(
            staying,
            apps,
            policy,
            year_rules,
            method=method,
            time_limit=time_limit,
            seed=seed,
            curve=None,
        )
        office = office_hires(apps, year_rules)
        by_id = {a.id: a for a in apps}
        office_cohort = Cohort(
            mentors=(*staying.mentors, *(by_id[i].as_mentor() for i in office)),
            mentees=staying.mentees,
        )
        om = solve(office_cohort, policy, seed=seed, time_limit=time_limit)
        years.append(_record(year, staying, apps, (considered, count), moves, r, (office, om), t0))
        cohorts.append(r.cohort)
        cohort = r.cohort
        prev = {m.mentee_id: m.mentor_id for m in r.match.matches}
        for m in cohort.mentors:
            served[m.id] = served.get(m.id, 0) + 1
    return YearsSimulation(
        seed=seed,
        rules=rules,
        start_mentors=len(syn.cohort.mentors),
        start_mentees=len(syn.cohort.mentees),
        start_matched=len(start.matches),
        years=tuple(years),
        cohorts=tuple(cohorts),
    )


def _next_year(
    cohort: Cohort,
    served: dict[str, int],
    rates: tuple[float, float, float],
    draws: tuple[SynthKnobs, Districts, int],
    rng: np.random.Generator,
) -> tuple[Cohort, tuple[int, int, int]]:
    """The staying mentors, the staying and new mentees; (mentors, mentees) gone, joined."""
    k, places, year = draws
    mentor_rate, mentee_rate, unserved = rates
    mentors, mentees = cohort.mentors, cohort.mentees
    years_in = np.array([served[m.id] for m in mentors], dtype=np.int64)
    terms = np.array([m.terms_committed for m in mentors], dtype=np.int64)
    weight = np.where(TERMS_PER_YEAR * years_in >= terms, 1.0, unserved)
    # weighted sampling without replacement (Efraimidis-Spirakis): the smallest E / w leave
    with np.errstate(divide="ignore"):
        keys = rng.exponential(size=len(mentors)) / weight
    n_out = round(mentor_rate * len(mentors))
    gone_t = {mentors[j].id for j in np.argsort(keys, kind="stable")[:n_out].tolist()}
    n_out_s = round(mentee_rate * len(mentees))
    gone_s = {mentees[i].id for i in rng.permutation(len(mentees))[:n_out_s].tolist()}
    subjects = tuple(dict.fromkeys([*k.need_weights, *k.teach_weights]))
    where = (places.lat, places.lon, places.mentee_weight)
    s = draw.mentees(n_out_s, subjects, where, k, rng)
    ids = [f"s-y{year}-{x:06d}" for x in range(1, n_out_s + 1)]
    none = np.full(n_out_s, -1, dtype=np.int64)
    new: list[Mentee] = list(records.mentees(s, ids, [], subjects, places.names, none, none))
    staying = cohort.changed(removed_mentors=gone_t, removed_mentees=gone_s, added_mentees=new)
    return staying, (n_out, n_out_s, len(new))


def _top(mentees: Sequence[Mentee], match: MatchResult) -> tuple[int, int, int]:
    """The top priority value, its mentees, and how many of them ``match`` serves."""
    top = max((s.priority for s in mentees), default=0)
    tops = {s.id for s in mentees if s.priority == top}
    return top, len(tops), sum(m.mentee_id in tops for m in match.matches)


def _record(
    year: int,
    staying: Cohort,
    apps: tuple[Applicant, ...],
    counts: tuple[int, int],
    moves: tuple[int, int, int],
    r: RecruitResult,
    office: tuple[tuple[str, ...], MatchResult],
    t0: float,
) -> YearRecord:
    chosen, om = office
    by_id = {a.id: a for a in apps}
    hires: list[Mentor] = [by_id[i] for i in r.hired]
    n = max(1, len(staying.mentees))
    top, n_top, top_matched = _top(staying.mentees, r.match)
    _, _, office_top = _top(staying.mentees, om)
    rules = r.rules
    points = sum(
        rules.points(by_id[i].review, by_id[i].alumni, by_id[i].terms_committed) for i in chosen
    )
    office_obj = om.objective + rules.points_weight * points if om.status.has_solution else math.nan
    office_gap = (
        max(0.0, r.bound - office_obj) / max(1.0, abs(office_obj))
        if math.isfinite(office_obj)
        else math.inf
    )
    return YearRecord(
        year=year,
        mentors_stayed=len(staying.mentors),
        mentors_left=moves[0],
        mentees=len(staying.mentees),
        mentees_left=moves[1],
        mentees_joined=moves[2],
        applicants=len(apps),
        considered=counts[0],
        hire=counts[1],
        hired=r.hired,
        alumni_hired=sum(m.alumni for m in hires),
        long_term_hired=sum(m.terms_committed > TERMS_PER_YEAR for m in hires),
        matched=len(r.match.matches),
        match_rate=len(r.match.matches) / n,
        top_priority=top,
        top_priority_mentees=n_top,
        top_priority_matched=top_matched,
        top_priority_match_rate=top_matched / max(1, n_top),
        objective=r.objective,
        bound=r.bound,
        gap=r.gap,
        status=r.status.value,
        method=r.method,
        office_matched=len(om.matches),
        office_top_priority_matched=office_top,
        office_objective=office_obj,
        office_gap=office_gap,
        same_hires=len(set(r.hired) & set(chosen)),
        more_matched=len(r.match.matches) - len(om.matches),
        more_top_priority_matched=top_matched - office_top,
        seconds=time.perf_counter() - t0,
    )


def _validate_years(
    n_years: int,
    sizes: tuple[int, int, int],
    hire: int | None,
    seed: int,
    rates: tuple[float, float, float],
) -> None:
    problems: list[InputProblem] = []

    def integer(v: Any, low: int) -> bool:
        return isinstance(v, int | np.integer) and not isinstance(v, bool) and bool(v >= low)

    for name, v, low in (
        ("n_years", n_years, 1),
        ("n_mentors", sizes[0], 1),
        ("n_mentees", sizes[1], 0),
        ("n_applicants", sizes[2], 0),
        ("seed", seed, 0),
    ):
        if not integer(v, low):
            problems.append(InputProblem("bad_value", name, f"must be an integer >= {low}"))
    if hire is not None and not integer(hire, 0):
        problems.append(InputProblem("bad_value", "hire", "must be an integer >= 0 or None"))
    for name, rate in (("mentor_leave_rate", rates[0]), ("mentee_leave_rate", rates[1])):
        if not _finite(rate) or not 0 <= rate < 1:
            problems.append(InputProblem("bad_value", name, f"must be in [0, 1), not {rate!r}"))
    if not _finite(rates[2]) or rates[2] < 0:
        problems.append(
            InputProblem("bad_value", "unserved_weight", f"must be a number >= 0, not {rates[2]!r}")
        )
    if problems:
        raise InputError("yearly simulation request", problems)


def _finite(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
