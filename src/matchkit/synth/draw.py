"""Drawing synthetic people and last term's pairs as numpy arrays (used by :mod:`matchkit.synth`).

Everything here works on whole arrays; :mod:`matchkit.synth` turns the arrays into validated
records. Slots are half hours from midnight (32 = 16:00, 44 = 22:00), as in
:mod:`matchkit.domain.schedule`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from matchkit.synth.knobs import SynthKnobs

__all__ = ["People", "avoided", "jitter", "keep_pairs_working", "mentees", "mentors", "previous"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
B = npt.NDArray[np.bool_]
Rng = np.random.Generator

TEACHES_AT = 3
"""``Policy().min_proficiency``: the level the hiring interview checks."""
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON_EQUATOR = 111.320

# Window shapes: (weekday start range, weekday latest end, weekend start range, weekend end).
_MENTEE_SHAPE = ((32, 38), 44, (18, 28), 40)  # weekdays 16:00-22:00, weekends 09:00-20:00
_MENTOR_SHAPE = ((28, 40), 46, (18, 30), 44)  # weekdays 14:00-23:00, weekends 09:00-22:00
_MENTEE_WEEKDAYS = {0: 0.10, 1: 0.25, 2: 0.35, 3: 0.20, 4: 0.10}
_MENTOR_WEEKDAYS = {0: 0.10, 1: 0.20, 2: 0.30, 3: 0.25, 4: 0.15}
_BOTH_WEEKEND_DAYS = 0.3
_MENTOR_MIN_SLOTS = 4  # a mentor's window is at least 2 h
_EXTRA_SLOTS = (0, 4)  # a window is that much longer than the minimum (0-2 h)

# A mentee can meet after school on weekdays and in the weekend daytime.
_DAY = (1 << 48) - 1
_MENTEE_ENVELOPE = np.array(
    [((1 << 12) - 1) << 32] * 5 + [((1 << 22) - 1) << 18] * 2, dtype=np.uint64
)


@dataclass(frozen=True, eq=False)
class People:
    """One side of the cohort as arrays (rows are people)."""

    district: I64
    lat: F64
    lon: F64
    mode: I64  # 0 offline, 1 online, 2 both
    avail: U64  # (n, 7) day masks
    subject: I64  # (n, k) subject codes, -1 = none; column 0 is the main one
    value: F64  # (n, k) proficiency (mentors) or need weight (mentees)
    extra: dict[str, npt.NDArray[Any]]


def pick(weights: dict[Any, float], n: int, rng: Rng) -> npt.NDArray[Any]:
    """``n`` draws of the keys of ``weights`` with probability proportional to the values."""
    keys = list(weights)
    p = np.array([weights[x] for x in keys], dtype=np.float64)
    return np.asarray(keys)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _top_k(weights: F64, count: I64, rng: Rng) -> I64:
    """``count[i]`` distinct codes per row drawn by ``weights`` (Gumbel top-k); -1 pads."""
    n, width = count.size, int(count.max(initial=1))
    with np.errstate(divide="ignore"):
        keys = np.log(weights)[None, :] + rng.gumbel(size=(n, weights.size))
    order = np.argsort(-keys, axis=1, kind="stable")[:, :width]
    return np.where(np.arange(width)[None, :] < count[:, None], order, -1).astype(np.int64)


def _windows(rng: Rng, days: B, start: tuple[int, int], length: I64, end: int) -> U64:
    """One window per chosen day: start drawn from ``start`` (inclusive), over by ``end``."""
    first = np.minimum(rng.integers(start[0], start[1] + 1, size=days.shape), end - length)
    one = np.uint64(1)
    bits = (np.left_shift(one, length.astype(np.uint64)) - one) << first.astype(np.uint64)
    return np.where(days, bits, np.uint64(0)).astype(np.uint64)


def _week(
    rng: Rng,
    weekdays: dict[int, float],
    weekend_share: float,
    shape: tuple[tuple[int, int], int, tuple[int, int], int],
    min_slots: I64,
) -> U64:
    """Seven day masks per person: a few weekday windows, maybe weekend ones (never none)."""
    n = min_slots.size
    wd_start, wd_end, we_start, we_end = shape
    count = pick(weekdays, n, rng).astype(np.int64)
    weekday = rng.random((n, 5)).argsort(axis=1).argsort(axis=1) < count[:, None]
    weekend = (rng.random(n) < weekend_share) | (count == 0)
    both, sat = rng.random(n) < _BOTH_WEEKEND_DAYS, rng.random(n) < 0.5
    length = min_slots[:, None] + rng.integers(_EXTRA_SLOTS[0], _EXTRA_SLOTS[1] + 1, (n, 7))
    out = np.empty((n, 7), dtype=np.uint64)
    out[:, :5] = _windows(rng, weekday, wd_start, length[:, :5], wd_end)
    sat_sun = np.column_stack([weekend & (both | sat), weekend & (both | ~sat)])
    out[:, 5:] = _windows(rng, sat_sun, we_start, length[:, 5:], we_end)
    return out


def _modes(n: int, k: SynthKnobs, rng: Rng) -> I64:
    p = np.array([k.offline_share, k.online_share, 1.0 - k.offline_share - k.online_share])
    p = p.clip(0.0)
    return rng.choice(3, size=n, p=p / p.sum()).astype(np.int64)


def jitter(lat: F64, lon: F64, district: I64, sd_km: float, rng: Rng) -> tuple[F64, F64]:
    """Homes scattered around their district's centre, ``sd_km`` per axis (5 decimals)."""
    dy, dx = rng.normal(0.0, sd_km, size=(2, district.size))
    y = lat[district] + dy / KM_PER_DEG_LAT
    x = lon[district] + dx / (KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat[district])))
    return np.round(y, 5), np.round(x, 5)


def mentors(
    n: int, subjects: tuple[str, ...], places: tuple[F64, F64, F64], k: SynthKnobs, rng: Rng
) -> People:
    """``n`` mentors: main subject at a teaching level, further subjects at any level."""
    lat0, lon0, where = places
    w = np.array([k.teach_weights.get(x, 0.0) for x in subjects])
    subject = _top_k(w, pick(k.subjects_count_weights, n, rng).astype(np.int64), rng)
    value = pick(k.proficiency_weights, subject.size, rng).reshape(subject.shape)
    value[:, 0] = pick({p: x for p, x in k.proficiency_weights.items() if p >= TEACHES_AT}, n, rng)
    slots = np.full(n, _MENTOR_MIN_SLOTS, dtype=np.int64)
    avail = _week(rng, _MENTOR_WEEKDAYS, k.mentor_weekend_share, _MENTOR_SHAPE, slots)
    extra = {
        "capacity": pick(k.capacity_weights, n, rng).astype(np.int64),
        "terms": pick(k.terms_weights, n, rng).astype(np.int64),
        "alumni": rng.random(n) < k.alumni_share,
    }
    district = rng.choice(where.size, size=n, p=where).astype(np.int64)
    lat, lon = jitter(lat0, lon0, district, k.jitter_km, rng)
    value = np.where(subject >= 0, value, 0).astype(np.float64)
    return People(district, lat, lon, _modes(n, k, rng), avail, subject, value, extra)


def mentees(
    n: int, subjects: tuple[str, ...], places: tuple[F64, F64, F64], k: SynthKnobs, rng: Rng
) -> People:
    """``n`` mentees: main need weighs 3, further needs 1 or 2."""
    lat0, lon0, where = places
    w = np.array([k.need_weights.get(x, 0.0) for x in subjects])
    subject = _top_k(w, pick(k.needs_count_weights, n, rng).astype(np.int64), rng)
    value = rng.integers(1, 3, size=subject.shape).astype(np.float64)
    value[:, 0] = 3.0
    hours = pick(k.session_hours_weights, n, rng).astype(np.float64)
    slots = np.rint(hours * 2).astype(np.int64)
    avail = _week(rng, _MENTEE_WEEKDAYS, k.mentee_weekend_share, _MENTEE_SHAPE, slots)
    extra = {
        "hours": hours,
        "slots": slots,
        "high": rng.random(n) < k.high_school_share,
        "grade": rng.integers(1, 4, size=n),
        "priority": pick(k.priority_weights, n, rng).astype(np.int64),
    }
    district = rng.choice(where.size, size=n, p=where).astype(np.int64)
    lat, lon = jitter(lat0, lon0, district, k.jitter_km, rng)
    value = np.where(subject >= 0, value, 0.0)
    return People(district, lat, lon, _modes(n, k, rng), avail, subject, value, extra)


# --- last term --------------------------------------------------------------------------------


def _match_by(who: I64, who_key: I64, seats: I64, seat_key: I64) -> tuple[B, I64]:
    """Pair ``who`` with ``seats`` of the same key, in the given orders (as many as fit).

    Returns which of ``who`` got a seat, and for those the seat's position in ``seats``.
    """
    s_order = np.argsort(seat_key, kind="stable")
    w_order = np.argsort(who_key, kind="stable")

    def ranks(keys: I64) -> I64:
        starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
        sizes = np.diff(np.r_[starts, keys.size])
        out: I64 = np.arange(keys.size, dtype=np.int64) - np.repeat(starts, sizes)
        return out

    hit = np.zeros(who.size, dtype=np.bool_)
    if seats.size == 0 or who.size == 0:
        return hit, np.zeros(0, dtype=np.int64)
    _, code = np.unique(np.r_[seat_key, who_key], return_inverse=True)
    code = code.reshape(-1).astype(np.int64)
    sk, wk = code[: seats.size][s_order], code[seats.size :][w_order]
    span = max(seats.size, who.size)
    s_comb = sk * span + ranks(sk)  # sorted: by key, then rank within the key
    w_comb = wk * span + ranks(wk)
    pos = np.searchsorted(s_comb, w_comb).clip(max=s_comb.size - 1)
    hit_sorted = s_comb[pos] == w_comb
    seat = np.full(who.size, -1, dtype=np.int64)
    hit[w_order] = hit_sorted
    seat[w_order[hit_sorted]] = s_order[pos[hit_sorted]]
    return hit, seat[hit]


def _cell(lat: F64, lon: F64, km: float) -> I64:
    y = np.floor(lat * KM_PER_DEG_LAT / km).astype(np.int64)
    x = np.floor(lon * KM_PER_DEG_LON_EQUATOR * 0.8 / km).astype(np.int64)
    return y * 1_000_003 + x


def previous(s: People, t: People, last_term: B, k: SynthKnobs, rng: Rng) -> I64:
    """Last term's mentor of each mentee (-1: none), within last term's capacities.

    A share ``continuing_share`` of mentees had a mentor. Each takes a free place of a mentor
    in the same district if there is one, else nearby (a 10 km, then a 30 km grid cell), else
    anywhere; ties are broken at random.
    """
    n = s.district.size
    prev = np.full(n, -1, dtype=np.int64)
    who = rng.permutation(n)[: round(k.continuing_share * n)]
    lt = np.flatnonzero(last_term)
    seats = rng.permutation(np.repeat(lt, t.extra["capacity"][lt]))
    passes = (
        (s.district, t.district),
        (_cell(s.lat, s.lon, 10.0), _cell(t.lat, t.lon, 10.0)),
        (_cell(s.lat, s.lon, 30.0), _cell(t.lat, t.lon, 30.0)),
        (np.zeros(n, dtype=np.int64), np.zeros(t.district.size, dtype=np.int64)),
    )
    for s_key, t_key in passes:
        if who.size == 0 or seats.size == 0:
            break
        hit, at = _match_by(who, s_key[who], seats, t_key[seats])
        prev[who[hit]] = seats[at]
        used = np.zeros(seats.size, dtype=np.bool_)
        used[at] = True
        who, seats = who[~hit], seats[~used]
    return prev


def _runs(masks: U64, slots: I64) -> U64:
    """Erode each row's day masks so a bit survives where a run of ``slots`` starts."""
    x = masks.copy()
    one = np.uint64(1)
    for step in range(1, int(slots.max(initial=0))):
        active = slots > step
        x[active] &= x[active] >> one
    return x


def keep_pairs_working(s: People, t: People, prev: I64, k: SynthKnobs, rng: Rng) -> None:
    """Make last term's pairs workable, as pairs that met all term were (in place, on ``s``).

    An incompatible mode becomes the mentor's; a mentee none of whose needs the mentor teaches
    takes the mentor's main subject as main need; unless the mentee's week changed
    (``schedule_change_rate``), a mentee with no common window gains the mentor's window on
    one day, clipped to after school.
    """
    i = np.flatnonzero(prev >= 0)
    j = prev[i]
    clash = s.mode[i] + t.mode[j] == 1  # offline (0) with online (1)
    s.mode[i[clash]] = t.mode[j[clash]]

    teach = np.where(t.value[j] >= TEACHES_AT, t.subject[j], -2)
    need = s.subject[i]
    shared = (need[:, :, None] == teach[:, None, :]).any(axis=(1, 2))
    s.subject[i[~shared], 0] = t.subject[j[~shared], 0]

    keep = rng.random(i.size) >= k.schedule_change_rate
    i, j = i[keep], j[keep]
    slots = s.extra["slots"][i]
    fits = (_runs(s.avail[i] & t.avail[j], slots) != 0).any(axis=1)
    i, j, slots = i[~fits], j[~fits], slots[~fits]
    window = t.avail[j] & _MENTEE_ENVELOPE[None, :]
    ok = _runs(window, slots) != 0
    has = ok.any(axis=1)
    day = np.where(ok, rng.random(ok.shape), -1.0).argmax(axis=1)
    i, day, window = i[has], day[has], window[has]
    s.avail[i, day] |= window[np.arange(i.size), day]


def avoided(s: People, t: People, here: B, prev: I64, k: SynthKnobs, rng: Rng) -> I64:
    """A mentor each of about ``avoid_share`` of mentees must not meet (-1: none).

    Someone from the mentee's own district when there is one (that is where a bad experience
    happens), never the mentee's previous mentor.
    """
    n = s.district.size
    out = np.full(n, -1, dtype=np.int64)
    now = np.flatnonzero(here)
    who = np.flatnonzero(rng.random(n) < k.avoid_share)
    if now.size == 0 or who.size == 0:
        return out
    order = now[np.argsort(t.district[now], kind="stable")]
    size = int(max(s.district.max(), t.district.max())) + 1
    counts = np.bincount(t.district[order], minlength=size)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    d, c = s.district[who], counts[s.district[who]]
    u = rng.random(who.size)
    at = (u * c).astype(np.int64)
    local = order[np.minimum(starts[d] + at, order.size - 1)]
    local_next = order[np.minimum(starts[d] + (at + 1) % np.maximum(c, 1), order.size - 1)]
    at = (u * now.size).astype(np.int64)
    anywhere, anywhere_next = now[at], now[(at + 1) % now.size]
    p = prev[who]
    choice = np.where(c > 0, local, anywhere)
    second = np.where(c > 1, local_next, np.where(anywhere != p, anywhere, anywhere_next))
    choice = np.where(choice == p, second, choice)
    out[who] = np.where(choice == p, -1, choice)  # -1 only when the previous mentor is all
    return out
