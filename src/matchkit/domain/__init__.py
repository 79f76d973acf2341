"""The domain layer: people, subjects and weeks, compiled down to the array-level engine."""

from matchkit.domain.model import Cohort, Level, Mentee, Mentor, Mode
from matchkit.domain.policy import CategoryLimit, Floor, GroupCap, Policy, Sessions, Weights
from matchkit.domain.result import (
    Continuity,
    Match,
    MatchResult,
    Metrics,
    Session,
    Unmatched,
    UnmatchedReason,
)
from matchkit.domain.schedule import Availability
from matchkit.domain.transition import BreakReason, BrokenPair, Transition

__all__ = [
    "Availability",
    "BreakReason",
    "BrokenPair",
    "CategoryLimit",
    "Cohort",
    "Continuity",
    "Floor",
    "GroupCap",
    "Level",
    "Match",
    "MatchResult",
    "Mentee",
    "Mentor",
    "Metrics",
    "Mode",
    "Policy",
    "Session",
    "Sessions",
    "Transition",
    "Unmatched",
    "UnmatchedReason",
    "Weights",
]
