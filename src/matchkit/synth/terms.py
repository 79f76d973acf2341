"""A synthetic programme over several terms: departures, arrivals and re-matching.

Re-exported by :mod:`matchkit.synth` (``simulate_terms``, ``Simulation``, ``TermRecord``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from matchkit.domain.model import Cohort, Mentee, Mentor
from matchkit.domain.policy import Policy
from matchkit.domain.result import MatchResult
from matchkit.domain.transition import BreakReason
from matchkit.synth.generate import generate
from matchkit.workflows.rematch import rematch

__all__ = ["Simulation", "TermRecord", "simulate_terms"]

KEEP_MODES = ("prefer", "require", "none")
_FROZEN = ConfigDict(frozen=True, extra="forbid")


class TermRecord(BaseModel):
    """One term of a simulation: who came and went, and what continuity was kept."""

    model_config = _FROZEN

    term: int
    mentors: int
    mentees: int
    mentors_left: int
    """Last term's mentors gone before this term (0 in the first term)."""
    mentors_joined: int
    mentees_left: int
    mentees_joined: int
    continuing_pairs: int
    """Last term's pairs whose mentor and mentee are both still here."""
    kept: int
    """Of those, pairs matched again."""
    kept_rate: float
    """``kept / continuing_pairs`` (1.0 when there are none)."""
    changed: int
    """Continuing pairs that still fit but were broken by choice (0 under ``require``)."""
    lost_mentor: int
    """Mentees whose previous mentor left."""
    lost_mentor_matched: float
    """Share of those matched this term."""
    match_rate: float
    top_priority_match_rate: float
    """Match rate of the highest priority level present."""
    objective: float
    status: str


class Simulation(BaseModel):
    """The terms of one simulated programme under one continuity mode."""

    model_config = _FROZEN

    keep: str
    seed: int
    terms: tuple[TermRecord, ...]

    def rows(self) -> list[dict[str, Any]]:
        """One dict per term (``keep`` included): ready for ``pandas.DataFrame``."""
        return [{"keep": self.keep, **t.model_dump()} for t in self.terms]


def _renamed_mentors(mentors: Sequence[Mentor], prefix: str) -> list[Mentor]:
    return [m.model_copy(update={"id": f"{prefix}{k:05d}"}) for k, m in enumerate(mentors)]


def _renamed_mentees(mentees: Sequence[Mentee], prefix: str) -> list[Mentee]:
    return [
        s.model_copy(
            update={"id": f"{prefix}{k:06d}", "previous_mentor": None, "avoid": frozenset()}
        )
        for k, s in enumerate(mentees)
    ]


def _record(term: int, cohort: Cohort, result: MatchResult, moves: tuple[int, ...]) -> TermRecord:
    t = result.transition
    assert t is not None
    lost = [b.mentee_id for b in t.broken if b.reason is BreakReason.MENTOR_LEFT]
    matched = {m.mentee_id for m in result.matches}
    top = max((s.priority for s in cohort.mentees), default=0)
    tops = [s.id for s in cohort.mentees if s.priority == top]
    return TermRecord(
        term=term,
        mentors=len(cohort.mentors),
        mentees=len(cohort.mentees),
        mentors_left=moves[0],
        mentors_joined=moves[1],
        mentees_left=moves[2],
        mentees_joined=moves[3],
        continuing_pairs=t.continuing,
        kept=len(t.kept),
        kept_rate=t.kept_rate,
        changed=t.changes,
        lost_mentor=len(lost),
        lost_mentor_matched=sum(s in matched for s in lost) / len(lost) if lost else 1.0,
        match_rate=len(matched) / max(1, len(cohort.mentees)),
        top_priority_match_rate=sum(s in matched for s in tops) / max(1, len(tops)),
        objective=result.objective,
        status=result.status.value,
    )


def simulate_terms(
    n_terms: int = 3,
    *,
    n_mentors: int = 1500,
    n_mentees: int = 6000,
    keep: str = "prefer",
    policy: Policy | None = None,
    mentee_leave_rate: float = 0.25,
    seed: int = 0,
    **knobs: Any,
) -> Simulation:
    """Simulate ``n_terms`` terms of a programme and re-match each one.

    Term 1 is :func:`matchkit.synth.generate`'s cohort with its history. Between terms:

    * **mentors leave** at ``departure_rate`` (the knob, 28% a term by default), those who
      have served the terms they committed to first, then at random; as many new mentors
      join (drawn by :func:`generate` with a per-term seed), so the programme stays the same
      size, as a steady state of 850 hires a year would;
    * **mentees leave** at ``mentee_leave_rate`` (25% a term by default: an assumption,
      about two school years of mentoring) and as many new ones, without history, arrive;
      of those who stay, ``schedule_change_rate`` (the knob, 15%) get a new week (a new
      timetable), so some working pairs no longer share a window;
    * last term's answer becomes this term's history, and the term is re-matched with
      :func:`matchkit.rematch` under ``keep``: ``"prefer"``, ``"require"``, or ``"none"``
      (no continuity at all: the ``continuity`` weight set to 0).

    Deterministic: the same arguments give the same simulation.

    Parameters
    ----------
    n_terms : int
        How many terms, the first included.
    n_mentors, n_mentees : int
        The programme's size, kept from term to term.
    keep : {"prefer", "require", "none"}
        How each term after the first is re-matched (see above).
    policy : Policy, optional
        The policy of every term; ``Policy()`` by default.
    mentee_leave_rate : float
        The share of mentees who leave between two terms, in ``[0, 1)``.
    seed : int
        Seed of the first term's cohort and of every draw after it.
    **knobs
        Any field of :class:`SynthKnobs`, as for :func:`generate`.

    Returns
    -------
    Simulation
        One :class:`TermRecord` per term: continuity kept, pairs broken by choice, match
        rates and the lost-mentor figures.

    Raises
    ------
    ValueError
        An unknown ``keep``, or ``mentee_leave_rate`` outside ``[0, 1)``.

    Examples
    --------
    >>> sim = simulate_terms(2, n_mentors=20, n_mentees=80, keep="require", seed=1)
    >>> [t.term for t in sim.terms], [t.changed for t in sim.terms]  # require: none by choice
    ([1, 2], [0, 0])
    """
    if isinstance(n_terms, bool) or not isinstance(n_terms, int) or n_terms < 1:
        raise ValueError(f"n_terms must be a positive integer, got {n_terms!r}")
    if keep not in KEEP_MODES:
        raise ValueError(f"keep must be one of {KEEP_MODES}, got {keep!r}")
    if not 0 <= mentee_leave_rate < 1:
        raise ValueError(f"mentee_leave_rate must be in [0, 1), got {mentee_leave_rate!r}")
    policy = Policy() if policy is None else policy
    if keep == "none":
        policy = policy.model_copy(
            update={"weights": policy.weights.model_copy(update={"continuity": 0.0})}
        )
    mode = "prefer" if keep == "none" else keep
    syn = generate(n_mentors, n_mentees, seed=seed, **knobs)
    rng = np.random.default_rng([seed, 1])
    cohort, prev = syn.cohort, dict(syn.previous_pairs)
    served = {m.id: 1 for m in cohort.mentors}
    moves = (len(syn.departed_mentors), len(syn.departed_mentors), 0, 0)
    records = []
    for term in range(1, n_terms + 1):
        if term > 1:
            k = syn.knobs
            rates = (k.departure_rate, mentee_leave_rate, k.schedule_change_rate)
            cohort, moves = _next_term(cohort, served, rates, (seed, term, knobs), rng)
        result = rematch(prev, cohort, policy, keep=mode, seed=seed)
        records.append(_record(term, cohort, result, moves))
        prev = {m.mentee_id: m.mentor_id for m in result.matches}
        for m in cohort.mentors:
            served[m.id] = served.get(m.id, 0) + 1
    return Simulation(keep=keep, seed=seed, terms=tuple(records))


def _next_term(
    cohort: Cohort,
    served: dict[str, int],
    rates: tuple[float, float, float],
    draw: tuple[int, int, dict[str, Any]],
    rng: np.random.Generator,
) -> tuple[Cohort, tuple[int, int, int, int]]:
    seed, term, knobs = draw
    departure_rate, mentee_leave_rate, rate_moved = rates
    mentors, mentees = cohort.mentors, cohort.mentees
    done = np.array([served[m.id] >= m.terms_committed for m in mentors])
    order = np.lexsort((rng.random(len(mentors)), ~done))  # past their commitment first
    n_out_t = round(departure_rate * len(mentors))
    gone_t = {mentors[k].id for k in order[:n_out_t].tolist()}
    n_out_s = round(mentee_leave_rate * len(mentees))
    perm = rng.permutation(len(mentees)).tolist()
    gone_s = {mentees[k].id for k in perm[:n_out_s]}
    n_moved = round(rate_moved * (len(mentees) - n_out_s))
    moved = {mentees[k].id for k in perm[n_out_s : n_out_s + n_moved]}
    size = (max(n_out_t, 1), max(n_out_s + n_moved, 1))
    fresh = generate(*size, seed=seed * 1000 + term, **knobs).cohort
    new_t = _renamed_mentors(fresh.mentors[:n_out_t], f"m-t{term}-")
    new_s = _renamed_mentees(fresh.mentees[:n_out_s], f"s-t{term}-")
    weeks = iter(s.availability for s in fresh.mentees[n_out_s:])
    # A new Cohort, not model_copy: the copy would carry the old one's cached arrays.
    cohort = Cohort(
        mentors=mentors,
        mentees=tuple(
            s.model_copy(update={"availability": next(weeks)}) if s.id in moved else s
            for s in mentees
        ),
    )
    changed = cohort.changed(
        removed_mentors=gone_t, removed_mentees=gone_s, added_mentors=new_t, added_mentees=new_s
    )
    return changed, (n_out_t, len(new_t), n_out_s, len(new_s))
