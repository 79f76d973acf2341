"""Small hand-made cohorts the tests share: one math mentor in Mapo-gu, Saturday morning."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matchkit import Cohort, Mentee, Mentor


def math_mentor(id: str = "m-1", capacity: int = 3, **kw: object) -> Mentor:
    """A math mentor (proficiency 4) free on Saturday 10:00-14:00 in Mapo-gu."""
    kw.setdefault("subjects", {"math": 4})
    return Mentor(
        id=id, availability="Sat 10:00-14:00", district="Mapo-gu", capacity=capacity, **kw
    )  # type: ignore[arg-type]


def math_mentee(id: str, **kw: object) -> Mentee:
    """A middle-school mentee (grade 2) needing math on Saturday 10:00-12:00 in Mapo-gu."""
    kw.setdefault("level", "middle")
    kw.setdefault("grade", 2)
    return Mentee(
        id=id, needs={"math": 1}, availability="Sat 10:00-12:00", district="Mapo-gu", **kw
    )  # type: ignore[arg-type]


def mentor_with(id: str, **kw: Any) -> Mentor:
    """A math mentor (proficiency 4) free on Saturday 10:00-14:00 in Mapo-gu, any field
    overridden by ``kw``."""
    kw.setdefault("subjects", {"math": 4})
    kw.setdefault("availability", "Sat 10:00-14:00")
    kw.setdefault("district", "Mapo-gu")
    return Mentor(id=id, **kw)


def mentee_with(id: str, **kw: Any) -> Mentee:
    """A middle-school mentee (grade 2) needing math on Saturday 10:00-12:00 in Mapo-gu, any
    field overridden by ``kw``."""
    kw.setdefault("level", "middle")
    kw.setdefault("grade", 2)
    kw.setdefault("needs", {"math": 1})
    kw.setdefault("availability", "Sat 10:00-12:00")
    kw.setdefault("district", "Mapo-gu")
    return Mentee(id=id, **kw)


def one_mentor_cohort(
    capacity: int = 1,
    mentees: int = 2,
    *,
    first: int = 1,
    priorities: Sequence[int] | None = None,
    more_mentors: Sequence[Mentor] = (),
    **mentee_kw: object,
) -> Cohort:
    """``math_mentor('m-1', capacity)`` (and ``more_mentors``) with mentees ``s-<first>``,
    ``s-<first + 1>``, ... all eligible for it; ``priorities`` one per mentee."""
    ids = range(first, first + mentees)
    return Cohort(
        mentors=[math_mentor("m-1", capacity), *more_mentors],
        mentees=[
            math_mentee(
                f"s-{k}",
                **({} if priorities is None else {"priority": priorities[j]}),
                **mentee_kw,
            )
            for j, k in enumerate(ids)
        ],
    )
