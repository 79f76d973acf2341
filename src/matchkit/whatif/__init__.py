"""What-if analysis: scenarios and sweeps over a base cohort, on one machine or a cluster.

>>> from matchkit.synth import generate_cohort
>>> from matchkit.whatif import sweep
>>> report = sweep(generate_cohort(20, 80, seed=1), grid={"hire_mentors": [0, 10, 20]})
>>> rates = [r["match_rate"] for r in report.rows]
>>> rates == sorted(rates)  # more mentors never match fewer mentees
True

See ``docs/how-to/what-if.md``.
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
