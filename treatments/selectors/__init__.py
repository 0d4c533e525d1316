"""Reads that treatment screens share, with the joins they need."""

from __future__ import annotations

from treatments.selectors.availability import availability_for
from treatments.selectors.today import (
    SessionWithFindings,
    day_bounds,
    sessions_for_day,
    with_findings,
)

__all__ = [
    "SessionWithFindings",
    "availability_for",
    "day_bounds",
    "sessions_for_day",
    "with_findings",
]
