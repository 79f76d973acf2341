"""Synthetic cohorts shaped like Seoul's "Seoul Run" learning-support mentoring.

University-student mentors and middle- and high-school mentees who fell behind, in Seoul's
25 districts (larger cohorts spread over more districts at Seoul's density), with last term's
pairs, some of whose mentors have since left. Every distribution is a knob of
:class:`SynthKnobs` with a documented default; ``docs/explanation/synthetic-cohorts.md`` says
which public figure each default is calibrated to and which are assumptions.

Generation is vectorised with numpy and deterministic: the same arguments and ``seed`` give
the same cohort. Every record is built through pydantic's normal validation.

Examples
--------
>>> syn = generate(12, 40, seed=1)
>>> len(syn.cohort.mentors), len(syn.cohort.mentees), syn.cohort.mentees[0].id
(12, 40, 's-000001')
>>> generate(12, 40, seed=1) == syn
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from matchkit import _synth_draw as draw
from matchkit import _synth_records as records
from matchkit._synth_regions import districts
from matchkit.domain.model import Cohort
from matchkit.errors import InputError, InputProblem

__all__ = [
    "Simulation",
    "SynthKnobs",
    "Synthetic",
    "TermRecord",
    "generate",
    "generate_cohort",
    "simulate_terms",
]

I64 = npt.NDArray[np.int64]

Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
_TEACHES_AT = draw.TEACHES_AT
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


@dataclass(frozen=True)
class Synthetic:
    """A generated cohort with last term's history.

    Attributes
    ----------
    cohort:
        This term's mentors and mentees.
    previous_pairs:
        Last term's ``(mentee_id, mentor_id)`` pairs of this term's mentees, sorted, including
        pairs whose mentor has since left.
    departed_mentors:
        IDs of last term's mentors not in this cohort, sorted.
    knobs:
        The knobs used.
    """

    cohort: Cohort
    previous_pairs: tuple[tuple[str, str], ...]
    departed_mentors: tuple[str, ...]
    knobs: SynthKnobs


def generate(
    n_mentors: int = 1500, n_mentees: int = 6000, *, seed: int = 0, **knobs: Any
) -> Synthetic:
    """Generate a synthetic cohort and last term's pairs.

    Parameters
    ----------
    n_mentors, n_mentees:
        Cohort size; the defaults are the Seoul programme's (1,500 active mentors, several
        mentees each). Larger cohorts spread over more districts (see :class:`SynthKnobs`).
    seed:
        Seed of ``numpy.random.default_rng``; the same arguments give the same cohort.
    **knobs:
        Any field of :class:`SynthKnobs`, e.g. ``alumni_share=0.2``.

    Returns
    -------
    Synthetic
        The cohort, last term's pairs, the departed mentors' IDs and the knobs used.

    Raises
    ------
    InputError
        An unknown knob (the message lists the valid ones), a bad knob value or size.

    Examples
    --------
    >>> syn = generate(30, 100, seed=7, alumni_share=0.5)
    >>> sum(m.alumni for m in syn.cohort.mentors) > 5, syn.knobs.alumni_share
    (True, 0.5)
    >>> lost = set(syn.cohort.lost_mentor())
    >>> {s for s, m in syn.previous_pairs if m in syn.departed_mentors} == lost
    True
    """
    k = _validate(n_mentors, n_mentees, seed, knobs)
    rng = np.random.default_rng(seed)
    n_departed = round(k.departure_rate * n_mentors)
    n_all = n_mentors + n_departed  # this term's mentors and those who left after last term
    places = districts(max(25, -(-(n_mentors + n_mentees) // k.people_per_district)), rng)
    subjects = tuple(dict.fromkeys([*k.need_weights, *k.teach_weights]))
    t = draw.mentors(n_all, subjects, (places.lat, places.lon, places.mentor_weight), k, rng)
    s = draw.mentees(n_mentees, subjects, (places.lat, places.lon, places.mentee_weight), k, rng)

    # Steady state: as many new mentors join as last term's mentors left.
    perm = rng.permutation(n_all)
    departed = np.zeros(n_all, dtype=np.bool_)
    departed[perm[:n_departed]] = True
    new = np.zeros(n_all, dtype=np.bool_)
    new[perm[n_departed : 2 * n_departed]] = True
    prev = draw.previous(s, t, ~new, k, rng)
    draw.keep_pairs_working(s, t, prev, k, rng)
    avoid = draw.avoided(s, t, ~departed, prev, k, rng)

    number = rng.permutation(n_all) + 1  # opaque: an id's order says nothing about who left
    t_ids = [f"m-{x:0{max(5, len(str(n_all)))}d}" for x in number.tolist()]
    s_ids = [f"s-{x:0{max(6, len(str(n_mentees)))}d}" for x in range(1, n_mentees + 1)]
    here = np.flatnonzero(~departed)
    here = here[np.argsort(number[here])]
    # Every record goes through pydantic validation (about 20 us each, a few seconds for the
    # national size): what is generated is valid by construction, not by assumption.
    cohort = Cohort(
        mentors=tuple(records.mentors(t, here, t_ids, subjects, places.names)),
        mentees=tuple(records.mentees(s, s_ids, t_ids, subjects, places.names, prev, avoid)),
    )
    return Synthetic(
        cohort=cohort,
        previous_pairs=tuple((s_ids[i], t_ids[prev[i]]) for i in np.flatnonzero(prev >= 0)),
        departed_mentors=tuple(sorted(t_ids[j] for j in np.flatnonzero(departed))),
        knobs=k,
    )


def generate_cohort(
    n_mentors: int = 1500, n_mentees: int = 6000, *, seed: int = 0, **knobs: Any
) -> Cohort:
    """Generate a synthetic cohort: ``generate(...).cohort`` (see :func:`generate`).

    Examples
    --------
    >>> c = generate_cohort(5, 20, seed=3)
    >>> len(c.mentors), len(c.mentees), c == generate(5, 20, seed=3).cohort
    (5, 20, True)
    """
    return generate(n_mentors, n_mentees, seed=seed, **knobs).cohort


# --- validation ----------------------------------------------------------------------------


def _validate(n_mentors: int, n_mentees: int, seed: int, knobs: dict[str, Any]) -> SynthKnobs:
    problems: list[InputProblem] = []
    for name, value, low in (("n_mentors", n_mentors, 1), ("n_mentees", n_mentees, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            problems.append(InputProblem("bad_size", name, f"must be an integer >= {low}"))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        problems.append(InputProblem("bad_seed", "seed", "must be an integer >= 0"))
    valid = sorted(SynthKnobs.model_fields)
    for name in sorted(set(knobs) - set(valid)):
        problems.append(
            InputProblem("unknown_knob", name, f"is not a knob; valid knobs: {', '.join(valid)}")
        )
    known = {n: v for n, v in knobs.items() if n in SynthKnobs.model_fields}
    try:
        k = SynthKnobs(**known)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            field = ".".join(str(p) for p in err["loc"]) or "knobs"
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.append(InputProblem(str(err["type"]), field, msg))
    if problems:
        raise InputError("synthetic cohort request", problems)
    return k


# The multi-term simulation builds on generate (defined above).
from matchkit._synth_terms import Simulation, TermRecord, simulate_terms  # noqa: E402
