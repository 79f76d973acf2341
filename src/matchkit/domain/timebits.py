"""Common weekly windows for whole blocks of pairs at once, as a matrix product.

After erosion (:func:`matchkit.domain.schedule.erode`) two people share a window of the
session's length iff their eroded day masks share a bit. Unpacking the masks into 0/1 rows
over the slots anyone uses turns "share a bit" into "dot product > 0", so a block of
``R`` mentees by ``C`` mentors is one ``(R x k) @ (k x C)`` product in BLAS: exact (counts
up to a few hundred are exact in float32) and far faster than gathering seven words per
pair.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["TimeBits"]

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]


def _bits(masks: U64) -> npt.NDArray[np.uint8]:
    """(n, 7) day masks to (n, 448) 0/1 bytes, bit ``64 d + k`` = slot ``k`` of day ``d``."""
    little = np.ascontiguousarray(masks.astype("<u8", copy=False))
    return np.unpackbits(
        little.view(np.uint8).reshape(masks.shape[0], 56), axis=1, bitorder="little"
    )


class TimeBits:
    """Eroded availabilities of mentees and mentors as float32 0/1 matrices."""

    def __init__(self, s_eroded: U64, t_eroded: U64) -> None:
        s_bits, t_bits = _bits(s_eroded), _bits(t_eroded)
        used = np.flatnonzero(s_bits.any(axis=0) & t_bits.any(axis=0))
        self.s = np.ascontiguousarray(s_bits[:, used], dtype=np.float32)
        self.t = np.ascontiguousarray(t_bits[:, used], dtype=np.float32)

    def block(self, rows: I64, cols: I64) -> npt.NDArray[np.bool_]:
        """``shares[r, c]``: mentee ``rows[r]`` and eroded mentor row ``cols[c]`` share a slot."""
        if self.s.shape[1] == 0:
            return np.zeros((rows.size, cols.size), dtype=np.bool_)
        product = self.s[rows] @ self.t[cols].T
        return np.asarray(product > 0.5)
