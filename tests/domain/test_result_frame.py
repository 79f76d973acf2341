"""MatchResult.to_frame: the detail sentence and near misses beside the existing columns."""

from __future__ import annotations

import math

import pandas as pd

from matchkit import Cohort, Mentee, Mentor, solve


def test_to_frame_has_detail_and_near_misses() -> None:
    cohort = Cohort(
        mentors=[
            Mentor(
                id="m-1",
                subjects={"math": 4},
                availability="Sat 10:00-14:00",
                district="Mapo-gu",
                capacity=1,
            )
        ],
        mentees=[
            Mentee(
                id=f"s-{k}",
                level="middle",
                grade=2,
                needs={"math": 1},
                availability="Sat 10:00-12:00",
                district="Mapo-gu",
                priority=3 - k,
            )
            for k in range(2)
        ],
    )
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
