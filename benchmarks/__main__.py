"""``python -m benchmarks <suite> [options]``; see :mod:`benchmarks`."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence

from benchmarks import compare, domain, engine, rich


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = parser.add_subparsers(dest="suite", required=True, metavar="SUITE")
    engine_parser = sub.add_parser(
        "engine", help="flow backend vs bare OR-Tools min-cost flow, plus CP-SAT"
    )
    engine.add_arguments(engine_parser)
    domain_parser = sub.add_parser(
        "domain", help="solve(cohort) on synthetic Seoul, metro and national cohorts"
    )
    domain.add_arguments(domain_parser)
    compare_parser = sub.add_parser(
        "compare", help="matchkit against networkx, scipy, HiGHS, plain CP-SAT and greedy"
    )
    compare.add_arguments(compare_parser)
    rich_parser = sub.add_parser(
        "rich", help="solve(cohort) with weekly sessions and fairness floors (CP-SAT path)"
    )
    rich.add_arguments(rich_parser)
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
    if args.suite == "engine":
        return engine.main(args, _command(args_list))
    if args.suite == "domain":
        return domain.main(args, _command(args_list))
    if args.suite == "compare":
        return compare.main(args, _command(args_list))
    if args.suite == "rich":
        return rich.main(args, _command(args_list))
    raise AssertionError(f"unhandled suite {args.suite!r}")  # argparse rejects the rest


if __name__ == "__main__":
    sys.exit(main())
