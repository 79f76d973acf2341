"""Synthetic cohorts' records: the drawn columns (:mod:`matchkit.synth.draw`) as validated
:class:`~matchkit.Mentor` and :class:`~matchkit.Mentee` records (for :mod:`matchkit.synth`)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from matchkit.domain.model import Level, Mentee, Mentor, Mode
from matchkit.domain.schedule import Availability
from matchkit.synth import draw

__all__ = ["mentees", "mentors"]

I64 = npt.NDArray[np.int64]

_MODES = (Mode.OFFLINE, Mode.ONLINE, Mode.BOTH)


def mentors(
    t: draw.People, rows: I64, ids: list[str], subjects: tuple[str, ...], names: tuple[str, ...]
) -> Iterator[Mentor]:
    columns = zip(
        rows.tolist(),
        t.subject[rows].tolist(),
        t.value[rows].astype(np.int64).tolist(),
        t.avail[rows].tolist(),
        t.mode[rows].tolist(),
        t.district[rows].tolist(),
        t.lat[rows].tolist(),
        t.lon[rows].tolist(),
        t.extra["capacity"][rows].tolist(),
        t.extra["terms"][rows].tolist(),
        t.extra["alumni"][rows].tolist(),
        strict=True,
    )
    for j, subj, prof, masks, mode, dist, lat, lon, cap, terms, alumni in columns:
        yield Mentor(
            id=ids[j],
            subjects={subjects[c]: p for c, p in zip(subj, prof, strict=True) if c >= 0},
            availability=Availability(masks),
            mode=_MODES[mode],
            district=names[dist],
            coordinates=(lat, lon),
            capacity=cap,
            terms_committed=terms,
            alumni=alumni,
        )


def mentees(
    s: draw.People,
    ids: list[str],
    mentor_ids: list[str],
    subjects: tuple[str, ...],
    names: tuple[str, ...],
    prev: I64,
    avoid: I64,
) -> Iterator[Mentee]:
    x = s.extra
    columns = zip(
        ids,
        s.subject.tolist(),
        s.value.tolist(),
        s.avail.tolist(),
        s.mode.tolist(),
        s.district.tolist(),
        s.lat.tolist(),
        s.lon.tolist(),
        x["high"].tolist(),
        x["grade"].tolist(),
        x["hours"].tolist(),
        x["priority"].tolist(),
        prev.tolist(),
        avoid.tolist(),
        strict=True,
    )
    for sid, subj, need, masks, mode, dist, lat, lon, high, grade, hours, prio, p, a in columns:
        yield Mentee(
            id=sid,
            level=Level.HIGH if high else Level.MIDDLE,
            grade=grade,
            needs={subjects[c]: w for c, w in zip(subj, need, strict=True) if c >= 0},
            availability=Availability(masks),
            session_hours=hours,
            mode=_MODES[mode],
            district=names[dist],
            coordinates=(lat, lon),
            priority=prio,
            previous_mentor=mentor_ids[p] if p >= 0 else None,
            avoid=frozenset((mentor_ids[a],)) if a >= 0 else frozenset(),
        )
