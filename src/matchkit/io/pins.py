"""Pinned and forbidden pairs from a sheet: ``pins.csv`` (or a ``pins`` sheet of a workbook).

One row per pair, three columns (headers case-insensitive, in any order; other columns are
ignored)::

    mentee,mentor,rule
    s-0001,m-0007,pin
    s-0002,m-0003,forbid

``mentee`` (or ``mentee_id``) and ``mentor`` (or ``mentor_id``) are record ids; ``rule`` is
``pin`` (the pair must be formed) or ``forbid`` (it must not be). A row whose cells are all
empty is skipped. Every problem is reported at once, each naming the file, the row
(spreadsheet numbering: the header is row 1), the column and the offending value: an empty
cell, a rule other than ``pin`` or ``forbid``, a mentee pinned twice, a pair both pinned and
forbidden, and (when a cohort is given) an id that is no mentee or mentor of it. A forbidden
pair listed twice is taken once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from matchkit.domain.model import Cohort
from matchkit.domain.policy import Pair, Policy
from matchkit.errors import InputError, InputProblem
from matchkit.io.cells import escape, read_rows, shown, unescape, write_rows

__all__ = ["HEADERS", "Pins", "read_pins", "write_pins"]

HEADERS: dict[str, tuple[str, ...]] = {
    "mentee": ("mentee", "mentee_id"),
    "mentor": ("mentor", "mentor_id"),
    "rule": ("rule",),
}
"""Each column and the header names it is read from."""
RULES = ("pin", "forbid")


@dataclass(frozen=True, slots=True)
class Pins:
    """Pairs read from a pins sheet: what :class:`~matchkit.Policy` takes as ``pinned`` and
    ``forbidden``.

    Examples
    --------
    >>> from matchkit import Policy
    >>> Pins(pinned=(("s-1", "m-1"),), forbidden=()).apply(Policy()).pinned
    (('s-1', 'm-1'),)
    """

    pinned: tuple[Pair, ...]
    forbidden: tuple[Pair, ...]

    def apply(self, policy: Policy) -> Policy:
        """``policy`` with these pairs added to its ``pinned`` and ``forbidden`` (a pair it
        already has is not repeated)."""
        pinned = policy.pinned + tuple(p for p in self.pinned if p not in policy.pinned)
        forbidden = policy.forbidden + tuple(p for p in self.forbidden if p not in policy.forbidden)
        return Policy.model_validate(
            {**policy.model_dump(), "pinned": pinned, "forbidden": forbidden}
        )


def read_pins(path: str | Path, cohort: Cohort | None = None) -> Pins:
    """Read pinned and forbidden pairs from ``pins.csv`` or a workbook's ``pins`` sheet.

    Parameters
    ----------
    path : str or Path
        A CSV file (UTF-8 or Korean Excel's CP949), or an ``.xlsx`` workbook with a sheet
        named ``pins``.
    cohort : Cohort, optional
        If given, every id must be a mentee (``mentee`` column) or mentor (``mentor``
        column) of it.

    Returns
    -------
    Pins
        ``pinned`` and ``forbidden`` pairs in the sheet's order; :meth:`Pins.apply` adds
        them to a policy.

    Raises
    ------
    InputError
        Listing every problem found (see the module docstring).
    """
    path = Path(path)
    problems: list[InputProblem] = []
    if path.suffix.lower() == ".xlsx":
        from matchkit.io.xlsx import read_sheet  # openpyxl: loaded only for a workbook

        rows = read_sheet(path, "pins", problems)
        label = f"{path.name} sheet pins"
    else:
        rows = read_rows(path, problems)
        label = path.name
    if rows is None:
        raise InputError("Pins", problems)
    pins = _parse(rows, label, cohort, problems)
    if problems or pins is None:
        raise InputError("Pins", problems)
    return pins


def write_pins(path: str | Path, pins: Pins) -> None:
    """Write ``pins`` as ``pins.csv`` (atomically, UTF-8 with a byte-order mark)."""
    rows: list[tuple[str, str, str]] = [(s, t, "pin") for s, t in pins.pinned]
    rows += [(s, t, "forbid") for s, t in pins.forbidden]
    write_rows(Path(path), ("mentee", "mentor", "rule"), _escaped(rows))


def _escaped(rows: Iterable[tuple[str, str, str]]) -> Iterable[list[str]]:
    return ([escape(c) for c in row] for row in rows)


def _columns(header: list[str], label: str, problems: list[InputProblem]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for column, accepted in HEADERS.items():
        hits = [k for k, n in enumerate(names) if n in accepted]
        if len(hits) > 1:
            both = " and ".join(repr(header[k]) for k in hits)
            problems.append(
                InputProblem("duplicate_column", label, f"columns {both} are both {column!r}")
            )
        elif not hits:
            problems.append(
                InputProblem(
                    "missing_column",
                    label,
                    f"has no {column!r} column (accepted headers: {', '.join(accepted)}; "
                    f"the columns are mentee, mentor, rule)",
                )
            )
        else:
            found[column] = hits[0]
    return found


def _parse(
    rows: list[list[str]], label: str, cohort: Cohort | None, problems: list[InputProblem]
) -> Pins | None:
    if not rows:
        problems.append(InputProblem("missing_header", label, "has no header row"))
        return None
    cols = _columns(rows[0], label, problems)
    if len(cols) < len(HEADERS):
        return None
    mentees = None if cohort is None else {s.id for s in cohort.mentees}
    mentors = None if cohort is None else {t.id for t in cohort.mentors}
    pinned: dict[str, tuple[str, int]] = {}  # mentee -> (mentor, row)
    pin_rows: dict[Pair, int] = {}
    forbid_rows: dict[Pair, int] = {}
    for r, cells in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in cells):
            continue

        def report(code: str, column: str, message: str, r: int = r) -> None:
            problems.append(InputProblem(code, f"{label} row {r}, column {column}", message))

        values: dict[str, str] = {}
        for column, k in cols.items():
            raw = unescape(cells[k].strip()) if k < len(cells) else ""
            if not raw:
                report("empty_cell", column, "is empty (every row needs mentee, mentor, rule)")
            values[column] = raw
        if any(not v for v in values.values()):
            continue
        s, t, rule = values["mentee"], values["mentor"], values["rule"].lower()
        bad = False
        if mentees is not None and s not in mentees:
            report("unknown_mentee", "mentee", f"{shown(s)} is not a mentee of the cohort")
            bad = True
        if mentors is not None and t not in mentors:
            report("unknown_mentor", "mentor", f"{shown(t)} is not a mentor of the cohort")
            bad = True
        if rule not in RULES:
            report("bad_rule", "rule", f"{shown(values['rule'])} is not 'pin' or 'forbid'")
            continue
        if bad:
            continue
        pair = (s, t)
        if rule == "pin":
            if s in pinned:
                first_mentor, first = pinned[s]
                again = "again to" if first_mentor == t else "also to"
                report(
                    "duplicate_pin",
                    "mentee",
                    f"{shown(s)} is pinned in row {first}; pinned {again} {shown(t)} here",
                )
                continue
            pinned[s] = (t, r)
            pin_rows[pair] = r
            if pair in forbid_rows:
                report(
                    "pin_and_forbid",
                    "rule",
                    f"the pair ({shown(s)}, {shown(t)}) is forbidden in row {forbid_rows[pair]}",
                )
        else:
            if pair in pin_rows:
                report(
                    "pin_and_forbid",
                    "rule",
                    f"the pair ({shown(s)}, {shown(t)}) is pinned in row {pin_rows[pair]}",
                )
            forbid_rows.setdefault(pair, r)
    return Pins(pinned=tuple(pin_rows), forbidden=tuple(forbid_rows))
