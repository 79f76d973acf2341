"""The Lagrangian bound's per-mentor schedules (``matchkit.rich.bound``) against brute
force: each mentor's schedule keeps sessions apart and offline sessions a travel buffer
apart, and is the best such schedule, neither more (an invalid bound) nor less (a weak
one)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from matchkit.rich.bound import _Options

Option = tuple[int, int, int, bool]  # mentor, start, length, offline


@st.composite
def option_sets(draw: st.DrawFn) -> tuple[list[Option], list[int], int, list[float]]:
    n_mentors = draw(st.integers(1, 3))
    options = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_mentors - 1),
                st.integers(0, 16),
                st.integers(1, 4),
                st.booleans(),
            ),
            max_size=24,
            unique=True,
        )
    )
    caps = draw(st.lists(st.integers(0, 4), min_size=n_mentors, max_size=n_mentors))
    weights = draw(
        st.lists(st.floats(-1, 5, allow_nan=False), min_size=len(options), max_size=len(options))
    )
    return options, caps, draw(st.integers(0, 3)), weights


def fits(sessions: list[Option], buffer: int) -> bool:
    """No two sessions overlap; offline ones lie ``buffer`` slots apart."""
    for (_, a, la, off_1), (_, c, lc, off_2) in itertools.combinations(sessions, 2):
        gap = buffer if off_1 and off_2 else 0
        if c < a + la + gap and a < c + lc + gap:
            return False
    return True


def schedules(options: list[Option], caps: list[int], buffer: int) -> _Options:
    opts = object.__new__(_Options)
    opts.o_mentor = np.array([o[0] for o in options], dtype=np.int64)
    opts.o_start = np.array([o[1] for o in options], dtype=np.int64)
    opts.o_length = np.array([o[2] for o in options], dtype=np.int64)
    opts.o_end = opts.o_start + opts.o_length
    opts.o_offline = np.array([o[3] for o in options], dtype=np.bool_)
    opts.set_schedules(np.array(caps, dtype=np.int64), buffer)
    return opts


@settings(max_examples=300, deadline=None)
@given(case=option_sets())
# Offline, online, offline with the buffer longer than the online session: the first and the
# last are too close (2 -> 4 is less than 3 slots apart) however the online one sits between.
@example(case=([(0, 0, 2, True), (0, 2, 1, False), (0, 4, 1, True)], [3], 3, [1.0, 1.0, 2.0]))
def test_each_mentors_schedule_is_the_best_that_keeps_sessions_and_buffers_apart(
    case: tuple[list[Option], list[int], int, list[float]],
) -> None:
    options, caps, buffer, weights = case
    w = np.array(weights, dtype=np.float64)
    total, chosen = schedules(options, caps, buffer).schedule(w)
    expected = 0.0
    for j, cap in enumerate(caps):
        mine = [k for k, o in enumerate(options) if o[0] == j and w[k] > 0]
        best = 0.0
        for n in range(1, cap + 1):
            for combo in itertools.combinations(mine, n):
                if fits([options[k] for k in combo], buffer):
                    best = max(best, float(w[list(combo)].sum()))
        taken = [int(k) for k in chosen if options[k][0] == j]
        assert len(taken) <= cap
        assert fits([options[k] for k in taken], buffer)
        assert float(w[taken].sum()) == pytest.approx(best)
        expected += best
    assert total == pytest.approx(expected)
