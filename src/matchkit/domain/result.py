"""What a matching run returns: matches, unmatched mentees with reasons, and figures.

:class:`MatchResult` is a frozen pydantic model: ``MatchResult.model_validate_json(
r.model_dump_json()) == r`` holds for every result. It carries the few per-mentee facts its
figures need (priority, level, district, continuity) and each mentor's capacity, so
:meth:`MatchResult.metrics` works on a result read back from a file, without the cohort.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

from matchkit.core.assignment import Status
from matchkit.domain.model import Level, Mode
from matchkit.domain.policy import Policy
from matchkit.domain.schedule import DAYS, SLOTS_PER_DAY, Availability
from matchkit.domain.transition import Transition

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Continuity",
    "FloorAttainment",
    "Match",
    "MatchResult",
    "Metrics",
    "NearMiss",
    "Session",
    "Unmatched",
    "UnmatchedReason",
    "construct",
]

_FROZEN = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)
_M = TypeVar("_M", bound=BaseModel)


def construct(cls: type[_M], values: dict[str, Any]) -> _M:
    """``cls.model_construct(**values)`` for trusted, complete values, about 3x faster.

    For models without defaults left out, extras or private attributes this sets exactly
    what pydantic 2's ``model_construct`` sets (the test suite's JSON round trips and
    equality checks would catch a difference). Used to build the tens of thousands of
    records of one result from arrays matchkit computed itself.
    """
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


class Continuity(enum.StrEnum):
    """A mentee's relation to last term's mentor."""

    NONE = "none"
    """No previous mentor."""
    KEPT = "kept"
    """Matched with the previous mentor again."""
    CHANGED = "changed"
    """The previous mentor is still in the cohort, but the pair was not kept."""
    LOST = "lost"
    """The previous mentor left the programme: the mentee needs a new mentor."""


class UnmatchedReason(enum.StrEnum):
    """Why a mentee has no mentor: the first hard rule that leaves no candidate."""

    NO_SUBJECT = "no_subject"
    """No mentor teaches a needed subject at the required proficiency."""
    NO_MODE = "no_mode"
    """No mentor who teaches the subject can meet in a compatible mode."""
    TOO_FAR = "too_far"
    """Every such mentor is farther away than the travel limit for an offline pair."""
    NO_COMMON_TIME = "no_common_time"
    """No such mentor shares a weekly window as long as the session."""
    EXCLUDED = "excluded"
    """The remaining mentors are excluded by the mentee's avoid list or forbidden pairs."""
    MENTORS_FULL = "mentors_full"
    """Eligible mentors exist, but every one is full with mentees the optimum preferred (or,
    with ``Policy.max_candidates``, those with room were not among the kept candidates)."""
    NOT_WORTH = "not_worth"
    """Eligible mentors have room, but every such pair's score plus the value of matching the
    mentee is not above zero (only with custom weights: the defaults make matching worth it)."""
    POLICY_RULES = "policy_rules"
    """Eligible mentors have room, but the answer keeps the policy's rich rules (sessions,
    floors, caps, balance) by leaving this mentee out."""
    NOT_MOVED = "not_moved"
    """Eligible mentors have room, but the mentee was waiting and
    ``repair(include_unmatched=False)`` re-assigned only the mentees the change affected."""
    NO_SOLUTION = "no_solution"
    """The rules together admit no matching at all (see the result's explanation)."""


def _clock(slot: int) -> str:
    return f"{slot // 2:02d}:{'30' if slot % 2 else '00'}"


class Session(BaseModel):
    """One weekly session: a day and a start and end time on the half-hour grid.

    Examples
    --------
    >>> s = Session.from_slots(5 * 48 + 20, 4)
    >>> str(s), s.availability().hours
    ('Sat 10:00-12:00', 2.0)
    """

    model_config = _FROZEN

    day: str
    start: str
    end: str

    @classmethod
    def from_slots(cls, start: int, length: int) -> Session:
        """From a start on the week's slot line (``48 * day + half hour``) and a length."""
        day, k = divmod(start, SLOTS_PER_DAY)
        return cls.model_construct(day=DAYS[day], start=_clock(k), end=_clock(k + length))

    def availability(self) -> Availability:
        """The session's time as an :class:`~matchkit.Availability` (for set checks)."""
        return Availability.parse(str(self))

    def __str__(self) -> str:
        return f"{self.day} {self.start}-{self.end}"


class Match(BaseModel):
    """One mentor-mentee pair and why it scores what it does."""

    model_config = _FROZEN

    mentee_id: str
    mentor_id: str
    score: float
    """The pair's score in points, rounded to 0.001 (the unit the solver works in)."""
    breakdown: dict[str, float]
    """Points per weight of :class:`~matchkit.Weights` (distance negative), unrounded: they
    add up to ``score`` within 0.0005."""
    window: Availability
    """Every weekly time both can make; a session of the mentee's length fits in it."""
    mode: Mode
    """How they meet: ``online`` whenever both can, else ``offline``."""
    distance_km: float | None
    priority: int
    level: Level
    district: str
    continuity: Continuity
    session: Session | None = None
    """The weekly session, when the policy schedules sessions (``Policy.sessions``)."""


class NearMiss(BaseModel):
    """A mentor who came close to taking an unmatched mentee, and the rule(s) it missed.

    ``rule`` is one code or several joined by ``+`` (``too_far+no_common_time``): ``full``,
    ``too_far``, ``no_common_time``, ``excluded``, or ``has_room`` (every rule kept and a
    place free: the optimum or the policy's rich rules chose otherwise). ``detail`` is a
    short phrase per rule (``time: 30 min short``); ids only, never names.
    """

    model_config = _FROZEN

    mentor_id: str
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.mentor_id} ({self.detail})"


class Unmatched(BaseModel):
    """A mentee left without a mentor, and why."""

    model_config = _FROZEN

    mentee_id: str
    reason: UnmatchedReason
    detail: str
    priority: int
    level: Level
    district: str
    continuity: Continuity
    near_misses: tuple[NearMiss, ...] = ()
    """Up to 3 mentors teaching a needed subject in a compatible mode that came closest,
    closest first: fewest rules missed, then the smallest miss, then mentor id."""


class Metrics(BaseModel):
    """What a programme office reads first. Rates are in [0, 1]; NaN where undefined."""

    model_config = _FROZEN

    n_mentees: int
    n_matched: int
    match_rate: float
    match_rate_by_priority: dict[int, float]
    match_rate_by_level: dict[str, float]
    match_rate_by_district: dict[str, float]
    mean_subject_fit: float
    """Mean subject-fit component over matches, in [0, 1] (points / weight)."""
    utilisation: float
    """Matched mentees / total mentor capacity."""
    mentors_used: int
    continuity_kept: float
    """Share of mentees whose previous mentor is still here who kept them."""
    lost_mentor: int
    """Mentees whose previous mentor left."""
    unmatched_by_reason: dict[str, int]


class FloorAttainment(BaseModel):
    """One floor's group in a result: how many of its mentees the floor requires, how many
    the answer matches, and the most any answer could match (a max flow restricted to the
    group's mentees and their eligible mentors' places: a counted certificate)."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    label: str
    """The group, as ``field=value`` (``district='Nowon-gu'``)."""
    size: int
    required: int
    achieved: int
    attainable: int
    """The most of the group's mentees matched by any answer, the other floors ignored."""
    met: bool
    reason: str | None = None
    """Why an unmet floor could not be met, one sentence (None where met)."""


class MatchResult(BaseModel):
    """The outcome of :func:`matchkit.solve`: every mentee is in ``matches`` or ``unmatched``."""

    # NaN objective / -inf bound of an infeasible result must survive JSON.
    model_config = ConfigDict(
        frozen=True, extra="forbid", ser_json_inf_nan="constants", hide_input_in_errors=True
    )

    status: Status
    method: str
    method_reason: str | None = None
    """Why ``method="auto"`` chose this method (or the method asked for)."""
    objective: float
    bound: float
    explanation: str | None = None
    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    mentor_capacity: dict[str, int]
    policy: Policy
    seed: int
    timings: dict[str, float]
    """Seconds: ``compile``, ``solve``, ``join`` and ``total``."""
    stats: dict[str, float]
    """Counts from compilation: eligible pairs, kept pairs, ..."""
    transition: Transition | None = None
    """From :func:`matchkit.rematch`: last term's pairs kept, broken (with reasons) and new."""
    warnings: tuple[str, ...] = ()
    """What the run accepted but a person should check, one sentence each (for example a
    district not recognised under ``Policy(unknown_districts="warn")``)."""
    floors: tuple[FloorAttainment, ...] = ()
    """Each floor's group (:class:`FloorAttainment`), where the policy has floors."""
    relaxed: bool = False
    """True when some floor could not be met and the answer is the best one meeting the
    floors as far as they can be met (most floor places filled in all, then the best score;
    ``status`` is then the status of that relaxed problem). See :attr:`floors` for why."""
    _index: dict[str, Match | Unmatched] | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # Fields only: the private lookup cache must not make equal results differ.
        return type(other) is type(self) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # dict fields: results are not hashable

    @property
    def gap(self) -> float:
        """Relative gap between ``bound`` and ``objective`` (0 when optimal)."""
        if self.status is Status.OPTIMAL:
            return 0.0
        if not (math.isfinite(self.objective) and math.isfinite(self.bound)):
            return math.inf
        return (self.bound - self.objective) / max(1.0, abs(self.objective))

    def mentor_of(self, mentee_id: str) -> str | None:
        """The mentor of ``mentee_id``, or None if unmatched (KeyError if unknown)."""
        index = self._by_mentee()
        if mentee_id not in index:
            raise KeyError(f"mentee {mentee_id!r} is not in this result")
        rec = index[mentee_id]
        return rec.mentor_id if isinstance(rec, Match) else None

    def _by_mentee(self) -> dict[str, Match | Unmatched]:
        if self._index is None:
            records: list[Match | Unmatched] = [*self.matches, *self.unmatched]
            self._index = {r.mentee_id: r for r in records}
        return self._index

    def metrics(self) -> Metrics:
        """Match rates overall and by group, fit, utilisation and continuity."""
        records: list[Match | Unmatched] = [*self.matches, *self.unmatched]
        n = len(records)

        def rates(key: Any) -> dict[Any, float]:
            tot: dict[Any, int] = defaultdict(int)
            hit: dict[Any, int] = defaultdict(int)
            for r in records:
                k = key(r)
                tot[k] += 1
                hit[k] += isinstance(r, Match)
            return {k: hit[k] / tot[k] for k in sorted(tot)}

        fit_w = self.policy.weights.subject_fit
        fits = [m.breakdown.get("subject_fit", 0.0) / fit_w for m in self.matches] if fit_w else []
        kept = sum(r.continuity is Continuity.KEPT for r in records)
        changed = sum(r.continuity is Continuity.CHANGED for r in records)
        capacity = sum(self.mentor_capacity.values())
        reasons: dict[str, int] = defaultdict(int)
        for u in self.unmatched:
            reasons[u.reason.value] += 1
        return Metrics(
            n_mentees=n,
            n_matched=len(self.matches),
            match_rate=len(self.matches) / n if n else math.nan,
            match_rate_by_priority=rates(lambda r: r.priority),
            match_rate_by_level=rates(lambda r: r.level.value),
            match_rate_by_district=rates(lambda r: r.district),
            mean_subject_fit=sum(fits) / len(fits) if fits else math.nan,
            utilisation=len(self.matches) / capacity if capacity else math.nan,
            mentors_used=len({m.mentor_id for m in self.matches}),
            continuity_kept=kept / (kept + changed) if kept + changed else math.nan,
            lost_mentor=sum(r.continuity is Continuity.LOST for r in records),
            unmatched_by_reason=dict(sorted(reasons.items())),
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per mentee (pandas, imported on first use), matched first.

        Columns: ``mentee_id``, ``mentor_id``, ``score``, ``score_<weight>``, ``mode``,
        ``distance_km``, ``window``, ``session``, ``reason``, ``detail`` (the unmatched
        mentee's sentence), ``near_misses`` (``m-12 (full: 3 of 3), ...``), ``priority``,
        ``level``, ``district``, ``continuity``.
        """
        import pandas as pd

        rows: list[dict[str, Any]] = []
        for m in self.matches:
            rows.append(
                {
                    "mentee_id": m.mentee_id,
                    "mentor_id": m.mentor_id,
                    "score": m.score,
                    **{f"score_{k}": v for k, v in m.breakdown.items()},
                    "mode": m.mode.value,
                    "distance_km": m.distance_km,
                    "window": str(m.window),
                    "session": None if m.session is None else str(m.session),
                    "reason": None,
                    "detail": None,
                    "near_misses": None,
                    "priority": m.priority,
                    "level": m.level.value,
                    "district": m.district,
                    "continuity": m.continuity.value,
                }
            )
        for u in self.unmatched:
            rows.append(
                {
                    "mentee_id": u.mentee_id,
                    "mentor_id": None,
                    "reason": u.reason.value,
                    "detail": u.detail,
                    "near_misses": ", ".join(map(str, u.near_misses)),
                    "priority": u.priority,
                    "level": u.level.value,
                    "district": u.district,
                    "continuity": u.continuity.value,
                }
            )
        return pd.DataFrame.from_records(rows)

    def explain(self, mentee_id: str) -> str:
        """A few sentences on what happened to one mentee, for a person to read."""
        rec = self._by_mentee().get(mentee_id)
        if rec is None:
            raise KeyError(f"mentee {mentee_id!r} is not in this result")
        if isinstance(rec, Unmatched):
            return f"mentee {mentee_id!r} is unmatched ({rec.reason.value}): {rec.detail}"
        parts = ", ".join(f"{k} {v:+.2f}" for k, v in rec.breakdown.items() if v)
        where = (
            "online"
            if rec.mode is Mode.ONLINE
            else f"offline, {rec.distance_km:.1f} km apart"
            if rec.distance_km is not None
            else "offline, same district"
        )
        cont = {
            Continuity.KEPT: " They continue from last term.",
            Continuity.CHANGED: " Last term's mentor is still here but was not kept.",
            Continuity.LOST: " Last term's mentor has left the programme.",
            Continuity.NONE: "",
        }[rec.continuity]
        when = f"; weekly session {rec.session}" if rec.session is not None else ""
        return (
            f"mentee {mentee_id!r} is matched with mentor {rec.mentor_id!r}: score "
            f"{rec.score:.2f} ({parts}); they meet {where}; common time {rec.window}{when}."
            f"{cont}"
        )
