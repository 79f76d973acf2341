"""The hard rules and the score of a policy over a cohort's arrays, for any pairs, vectorised.

:class:`PairRules` lists candidate pairs block by block (mentees grouped by what they need
and how they can meet and, with a finite reach, by spatial cell; see
:mod:`matchkit.compiler.reach`), pre-filters each (mentees x mentors) block as a whole
(subject and mode, time signature, distance by the cosine of the angle between places)
before any pair is listed, then checks the survivors exactly and scores them.
:mod:`matchkit.compiler.problem` drives it over a whole cohort.

Time windows use erosion (:func:`matchkit.domain.schedule.erode`): each person's masks are
eroded once per session length, and a pair needs one signature AND and at most seven more.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from matchkit.compiler.arrays import CohortArrays
from matchkit.compiler.reach import SpatialReach
from matchkit.domain.geo import EARTH_RADIUS_KM
from matchkit.domain.policy import Policy, Weights
from matchkit.domain.schedule import erode

__all__ = ["COMPONENTS", "MILLI", "PairRules", "to_milli"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
U64 = npt.NDArray[np.uint64]

MILLI = 1000
"""Scores reach the engine in whole milli-points: exact integer arithmetic in the solver
(faster than a float grid: fewer cost-scaling phases, no rescaling pass) and a unit a
person can read. Every score and value of matching is rounded to 0.001 points."""

_BLOCK_PAIRS = 1 << 20
_SLACK_SLOTS = 4  # slack counts up to 2 hours beyond the session
# Mode codes: 0 online, 1 offline, 2 both.
_COMPATIBLE = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 1]], dtype=np.bool_)
COMPONENTS = ("subject_fit", "schedule_slack", "continuity", "commitment", "alumni", "distance")


def _signature(masks: U64) -> U64:
    """One word per row: bit ``8 d + b`` is set when day ``d`` has a slot in its ``b``-th
    6-slot block. Two rows whose masks share a slot share a signature bit, so
    ``sig_a & sig_b == 0`` rules a pair out with one AND before the seven-word check."""
    out = np.zeros(masks.shape[0], dtype=np.uint64)
    block = np.uint64(0b111111)
    for d in range(7):
        for b in range(8):
            hit = (masks[:, d] >> np.uint64(6 * b)) & block != 0
            out |= hit.astype(np.uint64) << np.uint64(8 * d + b)
    return out


def _radians(lat: F64, lon: F64) -> tuple[F64, F64, F64]:
    p, lam = np.radians(lat), np.radians(lon)
    return p, lam, np.cos(p)


def _unit_vectors(lat: F64, lon: F64) -> F64:
    """Points on the unit sphere, (n, 3): the dot product of two is the cosine of the
    central angle between them (NaN rows for unknown places)."""
    p, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)])


def _min_cosine(limit_km: float) -> float:
    """A cosine threshold no pair within ``limit_km`` falls below, with a 1 m (and 1e-6)
    margin for rounding: a pre-filter only; the exact rule is decided by haversine."""
    angle = (limit_km * (1 + 1e-6) + 1e-3) / EARTH_RADIUS_KM
    return math.cos(angle) if angle < math.pi else -math.inf


def _bits(table: npt.NDArray[np.bool_]) -> U64:
    """Pack a boolean (n, n_subjects) table into (n, words) uint64 bit sets."""
    n, ns = table.shape
    words = max(1, -(-ns // 64))
    out = np.zeros((n, words), dtype=np.uint64)
    for s in range(ns):
        out[table[:, s], s // 64] |= np.uint64(1) << np.uint64(s % 64)
    return out


class PairRules:
    """The hard rules and score of ``policy`` over ``arrays``, for any pairs (i, j)."""

    def __init__(self, arrays: CohortArrays, policy: Policy, forbidden: I64) -> None:
        self.a, self.p = arrays, policy
        self.warnings: tuple[str, ...] = ()
        """Set by :func:`~matchkit.compiler.prepare.prepare` (unknown districts, "warn")."""
        teach = arrays.t_prof >= policy.min_proficiency
        self.teach_bits = _bits(teach)
        self.need_bits = _bits(arrays.s_needs > 0)
        self.quality = np.where(teach, arrays.t_prof / 5.0, 0.0)
        self.need_total = arrays.s_needs.sum(axis=1)
        self.support = support_need(arrays)
        lengths = np.unique(arrays.s_slots)
        self.length_index = np.searchsorted(lengths, arrays.s_slots)
        s_eroded = np.empty_like(arrays.s_avail)
        t_eroded = np.empty((lengths.size, arrays.n_mentors, 7), dtype=np.uint64)
        for k, length in enumerate(lengths.tolist()):
            rows = arrays.s_slots == length
            s_eroded[rows] = erode(arrays.s_avail[rows], length)
            t_eroded[k] = erode(arrays.t_avail, length)
        nt = arrays.n_mentors
        t_eroded_flat = t_eroded.reshape(lengths.size * nt, 7)
        self.s_sig = _signature(s_eroded)
        self.t_sig = _signature(t_eroded_flat)
        # Day-major: a pair's check reads one word per day from a contiguous row (row-major
        # masks are not kept: nothing reads them once these exist).
        self.s_eroded_days = np.ascontiguousarray(s_eroded.T)
        self.t_eroded_days = np.ascontiguousarray(t_eroded_flat.T)
        self.s_needs_cols = np.ascontiguousarray(arrays.s_needs.T)
        self.quality_cols = np.ascontiguousarray(self.quality.T)
        self.forbidden = forbidden  # sorted keys i * n_mentors + j
        self.has_forbidden = np.zeros(arrays.n_mentees, dtype=np.bool_)
        self.has_forbidden[forbidden // max(1, nt)] = True
        self.s_offline_only = arrays.s_mode == 1
        self.t_offline_only = arrays.t_mode == 1
        off, on = self._limits()
        finite = [r for r in (off, on) if math.isfinite(r)]
        self.spatial = SpatialReach(arrays, min(max(min(finite, default=40.0) / 4, 0.5), 50.0))
        self.s_rad = _radians(arrays.s_lat, arrays.s_lon)
        self.t_rad = _radians(arrays.t_lat, arrays.t_lon)
        self.s_xyz = _unit_vectors(arrays.s_lat, arrays.s_lon)
        self.t_xyz = _unit_vectors(arrays.t_lat, arrays.t_lon)
        self.t_unplaced = np.isnan(arrays.t_lat)
        self.min_cos = (_min_cosine(off), _min_cosine(on))
        # Mentees with the same needed subjects and mode share their subject/mode candidates.
        key_cols = np.column_stack([self.need_bits, arrays.s_mode.astype(np.uint64)])
        uniq, self.key = np.unique(key_cols, axis=0, return_inverse=True)
        self.key = self.key.reshape(-1)
        self.key_subject_count = np.zeros(uniq.shape[0], dtype=np.int64)
        # Row k: the mentors passing the subject and mode rules for mentees of key k.
        self.key_table = np.zeros((uniq.shape[0], nt), dtype=np.bool_)
        for k, row in enumerate(uniq):
            subject = ((self.teach_bits & row[:-1]) != 0).any(axis=1)
            self.key_subject_count[k] = int(subject.sum())
            self.key_table[k] = subject & _COMPATIBLE[int(row[-1]), arrays.t_mode]
        self.key_candidates = [np.flatnonzero(ok).astype(np.int64) for ok in self.key_table]
        self.t_sig_table = self.t_sig.reshape(lengths.size, nt)

    # --- rules -----------------------------------------------------------------------------
    def candidates(self, rows: I64) -> Iterator[tuple[I64, I64]]:
        """Pairs of mentees ``rows`` with every mentor passing the subject and mode rules.

        Chunks of about ``_BLOCK_PAIRS`` pairs; each mentee's pairs lie in one chunk, sorted
        by mentor.
        """
        return map(self.materialise, self.candidate_tasks(rows))

    def materialise(
        self, task: list[tuple[I64, I64, bool]], *, time_signature: bool = False
    ) -> tuple[I64, I64]:
        """The pairs of one task from :meth:`candidate_tasks` (run on a worker thread).

        Each (mentee rows x mentors) block is filtered as a whole: the subject and mode
        table and, with ``time_signature``, the one-word time signature check (a pair
        failing it shares no window; :meth:`windows` decides the rest) are broadcast over
        the block, so only the surviving pairs are ever listed.
        """
        parts_i, parts_j = [], []
        for chunk, cand, by_key in task:
            if not (by_key or time_signature):
                parts_i.append(np.repeat(chunk, cand.size))
                parts_j.append(np.tile(cand, chunk.size))
                continue
            masks: list[B] = []
            if by_key:  # spatial group: subject and mode from the key table, and distance
                masks.append(self.key_table.take(cand, axis=1).take(self.key[chunk], axis=0))
                masks.append(self._within_reach(chunk, cand))
            if time_signature:
                sig = self.t_sig_table.take(cand, axis=1).take(self.length_index[chunk], axis=0)
                sig &= self.s_sig[chunk][:, None]
                masks.append(sig != 0)
            ok = masks[0]
            for mask in masks[1:]:
                ok &= mask
            r, c = np.nonzero(ok)  # row-major: grouped by mentee, mentors increasing
            parts_i.append(chunk[r])
            parts_j.append(cand[c])
        if len(parts_i) == 1:
            return parts_i[0], parts_j[0]
        return np.concatenate(parts_i), np.concatenate(parts_j)

    def _within_reach(self, rows: I64, cand: I64) -> B:
        """Pre-filter of a (placed mentees x mentors) block for the distance rules: false
        only for pairs certainly too far (see :func:`_min_cosine`); unknown places pass."""
        cos = self.s_xyz.take(rows, axis=0) @ self.t_xyz.take(cand, axis=0).T
        off, on = self.min_cos
        ok: B = cos >= off
        if on < off:  # online pairs may reach farther: neither side offline-only
            online = ~self.s_offline_only[rows][:, None] & ~self.t_offline_only[cand]
            ok |= online & (cos >= on)
        ok |= self.t_unplaced[cand]
        return ok

    def candidate_tasks(self, rows: I64) -> Iterator[list[tuple[I64, I64, bool]]]:
        """Cheap descriptions of candidate chunks: (mentee rows, mentors, filter by key)."""
        if rows.size == 0:
            return
        off, on = self._limits()
        reach = np.where(self.s_offline_only[rows], off, max(off, on))
        local = np.isfinite(reach) & (self.spatial.s_cell[rows] >= 0)
        cell = np.where(local, self.spatial.s_cell[rows], -1)
        key = np.where(local, -1, self.key[rows])  # non-local rows: grouped by key instead
        order = np.lexsort((key, reach, cell))
        rows, cell, reach, key = rows[order], cell[order], reach[order], key[order]
        change = (cell[1:] != cell[:-1]) | (reach[1:] != reach[:-1]) | (key[1:] != key[:-1])
        bounds = np.flatnonzero(np.r_[True, change, True])
        task: list[tuple[I64, I64, bool]] = []
        buffered = 0
        for start, stop in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
            by_key = bool(cell[start] >= 0)
            if by_key:
                cand = self.spatial.mentors_within(int(cell[start]), float(reach[start]))
            else:
                cand = self.key_candidates[int(key[start])]
            if cand.size == 0:
                continue
            step = max(1, _BLOCK_PAIRS // cand.size)
            for lo in range(start, stop, step):
                chunk = rows[lo : min(stop, lo + step)]
                task.append((chunk, cand, by_key))
                buffered += chunk.size * cand.size
                if buffered >= _BLOCK_PAIRS:
                    yield task
                    task, buffered = [], 0
        if task:
            yield task

    def _limits(self) -> tuple[float, float]:
        off = self.p.max_travel_km if self.p.max_travel_km is not None else math.inf
        on = self.p.online_max_km if self.p.online_max_km is not None else math.inf
        return off, on

    def distance_km(self, i: I64, j: I64) -> F64:
        """Great-circle km (0 within a district label, inf across labels, when unknown)."""
        (p1, l1, c1), (p2, l2, c2) = self.s_rad, self.t_rad
        h = np.sin((p2[j] - p1[i]) * 0.5) ** 2
        h += c1[i] * c2[j] * np.sin((l2[j] - l1[i]) * 0.5) ** 2
        km: F64 = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        unknown = np.isnan(km)
        if unknown.any():
            same = self.a.s_district[i] == self.a.t_district[j]
            km[unknown & same] = 0.0
            km[unknown & ~same] = np.inf
        return km

    def online(self, i: I64, j: I64) -> B:
        """Whether the pair can meet online (neither side is offline-only)."""
        return np.asarray(~(self.s_offline_only[i] | self.t_offline_only[j]))

    def near_enough(self, i: I64, j: I64) -> tuple[B, F64]:
        """The distance rules, and km for pairs that must meet offline (0 for online pairs).

        Offline pairs: at most ``max_travel_km`` (unknown distance: same district only).
        Online pairs: at most ``online_max_km`` where both places are known.
        """
        offline = ~self.online(i, j)
        km = np.zeros(i.size)
        ok = np.ones(i.size, dtype=np.bool_)
        limit = self.p.online_max_km
        if limit is not None:
            on = np.flatnonzero(~offline)
            on_km = self.distance_km(i[on], j[on])
            on_km[np.isnan(self.a.s_lat[i[on]]) | np.isnan(self.a.t_lat[j[on]])] = 0.0
            ok[on] = on_km <= limit
        off = np.flatnonzero(offline)
        km[off] = self.distance_km(i[off], j[off])
        if self.p.max_travel_km is not None:
            ok[off] = km[off] <= self.p.max_travel_km
        return ok, km

    def fits_time(self, i: I64, j: I64) -> B:
        """Whether each pair shares a window as long as the mentee's session."""
        flat = self.length_index[i] * self.a.n_mentors + j
        ok: B = (self.s_sig[i] & self.t_sig[flat]) != 0
        hit = np.flatnonzero(ok)
        ok[hit] = self.windows(i[hit], j[hit])[0]
        return ok

    def windows(self, i: I64, j: I64) -> tuple[B, F64]:
        """Whether each pair shares a window as long as the session, and how far the longest
        such window reaches beyond it (0 to 1: the ``schedule_slack`` component).

        Day by day, one word per person and day: a handful of pair-sized buffers, not
        seven-word rows per pair.
        """
        flat = self.length_index[i] * self.a.n_mentors + j
        fits = np.zeros(i.size, dtype=np.bool_)
        best = np.zeros(i.size, dtype=np.int8)
        x = np.empty(i.size, dtype=np.uint64)
        y = np.empty(i.size, dtype=np.uint64)
        one = np.uint64(1)
        for d in range(7):
            np.take(self.s_eroded_days[d], i, out=x, mode="clip")  # "raise" buffers `out`
            np.take(self.t_eroded_days[d], flat, out=y, mode="clip")
            x &= y
            fits |= x != 0
            runs = np.zeros(i.size, dtype=np.int8)  # extra slots this day's window allows
            for _ in range(_SLACK_SLOTS):
                np.right_shift(x, one, out=y)
                x &= y
                runs += x != 0
            np.maximum(best, runs, out=best)
        return fits, best / _SLACK_SLOTS

    def allowed(self, i: I64, j: I64) -> B:
        ok = np.ones(i.size, dtype=np.bool_)
        if self.forbidden.size == 0:
            return ok
        hit = np.flatnonzero(self.has_forbidden[i])
        keys = i[hit] * self.a.n_mentors + j[hit]
        pos = np.searchsorted(self.forbidden, keys).clip(max=self.forbidden.size - 1)
        ok[hit] = self.forbidden[pos] != keys
        return ok

    def check(self, i: I64, j: I64) -> tuple[B, str | None]:
        """Eligibility of pairs and, for a single pair, the first rule it breaks."""
        subject = ((self.need_bits[i] & self.teach_bits[j]) != 0).any(axis=1)
        checks = (
            ("subject", subject),
            ("mode", _COMPATIBLE[self.a.s_mode[i], self.a.t_mode[j]]),
            ("distance", self.near_enough(i, j)[0]),
            ("time", self.fits_time(i, j)),
            ("rules", self.allowed(i, j)),
        )
        ok = np.ones(i.size, dtype=np.bool_)
        first = None
        for name, mask in checks:
            if first is None and not bool(mask.all()):
                first = name
            ok &= mask
        return ok, first

    # --- score -----------------------------------------------------------------------------
    def components(
        self, i: I64, j: I64, km: F64 | None = None, slack: F64 | None = None
    ) -> dict[str, F64]:
        """Each score component in [0, 1] (distance: per ``max_travel_km``), per pair.

        ``km`` and ``slack`` are computed here unless given (as :meth:`eligible` returns).
        """
        a = self.a
        km = self.near_enough(i, j)[1] if km is None else km
        slack = self.windows(i, j)[1] if slack is None else slack
        fit = np.zeros(i.size)
        for need, quality in zip(self.s_needs_cols, self.quality_cols, strict=True):
            fit += need.take(i) * quality.take(j)
        fit /= self.need_total.take(i)
        scale = self.p.max_travel_km or 10.0
        travel = np.where(np.isfinite(km), km / scale, 0.0)
        return {
            "subject_fit": fit,
            "schedule_slack": slack,
            "continuity": (a.s_prev[i] == j).astype(np.float64),
            "commitment": (np.minimum(a.t_terms[j], 4) - 1) / 3.0 * self.support.take(i),
            "alumni": a.t_alumni[j].astype(np.float64),
            "distance": travel,
        }

    def points(self, parts: dict[str, F64]) -> dict[str, F64]:
        """Each component times its weight, in points (distance subtracted)."""
        w = self.p.weights
        return {
            name: (-1.0 if name == "distance" else 1.0) * getattr(w, name) * parts[name]
            for name in COMPONENTS
        }

    def score(self, parts: dict[str, F64]) -> F64:
        """The pairs' scores in points: the sum of :meth:`points`."""
        total = np.zeros_like(parts["subject_fit"])
        for value in self.points(parts).values():
            total += value
        return total

    def value_of_matching_milli(self) -> I64:
        """What matching each mentee is worth, in whole milli-points (see :data:`MILLI`)."""
        return to_milli(value_of_matching(self.p.weights, self.a.s_priority, self.a.s_prev == -2))

    # --- eligible pairs ---------------------------------------------------------------------
    def eligible(self, task: list[tuple[I64, I64, bool]]) -> tuple[I64, I64, F64, F64]:
        """The eligible pairs of one task from :meth:`candidate_tasks`, their offline km and
        schedule slack."""
        i, j = self.materialise(task, time_signature=True)
        fits, slack = self.windows(i, j)
        keep = np.flatnonzero(fits & self.allowed(i, j))
        i, j, slack = i[keep], j[keep], slack[keep]
        near, km = self.near_enough(i, j)
        return i[near], j[near], km[near], slack[near]


def value_of_matching(w: Weights, priority: I64, lost: npt.NDArray[np.bool_]) -> F64:
    """What matching each mentee is worth in points (what leaving them unmatched costs):
    ``match + priority * level``, plus ``lost_mentor`` where their previous mentor left."""
    return w.match + w.priority * priority + w.lost_mentor * lost


def support_need(a: CohortArrays) -> F64:
    """Each mentee's need for long support in [0.5, 1]: half for everyone, a quarter by how
    young (middle school grade 1 -> 1, high school grade 3 -> 0), a quarter by priority
    (0 -> 0, 3 or more -> 1). Scales the commitment component."""
    year = a.s_grade + 3 * (a.s_level == 1)  # 1..6
    youth = (6 - year) / 5.0
    need = np.minimum(a.s_priority, 3) / 3.0
    return 0.5 + 0.25 * youth + 0.25 * need  # type: ignore[no-any-return]


def to_milli(points: F64) -> I64:
    """Points rounded to whole milli-points."""
    return np.rint(np.asarray(points) * MILLI).astype(np.int64)
