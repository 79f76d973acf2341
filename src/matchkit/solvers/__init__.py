"""Solver backends and their registry.

Each backend is one module with one solve function and a :class:`Backend` record that says,
as data, which problem features it represents exactly. ``method="auto"`` takes the first
backend in :data:`AUTO_ORDER` that supports every feature the problem uses.
"""

from __future__ import annotations

from matchkit.solvers.base import Backend, SolveOptions
from matchkit.solvers.cpsat import CPSAT
from matchkit.solvers.flow import FLOW

__all__ = ["AUTO_ORDER", "BACKENDS", "Backend", "SolveOptions"]

BACKENDS: dict[str, Backend] = {b.name: b for b in (FLOW, CPSAT)}
"""Every backend by name."""

AUTO_ORDER: tuple[str, ...] = ("flow", "cpsat")
"""The order ``method="auto"`` tries backends in: fastest exact first."""
