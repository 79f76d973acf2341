"""The programme's rules (hard) and preferences (weights), with defaults and why.

A pair is *eligible* when every hard rule holds:

1. the two can meet in a compatible mode (online, offline, or ``both`` with either);
2. for a pair that must meet offline (either side is offline-only), the travel distance is at
   most ``max_travel_km``; a pair that can meet online is limited only by ``online_max_km``
   (no limit by default);
3. the mentor teaches at least one subject the mentee needs at proficiency
   ``>= min_proficiency``;
4. their availabilities share one contiguous window of at least the mentee's
   ``session_hours`` on some day;
5. the mentor is not on the mentee's ``avoid`` list, and the pair is not ``forbidden``.

The score of an eligible pair is a weighted sum of components, each scaled to [0, 1]
(see ``docs/explanation/domain.md``); leaving mentee ``i`` unmatched costs
``weights.match + weights.priority * priority[i]`` (plus ``weights.lost_mentor`` if their previous
mentor has left).

Rich rules (``sessions``, ``floors``, ``maxmin``, ``min_load``, ``weights.balance``,
``group_caps``, ``category_limits``) constrain whole answers, not pairs; see
``docs/explanation/rich-rules.md``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

__all__ = [
    "MAX_NEED",
    "MAX_WEIGHT",
    "MIN_NEED",
    "CategoryLimit",
    "Floor",
    "GroupCap",
    "Policy",
    "Sessions",
    "Weights",
    "bounded",
    "not_bool",
]

MAX_WEIGHT = 1e6
"""The largest weight (points) a policy may set; larger ones are rejected, naming the field.

Why every score then fits (the engine works in whole milli-points, int64, and CP-SAT's
relaxation in doubles; :mod:`matchkit.core.scaling`): a pair's components are each in
[0, 1] (subject fit, slack, continuity, commitment, alumni), except distance, at most
``max_travel_km / max_travel_km = 1`` with a limit and at most half the earth's
circumference over 10 km (2002) without one; the value of matching a mentee is
``match + 10 * priority + lost_mentor`` (priority <= 10). So an edge's profit (score plus
value of matching) is at most ``(5 + 2002 + 12) * MAX_WEIGHT = 2.02e9`` points
``= 2.02e12`` milli-points ``< 2**41``, and one balance arc at most
``49 * MAX_WEIGHT`` (capacity <= 50). Hence every edge is an exact integer in float64
(``< 2**53``) with 0.001-point resolution to spare (float64's spacing at ``2e9`` is
``2.4e-7``), and the sum of any ``2**22`` (4 million) edges fits in int64 (``< 2**63``);
beyond ``2**12`` nodes at extreme weights the engine's scale of
:mod:`matchkit.core.scaling` goes below 1 (its documented, bounded rounding), never
overflows. The defaults are 2 to 50 points: ``MAX_WEIGHT`` is 20 000 times the largest.
"""

MIN_NEED = 1e-6
MAX_NEED = 1e6
"""Bounds on a mentee's need weights (they are relative: only ratios matter). Subject fit
is ``sum(need * proficiency / 5) / sum(need)``: with needs in ``[MIN_NEED, MAX_NEED]`` both
sums are finite and normal floats for any number of subjects, so the fit is in [0, 1]
(a need of ``1e308`` made the sum infinite and every fit NaN)."""


def not_bool(value: Any) -> Any:
    """Reject ``True``/``False`` where a number is expected (``capacity=True`` is not 1)."""
    if isinstance(value, bool):
        raise ValueError(f"{str(value).lower()} is not a number")
    return value


def bounded(low: float, high: float, what: str) -> BeforeValidator:
    """A check that quotes the offending number (pydantic's own bound errors cannot: inputs
    are hidden from errors, as they may be personal): no booleans, no inf or NaN, within
    ``[low, high]``. ``Field(ge=low, le=high)`` beside it puts the bounds in the schema."""

    def check(value: Any) -> Any:
        not_bool(value)
        if isinstance(value, int | float):
            if not math.isfinite(value):
                raise ValueError(f"{value!r} is not a finite number")
            if value > high:
                raise ValueError(f"{value!r} is above the largest {what}, {high:g}")
            if value < low:
                raise ValueError(f"{value!r} is below the smallest {what}, {low:g}")
        return value

    return BeforeValidator(check)


NotBool = BeforeValidator(not_bool)
Weight = Annotated[
    float,
    bounded(0.0, MAX_WEIGHT, "weight"),
    Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False),
]
Int = Annotated[int, NotBool]
"""An integer field that refuses booleans (pydantic's lax mode takes ``True`` as 1)."""
Pair = tuple[str, str]
Scalar = str | int | float | bool
FieldName = Annotated[str, Field(min_length=1, max_length=64)]
"""A mentee field (``priority``, ``level``, ``grade``, ``district``, ``mode``) or the name of
a key of ``Mentee.attributes`` (every mentee must have it)."""
_FROZEN = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class Weights(BaseModel):
    """What a good pair is worth, in points. Every weight is in ``[0, MAX_WEIGHT]``
    (:data:`MAX_WEIGHT` = 1e6; beyond it the integer scores could not be exact).

    The defaults rank, in order: getting a student in greater need matched at all; keeping a
    pair that worked; subject fit; then commitment, slack, alumni and travel as tie-breakers.
    """

    model_config = _FROZEN

    subject_fit: Weight = 10.0
    """Share of the mentee's needs (by weight) taught at or above the threshold, times the
    mentor's proficiency / 5. The core of what a mentor is for."""
    schedule_slack: Weight = 2.0
    """Common hours beyond the session, capped at 2 h: room to move a session in exam weeks."""
    continuity: Weight = 15.0
    """Keeping last term's mentor: pairs that work should be kept. Larger than subject fit so
    a working pair is not broken for a slightly better subject match."""
    commitment: Weight = 3.0
    """Terms the mentor commits to (1 -> 0, 4 or more -> 1), times the mentee's need for
    long support (half for every mentee, the other half by how young and how high-priority
    the mentee is): long-term mentors preferred, most where a mentee needs them longest."""
    alumni: Weight = 2.0
    """A former mentee returning as mentor: the programme gives them extra points."""
    distance: Weight = 2.0
    """Subtracted per ``max_travel_km`` travelled (per 10 km when there is no limit), for
    pairs that must meet offline."""
    match: Weight = 50.0
    """What matching any mentee at all is worth: larger than any pair's score, so nobody is
    left out for the sake of a better pair elsewhere."""
    priority: Weight = 25.0
    """Added per priority level: a student in greater need wins a contested mentor unless the
    pairs differ by more than this many points per level."""
    lost_mentor: Weight = 25.0
    """Added to the value of matching a mentee whose previous mentor has left the cohort
    (one priority level by default): those who lost their mentor come first."""
    balance: Weight = 0.0
    """Subtracted for every pair of mentees sharing a mentor (a mentor with ``k`` mentees
    costs ``balance * k * (k - 1) / 2``): a convex penalty that spreads mentees across
    mentors instead of filling the best ones first. 0 (the default) turns it off."""


class Sessions(BaseModel):
    """Schedule a concrete weekly session for every match (see ``Policy.sessions``).

    Each match gets one session of the mentee's ``session_hours`` on the half-hour grid,
    inside both availabilities; a mentor's sessions never overlap, and two of a mentor's
    offline sessions are at least ``offline_buffer_minutes`` apart (travel). A mentee has
    one mentor, so a mentee is never double-booked.
    """

    model_config = _FROZEN

    offline_buffer_minutes: Annotated[Int, Field(ge=0, le=240, multiple_of=30)] = 0


class Floor(BaseModel):
    """At least ``min_rate`` of the mentees in a group are matched.

    The group is the mentees whose ``field`` equals ``value``; with ``value=None`` every value
    of the field is its own group with the same floor. Groups of different floors may overlap.

    Examples
    --------
    >>> Floor(field="priority", value=3, min_rate=0.9).min_rate
    0.9
    """

    model_config = _FROZEN

    field: FieldName
    value: Scalar | None = None
    min_rate: Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


class GroupCap(BaseModel):
    """At most ``max_per_mentor`` of one mentor's mentees share a value of ``field`` (for
    example at most 2 from the same school)."""

    model_config = _FROZEN

    field: FieldName
    max_per_mentor: Annotated[Int, Field(ge=1)]


class CategoryLimit(BaseModel):
    """Each mentor who mentors anyone has between ``at_least`` and ``at_most`` mentees whose
    ``field`` equals ``value`` (a mentor left without mentees is not held to ``at_least``)."""

    model_config = _FROZEN

    field: FieldName
    value: Scalar
    at_least: Annotated[Int, Field(ge=0)] = 0
    at_most: Annotated[Int, Field(ge=0)] | None = None

    @model_validator(mode="after")
    def _ordered(self) -> CategoryLimit:
        if self.at_most is not None and self.at_most < self.at_least:
            raise ValueError(f"at_most ({self.at_most}) is below at_least ({self.at_least})")
        return self


class Policy(BaseModel):
    """Hard rules and score weights for one matching run.

    Examples
    --------
    >>> Policy().min_proficiency, Policy().max_travel_km
    (3, 10.0)
    >>> Policy(weights={"continuity": 30}).weights.continuity
    30.0
    """

    model_config = _FROZEN

    min_proficiency: Annotated[Int, Field(ge=1, le=5)] = 3
    """A mentor teaches a subject if their proficiency is at least this (3 = "can teach the
    school curriculum", a level the programme's interviews check)."""
    max_travel_km: Annotated[float, NotBool, Field(gt=0, allow_inf_nan=False)] | None = 10.0
    """Longest trip for an offline pair; 10 km is about 40 minutes by subway in Seoul.
    ``None`` removes the limit."""
    online_max_km: Annotated[float, NotBool, Field(gt=0, allow_inf_nan=False)] | None = None
    """If set, a pair that meets online must also live at most this far apart (where both
    places are known). ``None`` (the default): online pairs may span the whole cohort, as in
    a city-wide programme. A programme run region by region (metro or national scale) sets
    it, which also keeps the number of candidate pairs in proportion to the cohort."""
    max_candidates: Annotated[Int, Field(ge=1)] | None = None
    """If set, keep only this many best-scoring eligible mentors per mentee (plus the previous
    mentor and pinned pairs): faster on very large cohorts, and optimal over the kept pairs
    only. ``None`` (the default) keeps every eligible pair, so the answer is the exact
    optimum. An unmatched mentee whose pruned mentors had room says so in its reason."""
    pinned: tuple[Pair, ...] = ()
    """(mentee id, mentor id) pairs an administrator fixed; each must be eligible."""
    forbidden: tuple[Pair, ...] = ()
    """(mentee id, mentor id) pairs that must not be formed."""
    weights: Weights = Weights()
    sessions: Sessions | None = None
    """Schedule a weekly session for every match (:class:`Sessions`); ``None`` (the default)
    only requires a common window, as rule 4 says."""
    floors: tuple[Floor, ...] = ()
    """Minimum match rates per group of mentees (:class:`Floor`)."""
    maxmin: tuple[FieldName, ...] = ()
    """Fields whose groups' lowest match rate is maximised first; the score is maximised
    second, with that lowest rate held. Empty (the default): the score alone."""
    min_load: Annotated[Int, Field(ge=0)] = 0
    """Every mentor takes at least this many mentees (capped at their capacity)."""
    group_caps: tuple[GroupCap, ...] = ()
    """Per-mentor caps on mentees sharing a field's value (:class:`GroupCap`)."""
    category_limits: tuple[CategoryLimit, ...] = ()
    """Per-mentor counts of a category (:class:`CategoryLimit`)."""
    unknown_districts: Literal["error", "warn"] = "error"
    """What to do with a person who needs a place (``offline`` or ``both`` mode, no
    ``coordinates``) whose ``district`` is not one of Seoul's 25 districts in any accepted
    spelling (:func:`matchkit.domain.geo.resolve_district`). ``"error"`` (the default):
    ``solve`` raises ``InputError`` naming the record, the field and the value (with a
    "did you mean" suggestion) before solving. ``"warn"``: the result lists a warning per
    such person and their offline pairs across district labels count as of unknown
    distance (the unmatched reason says so), never as a false distance."""

    def rich_rules(self) -> tuple[str, ...]:
        """The active rules beyond linear min-cost flow, by name. Each needs CP-SAT, except
        the balance penalty alone (without ``min_load``), which flow takes as parallel arcs
        of rising cost.

        Examples
        --------
        >>> Policy().rich_rules(), Policy(min_load=1).rich_rules()
        ((), ())
        >>> Policy(sessions={}, floors=[{"field": "level", "min_rate": 0.5}]).rich_rules()
        ('sessions', 'floors')
        """
        active = {
            "sessions": self.sessions is not None,
            "floors": bool(self.floors),
            "maxmin": bool(self.maxmin),
            "balance": self.weights.balance > 0,
            "group_caps": bool(self.group_caps),
            "category_limits": bool(self.category_limits),
        }
        return tuple(name for name, on in active.items() if on)
