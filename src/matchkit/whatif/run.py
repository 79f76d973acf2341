"""Run scenarios serially or on any ``concurrent.futures.Executor`` (a process pool, Dask).

The base cohort travels to each worker once, not once per scenario:

* serially and on a thread pool the workers share the object;
* on a ``ProcessPoolExecutor`` it is pickled once to a temporary file, and each worker
  process reads it the first time a scenario needs it (a per-process cache keyed by the
  file's content hash);
* on Dask (``Client.get_executor()``) it is scattered once to every worker
  (``broadcast=True``) and scenarios receive the worker's copy;
* any other executor gets it with each scenario (it has no way to share data).

Each scenario's answer comes back pickled and is unpickled in the caller only when asked
for (:meth:`ScenarioReport.result`): the caller's core stays free for the workers.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import pickle
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.progress import Progress

from matchkit.compiler.problem import compile_threads
from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.errors import InputError
from matchkit.whatif.report import ScenarioReport, row_of
from matchkit.whatif.scenario import Scenario, field_problems
from matchkit.workflows.solve import gc_paused, solve

__all__ = ["grid_key_known", "run_scenarios", "sweep"]

_LOADED: dict[str, Cohort] = {}
"""Per worker process: base cohorts read from their file, by content hash."""


class _FileHandle:
    """A base cohort pickled once to a file; workers on this machine read it once each."""

    def __init__(self, cohort: Cohort, folder: str) -> None:
        data = pickle.dumps(cohort, protocol=pickle.HIGHEST_PROTOCOL)
        self.digest = hashlib.sha256(data).hexdigest()
        self.path = os.path.join(folder, f"cohort-{self.digest[:16]}.pickle")
        Path(self.path).write_bytes(data)

    def load(self) -> Cohort:
        if self.digest not in _LOADED:
            _LOADED.clear()  # one base cohort at a time per worker
            _LOADED[self.digest] = pickle.loads(Path(self.path).read_bytes())
        return _LOADED[self.digest]


def _run_one(
    base: Cohort | _FileHandle,
    scenario: Scenario,
    policy: Policy,
    options: dict[str, Any],
    threads: int,
) -> tuple[dict[str, Any], bytes, dict[str, Any]]:
    """One scenario in a worker: (its table row, the pickled result, worker facts)."""
    t0 = time.perf_counter()
    # The cyclic collector paused for the whole scenario, as solve pauses it: a worker
    # process (Dask's especially) holds many long-lived objects that every collection
    # would walk while the scenario builds tens of thousands of records.
    with gc_paused():
        cohort = base.load() if isinstance(base, _FileHandle) else base
        changed, new_policy = scenario.apply(cohort, policy)
        with compile_threads(threads):
            result = solve(changed, new_policy, **options)
        row = row_of(scenario, cohort, changed, result, time.perf_counter() - t0)
        blob = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
    return row, blob, {"pid": os.getpid(), "base_id": id(cohort)}


def _progress(total: int, enabled: bool) -> Any:
    """A rich progress bar when asked for and stderr is a terminal; else a no-op."""
    if not (enabled and sys.stderr.isatty() and total > 1):
        return None

    bar = Progress(console=Console(stderr=True), transient=True)
    bar.start()
    task = bar.add_task("scenarios", total=total)
    return bar, task


def run_scenarios(
    cohort: Cohort,
    scenarios: Sequence[Scenario],
    policy: Policy | None = None,
    *,
    executor: Executor | None = None,
    progress: bool = True,
    params: Sequence[Mapping[str, Any]] | None = None,
    **options: Any,
) -> ScenarioReport:
    """Apply each scenario to ``cohort`` and ``policy`` and solve it; one report.

    Parameters
    ----------
    cohort, policy
        The base; never modified.
    scenarios
        Distinct names; each is applied to the base (not to each other).
    executor : concurrent.futures.Executor, optional
        ``None`` (the default) runs them one after the other here; a
        ``ProcessPoolExecutor``, Dask's ``Client.get_executor()`` or any other executor runs
        them side by side (see the module docstring for how the cohort travels). Results
        are identical whichever runs them: the same scenarios and seeds give the same
        answers.
    progress : bool
        A progress bar while scenarios finish, shown only when stderr is a terminal.
    params
        Per scenario, the parameters it stands for (``sweep`` fills these in).
    **options
        Passed to :func:`matchkit.solve` (``method``, ``time_limit``, ``seed``, ...).

    Returns
    -------
    ScenarioReport
        One row per scenario, in the order given; each answer is built on first access.

    Raises
    ------
    ValueError
        Two scenarios share a name, or ``params`` has not one entry per scenario.

    Examples
    --------
    >>> from matchkit.synth import generate_cohort
    >>> base = generate_cohort(20, 80, seed=1)
    >>> report = run_scenarios(base, [Scenario(name="as is"), Scenario(name="+5", hire_mentors=5)])
    >>> [r["scenario"] for r in report.rows], report.result("+5").status.value
    (['as is', '+5'], 'optimal')
    """
    scenarios = list(scenarios)
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"scenario names must be unique; repeated: {dup[:5]}")
    if params is not None and len(params) != len(scenarios):
        raise ValueError("params must have one entry per scenario")
    policy = Policy() if policy is None else policy
    t0 = time.perf_counter()
    bar = _progress(len(scenarios), progress)
    outputs: list[tuple[dict[str, Any], bytes, dict[str, Any]]] = []
    try:
        if executor is None:
            for s in scenarios:
                outputs.append(_run_one(cohort, s, policy, options, threads=2))
                _advance(bar)
        else:
            outputs = _run_on(executor, cohort, scenarios, policy, options, bar)
    finally:
        if bar is not None:
            bar[0].stop()
    wall = time.perf_counter() - t0
    rows = []
    for k, (row, _, _) in enumerate(outputs):
        extra = dict(params[k]) if params is not None else {}
        rows.append(
            {
                "scenario": row["scenario"],
                **extra,
                **{x: v for x, v in row.items() if x != "scenario"},
            }
        )
    return ScenarioReport(
        rows=tuple(rows),
        scenarios=tuple(scenarios),
        blobs=tuple(b for _, b, _ in outputs),
        params=tuple(params[0]) if params else (),
        workers=tuple(f for _, _, f in outputs),
        wall_s=wall,
    )


def _advance(bar: Any) -> None:
    if bar is not None:
        bar[0].advance(bar[1])


def _run_on(
    executor: Executor,
    cohort: Cohort,
    scenarios: list[Scenario],
    policy: Policy,
    options: dict[str, Any],
    bar: Any,
) -> list[tuple[dict[str, Any], bytes, dict[str, Any]]]:
    threads = 2 if isinstance(executor, ThreadPoolExecutor) else 1
    pending: list[Future[Any]] = []
    with tempfile.TemporaryDirectory(prefix="matchkit-whatif-") as folder:
        base: Any = cohort
        client = getattr(executor, "_client", None)
        if isinstance(executor, ProcessPoolExecutor):
            base = _FileHandle(cohort, folder)
        elif client is not None and hasattr(client, "scatter"):
            base = client.scatter(cohort, broadcast=True)
        # Largest first (longest-processing-time order): the last scenarios to finish are
        # small ones, so no worker idles long at the end.
        order = sorted(range(len(scenarios)), key=lambda k: -_size(scenarios[k], cohort))
        index: dict[int, int] = {}
        for k in order:
            f = executor.submit(_run_one, base, scenarios[k], policy, options, threads)
            index[id(f)] = k
            pending.append(f)
        out: list[Any] = [None] * len(scenarios)
        for f in as_completed(pending):
            out[index[id(f)]] = f.result()
            _advance(bar)
        return out


def _size(s: Scenario, cohort: Cohort) -> float:
    """A scenario's rough size, mentors x mentees after its changes (for ordering only)."""
    n_t, n_s = len(cohort.mentors), len(cohort.mentees)
    gone_t = len(s.remove_mentors.ids) + (s.remove_mentors.share or 0.0) * n_t
    gone_s = len(s.remove_mentees.ids) + (s.remove_mentees.share or 0.0) * n_s
    mentors = max(n_t - gone_t, 0) + len(s.add_mentors) + s.hire_mentors
    return mentors * max(n_s - gone_s, 0) * s.demand_factor


def grid_key_known(key: str) -> bool:
    """Whether ``key`` may be a sweep's grid key: a :class:`Scenario` field other than
    ``name``, ``weights.<name>`` or ``policy.<field>``."""
    if key.startswith(("weights.", "policy.")):
        return len(key.split(".", 1)[1]) > 0
    return key in Scenario.model_fields and key != "name"


def _grid(grid: Mapping[str, Iterable[Any]]) -> tuple[list[str], list[tuple[Any, ...]]]:
    keys = list(grid)
    return keys, list(itertools.product(*(list(grid[k]) for k in keys)))


def sweep(
    cohort: Cohort,
    policy: Policy | None = None,
    *,
    grid: Mapping[str, Iterable[Any]],
    base: Scenario | None = None,
    executor: Executor | None = None,
    progress: bool = True,
    **options: Any,
) -> ScenarioReport:
    """Every combination of the ``grid``'s values, each a scenario; one report.

    Grid keys are :class:`Scenario` fields (``hire_mentors``, ``capacity_factor``,
    ``demand_factor``, ``seed``, ...), ``weights.<name>`` for a weight, or
    ``policy.<field>`` for a policy field; ``base`` carries any other changes shared by all.
    The report's rows carry each parameter as a column, and ``report.plot(metric, x=key)``
    draws the curve (for instance the top-priority match rate against mentors hired: how
    many to hire).

    Parameters
    ----------
    cohort, policy
        The base; never modified.
    grid : mapping of str to iterable
        Each key's values; one scenario per combination (the cartesian product, in the
        order of the keys), named after its parameters.
    base : Scenario, optional
        The changes every scenario starts from (``Scenario(name=...)`` fields); its grid
        keys are replaced by the grid's values.
    executor, progress, **options
        As for :func:`run_scenarios`.

    Returns
    -------
    ScenarioReport
        One row per combination, with each grid key as a column.

    Raises
    ------
    ValueError
        An empty grid, or a key that is not a ``Scenario`` field, ``weights.<name>`` or
        ``policy.<field>``.
    InputError
        A grid value the :class:`Scenario` field rejects (``hire_mentors=-3``), naming the
        scenario, the field and the value.

    Examples
    --------
    >>> from matchkit.synth import generate_cohort
    >>> report = sweep(generate_cohort(20, 80, seed=1), grid={"hire_mentors": [0, 10]})
    >>> [r["hire_mentors"] for r in report.rows]
    [0, 10]
    """
    keys, combos = _grid(grid)
    if not keys:
        raise ValueError("grid must name at least one parameter")
    for k in keys:
        if not grid_key_known(k):
            raise ValueError(
                f"grid key {k!r} is not a Scenario field, weights.<name> or policy.<field>"
            )
    if not combos:
        raise ValueError("every grid key needs at least one value")
    start = (base or Scenario(name="base")).model_dump()
    scenarios, params = [], []
    for values in combos:
        data = {**start, "weights": dict(start["weights"]), "policy": dict(start["policy"])}
        for k, v in zip(keys, values, strict=True):
            if k.startswith("weights."):
                data["weights"][k.removeprefix("weights.")] = v
            elif k.startswith("policy."):
                data["policy"][k.removeprefix("policy.")] = v
            else:
                data[k] = v
        data["name"] = ", ".join(f"{k}={v}" for k, v in zip(keys, values, strict=True))
        try:
            scenarios.append(Scenario.model_validate(data))
        except ValidationError as exc:
            raise InputError(
                f"sweep scenario {data['name']!r}", field_problems(exc, "scenario")
            ) from None
        params.append(dict(zip(keys, values, strict=True)))
    return run_scenarios(
        cohort, scenarios, policy, executor=executor, progress=progress, params=params, **options
    )
