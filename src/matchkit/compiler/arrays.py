"""A cohort as numpy arrays: the compiler's view of people, built once per cohort.

Subjects become integer codes (sorted names), modes small integers, availabilities seven
``uint64`` day masks per person, places a district code plus latitude/longitude (NaN when
unknown). Nothing here depends on the policy, so what-if runs on one cohort share it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchkit.domain.model import Cohort, Level, Mode

__all__ = ["MODE_CODE", "CohortArrays", "cohort_arrays"]

MODE_CODE = {Mode.ONLINE: 0, Mode.OFFLINE: 1, Mode.BOTH: 2}
LEVEL_CODE = {Level.MIDDLE: 0, Level.HIGH: 1}

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True, eq=False)
class CohortArrays:
    subjects: tuple[str, ...]
    districts: tuple[str, ...]
    # mentors
    t_ids: tuple[str, ...]
    t_avail: U64  # (nt, 7)
    t_mode: npt.NDArray[np.int8]
    t_lat: F64
    t_lon: F64
    t_district: I64
    t_capacity: I64
    t_terms: I64
    t_alumni: npt.NDArray[np.bool_]
    t_prof: npt.NDArray[np.int8]  # (nt, n_subjects), 0 = does not teach
    # mentees
    s_ids: tuple[str, ...]
    s_avail: U64
    s_slots: I64
    s_mode: npt.NDArray[np.int8]
    s_lat: F64
    s_lon: F64
    s_district: I64
    s_priority: I64
    s_level: npt.NDArray[np.int8]
    s_grade: I64
    s_needs: F64  # (nm, n_subjects), 0 = not needed
    s_prev: I64  # mentor index, -1 none, -2 previous mentor left
    avoid_mentee: I64
    avoid_mentor: I64

    @property
    def n_mentors(self) -> int:
        return len(self.t_ids)

    @property
    def n_mentees(self) -> int:
        return len(self.s_ids)


def _places(people: tuple[object, ...], codes: dict[str, int]) -> tuple[F64, F64, I64]:
    n = len(people)
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    dist = np.empty(n, dtype=np.int64)
    for k, p in enumerate(people):
        loc = p.location()  # type: ignore[attr-defined]
        if loc is not None:
            lat[k], lon[k] = loc
        dist[k] = codes.setdefault(p.district, len(codes))  # type: ignore[attr-defined]
    return lat, lon, dist


def cohort_arrays(cohort: Cohort) -> CohortArrays:
    """The arrays of ``cohort`` (computed once and cached on the cohort)."""
    cached = cohort._arrays
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    mentors, mentees = cohort.mentors, cohort.mentees
    names = sorted({s for m in mentors for s in m.subjects} | {s for e in mentees for s in e.needs})
    code = {s: k for k, s in enumerate(names)}
    nt, nm, ns = len(mentors), len(mentees), len(names)
    districts: dict[str, int] = {}

    t_prof = np.zeros((nt, ns), dtype=np.int8)
    for j, m in enumerate(mentors):
        for s, p in m.subjects.items():
            t_prof[j, code[s]] = p
    s_needs = np.zeros((nm, ns), dtype=np.float64)
    for i, e in enumerate(mentees):
        for s, w in e.needs.items():
            s_needs[i, code[s]] = w

    index = cohort.mentor_index()
    prev = np.array(
        [-1 if e.previous_mentor is None else index.get(e.previous_mentor, -2) for e in mentees],
        dtype=np.int64,
    ).reshape(nm)
    avoid = [(i, index[a]) for i, e in enumerate(mentees) for a in sorted(e.avoid)]
    t_lat, t_lon, t_district = _places(mentors, districts)
    s_lat, s_lon, s_district = _places(mentees, districts)

    arrays = CohortArrays(
        subjects=tuple(names),
        districts=tuple(districts),
        t_ids=tuple(m.id for m in mentors),
        t_avail=np.array([m.availability.masks for m in mentors], dtype=np.uint64).reshape(nt, 7),
        t_mode=np.array([MODE_CODE[m.mode] for m in mentors], dtype=np.int8).reshape(nt),
        t_lat=t_lat,
        t_lon=t_lon,
        t_district=t_district,
        t_capacity=np.array([m.capacity for m in mentors], dtype=np.int64).reshape(nt),
        t_terms=np.array([m.terms_committed for m in mentors], dtype=np.int64).reshape(nt),
        t_alumni=np.array([m.alumni for m in mentors], dtype=np.bool_).reshape(nt),
        t_prof=t_prof,
        s_ids=tuple(e.id for e in mentees),
        s_avail=np.array([e.availability.masks for e in mentees], dtype=np.uint64).reshape(nm, 7),
        s_slots=np.array([e.session_slots for e in mentees], dtype=np.int64).reshape(nm),
        s_mode=np.array([MODE_CODE[e.mode] for e in mentees], dtype=np.int8).reshape(nm),
        s_lat=s_lat,
        s_lon=s_lon,
        s_district=s_district,
        s_priority=np.array([e.priority for e in mentees], dtype=np.int64).reshape(nm),
        s_level=np.array([LEVEL_CODE[e.level] for e in mentees], dtype=np.int8).reshape(nm),
        s_grade=np.array([e.grade for e in mentees], dtype=np.int64).reshape(nm),
        s_needs=s_needs,
        s_prev=prev,
        avoid_mentee=np.array([a for a, _ in avoid], dtype=np.int64),
        avoid_mentor=np.array([b for _, b in avoid], dtype=np.int64),
    )
    for a in (v for v in vars(arrays).values() if isinstance(v, np.ndarray)):
        a.flags.writeable = False
    cohort._arrays = arrays
    return arrays
