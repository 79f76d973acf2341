"""The hiring rules and what :func:`~matchkit.recruit` answers (pydantic, frozen).

:class:`HiringRules` says how many applicants to hire and how they are scored: the minimum
review result (the city's raised standard), extra points for former mentees and per
committed term (the preference for long-term mentors), per-university quotas, and the
weight between review points and students served. :class:`RecruitResult` says who is hired
and why, who is not and why, next term's matching on the new cohort, the proven bound, and
the value of one more (or one fewer) hire.
"""

from __future__ import annotations

import enum
import math
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from matchkit.core.assignment import Status
from matchkit.domain.model import Cohort
from matchkit.domain.policy import NotBool, bounded
from matchkit.domain.result import MatchResult

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CurvePoint", "HireDecision", "HireReason", "HiringRules", "Quota", "RecruitResult"]

_FROZEN = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class Quota(BaseModel):
    """How many of one university's applicants may be hired: at least, at most."""

    model_config = _FROZEN

    at_least: Annotated[int, NotBool, Field(ge=0)] = 0
    at_most: Annotated[int, NotBool, Field(ge=0)] | None = None


class HiringRules(BaseModel):
    """How many to hire and how applicants are scored.

    An applicant's **points** are ``review + alumni_points * alumni + term_points *
    (terms_committed - 1)``. Applicants below ``min_review`` (or not recommended, with
    ``recommended_only``) are not considered. Among the rest, the choice maximises the
    students served (the matching's objective: each matched student is worth their priority
    weight plus the pair's score, as in :func:`~matchkit.solve`) plus ``points_weight`` times
    the hired applicants' points.

    Examples
    --------
    >>> r = HiringRules(hire=850, min_review=60, quotas={"Sogang University": {"at_most": 40}})
    >>> r.hire, r.quotas["Sogang University"].at_most, r.points_weight
    (850, 40, 1.0)
    """

    model_config = _FROZEN

    hire: Annotated[int, NotBool, Field(ge=0)]
    """How many applicants to hire (exactly, or at most with ``at_most``)."""
    at_most: bool = False
    """Hire at most ``hire`` (a budget): an applicant is only taken if they add value."""
    min_review: Annotated[float, bounded(0.0, 100.0, "review score"), Field(ge=0, le=100)] = 0.0
    """The minimum review result (the raised qualification standard)."""
    recommended_only: bool = False
    """Consider only applicants their university recommended."""
    alumni_points: Annotated[float, bounded(0.0, 100.0, "extra points"), Field(ge=0, le=100)] = 5.0
    """Extra selection points for a former mentee."""
    term_points: Annotated[float, bounded(0.0, 100.0, "extra points"), Field(ge=0, le=100)] = 2.0
    """Extra points per committed term beyond the first (long-term commitment)."""
    quotas: dict[str, Quota] = Field(default_factory=dict)
    """Per university: how many of its applicants may be hired."""
    points_weight: Annotated[float, bounded(0.0, 1e6, "weight"), Field(ge=0)] = 1.0
    """Objective points per applicant point; 0 chooses by students served alone."""

    def points(self, review: float, alumni: bool, terms: int) -> float:
        """An applicant's selection points."""
        return review + self.alumni_points * alumni + self.term_points * (terms - 1)


class HireReason(enum.StrEnum):
    """Why an applicant was or was not hired."""

    HIRED = "hired"
    """Chosen: their students and points are worth the most."""
    BELOW_STANDARD = "below_standard"
    """Review result below ``min_review``."""
    NOT_RECOMMENDED = "not_recommended"
    """Not recommended, and the rules consider recommended applicants only."""
    QUOTA_FULL = "quota_full"
    """Their university's quota was full."""
    LOWER_VALUE = "lower_value"
    """Worth less than the least valuable applicant hired."""


class HireDecision(BaseModel):
    """One applicant's outcome and the figures behind it."""

    model_config = _FROZEN

    applicant_id: str
    hired: bool
    reason: HireReason
    detail: str
    """The reason in words, with its figures."""
    university: str | None
    review: float
    points: float
    """Review plus extra points (:meth:`HiringRules.points`)."""
    value: float | None
    """Hired: the objective lost without them (re-solved exactly, or an upper bound where
    time ran out: ``detail`` says which). Not hired: the
    estimated objective they would add to the chosen set (their places filled by the
    students who would gain most by moving), None when not considered."""
    students: int = 0
    """Hired: students matched to them next term."""
    sole_students: int = 0
    """Hired: students no other mentor in the new cohort could take."""
    subjects: tuple[str, ...] = ()
    """Hired: the subjects their students need that they teach."""
    districts: tuple[str, ...] = ()
    """Hired: their students' districts."""
    weekly_hours: float = 0.0
    """The hours a week they are available."""


class CurvePoint(BaseModel):
    """The objective with ``hires`` applicants hired, and a proven bound for that count."""

    model_config = _FROZEN

    hires: int
    objective: float
    bound: float
    matched: int
    """Students with a mentor."""


class RecruitResult(BaseModel):
    """Who is hired and why, who is not and why, and next term's matching.

    ``objective`` is the students served (the new cohort's matching objective) plus
    ``points_weight`` times the hired applicants' points; ``bound`` is a proven upper bound
    on it over every choice the rules allow.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    status: Status
    method: str
    objective: float
    bound: float
    hired: tuple[str, ...]
    decisions: tuple[HireDecision, ...]
    cohort: Cohort
    """The new cohort: the staying mentors, the hired applicants (as mentors), the mentees."""
    match: MatchResult
    """The matching on the new cohort (check it with ``verify(r.cohort, policy, r.match)``)."""
    curve: tuple[CurvePoint, ...]
    """The value of fewer and more hires around ``rules.hire``."""
    rules: HiringRules
    seed: int
    wall_time: float
    stats: dict[str, Any] = Field(default_factory=dict)

    @property
    def gap(self) -> float:
        """Relative gap ``(bound - objective) / max(1, |objective|)``."""
        if not self.status.has_solution:
            return math.inf
        return max(0.0, self.bound - self.objective) / max(1.0, abs(self.objective))

    def decision(self, applicant_id: str) -> HireDecision:
        """The decision on one applicant.

        Raises
        ------
        KeyError
            No such applicant.
        """
        for d in self.decisions:
            if d.applicant_id == applicant_id:
                return d
        raise KeyError(applicant_id)

    def to_frame(self) -> pd.DataFrame:
        """One row per applicant (pandas, imported on first use), hired first, by value.

        Columns: ``applicant_id``, ``hired``, ``reason``, ``detail``, ``university``,
        ``review``, ``points``, ``value``, ``students``, ``sole_students``, ``subjects``,
        ``districts``, ``weekly_hours``.
        """
        import pandas as pd

        rows = [
            {
                **d.model_dump(exclude={"subjects", "districts", "reason"}),
                "reason": d.reason.value,
                "subjects": ", ".join(d.subjects),
                "districts": ", ".join(d.districts),
            }
            for d in self.decisions
        ]
        columns = [
            "applicant_id", "hired", "reason", "detail", "university", "review", "points",
            "value", "students", "sole_students", "subjects", "districts", "weekly_hours",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def curve_frame(self) -> pd.DataFrame:
        """The value-of-one-more-hire curve as a frame: ``hires``, ``objective``, ``bound``,
        ``matched``."""
        import pandas as pd

        return pd.DataFrame([c.model_dump() for c in self.curve])
