"""What happened to last term's pairs: kept, broken (each with its reason) and new."""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict

__all__ = ["BreakReason", "BrokenPair", "Transition", "broken"]

_FROZEN = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)


class BreakReason(enum.StrEnum):
    """Why a pair of last term is not kept."""

    MENTOR_LEFT = "mentor_left"
    """The mentor is no longer in the cohort (graduated, took a job)."""
    MENTEE_LEFT = "mentee_left"
    """The mentee is no longer in the cohort."""
    NO_LONGER_ELIGIBLE = "no_longer_eligible"
    """Both are still there, but the pair breaks a hard rule now (``detail`` says which)."""
    PINNED_ELSEWHERE = "pinned_elsewhere"
    """An administrator pinned the mentee to another mentor."""
    MENTOR_CAPACITY = "mentor_capacity"
    """The mentor's capacity fell below their continuing pairs (and pins); under
    ``keep="require"`` the best-scoring ones are kept."""
    REASSIGNED = "reassigned"
    """Chosen: the mentee has another mentor in the best answer (``detail`` says whom)."""
    UNMATCHED = "unmatched"
    """Chosen: the mentee is left without a mentor in the best answer (the mentor's place
    went to someone the rules rank higher)."""

    @property
    def chosen(self) -> bool:
        """Whether the matching chose to break the pair (what ``max_changes`` counts), as
        opposed to a pair that could not be kept."""
        return self in (BreakReason.REASSIGNED, BreakReason.UNMATCHED)


class BrokenPair(BaseModel):
    """A pair of last term that is not kept, and why."""

    model_config = _FROZEN

    mentee_id: str
    mentor_id: str
    reason: BreakReason
    detail: str


def broken(mentee_id: str, mentor_id: str, reason: BreakReason, detail: str) -> BrokenPair:
    """A :class:`BrokenPair`, positionally."""
    return BrokenPair(mentee_id=mentee_id, mentor_id=mentor_id, reason=reason, detail=detail)


class Transition(BaseModel):
    """Last term's pairs against this term's answer (see :func:`matchkit.rematch`)."""

    model_config = _FROZEN

    keep: str
    """``"prefer"`` or ``"require"`` (:func:`matchkit.rematch`), or ``"repair"``
    (:func:`matchkit.repair`: pairs broken only because someone was removed)."""
    max_changes: int | None
    kept: tuple[tuple[str, str], ...]
    """(mentee id, mentor id) pairs of last term matched again."""
    broken: tuple[BrokenPair, ...]
    new: tuple[tuple[str, str], ...]
    """This term's pairs that are not last term's."""

    @property
    def changes(self) -> int:
        """Pairs broken by choice (:attr:`BreakReason.chosen`): what ``max_changes`` bounds."""
        return sum(b.reason.chosen for b in self.broken)

    @property
    def continuing(self) -> int:
        """Last term's pairs whose mentor and mentee are both still here."""
        gone = (BreakReason.MENTOR_LEFT, BreakReason.MENTEE_LEFT)
        return len(self.kept) + sum(b.reason not in gone for b in self.broken)

    @property
    def kept_rate(self) -> float:
        """Kept pairs over :attr:`continuing` (1.0 when there are none)."""
        return len(self.kept) / self.continuing if self.continuing else 1.0
