"""``ScenarioReport.plot`` returns a :class:`Plot`: inline in Jupyter, saved as PNG or SVG."""

from __future__ import annotations

from pathlib import Path

import pytest

from matchkit.synth import generate_cohort
from matchkit.whatif import sweep
from matchkit.whatif.report import Plot

pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def plot() -> Plot:
    report = sweep(generate_cohort(8, 30, seed=1), grid={"hire_mentors": [0, 4]}, progress=False)
    return report.plot("match_rate", x="hire_mentors")


def test_it_renders_itself_for_jupyter(plot: Plot) -> None:
    png = plot._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    svg = plot._repr_svg_()
    assert "<svg" in svg
    from IPython.core.formatters import PNGFormatter

    assert PNGFormatter()(plot) == png  # what a notebook calls to show it


def test_save_by_suffix_atomically(plot: Plot, tmp_path: Path) -> None:
    assert plot.save(tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in plot.save(tmp_path / "a.SVG").read_text()
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plot.save(tmp_path / "a.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.SVG", "a.png"]  # no temp files


def test_the_figure_is_still_there(plot: Plot) -> None:
    from matplotlib.figure import Figure

    assert isinstance(plot.figure, Figure)
    assert len(plot.axes[0].lines) == 1  # the Figure's own attributes, as before
    assert plot.savefig is not None
