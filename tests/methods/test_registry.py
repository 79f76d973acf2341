"""The domain-level methods' registry: one rule chooses, names are checked, nothing falls back."""

from __future__ import annotations

import pytest
from tests.domain_strategies import mentee, mentor

from matchkit import (
    Cohort,
    Floor,
    Policy,
    UnknownMethodError,
    UnsupportedFeatureError,
    solve,
    verify,
)
from matchkit.compiler.groups import group_rules
from matchkit.methods.registry import AUTO_ORDER, METHODS, RULES, choose, method_names, rules_used
from matchkit.solvers import BACKENDS


def _cohort() -> Cohort:
    return Cohort(
        mentors=[mentor("m-1", capacity=2), mentor("m-2", capacity=2)],
        mentees=[mentee(f"s-{k}", level="high" if k % 2 else "middle") for k in range(4)],
    )


def test_every_method_declares_rules_from_the_one_list() -> None:
    for m in METHODS.values():
        assert m.keeps <= frozenset(RULES), m.name
        assert m.backends <= frozenset(BACKENDS), m.name
    assert set(AUTO_ORDER) <= set(METHODS)
    assert method_names()[0] == "auto"
    assert set(method_names()) == {"auto", *BACKENDS, *METHODS}


@pytest.mark.parametrize(
    ("policy", "method", "chosen", "engine"),
    [
        (Policy(), "auto", "linear", "flow"),
        (Policy(weights={"balance": 2.0}), "auto", "balanced", "flow"),
        (Policy(weights={"balance": 2.0}), "flow", "balanced", "flow"),
        (Policy(weights={"balance": 2.0}, min_load=1), "auto", "rich", "cpsat"),
        (Policy(floors=[Floor(field="level", min_rate=0.5)]), "auto", "floors", "flow"),
        (Policy(floors=[Floor(field="level", min_rate=0.5)]), "cpsat", "rich", "cpsat"),
        (Policy(sessions={}), "auto", "rich", "cpsat"),
        (Policy(), "cpsat", "linear", "cpsat"),
        (Policy(), "stable", "stable", "stable"),
    ],
)
def test_one_rule_chooses(policy: Policy, method: str, chosen: str, engine: str) -> None:
    cohort = _cohort()
    result = solve(cohort, policy, method=method, time_limit=10)
    assert result.method == engine
    assert verify(cohort, policy, result) == []
    groups = group_rules(cohort, policy) if policy.rich_rules() else None
    assert choose(method, rules_used(policy), groups).name == chosen


def test_unknown_names_list_every_name() -> None:
    with pytest.raises(UnknownMethodError) as info:
        solve(_cohort(), method="lemon")
    assert info.value.valid == method_names()
    assert "'balanced'" in str(info.value)
    assert "'stable'" in str(info.value)


@pytest.mark.parametrize("method", ["simplex", "priced"])
def test_no_silent_fallback_for_rules_a_backend_cannot_keep(method: str) -> None:
    """Before the registry, simplex and priced quietly ran the balanced flow or CP-SAT."""
    with pytest.raises(UnsupportedFeatureError, match="balance") as info:
        solve(_cohort(), Policy(weights={"balance": 2.0}), method=method)
    assert {"flow", "balanced"} <= set(info.value.supporting)
    with pytest.raises(UnsupportedFeatureError, match="sessions") as info:
        solve(_cohort(), Policy(sessions={}), method=method)
    assert info.value.supporting == ("cpsat", "rich")


def test_a_named_method_that_cannot_keep_a_rule_is_refused_before_compiling() -> None:
    with pytest.raises(UnsupportedFeatureError, match="floors"):
        solve(_cohort(), Policy(floors=[Floor(field="level", min_rate=0.5)]), method="balanced")
    with pytest.raises(UnsupportedFeatureError, match="min_load"):
        solve(_cohort(), Policy(min_load=1), method="stable")
    # Overlapping floors are not a flow: "flow" refuses, naming the rule; auto takes CP-SAT.
    overlapping = Policy(
        floors=[Floor(field="level", min_rate=0.5), Floor(field="priority", min_rate=0.5)]
    )
    with pytest.raises(UnsupportedFeatureError, match="floors"):
        solve(_cohort(), overlapping, method="flow")
    assert solve(_cohort(), overlapping, time_limit=10).method == "cpsat"
