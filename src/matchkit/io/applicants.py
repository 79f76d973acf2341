"""Applicants in files: ``applicants.csv``, a JSON file, or a workbook's ``applicants`` sheet.

:func:`read_applicants` and :func:`write_applicants` are the API (exported by
:mod:`matchkit.io`). The table is read and written by the code that reads mentors
(:mod:`matchkit.io.people`): the same cells, codecs, checks and messages, with a mentor's
columns and two more, ``recommended`` and ``review``. Headers may also be the Korean ones of
:data:`KOREAN_HEADERS` (``추천``, ``심사점수``, ...), and ``recommended`` and ``alumni`` read
Korean yes/no (``예``/``아니오``, ``O``/``X``) besides ``true``/``false``, ``yes``/``no``,
``1``/``0``. Files are always written with the English headers.

A path is read by its form:

- ``.json``: ``{"applicants": [...]}`` (what :func:`write_applicants` writes), or a bare list
  of applicant objects;
- ``.xlsx``: the sheet ``applicants`` (or ``지원자``; any case);
- ``.csv`` (or any other file): the CSV table itself (UTF-8, UTF-8 with a byte-order mark, or
  Korean Excel's CP949);
- a folder: its ``applicants.csv`` (beside a cohort's ``mentors.csv`` and ``mentees.csv``,
  say), checked against the folder's manifest when matchkit wrote it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from matchkit.domain.applicant import Applicant
from matchkit.errors import InputError, InputProblem
from matchkit.io.atomic import FileSet, check_set, write_text_atomic
from matchkit.io.cells import read_rows
from matchkit.io.files import load_json
from matchkit.io.people import (
    ATTR,
    MENTORS,
    Table,
    people_from_rows,
    people_problems,
    people_rows,
    write_people,
)
from matchkit.io.xlsx import read_sheet, write_workbook

__all__ = ["APPLICANTS", "APPLICANTS_FILE", "KOREAN_HEADERS", "read_applicants", "write_applicants"]

PathLike = str | os.PathLike[str]
APPLICANTS_FILE = "applicants.csv"
"""The applicants' table in a folder."""
KOREAN_HEADERS: dict[str, str] = {
    "아이디": "id",
    "과목": "subjects",
    "정원": "capacity",
    "가능시간": "availability",
    "방식": "mode",
    "자치구": "district",
    "위도": "lat",
    "경도": "lon",
    "활동학기": "terms_committed",
    "멘티출신": "alumni",
    "대학": "university",
    "추천": "recommended",
    "심사점수": "review",
    "이름": "name",
}
"""Korean headers read as the applicants' columns (header to column)."""


def _columns() -> tuple[tuple[str, str], ...]:
    """A mentor's columns (``alumni`` reads Korean yes/no), ``recommended`` and ``review``
    after ``university``, the name last."""
    out: list[tuple[str, str]] = []
    for column, codec in MENTORS.columns:
        if column == "name":
            continue
        out.append((column, "yesno" if column == "alumni" else codec))
        if column == "university":
            out += [("recommended", "yesno"), ("review", "float")]
    return (*out, ("name", "optional"))


APPLICANTS = Table(
    APPLICANTS_FILE,
    "applicant",
    Applicant,
    _columns(),
    {**MENTORS.template, "review": 50.0},
    KOREAN_HEADERS,
)
"""The applicants' table: what :mod:`matchkit.io.people` reads and writes."""


class _ApplicantFile(BaseModel):
    """The JSON form: ``{"applicants": [...]}``, ids unique."""

    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    applicants: tuple[Applicant, ...]

    @model_validator(mode="after")
    def _unique(self) -> _ApplicantFile:
        repeated = _repeated(self.applicants)
        if repeated:
            raise ValueError(f"applicant ids must be unique; repeated: {repeated}")
        return self


def read_applicants(path: PathLike) -> tuple[Applicant, ...]:
    """Read applicants from a CSV table, a JSON file, a workbook or a folder.

    Parameters
    ----------
    path : str or PathLike
        ``applicants.csv`` (or any CSV file), a ``.json`` file, an ``.xlsx`` workbook with a
        sheet ``applicants`` (or ``지원자``), or a folder holding ``applicants.csv`` (see
        the module docstring).

    Returns
    -------
    tuple of Applicant
        In the file's order.

    Raises
    ------
    InputError
        Every bad row, cell and column at once, each naming the file, the row (the header
        is row 1), the applicant's id, the column and the offending value and nothing else
        about the person; a repeated id; a missing required column (``id``, ``subjects``,
        ``availability``, ``district``, ``review``); invalid JSON.
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = pathlib.Path(tmp) / "applicants.csv"
    ...     _ = p.write_text(
    ...         "아이디,과목,가능시간,자치구,대학,추천,심사점수\\n"
    ...         "a-1,math:4,Sat 10:00-14:00,Mapo-gu,Sogang University,예,81.5\\n"
    ...         "a-2,english:5,Sun 10:00-12:00,Nowon-gu,Kwangwoon University,아니오,abc\\n",
    ...         encoding="utf-8")
    ...     read_applicants(p)
    Traceback (most recent call last):
    ...
    matchkit.errors.InputError: applicants file ... has 1 problem:
      - applicants.csv row 3 (applicant 'a-2'), column 심사점수 (review): 'abc' is not a number
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file or folder: {str(p)!r}")
    if p.suffix.lower() == ".json":
        return _read_json(p)
    problems: list[InputProblem] = []
    if p.suffix.lower() == ".xlsx":
        what = f"applicants workbook {str(p)!r}"
        rows = read_sheet(p, APPLICANTS.sheets, problems)
        label = f"{p.name} sheet {APPLICANTS.sheet}"
    else:
        if p.is_dir():
            what = f"applicants folder {str(p)!r}"
            if not (p / APPLICANTS_FILE).is_file():
                raise InputError(
                    what, [InputProblem("missing_file", APPLICANTS_FILE, "is not in the folder")]
                )
            check_set(p, "applicants")
            p = p / APPLICANTS_FILE
        else:
            what = f"applicants file {str(p)!r}"
        rows = read_rows(p, problems, multiline=lambda column: column.startswith(ATTR))
        label = p.name
    found = None if rows is None else people_from_rows(rows, label, APPLICANTS, problems)
    if problems or found is None:
        raise InputError(what, problems)
    return tuple(a for a in found[0] if isinstance(a, Applicant))


def write_applicants(applicants: Iterable[Applicant], path: PathLike) -> None:
    """Write ``applicants`` to ``path``: a ``.json`` file, an ``.xlsx`` workbook (sheet
    ``applicants``), a ``.csv`` file, else a folder holding ``applicants.csv``.

    Every form is written atomically (:mod:`matchkit.io.atomic`): an interrupted write
    leaves the previous file as it was; a folder also gets the manifest
    ``matchkit-manifest.json`` (beside a cohort's entry, if the folder holds one). CSV
    files are UTF-8 with a byte-order mark and English headers; :func:`read_applicants`
    reads every form back to equal records.

    Raises
    ------
    InputError
        Two applicants share an id; or a value the CSV and workbook forms cannot hold (a
        ``;`` inside a subject name): nothing is written. JSON holds every applicant.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> a = Applicant(id="a-1", subjects={"math": 4}, availability="Sat 10:00-14:00",
    ...               district="Mapo-gu", university="Sogang University", review=81.5)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_applicants([a], pathlib.Path(tmp) / "applicants.csv")
    ...     text = (pathlib.Path(tmp) / "applicants.csv").read_text("utf-8-sig")
    ...     same = read_applicants(pathlib.Path(tmp) / "applicants.csv") == (a,)
    >>> text.splitlines()[1], same
    ('a-1,math:4,3,Sat 10:00-14:00,both,Mapo-gu,,,1,false,Sogang University,true,81.5,', True)
    """
    people = tuple(applicants)
    p = Path(path)
    repeated = _repeated(people)
    if repeated:
        raise InputError(
            "applicants",
            [
                InputProblem(
                    "duplicate_id", "applicants", f"ids must be unique; repeated: {repeated}"
                )
            ],
        )
    if p.suffix.lower() == ".json":
        data = {"applicants": [a.model_dump(mode="json") for a in people]}
        text = json.dumps(data, ensure_ascii=False, indent=2)
        write_text_atomic(p, text + "\n")
        return
    problems = people_problems(APPLICANTS, people)
    if problems:
        raise InputError("applicants (as CSV)", problems)
    if p.suffix.lower() == ".xlsx":
        p.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(p, [(APPLICANTS.sheet, *people_rows(APPLICANTS, people))])
    elif p.suffix.lower() == ".csv":
        write_people(p, APPLICANTS, people)
    else:
        files = FileSet(p, "applicants", (APPLICANTS_FILE,))
        files.add(
            APPLICANTS_FILE, lambda t: write_people(t, APPLICANTS, people), records=len(people)
        )
        files.commit()


# --- helpers -------------------------------------------------------------------------------


def _repeated(people: tuple[Applicant, ...]) -> str:
    """The repeated ids, quoted (the first five), or an empty text."""
    counts = Counter(a.id for a in people)
    dups = sorted(i for i, c in counts.items() if c > 1)
    return ", ".join(repr(d) for d in dups[:5])


def _read_json(p: Path) -> tuple[Applicant, ...]:
    where = f"applicants file {str(p)!r}"
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            where, [InputProblem("bad_encoding", p.name, "is not UTF-8 text")]
        ) from None
    data: Any = load_json(text, where, p.name)
    if isinstance(data, list):
        data = {"applicants": data}
    try:
        return _ApplicantFile.model_validate(data).applicants
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False, include_input=False):
            loc = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in err["loc"])
            field = f"{p.name} {loc.removeprefix('.')}" if loc else p.name
            problems.append(InputProblem(err["type"], field, str(err["msg"])))
        raise InputError(where, problems) from None
