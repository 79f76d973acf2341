"""Which mentors a mentee could reach: a safe spatial pre-filter for candidate pairs.

Placed people (with coordinates) fall into square-ish cells of ``cell_km`` (latitude and
longitude scaled to kilometres). Each cell gets a centroid and a radius (its farthest member
from the centroid, by great-circle distance). Cell ``e`` is within reach ``R`` of cell ``d``
when ``dist(centroid_d, centroid_e) - radius_d - radius_e <= R``: by the triangle inequality
no two people in cells out of reach can be within ``R`` of each other, so the exact per-pair
distance rule applied afterwards loses nothing. Mentors without coordinates are never
filtered here (their distances are decided per pair).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from matchkit.compiler.arrays import CohortArrays
from matchkit.domain.geo import haversine_km

__all__ = ["SpatialReach"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
_KM_PER_DEGREE = 111.195


class SpatialReach:
    """Cells of placed people, and the mentors within reach of a cell (cached per reach)."""

    def __init__(self, a: CohortArrays, cell_km: float) -> None:
        lat = np.concatenate([a.s_lat, a.t_lat])
        lon = np.concatenate([a.s_lon, a.t_lon])
        placed = ~np.isnan(lat)
        y = np.floor(np.where(placed, lat, 0.0) * _KM_PER_DEGREE / cell_km)
        x = np.floor(
            np.where(placed, lon, 0.0)
            * _KM_PER_DEGREE
            * np.cos(np.radians(np.where(placed, lat, 0.0)))
            / cell_km
        )
        grid = np.column_stack([y, x])[placed]
        _, code = np.unique(grid, axis=0, return_inverse=True)
        cell = np.full(lat.size, -1, dtype=np.int64)
        cell[placed] = code.reshape(-1)
        n_cells = int(code.max()) + 1 if code.size else 0
        count = np.bincount(cell[placed], minlength=n_cells).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.lat = np.bincount(cell[placed], weights=lat[placed], minlength=n_cells) / count
            self.lon = np.bincount(cell[placed], weights=lon[placed], minlength=n_cells) / count
        spread = haversine_km(
            lat[placed], lon[placed], self.lat[cell[placed]], self.lon[cell[placed]]
        )
        self.radius = np.zeros(n_cells)
        np.maximum.at(self.radius, cell[placed], spread)
        ns = a.n_mentees
        self.s_cell, t_cell = cell[:ns], cell[ns:]
        order = np.argsort(t_cell, kind="stable")
        self._t_order = order.astype(np.int64)
        self._t_starts = np.searchsorted(t_cell[order], np.arange(n_cells + 1))
        self._unplaced = np.flatnonzero(t_cell < 0).astype(np.int64)
        self._cache: dict[tuple[int, float], I64] = {}

    def mentors_within(self, cell: int, reach_km: float) -> I64:
        """Mentors possibly within ``reach_km`` of someone in ``cell``, sorted."""
        key = (cell, reach_km)
        found = self._cache.get(key)
        if found is None:
            gap = haversine_km(self.lat[cell], self.lon[cell], self.lat, self.lon)
            near = np.flatnonzero(gap - self.radius[cell] - self.radius <= reach_km + 1e-9)
            parts = [self._unplaced]
            parts += [self._t_order[self._t_starts[c] : self._t_starts[c + 1]] for c in near]
            found = np.sort(np.concatenate(parts))
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = found
        return found
