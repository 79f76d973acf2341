"""What :func:`~matchkit.recruit` decided, as sheets: ``hires.csv`` and ``curve.csv``.

:func:`write_hires` writes both into a folder as one set under the folder's manifest
(:mod:`matchkit.io.atomic`, kind ``"hires"``), beside the new cohort and its result if the
folder holds them. :func:`hires_table` and :func:`curve_table` are the pure ``(header,
rows)`` forms, every cell a string and every text cell spreadsheet-escaped
(:func:`matchkit.io.cells.escape`), as :mod:`matchkit.io.tables` writes a result's sheets.

- ``hires.csv``: one row per applicant, hired first by value, in the columns of
  :meth:`RecruitResult.to_frame() <matchkit.RecruitResult.to_frame>`: ``applicant_id``,
  ``hired`` (``true``/``false``), ``reason`` (``hired``, ``below_standard``,
  ``not_recommended``, ``quota_full``, ``lower_value``), ``detail``, ``university``,
  ``review``, ``points``, ``value`` (empty for an applicant not considered, or a hire whose
  value was not computed in time), ``students``, ``sole_students``, ``subjects`` and
  ``districts`` (``, ``-separated), ``weekly_hours``.
- ``curve.csv``: one row per hire count of the value curve: ``hires``, ``objective``,
  ``bound``, ``matched`` (just the header when the curve is empty).

Neither holds anything about a mentee; pandas is not needed.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from matchkit.domain.hiring import HireDecision, RecruitResult
from matchkit.io.atomic import FileSet
from matchkit.io.cells import escape, format_number, write_rows

__all__ = ["CURVE_FILE", "HIRES_FILE", "HIRES_FILES", "curve_table", "hires_table", "write_hires"]

PathLike = str | os.PathLike[str]
Table = tuple[list[str], list[list[str]]]
HIRES_FILE = "hires.csv"
"""One row per applicant."""
CURVE_FILE = "curve.csv"
"""The value of fewer and more hires."""
HIRES_FILES = (HIRES_FILE, CURVE_FILE)
"""The files of the ``"hires"`` set in a folder's manifest."""
HIRES_COLUMNS = [
    "applicant_id", "hired", "reason", "detail", "university", "review", "points", "value",
    "students", "sole_students", "subjects", "districts", "weekly_hours",
]  # fmt: skip
"""The columns of ``hires.csv`` (those of ``RecruitResult.to_frame()``)."""
CURVE_COLUMNS = ["hires", "objective", "bound", "matched"]
"""The columns of ``curve.csv`` (those of ``RecruitResult.curve_frame()``)."""


def _num(x: float) -> str:
    return format_number(round(x, 6))


def _row(d: HireDecision) -> list[str]:
    return [
        escape(d.applicant_id),
        "true" if d.hired else "false",
        d.reason.value,
        escape(d.detail),
        "" if d.university is None else escape(d.university),
        _num(d.review),
        _num(d.points),
        "" if d.value is None else _num(d.value),
        str(d.students),
        str(d.sole_students),
        escape(", ".join(d.subjects)),
        escape(", ".join(d.districts)),
        _num(d.weekly_hours),
    ]


def hires_table(result: RecruitResult) -> Table:
    """``hires.csv`` as ``(header, rows)``: one row per applicant, in ``result.decisions``'
    order (hired first, by value).

    Examples
    --------
    >>> from matchkit import Applicant, Cohort, HiringRules, Mentee, recruit
    >>> kid = Mentee(id="s-1", level="middle", grade=2, needs={"math": 1},
    ...              availability="Sat 10:00-12:00", district="Mapo-gu")
    >>> apps = [Applicant(id=f"a-{k}", subjects={"math": 4}, availability="Sat 10:00-14:00",
    ...                   district="Mapo-gu", university=u, review=r)
    ...         for k, (u, r) in enumerate([("=cmd", 80), ("Sogang University", 40)])]
    >>> r = recruit(Cohort(mentors=[], mentees=[kid]), apps,
    ...             rules=HiringRules(hire=1, min_review=50), curve=None)
    >>> header, rows = hires_table(r)
    >>> header[:3]
    ['applicant_id', 'hired', 'reason']
    >>> [row[:3] for row in rows]
    [['a-0', 'true', 'hired'], ['a-1', 'false', 'below_standard']]
    >>> rows[0][header.index("university")]  # escaped: a spreadsheet shows it as text
    "'=cmd"
    """
    return list(HIRES_COLUMNS), [_row(d) for d in result.decisions]


def curve_table(result: RecruitResult) -> Table:
    """``curve.csv`` as ``(header, rows)``: one row per hire count, fewest first."""
    rows = [
        [str(c.hires), _num(c.objective), _num(c.bound), str(c.matched)]
        for c in sorted(result.curve, key=lambda c: c.hires)
    ]
    return list(CURVE_COLUMNS), rows


def write_hires(result: RecruitResult, folder: PathLike) -> None:
    """Write ``hires.csv`` and ``curve.csv`` into ``folder`` (created if needed).

    Both are written at once under the folder's manifest ``matchkit-manifest.json`` as the
    set ``"hires"`` (:mod:`matchkit.io.atomic`): an interrupted write leaves the previous
    files as they were, and sets of other kinds in the folder (the new cohort, its result)
    are kept. CSV files are UTF-8 with a byte-order mark; a text cell a spreadsheet would
    run as a formula is written with a ``'`` in front. Columns: see the module docstring.
    """
    files = FileSet(Path(folder), "hires", HIRES_FILES)
    for name, (header, rows) in (
        (HIRES_FILE, hires_table(result)),
        (CURVE_FILE, curve_table(result)),
    ):
        files.add(name, functools.partial(_write, header, rows), records=len(rows))
    files.commit()


def _write(header: list[str], rows: list[list[str]], path: Path) -> None:
    write_rows(path, header, rows)
