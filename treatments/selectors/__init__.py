"""Reads that treatment screens share, with the joins they need."""

from __future__ import annotations

from treatments.selectors.availability import (
    SlotCheck,
    availability_for,
    calendars_without_bookings,
    slot_check,
)
from treatments.selectors.calendar import (
    CalendarSession,
    calendar_estheticians,
    calendar_for,
    esthetician_for_feed,
    feed_fetches,
    feed_sessions,
    session_place,
)
from treatments.selectors.series import (
    ScheduledVisit,
    TimelineEntry,
    completed_count,
    home_care_routine,
    maintenance_schedule,
    series_client_choices,
    series_permanent_blocks,
    series_rhythm,
    series_timeline,
    series_upcoming_sessions,
    series_with_people,
)
from treatments.selectors.sessions import (
    BookingCheck,
    SessionPage,
    booking_check,
    due_visit,
    last_treatment,
    latest_record,
    make_up_obstacles,
    previous_intensity,
    session_page,
    sessions_for_page,
)
from treatments.selectors.today import (
    SessionWithFindings,
    day_bounds,
    sessions_for_day,
    with_findings,
)

__all__ = [
    "BookingCheck",
    "CalendarSession",
    "ScheduledVisit",
    "SessionPage",
    "SessionWithFindings",
    "SlotCheck",
    "TimelineEntry",
    "availability_for",
    "booking_check",
    "calendar_estheticians",
    "calendar_for",
    "calendars_without_bookings",
    "completed_count",
    "day_bounds",
    "due_visit",
    "esthetician_for_feed",
    "feed_fetches",
    "feed_sessions",
    "home_care_routine",
    "last_treatment",
    "latest_record",
    "maintenance_schedule",
    "make_up_obstacles",
    "previous_intensity",
    "series_client_choices",
    "series_permanent_blocks",
    "series_rhythm",
    "series_timeline",
    "series_upcoming_sessions",
    "series_with_people",
    "session_page",
    "session_place",
    "sessions_for_day",
    "sessions_for_page",
    "slot_check",
    "with_findings",
]
