"""Benchmark instances: generation and the on-disk ``.npy`` cache.

Random sparse instances: every mentee gets ``k`` distinct candidate mentors drawn uniformly
(a vectorised Floyd sampler, so no dense ``n_mentees x n_mentors`` matrix is ever built),
integer scores in ``0..1000``, float scores in ``[0, 1000)`` on the same edges, and mentor
capacities uniform in ``1..5``. Edges are grouped by mentee; the mentors of a mentee are in
sampling order, not sorted. Everything comes from ``np.random.default_rng(seed)``, so an
instance is a pure function of its size and seed.

Cohort instances: the problem ``solve(cohort, policy)`` hands its solver, for a synthetic
cohort (:func:`matchkit.synth.generate_cohort`, this seed) compiled under the size's policy.
Each edge's integer score is stored with its mentee's unmatched penalty added (``score +
penalty``): the same optimisation problem for every solver (the objective differs from
``solve``'s by the constant sum of penalties), as arrays a peer can take as they are.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "QUICK_SIZES",
    "SCORE_KINDS",
    "SIZES",
    "Instance",
    "Size",
    "distinct_candidates",
    "ensure_cached",
    "generate",
    "instance_edges",
    "load",
]

MAX_INT_SCORE = 1000
MAX_CAPACITY = 5


@dataclass(frozen=True, slots=True)
class Size:
    """One benchmark size: ``k`` distinct candidate mentors for each of ``n_mentees``."""

    name: str
    n_mentees: int
    n_mentors: int
    k: int
    policy: tuple[tuple[str, Any], ...] | None = None
    """A synthetic cohort compiled under these Policy fields (then ``k`` is 0), else None."""
    approx_edges: int = 0
    """A cohort's edges, roughly (the cached instance has the count)."""

    @property
    def n_edges(self) -> int:
        return self.approx_edges if self.policy is not None else self.n_mentees * self.k


SIZES: dict[str, Size] = {
    s.name: s
    for s in (
        Size("small", 6_000, 1_500, 100),
        Size("medium", 60_000, 15_000, 50),
        Size("large", 200_000, 50_000, 50),
        Size("Seoul cohort", 6_000, 1_500, 0, (), 1_340_000),
        Size("metro cohort", 60_000, 15_000, 0, (("online_max_km", 10.0),), 8_700_000),
        Size("national cohort", 250_000, 60_000, 0, (("online_max_km", 10.0),), 32_500_000),
    )
}
"""The random sizes, then the synthetic cohorts of the domain benchmark (Seoul with the
default policy, metro and national with online pairs limited to 10 km)."""
QUICK_SIZES: dict[str, Size] = {
    s.name: s for s in (Size("tiny", 600, 150, 20), Size("tiny cohort", 150, 40, 0, (), 2_000))
}
SCORE_KINDS = ("int", "float")


@dataclass(frozen=True, slots=True)
class Instance:
    """One instance with one kind of scores: mentee/mentor int32, capacity int64."""

    size: Size
    mentee: npt.NDArray[np.int32]
    mentor: npt.NDArray[np.int32]
    capacity: npt.NDArray[np.int64]
    score: npt.NDArray[np.int64] | npt.NDArray[np.float64]


def distinct_candidates(
    rng: np.random.Generator, n_rows: int, n: int, k: int
) -> npt.NDArray[np.int32]:
    """``k`` distinct values of ``range(n)`` per row, each row a uniform ``k``-subset.

    Floyd's algorithm run on all rows at once: step ``j`` (from ``n - k`` to ``n - 1``) draws
    ``t`` uniform in ``[0, j]`` and takes ``j`` instead when ``t`` is already in the row. It
    costs ``O(n_rows * k**2)`` comparisons and ``O(n_rows * k)`` memory, independent of ``n``.
    """
    if not 0 <= k <= n:
        raise ValueError(f"cannot draw {k} distinct values from {n}")
    out = np.empty((n_rows, k), dtype=np.int32)
    for step, j in enumerate(range(n - k, n)):
        t = rng.integers(0, j + 1, size=n_rows, dtype=np.int32)
        taken = (out[:, :step] == t[:, None]).any(axis=1)
        out[:, step] = np.where(taken, np.int32(j), t)
    return out


def _cohort(size: Size, seed: int) -> dict[str, npt.NDArray[np.generic]]:
    """The compiled problem of the synthetic cohort of ``size`` (integer scores only)."""
    from matchkit import Feature, Policy
    from matchkit.compiler.prepare import prepare
    from matchkit.compiler.problem import compile_problem
    from matchkit.synth import generate_cohort

    cohort = generate_cohort(n_mentors=size.n_mentors, n_mentees=size.n_mentees, seed=seed)
    rules, pinned = prepare(cohort, Policy(**dict(size.policy or ())))
    p = compile_problem(rules, pinned).problem
    if p.features - {Feature.PENALTY}:  # the arrays below could not state it
        raise ValueError(f"{size.name}: the compiled problem uses {sorted(p.features)}")
    return {
        "mentee": p.mentee.astype(np.int32),
        "mentor": p.mentor.astype(np.int32),
        "capacity": p.capacity.astype(np.int64),
        "score_int": p.score + p.unmatched_penalty[p.mentee],
    }


def generate(size: Size, seed: int) -> dict[str, npt.NDArray[np.generic]]:
    """The arrays of the instance of ``size`` for ``seed`` (deterministic), both score kinds
    (integer only for a cohort)."""
    if size.policy is not None:
        return _cohort(size, seed)
    rng = np.random.default_rng(seed)
    mentors = distinct_candidates(rng, size.n_mentees, size.n_mentors, size.k)
    mentee = np.repeat(np.arange(size.n_mentees, dtype=np.int32), size.k)
    n_edges = mentee.shape[0]
    return {
        "mentee": mentee,
        "mentor": mentors.reshape(-1),
        "capacity": rng.integers(1, MAX_CAPACITY + 1, size=size.n_mentors, dtype=np.int64),
        "score_int": rng.integers(0, MAX_INT_SCORE + 1, size=n_edges, dtype=np.int64),
        "score_float": rng.uniform(0.0, float(MAX_INT_SCORE), size=n_edges),
    }


def cache_path(cache_dir: Path, size: Size, seed: int) -> Path:
    """Where the instance of ``size`` and ``seed`` is cached."""
    tag = f"{size.name}-{size.n_mentees}x{size.n_mentors}-k{size.k}-seed{seed}"
    if size.policy is not None:
        rules = "-".join(f"{k}={v}" for k, v in size.policy) or "default"
        tag = f"{size.name}-{size.n_mentees}x{size.n_mentors}-{rules}-seed{seed}"
    tag = tag.replace(" ", "_")
    return cache_dir / tag


def ensure_cached(cache_dir: Path, size: Size, seed: int) -> Path:
    """Generate and save the instance unless it is cached already; return its directory."""
    path = cache_path(cache_dir, size, seed)
    if (path / "meta.json").exists():
        return path
    arrays = generate(size, seed)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, array in arrays.items():
        np.save(tmp / f"{name}.npy", array)
    meta = {"size": asdict(size), "seed": seed, "n_edges": int(arrays["mentee"].shape[0])}
    (tmp / "meta.json").write_text(json.dumps(meta))
    shutil.rmtree(path, ignore_errors=True)
    tmp.rename(path)
    return path


def _size(meta: dict[str, Any]) -> Size:
    fields = dict(meta["size"])
    if fields.get("policy") is not None:
        fields["policy"] = tuple(tuple(pair) for pair in fields["policy"])
    return Size(**fields)


def instance_edges(path: Path) -> int:
    """The number of edges of the cached instance at ``path``."""
    meta = json.loads((path / "meta.json").read_text())
    return int(meta["n_edges"]) if "n_edges" in meta else _size(meta).n_edges


def load(path: Path, scores: str) -> Instance:
    """Load a cached instance with ``scores`` (``"int"`` or ``"float"``) fully into memory.

    Only the arrays one solve needs are read, and without memory mapping, so they are all
    resident before any measurement starts.
    """
    if scores not in SCORE_KINDS:
        raise ValueError(f"unknown score kind {scores!r}; expected one of {SCORE_KINDS}")
    meta = json.loads((path / "meta.json").read_text())
    return Instance(
        size=_size(meta),
        mentee=np.load(path / "mentee.npy"),
        mentor=np.load(path / "mentor.npy"),
        capacity=np.load(path / "capacity.npy"),
        score=np.load(path / f"score_{scores}.npy"),
    )
