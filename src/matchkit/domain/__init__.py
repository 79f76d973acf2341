"""The records people write and read: mentors, mentees, cohorts, policies, weeks, results.

:class:`Mentor`, :class:`Mentee`, :class:`Applicant` (a mentor not yet hired),
:class:`Cohort`, :class:`Policy`, :class:`Availability` and :class:`MatchResult` are frozen
pydantic models: validated on construction, JSON in and out. Nothing here knows that a
solver exists: this package imports :mod:`matchkit.errors` and, for the one
:class:`~matchkit.core.Status` enum results carry, :mod:`matchkit.core`; ``geo`` holds
Seoul's districts and distances.
"""

from matchkit.domain.applicant import Applicant
from matchkit.domain.hiring import (
    CurvePoint,
    HireDecision,
    HireReason,
    HiringRules,
    Quota,
    RecruitResult,
)
from matchkit.domain.model import Cohort, Level, Mentee, Mentor, Mode
from matchkit.domain.policy import CategoryLimit, Floor, GroupCap, Policy, Sessions, Weights
from matchkit.domain.result import (
    Continuity,
    Match,
    MatchResult,
    Metrics,
    NearMiss,
    Session,
    Unmatched,
    UnmatchedReason,
)
from matchkit.domain.schedule import Availability
from matchkit.domain.transition import BreakReason, BrokenPair, Transition

__all__ = [
    "Applicant",
    "Availability",
    "BreakReason",
    "BrokenPair",
    "CategoryLimit",
    "Cohort",
    "Continuity",
    "CurvePoint",
    "Floor",
    "GroupCap",
    "HireDecision",
    "HireReason",
    "HiringRules",
    "Level",
    "Match",
    "MatchResult",
    "Mentee",
    "Mentor",
    "Metrics",
    "Mode",
    "NearMiss",
    "Policy",
    "Quota",
    "RecruitResult",
    "Session",
    "Sessions",
    "Transition",
    "Unmatched",
    "UnmatchedReason",
    "Weights",
]
