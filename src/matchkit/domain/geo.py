"""Places: Seoul's 25 districts with approximate coordinates, and travel distance.

Distances are great-circle kilometres between coordinates (haversine). A person's own
coordinates win; otherwise a known Seoul district lends its district office's coordinates;
otherwise the distance between two people is 0 within the same district label and unknown
(treated as too far for an offline pair) across labels.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["EARTH_RADIUS_KM", "SEOUL_DISTRICTS", "district_coordinates", "haversine_km"]

# District offices (구청), rounded to 4 decimals: close enough for "how far is a weekly trip".
SEOUL_DISTRICTS: dict[str, tuple[float, float]] = {
    "Jongno-gu": (37.5735, 126.9790),
    "Jung-gu": (37.5641, 126.9979),
    "Yongsan-gu": (37.5326, 126.9905),
    "Seongdong-gu": (37.5633, 127.0371),
    "Gwangjin-gu": (37.5385, 127.0823),
    "Dongdaemun-gu": (37.5744, 127.0400),
    "Jungnang-gu": (37.6066, 127.0927),
    "Seongbuk-gu": (37.5894, 127.0167),
    "Gangbuk-gu": (37.6396, 127.0257),
    "Dobong-gu": (37.6688, 127.0471),
    "Nowon-gu": (37.6542, 127.0568),
    "Eunpyeong-gu": (37.6027, 126.9291),
    "Seodaemun-gu": (37.5791, 126.9368),
    "Mapo-gu": (37.5663, 126.9019),
    "Yangcheon-gu": (37.5170, 126.8665),
    "Gangseo-gu": (37.5509, 126.8495),
    "Guro-gu": (37.4954, 126.8874),
    "Geumcheon-gu": (37.4569, 126.8955),
    "Yeongdeungpo-gu": (37.5264, 126.8962),
    "Dongjak-gu": (37.5124, 126.9393),
    "Gwanak-gu": (37.4784, 126.9516),
    "Seocho-gu": (37.4837, 127.0324),
    "Gangnam-gu": (37.5172, 127.0473),
    "Songpa-gu": (37.5145, 127.1059),
    "Gangdong-gu": (37.5301, 127.1238),
}

EARTH_RADIUS_KM = 6371.0088


_LOOKUP = {name.lower(): xy for name, xy in SEOUL_DISTRICTS.items()}
_LOOKUP.update({name.lower().removesuffix("-gu"): xy for name, xy in SEOUL_DISTRICTS.items()})


def district_coordinates(district: str) -> tuple[float, float] | None:
    """The coordinates of a known Seoul district (case-insensitive, "-gu" optional), else None.

    Examples
    --------
    >>> district_coordinates("mapo"), district_coordinates("Atlantis")
    ((37.5663, 126.9019), None)
    """
    return _LOOKUP.get(district.strip().lower())


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in km, elementwise (NaN where a coordinate is missing).

    Examples
    --------
    >>> round(float(haversine_km(37.5172, 127.0473, 37.5735, 126.9790)), 1)  # Gangnam-Jongno
    8.7
    """
    p1, p2 = np.radians(np.asarray(lat1, float)), np.radians(np.asarray(lat2, float))
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2, float) - np.asarray(lon1, float))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0))))
