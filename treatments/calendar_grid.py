"""The calendar's layout: days, or the team's estheticians on one day, as a time grid of
positioned sessions.

Pure: plain values in, plain values out (times are read in the spa's zone), so it is tested
without a database. The reads that feed it are in treatments/selectors/calendar.py.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from django.utils import timezone

from treatments.models import Session
from treatments.scheduling import DaysOff

Hours = Mapping[int, Sequence[tuple[dt.time, dt.time]]]

# The grid when an esthetician has no working hours on the days shown.
DEFAULT_DAY = (dt.time(8), dt.time(19))
ROW_MINUTES = 15
# Free time is offered for booking in steps this long, so a week holds ~100 links, not 400.
SLOT_MINUTES = 30


class Timed(Protocol):
    """Anything with a start, an end and a status: a Session, or a plain stand-in in tests."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str


T = TypeVar("T", bound=Timed)


@dataclass(frozen=True)
class Placed(Generic[T]):
    """A held session in a day's column: from grid row `row` for `span` rows, in one lane of
    `lanes` side by side (more than one only if sessions overlap)."""

    item: T
    row: int
    span: int
    lane: int = 0
    lanes: int = 1

    is_free = False


@dataclass(frozen=True)
class FreeSlot:
    """Free working time that can be booked, starting at `starts_at` (spa-local)."""

    starts_at: dt.time
    row: int
    span: int

    is_free = True

    @property
    def clock(self) -> str:
        """The start as the spa reads it ("09:30")."""
        return f"{self.starts_at:%H:%M}"


@dataclass(frozen=True)
class Band:
    """A stretch of working hours, shaded apart from the time the esthetician does not work."""

    starts_at: dt.time
    ends_at: dt.time
    row: int
    span: int


@dataclass(frozen=True)
class TimeLabel:
    label: str
    row: int


@dataclass(frozen=True)
class DayColumn(Generic[T]):
    """One day of one esthetician: working bands, days off, and its sessions and free slots in
    time order. `who` is the column's esthetician in the team's day (None in a week)."""

    day: dt.date
    working: list[Band]
    days_off: list[DaysOff]
    entries: list[Placed[T] | FreeSlot]
    # Cancelled, no-show and postponed sessions free their time; they are listed apart so
    # they never cover a booking made in their place.
    set_apart: list[T]
    is_today: bool
    who: object = None

    @property
    def sessions(self) -> list[Placed[T]]:
        return [entry for entry in self.entries if not entry.is_free]

    @property
    def free_slots(self) -> list[FreeSlot]:
        return [entry for entry in self.entries if entry.is_free]


@dataclass(frozen=True)
class Timetable(Generic[T]):
    """One esthetician's working hours, days off and sessions, for the team's day."""

    who: object
    hours: Hours
    days_off: Sequence[DaysOff]
    sessions: Sequence[T]


@dataclass(frozen=True)
class Grid(Generic[T]):
    """Rows of ROW_MINUTES from `first_minute` of the day, and a column per day."""

    first_minute: int
    rows: int
    labels: list[TimeLabel]
    columns: list[DayColumn[T]]

    @property
    def has_set_apart(self) -> bool:
        return any(column.set_apart for column in self.columns)


def _minutes(moment: dt.time | dt.datetime) -> int:
    return moment.hour * 60 + moment.minute


def _clock(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60) if minutes < 24 * 60 else dt.time(23, 59)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


def _grid_span(
    stretches: Sequence[tuple[dt.time, dt.time]], placed: Sequence[Timed]
) -> tuple[int, int]:
    """The first and last minute the grid shows, on whole hours: the working day, widened
    to any session outside it."""
    if stretches:
        first = min(_minutes(start) for start, _ in stretches)
        last = max(_minutes(end) for _, end in stretches)
    else:
        first, last = _minutes(DEFAULT_DAY[0]), _minutes(DEFAULT_DAY[1])
    for session in placed:
        start = _local(session.starts_at)
        first = min(first, _minutes(start))
        end = _local(session.ends_at)
        last = max(last, 24 * 60 if end.date() > start.date() else _minutes(end))
    return first - first % 60, min(24 * 60, math.ceil(last / 60) * 60)


def _lanes(placed: list[Placed[T]]) -> list[Placed[T]]:
    """Sessions whose rows overlap sit side by side; back-to-back ones share a lane."""
    result: list[Placed[T]] = []
    cluster: list[Placed[T]] = []
    lane_ends: list[int] = []
    cluster_end = 0
    for item in sorted(placed, key=lambda item: (item.row, -item.span)):
        if cluster and item.row >= cluster_end:
            result.extend(_widths(cluster, lanes=len(lane_ends)))
            cluster, lane_ends, cluster_end = [], [], 0
        end = item.row + item.span
        lane = next((i for i, lane_end in enumerate(lane_ends) if lane_end <= item.row), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(end)
        lane_ends[lane] = end
        cluster.append(Placed(item.item, item.row, item.span, lane))
        cluster_end = max(cluster_end, end)
    result.extend(_widths(cluster, lanes=len(lane_ends)))
    return result


def _widths(cluster: list[Placed[T]], *, lanes: int) -> list[Placed[T]]:
    return [Placed(item.item, item.row, item.span, item.lane, lanes) for item in cluster]


@dataclass(frozen=True)
class _Rows:
    """Turns minutes of the day into grid rows, for a grid from `first` to `last` minute."""

    first: int
    last: int

    def row(self, minutes: int) -> int:
        return (max(minutes, self.first) - self.first) // ROW_MINUTES + 1

    def span(self, start: int, end: int) -> int:
        end_row = math.ceil((min(end, self.last) - self.first) / ROW_MINUTES) + 1
        return max(1, end_row - self.row(start))


def _room(slot: int, stretch_end: int, busy: Sequence[tuple[int, int]]) -> int:
    """Minutes free from `slot` until the next session or the end of the stretch (a break or
    closing); none when a session is under way then."""
    if any(b_start <= slot < b_end for b_start, b_end in busy):
        return 0
    next_start = min((b_start for b_start, _ in busy if b_start > slot), default=stretch_end)
    return min(next_start, stretch_end) - slot


def _free_slots(
    day: dt.date,
    stretches: Sequence[tuple[int, int]],
    busy: Sequence[tuple[int, int]],
    *,
    shortest_treatment: int | None,
    rows: _Rows,
    now: dt.datetime,
) -> list[FreeSlot]:
    """Every SLOT_MINUTES of working time, from each stretch's start, that is still to come and
    leaves room for the shortest treatment before the next session, break or closing."""
    if shortest_treatment is None:
        return []
    free = []
    for start, end in stretches:
        for slot in range(start, end, SLOT_MINUTES):
            past = dt.datetime.combine(day, _clock(slot)) < now.replace(tzinfo=None)
            room = _room(slot, end, busy)
            if not past and room >= shortest_treatment:
                slot_end = slot + min(SLOT_MINUTES, room)
                free.append(FreeSlot(_clock(slot), rows.row(slot), rows.span(slot, slot_end)))
    return free


def _day_column(
    day: dt.date,
    *,
    hours: Hours,
    sessions: Sequence[T],
    days_off: Sequence[DaysOff],
    shortest_treatment: int | None,
    rows: _Rows,
    now: dt.datetime,
    who: object = None,
) -> DayColumn[T]:
    stretches = [(_minutes(start), _minutes(end)) for start, end in hours.get(day.weekday(), ())]
    off = [item for item in days_off if item.starts_on <= day <= item.ends_on]
    todays = [session for session in sessions if _local(session.starts_at).date() == day]
    busy: list[tuple[int, int]] = []
    placed: list[Placed[T]] = []
    for session in todays:
        if session.status not in Session.HELD_STATUSES:
            continue
        start = _minutes(_local(session.starts_at))
        end = _local(session.ends_at)
        end_minutes = 24 * 60 if end.date() > day else _minutes(end)
        busy.append((start, end_minutes))
        placed.append(Placed(session, rows.row(start), rows.span(start, end_minutes)))
    # On a day off nothing new is offered; sessions booked before it was entered still show.
    free = (
        []
        if off
        else _free_slots(
            day, stretches, busy, shortest_treatment=shortest_treatment, rows=rows, now=now
        )
    )
    entries: list[Placed[T] | FreeSlot] = [*_lanes(placed), *free]
    # Time order, so the keyboard walks through the day as it is read.
    entries.sort(key=lambda entry: (entry.row, entry.is_free, getattr(entry, "lane", 0)))
    return DayColumn(
        day=day,
        working=[
            Band(_clock(start), _clock(end), rows.row(start), rows.span(start, end))
            for start, end in stretches
        ],
        days_off=off,
        entries=entries,
        set_apart=[s for s in todays if s.status not in Session.HELD_STATUSES],
        is_today=day == now.date(),
        who=who,
    )


def week_grid(
    *,
    days: Sequence[dt.date],
    hours: Hours,
    sessions: Sequence[T],
    days_off: Sequence[DaysOff],
    shortest_treatment: int | None,
    now: dt.datetime,
) -> Grid[T]:
    """Lay out days as columns of 15-minute rows: working hours, days off, sessions by start
    and length, and a free slot every 30 minutes of working time still to come after `now`
    where the shortest treatment (in minutes; None: there is none to book) fits."""
    held = [session for session in sessions if session.status in Session.HELD_STATUSES]
    stretches = [stretch for day in days for stretch in hours.get(day.weekday(), ())]
    rows = _Rows(*_grid_span(stretches, held))
    local_now = _local(now)
    columns = [
        _day_column(
            day,
            hours=hours,
            sessions=sessions,
            days_off=days_off,
            shortest_treatment=shortest_treatment,
            rows=rows,
            now=local_now,
        )
        for day in days
    ]
    return _grid(rows, columns)


def team_grid(
    *,
    day: dt.date,
    timetables: Sequence[Timetable[T]],
    shortest_treatment: int | None,
    now: dt.datetime,
) -> Grid[T]:
    """Lay out one day with a column per esthetician, on one time scale from the earliest
    start to the latest end among them: each column shades its own hours and days off and
    offers its own free time, as `week_grid` does for a day."""
    stretches = [
        stretch for timetable in timetables for stretch in timetable.hours.get(day.weekday(), ())
    ]
    held = [
        session
        for timetable in timetables
        for session in timetable.sessions
        if session.status in Session.HELD_STATUSES
    ]
    rows = _Rows(*_grid_span(stretches, held))
    local_now = _local(now)
    columns = [
        _day_column(
            day,
            hours=timetable.hours,
            sessions=timetable.sessions,
            days_off=timetable.days_off,
            shortest_treatment=shortest_treatment,
            rows=rows,
            now=local_now,
            who=timetable.who,
        )
        for timetable in timetables
    ]
    return _grid(rows, columns)


def _grid(rows: _Rows, columns: list[DayColumn[T]]) -> Grid[T]:
    labels = [
        TimeLabel(f"{minutes // 60:02d}:00", rows.row(minutes))
        for minutes in range(rows.first, rows.last, 60)
    ]
    return Grid(
        first_minute=rows.first,
        rows=(rows.last - rows.first) // ROW_MINUTES,
        labels=labels,
        columns=columns,
    )
