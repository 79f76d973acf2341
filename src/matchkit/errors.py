"""The exceptions matchkit raises.

Exceptions are for bad input and misuse. A problem that is well formed but cannot be
satisfied (more required demand than capacity, say) is not an exception: solving returns
an :class:`~matchkit.Assignment` whose ``status`` is ``Status.INFEASIBLE`` with an
explanation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "InputError",
    "InputProblem",
    "MatchkitError",
    "MissingDependencyError",
    "UnknownMethodError",
    "UnsupportedFeatureError",
]


class MatchkitError(Exception):
    """Base class of every exception matchkit raises on purpose."""

    _args: tuple[Any, ...] | None = None
    """The constructor's arguments, for subclasses whose constructor is not ``(message)``."""

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Pickled with the constructor's own arguments, so an error raised in a worker
        # process (a what-if scenario on a process pool or Dask) arrives intact.
        if self._args is None:
            return super().__reduce__()
        return (type(self), self._args)


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One thing wrong with an input.

    Attributes
    ----------
    code:
        A stable, machine-readable code such as ``"index_out_of_range"``.
    field:
        The field (or record and field) the problem is in, e.g. ``"capacity"``.
    message:
        A sentence for a person, naming the offending values.
    indices:
        Offending positions in ``field`` (at most the first 20), empty when not positional.
    """

    code: str
    field: str
    message: str
    indices: tuple[int, ...] = ()

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InputError(MatchkitError, ValueError):
    """Bad input, with every problem found listed at once in :attr:`problems`."""

    def __init__(self, subject: str, problems: Iterable[InputProblem]) -> None:
        self.subject = subject
        self.problems: tuple[InputProblem, ...] = tuple(problems)
        self._args = (subject, self.problems)
        n = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if n == 1 else "problems"
        super().__init__(f"{subject} has {n} {noun}:\n{lines}")

    def codes(self) -> list[str]:
        """The codes of the problems, in order (handy in tests and in logs)."""
        return [p.code for p in self.problems]


class UnsupportedFeatureError(MatchkitError, ValueError):
    """A backend was asked for a problem feature it cannot represent exactly."""

    def __init__(self, method: str, features: Sequence[str], supporting: Sequence[str]) -> None:
        self.method = method
        self.features = tuple(features)
        self.supporting = tuple(supporting)
        self._args = (method, self.features, self.supporting)
        alt = ", ".join(repr(m) for m in supporting) or "none"
        super().__init__(
            f"method {method!r} cannot represent {', '.join(self.features)} exactly; "
            f"methods that can: {alt} (or use method='auto')"
        )


class UnknownMethodError(MatchkitError, ValueError):
    """``method`` names no backend."""

    def __init__(self, method: object, valid: Sequence[str]) -> None:
        self.method = method
        self.valid = tuple(valid)
        self._args = (method, self.valid)
        super().__init__(
            f"unknown method {method!r}; valid methods: {', '.join(repr(v) for v in valid)}"
        )


class MissingDependencyError(MatchkitError, ImportError):
    """A backend needs an optional package that is not installed."""

    def __init__(self, method: str, extra: str) -> None:
        self.method = method
        self.extra = extra
        self._args = (method, extra)
        super().__init__(
            f"method {method!r} needs the optional {extra!r} extra: "
            f"pip install 'matchkit[{extra}]' (or use method='auto')"
        )
