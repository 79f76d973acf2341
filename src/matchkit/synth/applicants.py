"""Synthetic applicants: next year's would-be mentors, drawn like the generator's mentors.

An applicant is a mentor not yet hired (:class:`~matchkit.Applicant`): subjects,
proficiencies, week, mode, home and capacity come from the same numpy draws as the cohort
generator's mentors (:func:`matchkit.synth.draw.mentors`, under a :class:`SynthKnobs`), so
applicants look like the mentors they would join. What only applicants have is drawn here,
from :class:`ApplicantKnobs`: the university (by size, and nearer campuses likelier), whether
the university recommended them, the expert review's points, the terms they commit to and
whether they are a former mentee. ``docs/explanation/synthetic-cohorts.md`` says which
defaults are assumptions (all of the applicant-specific ones are).

Deterministic: the same arguments give the same applicants; a yearly simulation calls
:func:`generate_applicants` once a year with its own ``seed`` and ``prefix``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError

from matchkit.domain.applicant import MAX_REVIEW, Applicant
from matchkit.domain.geo import SEOUL_DISTRICTS, district_coordinates, haversine_km
from matchkit.domain.model import Cohort
from matchkit.errors import InputError, InputProblem
from matchkit.synth import draw, records
from matchkit.synth.knobs import SynthKnobs
from matchkit.synth.regions import districts

__all__ = ["SEOUL_UNIVERSITIES", "ApplicantKnobs", "generate_applicants"]

F64 = npt.NDArray[np.float64]

SEOUL_UNIVERSITIES: dict[str, tuple[str, float]] = {
    "Korea University": ("Seongbuk-gu", 20.0),
    "Yonsei University": ("Seodaemun-gu", 19.0),
    "Chung-Ang University": ("Dongjak-gu", 17.0),
    "Seoul National University": ("Gwanak-gu", 16.0),
    "Hanyang University": ("Seongdong-gu", 15.0),
    "Konkuk University": ("Gwangjin-gu", 15.0),
    "Ewha Womans University": ("Seodaemun-gu", 15.0),
    "Kyung Hee University": ("Dongdaemun-gu", 14.0),
    "Kookmin University": ("Seongbuk-gu", 14.0),
    "Soongsil University": ("Dongjak-gu", 14.0),
    "Dongguk University": ("Jung-gu", 13.0),
    "Hongik University": ("Mapo-gu", 13.0),
    "Sejong University": ("Gwangjin-gu", 12.0),
    "Sungkyunkwan University": ("Jongno-gu", 10.0),
    "University of Seoul": ("Dongdaemun-gu", 10.0),
    "Sookmyung Women's University": ("Yongsan-gu", 10.0),
    "Sungshin Women's University": ("Seongbuk-gu", 10.0),
    "Seoul National University of Science and Technology": ("Nowon-gu", 10.0),
    "Hankuk University of Foreign Studies": ("Dongdaemun-gu", 9.0),
    "Kwangwoon University": ("Nowon-gu", 9.0),
    "Myongji University": ("Seodaemun-gu", 9.0),
    "Sogang University": ("Mapo-gu", 8.0),
    "Sangmyung University": ("Jongno-gu", 7.0),
    "Hansung University": ("Seongbuk-gu", 7.0),
    "Seoul Women's University": ("Nowon-gu", 6.0),
    "Dongduk Women's University": ("Seongbuk-gu", 6.0),
    "Sahmyook University": ("Nowon-gu", 6.0),
    "Seokyeong University": ("Seongbuk-gu", 6.0),
    "Duksung Women's University": ("Dobong-gu", 5.0),
    "Chongshin University": ("Dongjak-gu", 3.0),
    "Seoul National University of Education": ("Seocho-gu", 1.5),
}
"""Thirty-one four-year universities in Seoul: romanised name to (campus district, size).
Sizes are undergraduates at the Seoul campus in thousands, rounded by us from memory of the
universities' own figures: an *assumption* to set relative weights, not a published table."""

_CAMPUS_KM = 5.0
"""Distance over which a campus's pull on where applicants live falls by ``1/e``."""


@dataclass(frozen=True)
class ApplicantKnobs:
    """The distributions of synthetic applicants, each with its default and why.

    Every default below is an *assumption* (no public figure describes the applicants);
    ``docs/explanation/synthetic-cohorts.md`` lists them beside the cohort's knobs.

    Examples
    --------
    >>> ApplicantKnobs().recommended_share, ApplicantKnobs(review_mean=60).review_mean
    (0.85, 60)
    >>> ApplicantKnobs(alumni_share=2)
    Traceback (most recent call last):
    ...
    matchkit.errors.InputError: applicant knobs has 1 problem:
      - alumni_share: must be a share in [0, 1], not 2
    """

    universities: Mapping[str, tuple[str, float]] = field(
        default_factory=lambda: dict(SEOUL_UNIVERSITIES)
    )
    """University to (campus district, relative size): applicants come from a university
    in proportion to its size (so do its recommendations), and more often from one near
    home (see ``campus_pull``). Default: :data:`SEOUL_UNIVERSITIES`."""
    campus_pull: float = 3.0
    """A university's weight for an applicant is ``size * (1 + campus_pull * exp(-d / 5
    km))``, ``d`` the distance from home to campus: living at a campus makes its university
    four times likelier than living far away. 0 draws by size alone."""
    recommended_share: float = 0.85
    """Applicants recommended by their university: most arrive through recommendation; the
    rest apply directly."""
    review_mean: float = 70.0
    """Mean of the expert review's points (0-100; a normal distribution, clipped)."""
    review_sd: float = 12.0
    """Standard deviation of the review points."""
    review_step: float = 0.5
    """The review's points are whole multiples of this (0.5: half points)."""
    alumni_share: float = 0.08
    """Former mentees of the programme among applicants (a little below the cohort's 10%
    of mentors: the programme began in 2021, so few alumni are students yet)."""
    terms_weights: Mapping[int, float] = field(default_factory=lambda: {1: 0.45, 2: 0.35, 4: 0.20})
    """Terms committed: one semester 45%, a school year 35%, two years 20%."""
    capacity_weights: Mapping[int, float] | None = None
    """Mentees at once; ``None``: the cohort generator's ``SynthKnobs.capacity_weights``."""
    mentors: SynthKnobs = field(default_factory=SynthKnobs)
    """The cohort generator's knobs for what applicants share with mentors: subjects and
    proficiencies, weekly availability, modes, home jitter (and capacity, unless
    ``capacity_weights`` is set)."""

    def __post_init__(self) -> None:
        problems = _knob_problems(self)
        if problems:
            raise InputError("applicant knobs", problems)

    def mentor_knobs(self) -> SynthKnobs:
        """``mentors`` with this applicant pool's terms, alumni share and capacities."""
        update: dict[str, Any] = {
            "terms_weights": dict(self.terms_weights),
            "alumni_share": self.alumni_share,
        }
        if self.capacity_weights is not None:
            update["capacity_weights"] = dict(self.capacity_weights)
        return SynthKnobs.model_validate({**self.mentors.model_dump(), **update})


def generate_applicants(
    n: int,
    *,
    seed: int = 0,
    cohort: Cohort | None = None,
    knobs: ApplicantKnobs | None = None,
    prefix: str = "a-",
) -> tuple[Applicant, ...]:
    """Generate ``n`` synthetic applicants (see the module docstring for what is drawn).

    Parameters
    ----------
    n : int
        How many applicants, ``>= 0`` (the Seoul programme's yearly pool is about 2,500
        for 850 places: an assumption).
    seed : int
        Seed of ``numpy.random.default_rng``; a different seed per year gives that year's
        pool.
    cohort : Cohort, optional
        Place applicants where this cohort lives: in its districts, in proportion to its
        mentors there (its mentees where it has no mentors), around each district's centre
        (a Seoul district's office, else the mean of its people's coordinates). Its mentor
        ids must not collide with the applicants' ids. ``None``: Seoul's 25 districts,
        weighted as the cohort generator weights mentors (half population, half campuses).
    knobs : ApplicantKnobs, optional
        The distributions; ``ApplicantKnobs()`` by default.
    prefix : str
        Start of every id: ``a-000001``, ``a-000002``, ... by default (zero-padded to at
        least six digits); a yearly simulation uses one per year (``a2027-``) so ids never
        repeat.

    Returns
    -------
    tuple of Applicant
        Every record built through validation, ids in order.

    Raises
    ------
    InputError
        A bad size, seed, prefix or argument type; a cohort with no located people, or one
        of whose mentors already has an id this call would give.

    Examples
    --------
    >>> pool = generate_applicants(200, seed=2027)
    >>> len(pool), pool[0].id, pool == generate_applicants(200, seed=2027)
    (200, 'a-000001', True)
    >>> 0.75 < sum(a.recommended for a in pool) / 200 < 0.95
    True
    >>> all(0 <= a.review <= 100 and a.university for a in pool)
    True
    """
    k = _validate(n, seed, cohort, knobs, prefix)
    if n == 0:
        return ()
    rng = np.random.default_rng(seed)
    names, lat0, lon0, weight = _places(cohort, rng)
    mk = k.mentor_knobs()
    subjects = tuple(dict.fromkeys([*mk.need_weights, *mk.teach_weights]))
    t = draw.mentors(n, subjects, (lat0, lon0, weight), mk, rng)
    university = _universities(t.lat, t.lon, k, rng)
    recommended = rng.random(n) < k.recommended_share
    review = np.round(rng.normal(k.review_mean, k.review_sd, n) / k.review_step) * k.review_step
    review = np.clip(review, 0.0, MAX_REVIEW)
    ids = [f"{prefix}{x:0{max(6, len(str(n)))}d}" for x in range(1, n + 1)]
    _check_ids(ids, cohort)
    mentors = records.mentors(t, np.arange(n, dtype=np.int64), ids, subjects, names)
    unis = tuple(k.universities)
    return tuple(
        Applicant.model_validate({**dict(m), "university": unis[u], "recommended": r, "review": v})
        for m, u, r, v in zip(
            mentors, university.tolist(), recommended.tolist(), review.tolist(), strict=True
        )
    )


# --- draws ---------------------------------------------------------------------------------


def _places(
    cohort: Cohort | None, rng: np.random.Generator
) -> tuple[tuple[str, ...], F64, F64, F64]:
    """District names, centres and the probability an applicant lives in each."""
    if cohort is None:
        d = districts(len(SEOUL_DISTRICTS), rng)
        return d.names, d.lat, d.lon, d.mentor_weight
    people = cohort.mentors or cohort.mentees
    total: dict[str, tuple[float, float, int]] = {}  # district: coordinate sums, people
    for p in people:
        where = p.location()
        if where is not None:
            y, x, c = total.get(p.district, (0.0, 0.0, 0))
            total[p.district] = (y + where[0], x + where[1], c + 1)
    names = tuple(sorted(total))
    centres = [
        district_coordinates(d) or (total[d][0] / total[d][2], total[d][1] / total[d][2])
        for d in names
    ]
    lat = np.array([c[0] for c in centres], dtype=np.float64)
    lon = np.array([c[1] for c in centres], dtype=np.float64)
    w = np.array([total[d][2] for d in names], dtype=np.float64)
    return names, lat, lon, w / w.sum()


def _universities(
    lat: F64, lon: F64, k: ApplicantKnobs, rng: np.random.Generator
) -> npt.NDArray[np.int64]:
    """Each applicant's university (an index into ``k.universities``), by Gumbel-max over
    ``log(size * (1 + campus_pull * exp(-d / 5 km)))``; a campus of unknown place pulls
    nobody."""
    campus = [district_coordinates(d) for d, _ in k.universities.values()]
    c_lat = np.array([np.nan if c is None else c[0] for c in campus])
    c_lon = np.array([np.nan if c is None else c[1] for c in campus])
    size = np.array([s for _, s in k.universities.values()], dtype=np.float64)
    d = haversine_km(lat[:, None], lon[:, None], c_lat[None, :], c_lon[None, :])
    pull = np.nan_to_num(np.exp(-d / _CAMPUS_KM), nan=0.0)
    with np.errstate(divide="ignore"):
        keys = np.log(size)[None, :] + np.log1p(k.campus_pull * pull)
    keys = keys + rng.gumbel(size=keys.shape)
    out: npt.NDArray[np.int64] = np.argmax(keys, axis=1).astype(np.int64)
    return out


# --- validation ----------------------------------------------------------------------------


def _knob_problems(k: ApplicantKnobs) -> list[InputProblem]:
    out: list[InputProblem] = []

    def bad(name: str, message: str) -> None:
        out.append(InputProblem("bad_knob", name, message))

    for name in ("recommended_share", "alumni_share"):
        v = getattr(k, name)
        if not _number(v) or not 0 <= v <= 1:
            bad(name, f"must be a share in [0, 1], not {v!r}")
    for name, low, high in (
        ("review_mean", 0.0, MAX_REVIEW),
        ("review_sd", 0.0, MAX_REVIEW),
        ("campus_pull", 0.0, 1e6),
    ):
        v = getattr(k, name)
        if not _number(v) or not low <= v <= high:
            bad(name, f"must be a number in [{low:g}, {high:g}], not {v!r}")
    step = k.review_step
    if not _number(step) or not 0 < step <= MAX_REVIEW:
        bad("review_step", f"must be a number in (0, {MAX_REVIEW:g}], not {step!r}")
    unis = k.universities
    if not isinstance(unis, Mapping) or not unis:
        bad("universities", "must map at least one university name to (district, size)")
    else:
        for name, value in unis.items():
            ok = isinstance(value, tuple | list) and len(value) == 2 and isinstance(value[0], str)
            if not isinstance(name, str) or not name.strip():
                bad("universities", f"{name!r} is not a university name")
            elif not ok or not _number(value[1]) or value[1] < 0:
                bad(f"universities[{name!r}]", "must be (campus district, size >= 0)")
        sizes = [v[1] for v in unis.values() if isinstance(v, tuple | list) and len(v) == 2]
        if not any(_number(s) and s > 0 for s in sizes):
            bad("universities", "at least one university needs a positive size")
    if not isinstance(k.mentors, SynthKnobs):
        bad("mentors", "must be a SynthKnobs")
    elif not out:
        try:
            k.mentor_knobs()
        except ValidationError as exc:
            for err in exc.errors(include_url=False):
                loc = ".".join(str(p) for p in err["loc"])
                bad(loc, str(err["msg"]).removeprefix("Value error, "))
    return out


def _number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _validate(
    n: int, seed: int, cohort: Cohort | None, knobs: ApplicantKnobs | None, prefix: str
) -> ApplicantKnobs:
    problems: list[InputProblem] = []
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        problems.append(InputProblem("bad_size", "n", "must be an integer >= 0"))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        problems.append(InputProblem("bad_seed", "seed", "must be an integer >= 0"))
    if not isinstance(prefix, str) or any(ord(c) < 32 for c in prefix) or len(prefix) > 40:
        problems.append(
            InputProblem("bad_prefix", "prefix", "must be text of at most 40 printable characters")
        )
    if cohort is not None and not isinstance(cohort, Cohort):
        problems.append(InputProblem("bad_type", "cohort", "must be a Cohort or None"))
    elif cohort is not None and not any(p.location() for p in cohort.mentors or cohort.mentees):
        problems.append(
            InputProblem(
                "no_places",
                "cohort",
                "has nobody with a known place (coordinates or a Seoul district) to place "
                "applicants near",
            )
        )
    if knobs is not None and not isinstance(knobs, ApplicantKnobs):
        problems.append(InputProblem("bad_type", "knobs", "must be an ApplicantKnobs or None"))
    if problems:
        raise InputError("synthetic applicants request", problems)
    return knobs or ApplicantKnobs()


def _check_ids(ids: list[str], cohort: Cohort | None) -> None:
    if cohort is None:
        return
    taken = sorted(set(ids) & {m.id for m in cohort.mentors})
    shown = ", ".join(repr(i) for i in taken[:5])
    if taken:
        raise InputError(
            "synthetic applicants request",
            [
                InputProblem(
                    "duplicate_id",
                    "prefix",
                    f"gives ids the cohort's mentors already have ({shown}); use another prefix",
                )
            ],
        )
