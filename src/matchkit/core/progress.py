"""What a long solve reports while it runs: the best answer so far and a proven bound."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Progress", "ProgressCallback"]


@dataclass(frozen=True, slots=True)
class Progress:
    """A long solve's state, passed to ``solve(..., progress=callback)``.

    ``objective`` is the best answer's objective so far in points (``-inf`` before the
    first answer), ``bound`` a proven upper bound on every answer (``bound >= objective``),
    ``elapsed`` the seconds since the solve began, ``stage`` the step running
    (``"relaxation"``, ``"start"``, ``"lagrangian"``, ``"cpsat"``).

    Examples
    --------
    >>> Progress(990.0, 1000.0, 2.5, "cpsat").gap
    0.010101010101010102
    """

    objective: float
    bound: float
    elapsed: float
    stage: str

    @property
    def gap(self) -> float:
        """``(bound - objective) / max(1, |objective|)``, as ``MatchResult.gap``; inf
        before the first answer."""
        if not (math.isfinite(self.objective) and math.isfinite(self.bound)):
            return math.inf
        return max(0.0, self.bound - self.objective) / max(1.0, abs(self.objective))


ProgressCallback = Callable[[Progress], None]
"""A function called with each :class:`Progress` (keep it quick: it runs in the solve)."""
