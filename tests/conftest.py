"""Test configuration: a deterministic hypothesis profile, loaded by default.

``ci`` (the default) derandomises hypothesis so every run draws the same examples, as scipy's
``conftest.py`` does; ``dev`` draws fresh, more numerous examples for local bug hunting. Choose
with ``HYPOTHESIS_PROFILE=dev``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    deadline=None,
    max_examples=60,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
