"""The ``matchkit`` command line (a typer app): demo, synth, solve, rematch, repair, recruit,
verify, explain, whatif.

An edge package: it calls the public API and the file readers (:mod:`matchkit.io`) and prints
with rich. ``app`` is the typer app, which the console script (``matchkit.__main__:main``) runs;
``summary`` draws the tables.
"""

from matchkit.cli.app import app

__all__ = ["app"]
