"""The ``matchkit`` command: demo, synth, solve, verify and explain from a shell.

Exit codes: 0 success; 1 ``verify`` (or ``demo``) found broken rules; 2 bad input (a bad
file, option or id), printed as one clean message without a traceback. A spinner shows on
long steps when standard output is a terminal, and never otherwise.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from matchkit.cli.summary import print_report, print_summary, print_violations
from matchkit.domain.policy import Policy
from matchkit.domain.result import MatchResult
from matchkit.errors import InputError, MatchkitError
from matchkit.io import read_cohort, read_policy, read_result, write_cohort, write_result
from matchkit.synth import generate_cohort
from matchkit.verify import Violation, verify
from matchkit.whatif.file import read_whatif, run_file, write_report
from matchkit.workflows.solve import solve

__all__ = ["app", "step"]

app = typer.Typer(
    name="matchkit",
    help="Match mentees to mentors: synthetic cohorts, solving, checking, explaining.",
    no_args_is_help=True,
    add_completion=False,
    # Locals would hold people's records: never print them in a traceback.
    pretty_exceptions_show_locals=False,
)

_MAX_PROBLEMS = 50
"""Problems printed for bad input; the rest are counted."""

MentorsOpt = Annotated[int, typer.Option("--mentors", min=1, help="Number of mentors.")]
MenteesOpt = Annotated[int, typer.Option("--mentees", min=0, help="Number of mentees.")]
SeedOpt = Annotated[int, typer.Option("--seed", min=0, help="Random seed (same seed, same run).")]
PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="Policy JSON file (defaults for missing fields).")
]


def _say(console: Console, text: str) -> None:
    """Plain text: no markup, no highlighting, no hard wrapping (pipes get whole lines)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _fail(message: str) -> NoReturn:
    _say(Console(stderr=True), f"error: {message}")
    raise typer.Exit(2)


@contextlib.contextmanager
def _clean_errors() -> Iterator[None]:
    """Bad input becomes a message on stderr and exit code 2, without a traceback."""
    try:
        yield
    except InputError as exc:
        lines = [f"{exc.subject} has {len(exc.problems)} problem(s):"]
        lines += [f"  - {p}" for p in exc.problems[:_MAX_PROBLEMS]]
        if len(exc.problems) > _MAX_PROBLEMS:
            lines.append(f"  ... and {len(exc.problems) - _MAX_PROBLEMS} more")
        _fail("\n".join(lines))
    except (MatchkitError, OSError) as exc:
        _fail(str(exc))


@contextlib.contextmanager
def step(console: Console, text: str) -> Iterator[None]:
    """A spinner while a long step runs, only on a terminal."""
    if console.is_terminal:
        with console.status(text):
            yield
    else:
        yield


def _solved(
    console: Console,
    cohort_path: Path,
    policy_path: Path | None,
    method: str,
    time_limit: float | None,
    seed: int,
    workers: int | None = None,
) -> tuple[MatchResult, float]:
    with step(console, "Reading the cohort..."):
        t0 = time.perf_counter()
        cohort = read_cohort(cohort_path)
        policy = read_policy(policy_path) if policy_path is not None else Policy()
        read_s = time.perf_counter() - t0
    with step(console, f"Solving {len(cohort.mentees):,} mentees..."):
        result = solve(
            cohort, policy, method=method, time_limit=time_limit, seed=seed, workers=workers
        )
    return result, read_s


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the cohort and result files.")
    ] = Path("matchkit-demo"),
    mentors: MentorsOpt = 1500,
    mentees: MenteesOpt = 6000,
    seed: SeedOpt = 0,
) -> None:
    """Generate a Seoul-size synthetic cohort, solve it, verify it, and write it all out.

    The folder gets mentors.csv and mentees.csv (the cohort), result.json and matches.csv.
    """
    console = Console()
    with _clean_errors():
        timings: dict[str, float] = {}
        with step(console, f"Generating {mentors:,} mentors and {mentees:,} mentees..."):
            t0 = time.perf_counter()
            cohort = generate_cohort(mentors, mentees, seed=seed)
            timings["generate"] = time.perf_counter() - t0
        with step(console, f"Solving {mentees:,} mentees..."):
            result = solve(cohort, Policy(), seed=seed)
        with step(console, "Verifying every rule from the cohort..."):
            t0 = time.perf_counter()
            violations = verify(cohort, result.policy, result)
            timings["verify"] = time.perf_counter() - t0
        with step(console, "Writing files..."):
            t0 = time.perf_counter()
            write_cohort(cohort, out)
            write_result(result, out)
            timings["write files"] = time.perf_counter() - t0
    print_summary(console, result, more_timings=timings)
    _report_verification(console, violations, len(result.matches), len(result.unmatched))
    _say(console, f"Files written to {out.resolve()}")
    if violations:
        raise typer.Exit(1)


@app.command()
def synth(
    out: Annotated[
        Path, typer.Option("--out", help="A .json file, or a folder for two CSV files.")
    ],
    mentors: MentorsOpt = 1500,
    mentees: MenteesOpt = 6000,
    seed: SeedOpt = 0,
) -> None:
    """Generate a synthetic cohort and write it (cohort.json, or a folder of CSV files)."""
    console = Console()
    with _clean_errors():
        with step(console, f"Generating {mentors:,} mentors and {mentees:,} mentees..."):
            cohort = generate_cohort(mentors, mentees, seed=seed)
        write_cohort(cohort, out)
    _say(
        console,
        f"Wrote {len(cohort.mentors):,} mentors and {len(cohort.mentees):,} mentees to {out}",
    )


@app.command("solve")
def solve_command(
    cohort: Annotated[Path, typer.Argument(help="Cohort: a .json file or a CSV folder.")],
    out: Annotated[
        Path, typer.Option("--out", help="result.json, or a folder for result.json + matches.csv.")
    ],
    policy: PolicyOpt = None,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="auto, an engine backend (flow, cpsat, simplex, priced) or a method "
            "(linear, balanced, floors, rich, stable).",
        ),
    ] = "auto",
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", min=0, help="Seconds (cpsat; 60 with rich rules)."),
    ] = None,
    seed: SeedOpt = 0,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="CP-SAT workers (default 1).")
    ] = None,
) -> None:
    """Match a cohort under a policy, print the summary and write the result.

    A policy with rich rules (sessions, floors, max-min, balance, caps; see
    docs/explanation/rich-rules.md) is solved with CP-SAT; the summary says why.
    """
    console = Console()
    with _clean_errors():
        result, read_s = _solved(console, cohort, policy, method, time_limit, seed, workers)
        t0 = time.perf_counter()
        write_result(result, out)
        write_s = time.perf_counter() - t0
    print_summary(console, result, more_timings={"read cohort": read_s, "write result": write_s})
    _say(console, f"Result written to {out}")


@app.command("verify")
def verify_command(
    cohort: Annotated[Path, typer.Argument(help="Cohort: a .json file or a CSV folder.")],
    result: Annotated[Path, typer.Argument(help="result.json, or a result folder.")],
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy JSON file; by default the result's own policy."),
    ] = None,
) -> None:
    """Check a result against every rule, recomputed from the cohort; exit 1 if any broke."""
    console = Console()
    with _clean_errors():
        with step(console, "Reading..."):
            the_cohort = read_cohort(cohort)
            the_result = read_result(result)
            the_policy = read_policy(policy) if policy is not None else the_result.policy
        with step(console, "Verifying..."):
            violations = verify(the_cohort, the_policy, the_result)
    _report_verification(console, violations, len(the_result.matches), len(the_result.unmatched))
    if violations:
        raise typer.Exit(1)


@app.command()
def explain(
    result: Annotated[Path, typer.Argument(help="result.json, or a result folder.")],
    mentee_id: Annotated[str, typer.Argument(help="The mentee's id.")],
) -> None:
    """Say in a few sentences what happened to one mentee and why."""
    with _clean_errors():
        the_result = read_result(result)
    try:
        text = the_result.explain(mentee_id)
    except KeyError:
        _fail(f"mentee {mentee_id!r} is not in this result")
    _say(Console(), text)


def _report_verification(
    console: Console, violations: Sequence[Violation], matched: int, unmatched: int
) -> None:
    if violations:
        print_violations(console, violations)
    else:
        _say(
            console,
            f"Verified: no rule broken ({matched:,} matches and {unmatched:,} unmatched "
            "mentees checked against the cohort).",
        )


@app.command()
def whatif(
    file: Annotated[Path, typer.Argument(help="What-if JSON file (docs/how-to/what-if.md).")],
    out: Annotated[
        Path, typer.Option("--out", help="Folder for whatif.csv and whatif.png.")
    ] = Path("whatif-out"),
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Processes side by side (1: one after another).")
    ] = 1,
    dask: Annotated[
        str | None, typer.Option("--dask", help="A Dask scheduler address to run them on.")
    ] = None,
) -> None:
    """Run a file of what-if scenarios (or a sweep), print the table, write CSV and PNG."""

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # a log or a pipe: the whole table, unwrapped
    with _clean_errors():
        spec, cohort, policy = read_whatif(file)
        with contextlib.ExitStack() as stack:
            executor: Executor | None = None
            if dask is not None:
                from distributed import Client  # lazy: the optional dask extra, heavy to import

                client = Client(dask)  # type: ignore[no-untyped-call]
                executor = stack.enter_context(client).get_executor()
            elif workers > 1:
                executor = stack.enter_context(ProcessPoolExecutor(workers))
            report = run_file(spec, cohort, policy, executor)
        written = write_report(report, out, spec.plot)
    print_report(console, report)
    _say(console, "Written: " + ", ".join(str(p) for p in written))
