"""Across terms: ``rematch`` keeps last term's pairs that still work (``prefer`` or
``require``, at most ``max_changes`` broken by choice) and reports what changed.

See ``docs/explanation/continuity.md`` for when to use ``rematch``'s ``prefer`` and
``require``, ``repair`` and ``method="stable"``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt

from matchkit.compiler.join import join
from matchkit.compiler.prepare import RULE_WORDS, prepare
from matchkit.compiler.problem import compile_problem
from matchkit.compiler.rules import MILLI, PairRules
from matchkit.core.assignment import Assignment, Status, objective_value
from matchkit.core.problem import AssignmentProblem
from matchkit.domain.model import Cohort
from matchkit.domain.policy import Policy
from matchkit.domain.result import Match, MatchResult
from matchkit.domain.transition import BreakReason, BrokenPair, Transition, broken
from matchkit.errors import InputError, InputProblem
from matchkit.solvers.dispatch import solve_assignment
from matchkit.workflows.solve import solve

__all__ = ["rematch", "transition"]

Previous = MatchResult | Mapping[str, str] | Iterable[tuple[str, str]]

I64 = npt.NDArray[np.int64]


# --- rematch ---------------------------------------------------------------------------------


def _previous_pairs(previous: Previous) -> dict[str, str]:
    if isinstance(previous, MatchResult):
        pairs = [(m.mentee_id, m.mentor_id) for m in previous.matches]
    elif isinstance(previous, Mapping):
        pairs = [(str(s), str(m)) for s, m in previous.items()]
    else:
        pairs = [(str(s), str(m)) for s, m in previous]
    out: dict[str, str] = {}
    problems = []
    for k, (s, m) in enumerate(pairs):
        if out.get(s, m) != m:
            message = f"mentee {s!r} has two mentors ({out[s]!r} and {m!r})"
            problems.append(InputProblem("two_mentors", "previous", message, (k,)))
        out[s] = m
    if problems:
        raise InputError("previous", problems)
    return out


def _breaks(
    prev: dict[str, str], cohort: Cohort, policy: Policy, rules: PairRules
) -> tuple[list[BrokenPair], list[tuple[int, int]]]:
    """Last term's pairs that cannot continue, with reasons; and those that can (indices)."""
    s_index, t_index = cohort.mentee_index(), cohort.mentor_index()
    pinned_to = dict(policy.pinned)
    ended: list[BrokenPair] = []
    cont: list[tuple[int, int]] = []
    for s, m in sorted(prev.items()):
        if s not in s_index:
            ended.append(
                broken(s, m, BreakReason.MENTEE_LEFT, "the mentee is no longer in the cohort")
            )
        elif m not in t_index:
            ended.append(
                broken(s, m, BreakReason.MENTOR_LEFT, "the mentor is no longer in the cohort")
            )
        elif pinned_to.get(s, m) != m:
            ended.append(broken(s, m, BreakReason.PINNED_ELSEWHERE, f"pinned to {pinned_to[s]!r}"))
        else:
            cont.append((s_index[s], t_index[m]))
    if cont:
        i, j = (np.array(x, dtype=np.int64) for x in zip(*cont, strict=True))
        ok, _ = rules.check(i, j)
        for k in np.flatnonzero(~ok).tolist():
            _, first = rules.check(i[k : k + 1], j[k : k + 1])
            s, m = rules.a.s_ids[int(i[k])], rules.a.t_ids[int(j[k])]
            ended.append(broken(s, m, BreakReason.NO_LONGER_ELIGIBLE, RULE_WORDS[first or "rules"]))
        cont = [c for c, good in zip(cont, ok.tolist(), strict=True) if good]
    return ended, cont


def _within_capacity(
    cont: list[tuple[int, int]], rules: PairRules, pinned: tuple[npt.NDArray[np.int64], ...]
) -> tuple[list[tuple[int, int]], list[BrokenPair]]:
    """Continuing pairs each mentor can still hold beside its pins, best-scoring first."""
    if not cont:
        return [], []
    a = rules.a
    i, j = (np.array(x, dtype=np.int64) for x in zip(*cont, strict=True))
    score = rules.score(rules.components(i, j))
    room = a.t_capacity - np.bincount(pinned[1], minlength=a.n_mentors)
    order = np.lexsort((np.array([a.s_ids[x] for x in i.tolist()]), -score, j))
    rank = np.arange(order.size) - np.searchsorted(j[order], j[order])
    fits = np.empty(order.size, dtype=np.bool_)
    fits[order] = rank < room[j[order]]
    over = [
        broken(
            a.s_ids[int(i[k])],
            a.t_ids[int(j[k])],
            BreakReason.MENTOR_CAPACITY,
            f"the mentor can take {max(int(room[j[k]]), 0)} continuing "
            "mentee(s) now; better-scoring pairs were kept",
        )
        for k in np.flatnonzero(~fits).tolist()
    ]
    return [c for c, f in zip(cont, fits.tolist(), strict=True) if f], over


def transition(
    prev: dict[str, str],
    forced: list[BrokenPair],
    result: MatchResult,
    keep: str,
    max_changes: int | None,
) -> Transition:
    now = {m.mentee_id: m for m in result.matches}
    why = {u.mentee_id: u.detail for u in result.unmatched}
    settled = {b.mentee_id for b in forced}
    kept, ended = [], list(forced)
    for s, m in sorted(prev.items()):
        if s in settled:
            continue
        match: Match | None = now.get(s)
        if match is not None and match.mentor_id == m:
            kept.append((s, m))
        elif match is not None:
            ended.append(broken(s, m, BreakReason.REASSIGNED, f"now with {match.mentor_id!r}"))
        else:
            ended.append(broken(s, m, BreakReason.UNMATCHED, why.get(s, "")))
    new = sorted(
        (m.mentee_id, m.mentor_id) for m in result.matches if prev.get(m.mentee_id) != m.mentor_id
    )
    ended.sort(key=lambda b: (b.mentee_id, b.mentor_id))
    return Transition(
        keep=keep, max_changes=max_changes, kept=tuple(kept), broken=tuple(ended), new=tuple(new)
    )


def rematch(
    previous: Previous,
    cohort: Cohort,
    policy: Policy | None = None,
    *,
    keep: str = "prefer",
    max_changes: int | None = None,
    method: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
) -> MatchResult:
    """This term's answer, keeping last term's pairs that still work.

    Parameters
    ----------
    previous : MatchResult, mapping mentee id -> mentor id, or iterable of (mentee id, mentor id)
        Last term's answer. It becomes the cohort's history: each mentee's
        ``previous_mentor`` is taken from it (see :meth:`Cohort.with_previous`), so the
        ``continuity`` weight and ``lost_mentor`` apply to it.
    cohort : Cohort
        This term's mentors and mentees (people may have left or joined).
    policy : Policy, optional
        As for :func:`solve`.
    keep : {"prefer", "require"}
        A *continuing* pair is one of last term's whose mentor and mentee are both still here
        and still eligible. ``"prefer"``: each is worth ``weights.continuity`` extra points
        (15 by default, more than the whole subject-fit range), so it is broken only for a
        clearly better answer overall. ``"require"``: each is pinned (where a mentor's
        capacity fell, the best-scoring ones up to it).
    max_changes : int, optional
        With ``"prefer"``: at most this many continuing pairs may be broken by choice
        (:attr:`BreakReason.chosen`; pairs whose mentor or mentee left or that no longer
        fit do not count). Solved by a bonus on continuing pairs, bisected until enough are
        kept, each step exact min-cost flow; the bonus's Lagrangian bound proves the answer
        optimal (every Seoul-size run measured), and where a duality gap remains CP-SAT
        with the constraint, hinted, closes it within ``time_limit`` (10 s by default).
        Needs a policy flow solves (no rich rules).
    method, time_limit, seed
        As for :func:`solve`.

    Returns
    -------
    MatchResult
        With :attr:`MatchResult.transition`: pairs kept, broken (each with its reason) and
        new. Check it with ``verify(cohort.with_previous(pairs), policy, result)``.

    Examples
    --------
    >>> from matchkit.synth import generate
    >>> syn = generate(40, 160, seed=1)
    >>> first = solve(syn.cohort)
    >>> again = rematch(first, syn.cohort, keep="require")
    >>> again.transition.kept_rate, again.transition.changes
    (1.0, 0)
    """
    if keep not in ("prefer", "require"):
        raise ValueError(f"keep must be 'prefer' or 'require', got {keep!r}")
    if max_changes is not None and (
        isinstance(max_changes, bool) or not isinstance(max_changes, int) or max_changes < 0
    ):
        raise ValueError(f"max_changes must be a non-negative integer or None, got {max_changes!r}")
    if max_changes is not None and keep == "require":
        raise ValueError("max_changes applies to keep='prefer'; 'require' breaks no pair by choice")
    policy = Policy() if policy is None else policy
    prev = _previous_pairs(previous)
    here = cohort.with_previous(prev)
    rules, pinned = prepare(here, policy)
    forced, cont = _breaks(prev, here, policy, rules)
    if keep == "require":
        a = rules.a
        already = set(policy.pinned)  # continuing pairs the policy pins anyway
        free = [(i, j) for i, j in cont if (a.s_ids[i], a.t_ids[j]) not in already]
        free, over = _within_capacity(free, rules, pinned)
        forced += over
        pins = (*policy.pinned, *((a.s_ids[i], a.t_ids[j]) for i, j in free))
        result = solve(
            here,
            policy.model_copy(update={"pinned": pins}),
            method=method,
            time_limit=time_limit,
            seed=seed,
        ).model_copy(update={"policy": policy})
    else:
        need = len(cont) - (max_changes if max_changes is not None else len(cont))
        by_flow = not policy.rich_rules() and method in ("auto", "flow")
        if max_changes is not None and by_flow:  # its first step is the plain optimum
            result = _at_least_kept(rules, pinned, cont, need, policy, seed, time_limit)
        else:
            result = solve(here, policy, method=method, time_limit=time_limit, seed=seed)
            kept = sum(result.mentor_of(rules.a.s_ids[i]) == rules.a.t_ids[j] for i, j in cont)
            if kept < need:
                raise ValueError(
                    "max_changes needs a policy exact min-cost flow solves "
                    f"(method 'auto' or 'flow', no rich rules); got rules "
                    f"{list(policy.rich_rules())} and method {method!r}"
                )
    return result.model_copy(
        update={"transition": transition(prev, forced, result, keep, max_changes)}
    )


def _at_least_kept(
    rules: PairRules,
    pinned: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    cont: list[tuple[int, int]],
    need: int,
    policy: Policy,
    seed: int,
    time_limit: float | None,
) -> MatchResult:
    """The best answer keeping at least ``need`` continuing pairs: Lagrangian bonus ``mu``
    per continuing pair, bisected; each step exact flow. ``L(mu) = opt(mu) - mu * need``
    bounds the answer for every ``mu >= 0``."""
    t0 = time.perf_counter()
    p = compile_problem(rules, pinned).problem
    t1 = time.perf_counter()
    nt = p.n_mentors
    keys = np.asarray(p.mentee, np.int64) * nt + np.asarray(p.mentor, np.int64)
    want = np.array([i * nt + j for i, j in cont], dtype=np.int64)
    bonus = np.isin(keys, want)
    score = np.asarray(p.score, dtype=np.int64)
    bound = np.inf
    tried: dict[int, tuple[Assignment, int]] = {}

    def run(mu: int) -> tuple[Assignment, int]:
        nonlocal bound
        if mu not in tried:
            asg = solve_assignment(p.replace(score=score + mu * bonus), method="flow", seed=seed)
            kept = int((asg.selected & bonus).sum())
            bound = min(bound, asg.objective - mu * need)
            tried[mu] = (asg, kept)
        return tried[mu]

    swing = int(np.abs(score).sum() + np.asarray(p.unmatched_penalty).sum()) + 1
    lo, hi = 0, 0 if run(0)[1] >= need else MILLI  # bonus 0: the plain optimum may do
    while run(hi)[1] < need and hi < swing:
        lo, hi = hi, min(2 * hi, swing)
    kept = run(hi)[1]
    if kept < need:
        most = kept
        text = (
            f"max_changes: at most {most} of the {len(cont)} continuing pairs can be kept "
            f"together (capacity, pins), so at least {len(cont) - most} must change"
        )
        out = Assignment(
            p,
            np.zeros(p.n_edges, np.bool_),
            float("nan"),
            float("-inf"),
            Status.INFEASIBLE,
            "flow",
            0.0,
            "INFEASIBLE",
            text,
        )
    else:
        while hi - lo > 1 and run(hi)[1] > need:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if run(mid)[1] < need else (lo, mid)
        sel = np.asarray(run(hi)[0].selected)
        value = objective_value(p, sel)
        method, reason = "flow", "max_changes: a bonus on continuing pairs, bisected; exact flow"
        if value < bound - 1e-9:  # a duality gap: CP-SAT with the constraint, hinted
            sel, bound = _close_gap(p, bonus, need, sel, bound, seed, time_limit)
            value = objective_value(p, sel)
            method, reason = "cpsat", reason + "; CP-SAT closed the Lagrangian gap"
        status = Status.OPTIMAL if value >= bound - 1e-9 else Status.FEASIBLE
        out = Assignment(
            p,
            sel,
            value,
            max(bound, value),
            status,
            method,
            time.perf_counter() - t1,
            status.value.upper(),
        )
    stats = {"max_changes_flow_solves": float(len(tried)), "max_changes_bonus": hi / MILLI}
    timings = {"compile": t1 - t0, "solve": time.perf_counter() - t1}
    result = join(rules, out, policy, seed, timings, stats, method_reason=reason)
    timings["total"] = time.perf_counter() - t0
    return result


CLOSE_GAP_SECONDS = 10.0
"""CP-SAT's time limit when the Lagrangian bonus leaves a gap and ``time_limit`` is None."""


def _close_gap(
    p: AssignmentProblem,
    bonus: npt.NDArray[np.bool_],
    need: int,
    start: npt.NDArray[np.bool_],
    bound: float,
    seed: int,
    time_limit: float | None,
) -> tuple[npt.NDArray[np.bool_], float]:
    """CP-SAT on the problem plus "at least ``need`` bonus edges", hinted with ``start``:
    the better answer and the lower bound."""
    # Lazy import of a heavy dependency: CP-SAT costs about 0.5 s to import, and only
    # rematches whose Lagrangian bonus leaves a gap need it; ``import matchkit`` must not.
    from matchkit.solvers.cpsat import solve_with_at_least

    limit = time_limit or CLOSE_GAP_SECONDS
    return solve_with_at_least(p, bonus, need, start, bound, seed=seed, time_limit=limit)
