"""Is a series on track? The flags a manager reviews, as docs/domain.md defines them.

Pure: plain values in, plain values out; `today` is passed in.

- A series is **behind schedule** when its next treatment is more than 7 days later than
  planned, or when a missed session has no make-up booked. Planned is measured against the
  sessions as booked: one sessions-apart gap after the last completed session, or, before any,
  the day the first session was booked for (the planner may have moved it past a block, so the
  series' "on or after" date is only used while no session is booked).
- A maintenance visit is **overdue** once it is 7 days past its due date without being
  completed.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from spa.dates import day_label

SLACK_DAYS = 7
OVERDUE_AFTER_DAYS = 7


def days_between_sessions(sessions_per_week: int) -> int:
    """The planned gap: a week for one session a week, four days for two."""
    return math.ceil(7 / sessions_per_week)


@dataclass(frozen=True)
class CourseProgress:
    """What the flags need to know about a series in progress."""

    starts_on: dt.date
    sessions_per_week: int
    planned_sessions: int
    completed: int
    booked: int
    last_completed_on: dt.date | None
    next_booked_on: dt.date | None
    # The day of the course's first session as booked, whatever became of it since; None while
    # the series has no session, when `starts_on` stands in.
    first_session_on: dt.date | None = None


def next_treatment_planned_on(progress: CourseProgress) -> dt.date:
    """When the next treatment should be: a gap after the last one, or the first session's day
    (the start date while none is booked)."""
    if progress.last_completed_on is None:
        return progress.first_session_on or progress.starts_on
    return progress.last_completed_on + dt.timedelta(
        days=days_between_sessions(progress.sessions_per_week)
    )


def missed_without_make_up(progress: CourseProgress) -> bool:
    """A session was missed and nothing is booked to make up for it."""
    return progress.completed + progress.booked < progress.planned_sessions


def behind_schedule(progress: CourseProgress, *, today: dt.date) -> bool:
    """True when the next treatment is more than 7 days later than planned, or a missed
    session has no make-up booked."""
    if progress.completed >= progress.planned_sessions:
        return False
    next_on = progress.next_booked_on or today
    late_by = (next_on - next_treatment_planned_on(progress)).days
    return late_by > SLACK_DAYS or missed_without_make_up(progress)


def why_behind(progress: CourseProgress, *, today: dt.date) -> str:
    """Why a series is behind schedule, in the spa's words; "" when it is on track."""
    if not behind_schedule(progress, today=today):
        return ""
    reasons = []
    if missed_without_make_up(progress):
        reasons.append("A missed session has no make-up booked.")
    planned = day_label(next_treatment_planned_on(progress), today=today)
    if progress.next_booked_on is None:
        reasons.append(f"The next treatment was planned for {planned}; none is booked.")
    elif (progress.next_booked_on - next_treatment_planned_on(progress)).days > SLACK_DAYS:
        booked = day_label(progress.next_booked_on, today=today)
        reasons.append(f"The next treatment was planned for {planned}; it is booked for {booked}.")
    return " ".join(reasons)


def maintenance_overdue(due_on: dt.date, *, completed: bool, today: dt.date) -> bool:
    """True once a visit is 7 days past its due date without being completed."""
    return not completed and today >= due_on + dt.timedelta(days=OVERDUE_AFTER_DAYS)
