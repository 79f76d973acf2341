"""The matches sheet read back: who is paired with whom, as an officer edited it.

``matches.csv`` (and the ``matches`` sheet of a result workbook) is an export for people:
the officer reads it, moves a mentee to another mentor or clears a ``mentor_id`` cell, and
checks the edit with ``matchkit verify``. :func:`read_matches` reads only the two columns
that say who is paired with whom, by their header names, ``mentee_id`` and ``mentor_id``;
every other column (scores, reasons, names, columns an officer added) is ignored, so
nothing there can be mistaken for the answer. Rows left wholly empty are skipped.
"""

from __future__ import annotations

from pathlib import Path

from matchkit.errors import InputError, InputProblem
from matchkit.io.cells import read_rows, shown, unescape
from matchkit.io.xlsx import read_sheet

__all__ = ["MATCHES_SHEET", "read_matches"]

MATCHES_SHEET = "matches"
"""The workbook sheet holding the matches (``matches.csv`` in a result folder)."""

_MENTEE = "mentee_id"
_MENTOR = "mentor_id"


def read_matches(path: str | Path) -> dict[str, str | None]:
    """Read an edited matches sheet: each mentee id with its mentor id, or None if unmatched.

    Parameters
    ----------
    path : str or Path
        A ``matches.csv`` file, a result workbook (``.xlsx``, its ``matches`` sheet), or a
        result folder (its ``matches.csv``).

    Returns
    -------
    dict
        Mentee id to mentor id (None where the ``mentor_id`` cell is empty), in the sheet's
        order.

    Raises
    ------
    InputError
        The sheet cannot be read, has no ``mentee_id`` or ``mentor_id`` column, has a row
        whose ``mentee_id`` is empty, or lists a mentee twice; each problem names the row
        (header = row 1), the column and the value.
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = pathlib.Path(tmp) / "matches.csv"
    ...     _ = p.write_text("mentee_id,mentor_id,note\\ns-1,m-1,ok\\ns-2,,\\n")
    ...     read_matches(p)
    {'s-1': 'm-1', 's-2': None}
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file or folder: {str(p)!r}")
    if p.is_dir():
        p = p / "matches.csv"
        if not p.is_file():
            raise InputError(
                f"result folder {str(p.parent)!r}",
                [InputProblem("missing_file", "matches.csv", "is not in the folder")],
            )
    problems: list[InputProblem] = []
    if p.suffix.lower() == ".xlsx":
        rows = read_sheet(p, MATCHES_SHEET, problems)
        label = f"{p.name} sheet {MATCHES_SHEET}"
    else:
        rows = read_rows(p, problems)
        label = p.name
    if rows is None:
        raise InputError(f"matches sheet {str(p)!r}", problems)
    pairs = _pairs(rows, label, problems)
    if problems or pairs is None:
        raise InputError(f"matches sheet {str(p)!r}", problems)
    return pairs


def _pairs(
    rows: list[list[str]], label: str, problems: list[InputProblem]
) -> dict[str, str | None] | None:
    header = [unescape(c).strip().lower() for c in rows[0]] if rows else []
    cols: dict[str, int] = {}
    for name in (_MENTEE, _MENTOR):
        if name in header:
            cols[name] = header.index(name)
        else:
            problems.append(
                InputProblem("missing_column", f"{label} row 1", f"has no {name!r} column")
            )
    if len(cols) < 2:
        return None
    pairs: dict[str, str | None] = {}
    first_row: dict[str, int] = {}
    for r, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        got = {
            name: unescape(cells[k]).strip() if k < len(cells) else "" for name, k in cols.items()
        }
        mentee, mentor = got[_MENTEE], got[_MENTOR]
        if not mentee:
            shown_mentor = f" (mentor_id {shown(mentor)})" if mentor else ""
            problems.append(
                InputProblem(
                    "empty_id",
                    f"{label} row {r}, column {_MENTEE}",
                    f"is empty{shown_mentor}; every row needs the mentee's id",
                )
            )
            continue
        if mentee in first_row:
            problems.append(
                InputProblem(
                    "duplicate_id",
                    f"{label} row {r}, column {_MENTEE}",
                    f"{shown(mentee)} is listed twice (first in row {first_row[mentee]})",
                )
            )
            continue
        first_row[mentee] = r
        pairs[mentee] = mentor or None
    return pairs
