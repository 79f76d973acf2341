"""hypothesis strategies that build valid ``AssignmentProblem`` instances directly.

Every draw is valid by construction (no ``assume``, no global RNG), so hypothesis can shrink a
failure to a small instance. Edges are distinct (mentee, mentor) pairs in arbitrary order,
``required <= demand`` and ``min_load <= capacity`` hold by clipping, and pinned edges are a few
drawn edge indices given either as a boolean mask or as an index array. Lower bounds never
exceed what a node's own edges could give (so the cheap degree checks rarely fire). Problems
with lower bounds or pins may well be infeasible; tests must handle that.

Named bundles:

* :func:`plain_problems` -- capacities, scores and nothing else;
* :func:`unit_problems` -- every feature the ``flow`` backend supports (lower bounds, pins,
  penalties, demand up to 2);
* :func:`weighted_problems` -- the same plus edge weights 1..3 (``cpsat`` only);
* :func:`float_problems` -- unit problems whose scores and penalties are on a 0.01 grid;
* :func:`problems_with_spare_pair` -- a problem and a (mentee, mentor) pair it does not use.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

from matchkit import AssignmentProblem

MAX_SIDE = 8
MAX_EDGES = 24
SCORE_MIN, SCORE_MAX = -20, 50
PENALTY_MAX = 30
MAX_PINS = 2

# sampled_from shrinks towards its first element, so lower bounds shrink to 0 and stay sparse.
_REQUIRED = st.sampled_from([0, 0, 1, 2])
_MIN_LOAD = st.sampled_from([0, 0, 0, 1, 2, 3])


def _ints(n: int, elements: st.SearchStrategy[int]) -> st.SearchStrategy[np.ndarray]:
    return st.lists(elements, min_size=n, max_size=n).map(lambda v: np.array(v, dtype=np.int64))


def _cents(lo: int, hi: int) -> st.SearchStrategy[float]:
    """Floats on a 0.01 grid: never so tiny that rounding to the solver's grid matters."""
    return st.integers(lo * 100, hi * 100).map(lambda v: v / 100)


@st.composite
def problem_kwargs(
    draw: st.DrawFn,
    *,
    max_mentees: int = MAX_SIDE,
    max_mentors: int = MAX_SIDE,
    max_edges: int = MAX_EDGES,
    lower_bounds: bool = False,
    pinned: bool = False,
    penalties: bool = False,
    multi_demand: bool = False,
    weights: bool = False,
    float_scores: bool = False,
    reserve_pair: bool = False,
) -> dict[str, Any]:
    """Keyword arguments of a valid ``AssignmentProblem``, as fresh numpy arrays.

    With ``reserve_pair`` there is at least one mentee and one mentor, and one (mentee, mentor)
    pair is kept out of the edges; it is returned under the key ``"spare"`` (remove it before
    building the problem).
    """
    low = 1 if reserve_pair else 0
    nm = draw(st.integers(low, max_mentees), label="n_mentees")
    nt = draw(st.integers(low, max_mentors), label="n_mentors")
    pairs = [(i, j) for i in range(nm) for j in range(nt)]
    spare = None
    if reserve_pair:
        spare = draw(st.sampled_from(pairs), label="spare")
        pairs.remove(spare)
    chosen = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)), label="pairs")
    edges = [pair for pair, keep in zip(pairs, chosen, strict=True) if keep]
    edges = draw(st.permutations(edges), label="edge order")[:max_edges]
    n = len(edges)
    mentee = np.array([i for i, _ in edges], dtype=np.int64)
    mentor = np.array([j for _, j in edges], dtype=np.int64)
    if float_scores:
        score = np.array(
            draw(st.lists(_cents(SCORE_MIN, SCORE_MAX), min_size=n, max_size=n)), dtype=np.float64
        )
    else:
        score = draw(_ints(n, st.integers(SCORE_MIN, SCORE_MAX)), label="score")
    capacity = draw(_ints(nt, st.integers(0, 3)), label="capacity")
    kw: dict[str, Any] = {
        "n_mentees": nm,
        "n_mentors": nt,
        "mentee": mentee,
        "mentor": mentor,
        "score": score,
        "capacity": capacity,
    }
    demand = draw(_ints(nm, st.integers(1, 2 if multi_demand else 1)), label="demand")
    kw["demand"] = demand
    if lower_bounds:
        # Clipped to what each node's own edges could give, so that infeasibility, when it
        # happens, comes from the interplay of rules rather than from a lone isolated node.
        degree = np.bincount(mentee, minlength=nm)
        reach = np.bincount(mentor, minlength=nt)
        required = draw(_ints(nm, _REQUIRED), label="required")
        min_load = draw(_ints(nt, _MIN_LOAD), label="min_load")
        kw["required"] = np.minimum(required, np.minimum(demand, degree))
        kw["min_load"] = np.minimum(min_load, np.minimum(capacity, reach))
    if penalties:
        if float_scores:
            pen = draw(st.lists(_cents(0, PENALTY_MAX), min_size=nm, max_size=nm))
            kw["unmatched_penalty"] = np.array(pen, dtype=np.float64)
        else:
            kw["unmatched_penalty"] = draw(_ints(nm, st.integers(0, PENALTY_MAX)), label="penalty")
    if pinned and n:
        pins = sorted(draw(st.sets(st.integers(0, n - 1), max_size=min(MAX_PINS, n)), label="pins"))
        if draw(st.booleans(), label="pins as mask"):
            mask = np.zeros(n, dtype=np.bool_)
            mask[pins] = True
            kw["pinned"] = mask
        else:
            kw["pinned"] = np.array(pins, dtype=np.int64)
    if weights:
        kw["weight"] = draw(_ints(n, st.integers(1, 3)), label="weight")
    if reserve_pair:
        kw["spare"] = spare
    return kw


def problems(**flags: Any) -> st.SearchStrategy[AssignmentProblem]:
    """Valid problems; ``flags`` are those of :func:`problem_kwargs` (not ``reserve_pair``)."""
    return problem_kwargs(**flags).map(lambda kw: AssignmentProblem(**kw))


def plain_problems() -> st.SearchStrategy[AssignmentProblem]:
    """Scores and capacities only: always feasible (choosing nothing is allowed)."""
    return problems()


def unit_problems(**flags: Any) -> st.SearchStrategy[AssignmentProblem]:
    """Every feature both backends support: lower bounds, pins, penalties, demand up to 2."""
    base = {"lower_bounds": True, "pinned": True, "penalties": True, "multi_demand": True}
    return problems(**{**base, **flags})


def weighted_problems(**flags: Any) -> st.SearchStrategy[AssignmentProblem]:
    """Every feature, edge weights 1..3 included: only ``cpsat`` accepts these."""
    return unit_problems(weights=True, **flags)


def float_problems(**flags: Any) -> st.SearchStrategy[AssignmentProblem]:
    """Unit problems whose scores and penalties are floats on a 0.01 grid."""
    return unit_problems(float_scores=True, **flags)


@st.composite
def problems_with_spare_pair(
    draw: st.DrawFn, **flags: Any
) -> tuple[AssignmentProblem, tuple[int, int]]:
    """A problem and a (mentee, mentor) pair that is not one of its edges."""
    kw = draw(problem_kwargs(reserve_pair=True, **flags))
    spare = kw.pop("spare")
    return AssignmentProblem(**kw), spare


def problem_arrays(problem: AssignmentProblem) -> dict[str, Any]:
    """The keyword arguments that rebuild ``problem``, as writable copies of its arrays."""
    return {
        "n_mentees": problem.n_mentees,
        "n_mentors": problem.n_mentors,
        "mentee": np.array(problem.mentee),
        "mentor": np.array(problem.mentor),
        "score": np.array(problem.score),
        "capacity": np.array(problem.capacity),
        "min_load": np.array(problem.min_load),
        "demand": np.array(problem.demand),
        "required": np.array(problem.required),
        "unmatched_penalty": np.array(problem.unmatched_penalty),
        "pinned": np.array(problem.pinned),
        "weight": np.array(problem.weight),
    }


def rebuild(problem: AssignmentProblem, **changes: Any) -> AssignmentProblem:
    """A new problem equal to ``problem`` except for ``changes``."""
    return AssignmentProblem(**{**problem_arrays(problem), **changes})
