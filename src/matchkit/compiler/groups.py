"""Groups of mentees by a field's value, for floors, max-min fairness and per-mentor caps.

A field is one of the mentee fields in :data:`FIELDS` or the name of a key of
``Mentee.attributes``; every mentee must then have that attribute (a missing one is an input
error naming the mentee, never a silent extra group).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from matchkit.domain.model import Cohort, Mentee
from matchkit.domain.policy import Policy
from matchkit.errors import InputError, InputProblem

__all__ = ["FIELDS", "GroupRules", "Grouping", "group_rules", "relaxed_floors_text"]

I64 = npt.NDArray[np.int64]

FIELDS = ("priority", "level", "grade", "district", "mode", "session_hours")
"""Mentee fields a rule may group by (any other name is read from ``attributes``)."""


def _value(s: Mentee, field: str) -> Any:
    if field in FIELDS:
        v = getattr(s, field)
        return v.value if hasattr(v, "value") else v
    return s.attributes.get(field, _MISSING)


_MISSING = object()


@dataclass(frozen=True)
class Grouping:
    """Mentees coded by one field's value: ``code[i]`` indexes ``values``."""

    field: str
    values: tuple[Any, ...]
    code: I64

    def label(self, k: int) -> str:
        return f"{self.field}={self.values[k]!r}"


@dataclass(frozen=True)
class GroupRules:
    """The policy's group rules resolved against one cohort.

    ``floors``: (label, mentee rows, least matched) per group with a floor.
    ``maxmin``: (label, mentee rows) per group whose match rate the max-min stage lifts.
    ``caps``: (grouping, k) per :class:`~matchkit.domain.policy.GroupCap`.
    ``limits``: (label, mentee mask, at_least, at_most) per category limit.
    """

    floors: tuple[tuple[str, I64, int], ...]
    maxmin: tuple[tuple[str, I64], ...]
    caps: tuple[tuple[Grouping, int], ...]
    limits: tuple[tuple[str, npt.NDArray[np.bool_], int, int | None], ...]


def _grouping(
    cohort: Cohort, field: str, where: str, problems: list[InputProblem], cache: dict[str, Any]
) -> Grouping | None:
    if field in cache:
        return cache[field]  # type: ignore[no-any-return]
    raw = [_value(s, field) for s in cohort.mentees]
    missing = [k for k, v in enumerate(raw) if v is _MISSING]
    if missing:
        shown = ", ".join(repr(cohort.mentees[k].id) for k in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        problems.append(
            InputProblem(
                "unknown_field",
                where,
                f"{field!r} is not a mentee field ({', '.join(FIELDS)}) and mentee(s) "
                f"{shown}{more} have no attribute of that name",
                tuple(missing[:20]),
            )
        )
        cache[field] = None
        return None
    # Sort values by type name then value: mixed attribute types must not fail to sort.
    values = tuple(sorted(set(raw), key=lambda v: (type(v).__name__, v)))
    index = {v: k for k, v in enumerate(values)}
    grouping = Grouping(field, values, np.array([index[v] for v in raw], dtype=np.int64))
    cache[field] = grouping
    return grouping


def _match(grouping: Grouping, value: Any) -> npt.NDArray[np.bool_]:
    hits = [k for k, v in enumerate(grouping.values) if v == value and type(v) is type(value)]
    if not hits:  # 3 == 3.0 and "3" != 3: compare loosely only across numbers
        hits = [k for k, v in enumerate(grouping.values) if v == value]
    return np.isin(grouping.code, np.array(hits, dtype=np.int64))


def group_rules(cohort: Cohort, policy: Policy) -> GroupRules:
    """Resolve every group rule of ``policy``; raise :class:`InputError` listing every bad one."""
    problems: list[InputProblem] = []
    cache: dict[str, Any] = {}
    floors: list[tuple[str, I64, int]] = []
    for k, f in enumerate(policy.floors):
        g = _grouping(cohort, f.field, f"policy.floors[{k}].field", problems, cache)
        if g is None:
            continue
        if f.value is None:
            chosen = [(g.label(c), np.flatnonzero(g.code == c)) for c in range(len(g.values))]
        else:
            rows = np.flatnonzero(_match(g, f.value))
            if rows.size == 0:
                problems.append(
                    InputProblem(
                        "empty_group",
                        f"policy.floors[{k}].value",
                        f"no mentee has {f.field}={f.value!r}",
                    )
                )
                continue
            chosen = [(f"{f.field}={f.value!r}", rows)]
        for label, rows in chosen:
            need = int(np.ceil(f.min_rate * rows.size - 1e-9))
            floors.append((label, rows, need))
    maxmin: list[tuple[str, I64]] = []
    for k, field in enumerate(policy.maxmin):
        g = _grouping(cohort, field, f"policy.maxmin[{k}]", problems, cache)
        if g is not None:
            maxmin += [(g.label(c), np.flatnonzero(g.code == c)) for c in range(len(g.values))]
    caps: list[tuple[Grouping, int]] = []
    for k, cap in enumerate(policy.group_caps):
        g = _grouping(cohort, cap.field, f"policy.group_caps[{k}].field", problems, cache)
        if g is not None:
            caps.append((g, cap.max_per_mentor))
    limits: list[tuple[str, npt.NDArray[np.bool_], int, int | None]] = []
    for k, lim in enumerate(policy.category_limits):
        g = _grouping(cohort, lim.field, f"policy.category_limits[{k}].field", problems, cache)
        if g is not None:
            label = f"{lim.field}={lim.value!r}"
            limits.append((label, _match(g, lim.value), lim.at_least, lim.at_most))
    if problems:
        raise InputError("Policy", problems)
    return GroupRules(tuple(floors), tuple(maxmin), tuple(caps), tuple(limits))


def relaxed_floors_text(filled: int, total: int) -> str:
    """The explanation of an answer proven to fill the most floor places possible, ``filled``
    of the floors' ``total`` (each unmet floor's reason is in ``result.floors``)."""
    return (
        f"the floors cannot all be met: relaxed to the most floor places that can be filled "
        f"({filled} of {total}), then the best score with those held"
    )
