"""Synthetic cohorts: deterministic, valid, consistent history, and shaped as documented.

Eligibility is checked with a small numpy checker written here from the rules in
``matchkit.domain.policy`` (not with the compiler), so the test is independent of it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from matchkit import Cohort, InputError, Mode, Policy
from matchkit.domain.geo import SEOUL_DISTRICTS
from matchkit.synth import Synthetic, SynthKnobs, generate, generate_cohort

B = npt.NDArray[np.bool_]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@cache
def seoul() -> Synthetic:
    """The default, Seoul-size cohort (1,500 x 6,000), generated once (~0.5 s)."""
    return generate(seed=0)


# --- an independent eligibility checker -------------------------------------------------------


def _km(lat1: float, lon1: float, lat2: F64, lon2: F64) -> F64:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(lon2 - lon1)
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    km: F64 = 2 * 6371.0 * np.arcsin(np.sqrt(h))
    return km


def _erode(masks: npt.NDArray[np.uint64], slots: int) -> npt.NDArray[np.uint64]:
    x = masks.copy()
    for _ in range(slots - 1):
        x &= x >> np.uint64(1)
    return x


def eligible_rows(
    cohort: Cohort, rows: list[int], policy: Policy | None = None
) -> Iterator[tuple[B, B]]:
    """Per mentee in ``rows``: which mentors are eligible, and which pairs could meet online."""
    policy = policy or Policy()
    mentors = cohort.mentors
    subjects = sorted(
        {x for m in mentors for x in m.subjects} | {x for s in cohort.mentees for x in s.needs}
    )
    teach = np.array(
        [[m.subjects.get(x, 0) >= policy.min_proficiency for x in subjects] for m in mentors]
    )
    t_mode = np.array([m.mode.value for m in mentors])
    t_lat = np.array([m.coordinates[0] for m in mentors])  # type: ignore[index]
    t_lon = np.array([m.coordinates[1] for m in mentors])  # type: ignore[index]
    t_av = np.array([m.availability.masks for m in mentors], dtype=np.uint64)
    eroded = {k: _erode(t_av, k) for k in range(1, 17)}
    ids = np.array([m.id for m in mentors])
    for i in rows:
        s = cohort.mentees[i]
        subject = teach[:, [subjects.index(x) for x in s.needs]].any(axis=1)
        mode = (s.mode is Mode.BOTH) | (t_mode == "both") | (t_mode == s.mode.value)
        online = (s.mode is not Mode.OFFLINE) & (t_mode != "offline")
        assert s.coordinates is not None
        near = online | (_km(*s.coordinates, t_lat, t_lon) <= (policy.max_travel_km or np.inf))
        slots = round(s.session_hours * 2)
        mine = _erode(np.array([s.availability.masks], dtype=np.uint64), slots)
        time = ((eroded[slots] & mine) != 0).any(axis=1)
        yield subject & mode & near & time & ~np.isin(ids, list(s.avoid)), online


def eligible(cohort: Cohort, rows: list[int]) -> tuple[I64, I64]:
    """Per mentee in ``rows``: eligible mentors in all, and those that must meet offline."""
    counts = [(int(ok.sum()), int((ok & ~on).sum())) for ok, on in eligible_rows(cohort, rows)]
    return np.array([a for a, _ in counts]), np.array([b for _, b in counts])


def _sample(n: int, k: int, seed: int = 0) -> list[int]:
    return sorted(np.random.default_rng(seed).choice(n, size=min(k, n), replace=False).tolist())


# --- determinism, sizes, validity -------------------------------------------------------------


def test_same_seed_same_cohort_and_different_seed_differs() -> None:
    a, b = generate(80, 300, seed=3), generate(80, 300, seed=3)
    assert a == b
    assert a.cohort.model_dump_json() == b.cohort.model_dump_json()
    c = generate(80, 300, seed=4)
    assert c.cohort.mentees != a.cohort.mentees
    assert c.previous_pairs != a.previous_pairs


def test_global_random_state_is_neither_used_nor_changed() -> None:
    legacy = np.random.RandomState(0).get_state()
    np.random.set_state(legacy)  # noqa: NPY002
    x = generate(20, 60, seed=1)
    after = np.random.get_state()  # noqa: NPY002
    assert np.array_equal(after[1], legacy[1])  # type: ignore[index]
    np.random.seed(999)  # noqa: NPY002
    assert generate(20, 60, seed=1) == x


def test_generate_cohort_is_generate_dot_cohort() -> None:
    assert generate_cohort(30, 90, seed=2) == generate(30, 90, seed=2).cohort


@pytest.mark.parametrize(("n_mentors", "n_mentees"), [(1, 0), (1, 7), (25, 100), (140, 555)])
def test_sizes_and_opaque_unique_ids(n_mentors: int, n_mentees: int) -> None:
    syn = generate(n_mentors, n_mentees, seed=1)
    c = syn.cohort
    assert (len(c.mentors), len(c.mentees)) == (n_mentors, n_mentees)
    mentor_ids = [m.id for m in c.mentors] + list(syn.departed_mentors)
    assert len(set(mentor_ids)) == len(mentor_ids)
    assert all(re.fullmatch(r"m-\d{5}", i) for i in mentor_ids)
    assert [s.id for s in c.mentees] == [f"s-{k:06d}" for k in range(1, n_mentees + 1)]
    assert [m.id for m in c.mentors] == sorted(m.id for m in c.mentors)


def test_json_round_trip_and_revalidation() -> None:
    for c in (generate_cohort(50, 200, seed=9), seoul().cohort):
        assert Cohort.model_validate_json(c.model_dump_json()) == c
        assert Cohort.model_validate(c.model_dump()) == c


def test_knobs_are_recorded_and_reproduce_the_cohort() -> None:
    syn = generate(40, 120, seed=5, alumni_share=0.3, capacity_weights={3: 1})
    assert syn.knobs == SynthKnobs(alumni_share=0.3, capacity_weights={3: 1})
    assert generate(40, 120, seed=5, **syn.knobs.model_dump()) == syn
    assert {m.capacity for m in syn.cohort.mentors} == {3}


# --- last term -----------------------------------------------------------------------------


def test_previous_pairs_are_consistent() -> None:
    syn = seoul()
    c = syn.cohort
    pairs = dict(syn.previous_pairs)
    assert len(pairs) == len(syn.previous_pairs)  # one previous mentor per mentee
    assert list(syn.previous_pairs) == sorted(syn.previous_pairs)
    assert {s.id: s.previous_mentor for s in c.mentees if s.previous_mentor} == pairs
    here = {m.id for m in c.mentors}
    departed = set(syn.departed_mentors)
    assert not here & departed
    assert set(pairs.values()) <= here | departed
    lost = {s for s, m in pairs.items() if m in departed}
    assert set(c.lost_mentor()) == lost
    assert 0 < len(lost) < len(pairs)  # some lost their mentor, most kept theirs
    # Steady state at 28% a term: 420 of 1,500 left; about 45% of mentees continue.
    assert len(departed) == 420
    assert len(pairs) == 2700
    # Last term's loads respected capacities (capacities are the same this term).
    cap = {m.id: m.capacity for m in c.mentors}
    load = Counter(m for m in pairs.values() if m in here)
    assert all(n <= cap[m] for m, n in load.items())


def test_most_kept_pairs_are_still_eligible() -> None:
    c = seoul().cohort
    here = c.mentor_index()
    rows = [i for i, s in enumerate(c.mentees) if s.previous_mentor in here][:300]
    kept = [here[c.mentees[i].previous_mentor] for i in rows]  # type: ignore[index]
    still = [bool(ok[j]) for (ok, _), j in zip(eligible_rows(c, rows), kept, strict=True)]
    assert np.mean(still) >= 0.75  # schedule changes (15%) and moves break some


def test_knobs_switch_history_off() -> None:
    c = generate(40, 150, seed=2, continuing_share=0, departure_rate=0, avoid_share=0)
    assert not c.previous_pairs
    assert not c.departed_mentors
    assert not any(s.avoid for s in c.cohort.mentees)
    knobs = {"avoid_share": 1, "alumni_share": 1, "offline_share": 1, "online_share": 0}
    everyone = generate(40, 150, seed=2, **knobs)
    assert all(s.avoid for s in everyone.cohort.mentees)
    assert all(m.alumni for m in everyone.cohort.mentors)
    people = (*everyone.cohort.mentors, *everyone.cohort.mentees)
    assert {p.mode for p in people} == {Mode.OFFLINE}


# --- realism --------------------------------------------------------------------------------


def test_shares_match_the_documented_defaults() -> None:
    c = seoul().cohort
    mentors, mentees = c.mentors, c.mentees

    def share(xs: list[bool]) -> float:
        return sum(xs) / len(xs)

    assert share([m.alumni for m in mentors]) == pytest.approx(0.10, abs=0.025)
    assert np.mean([m.capacity for m in mentors]) == pytest.approx(3.5, abs=0.1)
    assert {m.capacity for m in mentors} == {2, 3, 4, 5}
    assert share([m.terms_committed >= 2 for m in mentors]) == pytest.approx(0.70, abs=0.04)
    assert all(max(m.subjects.values()) >= 3 for m in mentors)
    levels = [p for m in mentors for p in m.subjects.values()]
    assert share([p >= 3 for p in levels]) > 0.85
    for mode, want in ((Mode.OFFLINE, 0.35), (Mode.ONLINE, 0.15), (Mode.BOTH, 0.50)):
        assert share([s.mode is mode for s in mentees]) == pytest.approx(want, abs=0.03)
        assert share([m.mode is mode for m in mentors]) == pytest.approx(want, abs=0.05)
    assert share([s.level.value == "high" for s in mentees]) == pytest.approx(0.45, abs=0.03)
    assert share([s.session_hours == 2.0 for s in mentees]) == pytest.approx(0.70, abs=0.03)
    assert {s.session_hours for s in mentees} == {1.5, 2.0, 2.5}
    assert share([s.priority == 3 for s in mentees]) == pytest.approx(0.35, abs=0.03)
    assert {s.priority for s in mentees} == {1, 2, 3}
    assert 0.003 < share([bool(s.avoid) for s in mentees]) < 0.02


def test_math_and_english_are_most_needed() -> None:
    mentees = seoul().cohort.mentees
    counts = Counter(x for s in mentees for x in s.needs)
    assert set(counts) == {"korean", "english", "math", "science", "social"}
    assert {x for x, _ in counts.most_common(2)} == {"math", "english"}
    main = Counter(max(s.needs, key=s.needs.__getitem__) for s in mentees)
    assert {x for x, _ in main.most_common(2)} == {"math", "english"}


def test_availability_is_after_school_or_weekend_daytime() -> None:
    for s in seoul().cohort.mentees[:500]:
        assert s.availability.longest_run() >= s.session_hours
        for day, start, end in s.availability.intervals():
            if day in ("Sat", "Sun"):
                assert start >= "09:00"
                assert end <= "20:00"
            else:
                assert start >= "16:00"
                assert end <= "22:00"


def test_seoul_districts_and_homes_near_them() -> None:
    c = seoul().cohort
    by = Counter(s.district for s in c.mentees)
    assert set(by) == set(SEOUL_DISTRICTS)
    assert by["Gangseo-gu"] > 2 * by["Jung-gu"]  # population and need
    for p in (*c.mentors[:300], *c.mentees[:300]):
        lat, lon = SEOUL_DISTRICTS[p.district]
        assert p.coordinates is not None
        assert _km(lat, lon, np.array([p.coordinates[0]]), np.array([p.coordinates[1]]))[0] < 12


def test_larger_cohorts_spread_over_more_districts() -> None:
    # 5,300 people at 10 a district: Seoul, the whole capital area, then other regions.
    c = generate_cohort(1000, 4300, seed=1, people_per_district=10)
    names = {p.district for p in (*c.mentors, *c.mentees)}
    assert set(SEOUL_DISTRICTS) <= names
    assert 450 < len(names) <= 530
    assert any(re.fullmatch(r"(Goyang|Suwon|Incheon)-\d\d", n) for n in names)
    assert any(re.fullmatch(r"Busan-\d\d", n) for n in names)


def test_most_mentees_have_eligible_mentors_at_seoul_size() -> None:
    c = seoul().cohort
    total, offline = eligible(c, _sample(len(c.mentees), 300))
    assert (total > 0).mean() >= 0.95
    assert 100 <= np.median(total) <= 400
    assert np.median(offline) > 20  # distance matters: offline pairs are a real share


def test_offline_density_stays_seoul_like_as_the_cohort_grows() -> None:
    small, big = seoul().cohort, generate_cohort(3000, 12000, seed=0)
    offline_only = [
        [i for i in _sample(len(c.mentees), 1000, seed=1) if c.mentees[i].mode is Mode.OFFLINE][
            :200
        ]
        for c in (small, big)
    ]
    a = np.median(eligible(small, offline_only[0])[0])
    b = np.median(eligible(big, offline_only[1])[0])
    assert 0.7 < b / a < 1.5


# --- knob validation ------------------------------------------------------------------------


def test_unknown_knob_names_the_valid_ones() -> None:
    with pytest.raises(InputError, match="alumni_shar: is not a knob; valid knobs: ") as info:
        generate(5, 10, alumni_shar=0.2)
    assert info.value.codes() == ["unknown_knob"]
    assert "alumni_share" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("knobs", "message"),
    [
        ({"alumni_share": 1.5}, "alumni_share: Input should be less than or equal to 1"),
        ({"departure_rate": 1.0}, "departure_rate: Input should be less than 1"),
        ({"offline_share": 0.7, "online_share": 0.4}, "offline_share \\+ online_share"),
        ({"capacity_weights": {3: -1}}, "capacity_weights: weights must be finite and >= 0"),
        ({"capacity_weights": {3: 0}}, "at least one weight must be positive"),
        ({"session_hours_weights": {1.25: 1}}, "whole half hours, not \\[1.25\\]"),
        ({"need_weights": {"Math": 1, "math": 2}}, "subject 'math' is listed twice"),
        ({"needs_count_weights": {6: 1}}, "asks for 6 subjects"),
        ({"proficiency_weights": {1: 1, 2: 1}}, "needs weight on a level >= 3"),
        ({"people_per_district": 5}, "people_per_district: Input should be greater than"),
    ],
)
def test_bad_knob_values(knobs: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        generate(5, 10, **knobs)


def test_bad_sizes_and_seed_are_all_reported() -> None:
    with pytest.raises(InputError) as info:
        generate(0, -1, seed=-2, nope=1)
    assert info.value.codes() == ["bad_size", "bad_size", "bad_seed", "unknown_knob"]


# --- several terms -------------------------------------------------------------------------


def test_simulate_terms_is_deterministic_and_keeps_the_programme_size() -> None:
    from matchkit.synth import simulate_terms

    a = simulate_terms(3, n_mentors=30, n_mentees=120, seed=4)
    assert a == simulate_terms(3, n_mentors=30, n_mentees=120, seed=4)
    assert [t.term for t in a.terms] == [1, 2, 3]
    for t in a.terms:
        assert (t.mentors, t.mentees) == (30, 120)
        assert t.kept <= t.continuing_pairs
        assert t.status == "optimal"
    later = a.terms[1]
    assert later.mentors_left == later.mentors_joined == round(0.28 * 30)
    assert later.mentees_left == later.mentees_joined == round(0.25 * 120)
    assert a.rows()[0]["keep"] == "prefer"


def test_simulated_continuity_orders_the_modes() -> None:
    from matchkit.synth import simulate_terms

    runs = {
        k: simulate_terms(3, n_mentors=40, n_mentees=160, keep=k, seed=2)
        for k in ("prefer", "require", "none")
    }
    assert all(t.changed == 0 for t in runs["require"].terms)
    for p, n in zip(runs["prefer"].terms, runs["none"].terms, strict=True):
        assert p.kept_rate > n.kept_rate
        assert p.changed < n.changed


def test_simulate_terms_rejects_bad_arguments() -> None:
    from matchkit.synth import simulate_terms

    with pytest.raises(ValueError, match="keep"):
        simulate_terms(2, n_mentors=5, n_mentees=20, keep="sometimes")
    with pytest.raises(ValueError, match="n_terms"):
        simulate_terms(0, n_mentors=5, n_mentees=20)
    with pytest.raises(ValueError, match="mentee_leave_rate"):
        simulate_terms(2, n_mentors=5, n_mentees=20, mentee_leave_rate=1.0)
