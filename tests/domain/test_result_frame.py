"""MatchResult.to_frame: the detail sentence and near misses beside the existing columns."""

from __future__ import annotations

import math

import pandas as pd
from tests.records import one_mentor_cohort

from matchkit import solve


def test_to_frame_has_detail_and_near_misses() -> None:
    cohort = one_mentor_cohort(capacity=1, first=0, priorities=[3, 2])
    result = solve(cohort)
    frame = result.to_frame()
    assert list(frame.columns[:2]) == ["mentee_id", "mentor_id"]
    for col in ("score", "mode", "distance_km", "window", "session", "reason", "detail"):
        assert col in frame.columns
    cols = list(frame.columns)
    assert cols.index("reason") < cols.index("detail") < cols.index("near_misses")
    assert cols[cols.index("near_misses") + 1 :] == ["priority", "level", "district", "continuity"]
    matched, unmatched = frame.iloc[0], frame.iloc[1]
    assert matched["mentee_id"] == "s-0"
    assert pd.isna(matched["detail"])
    assert pd.isna(matched["near_misses"])
    assert unmatched["detail"] == result.unmatched[0].detail
    assert unmatched["near_misses"] == "m-1 (full: 1 of 1)"
    assert isinstance(unmatched["score"], float)
    assert math.isnan(unmatched["score"])
