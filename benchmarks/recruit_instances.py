"""The recruitment benchmark's instances, as arrays, and the exact value of a hire set.

An instance (:class:`Recruit`) is the selection problem as plain numpy arrays: every edge
(``mentee``, ``mentor``, integer ``score``), the mentors' capacities, the mentees' ``required``
and ``penalty`` (their unmatched penalty), which mentors are candidates (``optional``), each
candidate's review points (``review``, what the office ranks by) and each mentee's priority
(the cohort's, or none). Two kinds:

* ``cohort``: a synthetic cohort (:func:`matchkit.synth.generate_cohort`) compiled under the
  default policy, exactly as ``solve(cohort)`` hands it to its solver; the first ``stay``
  mentors stay, the rest are candidates; scores in milli-points. Cached as ``.npz``.
* ``dense``: every candidate can serve every mentee (``n_candidates x n_mentees`` edges),
  unlimited capacity, every mentee required; scores ``-round(1000 * distance)`` between
  uniform points of the unit square (the p-median problem), or (``dense-random``) integers
  uniform in ``0..1000``.

Review points (seeded by the instance seed): review ~ N(70, 12) clipped to 0..100, +5 for a
former mentee (15% of candidates), +2 per committed term beyond the first (1 to 4 terms).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Recruit", "build_cohort", "build_dense", "evaluate", "load_cohort"]

I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Recruit:
    """A selection instance as arrays (see the module docstring)."""

    n_mentees: int
    n_mentors: int
    mentee: I64
    mentor: I64
    score: I64
    capacity: I64
    required: I64
    penalty: I64
    optional: Bool
    review: I64
    priority: I64 | None

    @property
    def n_edges(self) -> int:
        return int(self.mentee.size)

    def problem(self, keep: Bool | None = None) -> Any:
        """The :class:`matchkit.AssignmentProblem`, on the edges ``keep`` (default: all)."""
        from matchkit import AssignmentProblem

        k = slice(None) if keep is None else keep
        return AssignmentProblem(
            self.n_mentees,
            self.n_mentors,
            self.mentee[k],
            self.mentor[k],
            self.score[k],
            self.capacity,
            required=self.required,
            unmatched_penalty=self.penalty,
        )


def _review(n: int, optional: Bool, seed: int) -> I64:
    """Review points plus extra points for each candidate (0 elsewhere): review ~ N(70, 12)
    clipped to 0..100, +5 for a former mentee (15%), +2 per committed term beyond the first
    (1 to 4 terms)."""
    rng = np.random.default_rng([seed, 19])
    review = np.clip(np.rint(rng.normal(70, 12, n)), 0, 100)
    extra = 5 * (rng.random(n) < 0.15) + 2 * (rng.integers(1, 5, n) - 1)
    return np.where(optional, review + extra, 0).astype(np.int64)


def build_cohort(
    mentors: int, mentees: int, stay: int, seed: int, cache: Path, source: str = "generate"
) -> Path:
    """The cohort instance's ``.npz`` in ``cache`` (generated and compiled if missing).

    ``source="programme"``: the ``stay`` mentors and the mentees from the cohort generator,
    ``mentors - stay`` applicants from the applicant generator, their review points the
    applicants' own plus ``HiringRules()``'s extra points (as ``recruit`` compiles them)."""
    tag = "" if source == "generate" else f"-{source}"
    path = cache / f"recruit-cohort{tag}-{mentors}x{mentees}-stay{stay}-s{seed}.npz"
    if path.exists():
        return path
    from matchkit import Cohort, HiringRules, Policy
    from matchkit.compiler.prepare import prepare
    from matchkit.compiler.problem import compile_problem
    from matchkit.synth import generate_applicants, generate_cohort

    review = None
    if source == "programme":
        base = generate_cohort(stay, mentees, seed=seed)
        apps = generate_applicants(mentors - stay, seed=seed, cohort=base)
        cohort = Cohort(
            mentors=(*base.mentors, *(a.as_mentor() for a in apps)), mentees=base.mentees
        )
        points = HiringRules(hire=0)
        review = np.concatenate(
            [
                np.zeros(stay),
                [points.points(a.review, a.alumni, a.terms_committed) for a in apps],
            ]
        )
    else:
        cohort = generate_cohort(mentors, mentees, seed=seed)
    rules, pinned = prepare(cohort, Policy())
    p = compile_problem(rules, pinned).problem
    optional = np.arange(p.n_mentors) >= stay
    reviews = _review(p.n_mentors, optional, seed) if review is None else np.rint(review)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(
        tmp,
        shape=np.array([p.n_mentees, p.n_mentors]),
        mentee=p.mentee.astype(np.int64),
        mentor=p.mentor.astype(np.int64),
        score=np.asarray(p.score, dtype=np.int64),
        capacity=p.capacity,
        required=p.required,
        penalty=np.asarray(p.unmatched_penalty, dtype=np.int64),
        optional=optional,
        review=reviews.astype(np.int64),
        priority=rules.a.s_priority,  # mentees in compile order, as the problem's rows
    )
    tmp.replace(path)
    return path


def load_cohort(path: Path) -> Recruit:
    d = np.load(path)
    nm, nt = (int(x) for x in d["shape"])
    return Recruit(
        nm,
        nt,
        mentee=d["mentee"],
        mentor=d["mentor"],
        score=d["score"],
        capacity=d["capacity"],
        required=d["required"],
        penalty=d["penalty"],
        optional=d["optional"],
        review=d["review"],
        priority=d["priority"],
    )


def build_dense(n_candidates: int, n_mentees: int, seed: int, kind: str) -> Recruit:
    """Every pair an edge, unlimited capacity, every mentee required (module docstring)."""
    rng = np.random.default_rng(seed)
    mentee = np.repeat(np.arange(n_mentees, dtype=np.int64), n_candidates)
    mentor = np.tile(np.arange(n_candidates, dtype=np.int64), n_mentees)
    if kind == "distance":
        where_c, where_m = rng.random((n_candidates, 2)), rng.random((n_mentees, 2))
        d = np.hypot(*(where_m[:, None, :] - where_c[None, :, :]).transpose(2, 0, 1))
        score = -np.rint(1000 * d).astype(np.int64).ravel()
    else:
        score = rng.integers(0, 1001, n_mentees * n_candidates, dtype=np.int64)
    optional = np.ones(n_candidates, dtype=np.bool_)
    return Recruit(
        n_mentees,
        n_candidates,
        mentee,
        mentor,
        score,
        capacity=np.full(n_candidates, n_mentees, dtype=np.int64),
        required=np.ones(n_mentees, dtype=np.int64),
        penalty=np.zeros(n_mentees, dtype=np.int64),
        optional=optional,
        review=_review(n_candidates, optional, seed),
        priority=None,
    )


# --- measuring a hire set ------------------------------------------------------------------
def evaluate(inst: Recruit, hired: Bool, bonus: npt.NDArray[np.float64]) -> dict[str, Any]:
    """The exact value of a hire set: ``solve_assignment`` on the open mentors' edges (the
    same optimum as capacity 0 for the others), bonuses added; matched and top priority."""
    from matchkit import solve_assignment

    open_ = hired | ~inst.optional
    a = solve_assignment(inst.problem(open_[inst.mentor]), seed=0)
    if not a.status.has_solution:
        return {"value": None, "matched": None, "top_matched": None}
    served = np.zeros(inst.n_mentees, dtype=np.bool_)
    served[a.problem.mentee[a.selected]] = True
    return {
        "value": float(a.objective) + float(bonus[hired].sum()),
        "matched": int(served.sum()),
        "top_matched": None if inst.priority is None else _top(inst, served),
    }


def _top(inst: Recruit, served: Bool) -> int:
    assert inst.priority is not None
    return int(served[inst.priority == inst.priority.max()].sum())
