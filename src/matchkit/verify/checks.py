"""The checks themselves: an assignment from its arrays, a result from the records."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchkit.core.assignment import Assignment, Status
from matchkit.core.problem import AssignmentProblem
from matchkit.domain.geo import haversine_km
from matchkit.domain.model import Cohort, Level, Mentee, Mentor, Mode
from matchkit.domain.policy import Policy
from matchkit.domain.result import Continuity, Match, MatchResult, Unmatched, UnmatchedReason
from matchkit.domain.schedule import erode
from matchkit.verify.rich import balance_penalty, check_rich, floor_groups

__all__ = ["Violation", "pair_breaks", "verify", "verify_assignment"]

_SHOWN = 10


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule: a stable ``code``, a sentence, and the offending indices."""

    code: str
    message: str
    indices: tuple[int, ...] = ()

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def _where(out: list[Violation], code: str, bad: npt.NDArray[np.bool_], describe: str) -> None:
    if bad.any():
        idx = np.flatnonzero(bad)
        shown = ", ".join(str(int(i)) for i in idx[:_SHOWN])
        more = f" and {idx.size - _SHOWN} more" if idx.size > _SHOWN else ""
        listed = tuple(int(i) for i in idx[:_SHOWN])
        out.append(Violation(code, f"{describe}: {shown}{more}", listed))


def verify_assignment(
    problem: AssignmentProblem, assignment: Assignment, *, rtol: float = 1e-9
) -> list[Violation]:
    """Every rule ``assignment`` breaks, recomputed from ``problem``; empty when it is sound.

    Checked: the selection's shape; each mentor's load in weight units against
    ``capacity`` and ``min_load``; each mentee's count against ``demand`` and ``required``;
    pinned edges chosen; no (mentee, mentor) pair chosen twice; ``objective`` equal to the
    recomputed value (relative tolerance ``rtol``); ``bound`` not below ``objective`` and
    equal to it when optimal; an explanation for infeasible answers.

    Parameters
    ----------
    problem : AssignmentProblem
        The problem ``assignment`` answers.
    assignment : Assignment
        The answer to check, from any backend.
    rtol : float
        Relative tolerance of the objective's check.

    Returns
    -------
    list of Violation
        Every broken rule, empty when the answer is sound. The codes are stable:
        ``capacity``, ``min_load``, ``demand``, ``required``, ``pinned``,
        ``repeated_pair``, ``objective``, ``bound``, ``bad_selection``, ``bad_edge``,
        ``selection_without_solution``, ``no_explanation``.

    Examples
    --------
    >>> from matchkit import AssignmentProblem, solve_assignment
    >>> p = AssignmentProblem(2, 1, mentee=[0, 1], mentor=[0, 0], score=[3, 5])
    >>> verify_assignment(p, solve_assignment(p))
    []
    """
    out: list[Violation] = []
    sel = np.asarray(assignment.selected)
    if sel.shape != (problem.n_edges,) or sel.dtype != np.bool_:
        return [Violation("bad_selection", f"selected must be bool[{problem.n_edges}]")]
    status = assignment.status
    if not status.has_solution:
        if sel.any():
            out.append(Violation("selection_without_solution", f"status {status} selects edges"))
        if status is Status.INFEASIBLE and not assignment.explanation:
            out.append(Violation("no_explanation", "infeasible answer gives no explanation"))
        return out

    mentee = np.asarray(problem.mentee, dtype=np.int64)[sel]
    mentor = np.asarray(problem.mentor, dtype=np.int64)[sel]
    weight = np.asarray(problem.weight, dtype=np.int64)[sel]
    if mentee.size and (mentee.min() < 0 or mentee.max() >= problem.n_mentees):
        out.append(Violation("bad_edge", "a chosen edge names a mentee out of range"))
        return out
    if mentor.size and (mentor.min() < 0 or mentor.max() >= problem.n_mentors):
        out.append(Violation("bad_edge", "a chosen edge names a mentor out of range"))
        return out
    load = np.zeros(problem.n_mentors, dtype=np.int64)
    np.add.at(load, mentor, weight)
    count = np.zeros(problem.n_mentees, dtype=np.int64)
    np.add.at(count, mentee, 1)
    _where(out, "capacity", load > problem.capacity, "mentors over capacity")
    _where(out, "min_load", load < problem.min_load, "mentors under their minimum load")
    _where(out, "demand", count > problem.demand, "mentees with more mentors than demand")
    _where(out, "required", count < problem.required, "mentees with fewer mentors than required")
    _where(out, "pinned", np.asarray(problem.pinned) & ~sel, "pinned edges not chosen")
    pairs = set(zip(mentee.tolist(), mentor.tolist(), strict=True))
    if len(pairs) != mentee.size:
        out.append(Violation("repeated_pair", "a (mentee, mentor) pair is chosen twice"))

    gained = math.fsum(np.asarray(problem.score, dtype=np.float64)[sel].tolist())
    missing = np.maximum(np.asarray(problem.demand) - count, 0)
    pen = np.asarray(problem.unmatched_penalty, dtype=np.float64)
    charged = math.fsum((pen * missing).tolist())
    expected = gained - charged
    tol = rtol * max(1.0, abs(expected))
    if not abs(assignment.objective - expected) <= tol:
        out.append(
            Violation("objective", f"objective {assignment.objective!r} != recomputed {expected!r}")
        )
    if assignment.bound < assignment.objective - tol:
        out.append(Violation("bound", f"bound {assignment.bound!r} < objective"))
    if status is Status.OPTIMAL and not abs(assignment.bound - assignment.objective) <= tol:
        out.append(Violation("bound", "optimal answer whose bound differs from its objective"))
    return out


# --- the domain level ------------------------------------------------------------------------


_MILLI = 1000  # scores are in points rounded to 0.001 (docs/explanation/domain.md)


def _on_grid(points: float) -> bool:
    return abs(points * _MILLI - round(points * _MILLI)) <= 1e-6


def _km(s: Mentee, m: Mentor) -> float:
    a, b = s.location(), m.location()
    if a is None or b is None:
        return 0.0 if s.district == m.district else math.inf
    return float(haversine_km(a[0], a[1], b[0], b[1]))


def pair_breaks(
    s: Mentee, m: Mentor, policy: Policy, forbidden: set[tuple[str, str]]
) -> str | None:
    """The first hard rule the pair breaks, or None (see :mod:`matchkit.domain.policy`)."""
    return next(broken_rules(s, m, policy, forbidden), None)


def broken_rules(
    s: Mentee, m: Mentor, policy: Policy, forbidden: set[tuple[str, str]]
) -> Iterator[str]:
    """Every hard rule the pair breaks, in the order ``subject``, ``mode``, ``distance``,
    ``time``, ``rules``; lazily, so :func:`pair_breaks` stops at the first."""
    if not any(m.subjects.get(sub, 0) >= policy.min_proficiency for sub in s.needs):
        yield "subject"
    if not s.mode.compatible(m.mode):
        yield "mode"
    online = Mode.OFFLINE not in (s.mode, m.mode)
    if not online and policy.max_travel_km is not None and _km(s, m) > policy.max_travel_km:
        yield "distance"
    placed = s.location() is not None and m.location() is not None
    limit = policy.online_max_km
    if online and placed and limit is not None and _km(s, m) > limit:
        yield "distance"
    if s.availability.longest_common_run(m.availability) < s.session_hours:
        yield "time"
    if m.id in s.avoid or (s.id, m.id) in forbidden:
        yield "rules"


class _Eligible:
    """Each mentee's eligible mentors (no rule broken: :func:`pair_breaks` is the
    definition), in the cohort's order, computed once per mentee.

    At Seoul size that is 6,000 x 1,500 pairs, too many for :func:`pair_breaks` one by one
    (about a minute), so the rules are tested over arrays of the mentors, in its order: a
    subject the mentor teaches at ``min_proficiency`` (an index), a compatible mode, a
    common window of the session's length on one day (day masks eroded by the length share
    a bit), the distance within the policy's limit (coordinates, else the district's; none
    across unknown districts, as :func:`pair_breaks` reads it), then avoid and forbidden
    pairs. Where an array test could differ from the scalar one, a distance within
    ``_MARGIN_KM`` of its limit, :func:`pair_breaks` decides the pair.
    ``tests/verify/test_eligible.py`` checks the two agree on every pair of random cohorts.
    """

    _MARGIN_KM = 1e-6

    def __init__(
        self, mentors: tuple[Mentor, ...], policy: Policy, forbidden: set[tuple[str, str]]
    ) -> None:
        self.mentors, self.policy, self.forbidden = mentors, policy, forbidden
        self.by_subject: dict[str, list[int]] = {}
        for j, t in enumerate(mentors):
            for sub, level in t.subjects.items():
                if level >= policy.min_proficiency:
                    self.by_subject.setdefault(sub, []).append(j)
        self.mode = np.array([t.mode.value for t in mentors], dtype=object)
        self.district = np.array([t.district for t in mentors], dtype=object)
        where = [t.location() for t in mentors]
        self.lat = np.array([np.nan if w is None else w[0] for w in where], dtype=np.float64)
        self.lon = np.array([np.nan if w is None else w[1] for w in where], dtype=np.float64)
        self.masks = np.array([t.availability.masks for t in mentors], dtype=np.uint64).reshape(
            len(mentors), 7
        )
        self.eroded: dict[int, npt.NDArray[np.uint64]] = {}
        self.cache: dict[str, list[Mentor]] = {}

    def _rows(self, s: Mentee) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """The mentors no array test rejects, and which of them :func:`pair_breaks` must
        still decide (the rest keep every rule but avoid and forbidden)."""
        rows = np.array(
            sorted({j for sub in s.needs for j in self.by_subject.get(sub, ())}), dtype=np.int64
        )
        mode = self.mode[rows]
        if s.mode is not Mode.BOTH:
            ok = (mode == Mode.BOTH.value) | (mode == s.mode.value)
            rows, mode = rows[ok], mode[ok]
        length = s.session_slots
        if length not in self.eroded:
            self.eroded[length] = erode(self.masks, length)
        own = erode(np.array(s.availability.masks, dtype=np.uint64), length)
        fits = (self.eroded[length][rows] & own).any(axis=1)
        rows, mode = rows[fits], mode[fits]
        unsure = np.zeros(rows.size, dtype=np.bool_)  # session_hours: whole half hours
        p = self.policy
        here = s.location()
        online = (s.mode is not Mode.OFFLINE) & (mode != Mode.OFFLINE.value)
        if here is None:
            lat = lon = np.full(rows.size, np.nan)
        else:
            lat, lon = self.lat[rows], self.lon[rows]
        placed = ~np.isnan(lat)
        km = np.where(self.district[rows] == s.district, 0.0, np.inf)
        if here is not None and placed.any():
            km[placed] = haversine_km(here[0], here[1], lat[placed], lon[placed])
        far = np.zeros(rows.size, dtype=np.bool_)
        for limit, applies in (
            (p.max_travel_km, ~online),
            (p.online_max_km, online & placed),  # online pairs: only where both are placed
        ):
            if limit is not None:
                far |= applies & (km > limit + self._MARGIN_KM)
                unsure |= applies & (np.abs(km - limit) <= self._MARGIN_KM)
        return rows[~far], unsure[~far]

    def __call__(self, s: Mentee) -> list[Mentor]:
        got = self.cache.get(s.id)
        if got is None:
            rows, unsure = self._rows(s)
            got = []
            for j, check in zip(rows.tolist(), unsure.tolist(), strict=True):
                t = self.mentors[j]
                if check:
                    if pair_breaks(s, t, self.policy, self.forbidden) is None:
                        got.append(t)
                elif t.id not in s.avoid and (s.id, t.id) not in self.forbidden:
                    got.append(t)
            self.cache[s.id] = got
        return got


def _support(s: Mentee) -> float:
    year = s.grade + (3 if s.level == Level.HIGH else 0)
    return 0.5 + 0.25 * (6 - year) / 5 + 0.25 * min(s.priority, 3) / 3


def _points(s: Mentee, m: Mentor, policy: Policy) -> dict[str, float]:
    """The pair's points per weight of :class:`~matchkit.Weights` (distance negative)."""
    w = policy.weights
    total_need = sum(s.needs.values())
    fit = sum(
        need * m.subjects[sub] / 5
        for sub, need in s.needs.items()
        if m.subjects.get(sub, 0) >= policy.min_proficiency
    )
    extra = s.availability.longest_common_run(m.availability) - s.session_hours
    online = Mode.OFFLINE not in (s.mode, m.mode)
    km = _km(s, m)
    travel = 0.0 if online or math.isinf(km) else km / (policy.max_travel_km or 10.0)
    return {
        "subject_fit": w.subject_fit * fit / total_need,
        "schedule_slack": w.schedule_slack * min(extra, 2.0) / 2.0,
        "continuity": w.continuity * (s.previous_mentor == m.id),
        "commitment": w.commitment * (min(m.terms_committed, 4) - 1) / 3 * _support(s),
        "alumni": w.alumni * m.alumni,
        "distance": -w.distance * travel,
    }


def _score(s: Mentee, m: Mentor, policy: Policy) -> float:
    return math.fsum(_points(s, m, policy).values())


def _continuity(s: Mentee, mentor: str | None, here: set[str]) -> Continuity:
    if s.previous_mentor is None:
        return Continuity.NONE
    if s.previous_mentor not in here:
        return Continuity.LOST
    return Continuity.KEPT if s.previous_mentor == mentor else Continuity.CHANGED


def _facts(r: Match | Unmatched, s: Mentee, mentor: str | None, here: set[str]) -> list[Violation]:
    """The mentee's own facts a match or unmatched record repeats (for the metrics)."""
    out = []
    for name, claimed, true in (
        ("priority", r.priority, s.priority),
        ("level", r.level, s.level),
        ("district", r.district, s.district),
        ("continuity", r.continuity, _continuity(s, mentor, here)),
    ):
        if claimed != true:
            value = getattr(claimed, "value", claimed)
            out.append(
                Violation(name, f"mentee {r.mentee_id!r}: {name} {value!r} is not the record's")
            )
    return out


def verify(cohort: Cohort, policy: Policy, result: MatchResult) -> list[Violation]:
    """Every rule ``result`` breaks, recomputed from ``cohort`` and ``policy``.

    Checked: every mentee is matched or listed unmatched, exactly once, and nobody else is;
    each match keeps every hard rule (subject, mode, travel, common window, avoid,
    forbidden), its window is the pair's common time and its score the policy's formula;
    pinned pairs are matched; no mentor is over capacity; the objective equals the matched
    scores minus the value of every unmatched mentee (and the balance penalty); an unmatched
    mentee's reason is true where it claims that no mentor passes a rule. The policy's rich
    rules too: with sessions, every match has one of the mentee's length inside both
    availabilities and no mentor's sessions overlap (offline ones at least the travel buffer
    apart); minimum loads, floors, group caps and category limits hold. (Whether a max-min
    answer is the max-min optimum is a search question no check can settle.) A
    ``rematch``/``repair`` report (``result.transition``) agrees with the matches and the
    cohort's history, and ``max_changes`` (or ``require``) holds.

    Every field a result reports is recomputed from the records and the policy: each
    match's mode (online whenever both can), ``distance_km`` (coordinates, else the
    district's; none across unknown districts), window, score and each breakdown component;
    every match's and unmatched mentee's priority, level, district and continuity (from the
    mentee's ``previous_mentor`` and the cohort's mentors); each near miss's mentor and
    rules; ``mentor_capacity`` (so :meth:`~matchkit.MatchResult.metrics`, computed from
    these fields, is the records' too). ``floors`` and ``relaxed`` are re-derived, with a
    max flow of verify's own: a relaxed answer must fill the most floor places possible.

    Parameters
    ----------
    cohort : Cohort
        The cohort ``result`` answers (for a ``rematch``, with last term's pairs as history:
        ``cohort.with_previous(pairs)``).
    policy : Policy
        The policy ``result`` was solved under.
    result : MatchResult
        The answer to check.

    Returns
    -------
    list of Violation
        Every broken rule, each with a stable ``code``; empty when the answer is sound. A
        falsified field is flagged under its own name (``priority``, ``level``,
        ``district``, ``continuity``, ``mode``, ``distance_km``, ``window``, ``score``,
        ``breakdown``, ``session``, ``near_misses``, ``mentor_capacity``, ``objective``), a
        floor's figure as ``floor_size``, ``floor_required``, ``floor_achieved``,
        ``floor_attainable``, ``floor_met``, and ``floors``, ``relaxed``, ``floor_relaxed``.

    Examples
    --------
    >>> from matchkit import Cohort, Mentor, Mentee, Policy, solve
    >>> cohort = Cohort(
    ...     mentors=[Mentor(id="m-1", subjects={"math": 4}, availability="Sat 10:00-14:00",
    ...                     district="Mapo-gu")],
    ...     mentees=[Mentee(id="s-1", level="high", grade=1, needs={"math": 1},
    ...                     availability="Sat 10:00-12:00", district="Mapo-gu")])
    >>> verify(cohort, Policy(), solve(cohort))
    []
    """
    out: list[Violation] = []
    mentors = {m.id: m for m in cohort.mentors}
    mentees = {s.id: s for s in cohort.mentees}
    forbidden = set(policy.forbidden)
    seen: dict[str, int] = {}
    for rec in [*(m.mentee_id for m in result.matches), *(u.mentee_id for u in result.unmatched)]:
        seen[rec] = seen.get(rec, 0) + 1
    twice = sorted(k for k, v in seen.items() if v > 1)
    missing = sorted(mentees.keys() - seen.keys())
    unknown = sorted(seen.keys() - mentees.keys())
    out += listed(
        ("listed_twice", twice, "mentees listed more than once"),
        ("not_accounted_for", missing, "mentees neither matched nor listed as unmatched"),
        ("unknown_mentee", unknown, "mentees not in the cohort"),
    )
    load: dict[str, int] = {}
    gained = []
    for m in result.matches:
        out.extend(_check_match(m, mentees, mentors, policy, forbidden))
        load[m.mentor_id] = load.get(m.mentor_id, 0) + 1
        gained.append(m.score)
    here = set(mentors)
    for u in result.unmatched:
        if u.mentee_id in mentees:
            out.extend(_facts(u, mentees[u.mentee_id], None, here))
    out.extend(_check_near(result, mentees, mentors, policy, forbidden))
    capacity = {t.id: t.capacity for t in cohort.mentors}
    if result.mentor_capacity != capacity:
        wrong = sorted(
            t
            for t in capacity.keys() | result.mentor_capacity.keys()
            if result.mentor_capacity.get(t) != capacity.get(t)
        )
        out.append(
            Violation("mentor_capacity", f"mentor capacities not the records': {wrong[:_SHOWN]}")
        )
    over = sorted(t for t, n in load.items() if t in mentors and n > mentors[t].capacity)
    if over:
        out.append(Violation("capacity", f"mentors over capacity: {over[:_SHOWN]}"))
    matched = {(m.mentee_id, m.mentor_id) for m in result.matches}
    unpinned = [p for p in policy.pinned if p not in matched]
    # A status never switches a check off: matches listed under any status are an answer.
    judged = result.status.has_solution or bool(result.matches)
    if unpinned and judged:
        out.append(Violation("pinned", f"pinned pairs not matched: {unpinned[:_SHOWN]}"))
    if judged:
        w = policy.weights

        def lost(s: Mentee) -> bool:
            return s.previous_mentor is not None and s.previous_mentor not in here

        charged = [
            w.match + w.priority * s.priority + w.lost_mentor * lost(s)
            for s in (mentees[u.mentee_id] for u in result.unmatched if u.mentee_id in mentees)
        ]
        expected = math.fsum(gained) - math.fsum(charged) - balance_penalty(policy, result)
        if not abs(result.objective - expected) <= 1e-6 * max(1.0, abs(expected)):
            out.append(Violation("objective", f"objective {result.objective!r} != {expected!r}"))
    out.extend(_check_reasons(result, mentees, cohort.mentors, policy, forbidden))
    eligible = _Eligible(cohort.mentors, policy, forbidden)
    out.extend(_check_full(result, mentees, eligible, load))
    out.extend(Violation(code, message) for code, message in check_rich(cohort, policy, result))
    out.extend(_check_floors(cohort, policy, result, eligible))
    out.extend(_check_transition(cohort, result))
    if result.status is Status.INFEASIBLE:
        out.extend(_check_infeasible(cohort, policy, result, forbidden, clean=not out))
    return out


def _check_infeasible(
    cohort: Cohort,
    policy: Policy,
    result: MatchResult,
    forbidden: set[tuple[str, str]],
    *,
    clean: bool,
) -> list[Violation]:
    """An ``infeasible`` status, re-derived: the records must show no answer can exist.

    Flagged when the result's own matches meet every rule (``clean``), or when the policy has
    no rule that must be met, so that leaving everyone unmatched is an answer. A pinned pair
    that breaks a rule, a mentee pinned twice, or a mentor pinned beyond capacity proves it.
    """
    claim = "infeasible_claim"
    if result.matches and clean:
        return [Violation(claim, "status 'infeasible', but the listed matches meet every rule")]
    t = result.transition
    musts = bool(
        policy.pinned
        or policy.min_load
        or policy.floors
        or any(lim.at_least for lim in policy.category_limits)
        or (t is not None and (t.keep == "require" or t.max_changes is not None))
    )
    if not musts:
        return [
            Violation(
                claim,
                "status 'infeasible', but the policy has no rule that must be met (pins, "
                "minimum loads, floors, category minimums, max_changes): leaving every "
                "mentee unmatched is an answer",
            )
        ]
    return []


def _check_transition(cohort: Cohort, result: MatchResult) -> list[Violation]:
    """A ``rematch``/``repair`` report agrees with the matches (and, for ``rematch``, with the
    cohort's history): kept and new pairs are matches, nothing is both, and the bound on
    changes (or ``require``) holds."""
    t = result.transition
    if t is None or (not result.status.has_solution and not result.matches):
        return []
    out = []
    pairs = {(m.mentee_id, m.mentor_id) for m in result.matches}
    if not set(t.kept) <= pairs or not set(t.new) <= pairs or set(t.kept) & set(t.new):
        out.append(Violation("transition", "kept/new pairs do not match the matches"))
    if t.keep in ("prefer", "require"):
        history = {(s.id, s.previous_mentor) for s in cohort.mentees if s.previous_mentor}
        if set(t.kept) != pairs & history:
            out.append(Violation("transition", "kept pairs are not last term's pairs matched"))
    limit = 0 if t.keep == "require" else t.max_changes
    if limit is not None and t.changes > limit:
        out.append(Violation("max_changes", f"{t.changes} pairs broken by choice > {limit}"))
    return out


def listed(*groups: tuple[str, list[str], str]) -> list[Violation]:
    """One violation per non-empty ``(code, ids, what)`` group: ``what`` and the first ids."""
    return [Violation(code, f"{what}: {ids[:_SHOWN]}") for code, ids, what in groups if ids]


def _check_match(
    m: Match,
    mentees: dict[str, Mentee],
    mentors: dict[str, Mentor],
    policy: Policy,
    forbidden: set[tuple[str, str]],
) -> list[Violation]:
    s, t = mentees.get(m.mentee_id), mentors.get(m.mentor_id)
    pair = (m.mentee_id, m.mentor_id)
    if s is None or t is None:
        return [Violation("unknown_pair", f"match {pair} names someone not in the cohort")]
    out = []
    rule = pair_breaks(s, t, policy, forbidden)
    if rule is not None:
        out.append(Violation(f"rule_{rule}", f"match {pair} breaks the {rule} rule"))
    if m.window != (s.availability & t.availability):
        out.append(Violation("window", f"match {pair}: window is not the common time"))
    # Scores are the formula rounded to 0.001 points; the nearest grid point, either one at
    # a tie (the two computations may sum in different orders).
    expected = _score(s, t, policy)
    if not abs(m.score - expected) * _MILLI <= 0.5 + 1e-6 or not _on_grid(m.score):
        out.append(Violation("score", f"match {pair}: score {m.score!r} != {expected!r}"))
    if not abs(sum(m.breakdown.values()) - m.score) * _MILLI <= 0.5 + 1e-6:
        out.append(Violation("breakdown", f"match {pair}: breakdown does not add up to score"))
    points = _points(s, t, policy)
    if set(m.breakdown) != set(points) or any(
        not abs(m.breakdown[k] - v) <= 1e-6 * max(1.0, abs(v)) for k, v in points.items()
    ):
        out.append(Violation("breakdown", f"match {pair}: breakdown is not the policy's points"))
    mode = Mode.ONLINE if Mode.OFFLINE not in (s.mode, t.mode) else Mode.OFFLINE
    if m.mode is not mode:
        out.append(Violation("mode", f"match {pair}: mode {m.mode.value!r} != {mode.value!r}"))
    km = _km(s, t)
    if math.isinf(km):
        far_wrong = m.distance_km is not None  # unknown places in two districts: no figure
    else:
        far_wrong = m.distance_km is None or not abs(m.distance_km - km) <= 0.0005 + 1e-9
    if far_wrong:
        shown = None if math.isinf(km) else round(km, 3)
        out.append(
            Violation("distance_km", f"match {pair}: distance_km {m.distance_km!r} != {shown!r}")
        )
    if m.session is not None and policy.sessions is None:
        out.append(Violation("session", f"match {pair}: a session, but the policy has none"))
    out.extend(_facts(m, s, t.id, set(mentors)))
    return out


_CLAIMS = {
    UnmatchedReason.NO_SUBJECT: ("subject",),
    UnmatchedReason.NO_MODE: ("subject", "mode"),
    UnmatchedReason.TOO_FAR: ("subject", "mode", "distance"),
    UnmatchedReason.NO_COMMON_TIME: ("subject", "mode", "distance", "time"),
    UnmatchedReason.EXCLUDED: ("subject", "mode", "distance", "time", "rules"),
}


def _check_reasons(
    result: MatchResult,
    mentees: dict[str, Mentee],
    mentors: tuple[Mentor, ...],
    policy: Policy,
    forbidden: set[tuple[str, str]],
) -> list[Violation]:
    """A reason claiming no mentor passes some rules must hold for every mentor."""
    wrong = []
    for u in result.unmatched:
        s = mentees.get(u.mentee_id)
        stages = _CLAIMS.get(u.reason)
        if s is None or stages is None:
            continue
        if any(pair_breaks(s, t, policy, forbidden) not in stages for t in mentors):
            wrong.append(u.mentee_id)
    if wrong:
        return [
            Violation("reason", f"unmatched reasons contradicted by the cohort: {wrong[:_SHOWN]}")
        ]
    return []


def _check_full(
    result: MatchResult, mentees: dict[str, Mentee], of: _Eligible, load: dict[str, int]
) -> list[Violation]:
    """An "unmatched, mentors full" claim: some mentor is eligible, and (unless
    ``Policy.max_candidates`` pruned the candidates) every eligible mentor is at capacity
    in the result's own matches."""
    wrong, unmoved = [], []
    for u in result.unmatched:
        s = mentees.get(u.mentee_id)
        if s is None or u.reason not in (UnmatchedReason.MENTORS_FULL, UnmatchedReason.NOT_MOVED):
            continue
        eligible = of(s)
        room = [t.id for t in eligible if load.get(t.id, 0) < t.capacity]
        if u.reason is UnmatchedReason.NOT_MOVED:
            if not room or result.transition is None or result.transition.keep != "repair":
                unmoved.append(u.mentee_id)
        elif not eligible or (room and of.policy.max_candidates is None):
            wrong.append(u.mentee_id)
    out = []
    if wrong:
        out.append(
            Violation(
                "reason_full",
                f"'mentors_full' claimed while no mentor is eligible or one has room: "
                f"{wrong[:_SHOWN]}",
            )
        )
    if unmoved:
        out.append(
            Violation(
                "reason_not_moved",
                "'not_moved' claimed outside a repair or while no eligible mentor has room: "
                f"{unmoved[:_SHOWN]}",
            )
        )
    return out


# --- floors: attainment re-derived by a max flow of our own -------------------------------


def max_flow(
    groups: list[tuple[list[str], int]],
    eligible: dict[str, list[str]],
    room: dict[str, int],
) -> int:
    """The most mentees matched at once, each group of mentees taking at most its cap, each
    mentee one eligible mentor, each mentor at most ``room`` of them: augmenting paths found
    by breadth-first search in the residual network (plain Python, no solver).

    >>> max_flow([(["a", "b"], 2), (["c"], 1)], {"a": ["x"], "b": ["x"], "c": ["x"]}, {"x": 2})
    2
    >>> max_flow([(["a", "b"], 1)], {"a": ["x"], "b": ["y"]}, {"x": 1, "y": 1})
    1
    >>> max_flow([(["a"], 1), (["b", "c"], 1)], {"a": ["x"], "b": ["x"], "c": ["y"]},
    ...          {"x": 1, "y": 1})
    2
    """
    members: dict[str, list[str]] = {}
    caps: dict[str, int] = {}
    group_of: dict[str, str] = {}
    for g, (ids, cap) in enumerate(groups):
        key = str(g)
        members[key], caps[key] = [i for i in ids if group_of.setdefault(i, key) == key], cap
    used = dict.fromkeys(caps, 0)  # flow source -> group
    mentor_of: dict[str, str] = {}  # flow mentee -> mentor
    takers: dict[str, list[str]] = {t: [] for t in room}  # flow mentor -> mentees
    total = 0
    for gk, ids in members.items():  # a greedy start: the search then augments only the rest
        for i in ids:
            if used[gk] >= caps[gk]:
                break
            t = next((t for t in eligible.get(i, ()) if len(takers[t]) < room[t]), None)
            if t is not None:
                mentor_of[i] = t
                takers[t].append(i)
                used[gk] += 1
                total += 1
    free = {g: [i for i in ids if i not in mentor_of] for g, ids in members.items()}
    while True:
        # Breadth-first search over residual arcs; a node is ("g"|"s"|"t", key).
        parent: dict[tuple[str, str], tuple[str, str] | None] = {}
        queue = [("g", g) for g in caps if used[g] < caps[g]]
        parent.update(dict.fromkeys(queue))
        end: tuple[str, str] | None = None
        head = 0
        while head < len(queue):
            kind, key = queue[head]
            head += 1
            if kind == "g":
                free[key] = [i for i in free[key] if i not in mentor_of]
                nxt = [("s", i) for i in free[key]]
            elif kind == "s":
                nxt = [("t", t) for t in eligible.get(key, ()) if mentor_of.get(key) != t]
                if key in mentor_of:  # the arc back to its group: route it no more
                    nxt.append(("g", group_of[key]))
            elif len(takers[key]) < room[key]:
                end = (kind, key)
                break
            else:
                nxt = [("s", i) for i in takers[key]]
            for step in nxt:
                if step not in parent:
                    parent[step] = (kind, key)
                    queue.append(step)
        if end is None:
            return total
        # Augment: each (mentee -> mentor) step on the path reassigns that mentee.
        node: tuple[str, str] | None = end
        while node is not None:
            prev = parent[node]
            if node[0] == "t" and prev is not None:
                mentee, mentor = prev[1], node[1]
                old = mentor_of.get(mentee)
                if old is not None:
                    takers[old].remove(mentee)
                mentor_of[mentee] = mentor
                takers[mentor].append(mentee)
            elif node[0] == "g" and prev is None:
                used[node[1]] += 1
            elif node[0] == "g" and prev is not None:
                takers[mentor_of.pop(prev[1])].remove(prev[1])
                free[node[1]].append(prev[1])
            node = prev
        total += 1


def _check_floors(
    cohort: Cohort, policy: Policy, result: MatchResult, of_mentee: _Eligible
) -> list[Violation]:
    """``result.floors`` and ``result.relaxed``, re-derived from the records.

    Each reported floor must be a group of the policy (label, size and count ``required``
    recomputed from the mentees' fields), ``achieved`` the group's matched mentees,
    ``attainable`` a max flow of our own over the group's mentees and their eligible
    mentors' places (at most it under ``max_candidates``, whose pruning the verifier cannot
    redo), ``met`` whether ``achieved`` reaches ``required`` and ``relaxed`` whether some floor
    is unmet. A relaxed answer must fill the most floor places possible in all (the sum over
    floors of ``min(achieved, required)``): for disjoint floors that maximum is one max flow
    with each group capped at its requirement, pinned pairs held (minimum loads cannot lower
    it: a matching covering the mentees and one meeting the loads combine into one covering
    both, by the Mendelsohn-Dulmage theorem). Where the policy has rules that flow does not
    model (sessions, group caps, category limits, overlapping floors, ``max_candidates``, a
    bound on changes) the maximum is only bounded: the answer is flagged when it reports more
    than the bound, and not proven optimal otherwise.
    """
    has_answer = result.status.has_solution or bool(result.matches)
    if not policy.floors:
        if result.floors or result.relaxed:
            return [Violation("floors", "floors reported, but the policy has no floors")]
        return []
    if not result.floors:
        if result.relaxed:
            return [Violation("floors", "relaxed, but no floor's attainment is reported")]
        return []  # the rich check then holds every floor to its count
    out: list[Violation] = []
    groups = floor_groups(cohort, policy)
    mentees = {s.id: s for s in cohort.mentees}
    matched = {m.mentee_id for m in result.matches}
    if [g[0] for g in groups] != [f.label for f in result.floors]:
        shown = [f.label for f in result.floors][:_SHOWN]
        return [Violation("floors", f"reported floors {shown} are not the policy's groups")]
    eligible: dict[str, list[str]] = {}

    def of(i: str) -> list[str]:
        if i not in eligible:
            eligible[i] = [t.id for t in of_mentee(mentees[i])]
        return eligible[i]

    room = {t.id: t.capacity for t in cohort.mentors}
    for k, ((label, ids, need), f) in enumerate(zip(groups, result.floors, strict=True)):
        where = f"floors[{k}] {label}"
        for i in ids:
            of(i)
        best = max_flow([(ids, len(ids))], eligible, room)
        got = sum(i in matched for i in ids)
        for name, claimed, true in (
            ("size", f.size, len(ids)),
            ("required", f.required, need),
            ("achieved", f.achieved, got),
        ):
            if claimed != true:
                out.append(Violation(f"floor_{name}", f"{where}: {name} {claimed} != {true}"))
        pruned = policy.max_candidates is not None
        if f.attainable > best or (f.attainable != best and not pruned):
            out.append(
                Violation(
                    "floor_attainable",
                    f"{where}: attainable {f.attainable} != {best} (a max flow over the "
                    "group's eligible mentors' places)",
                )
            )
        if f.met != (f.achieved >= f.required):
            out.append(
                Violation("floor_met", f"{where}: met={f.met} with {f.achieved} of {f.required}")
            )
    unmet = any(got < need for _, ids, need in groups for got in [sum(i in matched for i in ids)])
    if result.relaxed and not has_answer:
        out.append(Violation("relaxed", "relaxed=True, but the result has no answer"))
    elif result.relaxed != unmet and has_answer:
        out.append(
            Violation("relaxed", f"relaxed={result.relaxed}, but every floor is met")
            if result.relaxed
            else Violation("relaxed", "relaxed=False, but a floor is unmet")
        )
    if not (result.relaxed and has_answer):
        return out
    # The relaxed answer fills the most floor places possible in all.
    filled = sum(min(sum(i in matched for i in ids), need) for _, ids, need in groups)
    members = [i for _, ids, _ in groups for i in ids]
    overlap = len(set(members)) != len(members)
    t = result.transition
    exact = not (
        overlap
        or policy.sessions is not None
        or policy.group_caps
        or policy.category_limits
        or policy.max_candidates is not None
        or (t is not None and (t.keep == "require" or t.max_changes is not None))
    )
    pins = {a: b for a, b in policy.pinned}
    left = dict(room)
    for b in pins.values():
        if b in left:
            left[b] = left[b] - 1
    capped: list[tuple[list[str], int]] = []
    held = 0
    for _, ids, need in groups:
        pinned_here = sum(i in pins for i in ids)
        held += min(pinned_here, need)
        capped.append(([i for i in ids if i not in pins], max(0, need - pinned_here)))
    if exact:
        most = held + max_flow(capped, eligible, left)
        if filled != most:
            out.append(
                Violation(
                    "floor_relaxed",
                    f"relaxed answer fills {filled} floor places, but {most} can be filled at "
                    "once (a max flow with each group capped at its floor)",
                )
            )
    else:
        most = sum(
            min(f.required, max_flow([(ids, len(ids))], eligible, room))
            for f, (_, ids, _) in zip(result.floors, groups, strict=True)
        )
        if filled > most:
            out.append(
                Violation(
                    "floor_relaxed",
                    f"relaxed answer claims {filled} floor places, "
                    f"more than the {most} any answer can fill",
                )
            )
    return out


_NEAR_CODES = {"distance": "too_far", "time": "no_common_time", "rules": "excluded"}
"""A near miss's rule for each hard rule a near miss can miss (subject and mode it cannot)."""


def _near_rules(s: Mentee, t: Mentor, policy: Policy, forbidden: set[tuple[str, str]]) -> list[str]:
    """The rules a pair misses among distance, common time and exclusion (near-miss codes)."""
    return [_NEAR_CODES[r] for r in broken_rules(s, t, policy, forbidden) if r in _NEAR_CODES]


def _check_near(
    result: MatchResult,
    mentees: dict[str, Mentee],
    mentors: dict[str, Mentor],
    policy: Policy,
    forbidden: set[tuple[str, str]],
) -> list[Violation]:
    """Each near miss names a mentor of the cohort teaching a needed subject in a compatible
    mode, and the rules it misses are the pair's (``full`` against the result's own loads)."""
    if not result.status.has_solution:
        return []
    load: dict[str, int] = {}
    for m in result.matches:
        load[m.mentor_id] = load.get(m.mentor_id, 0) + 1
    wrong = []
    for u in result.unmatched:
        s = mentees.get(u.mentee_id)
        if s is None:
            continue
        for near in u.near_misses:
            t = mentors.get(near.mentor_id)
            if t is None or pair_breaks(s, t, policy, forbidden) in ("subject", "mode"):
                wrong.append(u.mentee_id)
                break
            rules = _near_rules(s, t, policy, forbidden)
            if load.get(t.id, 0) >= t.capacity:
                rules.append("full")
            if near.rule != "+".join(rules or ["has_room"]):
                wrong.append(u.mentee_id)
                break
    if wrong:
        return [
            Violation(
                "near_misses",
                f"near misses naming a mentor or rule the records contradict: {wrong[:_SHOWN]}",
            )
        ]
    return []
