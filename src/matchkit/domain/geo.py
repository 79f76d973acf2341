"""Places: Seoul's 25 districts with approximate coordinates, and travel distance.

Distances are great-circle kilometres between coordinates (haversine). A person's own
coordinates win; otherwise a known Seoul district lends its district office's coordinates;
otherwise the distance between two people is 0 within the same district label and unknown
across labels (an offline pair across unknown districts is not eligible, and its reason
says the distance is unknown; ``Policy.unknown_districts`` decides whether such a district
is an error, the default, or a warning).

A district is recognised in its romanised form (``Mapo-gu``), its Korean form (``마포구``)
and the usual variants: without the suffix (``Mapo``, ``마포``), any case, with a space,
hyphen or nothing before ``gu`` (``mapo gu``, ``MAPOGU``), and the older spellings
``Jongro``, ``Kangnam``, ``Kwanak``, ... (:data:`DISTRICT_ALIASES`). The record keeps the
district as typed; :func:`resolve_district` maps it to the canonical name.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "DISTRICT_ALIASES",
    "EARTH_RADIUS_KM",
    "SEOUL_DISTRICTS",
    "district_coordinates",
    "haversine_km",
    "resolve_district",
    "suggest_district",
    "unknown_district_sentence",
    "unknown_districts",
]

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

DISTRICT_ALIASES: dict[str, tuple[str, ...]] = {
    "Jongno-gu": ("종로구", "Jongro", "Chongno"),
    "Jung-gu": ("중구", "Chung"),
    "Yongsan-gu": ("용산구",),
    "Seongdong-gu": ("성동구", "Sungdong"),
    "Gwangjin-gu": ("광진구", "Kwangjin"),
    "Dongdaemun-gu": ("동대문구", "Tongdaemun"),
    "Jungnang-gu": ("중랑구", "Joongnang", "Chungnang"),
    "Seongbuk-gu": ("성북구", "Sungbuk"),
    "Gangbuk-gu": ("강북구", "Kangbuk"),
    "Dobong-gu": ("도봉구", "Tobong"),
    "Nowon-gu": ("노원구",),
    "Eunpyeong-gu": ("은평구", "Eunpyung", "Unpyeong"),
    "Seodaemun-gu": ("서대문구", "Sodaemun"),
    "Mapo-gu": ("마포구",),
    "Yangcheon-gu": ("양천구", "Yangchon"),
    "Gangseo-gu": ("강서구", "Kangseo", "Kangso"),
    "Guro-gu": ("구로구", "Kuro"),
    "Geumcheon-gu": ("금천구", "Kumchon", "Geumchon"),
    "Yeongdeungpo-gu": ("영등포구", "Yongdungpo", "Youngdeungpo"),
    "Dongjak-gu": ("동작구", "Tongjak"),
    "Gwanak-gu": ("관악구", "Kwanak"),
    "Seocho-gu": ("서초구", "Sucho", "Socho"),
    "Gangnam-gu": ("강남구", "Kangnam"),
    "Songpa-gu": ("송파구",),
    "Gangdong-gu": ("강동구", "Kangdong"),
}
"""Other spellings of each district besides its romanised name (Korean, older romanisations).

Each is also accepted without its suffix (``종로``, ``Jongro``); see :func:`resolve_district`."""

EARTH_RADIUS_KM = 6371.0088

_SEPARATORS = re.compile(r"[\s\-_.]+")


def _key(text: str) -> str:
    """Case-, space- and hyphen-insensitive form; a trailing ``gu``/``구`` is dropped."""
    key = _SEPARATORS.sub("", text.strip().lower())
    for suffix in ("구", "gu"):
        if len(key) > len(suffix) + 1 and key.endswith(suffix):
            return key[: -len(suffix)]
    return key


_CANONICAL: dict[str, str] = {}
for _name, _aliases in DISTRICT_ALIASES.items():
    for _form in (_name, *_aliases):
        _CANONICAL[_key(_form)] = _name
# "Jung-gu" without its suffix is "jung", which "Jungnang" does not clash with; the Korean
# "중" alone (one syllable) is accepted as well.
_CANONICAL["중"] = "Jung-gu"


def resolve_district(district: str) -> str | None:
    """The canonical name of a Seoul district in any accepted spelling, else None.

    Examples
    --------
    >>> resolve_district("노원구"), resolve_district("nowon gu"), resolve_district("Jongro")
    ('Nowon-gu', 'Nowon-gu', 'Jongno-gu')
    >>> resolve_district("Mappo-gu") is None
    True
    """
    return _CANONICAL.get(_key(district))


def suggest_district(district: str) -> str | None:
    """The closest district name to a misspelling (for "did you mean"), else None.

    Examples
    --------
    >>> suggest_district("Mappo-gu"), suggest_district("Atlantis")
    ('Mapo-gu', None)
    """
    close = difflib.get_close_matches(_key(district), list(_CANONICAL), n=1, cutoff=0.75)
    return _CANONICAL[close[0]] if close else None


def district_coordinates(district: str) -> tuple[float, float] | None:
    """The coordinates of a known Seoul district in any accepted spelling, else None.

    Examples
    --------
    >>> district_coordinates("mapo"), district_coordinates("마포구")
    ((37.5663, 126.9019), (37.5663, 126.9019))
    >>> district_coordinates("Atlantis") is None
    True
    """
    name = resolve_district(district)
    return None if name is None else SEOUL_DISTRICTS[name]


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


def unknown_districts(kind: str, people: Iterable[Any]) -> list[tuple[str, str, str | None]]:
    """``(who, district, suggestion)`` for each person who needs a place and has none.

    A person needs a place when they may meet offline (``offline`` or ``both`` mode) and
    have no ``coordinates``; they have none when their ``district`` is not a Seoul district
    in any accepted spelling. ``who`` is ``"mentee 's-1'"``; ``suggestion`` the closest
    district name, if any.

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> unknown_districts("mentee", [P(id="s-1", mode="offline", coordinates=None,
    ...                                district="Mappo-gu")])
    [("mentee 's-1'", 'Mappo-gu', 'Mapo-gu')]
    """
    return [
        (f"{kind} {p.id!r}", p.district, suggest_district(p.district))
        for p in people
        if p.coordinates is None
        and str(p.mode) in ("offline", "both")
        and resolve_district(p.district) is None
    ]


def unknown_district_sentence(district: str, suggestion: str | None) -> str:
    """``'Mappo-gu' is not a Seoul district (did you mean 'Mapo-gu'?)``."""
    hint = f"; did you mean {suggestion!r}?" if suggestion else ""
    return f"{district!r} is not a Seoul district{hint}"
