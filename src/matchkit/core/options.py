"""The options every solve takes, checked once: time limit, seed, workers, a start.

Validation lives here, beside the arrays, so that the engine's dispatcher
(:func:`matchkit.solvers.solve_assignment`) and the domain's (:func:`matchkit.solve`) reject
the same bad values with the same words.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from matchkit.errors import UnknownMethodError

__all__ = ["SEED_MAX", "check_method", "start_selection", "validate_options"]

SEED_MAX = 2**31 - 1
"""The largest ``seed``: CP-SAT's random seed is a 32-bit signed integer."""


def check_method(method: object, valid: tuple[str, ...]) -> None:
    """Raise :class:`~matchkit.UnknownMethodError` listing ``valid`` unless ``method`` is one.

    Examples
    --------
    >>> check_method("flow", ("auto", "flow"))
    >>> check_method("lemon", ("auto", "flow"))
    Traceback (most recent call last):
    ...
    matchkit.errors.UnknownMethodError: unknown method 'lemon'; valid methods: 'auto', 'flow'
    """
    if not isinstance(method, str) or method not in valid:
        raise UnknownMethodError(method, valid)


def validate_options(time_limit: float | None, seed: int, workers: int | None) -> None:
    """Raise :class:`ValueError` naming the first option that is not of its documented kind.

    Examples
    --------
    >>> validate_options(None, 0, None)
    >>> validate_options(-1, 0, None)
    Traceback (most recent call last):
    ...
    ValueError: time_limit must be a positive number of seconds, got -1
    """
    if time_limit is not None and (
        isinstance(time_limit, bool)
        or not isinstance(time_limit, int | float)
        or not math.isfinite(time_limit)
        or time_limit <= 0
    ):
        raise ValueError(f"time_limit must be a positive number of seconds, got {time_limit!r}")
    if (
        isinstance(seed, bool)
        or not isinstance(seed, int | np.integer)
        or not 0 <= seed <= SEED_MAX
    ):
        raise ValueError(f"seed must be an integer from 0 to {SEED_MAX}, got {seed!r}")
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1
    ):
        raise ValueError(f"workers must be a positive integer or None, got {workers!r}")


def start_selection(start: npt.ArrayLike, n_edges: int) -> npt.NDArray[np.bool_]:
    """``start`` as a read-only boolean mask over the edges, or a clear error."""
    mask = np.asarray(start)
    if mask.shape != (n_edges,) or mask.dtype != np.bool_:
        raise ValueError(
            f"start must be a boolean selection over the problem's {n_edges} edges, "
            f"got an array of shape {mask.shape} and dtype {mask.dtype}"
        )
    mask = mask.copy()
    mask.flags.writeable = False
    return mask
