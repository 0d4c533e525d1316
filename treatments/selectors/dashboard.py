"""The manager's dashboard: figures, every series' progress, maintenance due, problems.

Every read is an aggregate or a page of rows, so the number of queries stays the same however
many series the spa has. The flags (behind schedule, needs attention) come from the rules in
treatments/progress.py, applied to the facts the database sums up for each series in progress.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from treatments.models import Esthetician, MaintenanceVisit, Series, Session
from treatments.progress import OVERDUE_AFTER_DAYS, CourseProgress, behind_schedule
from treatments.selectors.today import day_bounds

COURSE = Q(sessions__kind__in=Session.COURSE_KINDS)
COMPLETED = Q(sessions__status=Session.Status.COMPLETED)
BOOKED = Q(sessions__status=Session.Status.BOOKED)
MAINTENANCE_AHEAD_DAYS = 14
LIST_LIMIT = 50


def week_start(day: dt.date) -> dt.date:
    """The Monday of the day's week."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Period:
    """The span the figures cover, both days included."""

    key: str
    label: str
    starts_on: dt.date
    ends_on: dt.date


def months_back(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier, or that month's last day when it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def periods(today: dt.date) -> dict[str, Period]:
    """The periods a manager can choose, by key."""
    month = today.replace(day=1)
    quarter_start = months_back(today, 3) + dt.timedelta(days=1)
    choices = [
        Period("week", "This week", week_start(today), today),
        Period("4weeks", "Last 4 weeks", today - dt.timedelta(days=27), today),
        Period("month", "This month", month, today),
        Period("3months", "Last 3 months", quarter_start, today),
        Period("year", "This year", today.replace(month=1, day=1), today),
    ]
    return {period.key: period for period in choices}


def with_progress(series: QuerySet[Series], *, now: dt.datetime) -> QuerySet[Series]:
    """Annotate each series with what its progress and flags are made of."""
    return series.annotate(
        completed_count=Count("sessions", filter=COURSE & COMPLETED),
        booked_count=Count("sessions", filter=COURSE & BOOKED),
        last_completed_at=Max("sessions__starts_at", filter=COURSE & COMPLETED),
        first_session_at=Min("sessions__starts_at", filter=COURSE),
        next_session_at=Min("sessions__starts_at", filter=BOOKED & Q(sessions__ends_at__gt=now)),
        attention_count=Count(
            "sessions", filter=BOOKED & Q(sessions__needs_attention=True, sessions__ends_at__gt=now)
        ),
    )


# What `with_progress` gives the progress rules, besides the series' own plan.
PROGRESS_FIELDS = (
    "starts_on",
    "sessions_per_week",
    "planned_sessions",
    "completed_count",
    "booked_count",
    "last_completed_at",
    "next_session_at",
    "first_session_at",
)


def course_progress(
    *,
    starts_on: dt.date,
    sessions_per_week: int,
    planned_sessions: int,
    completed_count: int,
    booked_count: int,
    last_completed_at: dt.datetime | None,
    next_session_at: dt.datetime | None,
    first_session_at: dt.datetime | None,
) -> CourseProgress:
    """A series' progress as the rules take it, from the facts `with_progress` sums up."""
    return CourseProgress(
        starts_on=starts_on,
        sessions_per_week=sessions_per_week,
        planned_sessions=planned_sessions,
        completed=completed_count,
        booked=booked_count,
        last_completed_on=timezone.localdate(last_completed_at) if last_completed_at else None,
        next_booked_on=timezone.localdate(next_session_at) if next_session_at else None,
        first_session_on=timezone.localdate(first_session_at) if first_session_at else None,
    )


def series_progress(series: Series) -> CourseProgress:
    """The progress of a series annotated by `with_progress`."""
    return course_progress(**{field: getattr(series, field) for field in PROGRESS_FIELDS})


def behind_schedule_ids(
    *, today: dt.date, now: dt.datetime, esthetician: Esthetician | None = None
) -> set[int]:
    """The series in progress that are behind schedule: everyone's, or one esthetician's
    (one query over the active series)."""
    active = Series.objects.filter(status=Series.Status.ACTIVE).order_by()
    if esthetician is not None:
        active = active.filter(esthetician=esthetician)
    rows = with_progress(active, now=now).values("pk", *PROGRESS_FIELDS)
    return {
        row["pk"]
        for row in rows
        if behind_schedule(
            course_progress(**{field: row[field] for field in PROGRESS_FIELDS}), today=today
        )
    }


FLAGS = {"behind": "Behind schedule", "attention": "Needs attention", "any": "Any flag"}
SORTS = ("client", "esthetician", "treatment", "progress", "next", "last", "status", "started")


@dataclass(frozen=True)
class SeriesFilters:
    esthetician: int | None = None
    status: str = ""
    flag: str = ""
    started_from: dt.date | None = None
    started_to: dt.date | None = None
    sort: str = "started"
    descending: bool = True


def started_on() -> Coalesce:
    """The day a series started: its first course session's, as booked, or its start date
    while it has no session (one correlated lookup a series)."""
    first = (
        Session.objects.filter(series=OuterRef("pk"), kind__in=Session.COURSE_KINDS)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return Coalesce(
        TruncDate(Subquery(first), tzinfo=timezone.get_current_timezone()),
        F("starts_on"),
        output_field=DateField(),
    )


def _course_sessions(*, status: str) -> QuerySet[Session]:
    return Session.objects.filter(
        series=OuterRef("pk"), kind__in=Session.COURSE_KINDS, status=status
    ).order_by()


def _sort_key(sort: str, *, now: dt.datetime) -> list[Any]:
    """What a column sorts by. Plain columns use their index; the progress columns and the
    start (`started_on`, annotated by `series_table`) are one correlated lookup a series."""
    completed = _course_sessions(status=Session.Status.COMPLETED)
    keys: dict[str, list[Any]] = {
        "client": [F("client__last_name"), F("client__first_name")],
        "esthetician": [F("esthetician__user__first_name"), F("esthetician__user__last_name")],
        "treatment": [F("treatment__name")],
        "status": [F("status")],
        "started": [F("started_on")],
        "progress": [
            Subquery(completed.values("series").annotate(n=Count("pk")).values("n"))
            * 1000
            / F("planned_sessions")
        ],
        "last": [Subquery(completed.order_by("-starts_at").values("starts_at")[:1])],
        "next": [
            Subquery(
                Session.objects.filter(
                    series=OuterRef("pk"), status=Session.Status.BOOKED, ends_at__gt=now
                )
                .order_by("starts_at")
                .values("starts_at")[:1]
            )
        ],
    }
    return keys.get(sort, keys["started"])


def series_table(
    filters: SeriesFilters, *, behind_ids: set[int], now: dt.datetime
) -> QuerySet[Series]:
    """Every series matching the filters, sorted, without its progress: page it, then hand
    the page to `with_progress_for_page`."""
    series = Series.objects.all()
    if filters.esthetician:
        series = series.filter(esthetician_id=filters.esthetician)
    if filters.status:
        series = series.filter(status=filters.status)
    # "Started" sorts and filters by the first session's day, as the table shows it.
    series = series.annotate(started_on=started_on())
    if filters.started_from:
        series = series.filter(started_on__gte=filters.started_from)
    if filters.started_to:
        series = series.filter(started_on__lte=filters.started_to)
    flagged = Exists(
        Session.objects.filter(
            series=OuterRef("pk"),
            status=Session.Status.BOOKED,
            needs_attention=True,
            ends_at__gt=now,
        )
    )
    if filters.flag == "behind":
        series = series.filter(pk__in=behind_ids)
    elif filters.flag == "attention":
        series = series.filter(flagged)
    elif filters.flag == "any":
        series = series.filter(Q(pk__in=behind_ids) | flagged)
    order = [
        (key.desc(nulls_last=True) if filters.descending else key.asc(nulls_last=True))
        for key in _sort_key(filters.sort, now=now)
    ]
    return series.order_by(*order, "-pk" if filters.descending else "pk")


def with_progress_for_page(
    page: list[Series] | QuerySet[Series], *, behind_ids: set[int], now: dt.datetime
) -> list[Series]:
    """The page's series, in the page's order, with their progress and flags (one query)."""
    ids = [series.pk for series in page]
    found = with_progress(
        Series.objects.filter(pk__in=ids).select_related(
            "client", "esthetician__user", "treatment"
        ),
        now=now,
    ).in_bulk()
    rows = [found[pk] for pk in ids if pk in found]
    for series in rows:
        series.behind_schedule = series.pk in behind_ids
        series.needs_attention = series.attention_count > 0
    return rows


@dataclass(frozen=True)
class Figures:
    active_series: int
    series_completed: int
    series_ended: int
    sessions_this_week: int
    no_shows: int
    sessions_held_or_missed: int
    clients_blocked_with_bookings: int

    @property
    def completion_rate(self) -> int | None:
        """Completed series as a share of the series that ended in the period, in percent."""
        if not self.series_ended:
            return None
        return round(100 * self.series_completed / self.series_ended)

    @property
    def no_show_rate(self) -> int | None:
        """No-shows as a share of the sessions that were due in the period, in percent."""
        if not self.sessions_held_or_missed:
            return None
        return round(100 * self.no_shows / self.sessions_held_or_missed)


def figures(period: Period, *, today: dt.date, now: dt.datetime) -> Figures:
    """The figures at the top of the dashboard, in three queries."""
    series = Series.objects.aggregate(
        active=Count("pk", filter=Q(status=Series.Status.ACTIVE)),
        completed=Count(
            "pk",
            filter=Q(
                status=Series.Status.COMPLETED,
                ended_on__gte=period.starts_on,
                ended_on__lte=period.ends_on,
            ),
        ),
        ended=Count("pk", filter=Q(ended_on__gte=period.starts_on, ended_on__lte=period.ends_on)),
    )
    period_start, _ = day_bounds(period.starts_on)
    _, period_end = day_bounds(period.ends_on)
    monday, _ = day_bounds(week_start(today))
    _, sunday_end = day_bounds(week_start(today) + dt.timedelta(days=6))
    in_period = Q(starts_at__gte=period_start, starts_at__lt=period_end)
    sessions = Session.objects.aggregate(
        this_week=Count(
            "pk",
            filter=Q(starts_at__gte=monday, starts_at__lt=sunday_end)
            & Q(status__in=Session.HELD_STATUSES),
        ),
        no_shows=Count("pk", filter=in_period & Q(status=Session.Status.NO_SHOW)),
        due=Count(
            "pk",
            filter=in_period & Q(status__in=[Session.Status.COMPLETED, Session.Status.NO_SHOW]),
        ),
    )
    blocked_clients = (
        Session.objects.filter(status=Session.Status.BOOKED, needs_attention=True, ends_at__gt=now)
        .values("client_id")
        .distinct()
        .count()
    )
    return Figures(
        active_series=series["active"],
        series_completed=series["completed"],
        series_ended=series["ended"],
        sessions_this_week=sessions["this_week"],
        no_shows=sessions["no_shows"],
        sessions_held_or_missed=sessions["due"],
        clients_blocked_with_bookings=blocked_clients,
    )


def maintenance_due_soon(*, today: dt.date, limit: int = LIST_LIMIT) -> QuerySet[MaintenanceVisit]:
    """Visits not yet booked that fall due in the next 14 days (or fell due this week)."""
    return (
        _visits_not_booked()
        .filter(
            due_on__gt=today - dt.timedelta(days=OVERDUE_AFTER_DAYS),
            due_on__lte=today + dt.timedelta(days=MAINTENANCE_AHEAD_DAYS),
        )
        .order_by("due_on", "pk")[:limit]
    )


def maintenance_overdue_visits(
    *, today: dt.date, limit: int = LIST_LIMIT
) -> QuerySet[MaintenanceVisit]:
    """Visits 7 days or more past due without a visit, the most recently due first."""
    return (
        _visits_not_booked()
        .filter(due_on__lte=today - dt.timedelta(days=OVERDUE_AFTER_DAYS))
        .order_by("-due_on", "-pk")[:limit]
    )


def _visits_not_booked() -> QuerySet[MaintenanceVisit]:
    return MaintenanceVisit.objects.filter(
        status__in=[MaintenanceVisit.Status.DUE, MaintenanceVisit.Status.MISSED],
        series__status=Series.Status.COMPLETED,
    ).select_related("series__client", "series__esthetician__user")


def needs_attention(*, now: dt.datetime, limit: int = LIST_LIMIT) -> QuerySet[Session]:
    """Booked sessions a newer intake now blocks, soonest first."""
    return (
        Session.objects.filter(status=Session.Status.BOOKED, needs_attention=True, ends_at__gt=now)
        .select_related("client", "esthetician__user", "treatment")
        .order_by("starts_at", "pk")[:limit]
    )


def completed_per_week(*, today: dt.date, weeks: int = 12) -> list[tuple[dt.date, int]]:
    """Sessions completed in each of the last `weeks` weeks (Monday, count), oldest first."""
    first_monday = week_start(today) - dt.timedelta(weeks=weeks - 1)
    start, _ = day_bounds(first_monday)
    _, end = day_bounds(today)
    per_day: Mapping[dt.date, int] = dict(
        Session.objects.filter(
            status=Session.Status.COMPLETED, starts_at__gte=start, starts_at__lt=end
        )
        .annotate(day=TruncDate("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    counts = {first_monday + dt.timedelta(weeks=n): 0 for n in range(weeks)}
    for day, count in per_day.items():
        counts[week_start(day)] = counts.get(week_start(day), 0) + count
    return sorted(counts.items())


def series_by_status() -> list[tuple[str, str, int]]:
    """How many series are in each status: (status, label, count), in the statuses' order."""
    counts = dict(
        Series.objects.order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return [(status, label, counts.get(status, 0)) for status, label in Series.Status.choices]
