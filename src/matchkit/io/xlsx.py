"""Excel workbooks (``.xlsx``) for :mod:`matchkit.io`: sheets read as CSV rows, tables written.

Private: :func:`matchkit.io.read_cohort`, :func:`matchkit.io.write_cohort` and
:func:`matchkit.io.write_result` are the API. A sheet is read into the same rows of text
cells a CSV file gives (:func:`matchkit.io.cells.read_rows`), so the same checks, columns and
row numbers apply: a sheet's row 1 is its header, as in the spreadsheet. openpyxl, the
maintained pure-Python reader and writer of the format, is imported only here and only when
a workbook is read or written.

How cells become text: a number as a spreadsheet shows it (``3``, ``2.5``), ``TRUE``/``FALSE``
as ``true``/``false``, a date as ``2026-03-02``, a time of day as ``19:00``, an empty cell as
an empty one; a formula by the value Excel saved with it (a formula without a saved value, as
some tools write them, is an error naming the cell, never read as empty).

How tables are written: every cell that reads as a number is stored as a number, every other
as text. A text cell is stored as a string, never as a formula, whatever its first
character: Excel and LibreOffice show ``=HYPERLINK(...)`` in a string cell as text and do
not run it, which is what the ``'`` mark does in CSV files (the mark is removed here).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from matchkit.errors import InputProblem
from matchkit.io.atomic import replacing
from matchkit.io.cells import format_number, unescape

__all__ = ["Sheet", "read_sheet", "sheet_names", "write_workbook"]

Sheet = tuple[str, Sequence[str], Iterable[Sequence[str]]]
"""A sheet to write: its name, its header, its rows of text cells (CSV cells, escaped)."""

_NUMBER = re.compile(r"^[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")
_MAX_WIDTH = 60


def sheet_names(path: Path, problems: list[InputProblem]) -> list[str] | None:
    """The sheets of workbook ``path`` in order; None and a problem if it is not a workbook."""
    book = _open(path, problems, values=False)
    if book is None:
        return None
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def read_sheet(
    path: Path, sheet: str | Sequence[str], problems: list[InputProblem]
) -> list[list[str]] | None:
    """Every row of sheet ``sheet`` (or the first of several accepted names) as text cells,
    header first, trailing empty cells and rows dropped; None and a problem if the workbook
    or the sheet cannot be read (see the module docstring)."""
    names = (sheet,) if isinstance(sheet, str) else tuple(sheet)
    book = _open(path, problems, values=False)
    if book is None:
        return None
    try:
        found = next((n for n in book.sheetnames if n.strip().lower() in names), None)
        if found is None:
            have = ", ".join(repr(n) for n in book.sheetnames)
            problems.append(
                InputProblem(
                    "missing_sheet",
                    path.name,
                    f"has no sheet named {names[0]!r} (its sheets: {have})",
                )
            )
            return None
        raw = [list(r) for r in book[found].iter_rows()]
        label = f"{path.name} sheet {found}"
        formulas = [
            (r, k) for r, row in enumerate(raw) for k, c in enumerate(row) if c.data_type == "f"
        ]
        values = [[c.value for c in row] for row in raw]
    finally:
        book.close()
    if formulas:
        saved = _saved_values(path, found, formulas, label, problems)
        if saved is None:
            return None
        for (r, k), value in saved.items():
            values[r][k] = value
    rows: list[list[str]] = []
    for r, row in enumerate(values, start=1):
        cells = [_text(v, label, r, k, problems) for k, v in enumerate(row)]
        while cells and not cells[-1]:
            cells.pop()
        rows.append(cells)
    while rows and not rows[-1]:
        rows.pop()
    if any(p.field.startswith(label) for p in problems):
        return None
    if not rows or not any(c.strip() for c in rows[0]):
        problems.append(InputProblem("missing_header", label, "has no header row"))
        return None
    return rows


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write one workbook atomically: each sheet with a bold, frozen header row and
    column widths fitted to the text (see the module docstring for how cells are stored)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    first = book.active
    if first is not None:
        book.remove(first)
    bold = Font(bold=True)
    for name, header, rows in sheets:
        ws = book.create_sheet(name[:31])
        widths = [len(h) for h in header]
        for k, h in enumerate(header, start=1):
            ws.cell(row=1, column=k, value=h).font = bold
        r = 1
        for r, row in enumerate(rows, start=2):
            for k, cell in enumerate(row, start=1):
                if not cell:
                    continue
                target = ws.cell(row=r, column=k)
                if _NUMBER.match(cell):
                    target.value = int(cell) if cell.lstrip("+-").isdigit() else float(cell)
                else:
                    target.value = unescape(cell)
                    target.data_type = "s"  # a string, never a formula
                if k <= len(widths):
                    widths[k - 1] = max(widths[k - 1], min(len(cell), _MAX_WIDTH))
        ws.freeze_panes = "A2"
        for k, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(k)].width = max(8, w + 2)
    with replacing(path, "wb") as f:
        book.save(f)


# --- helpers -------------------------------------------------------------------------------


def _open(path: Path, problems: list[InputProblem], *, values: bool) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=values)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        problems.append(
            InputProblem(
                "bad_xlsx",
                path.name,
                "is not a readable Excel workbook (.xlsx); save it from Excel as "
                "'Excel Workbook (*.xlsx)'",
            )
        )
        return None


def _saved_values(
    path: Path,
    sheet: str,
    cells: list[tuple[int, int]],
    label: str,
    problems: list[InputProblem],
) -> dict[tuple[int, int], Any] | None:
    """The values Excel saved for the formula cells ``cells`` (0-based row, column)."""
    book = _open(path, problems, values=True)
    if book is None:
        return None
    try:
        rows = [list(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()
    out: dict[tuple[int, int], Any] = {}
    for r, k in cells:
        value = rows[r][k] if r < len(rows) and k < len(rows[r]) else None
        if value is None:
            problems.append(
                InputProblem(
                    "formula_without_value",
                    f"{label} row {r + 1}, column {_column_name(rows, k)}",
                    "is a formula with no saved value; open and save the workbook in "
                    "Excel, or type the value",
                    (r + 1,),
                )
            )
        out[r, k] = value
    return None if any(p.code == "formula_without_value" for p in problems) else out


def _column_name(rows: list[list[Any]], k: int) -> str:
    head = rows[0] if rows else []
    name = head[k] if k < len(head) else None
    from openpyxl.utils import get_column_letter

    return str(name).strip() if isinstance(name, str) and name.strip() else get_column_letter(k + 1)


def _text(value: Any, label: str, r: int, k: int, problems: list[InputProblem]) -> str:
    """One cell's value as the text a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, str):
        return value
    problems.append(
        InputProblem(
            "bad_cell", f"{label} row {r}, column {k + 1}", "holds a value of no known type"
        )
    )
    return ""
