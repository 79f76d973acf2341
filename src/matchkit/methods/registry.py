"""The domain-level methods, registered as data beside the backends, and the one rule that
chooses among them.

A compiled cohort is solved by one :class:`Method`: the engine's backends on the linear
problem (``linear``), the balance penalty or disjoint floors by exact min-cost flow
(``balanced``, ``floors``), the rules flow cannot express by the CP-SAT pipeline (``rich``),
or the stable matching (``stable``). Each says, as data, which of the policy's rules it keeps
exactly (:data:`RULES` names them), which ``method=`` names of the engine it runs through,
and, where it has one, the narrower condition under which it applies.

**The rule.** ``method="auto"`` takes the first method of :data:`AUTO_ORDER` that keeps every
rule the policy uses and applies. A backend's name (``"flow"``, ``"cpsat"``, ...) takes the
first method of that order that runs through that backend and fits: ``"flow"`` is the linear
problem, or the balanced or floors flow where the policy has those rules; ``"cpsat"`` is the
linear problem on CP-SAT, or the rich pipeline. A method's own name takes that method. When
nothing fits, :class:`~matchkit.UnsupportedFeatureError` names the rules left over and the
names that would keep them; an unknown name is an :class:`~matchkit.UnknownMethodError`
listing every name. There is no silent fallback: a method never hands a rule it cannot keep
to another.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from matchkit.compiler.groups import GroupRules
from matchkit.compiler.problem import Compiled
from matchkit.compiler.rules import MILLI, PairRules
from matchkit.core.assignment import Assignment
from matchkit.core.options import check_method
from matchkit.core.progress import ProgressCallback
from matchkit.domain.policy import Policy
from matchkit.errors import UnsupportedFeatureError
from matchkit.methods.balanced import solve_balanced
from matchkit.methods.floors import disjoint, solve_floors
from matchkit.methods.stable import stable_assignment
from matchkit.rich.data import rich_data
from matchkit.solvers.dispatch import solve_assignment
from matchkit.solvers.registry import BACKENDS

__all__ = [
    "AUTO_ORDER",
    "METHODS",
    "RULES",
    "Method",
    "Outcome",
    "Request",
    "choose",
    "method_names",
    "rules_used",
]

I64 = npt.NDArray[np.int64]

RULES: tuple[str, ...] = (
    "sessions",
    "floors",
    "maxmin",
    "balance",
    "group_caps",
    "category_limits",
    "min_load",
    "pins",
)
"""The policy's rules a method may or may not keep: :meth:`Policy.rich_rules` and the two
linear ones (``min_load``, pinned pairs)."""


def rules_used(policy: Policy) -> frozenset[str]:
    """The rules of :data:`RULES` that ``policy`` uses.

    Examples
    --------
    >>> sorted(rules_used(Policy(min_load=1, weights={"balance": 1.0})))
    ['balance', 'min_load']
    """
    used = set(policy.rich_rules())
    if policy.min_load:
        used.add("min_load")
    if policy.pinned:
        used.add("pins")
    return frozenset(used)


@dataclass(frozen=True, slots=True)
class Request:
    """A compiled cohort and what was asked of it: everything a method's ``run`` reads."""

    rules: PairRules
    compiled: Compiled
    policy: Policy
    groups: GroupRules | None
    """The policy's group rules over the mentees (None without rich rules)."""
    method: str
    """The name asked for (``"auto"``, a backend's, or a method's)."""
    time_limit: float | None
    seed: int
    workers: int | None
    gap: float
    started: float
    """``time.perf_counter()`` when the call began: the time limit covers the whole call."""
    progress: ProgressCallback | None = None
    """Called as a long search improves its answer or bound (the rich pipeline only)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """A method's answer over the compiled problem and why it was chosen."""

    assignment: Assignment
    reason: str
    start: I64 | None = None
    """Each edge's session start slot (with sessions), else None."""
    stats: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Method:
    """A domain-level method: its name, the rules it keeps, the backends it runs through."""

    name: str
    """The ``method=`` name that asks for it."""
    run: Callable[[Request], Outcome]
    """Solves a request; the answer is over the compiled problem's edges."""
    keeps: frozenset[str]
    """The rules of :data:`RULES` it keeps exactly."""
    backends: frozenset[str]
    """The engine's ``method=`` names that reach this method (see the module docstring)."""
    exact: bool
    """Whether its answer is the optimum of what it keeps: not so for the stable matching,
    nor for the rich pipeline, which stops within ``gap`` of its bound or at its time limit."""
    description: str
    """One line for people: what it runs."""
    applies: Callable[[frozenset[str], GroupRules | None], bool] | None = None
    """A narrower condition than :attr:`keeps`, on the rules used and the policy's groups
    (None: wherever it keeps the rules)."""

    def missing(self, used: frozenset[str]) -> frozenset[str]:
        """The rules in ``used`` this method cannot keep."""
        return used - self.keeps

    def fits(self, used: frozenset[str], groups: GroupRules | None) -> bool:
        """Whether this method keeps every rule in ``used`` and applies."""
        if self.missing(used):
            return False
        return self.applies is None or self.applies(used, groups)


def _linear(r: Request) -> Outcome:
    asked = r.method in BACKENDS  # else "auto" or "linear": the engine's own choice
    assignment = solve_assignment(
        r.compiled.problem,
        method=r.method if asked else "auto",
        time_limit=r.time_limit,
        seed=r.seed,
        workers=r.workers,
    )
    solver = {
        "simplex": "network simplex on priced edges",
        "priced": "min-cost flow on priced edges",
    }.get(assignment.method, "min-cost flow")
    reason = (
        f"method={r.method!r} was asked for"
        if asked
        else f"every active rule is linear: exact {solver}"
    )
    return Outcome(assignment, reason)


def _balanced(r: Request) -> Outcome:
    balance = round(r.policy.weights.balance * MILLI)
    assignment = solve_balanced(r.compiled.problem, balance, seed=r.seed)
    reason = "the balance penalty as parallel arcs of rising cost: exact min-cost flow"
    return Outcome(assignment, reason, stats=dict(assignment.stats))


def _floors(r: Request) -> Outcome:
    assert r.groups is not None  # floors are rich rules: the groups were built
    assignment = solve_floors(r.compiled.problem, r.groups)
    reason = "floors over disjoint groups as lower bounds on group arcs: exact min-cost flow"
    return Outcome(assignment, reason)


def _stable(r: Request) -> Outcome:
    assignment = stable_assignment(r.compiled.problem, r.rules.a)
    reason = "method='stable': mentee-proposing deferred acceptance"
    return Outcome(assignment, reason, stats=dict(assignment.stats))


def _rich(r: Request) -> Outcome:
    # Lazy import of a heavy dependency: the pipeline builds CP-SAT models, and CP-SAT costs
    # about 0.5 s to import; ``import matchkit`` must not load it.
    from matchkit.rich.pipeline import solve_rich

    assert r.groups is not None  # rich rules: the groups were built
    t1 = time.perf_counter()
    data = rich_data(r.rules, r.compiled.problem, r.groups)
    # The time limit covers the whole call: compiling has used some of it already.
    left = None if r.time_limit is None else max(0.1, r.time_limit - (t1 - r.started))
    out = solve_rich(
        data,
        time_limit=left,
        seed=r.seed,
        workers=r.workers or 1,
        gap=r.gap,
        progress=r.progress,
        started=r.started,
    )
    assignment = Assignment(
        problem=r.compiled.problem,
        selected=out.selected,
        objective=out.objective,
        bound=out.bound,
        status=out.status,
        method="cpsat",
        wall_time=time.perf_counter() - t1,
        raw_status=out.status.value.upper(),
        explanation=out.explanation,
        stats={k: out.stats[k] for k in ("floors_proven",) if k in out.stats},
    )
    reason = f"rules flow cannot express: {', '.join(r.policy.rich_rules())}"
    start = out.start if r.policy.sessions is not None else None
    return Outcome(assignment, reason, start=start, stats=dict(out.stats))


_LINEAR_RULES = frozenset({"min_load", "pins"})


def _has_balance(used: frozenset[str], groups: GroupRules | None) -> bool:
    return "balance" in used


def _disjoint_floors(used: frozenset[str], groups: GroupRules | None) -> bool:
    return "floors" in used and groups is not None and disjoint(groups)


def _has_rich_rules(used: frozenset[str], groups: GroupRules | None) -> bool:
    return bool(used - _LINEAR_RULES)


_ALL_BACKENDS = frozenset(BACKENDS)
_EVERY_RULE = frozenset(RULES)

METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(
            name="balanced",
            run=_balanced,
            keeps=frozenset({"balance", "pins"}),
            backends=frozenset({"flow"}),
            exact=True,
            description="the balance penalty as parallel arcs of rising cost (min-cost flow)",
            applies=_has_balance,
        ),
        Method(
            name="floors",
            run=_floors,
            keeps=frozenset({"floors", "min_load"}),
            backends=frozenset({"flow"}),
            exact=True,
            description="floors over disjoint groups as lower bounds on group arcs (flow)",
            applies=_disjoint_floors,
        ),
        Method(
            name="linear",
            run=_linear,
            keeps=_LINEAR_RULES,
            backends=_ALL_BACKENDS,
            exact=True,
            description="the linear problem by the engine (solve_assignment; 'auto' there)",
        ),
        Method(
            name="rich",
            run=_rich,
            keeps=_EVERY_RULE,
            backends=frozenset({"cpsat"}),
            exact=False,
            description="every rule: flow relaxation, first answers, Lagrangian bound, CP-SAT",
            applies=_has_rich_rules,
        ),
        Method(
            name="stable",
            run=_stable,
            keeps=frozenset({"pins"}),
            backends=frozenset(),
            exact=False,
            description="the mentee-optimal stable matching (deferred acceptance); bound: optimum",
        ),
    )
}
"""Every domain-level method by name."""

AUTO_ORDER: tuple[str, ...] = ("balanced", "floors", "linear", "rich")
"""The order ``method="auto"`` (and a backend's name) tries methods in."""


def method_names() -> tuple[str, ...]:
    """Every name ``solve(method=...)`` accepts: ``"auto"``, the backends, the methods."""
    return ("auto", *BACKENDS, *(n for n in METHODS if n not in BACKENDS))


def choose(method: str, used: frozenset[str], groups: GroupRules | None) -> Method:
    """The method that solves a policy using ``used`` rules when ``method`` is asked for
    (see the module docstring for the rule); ``groups`` are the policy's group rules.

    Parameters
    ----------
    method : str
        A name of :func:`method_names`: ``"auto"``, an engine backend or a method.
    used : frozenset of str
        The rules of :data:`RULES` the policy uses (:func:`rules_used`).
    groups : GroupRules or None
        The policy's floors, caps and limits as mentee groups, where it has any (a method's
        condition may look at them: the floors flow needs disjoint groups).

    Returns
    -------
    Method
        The first method of :data:`AUTO_ORDER` (or the named one) that keeps every rule.

    Raises
    ------
    UnknownMethodError
        ``method`` is not one of :func:`method_names`.
    UnsupportedFeatureError
        No method reached by that name keeps every rule the policy uses.

    Examples
    --------
    >>> choose("auto", frozenset(), None).name, choose("flow", frozenset({"balance"}), None).name
    ('linear', 'balanced')
    >>> choose("cpsat", frozenset({"sessions"}), None).name
    'rich'
    """
    check_method(method, method_names())
    if method in METHODS:
        candidates = [METHODS[method]]
    else:
        candidates = [
            METHODS[n] for n in AUTO_ORDER if method == "auto" or method in METHODS[n].backends
        ]
    for candidate in candidates:
        if candidate.fits(used, groups):
            return candidate
    kept: set[str] = set()
    for candidate in candidates:
        if candidate.applies is None or candidate.applies(used, groups):
            kept |= candidate.keeps
    missing = sorted(used - kept) or sorted(used)
    supporting = [
        name
        for m in METHODS.values()
        if m.fits(used, groups)
        for name in (*sorted(m.backends), m.name)
    ]
    raise UnsupportedFeatureError(method, missing, list(dict.fromkeys(supporting)))
