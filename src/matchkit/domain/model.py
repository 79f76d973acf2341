"""The people: mentors, mentees and the cohort they form (pydantic v2, frozen).

Every record is validated on construction and an error names the record and the field:
``mentee 's-0042': availability 'Mon 25:00-26:00': '25:00' is not a time of day``. IDs are
opaque strings; matchkit never logs a person's fields.
"""

from __future__ import annotations

import enum
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from matchkit.domain.geo import district_coordinates
from matchkit.domain.policy import MAX_NEED, MIN_NEED, Int, NotBool, bounded
from matchkit.domain.schedule import Availability
from matchkit.errors import InputError, InputProblem

__all__ = ["Cohort", "Level", "Mentee", "Mentor", "Mode"]

Scalar = str | int | float | bool
Proficiency = Annotated[Int, Field(ge=1, le=5)]
NeedWeight = Annotated[
    float, bounded(MIN_NEED, MAX_NEED, "need"), Field(ge=MIN_NEED, le=MAX_NEED, allow_inf_nan=False)
]
"""A need's weight, in ``[MIN_NEED, MAX_NEED]`` = [1e-6, 1e6] (see ``domain.policy``)."""


class Mode(enum.StrEnum):
    """How sessions can take place. ``both`` pairs with either."""

    ONLINE = "online"
    """Online only: pairs with ``online`` and ``both``, and meets online."""
    OFFLINE = "offline"
    """In person only: pairs with ``offline`` and ``both``, within the travel limit."""
    BOTH = "both"
    """Either: a pair meets online whenever both can, else offline."""

    def compatible(self, other: Mode) -> bool:
        """Whether two people with these modes can meet in some mode."""
        return Mode.BOTH in (self, other) or self is other


class Level(enum.StrEnum):
    """School level of a mentee: middle school (grades 1-3) or high school (grades 1-3)."""

    MIDDLE = "middle"
    """Middle school."""
    HIGH = "high"
    """High school."""


def _subject(name: str) -> str:
    key = name.strip().lower()
    if not key:
        raise ValueError("a subject name is empty")
    return key


def _subject_map(v: Any, empty: str) -> Any:
    """Lower-case and strip subject keys; reject repeats and an empty map."""
    if not isinstance(v, dict):
        return v  # pydantic reports the wrong type
    out: dict[str, Any] = {}
    for k, value in v.items():
        key = _subject(str(k))
        if key in out:
            raise ValueError(f"subject {key!r} is listed twice")
        out[key] = value
    if not out:
        raise ValueError(empty)
    return out


class _Person(BaseModel):
    """Fields and checks shared by mentors and mentees."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, hide_input_in_errors=True
    )
    _kind: ClassVar[str] = "person"

    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f]+$")]
    availability: Availability
    mode: Mode = Mode.BOTH
    district: Annotated[str, Field(min_length=1, max_length=64)]
    coordinates: (
        tuple[Annotated[float, Field(ge=-90, le=90)], Annotated[float, Field(ge=-180, le=180)]]
        | None
    ) = None
    attributes: dict[str, Scalar] = Field(default_factory=dict)
    name: Annotated[str, Field(max_length=200)] | None = None
    """The person's name, for the office's own exports only (personal data: never in
    errors, logs, ``result.json`` or reasons; see :mod:`matchkit.io.tables`)."""

    @model_validator(mode="wrap")
    @classmethod
    def _name_the_record(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        try:
            return handler(data)
        except ValidationError as exc:
            rid = data.get("id") if isinstance(data, dict) else getattr(data, "id", None)
            who = f"{cls._kind} {rid!r}" if rid else f"{cls._kind} (no id)"
            parts = []
            for err in exc.errors(include_url=False):
                field = ".".join(str(p) for p in err["loc"])
                msg = str(err["msg"]).removeprefix("Value error, ")
                if field and msg.startswith(f"{field} "):  # 'availability ...' says it already
                    parts.append(f"{who}: {msg}")
                else:
                    parts.append(f"{who}: {field}: {msg}" if field else f"{who}: {msg}")
            raise PydanticCustomError("invalid_record", "; ".join(parts)) from None

    def location(self) -> tuple[float, float] | None:
        """Own coordinates, else the known district's, else None."""
        return self.coordinates or district_coordinates(self.district)


class Mentor(_Person):
    """A university-student mentor.

    Examples
    --------
    >>> m = Mentor(id="m-1", subjects={"Math": 4}, availability="Sat 10:00-14:00",
    ...            district="Mapo-gu", capacity=3)
    >>> m.subjects, m.mode.value
    ({'math': 4}, 'both')
    """

    _kind: ClassVar[str] = "mentor"

    subjects: dict[str, Proficiency]
    """Subject (lower-cased) to proficiency, 1 (basic) to 5 (expert)."""
    capacity: Annotated[Int, Field(ge=0, le=50)] = 3
    """Mentees at once; 3 is the programme's typical load."""
    terms_committed: Annotated[Int, Field(ge=1, le=20)] = 1
    alumni: bool = False
    """A former mentee of the programme ("virtuous-cycle" mentor)."""
    university: str | None = None

    @field_validator("subjects", mode="before")
    @classmethod
    def _normalise_subjects(cls, v: Any) -> Any:
        return _subject_map(v, "a mentor must teach at least one subject")


class Mentee(_Person):
    """A middle- or high-school student who fell behind.

    Examples
    --------
    >>> s = Mentee(id="s-1", level="middle", grade=2, needs={"math": 2, "english": 1},
    ...            availability="Sat 10:00-12:00", district="Mapo-gu", priority=3)
    >>> s.session_hours, s.previous_mentor
    (2.0, None)
    """

    _kind: ClassVar[str] = "mentee"

    level: Level
    grade: Annotated[Int, Field(ge=1, le=3)]
    needs: dict[str, NeedWeight]
    """Subject (lower-cased) to how much the mentee needs it: a relative weight in
    [1e-6, 1e6] (a needs cell ``math`` without a weight means ``{"math": 1}``)."""
    session_hours: Annotated[float, NotBool, Field(gt=0, le=8)] = 2.0
    """Length of the one weekly session, on the half-hour grid."""
    priority: Annotated[Int, Field(ge=0, le=10)] = 1
    """Higher means greater need: the programme exists for the students left behind."""
    previous_mentor: str | None = None
    avoid: frozenset[str] = frozenset()
    """Mentor IDs never to pair with."""

    @field_validator("needs", mode="before")
    @classmethod
    def _normalise_needs(cls, v: Any) -> Any:
        return _subject_map(v, "a mentee must need at least one subject")

    @field_validator("session_hours")
    @classmethod
    def _half_hours(cls, v: float) -> float:
        if not math.isclose(v * 2, round(v * 2)):
            raise ValueError(f"{v} is not a whole number of half hours")
        return round(v * 2) / 2  # exactly: every reader compares it with whole slots

    @property
    def session_slots(self) -> int:
        """The session length in 30-minute slots."""
        return round(self.session_hours * 2)


class Cohort(BaseModel):
    """Everyone in one term: mentors and mentees, IDs unique, references checked.

    A ``previous_mentor`` who is no longer in the cohort is not an error: that mentee is
    listed by :meth:`lost_mentor` as needing a new mentor. An ``avoid`` entry naming an
    unknown mentor is an error (it is most likely a typo that would silently not apply).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    mentors: tuple[Mentor, ...]
    mentees: tuple[Mentee, ...]
    _arrays: Any = PrivateAttr(default=None)
    """The compiler's numpy view, built on first use (see ``domain.arrays``)."""

    @model_validator(mode="after")
    def _check_ids(self) -> Cohort:
        problems: list[str] = []
        for kind, people in (("mentor", self.mentors), ("mentee", self.mentees)):
            counts = Counter(p.id for p in people)
            dups = sorted(i for i, c in counts.items() if c > 1)
            if dups:
                shown = ", ".join(repr(d) for d in dups[:5])
                problems.append(f"{kind} ids must be unique; repeated: {shown}")
        known = {m.id for m in self.mentors}
        for s in self.mentees:
            unknown = sorted(s.avoid - known)
            if unknown:
                problems.append(f"mentee {s.id!r}: avoid names unknown mentor(s) {unknown}")
        if problems:
            raise ValueError("; ".join(problems[:20]))
        return self

    def __eq__(self, other: object) -> bool:
        # Fields only: the private array cache must not make equal cohorts differ.
        return type(other) is type(self) and self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]  # records hold dicts: not hashable

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Cohort:
        """As pydantic's, but a copy with changed people re-validates them (IDs unique,
        ``avoid`` known) and never carries the original's cached arrays."""
        if update:
            return Cohort.model_validate({**self.__dict__, **update})
        return super().model_copy(deep=deep)

    def mentor_index(self) -> dict[str, int]:
        """Mentor ID to position."""
        return {m.id: j for j, m in enumerate(self.mentors)}

    def mentee_index(self) -> dict[str, int]:
        """Mentee ID to position."""
        return {s.id: i for i, s in enumerate(self.mentees)}

    def lost_mentor(self) -> list[str]:
        """IDs of mentees whose previous mentor has left the cohort."""
        known = {m.id for m in self.mentors}
        return [s.id for s in self.mentees if s.previous_mentor and s.previous_mentor not in known]

    def with_previous(self, pairs: Mapping[str, str]) -> Cohort:
        """A copy whose mentees' ``previous_mentor`` is ``pairs.get(mentee id)`` (``None``
        for mentees not in ``pairs``): last term's answer as this term's history.

        Examples
        --------
        >>> c = Cohort(mentors=[], mentees=[Mentee(id="s-1", level="high", grade=1,
        ...     needs={"math": 1}, availability="Sat 10:00-12:00", district="Mapo-gu")])
        >>> c.with_previous({"s-1": "m-9"}).lost_mentor(), c.lost_mentor()
        (['s-1'], [])
        """
        mentees = tuple(
            s
            if s.previous_mentor == pairs.get(s.id)
            else s.model_copy(update={"previous_mentor": pairs.get(s.id)})
            for s in self.mentees
        )
        return Cohort(mentors=self.mentors, mentees=mentees)

    def changed(
        self,
        *,
        removed_mentors: Iterable[str] = (),
        removed_mentees: Iterable[str] = (),
        added_mentors: Iterable[Mentor] = (),
        added_mentees: Iterable[Mentee] = (),
    ) -> Cohort:
        """A copy without the removed people (by ID) and with the added ones at the end.

        Removed mentors are dropped from mentees' ``avoid`` lists (there is nobody left to
        avoid); a mentee whose ``previous_mentor`` was removed keeps it, and so counts as
        having lost their mentor.

        Raises
        ------
        InputError
            A removed ID is not in the cohort (a typo would otherwise remove nobody), or an
            added person's ID is already taken.
        """
        gone_t, gone_s = set(removed_mentors), set(removed_mentees)
        problems = [
            InputProblem("unknown_id", field, f"{kind} {x!r} is not in the cohort")
            for field, kind, ids, known in (
                ("removed_mentors", "mentor", gone_t, self.mentor_index()),
                ("removed_mentees", "mentee", gone_s, self.mentee_index()),
            )
            for x in sorted(ids - known.keys())
        ]
        if problems:
            raise InputError("Cohort.changed", problems)
        try:
            return Cohort(
                mentors=(*(m for m in self.mentors if m.id not in gone_t), *added_mentors),
                mentees=(
                    *(
                        s.model_copy(update={"avoid": s.avoid - gone_t}) if s.avoid & gone_t else s
                        for s in self.mentees
                        if s.id not in gone_s
                    ),
                    *added_mentees,
                ),
            )
        except ValidationError as exc:
            raise InputError(
                "Cohort.changed",
                [InputProblem("invalid", "added", str(e["msg"])) for e in exc.errors()],
            ) from None
