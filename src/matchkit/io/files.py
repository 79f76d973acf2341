"""Cohorts, policies and results as JSON files and CSV folders (see :mod:`matchkit.io`)."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matchkit.domain.hiring import HiringRules
from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.domain.result import MatchResult
from matchkit.errors import InputError, InputProblem
from matchkit.io.atomic import FileSet, check_set, write_text_atomic
from matchkit.io.cells import write_rows
from matchkit.io.people import (
    MENTEES,
    MENTORS,
    Person,
    Table,
    people_from_rows,
    people_problems,
    people_rows,
    read_people,
    write_people,
)
from matchkit.io.tables import (
    matches_table,
    roster_table,
    summary_table,
    transition_table,
    unmatched_table,
)
from matchkit.io.xlsx import read_sheet, write_workbook

__all__ = [
    "load_json",
    "read_cohort",
    "read_hiring_rules",
    "read_policy",
    "read_result",
    "write_cohort",
    "write_result",
]

PathLike = str | os.PathLike[str]
M = TypeVar("M", bound=BaseModel)
COHORT_FILES = ("mentors.csv", "mentees.csv")
RESULT_FILE = "result.json"
MATCHES_FILE = "matches.csv"
TRANSITION_FILE = "transition.csv"
WORKBOOK_FILE = "result.xlsx"
RESULT_FILES = (
    RESULT_FILE,
    MATCHES_FILE,
    "unmatched.csv",
    "roster.csv",
    TRANSITION_FILE,
    WORKBOOK_FILE,
)
"""Every file of a result folder; those a write does not produce are removed."""


def write_cohort(cohort: Cohort, path: PathLike) -> None:
    """Write ``cohort`` to ``path``: a ``.json`` file, an ``.xlsx`` workbook (sheets
    ``mentors`` and ``mentees``), else a folder of two CSV tables.

    Every form is written atomically (:mod:`matchkit.io.atomic`): an interrupted write
    leaves the previous files as they were. A folder gets ``mentors.csv``, ``mentees.csv``
    and the manifest ``matchkit-manifest.json`` listing both with their sizes, hashes and
    record counts; the folder (and a file's parent folders) is created if needed.

    Raises
    ------
    InputError
        A value the CSV and workbook forms cannot hold (a ``;`` inside a subject name or
        an avoided id); nothing is written. JSON holds every cohort.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from matchkit import Cohort, Mentee, Mentor
    >>> cohort = Cohort(
    ...     mentors=[Mentor(id="m-1", subjects={"math": 4, "english": 3},
    ...                     availability="Sat 10:00-14:00", district="Mapo-gu")],
    ...     mentees=[Mentee(id="s-1", level="middle", grade=2, needs={"math": 1},
    ...                     availability="Sat 10:00-12:00", district="Mapo-gu")])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_cohort(cohort, pathlib.Path(tmp) / "cohort")
    ...     text = (pathlib.Path(tmp) / "cohort" / "mentors.csv").read_text("utf-8-sig")
    ...     same = read_cohort(pathlib.Path(tmp) / "cohort") == cohort
    >>> text.splitlines()[1], same
    ('m-1,"math:4; english:3",3,Sat 10:00-14:00,both,Mapo-gu,,,1,false,,', True)
    """
    p = Path(path)
    if _is_json(p):
        data = cohort.model_dump(mode="json")
        for s in data["mentees"]:
            s["avoid"] = sorted(s["avoid"])  # a set: sorted, so the same cohort gives the same file
        _write_json(p, data)
        return
    problems = people_problems(MENTORS, cohort.mentors) + people_problems(MENTEES, cohort.mentees)
    if problems:
        raise InputError("Cohort (as CSV)", problems)
    if _is_xlsx(p):
        p.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(
            p,
            [
                (MENTORS.sheet, *people_rows(MENTORS, cohort.mentors)),
                (MENTEES.sheet, *people_rows(MENTEES, cohort.mentees)),
            ],
        )
        return
    files = FileSet(p, "cohort", COHORT_FILES)
    files.add(
        MENTORS.file,
        lambda t: write_people(t, MENTORS, cohort.mentors),
        records=len(cohort.mentors),
    )
    files.add(
        MENTEES.file,
        lambda t: write_people(t, MENTEES, cohort.mentees),
        records=len(cohort.mentees),
    )
    files.commit()


def read_cohort(path: PathLike) -> Cohort:
    """Read a cohort written by :func:`write_cohort`, or made by hand in the same format.

    Raises
    ------
    InputError
        Every bad row, cell and column at once (see the module docstring); a missing
        ``mentors.csv`` or ``mentees.csv``; invalid JSON or records in a ``.json`` file.
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = pathlib.Path(tmp)
    ...     _ = (folder / "mentors.csv").write_text(
    ...         "id,subjects,availability,district\\nm-1,math:4,Sat 10:00-14:00,Mapo-gu\\n")
    ...     _ = (folder / "mentees.csv").write_text(
    ...         "id,level,grade,needs,availability,district\\n"
    ...         "s-1,middle,2,math:1,Mon 25:00-26:00,Mapo-gu\\n")
    ...     read_cohort(folder)
    Traceback (most recent call last):
    ...
    matchkit.errors.InputError: cohort folder ... has 1 problem:
      - mentees.csv row 2 (mentee 's-1'), column availability: 'Mon 25:00-26:00': '25:00' is not a time of day
    """  # noqa: E501
    p = _existing(path)
    if _is_json(p):
        return _read_json(p, Cohort, "cohort file")
    problems: list[InputProblem] = []
    if _is_xlsx(p):
        what = f"cohort workbook {str(p)!r}"
        mentors = _sheet_people(p, MENTORS, problems, None)
        mentees = _sheet_people(p, MENTEES, problems, None if mentors is None else mentors[1])
    else:
        folder = _folder(p, COHORT_FILES, "cohort")
        check_set(folder, "cohort")
        what = f"cohort folder {str(folder)!r}"
        mentors = read_people(folder / MENTORS.file, MENTORS, problems)
        mentees = read_people(
            folder / MENTEES.file, MENTEES, problems, None if mentors is None else mentors[1]
        )
    if problems or mentors is None or mentees is None:
        raise InputError(what, problems)
    try:
        return Cohort(mentors=tuple(mentors[0]), mentees=tuple(mentees[0]))
    except ValidationError as exc:  # not expected: rows were checked one by one
        raise InputError(what, _problems(exc, "cohort")) from None


def write_result(result: MatchResult, path: PathLike, *, cohort: Cohort | None = None) -> None:
    """Write ``result``: a ``.json`` file, an ``.xlsx`` workbook, else a result folder.

    The folder holds ``result.json`` (the round-trip form: :func:`read_result` reads it
    back unchanged), the sheets ``matches.csv``, ``unmatched.csv`` and ``roster.csv``,
    ``transition.csv`` for a ``rematch``/``repair`` result, the same sheets (and a
    ``summary``) in one workbook ``result.xlsx``, and the manifest
    ``matchkit-manifest.json``. The whole set is written at once
    (:mod:`matchkit.io.atomic`): an interrupted write leaves the previous files, and a
    ``transition.csv`` of an earlier run is removed when this result has none. An
    ``.xlsx`` path gets the workbook alone. Sheets are documented in
    :mod:`matchkit.io.tables`; names and ``attr.*`` columns are filled only when the
    ``cohort`` is given (``result.json`` holds ids only). ``matches.csv`` is the sheet an
    officer edits; ``matchkit verify`` checks an edited one. Infinite or undefined figures
    (the objective of an infeasible run) are written as JSON's ``Infinity`` / ``NaN``,
    which :func:`read_result` reads.
    """
    p = Path(path)
    data = result.model_dump(mode="json")
    if _is_json(p):
        _write_json(p, data)
        return
    tables = {
        "matches": matches_table(result, cohort),
        "unmatched": unmatched_table(result, cohort),
        "roster": roster_table(result, cohort),
    }
    if result.transition is not None:
        tables["transition"] = transition_table(result)
    sheets = [(name, *t) for name, t in tables.items()]
    sheets.insert(1, ("summary", *summary_table(result)))
    if _is_xlsx(p):
        p.parent.mkdir(parents=True, exist_ok=True)
        write_workbook(p, sheets)
        return
    files = FileSet(p, "result", RESULT_FILES)
    files.add(RESULT_FILE, lambda t: _write_json(t, data))
    for name, (header, rows) in tables.items():
        files.add(f"{name}.csv", functools.partial(_write_table, header, rows), records=len(rows))
    files.add(WORKBOOK_FILE, lambda t: write_workbook(t, sheets))
    files.commit()


def read_result(path: PathLike) -> MatchResult:
    """Read a result written by :func:`write_result` (a ``.json`` file or its folder).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from matchkit import Cohort, Mentee, Mentor, solve
    >>> cohort = Cohort(
    ...     mentors=[Mentor(id="m-1", subjects={"math": 4}, availability="Sat 10:00-14:00",
    ...                     district="Mapo-gu")],
    ...     mentees=[Mentee(id="s-1", level="middle", grade=2, needs={"math": 1},
    ...                     availability="Sat 10:00-12:00", district="Mapo-gu")])
    >>> result = solve(cohort)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_result(result, tmp)
    ...     read_result(tmp) == result
    True
    """
    p = _existing(path)
    if not _is_json(p):
        folder = _folder(p, (RESULT_FILE,), "result")
        state = check_set(folder, "result")
        if RESULT_FILE in state.changed:
            raise InputError(
                f"result folder {str(folder)!r}",
                [
                    InputProblem(
                        "edited_result",
                        RESULT_FILE,
                        "was changed after matchkit wrote it; result.json is not for "
                        "editing: edit matches.csv and check it with matchkit verify",
                    )
                ],
            )
        p = folder / RESULT_FILE
    return _read_json(p, MatchResult, "result file")


def read_policy(path: PathLike) -> Policy:
    """Read a :class:`~matchkit.Policy` from a JSON file (``Policy.model_dump_json()``).

    Any field left out keeps its default, so ``{"max_travel_km": 5}`` is a whole policy.
    """
    return _read_json(_existing(path), Policy, "policy file")


def read_hiring_rules(path: PathLike) -> HiringRules:
    """Read :class:`~matchkit.HiringRules` from a JSON file (``HiringRules.model_dump_json()``).

    ``hire`` is required; any other field left out keeps its default, so
    ``{"hire": 850, "min_review": 60, "quotas": {"Sogang University": {"at_most": 40}}}`` is
    a whole file. Whether a quota's university is among the applicants is checked by
    :func:`~matchkit.recruit`, which has them.

    Raises
    ------
    InputError
        Invalid JSON, a repeated key, an unknown field or a bad value, each naming the file
        and the field (``rules.json quotas.Sogang University.at_most``).
    FileNotFoundError
        ``path`` does not exist.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = pathlib.Path(tmp) / "rules.json"
    ...     _ = p.write_text('{"hire": 2, "quotas": {"Sogang University": {"at_most": -1}}}')
    ...     read_hiring_rules(p)
    Traceback (most recent call last):
    ...
    matchkit.errors.InputError: rules file ... has 1 problem:
      - rules.json quotas.Sogang University.at_most: Input should be greater than or equal to 0
    """
    return _read_json(_existing(path), HiringRules, "rules file")


# --- helpers -------------------------------------------------------------------------------


def _is_json(p: Path) -> bool:
    return p.suffix.lower() == ".json"


def _write_table(header: list[str], rows: list[list[str]], p: Path) -> None:
    write_rows(p, header, rows)


def _is_xlsx(p: Path) -> bool:
    return p.suffix.lower() == ".xlsx"


def _sheet_people(
    p: Path, table: Table, problems: list[InputProblem], mentor_ids: set[str] | None
) -> tuple[list[Person], set[str]] | None:
    rows = read_sheet(p, table.sheets, problems)
    if rows is None:
        return None
    return people_from_rows(rows, f"{p.name} sheet {table.sheet}", table, problems, mentor_ids)


def _existing(path: PathLike) -> Path:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file or folder: {str(p)!r}")
    return p


def _folder(p: Path, files: tuple[str, ...], what: str) -> Path:
    if not p.is_dir():
        raise InputError(
            f"{what} path {str(p)!r}",
            [
                InputProblem(
                    "not_a_folder",
                    p.name,
                    f"is not a folder; a {what} is a .json file or a folder holding "
                    + " and ".join(files),
                )
            ],
        )
    missing = [f for f in files if not (p / f).is_file()]
    if missing:
        raise InputError(
            f"{what} folder {str(p)!r}",
            [InputProblem("missing_file", f, "is not in the folder") for f in missing],
        )
    return p


def _write_json(p: Path, data: Any) -> None:
    # allow_nan: an infeasible run's objective is NaN and its bound -inf; pydantic's own JSON
    # would write null there, which does not read back.
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=True)
    write_text_atomic(p, text + "\n")


def _read_json(p: Path, model: type[M], what: str) -> M:
    where = f"{what} {str(p)!r}"
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            where, [InputProblem("bad_encoding", p.name, "is not UTF-8 text")]
        ) from None
    data = load_json(text, where, p.name)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(where, _problems(exc, p.name)) from None


def load_json(text: str | bytes, where: str, name: str) -> Any:
    """``json.loads(text)``, refusing invalid JSON and an object that repeats a key (JSON
    keeps the last silently: a policy typed with ``max_travel_km`` twice would lose one);
    :class:`InputError` about ``where``, each problem naming file ``name`` and the key's
    place (``mentors[3].capacity``).

    Examples
    --------
    >>> load_json('{"weights": {"continuity": 30, "continuity": 0}}', "policy file", "p.json")
    Traceback (most recent call last):
    ...
    matchkit.errors.InputError: policy file has 1 problem:
      - p.json weights: the key 'continuity' appears more than once
    """
    repeated: list[dict[str, Any]] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):
            obj = _Repeated(obj, pairs)
            repeated.append(obj)
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs_hook)
    except json.JSONDecodeError as exc:
        message = f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise InputError(where, [InputProblem("json_invalid", name, message)]) from None
    if repeated:
        problems = [
            InputProblem(
                "duplicate_key",
                f"{name} {place}".rstrip(),
                f"the key {key!r} appears more than once",
            )
            for place, key in _repeated_keys(data, "")
        ]
        raise InputError(where, problems)
    return data


class _Repeated(dict[str, Any]):
    """A JSON object that repeated a key, marked by :func:`load_json`'s hook."""

    def __init__(self, obj: dict[str, Any], pairs: list[tuple[str, Any]]) -> None:
        super().__init__(obj)
        keys = [k for k, _ in pairs]
        self.keys_repeated = [k for k in dict.fromkeys(keys) if keys.count(k) > 1]


def _repeated_keys(data: Any, place: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, _Repeated):
        for key in data.keys_repeated:
            yield place, key
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _repeated_keys(value, f"{place}.{key}" if place else str(key))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            yield from _repeated_keys(value, f"{place}[{k}]")


def _problems(exc: ValidationError, name: str) -> list[InputProblem]:
    """pydantic's errors as problems; the input values are left out of them."""
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in err["loc"])
        field = f"{name} {loc.removeprefix('.')}" if loc else name
        out.append(InputProblem(err["type"], field, str(err["msg"])))
    return out
