"""Reads that treatment screens share, with the joins they need."""

from __future__ import annotations

from treatments.selectors.availability import availability_for
from treatments.selectors.calendar import (
    CalendarSession,
    calendar_estheticians,
    calendar_for,
    esthetician_for_feed,
    feed_sessions,
    session_place,
    week_grid,
)
from treatments.selectors.today import (
    SessionWithFindings,
    day_bounds,
    sessions_for_day,
    with_findings,
)

__all__ = [
    "CalendarSession",
    "SessionWithFindings",
    "availability_for",
    "calendar_estheticians",
    "calendar_for",
    "day_bounds",
    "esthetician_for_feed",
    "feed_sessions",
    "session_place",
    "sessions_for_day",
    "week_grid",
    "with_findings",
]
