"""Weekly availability as a grid of 30-minute slots, one 48-bit mask per day.

Bit ``k`` of day ``d`` is the half hour starting at ``k * 30`` minutes after midnight. The text
form is ``"Mon 18:00-21:00, Sat 10:00-12:30"``; the JSON form is that text or a list of
intervals (``"Mon 18:00-21:00"`` strings or ``{"day": "Mon", "start": "18:00", "end":
"21:00"}`` objects). Times must lie on the half-hour grid and an interval must end after it
starts (``24:00`` is allowed as an end); anything else is rejected with a message naming the
interval, never rounded silently.

What people type is read too, and written back in the canonical form above:

* days as ``Mon``, ``Monday`` (any case) or in Korean, ``월`` or ``월요일``;
* a range of days, ``Mon-Fri`` or ``월~금`` (Monday first: ``Fri-Mon`` is an error), or a
  list, ``토,일`` or ``Sat/Sun``, before one time range;
* ``-``, ``~`` or an en dash between the times (``19:00~21:00``), spaces optional.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

__all__ = ["DAYS", "SLOTS_PER_DAY", "Availability", "erode"]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SLOTS_PER_DAY = 48
SLOT_HOURS = 0.5
_DAY_INDEX = {d.lower(): i for i, d in enumerate(DAYS)}
_DAY_INDEX.update(
    {
        full: i
        for i, full in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    }
)
_DAY_INDEX.update({k: i for i, k in enumerate("월화수목금토일")})
_DAY_INDEX.update({f"{k}요일": i for i, k in enumerate("월화수목금토일")})
_FULL_DAY = (1 << SLOTS_PER_DAY) - 1
_DASH = "-~\u2013"
_INTERVAL = re.compile(rf"^\s*(\S.*?)\s+(\S+?)\s*[{_DASH}]\s*(\S+)\s*$")
_DAY_LIST = re.compile(r"\s*[,/]\s*")
_DAY_RANGE = re.compile(rf"\s*[{_DASH}]\s*")
_HAS_DIGIT = re.compile(r"\d")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


def _slot(text: str, interval: str, *, end: bool) -> int:
    m = _TIME.match(text)
    if not m:
        raise ValueError(f"availability {interval!r}: {text!r} is not a time of day (HH:MM)")
    hours, minutes = int(m.group(1)), int(m.group(2))
    if minutes >= 60 or hours > 24 or (hours == 24 and (minutes or not end)):
        raise ValueError(f"availability {interval!r}: {text!r} is not a time of day")
    if minutes % 30:
        raise ValueError(
            f"availability {interval!r}: {text!r} is not on the 30-minute grid (use :00 or :30)"
        )
    return hours * 2 + minutes // 30


def _day(name: str, interval: str) -> int:
    d = _DAY_INDEX.get(name.strip().lower())
    if d is None:
        raise ValueError(
            f"availability {interval!r}: {name.strip()!r} is not a day (use Mon..Sun or 월..일)"
        )
    return d


def _days(spec: str, interval: str) -> list[int]:
    """``Mon``, ``Mon-Fri``, ``월~금``, ``토,일``, ``Sat/Sun`` to day indices."""
    out: list[int] = []
    for part in _DAY_LIST.split(spec.strip()):
        ends = _DAY_RANGE.split(part)
        if len(ends) == 1:
            out.append(_day(ends[0], interval))
        elif len(ends) == 2:
            a, b = _day(ends[0], interval), _day(ends[1], interval)
            if b < a:
                raise ValueError(
                    f"availability {interval!r}: the days {part!r} run backwards (Monday first)"
                )
            out.extend(range(a, b + 1))
        else:
            raise ValueError(f"availability {interval!r}: {part!r} is not a day or day range")
    return out


def _parse_interval(day: str, start: str, end: str, interval: str) -> tuple[list[int], int]:
    days = _days(day, interval)
    a, b = _slot(start, interval, end=False), _slot(end, interval, end=True)
    if b <= a:
        raise ValueError(f"availability {interval!r}: the end is not after the start")
    return days, (((1 << (b - a)) - 1) << a)


def _text_items(text: str) -> list[str]:
    """Split text at commas, joining a part without any time (``토`` of ``토,일 10:00-12:00``,
    ``Mon`` of ``Mon, Wed 18:00-20:00``) to the days of the next part."""
    items: list[str] = []
    pending: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if not _HAS_DIGIT.search(part):
            pending.append(part)
            continue
        items.append(",".join([*pending, part]))
        pending = []
    if pending:
        raise ValueError(
            f"availability {', '.join(pending)!r} is not of the form 'Mon 18:00-21:00'"
        )
    return items


class Availability:
    """When someone can meet, week after week, in 30-minute slots.

    Immutable and hashable. Build it from text (``Availability.parse``), from a list of
    intervals, or from seven day masks; pydantic models accept any of these for an
    ``Availability`` field and serialise it back to text.

    Examples
    --------
    >>> a = Availability.parse("Mon 18:00-21:00, Sat 10:00-12:30")
    >>> a.hours
    5.5
    >>> b = Availability.parse("Mon 19:30-22:00")
    >>> a.longest_common_run(b)
    1.5
    >>> str(a & b)
    'Mon 19:30-21:00'
    """

    __slots__ = ("_masks",)
    _masks: tuple[int, ...]

    def __init__(self, masks: Iterable[int] = (0,) * 7) -> None:
        values = tuple(int(m) for m in masks)
        if len(values) != 7 or any(m < 0 or m > _FULL_DAY for m in values):
            raise ValueError("Availability needs seven day masks of 48 bits each")
        object.__setattr__(self, "_masks", values)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Availability is immutable")

    def __reduce__(self) -> tuple[Any, tuple[tuple[int, ...]]]:
        # Pickle by value (process pools, Dask): slots plus the guarded __setattr__ would
        # otherwise defeat pickle's default state restore.
        return (Availability.from_masks, (self._masks,))

    # --- construction -------------------------------------------------------------------
    @classmethod
    def from_masks(cls, masks: tuple[int, ...]) -> Availability:
        """From seven day masks known to be valid (no checks: for masks matchkit computed)."""
        obj = object.__new__(cls)
        object.__setattr__(obj, "_masks", masks)
        return obj

    @classmethod
    def parse(cls, value: str | Iterable[Any] | Availability) -> Availability:
        """Read the text form or a list of intervals (see the module docstring)."""
        if isinstance(value, Availability):
            return value
        items: Iterable[Any]
        if isinstance(value, str):
            items = _text_items(value)
        elif isinstance(value, Iterable) and not isinstance(value, bytes | Mapping):
            items = value
        else:
            raise ValueError(f"availability must be text or a list of intervals, got {value!r}")
        masks = [0] * 7
        for item in items:
            if isinstance(item, str):
                m = _INTERVAL.match(item)
                if not m:
                    raise ValueError(
                        f"availability {item.strip()!r} is not of the form 'Mon 18:00-21:00'"
                    )
                days, mask = _parse_interval(m.group(1), m.group(2), m.group(3), item.strip())
            elif isinstance(item, Mapping) and {"day", "start", "end"} <= item.keys():
                text = f"{item['day']} {item['start']}-{item['end']}"
                days, mask = _parse_interval(
                    str(item["day"]), str(item["start"]), str(item["end"]), text
                )
            else:
                raise ValueError(
                    f"availability interval {item!r} must be 'Mon 18:00-21:00' or "
                    "{'day': 'Mon', 'start': '18:00', 'end': '21:00'}"
                )
            for day in days:
                masks[day] |= mask
        return cls(masks)

    # --- queries ------------------------------------------------------------------------
    @property
    def masks(self) -> tuple[int, ...]:
        """The seven day masks, Monday first."""
        return self._masks

    @property
    def hours(self) -> float:
        """Total hours available per week."""
        return sum(m.bit_count() for m in self._masks) * SLOT_HOURS

    def __bool__(self) -> bool:
        return any(self._masks)

    def __and__(self, other: Availability) -> Availability:
        masks = tuple(a & b for a, b in zip(self._masks, other._masks, strict=True))
        return Availability.from_masks(masks)  # valid masks' intersection: valid

    def __or__(self, other: Availability) -> Availability:
        masks = tuple(a | b for a, b in zip(self._masks, other._masks, strict=True))
        return Availability.from_masks(masks)

    def longest_run(self) -> float:
        """The longest contiguous stretch on any one day, in hours."""
        return max((_run_length(m) for m in self._masks), default=0) * SLOT_HOURS

    def longest_common_run(self, other: Availability) -> float:
        """The longest contiguous stretch both can make on one day, in hours."""
        pairs = zip(self._masks, other._masks, strict=True)
        return max(_run_length(a & b) for a, b in pairs) * SLOT_HOURS

    def intervals(self) -> list[tuple[str, str, str]]:
        """``(day, start, end)`` triples of maximal runs, Monday first."""
        out: list[tuple[str, str, str]] = []
        for d, mask in enumerate(self._masks):
            k = 0
            while k < SLOTS_PER_DAY:
                if mask >> k & 1:
                    start = k
                    while k < SLOTS_PER_DAY and mask >> k & 1:
                        k += 1
                    out.append((DAYS[d], _clock(start), _clock(k)))
                else:
                    k += 1
        return out

    def __str__(self) -> str:
        return ", ".join(f"{d} {a}-{b}" for d, a, b in self.intervals())

    def __repr__(self) -> str:
        return f"Availability({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Availability) and self._masks == other._masks

    def __hash__(self) -> int:
        return hash(self._masks)

    # --- pydantic integration -----------------------------------------------------------
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "description": "Weekly availability in 30-minute slots, e.g. "
            "'Mon 18:00-21:00, Sat 10:00-12:30'",
            "examples": ["Mon 18:00-21:00, Sat 10:00-12:30"],
        }


def _clock(slot: int) -> str:
    return f"{slot // 2:02d}:{'30' if slot % 2 else '00'}"


def _run_length(mask: int) -> int:
    n = 0
    while mask:
        mask &= mask >> 1
        n += 1
    return n


# --- vectorised helper used by the compiler ------------------------------------------------


def erode(masks: npt.NDArray[np.uint64], length: int) -> npt.NDArray[np.uint64]:
    """Day masks where bit ``k`` survives iff slots ``k .. k + length - 1`` are all set.

    A run of ``length`` ones survives ``length - 1`` erosions ``x &= x >> 1``; erosion
    distributes over ``&``, so ``erode(a & b) == erode(a) & erode(b)``: two people share a
    window of ``length`` slots iff their eroded masks share a bit.
    """
    x = masks.copy()
    one = np.uint64(1)
    for _ in range(1, length):
        x &= x >> one
    return x
