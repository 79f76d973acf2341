"""The what-if file read by ``matchkit whatif FILE``: a base cohort, a policy, and scenarios or
a sweep, as JSON.

Example (paths are relative to the file)::

    {
      "cohort": {"synth": {"n_mentors": 300, "n_mentees": 1200, "seed": 1}},
      "policy": {"max_travel_km": 8},
      "sweep": {"grid": {"hire_mentors": [0, 50, 100], "weights.continuity": [0, 15]}},
      "plot": {"metric": "top_priority_match_rate", "x": "hire_mentors",
               "hue": "weights.continuity"}
    }

``cohort`` is a path (a ``.json`` file or a CSV folder, as :func:`matchkit.io.read_cohort`
reads) or ``{"synth": {...}}`` (:func:`matchkit.synth.generate_cohort`'s arguments);
``policy`` is inline or a path; give either ``scenarios`` (a list of
:class:`~matchkit.whatif.Scenario`) or ``sweep`` (``grid`` and an optional ``base``
scenario). ``options`` go to :func:`matchkit.solve` (``method``, ``time_limit``, ``seed``).
"""

from __future__ import annotations

import math
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from matchkit.core.options import validate_options
from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.errors import InputError, InputProblem
from matchkit.io import read_cohort, read_policy
from matchkit.io.cells import escape, format_number, write_rows
from matchkit.synth import generate_cohort
from matchkit.whatif.report import METRICS, ScenarioReport
from matchkit.whatif.run import grid_key_known, run_scenarios, sweep
from matchkit.whatif.scenario import Scenario, field_problems

__all__ = ["WhatifFile", "read_whatif", "run_file", "write_report"]

_FROZEN = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)
_OPTIONS = ("method", "time_limit", "seed", "workers", "gap")
"""The keys ``options`` may have (:func:`matchkit.solve`'s options)."""


class SynthSpec(BaseModel):
    model_config = _FROZEN
    n_mentors: int = Field(1500, ge=1)
    n_mentees: int = Field(6000, ge=0)
    seed: int = Field(0, ge=0)


class SweepSpec(BaseModel):
    model_config = _FROZEN
    grid: dict[str, list[Any]]
    base: Scenario | None = None

    @model_validator(mode="after")
    def _known_keys(self) -> SweepSpec:
        if not self.grid:
            raise ValueError("grid must name at least one parameter")
        for key, values in self.grid.items():
            if not grid_key_known(key):
                raise ValueError(
                    f"grid key {key!r} is not a Scenario field, weights.<name> or policy.<field>"
                )
            if not values:
                raise ValueError(f"grid key {key!r} has no values")
        return self


class PlotSpec(BaseModel):
    model_config = _FROZEN
    metric: str = "top_priority_match_rate"
    x: str | None = None
    hue: str | None = None

    @model_validator(mode="after")
    def _known(self) -> PlotSpec:
        if self.metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}")
        return self


class WhatifFile(BaseModel):
    """The file's contents (unknown keys are errors: a typo must not silently do nothing)."""

    model_config = _FROZEN

    cohort: str | dict[str, SynthSpec]
    policy: str | dict[str, Any] = {}
    scenarios: list[Scenario] = []
    sweep: SweepSpec | None = None
    plot: PlotSpec = PlotSpec()
    options: dict[str, Any] = {}

    @model_validator(mode="after")
    def _one_kind(self) -> WhatifFile:
        if bool(self.scenarios) == (self.sweep is not None):
            raise ValueError("give either 'scenarios' (a list) or 'sweep', not both or neither")
        if isinstance(self.cohort, dict) and set(self.cohort) != {"synth"}:
            raise ValueError('cohort must be a path or {"synth": {...}}')
        names = [s.name for s in self.scenarios]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"scenario names must be unique; repeated: {repeated[:5]}")
        unknown = sorted(set(self.options) - set(_OPTIONS))
        if unknown:
            raise ValueError(f"options may be {', '.join(_OPTIONS)}; unknown: {unknown}")
        o = self.options
        validate_options(o.get("time_limit"), o.get("seed", 0), o.get("workers"))
        return self


def read_whatif(path: Path) -> tuple[WhatifFile, Cohort, Policy]:
    """The file, its base cohort and its policy; :class:`InputError` naming what is wrong."""

    try:
        spec = WhatifFile.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        problems = [
            InputProblem("invalid", ".".join(str(x) for x in e["loc"]) or "file", e["msg"])
            for e in exc.errors(include_url=False, include_input=False)
        ]
        raise InputError(f"what-if file {str(path)!r}", problems) from None
    here = path.parent
    if isinstance(spec.cohort, str):
        cohort = read_cohort(here / spec.cohort)
    else:
        s = spec.cohort["synth"]
        cohort = generate_cohort(s.n_mentors, s.n_mentees, seed=s.seed)
    if isinstance(spec.policy, str):
        policy = read_policy(here / spec.policy)
    else:
        try:
            policy = Policy.model_validate(spec.policy)
        except ValidationError as exc:
            raise InputError(f"what-if file {str(path)!r}", field_problems(exc, "policy")) from None
    return spec, cohort, policy


def run_file(
    spec: WhatifFile, cohort: Cohort, policy: Policy, executor: Executor | None
) -> ScenarioReport:
    if spec.sweep is not None:
        return sweep(
            cohort,
            policy,
            grid=spec.sweep.grid,
            base=spec.sweep.base,
            executor=executor,
            **spec.options,
        )
    return run_scenarios(cohort, spec.scenarios, policy, executor=executor, **spec.options)


def _cell(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v).lower()
    if isinstance(v, int | float):
        return "" if isinstance(v, float) and math.isnan(v) else format_number(round(v, 6))
    return escape(str(v))


def write_report(report: ScenarioReport, out: Path, plot: PlotSpec) -> list[Path]:
    """``whatif.csv`` (spreadsheet-safe) and, with matplotlib, ``whatif.png``; the paths."""
    out.mkdir(parents=True, exist_ok=True)
    header = list(report.rows[0]) if report.rows else ["scenario"]
    write_rows(
        out / "whatif.csv", header, iter([[_cell(r.get(h)) for h in header] for r in report.rows])
    )
    written = [out / "whatif.csv"]
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return written
    x = plot.x if plot.x in report.params else None
    hue = plot.hue if plot.hue in report.params and x is not None else None
    written.append(report.plot(plot.metric, x=x, hue=hue).save(out / "whatif.png", dpi=120))
    return written
