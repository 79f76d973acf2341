"""CSV cells and tables for :mod:`matchkit.io`: spreadsheet safety, cell codecs, row errors.

Private: the file formats are documented in ``docs/how-to/files-and-cli.md`` and the public
functions live in :mod:`matchkit.io`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from matchkit.errors import InputProblem
from matchkit.io.atomic import replacing

__all__ = [
    "SAFE_MARK",
    "TRIGGERS",
    "FieldError",
    "attribute_cell",
    "decode_text",
    "escape",
    "field_errors",
    "format_number",
    "format_pairs",
    "infer",
    "parse_bool",
    "parse_float",
    "parse_ids",
    "parse_int",
    "parse_pairs",
    "parse_rows",
    "read_attribute",
    "read_rows",
    "shown",
    "unescape",
    "write_rows",
]

SAFE_MARK = "'"
"""Prefixed to a text cell a spreadsheet would run as a formula (OWASP CSV injection)."""
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""
_ESCAPED = (*TRIGGERS, SAFE_MARK)
_INT = re.compile(r"^[+-]?(0|[1-9][0-9]*)$")
_DIGITS = re.compile(r"^[+-]?[0-9]+$")
_FLOAT = re.compile(r"^[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|inf|infinity|nan)$", re.IGNORECASE)
_TRUE = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "f", "no", "n", "0", "off"})
_SHOWN_CHARS = 80
_HANGUL = re.compile("[\uac00-\ud7a3]")


# --- cells ---------------------------------------------------------------------------------


def escape(text: str, *, keep_empty: bool = False) -> str:
    """The cell for ``text``: ``'`` prefixed when it starts with a formula trigger or ``'``.

    With ``keep_empty`` an empty text becomes ``'`` so that it is not read back as "no value".
    """
    if text.startswith(_ESCAPED) or (keep_empty and not text):
        return SAFE_MARK + text
    return text


def unescape(cell: str) -> str:
    """Undo :func:`escape`: drop a leading ``'`` followed by a trigger, ``'`` or nothing."""
    if cell.startswith(SAFE_MARK) and (len(cell) == 1 or cell[1:].startswith(_ESCAPED)):
        return cell[1:]
    return cell


def format_number(x: int | float) -> str:
    """A number as a spreadsheet reads it: ``3``, ``2.5``, ``37.5663`` (whole floats as ints)."""
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return repr(x) if isinstance(x, float) else str(x)


def attribute_cell(value: str | int | float | bool) -> str:
    """A free-form attribute value: numbers and booleans as such, text escaped if it would
    read back as anything else (``'007``, ``'true``, ``'`` for empty text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if not isinstance(infer(value), str) or not value:
        return SAFE_MARK + value
    return escape(value)


def infer(text: str) -> str | int | float | bool:
    """An attribute cell's value: ``true``/``false``, an integer, a number, else text."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def read_attribute(cell: str) -> str | int | float | bool:
    """Inverse of :func:`attribute_cell`: a leading ``'`` marks text and is removed."""
    text = cell.strip()
    return text[1:] if text.startswith(SAFE_MARK) else infer(text)


def parse_int(text: str) -> int:
    """A whole number (``3`` or ``3.0``); ValueError naming the text otherwise."""
    t = text.strip()
    if _DIGITS.match(t):
        return int(t)
    if _FLOAT.match(t) and float(t).is_integer():
        return int(float(t))
    raise ValueError(f"{shown(text)} is not a whole number")


def parse_float(text: str) -> float:
    """A number; ValueError naming the text otherwise (``inf`` and ``nan`` left to the model)."""
    t = text.strip()
    if not _FLOAT.match(t):
        raise ValueError(f"{shown(text)} is not a number")
    return float(t)


def parse_bool(text: str) -> bool:
    """``true``/``false`` (also yes/no, 1/0, any case)."""
    low = text.strip().lower()
    if low in _TRUE or low in _FALSE:
        return low in _TRUE
    raise ValueError(f"{shown(text)} is not true or false")


def parse_pairs(text: str, *, whole: bool) -> tuple[dict[str, int | float], dict[str, str]]:
    """``math:4; english:3`` to ``{'math': 4, 'english': 3}`` and each key's entry text.

    ``whole`` asks for whole-number values (proficiencies); otherwise any number (needs),
    and a need without one (``math``, ``math; english:2``) weighs 1. A proficiency always
    needs its level: there is no default level to assume.
    """
    out: dict[str, int | float] = {}
    entries: dict[str, str] = {}
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        name, colon, value = part.rpartition(":")
        name = name.strip()
        if not colon and not whole:
            name, colon, value = part, ":", "1"
        if not colon or not name:
            raise ValueError(f"{shown(part)} is not of the form 'subject:number'")
        try:
            number: int | float = parse_int(value) if whole else parse_float(value)
        except ValueError as exc:
            raise ValueError(f"{shown(part)}: {exc}") from None
        key = name.lower()
        if key in entries:
            raise ValueError(f"subject {key!r} is listed twice")
        out[name] = number
        entries[key] = part
    return out, entries


def format_pairs(pairs: dict[str, int] | dict[str, float]) -> str:
    """Inverse of :func:`parse_pairs`."""
    return "; ".join(f"{k}:{format_number(v)}" for k, v in pairs.items())


def parse_ids(text: str) -> frozenset[str]:
    """``m-1; m-2`` to a set of ids."""
    return frozenset(p.strip() for p in text.split(";") if p.strip())


def shown(value: str) -> str:
    """A cell value for an error message: quoted, long values cut."""
    if len(value) > _SHOWN_CHARS:
        value = value[: _SHOWN_CHARS - 3] + "..."
    return repr(value)


# --- files ---------------------------------------------------------------------------------


def write_rows(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> None:
    """Write a CSV file atomically (see :mod:`matchkit.io.atomic`), UTF-8 with a byte-order
    mark (Excel then reads Korean text right).

    Cells holding ``,``, ``;``, ``"`` or a line break are quoted: ``;`` too, because Excel in
    locales whose list separator is ``;`` would split ``math:4; english:3`` otherwise.
    """
    with replacing(path, "w", encoding="utf-8-sig", newline="") as f:
        f.write(_line(header))
        for row in rows:
            f.write(_line(row))


def _line(cells: Sequence[str]) -> str:
    return ",".join(_quoted(c) for c in cells) + "\r\n"


def _quoted(cell: str) -> str:
    if any(ch in cell for ch in ',;"\r\n'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def read_rows(
    path: Path, problems: list[InputProblem], *, multiline: Callable[[str], bool] = lambda c: False
) -> list[list[str]] | None:
    """All records of a CSV file (header first); None and a problem if it cannot be read.

    UTF-8 (with or without a byte-order mark) or, failing that, Korean Excel's CP949. A
    file must be comma-separated (a ``;``- or tab-separated one gets one message saying
    so). Every record is checked against the file's lines: a cell that runs over several
    lines is accepted only in a column ``multiline(name)`` allows, and only when none of
    its lines could be a record of its own; otherwise (a stray ``"`` opening a cell, which
    would swallow the rows below it) it is an error naming the row and the column.
    """
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        problems.append(InputProblem("not_a_file", path.name, "is a folder, not a CSV file"))
        return None
    text = decode_text(data, path.name, problems)
    return None if text is None else parse_rows(text, path.name, problems, multiline=multiline)


def decode_text(data: bytes, name: str, problems: list[InputProblem]) -> str | None:
    """UTF-8 text (a byte-order mark dropped), else CP949 text holding Korean; else None and
    a ``bad_encoding`` problem. CP949 is taken only when it decodes to Hangul, so a file in
    some other encoding is refused rather than read as garbled Korean."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp949")
    except UnicodeDecodeError:
        text = None
    if text is not None and _HANGUL.search(text):
        return text
    problems.append(
        InputProblem(
            "bad_encoding",
            name,
            "is neither UTF-8 nor Korean (CP949) text; save it as 'CSV UTF-8' (Excel) or "
            "UTF-8 (other tools)",
        )
    )
    return None


def parse_rows(
    text: str,
    name: str,
    problems: list[InputProblem],
    *,
    multiline: Callable[[str], bool] = lambda c: False,
) -> list[list[str]] | None:
    """The records of CSV ``text`` from file ``name`` (see :func:`read_rows`).

    Examples
    --------
    >>> problems = []
    >>> parse_rows('id,university\\ns-1,"Seoul\\ns-2,Korea\\n', "mentors.csv", problems)
    >>> print(problems[0])
    mentors.csv row 2, column university: '"Seoul': the quote (") that opens this cell is not closed in its row, so it would take in the rows below it; remove the quote or close it
    """  # noqa: E501
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    starts: list[int] = []
    end = 0
    try:
        for row in reader:
            starts.append(end + 1)
            rows.append(row)
            end = reader.line_num
    except csv.Error as exc:
        lines = text.splitlines()
        line = lines[end] if end < len(lines) else ""
        header = rows[0] if rows else []
        problems.append(_quote_problem(name, len(rows) + 1, line, header, str(exc)))
        return None
    if not rows or not any(c.strip() for c in rows[0]):
        problems.append(InputProblem("missing_header", name, "has no header row"))
        return None
    header = rows[0]
    if len(header) == 1:
        for sep, called in ((";", "semicolons (;)"), ("\t", "tabs")):
            if sep in header[0]:
                problems.append(
                    InputProblem(
                        "wrong_delimiter",
                        name,
                        f"has its columns separated by {called}, not commas; save it as "
                        "'CSV UTF-8 (comma delimited)'",
                    )
                )
                return None
    width = len(header)
    for r, row in enumerate(rows, start=1):
        for k, cell in enumerate(row):
            if "\n" not in cell and "\r" not in cell:
                continue
            column = header[k].strip() if k < width else ""
            first, *rest = cell.splitlines() or [""]
            if multiline(column) and not any(ln.count(",") >= width - 1 for ln in rest):
                continue
            problems.append(
                InputProblem(
                    "unterminated_quote",
                    f"{name} row {r}, column {column or k + 1}",
                    f'{shown(chr(34) + first.split(",")[0])}: the quote (") that opens this '
                    f"cell closes only on line {starts[r - 1] + len(rest)} of the file, so "
                    f"it takes in the {len(rest)} line(s) below it; remove the quote or "
                    "close it in its row",
                    (r,),
                )
            )
            return None
    return rows


def _quote_problem(name: str, r: int, line: str, header: list[str], error: str) -> InputProblem:
    """The problem for a record the strict CSV reader refused: which cell's quote is wrong."""
    k, opened, fault = _scan_quotes(line)
    column = header[k].strip() if 0 <= k < len(header) else ("?" if k < 0 else str(k + 1))
    where = f"{name} row {r}, column {column}"
    cell = shown(chr(34) + opened.split(",")[0])
    if fault == "unclosed":
        message = (
            f'{cell}: the quote (") that opens this cell is not closed in its row, so it '
            "would take in the rows below it; remove the quote or close it"
        )
    elif fault == "after":
        message = (
            f'{cell}: text follows the quote (") that closes this cell; put the whole '
            'cell in quotes, doubling the quotes inside it ("")'
        )
    else:
        return InputProblem("bad_csv", f"{name} row {r}", f"is not readable CSV ({error})", (r,))
    return InputProblem("unterminated_quote", where, message, (r,))


def _scan_quotes(line: str) -> tuple[int, str, str]:
    """The first cell of one CSV line whose quoting is wrong: its index, its text from the
    opening quote, and ``"unclosed"`` or ``"after"`` (text after the closing quote); -1 if
    the line's quotes are right."""
    k, i, n = 0, 0, len(line)
    while i <= n:
        if i < n and line[i] == '"':
            j = i + 1
            while True:
                j = line.find('"', j)
                if j < 0:
                    return k, line[i + 1 :], "unclosed"
                if line[j + 1 : j + 2] == '"':
                    j += 2
                    continue
                break
            if j + 1 < n and line[j + 1] != ",":
                return k, line[i + 1 : j], "after"
            i = j + 2
        else:
            comma = line.find(",", i)
            if comma < 0:
                break
            i = comma + 1
        k += 1
    return -1, "", ""


# --- model errors, attributed to fields ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldError:
    """One model error on one field: ``sub`` is a nested key (``math`` in ``subjects.math``)."""

    field: str
    sub: str | None
    message: str
    names_value: bool
    """The message already quotes the offending value (availability's do)."""


def field_errors(
    model: type[BaseModel], kind: str, template: dict[str, Any], name: str, value: Any
) -> list[FieldError]:
    """Errors the model reports for ``value`` in field ``name`` of an otherwise valid record.

    Records are validated whole (and a record's errors arrive as one sentence naming the
    record), so each field is checked alone against a valid ``template`` to say which
    column is wrong; only rows that fail take this path.
    """
    probe_id = value if name == "id" else template["id"]
    try:
        model.model_validate({**template, name: value})
    except ValidationError as exc:
        who = f"{kind} {probe_id!r}: " if probe_id else f"{kind} (no id): "
        out = []
        for err in exc.errors(include_url=False):
            for part in str(err["msg"]).split(who):
                part = part.strip().removesuffix(";").strip()
                if part:
                    out.append(_field_error(name, part))
        return out
    return []


def _field_error(name: str, part: str) -> FieldError:
    if part.startswith(f"{name}."):
        sub, _, msg = part[len(name) + 1 :].partition(": ")
        return FieldError(name, sub, msg, names_value=False)
    if part.startswith(f"{name}: "):
        return FieldError(name, None, part[len(name) + 2 :], names_value=False)
    if part.startswith(f"{name} '"):
        return FieldError(name, None, part[len(name) + 1 :], names_value=True)
    return FieldError(name, None, part, names_value=False)
