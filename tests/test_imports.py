"""What ``import matchkit`` loads: no CP-SAT, no POT, no pandas, no plotting."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("ortools.sat", "ot", "pandas", "matplotlib", "scipy", "distributed")


def _modules_after(statement: str) -> list[str]:
    code = f"import sys, json; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


def test_import_matchkit_loads_no_heavy_dependency() -> None:
    loaded = _modules_after("import matchkit")
    heavy = [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]
    assert heavy == []
    assert "matchkit.rich.pipeline" not in loaded  # the CP-SAT pipeline: on first rich solve


def test_a_linear_solve_loads_no_cp_sat() -> None:
    statement = (
        "import matchkit; from matchkit.synth import generate_cohort; "
        "matchkit.solve(generate_cohort(5, 20, seed=1))"
    )
    loaded = _modules_after(statement)
    assert not [m for m in loaded if m.startswith("ortools.sat")]


def test_a_rich_solve_loads_cp_sat() -> None:
    """The check above can fail: the same probe sees CP-SAT once a rich rule needs it."""
    statement = (
        "import matchkit; from matchkit.synth import generate_cohort; "
        "matchkit.solve(generate_cohort(5, 20, seed=1), matchkit.Policy(sessions={}), "
        "time_limit=5)"
    )
    loaded = _modules_after(statement)
    assert "ortools.sat.python.cp_model" in loaded
