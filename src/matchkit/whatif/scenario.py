"""A what-if scenario: named changes to a base cohort and policy, applied without mutating them.

See ``docs/how-to/what-if.md``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from matchkit.domain.model import Cohort, Mentee, Mentor
from matchkit.domain.policy import Policy
from matchkit.errors import InputError, InputProblem
from matchkit.synth import generate_cohort

__all__ = ["Scenario", "Selection", "Where", "field_problems"]

# Errors never echo the input: a bad added mentor would print every field of the record.
_FROZEN = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}


class Where(BaseModel):
    """A rule on one field of a record: ``field op value``.

    ``field`` is a record field (``capacity``, ``terms_committed``, ``priority``, ``grade``,
    ``district``, ...) or a key of ``attributes`` (``graduating``, say).

    Examples
    --------
    >>> Where(field="terms_committed", op="<=", value=1).op
    '<='
    """

    model_config = _FROZEN

    field: Annotated[str, Field(min_length=1)]
    op: Literal["==", "!=", "<", "<=", ">", ">=", "in", "not in"] = "=="
    value: Any


class Selection(BaseModel):
    """Which people a change applies to: listed ``ids``, plus everyone matching every
    ``where`` rule; with ``share``, a random share of those (of everyone when no ``where``
    is given), drawn with the scenario's seed.

    Examples
    --------
    >>> Selection(share=0.4).share  # 40% of all, at random
    0.4
    """

    model_config = _FROZEN

    ids: tuple[str, ...] = ()
    where: tuple[Where, ...] = ()
    share: Annotated[float, Field(ge=0, le=1)] | None = None

    def empty(self) -> bool:
        return not self.ids and not self.where and self.share is None


class Scenario(BaseModel):
    """A named set of changes to a base cohort and policy (JSON-serialisable, frozen).

    Applied in this order by :meth:`apply`: remove mentors and mentees, scale capacities
    (then set listed ones), scale demand, add mentors (given, then ``hire_mentors`` drawn
    from :mod:`matchkit.synth`), change weights and policy fields. Random draws use
    ``seed``; the same scenario on the same base always gives the same cohort.

    Examples
    --------
    >>> s = Scenario(name="hire 100", hire_mentors=100, weights={"continuity": 30})
    >>> Scenario.model_validate_json(s.model_dump_json()) == s
    True
    """

    model_config = _FROZEN

    name: Annotated[str, Field(min_length=1, max_length=200)]
    seed: Annotated[int, Field(ge=0)] = 0
    remove_mentors: Selection = Selection()
    remove_mentees: Selection = Selection()
    capacity_factor: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 1.0
    """Every mentor's capacity times this, rounded half up."""
    capacities: dict[str, Annotated[int, Field(ge=0, le=50)]] = {}
    """Capacities of listed mentors, after ``capacity_factor``."""
    demand_factor: Annotated[float, Field(gt=0, le=10, allow_inf_nan=False)] = 1.0
    """Below 1: a random share ``1 - f`` of the mentees leaves; above 1: ``(f - 1) x n`` new
    mentees drawn from :mod:`matchkit.synth` (IDs ``s-extra-000001``, ...), without
    history."""
    add_mentors: tuple[Mentor, ...] = ()
    hire_mentors: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    """New mentors drawn from :mod:`matchkit.synth` (IDs ``m-hire-00001``, ...); the first
    ``k`` are the same whatever the number (:data:`DRAW_BLOCK`), so hiring more only adds."""
    weights: dict[str, float] = {}
    """Replaced :class:`~matchkit.Weights` fields."""
    policy: dict[str, Any] = {}
    """Replaced :class:`~matchkit.Policy` fields (rules, sessions, floors, ...)."""

    def apply(self, cohort: Cohort, policy: Policy | None = None) -> tuple[Cohort, Policy]:
        """The changed cohort and policy; ``cohort`` and ``policy`` are not modified.

        Raises
        ------
        InputError
            A listed ID is not in the cohort, a rule names an unknown field, or the changed
            weights or policy are invalid; each problem names this scenario.
        """
        policy = Policy() if policy is None else policy
        rng = np.random.default_rng([self.seed, 7])
        problems: list[InputProblem] = []
        gone_t = self._select(cohort.mentors, self.remove_mentors, "remove_mentors", rng, problems)
        gone_s = self._select(cohort.mentees, self.remove_mentees, "remove_mentees", rng, problems)
        unknown = sorted(set(self.capacities) - {m.id for m in cohort.mentors})
        if unknown:
            problems.append(self._problem("capacities", f"unknown mentor(s) {unknown[:5]}"))
        new_policy = self._policy(policy, problems)
        if problems:
            raise InputError(f"scenario {self.name!r}", problems)
        mentors = [self._capacity(m) for m in cohort.mentors if m.id not in gone_t]
        mentees = [s for s in cohort.mentees if s.id not in gone_s]
        mentees = self._demand(mentees, rng)
        mentors += [*self.add_mentors, *self._hires()]
        known = {m.id for m in mentors}
        mentees = [
            s if s.avoid <= known else s.model_copy(update={"avoid": s.avoid & known})
            for s in mentees
        ]
        try:
            return Cohort(mentors=mentors, mentees=mentees), new_policy
        except ValueError as exc:
            raise InputError(
                f"scenario {self.name!r}", [self._problem("cohort", str(exc))]
            ) from None

    # --- the steps ---------------------------------------------------------------------------

    def _problem(self, field: str, message: str) -> InputProblem:
        return InputProblem("scenario", field, message)

    def _select(
        self,
        people: tuple[Mentor, ...] | tuple[Mentee, ...],
        sel: Selection,
        field: str,
        rng: np.random.Generator,
        problems: list[InputProblem],
    ) -> set[str]:
        if sel.empty():
            return set()
        ids = {p.id for p in people}
        missing = sorted(set(sel.ids) - ids)
        if missing:
            problems.append(self._problem(field, f"not in the cohort: {missing[:5]}"))
        chosen = set(sel.ids) & ids
        pool = [
            p.id
            for p in people
            if sel.where and all(_holds(p, w, field, problems) for w in sel.where)
        ]
        if not sel.where and sel.share is not None:
            pool = [p.id for p in people]
        if sel.share is not None:
            k = round(sel.share * len(pool))
            pool = [pool[i] for i in sorted(rng.permutation(len(pool))[:k].tolist())]
        return chosen | set(pool)

    def _capacity(self, m: Mentor) -> Mentor:
        cap = m.capacity
        if self.capacity_factor != 1.0:
            cap = min(50, int(np.floor(cap * self.capacity_factor + 0.5)))
        cap = self.capacities.get(m.id, cap)
        return m if cap == m.capacity else m.model_copy(update={"capacity": cap})

    def _demand(self, mentees: list[Mentee], rng: np.random.Generator) -> list[Mentee]:
        f = self.demand_factor
        if f < 1.0:
            keep = np.sort(rng.permutation(len(mentees))[: round(f * len(mentees))])
            return [mentees[i] for i in keep.tolist()]
        extra = round((f - 1.0) * len(mentees))
        drawn = [
            s.model_copy(
                update={"id": f"s-extra-{k:06d}", "previous_mentor": None, "avoid": frozenset()}
            )
            for k, s in enumerate(_drawn("mentees", extra, self.seed), start=1)
        ]
        return mentees + drawn

    def _hires(self) -> list[Mentor]:
        return [
            m.model_copy(update={"id": f"m-hire-{k:05d}"})
            for k, m in enumerate(_drawn("mentors", self.hire_mentors, self.seed), start=1)
        ]

    def _policy(self, policy: Policy, problems: list[InputProblem]) -> Policy:
        if not self.weights and not self.policy:
            return policy
        data = policy.model_dump()
        data.update(self.policy)
        data["weights"] = {
            **data["weights"],
            **dict(self.policy.get("weights", {})),
            **self.weights,
        }
        try:
            return Policy.model_validate(data)
        except ValidationError as exc:
            problems += field_problems(exc, "policy")
            return policy


def field_problems(exc: ValidationError, prefix: str) -> list[InputProblem]:
    """pydantic's errors as problems naming the field and, when it is a single value, the
    offending value; never the record around it (a person's other fields)."""
    out = []
    for e in exc.errors(include_url=False, include_input=True, include_context=False):
        loc = ".".join(str(x) for x in e["loc"])
        value = e.get("input")
        shown = ""
        if "input" in e and not isinstance(value, dict | list | tuple | set):
            text = repr(value)
            shown = f" (got {text if len(text) <= 60 else text[:57] + '...'})"
        out.append(InputProblem(e["type"], f"{prefix}.{loc}" if loc else prefix, e["msg"] + shown))
    return out


DRAW_BLOCK = 100
"""New people are drawn from :mod:`matchkit.synth` in blocks of this many, block ``b`` with
seed ``(seed, b)``, so the first ``k`` hires are the same whatever the total: hiring 200 is
hiring the 100 of "hire 100" and 100 more, and a hiring curve is monotone where theory says."""


def _drawn(kind: str, n: int, seed: int) -> list[Any]:

    out: list[Any] = []
    for b in range(-(-n // DRAW_BLOCK)):
        block_seed = int(np.random.SeedSequence([seed, b, kind == "mentors"]).generate_state(1)[0])
        if kind == "mentors":
            out += generate_cohort(DRAW_BLOCK, 1, seed=block_seed).mentors
        else:
            out += generate_cohort(1, DRAW_BLOCK, seed=block_seed).mentees
    return out[:n]


def _holds(person: Mentor | Mentee, w: Where, field: str, problems: list[InputProblem]) -> bool:
    if w.field in type(person).model_fields:
        value = getattr(person, w.field)
    elif w.field in person.attributes:
        value = person.attributes[w.field]
    else:
        _once(problems, "unknown_field", field, f"{w.field!r} is not a field or attribute of all")
        return False
    value = getattr(value, "value", value)  # enums compare by their value
    try:
        return bool(_OPS[w.op](value, w.value))
    except TypeError:
        _once(problems, "bad_rule", field, f"{w.field} {w.op} {w.value!r} cannot be compared")
        return False


def _once(problems: list[InputProblem], code: str, field: str, message: str) -> None:
    if not any(p.message == message and p.field == field for p in problems):
        problems.append(InputProblem(code, field, message))
