"""What a batch of scenarios returns: one row of figures per scenario, each answer on demand."""

from __future__ import annotations

import contextlib
import io
import math
import os
import pickle
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from matchkit.domain.model import Cohort
from matchkit.domain.result import MatchResult
from matchkit.whatif.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["METRICS", "OutcomeChange", "Plot", "ScenarioReport", "row_of"]

METRICS = (
    "match_rate",
    "top_priority_match_rate",
    "worst_district_match_rate",
    "continuity_kept",
    "mean_subject_fit",
    "utilisation",
    "objective",
)
"""The figures of each row that :meth:`ScenarioReport.plot` can draw."""


_FORMATS = {".png": "png", ".svg": "svg"}


class Plot:
    """A figure that shows itself in Jupyter and saves as PNG or SVG.

    :meth:`ScenarioReport.plot` returns one. A notebook displays it inline whatever the
    matplotlib backend (``_repr_png_`` and ``_repr_svg_``); :meth:`save` writes it by the
    path's suffix; :attr:`figure` is the matplotlib ``Figure`` itself, and any other
    attribute (``axes``, ``savefig``, ...) is the figure's, so code written for the
    ``Figure`` it used to return keeps working.
    """

    def __init__(self, figure: Figure) -> None:
        self.figure = figure

    def __getattr__(self, name: str) -> Any:
        if name == "figure":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.figure, name)

    def to_bytes(self, fmt: str = "png", *, dpi: int = 120) -> bytes:
        """The figure as ``"png"`` or ``"svg"`` bytes."""
        if fmt not in _FORMATS.values():
            raise ValueError(f"format must be 'png' or 'svg', got {fmt!r}")
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format=fmt, dpi=dpi)
        return buffer.getvalue()

    def save(self, path: str | os.PathLike[str], *, dpi: int = 120) -> Path:
        """Write the figure to ``path`` (``.png`` or ``.svg``), atomically: a reader sees
        the old file or the new one, never half of one. Returns the path."""
        p = Path(path)
        fmt = _FORMATS.get(p.suffix.lower())
        if fmt is None:
            raise ValueError(f"a plot is saved as .png or .svg, got {str(p)!r}")
        data = self.to_bytes(fmt, dpi=dpi)
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, p)  # same folder, same file system: atomic
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        return p

    def _repr_png_(self) -> bytes:
        return self.to_bytes("png", dpi=100)

    def _repr_svg_(self) -> str:
        return self.to_bytes("svg").decode("utf-8")

    def __repr__(self) -> str:
        return f"<matchkit Plot of {self.figure!r}>"


def row_of(
    scenario: Scenario, base: Cohort, changed: Cohort, result: MatchResult, wall: float
) -> dict[str, Any]:
    """One scenario's row: sizes, match rates, continuity, utilisation, objective, status."""
    m = result.metrics()
    top = max((s.priority for s in base.mentees), default=0)
    districts = m.match_rate_by_district
    return {
        "scenario": scenario.name,
        "mentors": len(changed.mentors),
        "mentees": len(changed.mentees),
        "matched": m.n_matched,
        "match_rate": m.match_rate,
        "top_priority": top,
        "top_priority_match_rate": m.match_rate_by_priority.get(top, math.nan),
        "worst_district": min(districts, key=lambda d: (districts[d], d)) if districts else "",
        "worst_district_match_rate": min(districts.values(), default=math.nan),
        "continuity_kept": m.continuity_kept,
        "mean_subject_fit": m.mean_subject_fit,
        "utilisation": m.utilisation,
        "objective": result.objective,
        "status": result.status.value,
        "method": result.method,
        "time_s": wall,
    }


class OutcomeChange(BaseModel):
    """A mentee whose outcome differs between two scenarios (``None``: unmatched)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mentee_id: str
    before: str | None
    after: str | None


@dataclass(frozen=True, eq=False)
class ScenarioReport:
    """The outcome of :func:`run_scenarios` or :func:`sweep`.

    ``rows`` holds one dict per scenario, in the order given: ``scenario``, the sweep's
    parameters, then the figures (see :func:`row_of`; ``time_s`` is the scenario's own wall
    time in its worker). Each answer is kept pickled and built on first access by
    :meth:`result`.
    """

    rows: tuple[dict[str, Any], ...]
    scenarios: tuple[Scenario, ...]
    blobs: tuple[bytes, ...] = field(repr=False)
    params: tuple[str, ...] = ()
    workers: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    """Per scenario, the worker's process id and the identity of its base cohort object."""
    wall_s: float = 0.0
    _cache: dict[str, MatchResult] = field(default_factory=dict, repr=False)

    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    def result(self, name: str) -> MatchResult:
        """The :class:`~matchkit.MatchResult` of scenario ``name`` (KeyError if unknown)."""
        if name not in self._cache:
            k = self.names().index(name) if name in self.names() else -1
            if k < 0:
                raise KeyError(f"no scenario named {name!r}")
            out = pickle.loads(self.blobs[k])
            assert isinstance(out, MatchResult)
            self._cache[name] = out
        return self._cache[name]

    def results(self) -> Iterator[tuple[str, MatchResult]]:
        """(name, result) for every scenario, in order."""
        for name in self.names():
            yield name, self.result(name)

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario (pandas, imported on first use; the ``whatif`` extra)."""
        import pandas as pd

        return pd.DataFrame(list(self.rows)).set_index("scenario")

    def compare(self, a: str, b: str) -> list[OutcomeChange]:
        """Mentees in both scenarios whose mentor (or matched status) differs, by ID."""
        ra, rb = self.result(a), self.result(b)
        before = _outcomes(ra)
        after = _outcomes(rb)
        return [
            OutcomeChange(mentee_id=s, before=before[s], after=after[s])
            for s in sorted(before.keys() & after.keys())
            if before[s] != after[s]
        ]

    def plot(
        self,
        metric: str = "top_priority_match_rate",
        *,
        x: str | None = None,
        hue: str | None = None,
    ) -> Plot:
        """A plot of ``metric`` (one of :data:`METRICS`): against sweep parameter ``x`` (one
        line per value of ``hue``, another parameter), else one bar per scenario. Needs
        matplotlib (the ``whatif`` extra).

        The :class:`Plot` shows itself inline in Jupyter, saves with ``.save("curve.png")``
        or ``.save("curve.svg")``, and holds the matplotlib figure as ``.figure``."""
        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
        for name in (x, hue):
            if name is not None and name not in self.params:
                raise ValueError(f"{name!r} is not a parameter of this report: {self.params}")
        from matplotlib.figure import Figure

        fig = Figure(figsize=(6.4, 4.0))
        ax = fig.subplots()
        label = metric.replace("_", " ")
        if x is None:
            ax.bar(range(len(self.rows)), [r[metric] for r in self.rows])
            ax.set_xticks(
                range(len(self.rows)), [r["scenario"] for r in self.rows], rotation=30, ha="right"
            )
        else:
            groups: dict[Any, list[dict[str, Any]]] = {}
            for r in self.rows:
                groups.setdefault(r[hue] if hue else None, []).append(r)
            for value, rows in groups.items():
                rows = sorted(rows, key=lambda r: r[x])
                ax.plot(
                    [r[x] for r in rows],
                    [r[metric] for r in rows],
                    marker="o",
                    label=None if hue is None else f"{hue}={value}",
                )
            ax.set_xlabel(x)
            if hue is not None:
                ax.legend()
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        return Plot(fig)


def _outcomes(result: MatchResult) -> dict[str, str | None]:
    out: dict[str, str | None] = {m.mentee_id: m.mentor_id for m in result.matches}
    out.update({u.mentee_id: None for u in result.unmatched})
    return out
