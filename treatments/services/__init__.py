"""Every write to the calendar: booking, ending sessions, re-assessing them."""

from __future__ import annotations

from treatments.services.attention import sessions_reassess
from treatments.services.booking import (
    BookingRefused,
    series_create,
    series_fingerprint,
    series_plan,
    session_book,
    session_reschedule,
)
from treatments.services.outcomes import (
    series_cancel,
    session_cancel,
    session_complete,
    session_mark_no_show,
    session_postpone,
)
from treatments.services.visits import (
    CheckIn,
    calendar_token_hash,
    calendar_token_regenerate,
    not_today,
    session_check_in,
)

__all__ = [
    "BookingRefused",
    "CheckIn",
    "calendar_token_hash",
    "calendar_token_regenerate",
    "not_today",
    "series_cancel",
    "series_create",
    "series_fingerprint",
    "series_plan",
    "session_book",
    "session_cancel",
    "session_check_in",
    "session_complete",
    "session_mark_no_show",
    "session_postpone",
    "session_reschedule",
    "sessions_reassess",
]
