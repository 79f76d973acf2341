"""The knobs of a synthetic cohort: every distribution, its default, and why.

See ``docs/explanation/synthetic-cohorts.md`` for the public figure each default is
calibrated to and which are assumptions.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from matchkit.synth.draw import TEACHES_AT

__all__ = ["SynthKnobs"]

I64 = npt.NDArray[np.int64]

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
_TEACHES_AT = TEACHES_AT
_WEIGHTS = (
    "capacity_weights",
    "terms_weights",
    "teach_weights",
    "subjects_count_weights",
    "proficiency_weights",
    "need_weights",
    "needs_count_weights",
    "priority_weights",
    "session_hours_weights",
)


class SynthKnobs(BaseModel):
    """The distributions of a synthetic cohort, each with its default and why.

    Category distributions are ``{value: weight}`` mappings; weights need not sum to 1 (they
    are normalised) but must be ``>= 0`` with at least one positive.

    Examples
    --------
    >>> SynthKnobs().departure_rate, SynthKnobs(alumni_share=0.2).alumni_share
    (0.28, 0.2)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # --- places ---------------------------------------------------------------------------
    people_per_district: Annotated[int, Field(ge=10)] = 300
    """Mentors plus mentees per district: Seoul's 1,500 + 6,000 over its 25 districts. A
    larger cohort gets more districts so density, and so eligible pairs per mentee offline,
    stays Seoul-like."""
    jitter_km: Annotated[float, Field(ge=0, le=20, allow_inf_nan=False)] = 2.0
    """Standard deviation (per axis) of a home around its district office: a Seoul district
    is about 5 km across, so homes spread over it and distance matters within a district."""
    # --- turnover and continuity ----------------------------------------------------------
    departure_rate: Annotated[float, Field(ge=0, lt=1, allow_inf_nan=False)] = 0.28
    """Share of last term's mentors gone this term: 850 hired a year for 1,500 active is 425
    per term at two terms a year, 425 / 1,500 = 28% (steady state, one new mentor per
    departed one)."""
    continuing_share: Share = 0.45
    """Share of mentees who had a mentor last term (an assumption: mentoring often runs a
    school year; the rest are new referrals replacing students who left)."""
    schedule_change_rate: Share = 0.15
    """Share of continuing mentees whose week changed since last term, so their previous pair
    may no longer share a window (an assumption: a new school timetable or academy)."""
    alumni_share: Share = 0.10
    """Mentors who are former mentees ("virtuous-cycle" mentors); an assumption."""
    avoid_share: Share = 0.01
    """Mentees with one mentor they must not be paired with (rare by design)."""
    # --- modes (both mentors and mentees) -------------------------------------------------
    offline_share: Share = 0.35
    """Offline only (in person at a learning centre or library); an assumption."""
    online_share: Share = 0.15
    """Online only (video sessions); the rest, 50%, accept either."""
    # --- mentors --------------------------------------------------------------------------
    capacity_weights: dict[Annotated[int, Field(ge=0, le=50)], float] = {
        2: 0.15,
        3: 0.35,
        4: 0.35,
        5: 0.15,
    }
    """Mentees at once: "several per mentor", mean 3.5; 1,500 mentors then hold 5,250 of
    6,000 mentees, so some wait, as in a real programme."""
    terms_weights: dict[Annotated[int, Field(ge=1, le=20)], float] = {
        1: 0.30,
        2: 0.40,
        3: 0.10,
        4: 0.20,
    }
    """Terms committed: mostly a semester or a school year (an assumption)."""
    teach_weights: dict[str, float] = {
        "math": 0.28,
        "english": 0.28,
        "korean": 0.16,
        "science": 0.16,
        "social": 0.12,
    }
    """Relative frequency of subjects mentors teach (an assumption)."""
    subjects_count_weights: dict[Annotated[int, Field(ge=1)], float] = {
        1: 0.30,
        2: 0.45,
        3: 0.25,
    }
    """Subjects per mentor."""
    proficiency_weights: dict[Annotated[int, Field(ge=1, le=5)], float] = {
        1: 0.03,
        2: 0.07,
        3: 0.30,
        4: 0.35,
        5: 0.25,
    }
    """Proficiency (1-5) of a mentor's further subjects; the main subject is drawn from the
    levels 3-5 only (the hiring interview checks it), so every mentor can teach something."""
    # --- mentees --------------------------------------------------------------------------
    need_weights: dict[str, float] = {
        "math": 0.34,
        "english": 0.30,
        "korean": 0.14,
        "science": 0.12,
        "social": 0.10,
    }
    """Relative frequency of needed subjects: math and English are where most students fall
    behind (the sequential subjects); the exact shares are an assumption."""
    needs_count_weights: dict[Annotated[int, Field(ge=1)], float] = {1: 0.35, 2: 0.45, 3: 0.20}
    """Subjects per mentee; the first drawn is the main need (weight 3), others weigh 1-2."""
    priority_weights: dict[Annotated[int, Field(ge=0, le=10)], float] = {
        3: 0.35,
        2: 0.25,
        1: 0.40,
    }
    """3 = basic-livelihood recipient, 2 = near-poverty, 1 = other eligible (single-parent,
    multicultural, school referral, ...); shares are an assumption."""
    high_school_share: Share = 0.45
    """Share of high-school students (the rest are middle-school); an assumption."""
    session_hours_weights: dict[Annotated[float, Field(gt=0, le=8)], float] = {
        1.5: 0.15,
        2.0: 0.70,
        2.5: 0.15,
    }
    """Length of the weekly session: mostly 2 h."""
    mentee_weekend_share: Share = 0.5
    """Mentees also free on a weekend daytime (weekday evenings 16:00-22:00 otherwise)."""
    mentor_weekend_share: Share = 0.6
    """Mentors also free on a weekend daytime (weekday afternoons and evenings otherwise)."""

    @field_validator("teach_weights", "need_weights", mode="before")
    @classmethod
    def _subject_names(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        out: dict[str, Any] = {}
        for name, w in v.items():
            key = str(name).strip().lower()
            if not key:
                raise ValueError("a subject name is empty")
            if key in out:
                raise ValueError(f"subject {key!r} is listed twice")
            out[key] = w
        return out

    @field_validator("session_hours_weights")
    @classmethod
    def _half_hours(cls, v: dict[float, float]) -> dict[float, float]:
        odd = sorted(h for h in v if not float(h * 2).is_integer())
        if odd:
            raise ValueError(f"session hours must be whole half hours, not {odd}")
        return v

    @field_validator(*_WEIGHTS)
    @classmethod
    def _weights(cls, v: dict[Any, float]) -> dict[Any, float]:
        if any(not math.isfinite(w) or w < 0 for w in v.values()):
            raise ValueError("weights must be finite and >= 0")
        if not any(w > 0 for w in v.values()):
            raise ValueError("at least one weight must be positive")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> SynthKnobs:
        problems = []
        if self.offline_share + self.online_share > 1:
            problems.append("offline_share + online_share must be at most 1")
        for counts, subjects, name in (
            (self.needs_count_weights, self.need_weights, "needs_count_weights"),
            (self.subjects_count_weights, self.teach_weights, "subjects_count_weights"),
        ):
            top = max(k for k, w in counts.items() if w > 0)
            if top > sum(w > 0 for w in subjects.values()):
                problems.append(f"{name} asks for {top} subjects, more than have weight")
        if not any(w > 0 for p, w in self.proficiency_weights.items() if p >= _TEACHES_AT):
            problems.append(f"proficiency_weights needs weight on a level >= {_TEACHES_AT}")
        if problems:
            raise ValueError("; ".join(problems))
        return self
