"""Where synthetic people live: Seoul's 25 districts, grown outward at Seoul's density.

Used by :mod:`matchkit.synth`. A cohort of Seoul's size lives in Seoul's 25 districts
(:data:`~matchkit.domain.geo.SEOUL_DISTRICTS`). A larger cohort gets more districts, about one
per ``people_per_district`` people, so that each district, and each 10 km travel circle, holds
about as many people as in Seoul. The extra districts are points of a hexagonal lattice whose
cells are the size of an average Seoul district (605 km² / 25 ≈ 24 km²):

1. first the capital area around Seoul (Incheon and Gyeonggi), nearest to Seoul first, as a
   programme run by Seoul would grow;
2. when the capital area is full, the other regions, in proportion to their population, each
   around its main cities.

Each lattice point is labelled by its nearest city (``"Suwon-03"``). City coordinates are
approximate city halls; the land mask is crude (the west coast and the northern border of the
capital area only), so a few synthetic districts elsewhere lie offshore. These are places for a
distance model, not a map. See ``docs/explanation/synthetic-cohorts.md``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matchkit.domain.geo import SEOUL_DISTRICTS, haversine_km

__all__ = ["LATTICE_KM", "Districts", "districts", "max_districts"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

LATTICE_KM = 5.3
"""Lattice spacing: a hexagonal cell of 5.3 km has 24.3 km², an average Seoul district."""

# Resident population in thousands (rounded, approximately the 2023 resident registration),
# a need index (an assumption: 1.3 where basic-livelihood recipients are known to concentrate,
# 0.7 in the three richest districts, 1.0 elsewhere) and a rough count of four-year university
# campuses (where student mentors tend to live).
_SEOUL: dict[str, tuple[int, float, int]] = {
    "Jongno-gu": (141, 1.0, 2),
    "Jung-gu": (121, 1.0, 1),
    "Yongsan-gu": (217, 1.0, 1),
    "Seongdong-gu": (281, 1.0, 1),
    "Gwangjin-gu": (336, 1.0, 2),
    "Dongdaemun-gu": (341, 1.0, 3),
    "Jungnang-gu": (383, 1.3, 0),
    "Seongbuk-gu": (431, 1.0, 5),
    "Gangbuk-gu": (289, 1.3, 0),
    "Dobong-gu": (310, 1.0, 1),
    "Nowon-gu": (497, 1.3, 4),
    "Eunpyeong-gu": (465, 1.0, 0),
    "Seodaemun-gu": (310, 1.0, 3),
    "Mapo-gu": (372, 1.0, 2),
    "Yangcheon-gu": (437, 1.0, 0),
    "Gangseo-gu": (562, 1.3, 0),
    "Guro-gu": (400, 1.0, 1),
    "Geumcheon-gu": (230, 1.3, 0),
    "Yeongdeungpo-gu": (376, 1.0, 0),
    "Dongjak-gu": (385, 1.0, 3),
    "Gwanak-gu": (490, 1.3, 1),
    "Seocho-gu": (405, 0.7, 1),
    "Gangnam-gu": (540, 0.7, 0),
    "Songpa-gu": (656, 0.7, 1),
    "Gangdong-gu": (461, 1.0, 0),
}

_SEOUL_CENTRE = (37.5665, 126.9780)  # Seoul City Hall

# Capital area (Incheon and Gyeonggi): labels for lattice points, approximate city halls.
_CAPITAL: tuple[tuple[str, float, float], ...] = (
    ("Incheon", 37.4563, 126.7052),
    ("Suwon", 37.2636, 127.0286),
    ("Seongnam", 37.4201, 127.1265),
    ("Goyang", 37.6584, 126.8320),
    ("Yongin", 37.2411, 127.1776),
    ("Bucheon", 37.5034, 126.7660),
    ("Ansan", 37.3219, 126.8309),
    ("Anyang", 37.3943, 126.9568),
    ("Namyangju", 37.6360, 127.2165),
    ("Hwaseong", 37.1995, 126.8311),
    ("Uijeongbu", 37.7381, 127.0338),
    ("Siheung", 37.3800, 126.8029),
    ("Pyeongtaek", 36.9921, 127.1129),
    ("Gimpo", 37.6152, 126.7156),
    ("Paju", 37.7600, 126.7800),
    ("Gwangmyeong", 37.4786, 126.8646),
    ("Hanam", 37.5393, 127.2148),
    ("Gwangju-Gyeonggi", 37.4295, 127.2550),
    ("Guri", 37.5943, 127.1296),
    ("Osan", 37.1498, 127.0772),
    ("Gunpo", 37.3617, 126.9352),
    ("Icheon", 37.2720, 127.4350),
    ("Yangju", 37.7853, 127.0458),
    ("Pocheon", 37.8949, 127.2003),
    ("Yeoju", 37.2983, 127.6372),
    ("Anseong", 37.0080, 127.2797),
    ("Yangpyeong", 37.4917, 127.4875),
    ("Gapyeong", 37.8315, 127.5105),
)

# Other regions: main cities with the share of their region's population (millions, rounded,
# approximately 2023) that the city's lattice points stand for.
_OTHER: tuple[tuple[str, float, float, float], ...] = (
    ("Busan", 35.1796, 129.0756, 3.30),
    ("Daegu", 35.8714, 128.6014, 2.37),
    ("Gwangju", 35.1595, 126.8526, 1.42),
    ("Daejeon", 36.3504, 127.3845, 1.44),
    ("Ulsan", 35.5384, 129.3114, 1.10),
    ("Sejong", 36.4800, 127.2890, 0.39),
    ("Chuncheon", 37.8813, 127.7298, 0.50),
    ("Wonju", 37.3422, 127.9202, 0.60),
    ("Gangneung", 37.7519, 128.8761, 0.43),
    ("Cheongju", 36.6424, 127.4890, 1.00),
    ("Chungju", 36.9910, 127.9259, 0.59),
    ("Cheonan", 36.8151, 127.1139, 1.30),
    ("Seosan", 36.7848, 126.4503, 0.83),
    ("Jeonju", 35.8242, 127.1480, 1.00),
    ("Gunsan", 35.9676, 126.7369, 0.75),
    ("Mokpo", 34.8118, 126.3922, 0.60),
    ("Suncheon", 34.9507, 127.4872, 0.90),
    ("Naju", 35.0160, 126.7108, 0.30),
    ("Pohang", 36.0190, 129.3435, 0.90),
    ("Gumi", 36.1195, 128.3446, 0.90),
    ("Andong", 36.5684, 128.7294, 0.75),
    ("Changwon", 35.2279, 128.6811, 1.60),
    ("Gimhae", 35.2285, 128.8894, 0.90),
    ("Jinju", 35.1800, 128.1076, 0.75),
    ("Jeju", 33.4996, 126.5312, 0.67),
)


@dataclass(frozen=True, eq=False)
class Districts:
    """District labels, centres and relative weights for where mentees and mentors live."""

    names: tuple[str, ...]
    lat: F64
    lon: F64
    mentee_weight: F64
    """Probabilities (sum 1) that a mentee lives in each district."""
    mentor_weight: F64
    """Probabilities (sum 1) that a mentor lives in each district."""


@dataclass(frozen=True, eq=False)
class _Lattice:
    capital: I64  # capital-area lattice indices, nearest to Seoul first
    other: tuple[I64, ...]  # per _OTHER city: its lattice indices, nearest first
    lat: F64
    lon: F64
    label: I64  # index into _labels() of each lattice point's nearest city


def _labels() -> tuple[str, ...]:
    return tuple(c[0] for c in _CAPITAL) + tuple(c[0] for c in _OTHER)


@functools.lru_cache(maxsize=1)
def _lattice() -> _Lattice:
    """A hexagonal lattice over South Korea, split into capital-area and other-city points."""
    km_lat = 110.574
    rows = np.arange(33.1, 38.45, LATTICE_KM * math.sqrt(3) / 2 / km_lat)
    lats, lons = [], []
    for r, lat in enumerate(rows.tolist()):
        step = LATTICE_KM / (111.320 * math.cos(math.radians(lat)))
        lon = np.arange(124.6 + (step / 2 if r % 2 else 0.0), 130.0, step)
        lats.append(np.full(lon.size, lat))
        lons.append(lon)
    lat, lon = np.concatenate(lats), np.concatenate(lons)

    seoul = np.array(list(SEOUL_DISTRICTS.values()))
    cities = np.array([(c[1], c[2]) for c in _CAPITAL] + [(c[1], c[2]) for c in _OTHER])
    to_seoul = haversine_km(lat[:, None], lon[:, None], seoul[None, :, 0], seoul[None, :, 1])
    to_city = haversine_km(lat[:, None], lon[:, None], cities[None, :, 0], cities[None, :, 1])
    nearest = to_city.argmin(axis=1)
    best = to_city[np.arange(lat.size), nearest]
    in_seoul = to_seoul.min(axis=1) < best  # Seoul's own districts cover these points
    n_cap = len(_CAPITAL)
    # Crude land mask for the capital area: the west coast and the northern border.
    on_land = (lon >= 126.58) & (lat <= 37.72 + 0.8 * (lon - 126.60))
    cap = np.flatnonzero(~in_seoul & (nearest < n_cap) & on_land)
    centre = haversine_km(lat[cap], lon[cap], *_SEOUL_CENTRE)
    cap = cap[np.lexsort((cap, centre))]
    other = []
    for k in range(len(_OTHER)):
        own = np.flatnonzero(~in_seoul & (nearest == n_cap + k))
        other.append(own[np.lexsort((own, to_city[own, n_cap + k]))])
    return _Lattice(cap, tuple(other), lat, lon, nearest.astype(np.int64))


def max_districts() -> int:
    """The most districts :func:`districts` can lay out."""
    lat = _lattice()
    return len(SEOUL_DISTRICTS) + lat.capital.size + sum(o.size for o in lat.other)


def _apportion(total: int, weights: F64, room: I64) -> I64:
    """Split ``total`` by ``weights`` (largest remainder), never above ``room``."""
    out = np.zeros(weights.size, dtype=np.int64)
    left = min(total, int(room.sum()))
    while left > 0:
        open_ = out < room
        share = np.where(open_, weights, 0.0)
        want = left * share / share.sum()
        add = np.minimum(np.floor(want).astype(np.int64), room - out)
        if add.sum() == 0:  # hand out the remainder one by one, largest remainder first
            order = np.lexsort((np.arange(weights.size), -(want - np.floor(want))))
            add[order[:left]] = 1
            add = np.where(open_, add, 0)
            add = np.minimum(add, room - out)
        out += add
        left -= int(add.sum())
    return out


def districts(n_districts: int, rng: np.random.Generator) -> Districts:
    """Seoul's 25 districts, plus lattice districts up to ``n_districts`` (see the module).

    Seoul's mentee weights are population x need index; its mentor weights are half population,
    half university campuses. Lattice districts draw both weights from a gamma distribution
    with mean 1 (coefficient of variation 0.5), about as uneven as Seoul's populations.
    """
    names = list(SEOUL_DISTRICTS)
    pop = np.array([_SEOUL[d][0] for d in names], dtype=np.float64)
    need = np.array([_SEOUL[d][1] for d in names])
    univ = np.array([_SEOUL[d][2] for d in names], dtype=np.float64)
    s_w = pop * need / (pop * need).mean()
    t_w = 0.5 * pop / pop.mean() + 0.5 * univ / univ.mean()
    lat = np.array([SEOUL_DISTRICTS[d][0] for d in names])
    lon = np.array([SEOUL_DISTRICTS[d][1] for d in names])

    extra = max(0, min(n_districts, max_districts()) - len(names))
    if extra:
        lattice = _lattice()
        cap = lattice.capital
        take = [cap[: min(extra, cap.size)]]
        rest = extra - take[0].size
        if rest:
            weights = np.array([c[3] for c in _OTHER])
            room = np.array([o.size for o in lattice.other], dtype=np.int64)
            counts = _apportion(rest, weights, room)
            take += [o[:k] for o, k in zip(lattice.other, counts.tolist(), strict=True)]
        picked = np.concatenate(take)
        labels = _labels()
        seen: dict[int, int] = {}
        for p in picked.tolist():
            k = int(lattice.label[p])
            seen[k] = seen.get(k, 0) + 1
            names.append(f"{labels[k]}-{seen[k]:02d}")
        lat = np.concatenate([lat, lattice.lat[picked]])
        lon = np.concatenate([lon, lattice.lon[picked]])
        w = rng.gamma(4.0, 0.25, size=picked.size)
        s_w, t_w = np.concatenate([s_w, w]), np.concatenate([t_w, w])
    return Districts(tuple(names), lat, lon, s_w / s_w.sum(), t_w / t_w.sum())
