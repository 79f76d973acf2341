"""The officer's tables of a result: matches, unmatched, rosters, summary, transition.

Pure functions returning ``(header, rows)``, every cell a string and every text cell
spreadsheet-escaped (:func:`matchkit.io.cells.escape`); :mod:`matchkit.io.files` writes
them as CSV files and xlsx sheets. Names (``Mentor.name``, ``Mentee.name``) and
``attributes`` appear only when the cohort is given: they are personal data the result
itself never holds. Columns added with a cohort: ``mentee_name`` and ``mentor_name`` right
after the ids, then ``mentee.attr.<x>`` and ``mentor.attr.<x>`` for each attribute key
found among the cohort's mentees and mentors (sorted), at the end.
"""

from __future__ import annotations

import math

from matchkit.domain.model import Cohort, Mentee, Mentor
from matchkit.domain.result import Match, MatchResult, Unmatched
from matchkit.io.cells import attribute_cell, escape, format_number

__all__ = [
    "matches_table",
    "roster_table",
    "summary_table",
    "transition_table",
    "unmatched_table",
]

Table = tuple[list[str], list[list[str]]]


def _keys(people: tuple[Mentor, ...] | tuple[Mentee, ...]) -> list[str]:
    return sorted({k for p in people for k in p.attributes})


def _name(person: Mentor | Mentee | None) -> str:
    return "" if person is None or person.name is None else escape(person.name)


def _attrs(person: Mentor | Mentee | None, keys: list[str]) -> list[str]:
    if person is None:
        return [""] * len(keys)
    return ["" if (v := person.attributes.get(k)) is None else attribute_cell(v) for k in keys]


class _People:
    """Look-ups by id into the cohort (empty without one)."""

    def __init__(self, cohort: Cohort | None) -> None:
        self.on = cohort is not None
        self.mentors = {m.id: m for m in cohort.mentors} if cohort else {}
        self.mentees = {s.id: s for s in cohort.mentees} if cohort else {}
        self.s_keys = _keys(cohort.mentees) if cohort else []
        self.t_keys = _keys(cohort.mentors) if cohort else []

    def attr_header(self) -> list[str]:
        return [f"mentee.attr.{k}" for k in self.s_keys] + [f"mentor.attr.{k}" for k in self.t_keys]

    def attr_cells(self, mentee_id: str, mentor_id: str | None) -> list[str]:
        t = None if mentor_id is None else self.mentors.get(mentor_id)
        return _attrs(self.mentees.get(mentee_id), self.s_keys) + _attrs(t, self.t_keys)


def _num(x: float) -> str:
    return format_number(round(x, 6))


def matches_table(result: MatchResult, cohort: Cohort | None = None) -> Table:
    """One row per mentee, matched first (the columns of ``matches.csv``).

    ``mentee_id``, ``mentor_id``, [``mentee_name``, ``mentor_name``], ``score``,
    ``score_<weight>`` per component, ``window``, ``session``, ``mode``, ``distance_km``,
    ``reason``, ``detail``, ``priority``, ``level``, ``district``, ``continuity``,
    [``mentee.attr.<x>``..., ``mentor.attr.<x>``...]; bracketed columns only with a cohort.
    """
    people = _People(cohort)
    parts = list(dict.fromkeys(k for m in result.matches for k in m.breakdown))
    header = [
        "mentee_id",
        "mentor_id",
        *(["mentee_name", "mentor_name"] if people.on else []),
        "score",
        *(f"score_{k}" for k in parts),
        "window",
        "session",
        "mode",
        "distance_km",
        "reason",
        "detail",
        "priority",
        "level",
        "district",
        "continuity",
        *people.attr_header(),
    ]
    rows: list[list[str]] = []
    records: list[Match | Unmatched] = [*result.matches, *result.unmatched]
    for rec in records:
        mentor_id = rec.mentor_id if isinstance(rec, Match) else None
        ids = [escape(rec.mentee_id), "" if mentor_id is None else escape(mentor_id)]
        if people.on:
            t = None if mentor_id is None else people.mentors.get(mentor_id)
            ids += [_name(people.mentees.get(rec.mentee_id)), _name(t)]
        common = [str(rec.priority), rec.level.value, escape(rec.district), rec.continuity.value]
        extra = people.attr_cells(rec.mentee_id, mentor_id) if people.on else []
        if isinstance(rec, Match):
            d = rec.distance_km
            body = [
                _num(rec.score),
                *(_num(rec.breakdown.get(k, 0.0)) for k in parts),
                str(rec.window),
                "" if rec.session is None else str(rec.session),
                rec.mode.value,
                "" if d is None else format_number(d),
                "",
                "",
            ]
        else:
            body = [*([""] * (len(parts) + 5)), rec.reason.value, escape(rec.detail)]
        rows.append([*ids, *body, *common, *extra])
    return header, rows


def unmatched_table(result: MatchResult, cohort: Cohort | None = None) -> Table:
    """One row per unmatched mentee: ``mentee_id``, [``mentee_name``], ``priority``,
    ``level``, ``district``, ``reason``, ``detail``, ``near_misses`` (``m-12 (full: 3 of
    3), m-40 (time: 30 min short)``, closest first), [``mentee.attr.<x>``...]."""
    people = _People(cohort)
    header = [
        "mentee_id",
        *(["mentee_name"] if people.on else []),
        "priority",
        "level",
        "district",
        "reason",
        "detail",
        "near_misses",
        *(f"mentee.attr.{k}" for k in people.s_keys),
    ]
    rows = []
    for u in result.unmatched:
        s = people.mentees.get(u.mentee_id)
        rows.append(
            [
                escape(u.mentee_id),
                *([_name(s)] if people.on else []),
                str(u.priority),
                u.level.value,
                escape(u.district),
                u.reason.value,
                escape(u.detail),
                escape(", ".join(map(str, u.near_misses))),
                *(_attrs(s, people.s_keys) if people.on else []),
            ]
        )
    return header, rows


def roster_table(result: MatchResult, cohort: Cohort | None = None) -> Table:
    """Per-mentor rosters: one row per (mentor, mentee) pair, and one row with empty mentee
    cells for a mentor without mentees, so every mentor appears; sorted by mentor id, then
    mentee id. ``mentor_id``, [``mentor_name``], ``capacity``, ``load``, ``free``,
    ``mentee_id``, [``mentee_name``], ``level``, ``grade`` (with a cohort), ``mode``,
    ``session``, ``window``, ``district``. A mentor's rows filtered together are the sheet
    to hand to that mentor."""
    people = _People(cohort)
    pairs: dict[str, list[Match]] = {t: [] for t in result.mentor_capacity}
    for m in result.matches:
        pairs.setdefault(m.mentor_id, []).append(m)
    header = [
        "mentor_id",
        *(["mentor_name"] if people.on else []),
        "capacity",
        "load",
        "free",
        "mentee_id",
        *(["mentee_name", "grade"] if people.on else []),
        "level",
        "mode",
        "session",
        "window",
        "district",
    ]
    rows = []
    for t in sorted(pairs):
        cap = result.mentor_capacity.get(t, 0)
        load = len(pairs[t])
        head = [
            escape(t),
            *([_name(people.mentors.get(t))] if people.on else []),
            str(cap),
            str(load),
            str(max(cap - load, 0)),
        ]
        if not pairs[t]:
            rows.append([*head, *([""] * (len(header) - len(head)))])
        for m in sorted(pairs[t], key=lambda m: m.mentee_id):
            s = people.mentees.get(m.mentee_id)
            who = [_name(s), "" if s is None else str(s.grade)] if people.on else []
            rows.append(
                [
                    *head,
                    escape(m.mentee_id),
                    *who,
                    m.level.value,
                    m.mode.value,
                    "" if m.session is None else str(m.session),
                    str(m.window),
                    escape(m.district),
                ]
            )
    return header, rows


def _figure(x: float) -> str:
    return "" if math.isnan(x) else format_number(round(x, 6)) if math.isfinite(x) else str(x)


def summary_table(result: MatchResult) -> Table:
    """Key/value rows: run facts, then figures from :meth:`MatchResult.metrics` (rates
    per group as ``match_rate.priority.<p>``, counts as ``unmatched.<reason>``), floors
    and warnings. Columns ``key``, ``value``."""
    m = result.metrics()
    rows: list[list[str]] = [
        ["status", result.status.value],
        ["method", escape(result.method)],
        ["objective", _figure(result.objective)],
        ["bound", _figure(result.bound)],
        ["gap", _figure(result.gap)],
        ["seed", str(result.seed)],
        ["mentees", str(m.n_mentees)],
        ["matched", str(m.n_matched)],
        ["unmatched", str(m.n_mentees - m.n_matched)],
        ["match_rate", _figure(m.match_rate)],
        ["utilisation", _figure(m.utilisation)],
        ["mentors_used", str(m.mentors_used)],
        ["mentors", str(len(result.mentor_capacity))],
        ["mean_subject_fit", _figure(m.mean_subject_fit)],
        ["continuity_kept", _figure(m.continuity_kept)],
        ["lost_mentor", str(m.lost_mentor)],
    ]
    rows += [[f"unmatched.{k}", str(v)] for k, v in m.unmatched_by_reason.items()]
    rows += [[f"match_rate.priority.{k}", _figure(v)] for k, v in m.match_rate_by_priority.items()]
    rows += [[f"match_rate.level.{k}", _figure(v)] for k, v in m.match_rate_by_level.items()]
    rows += [
        [escape(f"match_rate.district.{k}"), _figure(v)]
        for k, v in m.match_rate_by_district.items()
    ]
    for f in result.floors:
        text = f"{f.achieved} of {f.required} (attainable {f.attainable})"
        rows.append([escape(f"floor.{f.label}"), escape(text if f.met else f"{text}: {f.reason}")])
    rows += [[f"warning.{k + 1}", escape(w)] for k, w in enumerate(result.warnings)]
    return ["key", "value"], rows


def transition_table(result: MatchResult) -> Table:
    """``transition.csv``: ``mentee_id``, ``mentor_id``, ``outcome`` (``kept``,
    ``broken``, ``new``), ``reason``, ``detail``; no rows without a transition."""
    header = ["mentee_id", "mentor_id", "outcome", "reason", "detail"]
    t = result.transition
    if t is None:
        return header, []
    rows = [[escape(s), escape(m), "kept", "", ""] for s, m in t.kept]
    rows += [
        [escape(b.mentee_id), escape(b.mentor_id), "broken", b.reason.value, escape(b.detail)]
        for b in t.broken
    ]
    rows += [[escape(s), escape(m), "new", "", ""] for s, m in t.new]
    return header, rows
