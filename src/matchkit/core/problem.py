"""`AssignmentProblem`: the array-level problem every backend solves.

The problem, in words: choose a set of candidate edges (mentee, mentor) that

* maximises ``sum(score[e] for chosen e) - sum(unmatched_penalty[i] * (demand[i] - chosen_i))``;
* gives every mentee ``i`` between ``required[i]`` and ``demand[i]`` chosen edges;
* loads every mentor ``j`` with between ``min_load[j]`` and ``capacity[j]`` units, an edge
  counting ``weight[e]`` units;
* chooses every ``pinned`` edge.

Arrays are validated once, on construction, and every problem found is reported together.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from matchkit.errors import InputError, InputProblem

__all__ = ["AssignmentProblem", "Feature"]

_MAX_LISTED = 20
IntArray = npt.NDArray[np.integer[Any]]
BoolArray = npt.NDArray[np.bool_]
NumArray = npt.NDArray[np.int64] | npt.NDArray[np.float64]


class Feature(enum.StrEnum):
    """Problem features a backend may or may not represent exactly."""

    MIN_LOAD = "min_load"
    """Some mentor has a ``min_load`` above 0."""
    REQUIRED = "required"
    """Some mentee has a ``required`` above 0."""
    PINNED = "pinned"
    """Some edge is pinned."""
    PENALTY = "unmatched_penalty"
    """Some mentee has an ``unmatched_penalty`` above 0."""
    MULTI_DEMAND = "demand>1"
    """Some mentee may get more than one mentor (``demand`` above 1)."""
    WEIGHT = "non-unit weight"
    """Some edge uses other than one unit of its mentor's capacity (``weight`` not 1)."""


def _indices(mask: BoolArray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.flatnonzero(mask)[:_MAX_LISTED])


def _shown(values: npt.NDArray[Any]) -> str:
    shown = ", ".join(str(v) for v in values[:_MAX_LISTED].tolist())
    more = f", … ({values.size} in all)" if values.size > _MAX_LISTED else ""
    return f"[{shown}{more}]"


def _readonly(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """A read-only view: never flips the flag on the caller's own array."""
    v = a.view()
    v.flags.writeable = False
    return v


class _Checker:
    """Collects every problem in the input before anything is raised."""

    def __init__(self) -> None:
        self.problems: list[InputProblem] = []

    def add(self, code: str, field: str, message: str, indices: tuple[int, ...] = ()) -> None:
        self.problems.append(InputProblem(code, field, message, indices))

    def where(self, code: str, field: str, bad: BoolArray, what: str, values: Any) -> bool:
        """Record a problem at the positions where ``bad`` holds; True if there were any."""
        if not bad.any():
            return False
        pos = np.flatnonzero(bad)
        shown_values = np.asarray(values)[pos] if np.ndim(values) else np.full(pos.size, values)
        self.add(
            code,
            field,
            f"{what} at {pos.size} position{'' if pos.size == 1 else 's'} "
            f"{_shown(pos)} (values {_shown(shown_values)})",
            _indices(bad),
        )
        return True

    def array(
        self,
        field: str,
        value: Any,
        size: int,
        *,
        kind: str,
        default: Any = None,
    ) -> npt.NDArray[Any] | None:
        """Convert ``value`` to a 1-D array of ``size`` (scalars broadcast without copying).

        ``kind`` is ``"int"``, ``"num"`` (int64 or float64) or ``"bool"``.
        """
        if value is None:
            value = default
        try:
            arr = np.asarray(value)
        except (TypeError, ValueError) as exc:
            self.add("not_an_array", field, f"cannot be read as an array ({exc})")
            return None
        if arr.dtype == object or arr.dtype.kind not in "biuf":
            self.add("bad_dtype", field, f"must be numeric, got dtype {arr.dtype}")
            return None
        if arr.ndim == 0:
            arr = np.broadcast_to(arr, (size,))
        elif arr.ndim != 1 or arr.shape[0] != size:
            self.add("bad_shape", field, f"must be a scalar or have length {size}, got {arr.shape}")
            return None
        if kind == "bool":
            if arr.dtype != np.bool_:
                self.add("bad_dtype", field, f"must be a boolean mask, got dtype {arr.dtype}")
                return None
            return _readonly(arr)
        if arr.dtype.kind == "b":
            arr = arr.astype(np.int64)
        if arr.dtype.kind == "f":
            finite = np.isfinite(arr)
            if self.where("not_finite", field, ~finite, "NaN or infinite", arr):
                return None
            if kind == "int":
                if self.where(
                    "not_integer", field, arr != np.round(arr), "not a whole number", arr
                ):
                    return None
                arr = arr.astype(np.int64)
            else:
                arr = arr.astype(np.float64, copy=False)
        elif arr.dtype.kind == "u" and arr.dtype.itemsize >= 8:
            if self.where(
                "too_large", field, arr > np.iinfo(np.int64).max, "too large for int64", arr
            ):
                return None
            arr = arr.astype(np.int64)
        elif kind != "int" or arr.dtype != np.int32:
            arr = arr.astype(np.int64, copy=False)
        return _readonly(arr)


class AssignmentProblem:
    """An assignment problem over candidate edges, held as numpy arrays.

    Parameters
    ----------
    n_mentees, n_mentors : int
        How many mentees and mentors there are; they are numbered from 0.
    mentee, mentor : array_like of int, shape (n_edges,)
        The candidate edges: edge ``e`` pairs ``mentee[e]`` with ``mentor[e]``. A pair may
        appear at most once.
    score : array_like of float or int, shape (n_edges,)
        How good each pair is (higher is better). Integer scores are solved exactly;
        float scores are rounded to the problem's score grid
        (see ``docs/explanation/engine.md``).
    capacity : int or array_like of int, shape (n_mentors,), default 1
        The most units a mentor may take; an edge uses ``weight[e]`` units.
    min_load : int or array_like of int, shape (n_mentors,), default 0
        The fewest units a mentor must take.
    demand : int or array_like of int, shape (n_mentees,), default 1
        The most mentors a mentee may get.
    required : int or array_like of int, shape (n_mentees,), default 0
        The fewest mentors a mentee must get.
    unmatched_penalty : float or array_like, shape (n_mentees,), default 0
        Charged per unit of ``demand`` left unfilled; it is what matching a mentee at all is worth.
    pinned : bool mask or array_like of int edge indices, optional
        Edges that must be chosen.
    weight : int or array_like of int, shape (n_edges,), default 1
        Capacity units each edge uses at its mentor (the generalised assignment problem).

    Raises
    ------
    InputError
        Listing every problem found (bad shapes, indices out of range, NaN, negative
        capacities, ``required > demand``, ``min_load > capacity``, duplicate edges, ...).

    Notes
    -----
    Arrays already of the right dtype are not copied: the problem holds read-only views of
    them, so do not modify them afterwards. Scalars broadcast without using memory.

    Examples
    --------
    >>> p = AssignmentProblem(2, 1, mentee=[0, 1], mentor=[0, 0], score=[3.0, 5.0])
    >>> p.n_edges, p.capacity.tolist()
    (2, [1])
    """

    n_mentees: int
    n_mentors: int
    mentee: IntArray
    mentor: IntArray
    score: NumArray
    capacity: npt.NDArray[np.int64]
    min_load: npt.NDArray[np.int64]
    demand: npt.NDArray[np.int64]
    required: npt.NDArray[np.int64]
    unmatched_penalty: NumArray
    pinned: BoolArray
    weight: npt.NDArray[np.int64]

    def __init__(
        self,
        n_mentees: int,
        n_mentors: int,
        mentee: npt.ArrayLike,
        mentor: npt.ArrayLike,
        score: npt.ArrayLike,
        capacity: npt.ArrayLike = 1,
        *,
        min_load: npt.ArrayLike = 0,
        demand: npt.ArrayLike = 1,
        required: npt.ArrayLike = 0,
        unmatched_penalty: npt.ArrayLike = 0,
        pinned: npt.ArrayLike | None = None,
        weight: npt.ArrayLike = 1,
    ) -> None:
        fields = _validate_problem(
            n_mentees,
            n_mentors,
            mentee,
            mentor,
            score,
            capacity,
            min_load,
            demand,
            required,
            unmatched_penalty,
            pinned,
            weight,
        )
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"AssignmentProblem is immutable; cannot set {name!r}")

    def __repr__(self) -> str:
        feats = ", ".join(sorted(self.features)) or "plain"
        return (
            f"AssignmentProblem(n_mentees={self.n_mentees}, n_mentors={self.n_mentors}, "
            f"n_edges={self.n_edges}, features=[{feats}])"
        )

    _FIELDS = (
        "score",
        "capacity",
        "min_load",
        "demand",
        "required",
        "unmatched_penalty",
        "pinned",
        "weight",
    )

    def replace(self, **changes: npt.ArrayLike) -> AssignmentProblem:
        """A new problem with the same edges and ``changes`` to other fields (validated).

        Examples
        --------
        >>> p = AssignmentProblem(1, 1, [0], [0], [2.0])
        >>> p.replace(score=[5.0]).score.tolist(), p.score.tolist()
        ([5.0], [2.0])
        """
        unknown = sorted(set(changes) - set(self._FIELDS))
        if unknown:
            raise TypeError(f"replace() cannot change {unknown}; fields: {self._FIELDS}")
        fields: dict[str, Any] = {name: getattr(self, name) for name in self._FIELDS}
        fields.update(changes)
        return AssignmentProblem(self.n_mentees, self.n_mentors, self.mentee, self.mentor, **fields)

    @property
    def n_edges(self) -> int:
        """How many candidate edges there are."""
        return int(self.mentee.shape[0])

    @cached_property
    def features(self) -> frozenset[Feature]:
        """The features this problem uses; a backend must support all of them."""
        checks: list[tuple[Feature, Callable[[], bool]]] = [
            (Feature.MIN_LOAD, lambda: bool(self.min_load.any())),
            (Feature.REQUIRED, lambda: bool(self.required.any())),
            (Feature.PINNED, lambda: bool(self.pinned.any())),
            (Feature.PENALTY, lambda: bool(self.unmatched_penalty.any())),
            (Feature.MULTI_DEMAND, lambda: bool((self.demand > 1).any())),
            (Feature.WEIGHT, lambda: bool((self.weight != 1).any())),
        ]
        return frozenset(f for f, used in checks if used())

    @cached_property
    def integral(self) -> bool:
        """Whether every score and penalty is a whole number (then solving is exact)."""
        return all(_whole(a) for a in (self.score, self.unmatched_penalty))


def _whole(a: npt.NDArray[Any]) -> bool:
    """Whether every value is a whole number; real-valued scores fail on the first one."""
    if a.dtype.kind in "iu" or a.size == 0:
        return True
    first = float(a.flat[0])
    if first != round(first):
        return False
    return bool(np.array_equal(a, np.round(a)))


def _validate_problem(
    n_mentees: int,
    n_mentors: int,
    mentee: Any,
    mentor: Any,
    score: Any,
    capacity: Any,
    min_load: Any,
    demand: Any,
    required: Any,
    unmatched_penalty: Any,
    pinned: Any,
    weight: Any,
) -> dict[str, Any]:
    c = _Checker()
    sizes: dict[str, int] = {}
    for name, n in (("n_mentees", n_mentees), ("n_mentors", n_mentors)):
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            c.add("bad_count", name, f"must be a non-negative integer, got {n!r}")
            sizes[name] = 0
        else:
            sizes[name] = int(n)
    nm, nt = sizes["n_mentees"], sizes["n_mentors"]
    n_edges = int(np.shape(mentee)[0]) if np.ndim(mentee) == 1 else -1
    if n_edges < 0:
        c.add(
            "bad_shape", "mentee", f"must be a 1-D array of indices, got shape {np.shape(mentee)}"
        )
        n_edges = 0
    f: dict[str, Any] = {"n_mentees": nm, "n_mentors": nt}
    f["mentee"] = c.array("mentee", mentee, n_edges, kind="int")
    f["mentor"] = c.array("mentor", mentor, n_edges, kind="int")
    f["score"] = c.array("score", score, n_edges, kind="num")
    f["weight"] = c.array("weight", weight, n_edges, kind="int")
    f["capacity"] = c.array("capacity", capacity, nt, kind="int")
    f["min_load"] = c.array("min_load", min_load, nt, kind="int")
    f["demand"] = c.array("demand", demand, nm, kind="int")
    f["required"] = c.array("required", required, nm, kind="int")
    f["unmatched_penalty"] = c.array("unmatched_penalty", unmatched_penalty, nm, kind="num")
    f["pinned"] = _pinned_mask(c, pinned, n_edges)

    for side, n in (("mentee", nm), ("mentor", nt)):
        idx = f[side]
        if idx is not None and idx.size:
            c.where("index_out_of_range", side, (idx < 0) | (idx >= n), f"outside [0, {n})", idx)
    for name in ("capacity", "min_load", "demand", "required", "unmatched_penalty", "weight"):
        a = f[name]
        if a is not None and a.size:
            c.where("negative", name, a < 0, "negative", a)
    _check_pair("required", "demand", f, c)
    _check_pair("min_load", "capacity", f, c)
    if not c.problems:
        _check_duplicates(f["mentee"], f["mentor"], nt, c)
    if c.problems:
        raise InputError("AssignmentProblem", c.problems)
    return f


def _check_pair(low: str, high: str, f: dict[str, Any], c: _Checker) -> None:
    lo, hi = f[low], f[high]
    if lo is not None and hi is not None and lo.size:
        # A negative value is already reported; comparing it again would only add noise.
        bad = (lo > hi) & (lo >= 0) & (hi >= 0)
        c.where(f"{low}_exceeds_{high}", low, bad, f"greater than {high}", lo)


def _pinned_mask(c: _Checker, pinned: Any, n_edges: int) -> BoolArray | None:
    if pinned is None:
        return _readonly(np.broadcast_to(np.False_, (n_edges,)))
    arr = np.asarray(pinned)
    if arr.dtype == np.bool_:
        return c.array("pinned", arr, n_edges, kind="bool")
    if arr.ndim != 1 or arr.dtype.kind not in "iu":
        c.add(
            "bad_dtype",
            "pinned",
            "must be a boolean mask over edges or a 1-D array of edge indices",
        )
        return None
    if c.where(
        "index_out_of_range",
        "pinned",
        (arr < 0) | (arr >= n_edges),
        f"edge index outside [0, {n_edges})",
        arr,
    ):
        return None
    mask = np.zeros(n_edges, dtype=np.bool_)
    mask[arr] = True
    return _readonly(mask)


def _check_duplicates(mentee: IntArray, mentor: IntArray, n_mentors: int, c: _Checker) -> None:
    """Each (mentee, mentor) pair may appear once.

    Input grouped by mentee, mentors increasing within each group (what sorted input and
    the domain compiler produce), takes an O(n) path; anything else is sorted.
    """
    if mentee.size < 2:
        return
    same = mentee[1:] == mentee[:-1]
    if bool((mentor[1:] > mentor[:-1])[same].all()):
        starts = mentee[np.r_[True, ~same]]
        if bool((np.bincount(starts) <= 1).all()):
            return
    key = mentee.astype(np.int64)
    key *= max(n_mentors, 1)
    key += mentor
    key.sort()
    if not bool((key[1:] == key[:-1]).any()):
        return
    full = mentee.astype(np.int64) * max(n_mentors, 1) + mentor  # slow path: errors only
    order = np.argsort(full, kind="stable")
    s = full[order]
    dup_sorted = np.zeros(s.size, dtype=np.bool_)
    dup_sorted[1:] = s[1:] == s[:-1]
    dup = order[dup_sorted]
    dup.sort()
    pairs = ", ".join(f"({int(mentee[e])}, {int(mentor[e])})" for e in dup[:_MAX_LISTED])
    c.add(
        "duplicate_edge",
        "mentee/mentor",
        f"{dup.size} edge(s) repeat an earlier (mentee, mentor) pair: edges {_shown(dup)}, "
        f"pairs [{pairs}]",
        tuple(int(e) for e in dup[:_MAX_LISTED]),
    )
