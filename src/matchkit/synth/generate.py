"""Generate one synthetic term: a cohort and last term's pairs (vectorised, deterministic).

Examples
--------
>>> syn = generate(12, 40, seed=1)
>>> len(syn.cohort.mentors), len(syn.cohort.mentees), syn.cohort.mentees[0].id
(12, 40, 's-000001')
>>> generate(12, 40, seed=1) == syn
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import ValidationError

from matchkit.domain.model import Cohort
from matchkit.errors import InputError, InputProblem
from matchkit.synth import draw, records
from matchkit.synth.knobs import SynthKnobs
from matchkit.synth.regions import districts

__all__ = ["Synthetic", "generate", "generate_cohort"]


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

    Parameters
    ----------
    n_mentors, n_mentees, seed, **knobs
        As for :func:`generate`.

    Returns
    -------
    Cohort
        The cohort alone, without last term's pairs.

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
