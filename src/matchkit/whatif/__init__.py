"""What-if analysis: scenarios and sweeps over a base cohort, on one machine or a cluster.

>>> from matchkit.synth import generate_cohort
>>> from matchkit.whatif import sweep
>>> report = sweep(generate_cohort(20, 80, seed=1), grid={"hire_mentors": [0, 10, 20]})
>>> rates = [r["match_rate"] for r in report.rows]
>>> rates == sorted(rates)  # more mentors never match fewer mentees
True

See ``docs/how-to/what-if.md``. An edge package: it calls :func:`matchkit.solve` and reads
the records, files (:mod:`matchkit.io`) and synthetic cohorts (:mod:`matchkit.synth`);
pandas and matplotlib (the ``whatif`` extra) only when a frame or a plot is asked for.
Its modules: ``scenario`` (what changes), ``run`` (serial or on an executor), ``report``
(rows, frames, plots), ``file`` (``matchkit whatif FILE``).
"""

from matchkit.whatif.report import METRICS, OutcomeChange, ScenarioReport
from matchkit.whatif.run import run_scenarios, sweep
from matchkit.whatif.scenario import Scenario, Selection, Where

__all__ = [
    "METRICS",
    "OutcomeChange",
    "Scenario",
    "ScenarioReport",
    "Selection",
    "Where",
    "run_scenarios",
    "sweep",
]
