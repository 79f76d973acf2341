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

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["CategoryLimit", "Floor", "GroupCap", "Policy", "Sessions", "Weights"]

Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Pair = tuple[str, str]
Scalar = str | int | float | bool
FieldName = Annotated[str, Field(min_length=1, max_length=64)]
"""A mentee field (``priority``, ``level``, ``grade``, ``district``, ``mode``) or the name of
a key of ``Mentee.attributes`` (every mentee must have it)."""
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Weights(BaseModel):
    """What a good pair is worth, in points. Every weight is ``>= 0``.

    The defaults rank, in order: getting a student in greater need matched at all; keeping a
    pair that worked; subject fit; then commitment, slack, alumni and travel as tie-breakers.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

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

    offline_buffer_minutes: Annotated[int, Field(ge=0, le=240, multiple_of=30)] = 0


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
    max_per_mentor: Annotated[int, Field(ge=1)]


class CategoryLimit(BaseModel):
    """Each mentor who mentors anyone has between ``at_least`` and ``at_most`` mentees whose
    ``field`` equals ``value`` (a mentor left without mentees is not held to ``at_least``)."""

    model_config = _FROZEN

    field: FieldName
    value: Scalar
    at_least: Annotated[int, Field(ge=0)] = 0
    at_most: Annotated[int, Field(ge=0)] | None = None

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

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_proficiency: Annotated[int, Field(ge=1, le=5)] = 3
    """A mentor teaches a subject if their proficiency is at least this (3 = "can teach the
    school curriculum", a level the programme's interviews check)."""
    max_travel_km: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = 10.0
    """Longest trip for an offline pair; 10 km is about 40 minutes by subway in Seoul.
    ``None`` removes the limit."""
    online_max_km: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    """If set, a pair that meets online must also live at most this far apart (where both
    places are known). ``None`` (the default): online pairs may span the whole cohort, as in
    a city-wide programme. A programme run region by region (metro or national scale) sets
    it, which also keeps the number of candidate pairs in proportion to the cohort."""
    max_candidates: Annotated[int, Field(ge=1)] | None = None
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
    min_load: Annotated[int, Field(ge=0)] = 0
    """Every mentor takes at least this many mentees (capped at their capacity)."""
    group_caps: tuple[GroupCap, ...] = ()
    """Per-mentor caps on mentees sharing a field's value (:class:`GroupCap`)."""
    category_limits: tuple[CategoryLimit, ...] = ()
    """Per-mentor counts of a category (:class:`CategoryLimit`)."""

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
