"""hypothesis strategies for small, valid cohorts and policies, built directly (no ``assume``).

Cohorts are dense on purpose: a few districts (known Seoul districts, one sometimes with
explicit coordinates, and a label that is not a district, always with its own coordinates),
three subjects, availability on Saturday and Sunday only, so that most pairs are close calls
for some rule and the solver has real choices to make.
"""

from __future__ import annotations

from hypothesis import strategies as st

from matchkit import Availability, Cohort, Mentee, Mentor, Policy, Weights

SUBJECTS = ("math", "english", "korean")
DISTRICTS = ("Mapo-gu", "Gangnam-gu", "Nowon-gu", "Jongno-gu", "Island")
MODES = ("online", "offline", "both")


@st.composite
def availabilities(draw: st.DrawFn) -> Availability:
    masks = [0] * 7
    for day in (5, 6):
        if draw(st.booleans()):
            start = draw(st.integers(18, 36))
            length = draw(st.integers(1, 10))
            masks[day] = ((1 << length) - 1) << start
    return Availability(masks)


@st.composite
def places(draw: st.DrawFn) -> dict[str, object]:
    district = draw(st.sampled_from(DISTRICTS))
    if district == "Nowon-gu" and draw(st.booleans()):
        return {"district": district, "coordinates": (37.66, 127.06)}
    if district == "Island":  # not a Seoul district: needs its own place (Jeju, far away)
        return {"district": district, "coordinates": (33.50, 126.53)}
    return {"district": district}


@st.composite
def cohorts(draw: st.DrawFn, max_mentors: int = 6, max_mentees: int = 10) -> Cohort:
    n_mentors = draw(st.integers(0, max_mentors))
    mentors = []
    for j in range(n_mentors):
        taught = draw(st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=3, unique=True))
        mentors.append(
            Mentor(
                id=f"m-{j}",
                subjects={s: draw(st.integers(1, 5)) for s in taught},
                availability=draw(availabilities()),
                mode=draw(st.sampled_from(MODES)),
                capacity=draw(st.integers(0, 3)),
                terms_committed=draw(st.integers(1, 6)),
                alumni=draw(st.booleans()),
                **draw(places()),
            )
        )
    ids = [m.id for m in mentors]
    mentees = []
    for i in range(draw(st.integers(0, max_mentees))):
        needed = draw(st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=2, unique=True))
        previous = draw(st.sampled_from([None, None, "m-gone", *ids]))
        avoid = draw(st.lists(st.sampled_from(ids), max_size=1)) if ids else []
        mentees.append(
            Mentee(
                id=f"s-{i}",
                level=draw(st.sampled_from(("middle", "high"))),
                grade=draw(st.integers(1, 3)),
                needs={s: draw(st.integers(1, 3)) for s in needed},
                availability=draw(availabilities()),
                session_hours=draw(st.sampled_from((0.5, 1.0, 1.5, 2.0))),
                mode=draw(st.sampled_from(MODES)),
                priority=draw(st.integers(0, 3)),
                previous_mentor=previous,
                avoid=frozenset(avoid),
                **draw(places()),
            )
        )
    return Cohort(mentors=mentors, mentees=mentees)


@st.composite
def policies(draw: st.DrawFn) -> Policy:
    return Policy(
        min_proficiency=draw(st.integers(1, 5)),
        max_travel_km=draw(st.sampled_from((None, 5.0, 10.0, 20.0))),
        online_max_km=draw(st.sampled_from((None, None, 8.0, 15.0))),
        weights=Weights(
            subject_fit=draw(st.sampled_from((0.0, 10.0))),
            continuity=draw(st.sampled_from((0.0, 15.0))),
            distance=draw(st.sampled_from((0.0, 2.0, 30.0))),
            priority=draw(st.sampled_from((0.0, 25.0))),
        ),
    )


# --- hand-made records ------------------------------------------------------------------


def mentor(id: str, **kw: object) -> Mentor:
    """A mentor who teaches math on Saturday mornings in Mapo-gu; ``kw`` overrides."""
    base: dict[str, object] = {
        "subjects": {"math": 4},
        "availability": "Sat 10:00-14:00",
        "district": "Mapo-gu",
        "capacity": 1,
    }
    base.update(kw)
    return Mentor(id=id, **base)  # type: ignore[arg-type]


def mentee(id: str, **kw: object) -> Mentee:
    """A middle-school mentee who needs math on Saturday mornings in Mapo-gu."""
    base: dict[str, object] = {
        "level": "middle",
        "grade": 2,
        "needs": {"math": 1},
        "availability": "Sat 10:00-12:00",
        "district": "Mapo-gu",
    }
    base.update(kw)
    return Mentee(id=id, **base)  # type: ignore[arg-type]
