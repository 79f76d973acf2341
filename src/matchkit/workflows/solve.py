"""``solve``: cohort and policy in, :class:`MatchResult` out (compile -> engine -> join)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

from matchkit.compiler.groups import group_rules
from matchkit.compiler.join import join
from matchkit.compiler.prepare import prepare
from matchkit.compiler.problem import compile_problem
from matchkit.core.options import check_method, validate_options
from matchkit.core.progress import ProgressCallback
from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.domain.result import MatchResult
from matchkit.methods.floors import with_floors
from matchkit.methods.registry import Request, choose, method_names, rules_used

__all__ = ["gc_paused", "solve"]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restoring its state after).

    ``solve`` builds one record per mentee, hundreds of thousands of container objects
    without cycles; each allocation burst triggers collections that walk every live
    object, the caller's cohort included (about 1 s of a 15,000 x 60,000 solve).
    Reference counting still frees everything as usual; only cycle detection waits.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def solve(
    cohort: Cohort,
    policy: Policy | None = None,
    *,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    gap: float = 1e-4,
    progress: ProgressCallback | None = None,
) -> MatchResult:
    """Match mentees to mentors under ``policy``: the best total score, every rule kept.

    Parameters
    ----------
    cohort : Cohort
        Mentors and mentees; never modified.
    policy : Policy, optional
        Hard rules and weights; ``Policy()`` by default.
    method : str
        The domain-level method (:mod:`matchkit.methods.registry`; every name is listed by
        :func:`~matchkit.methods.registry.method_names`). ``"auto"`` (the default) takes the
        first that keeps every rule the policy uses: the balance penalty alone by exact
        min-cost flow (``"balanced"``), floors over disjoint groups likewise (``"floors"``),
        linear rules (hard rules, weights, pins, ``min_load``) by the engine's own choice
        (``"linear"``: min-cost flow, or on large problems min-cost flow or the network
        simplex on priced edges, see :func:`matchkit.solve_assignment`), any other rule by
        the CP-SAT pipeline (``"rich"``). An engine name takes the first of those it runs
        through: ``"flow"`` the linear problem, or the balanced or floors flow;
        ``"cpsat"`` the linear problem on CP-SAT, or the rich pipeline. A rule the method
        asked for cannot keep raises :class:`~matchkit.UnsupportedFeatureError` naming the
        methods that can; ``result.method_reason`` says which ran and why. ``"stable"``:
        the mentee-optimal stable matching (:mod:`matchkit.methods.stable`), not the
        optimum; its ``bound`` is the optimum, so ``gap`` is the price of stability.
    time_limit : float, optional
        Seconds CP-SAT may search. With rich rules the default is 60 s; the best answer
        found is returned with status ``feasible``, its ``bound`` and ``gap``.
    seed : int
        CP-SAT's random seed.
    workers : int, optional
        CP-SAT search workers. With rich rules the default is one; several run CP-SAT's
        interleaved search. Either way the answer is the same for the same input, seed and
        ``workers`` (time limits count CP-SAT's deterministic time, see
        ``docs/explanation/rich-rules.md``). Without rich rules, as for
        :func:`matchkit.solve_assignment`.
    gap : float
        With rich rules, stop once the answer is within this fraction of the bound (the
        flow relaxation's optimum); 0 searches until proven optimal or ``time_limit``.
    progress : callable, optional
        With rich rules, called with a :class:`~matchkit.core.progress.Progress` (best
        objective so far, proven bound, seconds, stage) as the search improves either;
        the command line shows it on its spinner line. Other methods finish in seconds and
        do not call it.

    Returns
    -------
    MatchResult
        Every mentee is in ``matches`` or in ``unmatched`` with a reason. Infeasible rules
        (pins overloading a mentor, say) give status ``infeasible`` and an explanation.

    Raises
    ------
    InputError
        The policy names people not in the cohort, pins a mentee twice, or pins a pair that
        breaks a hard rule.

    Examples
    --------
    >>> from matchkit import Cohort, Mentor, Mentee, solve
    >>> cohort = Cohort(
    ...     mentors=[Mentor(id="m-1", subjects={"math": 4}, availability="Sat 10:00-14:00",
    ...                     district="Mapo-gu", capacity=1)],
    ...     mentees=[Mentee(id="s-1", level="middle", grade=2, needs={"math": 1},
    ...                     availability="Sat 09:00-12:00", district="Mapo-gu")])
    >>> result = solve(cohort)
    >>> result.status.value, result.mentor_of("s-1")
    ('optimal', 'm-1')
    """
    with gc_paused():
        return _solve(cohort, policy, method, time_limit, seed, workers, gap, progress)


def _validate(gap: float) -> None:
    if isinstance(gap, bool) or not isinstance(gap, int | float) or not 0 <= gap < 1:
        raise ValueError(f"gap must be a number in [0, 1), got {gap!r}")


def _solve(
    cohort: Cohort,
    policy: Policy | None,
    method: str,
    time_limit: float | None,
    seed: int,
    workers: int | None,
    gap: float,
    progress: ProgressCallback | None = None,
) -> MatchResult:
    t0 = time.perf_counter()
    policy = Policy() if policy is None else policy
    check_method(method, method_names())  # before any work: the name alone is wrong
    validate_options(time_limit, seed, workers)
    _validate(gap)
    rules, pinned = prepare(cohort, policy)
    groups = group_rules(cohort, policy) if policy.rich_rules() else None
    used = rules_used(policy)
    chosen = choose(method, used, groups)  # before compiling: a refusal costs nothing
    compiled = compile_problem(rules, pinned)
    request = Request(
        rules=rules,
        compiled=compiled,
        policy=policy,
        groups=groups,
        method=method,
        time_limit=time_limit,
        seed=seed,
        workers=workers,
        gap=gap,
        started=t0,
        progress=progress,
    )
    t1 = time.perf_counter()
    stats = {
        "mentors": float(rules.a.n_mentors),
        "mentees": float(rules.a.n_mentees),
        "eligible_pairs": float(compiled.eligible_pairs),
        "kept_pairs": float(compiled.problem.n_edges),
    }
    outcome = chosen.run(request)
    stats.update(outcome.stats)
    t2 = time.perf_counter()
    timings = {"compile": t1 - t0, "solve": t2 - t1}
    result = join(
        rules,
        outcome.assignment,
        policy,
        seed,
        timings,
        stats,
        start=outcome.start,
        method_reason=outcome.reason,
    )
    if groups is not None and groups.floors:
        result = with_floors(result, compiled.problem, groups, outcome.assignment)
    t3 = time.perf_counter()
    timings["join"] = t3 - t2
    timings["total"] = t3 - t0
    return result
