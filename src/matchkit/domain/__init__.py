"""The domain layer: people, subjects and weeks, compiled down to the array-level engine."""

from matchkit.domain.model import Cohort, Level, Mentee, Mentor, Mode
from matchkit.domain.policy import Policy, Weights
from matchkit.domain.result import (
    Continuity,
    Match,
    MatchResult,
    Metrics,
    Unmatched,
    UnmatchedReason,
)
from matchkit.domain.schedule import Availability

__all__ = [
    "Availability",
    "Cohort",
    "Continuity",
    "Level",
    "Match",
    "MatchResult",
    "Mentee",
    "Mentor",
    "Metrics",
    "Mode",
    "Policy",
    "Unmatched",
    "UnmatchedReason",
    "Weights",
]
