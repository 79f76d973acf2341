"""``python -m benchmarks <suite> [options]``; see :mod:`benchmarks`."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from typing import Any

from benchmarks import compare, continuity, domain, engine, recruit, rich, whatif

SUITES: dict[str, tuple[Any, str]] = {
    "engine": (engine, "flow backend vs bare OR-Tools min-cost flow, plus CP-SAT"),
    "domain": (domain, "solve(cohort) on synthetic Seoul, metro and national cohorts"),
    "compare": (compare, "matchkit against networkx, scipy, HiGHS, plain CP-SAT and greedy"),
    "rich": (rich, "solve(cohort) with weekly sessions and fairness floors (CP-SAT path)"),
    "continuity": (continuity, "price of stability, continuity over terms, rematch and repair"),
    "whatif": (whatif, "40 what-if scenarios: serial vs a 2-process pool vs 2 Dask workers"),
    "recruit": (recruit, "select_mentors vs plain CP-SAT, HiGHS, greedy and ranking by review"),
}
"""Each suite's module (with ``add_arguments`` and ``main``) and its one-line help."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = parser.add_subparsers(dest="suite", required=True, metavar="SUITE")
    for name, (module, text) in SUITES.items():
        module.add_arguments(sub.add_parser(name, help=text))
    return parser


def _command(argv: Sequence[str]) -> str:
    """The command line as typed, the interpreter shown relative to the working directory."""
    python = sys.executable
    rel = os.path.relpath(python)
    if not rel.startswith(".."):
        python = rel
    return shlex.join([python, "-m", "benchmarks", *argv])


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(args_list)
    module, _ = SUITES[args.suite]  # argparse accepts only these names
    return int(module.main(args, _command(args_list)))


if __name__ == "__main__":
    sys.exit(main())
