"""Which districts a mentee can reach: a safe geographic pre-filter for candidate mentors.

Each district gets a centroid and a radius (the farthest of its members with coordinates).
District ``e`` is within reach ``R`` of district ``d`` when
``dist(centroid_d, centroid_e) - radius_d - radius_e <= R``: by the triangle inequality no
pair of people in districts out of reach can be within ``R`` of each other, so the exact
per-pair distance rule, applied afterwards, loses nothing. People without coordinates are
never filtered here (their distances are decided per pair).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchkit.domain.arrays import CohortArrays
from matchkit.domain.geo import haversine_km

__all__ = ["DistrictReach"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


class DistrictReach:
    """District centroids and radii, and reach masks over mentors, cached per (district, R)."""

    def __init__(self, a: CohortArrays) -> None:
        nd = len(a.districts)
        lat = np.concatenate([a.s_lat, a.t_lat])
        lon = np.concatenate([a.s_lon, a.t_lon])
        dist = np.concatenate([a.s_district, a.t_district])
        known = ~np.isnan(lat)
        count = np.bincount(dist[known], minlength=nd).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.lat = np.bincount(dist[known], weights=lat[known], minlength=nd) / count
            self.lon = np.bincount(dist[known], weights=lon[known], minlength=nd) / count
        spread = haversine_km(lat[known], lon[known], self.lat[dist[known]], self.lon[dist[known]])
        self.radius = np.zeros(nd)
        np.maximum.at(self.radius, dist[known], spread)
        self.t_district = a.t_district
        self.t_unplaced = np.isnan(a.t_lat)
        self._cache: dict[tuple[int, float], I64] = {}

    def mentors_within(self, district: int, reach_km: float) -> I64:
        """Mentors possibly within ``reach_km`` of someone placed in ``district`` (sorted)."""
        key = (district, reach_km)
        mask = self._cache.get(key)
        if mask is None:
            gap = haversine_km(self.lat[district], self.lon[district], self.lat, self.lon)
            near = (gap - self.radius[district] - self.radius) <= reach_km + 1e-9
            near[district] = True
            mask = np.flatnonzero(near[self.t_district] | self.t_unplaced).astype(np.int64)
            self._cache[key] = mask
        return mask
