"""The example notebooks run top to bottom, and are committed with their outputs stripped.

Each code cell runs in one namespace, as a kernel would run them in order (no Jupyter
kernel needed: the test checks the code, not the notebook machinery); figures go to
matplotlib's non-interactive backend. ``MATCHKIT_NOTEBOOK_QUICK=1`` asks a notebook that runs at
full size by default (``recruit_this_year.ipynb``: Seoul's, a 60 s choice) for its small
version.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.ipynb"))


def test_there_are_the_two_what_if_notebooks() -> None:
    assert {p.name for p in NOTEBOOKS} >= {"hiring_curve.ipynb", "continuity_vs_fit.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped_and_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib

    matplotlib.use("Agg")
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    for cell in code:
        assert cell["outputs"] == [], f"{path.name}: outputs must be stripped"
        assert cell["execution_count"] is None, f"{path.name}: execution counts must be stripped"
    monkeypatch.chdir(path.parent)
    monkeypatch.setenv("MATCHKIT_NOTEBOOK_QUICK", "1")
    namespace: dict[str, object] = {"__name__": "__main__"}
    for k, cell in enumerate(code):
        exec(compile("".join(cell["source"]), f"{path.name}[{k}]", "exec"), namespace)
    import matplotlib.pyplot as plt

    plt.close("all")
