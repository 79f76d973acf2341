"""Writing files so that an interrupted run never leaves a half-written or mixed folder.

Every output is written to a temporary file in its own folder (same file system, so the
final rename is atomic) and renamed over the target only when complete: a reader sees the
old file or the new one, never a truncated one. A set of files that belong together (a
cohort's two tables; a result's JSON and sheets) is written by :class:`FileSet`, which keeps
``matchkit-manifest.json`` in the folder:

1. every file of the set is written to its temporary file;
2. the manifest is replaced by one that marks the set ``"writing"`` and lists every new
   file with its size, SHA-256 and record count;
3. the temporary files are renamed into place, and files of the set that this write does
   not produce (a ``transition.csv`` left by an earlier ``rematch``) are deleted;
4. the manifest is replaced by one that marks the set ``"complete"``.

A reader (:func:`check_set`) refuses a set still marked ``"writing"`` (the write was
interrupted between 2 and 4, so the folder may hold files of two runs) and a file the
manifest lists that is missing, and says which files were changed after matchkit wrote them
(a hand-edited sheet). A folder without a manifest was made by hand and is read as it is.
Interrupted before step 2, the folder is exactly as before; temporary files are named
``.<name>.<random>.tmp`` and removed on any exception, Ctrl-C included.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from matchkit.errors import InputError, InputProblem

__all__ = [
    "MANIFEST",
    "FileSet",
    "SetState",
    "check_set",
    "replacing",
    "sha256_of",
    "write_bytes_atomic",
    "write_text_atomic",
]

MANIFEST = "matchkit-manifest.json"
"""The manifest's file name, in the folder it describes."""
_FORMAT = 1


@contextlib.contextmanager
def replacing(path: Path, mode: str = "w", **open_kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success it replaces ``path`` atomically.

    On any exception (``KeyboardInterrupt`` included) the temporary file is removed and
    ``path`` is left as it was.
    """
    tmp = _temporary(path)
    try:
        with open(tmp, mode, **open_kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    """``path.write_text(text)``, atomically (see :func:`replacing`)."""
    with replacing(path, "w", encoding=encoding, newline="") as f:
        f.write(text)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """``path.write_bytes(data)``, atomically (see :func:`replacing`)."""
    with replacing(path, "wb") as f:
        f.write(data)


def sha256_of(path: Path) -> str:
    """The file's SHA-256 as hex."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


@dataclass
class FileSet:
    """Files that belong together, written into ``folder`` at once (see the module docstring).

    ``kind`` names the set in the manifest (``"cohort"``, ``"result"``); sets of other
    kinds in the same folder are kept. ``members`` are every file name the set can hold:
    those this write does not produce are deleted at commit.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     files = FileSet(pathlib.Path(tmp), "notes", ("a.txt", "b.txt"))
    ...     files.add("a.txt", lambda p: p.write_text("one\\n"), records=1)
    ...     files.commit()
    ...     check_set(pathlib.Path(tmp), "notes").changed
    ()
    """

    folder: Path
    kind: str
    members: tuple[str, ...]
    _staged: dict[str, tuple[Path, int | None]] = field(default_factory=dict)

    def add(self, name: str, write: Callable[[Path], None], *, records: int | None = None) -> None:
        """Stage file ``name``: ``write(path)`` writes it to a temporary path now."""
        if name not in self.members:
            raise ValueError(f"{name!r} is not a member of the {self.kind} set")
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = _temporary(self.folder / name)
        try:
            write(tmp)
            with tmp.open("rb+") as f:
                os.fsync(f.fileno())
        except BaseException:
            _remove(tmp)
            self.discard()
            raise
        self._staged[name] = (tmp, records)

    def discard(self) -> None:
        """Remove every staged temporary file (nothing in the folder changes)."""
        for tmp, _ in self._staged.values():
            _remove(tmp)
        self._staged.clear()

    def commit(self) -> None:
        """Rename every staged file into place under the manifest (steps 2 to 4)."""
        try:
            entries = {
                name: {
                    "bytes": tmp.stat().st_size,
                    "sha256": sha256_of(tmp),
                    **({} if records is None else {"records": records}),
                }
                for name, (tmp, records) in self._staged.items()
            }
            manifest = _read_manifest(self.folder)
            sets = dict(manifest.get("sets", {})) if isinstance(manifest, dict) else {}
            sets[self.kind] = {"state": "writing", "files": entries}
            _write_manifest(self.folder, sets)
            for name, (tmp, _) in self._staged.items():
                os.replace(tmp, self.folder / name)
            for name in self.members:
                if name not in self._staged:
                    with contextlib.suppress(FileNotFoundError):
                        (self.folder / name).unlink()
            self._staged.clear()
            sets[self.kind] = {"state": "complete", "files": entries}
            _write_manifest(self.folder, sets)
        except BaseException:
            self.discard()
            raise


@dataclass(frozen=True, slots=True)
class SetState:
    """What :func:`check_set` found: whether a manifest describes the set, and how it stands."""

    listed: tuple[str, ...]
    """Files the manifest lists for the set (empty without a manifest)."""
    changed: tuple[str, ...]
    """Listed files whose content differs from what matchkit wrote (edited by hand)."""
    records: Mapping[str, int]
    """Record counts the manifest gives, by file."""

    @property
    def managed(self) -> bool:
        """Whether matchkit wrote the set (a manifest lists it)."""
        return bool(self.listed)


def check_set(folder: Path, kind: str) -> SetState:
    """Check the ``kind`` set in ``folder`` against its manifest (see the module docstring).

    Raises
    ------
    InputError
        The manifest is unreadable, the set's write was interrupted, or a file it lists is
        missing.
    """
    where = f"{kind} folder {str(folder)!r}"
    manifest = _read_manifest(folder)
    if manifest is None:
        return SetState((), (), {})
    entry = manifest.get("sets", {}).get(kind) if isinstance(manifest, dict) else None
    if entry is None:
        return SetState((), (), {})
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict):
        raise InputError(where, [_bad(f"has no readable {kind!r} entry")])
    files: dict[str, Any] = entry["files"]
    if entry.get("state") != "complete":
        raise InputError(
            where,
            [
                InputProblem(
                    "interrupted_write",
                    MANIFEST,
                    f"says the {kind} files were being written when the run stopped: the "
                    "folder may hold files of two runs; write them again",
                )
            ],
        )
    missing = [n for n in files if not (folder / n).is_file()]
    if missing:
        raise InputError(
            where,
            [
                InputProblem("missing_file", n, f"is listed in {MANIFEST} but not in the folder")
                for n in missing
            ],
        )
    changed = tuple(
        n
        for n, e in files.items()
        if not isinstance(e, dict)
        or (folder / n).stat().st_size != e.get("bytes")
        or sha256_of(folder / n) != e.get("sha256")
    )
    records = {
        n: int(e["records"]) for n, e in files.items() if isinstance(e, dict) and "records" in e
    }
    return SetState(tuple(files), changed, records)


# --- helpers -------------------------------------------------------------------------------


def _temporary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _bad(message: str) -> InputProblem:
    return InputProblem("bad_manifest", MANIFEST, message)


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    p = folder / MANIFEST
    if not p.is_file():
        return None
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InputError(
            f"folder {str(folder)!r}", [_bad("is not readable JSON; delete it to read the files")]
        ) from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        raise InputError(
            f"folder {str(folder)!r}", [_bad("is not a matchkit manifest of a known format")]
        )
    return data


def _write_manifest(folder: Path, sets: dict[str, Any]) -> None:
    data = {"format": _FORMAT, "written_by": "matchkit", "sets": sets}
    write_text_atomic(folder / MANIFEST, json.dumps(data, indent=2, sort_keys=True) + "\n")
