"""The ``matchkit`` command: demo, synth, solve, rematch, repair, recruit, verify, explain,
whatif.

Exit codes:

* 0 -- success;
* 1 -- ``verify`` (or ``demo``) found broken rules;
* 2 -- bad input (a bad file, option or id; an output path that is one of the inputs),
  printed as one clean message on stderr, without a traceback;
* 130 -- interrupted (Ctrl-C): one line saying whether any file was changed.

A spinner shows on long steps when standard output is a terminal, and never otherwise;
a long solve with rich rules shows its best answer, bound and gap on the spinner line.
"""

from __future__ import annotations

import contextlib
import math
import signal
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.status import Status as RichStatus

from matchkit.cli.recruit import RECRUIT_FILES, earlier_outputs, print_recruit_summary
from matchkit.cli.summary import print_report, print_summary, print_violations
from matchkit.core.options import SEED_MAX, check_method
from matchkit.core.progress import Progress
from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.domain.result import MatchResult
from matchkit.errors import InputError, InputProblem, MatchkitError
from matchkit.io import (
    read_applicants,
    read_cohort,
    read_hiring_rules,
    read_matches,
    read_pins,
    read_policy,
    read_result,
    write_cohort,
    write_hires,
    write_result,
)
from matchkit.io.atomic import check_set
from matchkit.io.files import MATCHES_FILE, RESULT_FILE, WORKBOOK_FILE
from matchkit.io.hires import HIRES_FILE
from matchkit.solvers.selection import SELECTION_METHODS
from matchkit.synth import generate_cohort
from matchkit.verify import EDITED, Violation, unchecked_rules, verify, verify_pairs
from matchkit.whatif.file import read_whatif, run_file, write_report
from matchkit.whatif.scenario import field_problems
from matchkit.workflows.recruit import recruit
from matchkit.workflows.rematch import rematch
from matchkit.workflows.repair import repair
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
SeedOpt = Annotated[
    int, typer.Option("--seed", help=f"Random seed, 0 to {SEED_MAX} (same seed, same run).")
]
TimeLimitOpt = Annotated[
    float | None,
    typer.Option("--time-limit", help="Seconds, > 0 (cpsat; 60 with rich rules)."),
]
MethodOpt = Annotated[
    str,
    typer.Option(
        "--method",
        help="auto, an engine backend (flow, cpsat, simplex, priced) or a method "
        "(linear, balanced, floors, rich, stable).",
    ),
]
PolicyOpt = Annotated[
    Path | None, typer.Option("--policy", help="Policy JSON file (defaults for missing fields).")
]


def _say(console: Console, text: str) -> None:
    """Plain text: no markup, no highlighting, no hard wrapping (pipes get whole lines)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _fail(message: str, code: int = 2) -> NoReturn:
    _say(Console(stderr=True), f"error: {message}")
    raise typer.Exit(code)


class Writes:
    """What a command has written so far, for an honest line when it is interrupted."""

    def __init__(self) -> None:
        self.writing: Path | None = None
        self.written: list[Path] = []

    @contextlib.contextmanager
    def to(self, path: Path) -> Iterator[None]:
        """Around writing ``path`` (every output is written to a temporary file and renamed)."""
        self.writing = path
        yield
        self.writing = None
        self.written.append(path)

    def interrupted(self) -> str:
        if self.writing is not None:
            return (
                f"interrupted while writing {self.writing}: its previous files are kept unless "
                "the last rename had begun (then the folder is marked and refused when read); "
                "run the command again"
            )
        if self.written:
            return "interrupted; written already: " + ", ".join(str(p) for p in self.written)
        return "interrupted; no files were changed"


@contextlib.contextmanager
def _clean_errors(writes: Writes | None = None) -> Iterator[None]:
    """Bad input becomes a message on stderr and exit code 2, Ctrl-C one line and exit code
    130, without a traceback."""
    try:
        yield
    except InputError as exc:
        _fail(_input_lines(exc.subject, exc.problems))
    except ValidationError as exc:  # a record built from options: field and value only
        _fail(_input_lines(exc.title, field_problems(exc, exc.title)))
    except (MatchkitError, OSError, ValueError) as exc:
        # ValueError: the library's documented misuse (an option out of range, a scenario
        # name repeated); the message names the option and the value.
        _fail(" ".join(str(exc).split()) if "\n" not in str(exc).strip() else str(exc))
    except KeyboardInterrupt:
        _fail((writes or Writes()).interrupted(), 130)


def _input_lines(subject: str, problems: Sequence[object]) -> str:
    lines = [f"{subject} has {len(problems)} problem(s):"]
    lines += [f"  - {p}" for p in problems[:_MAX_PROBLEMS]]
    if len(problems) > _MAX_PROBLEMS:
        lines.append(f"  ... and {len(problems) - _MAX_PROBLEMS} more")
    return "\n".join(lines)


WRITES = {
    "result": ("result.json", "matches.csv", "transition.csv", "matchkit-manifest.json"),
    "cohort": ("mentors.csv", "mentees.csv", "matchkit-manifest.json"),
    "whatif": ("whatif.csv", "whatif.png"),
    "recruit": RECRUIT_FILES,
}
"""The files each kind of output folder receives (a ``.json`` output is that file alone)."""


def refuse_overwrite(out: Path, kind: str, inputs: dict[str, Path]) -> None:
    """Exit 2 if writing ``out`` would replace one of ``inputs`` (by resolved path): the
    output is an input file or folder, or a folder holding an input under a name it writes."""
    o = out.resolve()
    targets = {o} if o.suffix.lower() == ".json" else {o, *(o / n for n in WRITES[kind])}
    for label, path in inputs.items():
        r = path.resolve()
        if r in targets:
            _fail(
                f"the output {str(out)!r} would replace the {label} {str(path)!r}; "
                "write to another path"
            )


def _check_options(time_limit: float | None, seed: int) -> None:
    """The solve options, checked before any file is read: one line naming the option."""
    if time_limit is not None and not (math.isfinite(time_limit) and time_limit > 0):
        _fail(f"--time-limit must be a number of seconds greater than 0, got {time_limit:g}")
    if not 0 <= seed <= SEED_MAX:
        _fail(f"--seed must be an integer from 0 to {SEED_MAX}, got {seed}")


class Spinner:
    """The spinner line of a running step; ``update`` is a no-op off a terminal."""

    def __init__(self, status: RichStatus | None, text: str) -> None:
        self.status, self.text = status, text

    @property
    def live(self) -> bool:
        return self.status is not None

    def update(self, detail: str) -> None:
        if self.status is not None:
            self.status.update(f"{self.text} {detail}")


@contextlib.contextmanager
def step(console: Console, text: str) -> Iterator[Spinner]:
    """A spinner while a long step runs, only on a terminal."""
    if console.is_terminal:
        with console.status(text) as status:
            yield Spinner(status, text)
    else:
        yield Spinner(None, text)


def _progress_option(spinner: Spinner) -> dict[str, Any]:
    """Options for :func:`solve` that show its progress on the spinner line (a terminal only)."""
    if not spinner.live:
        return {}

    def show(p: Progress) -> None:
        spinner.update(progress_line(p))

    return {"progress": show}


def progress_line(p: Progress) -> str:
    """``best 1,234.5, bound 1,240.0, gap 0.4%, 12 s`` (no best yet: the bound alone)."""
    if not math.isfinite(p.objective):
        return f"bound {p.bound:,.1f}, {p.elapsed:.0f} s"
    return f"best {p.objective:,.1f}, bound {p.bound:,.1f}, gap {p.gap:.1%}, {p.elapsed:.0f} s"


def _read(
    console: Console, cohort_path: Path, policy_path: Path | None
) -> tuple[Cohort, Policy | None, float]:
    """The cohort and the policy (None when no ``--policy`` was given), and the seconds."""
    with step(console, "Reading the cohort..."):
        t0 = time.perf_counter()
        cohort = read_cohort(cohort_path)
        policy = read_policy(policy_path) if policy_path is not None else None
        return cohort, policy, time.perf_counter() - t0


def _write(
    console: Console, result: MatchResult, out: Path, writes: Writes, cohort: Cohort
) -> float:
    """Write the result; the cohort fills names and attributes into the sheets."""
    with step(console, "Writing the result..."), writes.to(out):
        t0 = time.perf_counter()
        write_result(result, out, cohort=cohort)
        return time.perf_counter() - t0


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
    _check_options(None, seed)
    writes = Writes()
    with _clean_errors(writes):
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
        with step(console, "Writing files..."), writes.to(out):
            t0 = time.perf_counter()
            write_cohort(cohort, out)
            write_result(result, out, cohort=cohort)
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
    _check_options(None, seed)
    writes = Writes()
    with _clean_errors(writes):
        with step(console, f"Generating {mentors:,} mentors and {mentees:,} mentees..."):
            cohort = generate_cohort(mentors, mentees, seed=seed)
        with writes.to(out):
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
    method: MethodOpt = "auto",
    time_limit: TimeLimitOpt = None,
    seed: SeedOpt = 0,
    workers: Annotated[
        int | None, typer.Option("--workers", min=1, help="CP-SAT workers (default 1).")
    ] = None,
    pins: Annotated[
        Path | None,
        typer.Option(
            "--pins",
            help="pins.csv (or .xlsx with a pins sheet): columns mentee, mentor, rule "
            "(pin or forbid), added to the policy's pinned and forbidden pairs.",
        ),
    ] = None,
) -> None:
    """Match a cohort under a policy, print the summary and write the result.

    A policy with rich rules (sessions, floors, max-min, balance, caps; see
    docs/explanation/rich-rules.md) is solved with CP-SAT; the summary says why.
    """
    console = Console()
    _check_options(time_limit, seed)
    refuse_overwrite(out, "result", _inputs(cohort=cohort, policy=policy, pins=pins))
    writes = Writes()
    with _clean_errors(writes):
        the_cohort, the_policy, read_s = _read(console, cohort, policy)
        if pins is not None:
            the_policy = read_pins(pins, the_cohort).apply(the_policy or Policy())
        with step(console, f"Solving {len(the_cohort.mentees):,} mentees...") as show:
            result = solve(
                the_cohort,
                the_policy,
                method=method,
                time_limit=time_limit,
                seed=seed,
                workers=workers,
                **_progress_option(show),
            )
        write_s = _write(console, result, out, writes, the_cohort)
        more = {"read cohort": read_s, "write result": write_s}
        print_summary(console, result, more_timings=more)
        _say(console, f"Result written to {out}")


def _inputs(**paths: Path | None) -> dict[str, Path]:
    return {name.replace("_", " "): p for name, p in paths.items() if p is not None}


@app.command("rematch")
def rematch_command(
    cohort: Annotated[Path, typer.Argument(help="This term's cohort: .json or a CSV folder.")],
    previous: Annotated[
        Path, typer.Option("--previous", help="Last term's result (result.json or its folder).")
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="result.json, or a folder for result.json, matches.csv, transition.csv."
        ),
    ],
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy JSON file; by default last term's policy."),
    ] = None,
    keep: Annotated[
        str,
        typer.Option(
            "--keep", help="prefer: continuing pairs score extra; require: each is pinned."
        ),
    ] = "prefer",
    max_changes: Annotated[
        int | None,
        typer.Option(
            "--max-changes", min=0, help="With --keep prefer: at most this many broken by choice."
        ),
    ] = None,
    method: MethodOpt = "auto",
    time_limit: TimeLimitOpt = None,
    seed: SeedOpt = 0,
) -> None:
    """This term's answer keeping last term's pairs that still work; writes transition.csv.

    Each continuing pair is kept, or broken with its reason (a person left, no longer
    eligible, mentor full, reassigned, unmatched); see docs/explanation/continuity.md.
    """
    console = Console()
    _check_options(time_limit, seed)
    refuse_overwrite(out, "result", _inputs(cohort=cohort, previous_result=previous, policy=policy))
    writes = Writes()
    with _clean_errors(writes):
        the_cohort, the_policy, read_s = _read(console, cohort, policy)
        last = read_result(previous)
        with step(console, f"Rematching {len(the_cohort.mentees):,} mentees..."):
            result = rematch(
                last,
                the_cohort,
                the_policy if the_policy is not None else last.policy,
                keep=keep,
                max_changes=max_changes,
                method=method,
                time_limit=time_limit,
                seed=seed,
            )
        write_s = _write(console, result, out, writes, the_cohort)
        print_summary(console, result, more_timings={"read": read_s, "write result": write_s})
        _say_transition(console, result)
        _say(console, f"Result written to {out}")


@app.command("repair")
def repair_command(
    cohort: Annotated[Path, typer.Argument(help="The cohort RESULT answered.")],
    result: Annotated[Path, typer.Argument(help="The current result (result.json or folder).")],
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="result.json, or a folder for result.json, matches.csv, transition.csv."
        ),
    ],
    remove_mentor: Annotated[
        list[str] | None,
        typer.Option("--remove-mentor", help="A mentor who left (repeat for more)."),
    ] = None,
    remove_mentee: Annotated[
        list[str] | None,
        typer.Option("--remove-mentee", help="A mentee who left (repeat for more)."),
    ] = None,
    add: Annotated[
        Path | None,
        typer.Option(
            "--add", help="People who joined: a cohort file or folder (its mentors and mentees)."
        ),
    ] = None,
    only_moved: Annotated[
        bool,
        typer.Option(
            "--only-moved",
            help="Solve only for mentees who lost their mentor and added ones, not for "
            "those waiting unmatched.",
        ),
    ] = False,
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy JSON file; by default the result's own policy."),
    ] = None,
    method: MethodOpt = "auto",
    time_limit: TimeLimitOpt = None,
    seed: SeedOpt = 0,
) -> None:
    """Mid-term: re-assign only the mentees a change affects; every other pair stays.

    The new cohort (COHORT less the removed, plus the added) is not written; the result
    and its transition.csv are.
    """
    console = Console()
    _check_options(time_limit, seed)
    paths = _inputs(cohort=cohort, result=result, policy=policy, added_people=add)
    refuse_overwrite(out, "result", paths)
    if not (remove_mentor or remove_mentee or add):
        _fail("nothing to repair: give --remove-mentor, --remove-mentee or --add")
    writes = Writes()
    with _clean_errors(writes):
        the_cohort, the_policy, read_s = _read(console, cohort, policy)
        current = read_result(result)
        added = read_cohort(add) if add is not None else None
        with step(console, "Repairing..."):
            repaired = repair(
                current,
                the_cohort,
                the_policy if the_policy is not None else current.policy,
                removed_mentors=remove_mentor or (),
                removed_mentees=remove_mentee or (),
                added_mentors=added.mentors if added is not None else (),
                added_mentees=added.mentees if added is not None else (),
                include_unmatched=not only_moved,
                method=method,
                time_limit=time_limit,
                seed=seed,
            )
        everyone = the_cohort
        if added is not None:
            everyone = Cohort(
                mentors=(*the_cohort.mentors, *added.mentors),
                mentees=(*the_cohort.mentees, *added.mentees),
            )
        write_s = _write(console, repaired, out, writes, everyone)
        print_summary(console, repaired, more_timings={"read": read_s, "write result": write_s})
        _say_transition(console, repaired)
        _say(console, f"Result written to {out}")


def _say_transition(console: Console, result: MatchResult) -> None:
    t = result.transition
    if t is not None:
        _say(
            console,
            f"Transition: {len(t.kept):,} pairs kept, {len(t.broken):,} broken, "
            f"{len(t.new):,} new (transition.csv in a result folder).",
        )


@app.command("recruit")
def recruit_command(
    cohort: Annotated[
        Path,
        typer.Argument(help="The mentors who stay and next term's mentees: .json or a CSV folder."),
    ],
    applicants: Annotated[
        Path,
        typer.Argument(
            help="Applicants: a .csv (English or Korean headers), .json or .xlsx file, or a "
            "folder holding applicants.csv."
        ),
    ],
    rules: Annotated[
        Path,
        typer.Option(
            "--rules",
            help='Hiring rules JSON file, e.g. {"hire": 850, "min_review": 60, "quotas": '
            '{"Sogang University": {"at_most": 40}}}.',
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for hires.csv, curve.csv, the new cohort and its result.",
        ),
    ] = Path("recruit-out"),
    policy: PolicyOpt = None,
    method: Annotated[
        str, typer.Option("--method", help="auto, lagrange or cpsat (how hires are chosen).")
    ] = "auto",
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit",
            help="Seconds for choosing, > 0; the matching and the curve add a few solves.",
        ),
    ] = 60.0,
    seed: SeedOpt = 0,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the files an earlier run left in --out.")
    ] = False,
) -> None:
    """Choose which applicants to hire, match next term's mentees with the new cohort, and
    write the hire list.

    --out receives hires.csv (one row per applicant: hired or not, and why), curve.csv
    (the value of fewer and more hires), the new cohort (mentors.csv, mentees.csv) and its
    result (result.json, matches.csv, ...): check them with matchkit verify OUT OUT.
    """
    console = Console()
    _check_options(time_limit, seed)
    with _clean_errors():
        check_method(method, SELECTION_METHODS)
    if out.suffix.lower() in (".json", ".xlsx", ".csv") or out.is_file():
        _fail(f"--out must be a folder (it receives {HIRES_FILE} and more), got {str(out)!r}")
    refuse_overwrite(
        out, "recruit", _inputs(cohort=cohort, applicants=applicants, rules=rules, policy=policy)
    )
    earlier = earlier_outputs(out)
    if earlier and not force:
        more = f" and {len(earlier) - 1} more file(s)" if len(earlier) > 1 else ""
        _fail(
            f"the folder {str(out)!r} already holds {earlier[0]}{more} of an earlier run; "
            "give --force to replace them, or write to another folder"
        )
    writes = Writes()
    with _clean_errors(writes):
        the_cohort, the_policy, read_s = _read(console, cohort, policy)
        with step(console, "Reading the applicants and the rules..."):
            t0 = time.perf_counter()
            the_applicants = read_applicants(applicants)
            the_rules = read_hiring_rules(rules)
            read_s += time.perf_counter() - t0
        hire = f"{the_rules.hire:,} of {len(the_applicants):,}"
        with step(console, f"Choosing {hire} applicants..."):
            try:
                result = recruit(
                    the_cohort,
                    the_applicants,
                    the_policy,
                    the_rules,
                    method=method,
                    time_limit=time_limit,
                    seed=seed,
                )
            except InputError as exc:  # the rules or applicants: say which files
                if exc.subject != "recruit":
                    raise
                subject = f"recruit (rules {str(rules)!r}, applicants {str(applicants)!r})"
                raise InputError(subject, exc.problems) from None
        with step(console, "Writing the hires, the new cohort and its result..."):
            t0 = time.perf_counter()
            # the cohort first: it refuses a value CSV cannot hold before anything is written
            with writes.to(out / "mentors.csv"):
                write_cohort(result.cohort, out)
            with writes.to(out / RESULT_FILE):
                write_result(result.match, out, cohort=result.cohort)
            with writes.to(out / HIRES_FILE):
                write_hires(result, out)
            write_s = time.perf_counter() - t0
        print_recruit_summary(console, result, timings={"read": read_s, "write files": write_s})
        _say(console, f"Files written to {out}")


@app.command("verify")
def verify_command(
    cohort: Annotated[Path, typer.Argument(help="Cohort: a .json file or a CSV folder.")],
    result: Annotated[
        Path,
        typer.Argument(
            help="result.json, a result folder (its edited matches.csv or result.xlsx if "
            "one was edited), or a matches sheet: a .csv file or an .xlsx workbook."
        ),
    ],
    policy: Annotated[
        Path | None,
        typer.Option("--policy", help="Policy JSON file; by default the result's own policy."),
    ] = None,
) -> None:
    """Check a result, or an edited matches sheet, against every rule recomputed from the
    cohort; exit 1 if any broke."""
    console = Console()
    with _clean_errors():
        with step(console, "Reading..."):
            the_cohort = read_cohort(cohort)
            sheet, against = _edited_sheet(result)
            if sheet is None:
                the_result = read_result(result)
                the_policy = read_policy(policy) if policy is not None else the_result.policy
            else:
                pairs = read_matches(sheet)
                the_policy = (
                    read_policy(policy)
                    if policy is not None
                    else against.policy
                    if against is not None
                    else Policy()
                )
        with step(console, "Verifying..."):
            if sheet is None:
                violations = verify(the_cohort, the_policy, the_result)
            else:
                violations = verify_pairs(the_cohort, the_policy, pairs, against=against)
    if sheet is None:
        _report_verification(
            console, violations, len(the_result.matches), len(the_result.unmatched)
        )
    else:
        edits = sum(v.code == EDITED for v in violations)
        _say(
            console,
            f"Checked the edited sheet {sheet.name} against the cohort"
            + (
                f": {edits:,} pairs differ from result.json"
                if against is not None
                else " (no result.json to compare with)"
            )
            + ("" if policy is not None or against is not None else ", under the default policy")
            + ".",
        )
        left = unchecked_rules(the_policy)
        if left:
            _say(console, f"Not checked from a sheet of ids: {', '.join(left)}.")
        matched = sum(t is not None for t in pairs.values())
        _report_verification(console, violations, matched, len(pairs) - matched)
    if any(v.code != EDITED for v in violations):
        raise typer.Exit(1)


def _edited_sheet(result: Path) -> tuple[Path | None, MatchResult | None]:
    """The matches sheet to check instead of result.json, with the result it was exported
    from: a folder's hand-edited matches.csv or result.xlsx, or a .csv / .xlsx given alone
    (compared with the result.json beside it, if there is one); (None, None) otherwise."""
    if result.is_dir():
        state = check_set(result, "result")
        edited = [n for n in (MATCHES_FILE, WORKBOOK_FILE) if n in state.changed]
        if not edited:
            return None, None
        if len(edited) > 1:
            raise InputError(
                f"result folder {str(result)!r}",
                [
                    InputProblem(
                        "two_edited_sheets",
                        MATCHES_FILE,
                        f"and {WORKBOOK_FILE} were both edited: verify one of them by its path",
                    )
                ],
            )
        return result / edited[0], read_result(result)
    if result.suffix.lower() in (".csv", ".xlsx"):
        beside = result.parent / RESULT_FILE
        return result, read_result(result.parent) if beside.is_file() else None
    return None, None


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
    """Broken rules as a table; ``edited`` notes (a sheet's pairs that differ from
    result.json) as plain lines, never counted as broken rules."""
    for v in violations:
        if v.code == EDITED:
            _say(console, f"  edited: {v.message}")
    violations = [v for v in violations if v.code != EDITED]
    if violations:
        print_violations(console, violations)
    else:
        _say(
            console,
            f"Verified: no rule broken ({matched:,} matches and {unmatched:,} unmatched "
            "mentees checked against the cohort).",
        )


def _quiet_worker() -> None:
    """A what-if worker process leaves Ctrl-C to the command, which stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    pool = ProcessPoolExecutor(workers, initializer=_quiet_worker)
    try:
        yield pool
    except BaseException:
        # Ctrl-C or an error: stop the running scenarios now rather than wait for them.
        processes = list(getattr(pool, "_processes", {}).values())  # no public API (3.11)
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        raise
    else:
        pool.shutdown(wait=True)


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
    refuse_overwrite(out, "whatif", {"what-if file": file})
    writes = Writes()
    with _clean_errors(writes):
        spec, cohort, policy = read_whatif(file)
        if isinstance(spec.cohort, str):
            refuse_overwrite(out, "whatif", {"cohort": file.parent / spec.cohort})
        with contextlib.ExitStack() as stack:
            executor: Executor | None = None
            if dask is not None:
                from distributed import Client  # lazy: the optional dask extra, heavy to import

                client = Client(dask)  # type: ignore[no-untyped-call]
                executor = stack.enter_context(client).get_executor()
            elif workers > 1:
                executor = stack.enter_context(_pool(workers))
            report = run_file(spec, cohort, policy, executor)
        with writes.to(out):
            written = write_report(report, out, spec.plot)
        print_report(console, report)
        _say(console, "Written: " + ", ".join(str(p) for p in written))
