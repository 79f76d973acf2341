"""A cohort as two CSV tables, ``mentors.csv`` and ``mentees.csv``: columns, rows, row errors.

Private: :func:`matchkit.io.read_cohort` and :func:`matchkit.io.write_cohort` are the API and
``docs/how-to/files-and-cli.md`` the format; :mod:`matchkit.io.applicants` reads and writes
a third table, ``applicants.csv``, with the same code. Row numbers are spreadsheet rows: the
header is row 1, the first person row 2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from matchkit.domain.model import Mentee, Mentor
from matchkit.errors import InputProblem
from matchkit.io.cells import (
    attribute_cell,
    escape,
    field_errors,
    format_number,
    format_pairs,
    parse_bool,
    parse_float,
    parse_ids,
    parse_int,
    parse_pairs,
    read_attribute,
    read_rows,
    shown,
    unescape,
    write_rows,
)

__all__ = [
    "ATTR",
    "MENTEES",
    "MENTORS",
    "Table",
    "people_from_rows",
    "people_problems",
    "people_rows",
    "read_people",
    "write_people",
]

ATTR = "attr."
"""Prefix of a free-form attribute column: ``attr.school`` holds ``attributes['school']``."""
Person = Mentor | Mentee
_KOREAN_SHEETS = {"mentor": "멘토", "mentee": "멘티", "applicant": "지원자"}


@dataclass(frozen=True, slots=True)
class Table:
    """One CSV file: its columns in order, each with the codec of its cells."""

    file: str
    kind: str
    model: type[Mentor] | type[Mentee]
    columns: tuple[tuple[str, str], ...]
    template: dict[str, Any]
    """A valid record, to check one field at a time (see ``field_errors``)."""
    aliases: Mapping[str, str] = field(default_factory=dict)
    """Other header names read as a column (Korean headers): header to column."""

    @property
    def sheet(self) -> str:
        """The table's sheet in a cohort workbook: ``mentors`` or ``mentees``."""
        return self.kind + "s"

    @property
    def sheets(self) -> tuple[str, ...]:
        """Sheet names read as this table (any case): English, and Korean (멘토, 멘티)."""
        return (self.sheet, _KOREAN_SHEETS[self.kind])

    @property
    def required(self) -> tuple[str, ...]:
        """Columns without a default: the file must have them."""
        return tuple(n for n, f in self.model.model_fields.items() if f.is_required())


MENTORS = Table(
    "mentors.csv",
    "mentor",
    Mentor,
    (
        ("id", "text"),
        ("subjects", "proficiencies"),
        ("capacity", "int"),
        ("availability", "availability"),
        ("mode", "text"),
        ("district", "text"),
        ("lat", "float"),
        ("lon", "float"),
        ("terms_committed", "int"),
        ("alumni", "bool"),
        ("university", "optional"),
        ("name", "optional"),
    ),
    {"id": "probe", "subjects": {"probe": 5}, "availability": "", "district": "probe"},
)
MENTEES = Table(
    "mentees.csv",
    "mentee",
    Mentee,
    (
        ("id", "text"),
        ("level", "text"),
        ("grade", "int"),
        ("needs", "needs"),
        ("session_hours", "float"),
        ("availability", "availability"),
        ("mode", "text"),
        ("district", "text"),
        ("lat", "float"),
        ("lon", "float"),
        ("priority", "int"),
        ("previous_mentor", "optional"),
        ("avoid", "ids"),
        ("name", "optional"),
    ),
    {
        "id": "probe",
        "level": "middle",
        "grade": 1,
        "needs": {"probe": 1.0},
        "availability": "",
        "district": "probe",
    },
)
_YES = frozenset({"예", "네", "참", "o", "○"})
_NO = frozenset({"아니오", "아니요", "거짓", "x", "\u00d7"})  # x, and the multiplication sign
_DECODE_CODES = {
    "int": "not_a_whole_number",
    "float": "not_a_number",
    "bool": "not_true_or_false",
    "yesno": "not_true_or_false",
    "proficiencies": "bad_format",
    "needs": "bad_format",
}


# --- writing -------------------------------------------------------------------------------


def people_problems(table: Table, people: tuple[Person, ...]) -> list[InputProblem]:
    """Values the CSV form cannot hold: ``;`` inside a subject name or an avoided id."""
    out = []
    for p in people:
        names = [*getattr(p, "subjects", {}), *getattr(p, "needs", {})]
        names += sorted(getattr(p, "avoid", ()))
        for name in names:
            if ";" in name:
                out.append(
                    InputProblem(
                        "not_representable",
                        f"{table.kind} {p.id!r}",
                        f"{shown(name)} contains ';', which the CSV form puts between "
                        "entries; write the cohort as .json instead",
                    )
                )
    return out


def write_people(path: Path, table: Table, people: tuple[Person, ...]) -> None:
    """Write one table: fixed columns, then ``attr.<name>`` columns in name order."""
    write_rows(path, *people_rows(table, people))


def people_rows(table: Table, people: tuple[Person, ...]) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of one table (CSV cells, spreadsheet-escaped)."""
    attrs = sorted({a for p in people for a in p.attributes})
    header = [c for c, _ in table.columns] + [ATTR + a for a in attrs]
    return header, [_cells(p, table, attrs) for p in people]


def _cells(p: Person, table: Table, attrs: list[str]) -> list[str]:
    out = []
    for col, codec in table.columns:
        if col in ("lat", "lon"):
            c = p.coordinates
            out.append("" if c is None else format_number(c[col == "lon"]))
        else:
            out.append(_encode(getattr(p, col), codec))
    out += [attribute_cell(p.attributes[a]) if a in p.attributes else "" for a in attrs]
    return out


def _encode(value: Any, codec: str) -> str:
    if value is None:
        return ""
    if codec in ("int", "float"):
        return format_number(value)
    if codec in ("bool", "yesno"):
        return "true" if value else "false"
    if codec in ("proficiencies", "needs"):
        return escape(format_pairs(value))
    if codec == "ids":
        return escape("; ".join(sorted(value)))
    return escape(str(value), keep_empty=codec == "optional")


# --- reading -------------------------------------------------------------------------------


def read_people(
    path: Path, table: Table, problems: list[InputProblem], mentor_ids: set[str] | None = None
) -> tuple[list[Person], set[str]] | None:
    """Every valid person in ``path`` and every id seen; each bad row added to ``problems``.

    ``mentor_ids`` (for mentees) checks ``avoid`` against the mentors file. None when the
    file cannot be read at all (unreadable, or a required column is missing).
    """
    rows = read_rows(path, problems, multiline=lambda column: column.startswith(ATTR))
    if rows is None:
        return None
    return people_from_rows(rows, table.file, table, problems, mentor_ids)


def people_from_rows(
    rows: list[list[str]],
    label: str,
    table: Table,
    problems: list[InputProblem],
    mentor_ids: set[str] | None = None,
) -> tuple[list[Person], set[str]] | None:
    """:func:`read_people` on rows already read (a CSV file's or a workbook sheet's), each
    problem naming ``label`` (``mentors.csv``, ``cohort.xlsx sheet mentors``) and its row."""
    columns = _header(rows, label, table, problems)
    if columns is None:
        return None
    people: list[Person] = []
    first_row: dict[str, int] = {}
    typed = {c: rows[0][k].strip() for k, c, _ in columns if rows[0][k].strip() != c}
    width = len(rows[0])
    for r, cells in enumerate(rows[1:], start=2):
        if any(c.strip() for c in cells):
            person = _row(
                r, cells, columns, width, label, table, problems, first_row, mentor_ids, typed
            )
            if person is not None:
                people.append(person)
    return people, set(first_row)


def _header(
    rows: list[list[str]], label: str, table: Table, problems: list[InputProblem]
) -> list[tuple[int, str, str]] | None:
    """``(index, column, codec)`` of the known columns; None if a required one is missing."""
    codecs = dict(table.columns)
    seen: set[str] = set()
    columns = []
    where = f"{label} row 1"
    for k, raw in enumerate(rows[0]):
        name = table.aliases.get(raw.strip(), raw.strip())
        if not name:
            if any(k < len(row) and row[k].strip() for row in rows[1:]):
                problems.append(
                    InputProblem("unnamed_column", where, f"column {k + 1} has data but no name")
                )
            continue
        if name in seen:
            again = "" if name == raw.strip() else f" (as {raw.strip()!r})"
            problems.append(
                InputProblem("duplicate_column", where, f"column {name!r} repeats{again}")
            )
            continue
        seen.add(name)
        if name in codecs:
            columns.append((k, name, codecs[name]))
        elif name.startswith(ATTR) and len(name) > len(ATTR):
            columns.append((k, name, "attribute"))
        else:
            known = ", ".join(codecs)
            korean = ", or their Korean headers" if table.aliases else ""
            problems.append(
                InputProblem(
                    "unknown_column",
                    where,
                    f"unknown column {name!r}; the columns are {known}{korean}, and "
                    "attr.<name> for free-form attributes",
                )
            )
    if ("lat" in seen) != ("lon" in seen):
        has, lacks = ("lat", "lon") if "lat" in seen else ("lon", "lat")
        problems.append(InputProblem("missing_column", where, f"column {has} without {lacks}"))
        columns = [c for c in columns if c[1] != has]  # reported once here, not on every row
    missing = [c for c in table.required if c not in seen]
    first_alias: dict[str, str] = {}
    for header, column in table.aliases.items():
        first_alias.setdefault(column, header)
    for c in missing:
        also = f" ({first_alias[c]!r})" if c in first_alias else ""
        problems.append(
            InputProblem("missing_column", where, f"missing required column {c!r}{also}")
        )
    return None if missing else columns


def _row(
    r: int,
    cells: list[str],
    columns: list[tuple[int, str, str]],
    width: int,
    label: str,
    table: Table,
    problems: list[InputProblem],
    first_row: dict[str, int],
    mentor_ids: set[str] | None,
    typed: Mapping[str, str],
) -> Person | None:
    """One person from one row, or None with the row's problems added; ``typed`` is the
    header as the file has it, for a column read under another name (``심사점수``)."""
    id_cell = next((cells[k] for k, c, _ in columns if c == "id" and k < len(cells)), "")
    rid = unescape(id_cell).strip()
    where = f"{label} row {r} ({table.kind} {shown(rid)})" if rid else f"{label} row {r}"
    bad: list[InputProblem] = []
    failed: set[str] = set()

    def report(code: str, column: str, message: str) -> None:
        failed.add(column)
        name = f"{typed[column]} ({column})" if column in typed else column
        bad.append(InputProblem(code, f"{where}, column {name}", message, (r,)))

    if any(c.strip() for c in cells[width:]):
        bad.append(InputProblem("extra_cells", where, "has more cells than the header", (r,)))
    record: dict[str, Any] = {}
    raw: dict[str, str] = {}
    entries: dict[str, dict[str, str]] = {}
    attributes: dict[str, Any] = {}
    for k, col, codec in columns:
        cell = cells[k] if k < len(cells) else ""
        if not cell.strip():
            if codec == "availability":
                record[col] = ""  # no weekly time at all: the text form of an empty week
            continue
        raw[col] = text = unescape(cell)
        try:
            if codec == "attribute":
                attributes[col[len(ATTR) :]] = read_attribute(cell)
            else:
                record[col] = _decode(text, codec, col, entries)
        except ValueError as exc:
            report(_DECODE_CODES.get(codec, "bad_format"), col, str(exc))
    if attributes:
        record["attributes"] = attributes
    lat, lon = record.pop("lat", None), record.pop("lon", None)
    if lat is not None and lon is not None:
        record["coordinates"] = (lat, lon)
    for has, lacks in (("lat", "lon"), ("lon", "lat")):
        if has in raw and lacks not in raw:
            report("missing_value", lacks, f"is empty while {has} is given")
    for col in table.required:
        if col not in record and col not in failed:
            report("missing_value", col, "is required but the cell is empty")
    if rid and rid in first_row:
        report("duplicate_id", "id", f"{rid!r} is already the id in row {first_row[rid]}")
    elif rid:
        first_row[rid] = r
    if mentor_ids is not None and isinstance(record.get("avoid"), frozenset):
        for unknown in sorted(record["avoid"] - mentor_ids):
            report("unknown_mentor", "avoid", f"{unknown!r} is not the id of any mentor")
    if not bad:
        try:
            return table.model.model_validate(record)
        except ValidationError:
            pass
    # Each readable cell is checked on its own too, so a row lists every bad cell at once.
    found = _model_problems(record, raw, entries, table, report)
    if not (found or bad):  # not expected: every check of a person is on one field
        report("invalid_value", "-", "the record is not valid")
    problems.extend(bad)
    return None


def _decode(text: str, codec: str, col: str, entries: dict[str, dict[str, str]]) -> Any:
    if codec == "int":
        return parse_int(text)
    if codec == "float":
        return parse_float(text)
    if codec == "bool":
        return parse_bool(text)
    if codec == "yesno":
        return _yes_no(text)
    if codec in ("proficiencies", "needs"):
        pairs, entries[col] = parse_pairs(text, whole=codec == "proficiencies")
        return pairs
    if codec == "ids":
        return parse_ids(text)
    return text


def _yes_no(text: str) -> bool:
    """:func:`parse_bool`'s words, and Korean ones: 예/네/참/O, 아니오/아니요/거짓/X."""
    low = text.strip().lower()
    if low in _YES or low in _NO:
        return low in _YES
    try:
        return parse_bool(text)
    except ValueError:
        raise ValueError(f"{shown(text)} is not true or false (yes/no, 예/아니오, O/X)") from None


def _model_problems(
    record: dict[str, Any],
    raw: dict[str, str],
    entries: dict[str, dict[str, str]],
    table: Table,
    report: Callable[[str, str, str], None],
) -> bool:
    """Report each field's validation errors on its column; whether there were any."""
    found = False
    for name, value in record.items():
        for fe in field_errors(table.model, table.kind, table.template, name, value):
            found = True
            col = name
            if name == "coordinates":
                col = "lon" if fe.sub == "1" else "lat"
                message = f"{shown(raw[col])}: {fe.message}"
            elif fe.names_value:
                message = fe.message
            elif fe.sub is not None and fe.sub in entries.get(name, {}):
                message = f"{shown(entries[name][fe.sub])}: {fe.message}"
            elif name in raw:
                message = f"{shown(raw[name])}: {fe.message}"
            else:
                message = fe.message
            report("invalid_value", col, message)
    return found
