"""An applicant: a mentor not yet hired, with what the hiring decision reads (pydantic, frozen).

:class:`Applicant` is a :class:`~matchkit.Mentor` (a subclass), so everything that reads a
mentor (subjects, week, place, capacity) reads an applicant the same way; it adds whether
the applicant's university recommended them and the expert review's points. The fields the
city's selection rules use and a mentor already has are ``university``, ``terms_committed``
(long-term commitment) and ``alumni`` (a former mentee). :meth:`Applicant.as_mentor` gives
the plain mentor record to put in next term's cohort once the applicant is hired.
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from matchkit.domain.model import Mentor
from matchkit.domain.policy import bounded

__all__ = ["MAX_REVIEW", "Applicant"]

MAX_REVIEW = 100.0
"""The expert review's scale: points from 0 to 100."""

ReviewPoints = Annotated[
    float, bounded(0.0, MAX_REVIEW, "review score"), Field(ge=0, le=MAX_REVIEW, allow_inf_nan=False)
]
"""Expert review points in ``[0, 100]``: finite, never a boolean."""


class Applicant(Mentor):
    """An applicant to become a mentor: a :class:`~matchkit.Mentor` not yet hired, plus
    what the selection reads.

    Every mentor field means what it means for a mentor (``capacity`` is the mentees the
    applicant would take; ``terms_committed`` the terms they commit to, the city's
    "long-term" preference; ``alumni`` a former mentee of the programme, who gets extra
    selection points; ``university`` where they study, for per-university quotas). Errors
    name the record as ``applicant 'a-000012'``.

    Examples
    --------
    >>> a = Applicant(id="a-1", subjects={"Math": 4}, availability="Sat 10:00-14:00",
    ...               district="Mapo-gu", university="Sogang University", review=82.5)
    >>> a.recommended, a.review, a.terms_committed
    (True, 82.5, 1)
    >>> m = a.as_mentor()
    >>> type(m).__name__, m.id, m.subjects, m.university
    ('Mentor', 'a-1', {'math': 4}, 'Sogang University')
    >>> Applicant(id="a-2", subjects={"math": 4}, availability="", district="Mapo-gu",
    ...           review=120)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Applicant
      applicant 'a-2': review: 120 is above the largest review score, 100 [type=invalid_record]
    """

    _kind: ClassVar[str] = "applicant"

    recommended: bool = True
    """Recommended by their university (most applicants arrive this way)."""
    review: ReviewPoints
    """The expert review's points, 0 to 100 (required)."""

    def as_mentor(self) -> Mentor:
        """The same person as a plain :class:`~matchkit.Mentor` (every mentor field kept,
        ``recommended`` and ``review`` dropped): the record of a hired applicant in a
        :class:`~matchkit.Cohort`, which writes and reads back as a mentor."""
        return Mentor.model_validate({name: getattr(self, name) for name in Mentor.model_fields})
