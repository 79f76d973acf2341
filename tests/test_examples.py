"""The examples and the README's code run, and their own sanity checks hold."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path: Path) -> None:
    runpy.run_path(str(path), run_name="__main__")


def test_readme_python_blocks_run(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python example"
    namespace: dict[str, object] = {}  # blocks build on each other, as a reader's session
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "s-01 -> m-01 29.85 Sat 10:00-12:00" in out
    assert "cpsat Sat 10:00-12:00" in out
    assert "s-02 -> m-02 8.5 Wed 18:00-20:00" in out
    assert "s-03 no_subject - no mentor teaches a needed subject" in out
    assert "optimal 1.9 [1 0 1]" in out
    assert "71 1 ['mentor_left', 'no_longer_eligible', 'reassigned']" in out
    assert "[0.53, 0.68, 0.82, 0.97, 1.0]" in out
    assert "50 feasible 0.3% 400" in out
    assert "{'lower_value': 61, 'hired': 50, 'below_standard': 39}" in out


def test_readme_python_passes_mypy_strict_with_the_pydantic_plugin(tmp_path: Path) -> None:
    """README's Typing section: its code type-checks under ``--strict`` with the plugin it
    names, configured exactly as it shows."""
    import subprocess
    import sys

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    toml = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert any('plugins = ["pydantic.mypy"]' in t for t in toml)
    (tmp_path / "readme_example.py").write_text("\n".join(blocks), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(next(t for t in toml if "[tool.mypy]" in t))
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "readme_example.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
