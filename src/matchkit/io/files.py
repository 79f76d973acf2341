"""Cohorts, policies and results as JSON files and CSV folders (see :mod:`matchkit.io`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.domain.result import MatchResult
from matchkit.errors import InputError, InputProblem
from matchkit.io.cells import write_rows
from matchkit.io.people import MENTEES, MENTORS, people_problems, read_people, write_people
from matchkit.io.tables import matches_table, transition_table

__all__ = ["read_cohort", "read_policy", "read_result", "write_cohort", "write_result"]

PathLike = str | os.PathLike[str]
M = TypeVar("M", bound=BaseModel)
COHORT_FILES = ("mentors.csv", "mentees.csv")
RESULT_FILE = "result.json"
MATCHES_FILE = "matches.csv"
TRANSITION_FILE = "transition.csv"


def write_cohort(cohort: Cohort, path: PathLike) -> None:
    """Write ``cohort`` to ``path``: a ``.json`` file, else a folder of two CSV tables.

    The folder (and a JSON file's parent folders) is created if needed; ``mentors.csv``
    and ``mentees.csv`` in it are replaced.

    Raises
    ------
    InputError
        A value the CSV form cannot hold (a ``;`` inside a subject name or an avoided id);
        nothing is written. JSON holds every cohort.

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
    ('m-1,math:4; english:3,3,Sat 10:00-14:00,both,Mapo-gu,,,1,false,,', True)
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
    p.mkdir(parents=True, exist_ok=True)
    write_people(p / MENTORS.file, MENTORS, cohort.mentors)
    write_people(p / MENTEES.file, MENTEES, cohort.mentees)


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
    folder = _folder(p, COHORT_FILES, "cohort")
    what = f"cohort folder {str(folder)!r}"
    problems: list[InputProblem] = []
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


def write_result(result: MatchResult, path: PathLike) -> None:
    """Write ``result``: a ``.json`` file, else a folder with ``result.json`` and ``matches.csv``.

    ``matches.csv`` has one row per mentee, matched ones first: ``mentee_id``,
    ``mentor_id``, ``score``, one ``score_<weight>`` column per score component, ``window``,
    ``session`` (the weekly session, when the policy schedules them), ``mode``,
    ``distance_km``, ``reason`` and ``detail`` (unmatched only), ``priority``, ``level``,
    ``district``, ``continuity``; points rounded to 6 decimals. A ``rematch``/``repair``
    result also gets ``transition.csv``: one row per last-term pair and per new pair,
    ``mentee_id``, ``mentor_id``, ``outcome`` (``kept``, ``broken``, ``new``), ``reason``,
    ``detail``. Both are exports for spreadsheets; read results back from the JSON, which
    keeps every digit. Infinite or undefined figures (the objective of an infeasible run)
    are written as JSON's ``Infinity`` / ``NaN``, which :func:`read_result` reads.
    """
    p = Path(path)
    data = result.model_dump(mode="json")
    if _is_json(p):
        _write_json(p, data)
        return
    p.mkdir(parents=True, exist_ok=True)
    _write_json(p / RESULT_FILE, data)
    _write_matches(p / MATCHES_FILE, result)
    if result.transition is not None:
        _write_transition(p / TRANSITION_FILE, result)


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
        p = _folder(p, (RESULT_FILE,), "result") / RESULT_FILE
    return _read_json(p, MatchResult, "result file")


def read_policy(path: PathLike) -> Policy:
    """Read a :class:`~matchkit.Policy` from a JSON file (``Policy.model_dump_json()``).

    Any field left out keeps its default, so ``{"max_travel_km": 5}`` is a whole policy.
    """
    return _read_json(_existing(path), Policy, "policy file")


# --- helpers -------------------------------------------------------------------------------


def _is_json(p: Path) -> bool:
    return p.suffix.lower() == ".json"


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
    p.parent.mkdir(parents=True, exist_ok=True)
    # allow_nan: an infeasible run's objective is NaN and its bound -inf; pydantic's own JSON
    # would write null there, which does not read back.
    text = json.dumps(data, ensure_ascii=False, indent=2, allow_nan=True)
    p.write_text(text + "\n", encoding="utf-8")


def _read_json(p: Path, model: type[M], what: str) -> M:
    where = f"{what} {str(p)!r}"
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(
            where, [InputProblem("bad_encoding", p.name, "is not UTF-8 text")]
        ) from None
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        raise InputError(where, _problems(exc, p.name)) from None


def _problems(exc: ValidationError, name: str) -> list[InputProblem]:
    """pydantic's errors as problems; the input values are left out of them."""
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = "".join(f"[{x}]" if isinstance(x, int) else f".{x}" for x in err["loc"])
        field = f"{name} {loc.removeprefix('.')}" if loc else name
        out.append(InputProblem(err["type"], field, str(err["msg"])))
    return out


def _write_matches(p: Path, result: MatchResult) -> None:
    write_rows(p, *matches_table(result))


def _write_transition(p: Path, result: MatchResult) -> None:
    write_rows(p, *transition_table(result))
