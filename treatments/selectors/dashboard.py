"""The manager's dashboard: figures, every series' progress, maintenance due, problems.

Every read is an aggregate or a page of rows, so the number of queries stays the same however
many series the spa has. The flags (behind schedule, needs attention) come from the rules in
treatments/progress.py, applied to each series' tally of its sessions, which the database
keeps on the series (migration 0012): sorting and filtering read columns, not sessions.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate, TruncTime
from django.utils import timezone

from treatments.models import (
    Esthetician,
    MaintenanceVisit,
    Series,
    SeriesByStatus,
    Session,
    SessionsStarting,
)
from treatments.progress import (
    OVERDUE_AFTER_DAYS,
    SLACK_DAYS,
    CourseProgress,
    behind_schedule,
    days_between_sessions,
)
from treatments.selectors.today import day_bounds

# As the constraint `series_1_or_2_a_week` allows.
SESSIONS_PER_WEEK = (1, 2)
MAINTENANCE_AHEAD_DAYS = 14
LIST_LIMIT = 50


@dataclass(frozen=True)
class StaffName:
    """An esthetician as the dashboard names them (as `Esthetician.__str__` does: their full
    name, else their username), and whether they still work here."""

    pk: int
    name: str
    is_active: bool


def staff_names() -> list[StaffName]:
    """Every esthetician's name, in the estheticians' order, read as names alone."""
    rows = Esthetician.objects.values_list(
        "pk", "is_active", "user__first_name", "user__last_name", "user__username"
    )
    return [
        StaffName(pk, Esthetician.name_of(first, last, username), is_active)
        for pk, is_active, first, last, username in rows
    ]


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


def next_session_at(now: dt.datetime) -> Case:
    """When the series' next booked session starts (of any kind, one that has not ended yet).

    From the series' tally: once every booked session ends after `now`, the earliest booked
    start is the next one. Only a series with a booking left open past its end (not yet marked
    completed or missed) looks its sessions up again."""
    return Case(
        When(booked_first_ends_at__isnull=True, then=Value(None)),
        When(booked_first_ends_at__gt=now, then=F("booked_first_starts_at")),
        default=Subquery(
            Session.objects.filter(
                series=OuterRef("pk"), status=Session.Status.BOOKED, ends_at__gt=now
            )
            .order_by("starts_at")
            .values("starts_at")[:1]
        ),
        output_field=DateTimeField(),
    )


def flagged_bookings(now: dt.datetime) -> Exists:
    """The series has a booked session to come that something now blocks."""
    return Exists(
        Session.objects.filter(
            series=OuterRef("pk"),
            status=Session.Status.BOOKED,
            needs_attention=True,
            ends_at__gt=now,
        )
    )


def with_progress(series: QuerySet[Series], *, now: dt.datetime) -> QuerySet[Series]:
    """Annotate each series with what its progress and flags are made of beyond its tally:
    the next session and whether a booking needs attention."""
    return series.annotate(
        next_session_at=next_session_at(now), has_flagged_booking=flagged_bookings(now)
    )


# What the progress rules take: the series' own plan, its tally and its next session.
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
    """A series' progress as the rules take it, from its tally and next session."""
    zone = timezone.get_current_timezone()  # once: asked for each of hundreds of series
    return CourseProgress(
        starts_on=starts_on,
        sessions_per_week=sessions_per_week,
        planned_sessions=planned_sessions,
        completed=completed_count,
        booked=booked_count,
        last_completed_on=last_completed_at.astimezone(zone).date() if last_completed_at else None,
        next_booked_on=next_session_at.astimezone(zone).date() if next_session_at else None,
        first_session_on=first_session_at.astimezone(zone).date() if first_session_at else None,
    )


def series_progress(series: Series) -> CourseProgress:
    """The progress of a series annotated by `with_progress`."""
    return course_progress(**{field: getattr(series, field) for field in PROGRESS_FIELDS})


def is_behind(series: Series, *, today: dt.date) -> bool:
    """A series in progress that is behind schedule (annotated by `with_progress`)."""
    return series.status == Series.Status.ACTIVE and behind_schedule(
        series_progress(series), today=today
    )


def maybe_behind(series: QuerySet[Series], *, now: dt.datetime) -> QuerySet[Series]:
    """The series in progress that could be behind schedule: every one that is, and the few
    near the line. Cheap to ask of every series (its tally, no session counted); the rules
    then decide for these few.

    Behind means a missed session without a make-up, or the next treatment (or today, when
    none is booked) more than 7 days after the planned day: a gap after the last completed
    session, else the first session's day, else the start date. The days are the spa's; two
    moments whose days are 8 or more apart are more than 7 days less an hour apart, so a day's
    margin keeps every late series in."""
    upcoming = Coalesce(next_session_at(now), Value(now), output_field=DateTimeField())
    late = Q(first_session_at__isnull=True, last_completed_at__isnull=True) | Q(
        last_completed_at__isnull=True, since_first__gt=dt.timedelta(days=SLACK_DAYS - 1)
    )
    for per_week in SESSIONS_PER_WEEK:
        margin = dt.timedelta(days=days_between_sessions(per_week) + SLACK_DAYS - 1)
        late |= Q(sessions_per_week=per_week, since_last__gt=margin)
    missed = Q(completed_count__lt=F("planned_sessions") - F("booked_count"))
    return series.annotate(
        since_last=ExpressionWrapper(upcoming - F("last_completed_at"), DurationField()),
        since_first=ExpressionWrapper(upcoming - F("first_session_at"), DurationField()),
    ).filter(
        Q(status=Series.Status.ACTIVE, completed_count__lt=F("planned_sessions")) & (missed | late)
    )


def behind_schedule_ids(
    *, today: dt.date, now: dt.datetime, esthetician: Esthetician | None = None
) -> set[int]:
    """The series in progress that are behind schedule: everyone's, or one esthetician's
    (one query, the rules applied to the few series that could be)."""
    candidates = Series.objects.order_by()
    if esthetician is not None:
        candidates = candidates.filter(esthetician=esthetician)
    candidates = maybe_behind(candidates, now=now)
    rows = with_progress(candidates, now=now).values("pk", *PROGRESS_FIELDS)
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
    while it has no session."""
    return Coalesce(
        TruncDate("first_session_at", tzinfo=timezone.get_current_timezone()),
        F("starts_on"),
        output_field=DateField(),
    )


def _sort_key(sort: str) -> list[Any]:
    """What a column sorts by: the series' own columns and its tally (the next session is
    annotated by `with_progress`). A series with nothing completed has no progress to sort
    by, as it has no last completed session: both go last."""
    keys: dict[str, list[Any]] = {
        "client": [F("client__last_name"), F("client__first_name")],
        "esthetician": [F("esthetician__user__first_name"), F("esthetician__user__last_name")],
        "treatment": [F("treatment__name")],
        "status": [F("status")],
        "started": [F("started_on")],
        "progress": [NullIf(F("completed_count"), 0) * 1000 / F("planned_sessions")],
        "last": [F("last_completed_at")],
        "next": [F("next_session_at")],
    }
    return keys.get(sort, keys["started"])


def series_table(filters: SeriesFilters, *, today: dt.date, now: dt.datetime) -> QuerySet[Series]:
    """Every series matching the filters, sorted, with its progress: page it, then hand the
    page to `with_progress_for_page` for its rows."""
    series = with_progress(Series.objects.all(), now=now)
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
    if filters.flag in ("behind", "any"):
        behind = Q(pk__in=behind_schedule_ids(today=today, now=now))
        series = series.filter(
            behind | Q(has_flagged_booking=True) if filters.flag == "any" else behind
        )
    elif filters.flag == "attention":
        series = series.filter(has_flagged_booking=True)
    order = [
        (key.desc(nulls_last=True) if filters.descending else key.asc(nulls_last=True))
        for key in _sort_key(filters.sort)
    ]
    return series.order_by(*order, "-pk" if filters.descending else "pk")


def series_count(filters: SeriesFilters) -> int | None:
    """How many series the table holds when only their status narrows it, from the tally the
    database keeps by status (the series themselves are not counted); None when another
    filter does, for the table to count."""
    if filters.esthetician or filters.flag or filters.started_from or filters.started_to:
        return None
    tallies = SeriesByStatus.objects.all()
    if filters.status:
        tallies = tallies.filter(status=filters.status)
    return tallies.aggregate(total=Sum("series", default=0))["total"]


def with_progress_for_page(ids: list[int], *, today: dt.date, now: dt.datetime) -> list[Series]:
    """The series of a page (their ids, in the page's order), with their progress and flags
    (one query; the esthetician is named from `staff_names`)."""
    found = with_progress(
        Series.objects.filter(pk__in=ids).select_related("client", "treatment"),
        now=now,
    ).in_bulk()
    rows = [found[pk] for pk in ids if pk in found]
    for series in rows:
        series.behind_schedule = is_behind(series, today=today)
        series.needs_attention = series.has_flagged_booking
    return rows


# What the export reads of each series: names, not rows, and its moments as the spa's days
# and times (read as such, a hundred thousand rows come quicker than as moments).
EXPORT_FIELDS = (
    "pk",
    "client__first_name",
    "client__last_name",
    "client__email",
    "esthetician__user__first_name",
    "esthetician__user__last_name",
    "esthetician__user__username",
    "treatment__name",
    "status",
    "has_flagged_booking",
    "starts_on",
    "sessions_per_week",
    "planned_sessions",
    "completed_count",
    "booked_count",
    "first_session_on",
    "next_session_on",
    "next_session_time",
    "last_completed_on",
    "last_completed_time",
)


def series_export(
    filters: SeriesFilters, *, today: dt.date, now: dt.datetime, chunk_size: int
) -> Iterator[dict[str, Any]]:
    """Every series of the table, in its order, as plain values read `chunk_size` at a time
    (one query, streamed), each with `behind_schedule` decided by the rules."""
    spa_time = timezone.get_current_timezone()
    rows = (
        series_table(filters, today=today, now=now)
        .annotate(
            first_session_on=TruncDate("first_session_at", tzinfo=spa_time),
            next_session_on=TruncDate("next_session_at", tzinfo=spa_time),
            next_session_time=TruncTime("next_session_at", tzinfo=spa_time),
            last_completed_on=TruncDate("last_completed_at", tzinfo=spa_time),
            last_completed_time=TruncTime("last_completed_at", tzinfo=spa_time),
        )
        .values(*EXPORT_FIELDS)
    )
    for row in rows.iterator(chunk_size=chunk_size):
        row["behind_schedule"] = row["status"] == Series.Status.ACTIVE and behind_schedule(
            CourseProgress(
                starts_on=row["starts_on"],
                sessions_per_week=row["sessions_per_week"],
                planned_sessions=row["planned_sessions"],
                completed=row["completed_count"],
                booked=row["booked_count"],
                last_completed_on=row["last_completed_on"],
                next_booked_on=row["next_session_on"],
                first_session_on=row["first_session_on"],
            ),
            today=today,
        )
        yield row


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
    """The figures at the top of the dashboard, in three small queries: the series that ended
    in the period (the index on their end), the sessions by quarter hour and the series in
    progress as the database tallies them, and the clients with a flagged booking."""
    active = Subquery(SeriesByStatus.objects.filter(status=Series.Status.ACTIVE).values("series"))
    in_period = Q(ended_on__gte=period.starts_on, ended_on__lte=period.ends_on)
    series = Series.objects.filter(in_period).aggregate(
        completed=Count("pk", filter=Q(status=Series.Status.COMPLETED)), ended=Count("pk")
    )
    period_start, _ = day_bounds(period.starts_on)
    _, period_end = day_bounds(period.ends_on)
    monday, _ = day_bounds(week_start(today))
    _, sunday_end = day_bounds(week_start(today) + dt.timedelta(days=6))
    in_period = Q(starts_in__gte=period_start, starts_in__lt=period_end)
    in_week = Q(starts_in__gte=monday, starts_in__lt=sunday_end)
    sessions = SessionsStarting.objects.filter(
        starts_in__gte=min(period_start, monday), starts_in__lt=max(period_end, sunday_end)
    ).aggregate(
        # The series in progress ride along: the tally's one row, read once.
        active=Coalesce(Max(active), active, 0),
        this_week=Sum(F("booked") + F("completed"), filter=in_week, default=0),
        missed=Sum("no_shows", filter=in_period, default=0),
        due=Sum(F("completed") + F("no_shows"), filter=in_period, default=0),
    )
    blocked_clients = (
        Session.objects.filter(status=Session.Status.BOOKED, needs_attention=True, ends_at__gt=now)
        .values("client_id")
        .distinct()
        .count()
    )
    return Figures(
        active_series=sessions["active"],
        series_completed=series["completed"],
        series_ended=series["ended"],
        sessions_this_week=sessions["this_week"],
        no_shows=sessions["missed"],
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


# What a line of the maintenance lists shows: the visit, its client's name and contacts, and
# which esthetician (named from the list the page already has); a hundred rows of whole
# clients, series and staff cost more than their query.
VISIT_LINE_FIELDS = (
    "number",
    "due_on",
    "status",
    "series__maintenance_visits",
    "series__esthetician",
    "series__client__first_name",
    "series__client__last_name",
    "series__client__phone",
    "series__client__email",
)


def _visits_not_booked() -> QuerySet[MaintenanceVisit]:
    return (
        MaintenanceVisit.objects.filter(
            status__in=[MaintenanceVisit.Status.DUE, MaintenanceVisit.Status.MISSED],
            series__status=Series.Status.COMPLETED,
        )
        .select_related("series__client")
        .only(*VISIT_LINE_FIELDS)
    )


def needs_attention(*, now: dt.datetime, limit: int = LIST_LIMIT) -> QuerySet[Session]:
    """Booked sessions a newer intake now blocks, soonest first."""
    return (
        Session.objects.filter(status=Session.Status.BOOKED, needs_attention=True, ends_at__gt=now)
        .select_related("client", "esthetician__user", "treatment")
        .order_by("starts_at", "pk")[:limit]
    )


def completed_per_week(*, today: dt.date, weeks: int = 12) -> list[tuple[dt.date, int]]:
    """Sessions completed in each of the last `weeks` weeks (Monday, count), oldest first,
    added up from the quarter hours' tallies."""
    first_monday = week_start(today) - dt.timedelta(weeks=weeks - 1)
    start, _ = day_bounds(first_monday)
    _, end = day_bounds(today)
    per_day: Mapping[dt.date, int] = dict(
        SessionsStarting.objects.filter(starts_in__gte=start, starts_in__lt=end, completed__gt=0)
        .annotate(day=TruncDate("starts_in", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Sum("completed"))
        .values_list("day", "count")
    )
    counts = {first_monday + dt.timedelta(weeks=n): 0 for n in range(weeks)}
    for day, count in per_day.items():
        counts[week_start(day)] = counts.get(week_start(day), 0) + count
    return sorted(counts.items())


def series_by_status() -> list[tuple[str, str, int]]:
    """How many series are in each status: (status, label, count), in the statuses' order."""
    counts = dict(SeriesByStatus.objects.values_list("status", "series"))
    return [(status, label, counts.get(status, 0)) for status, label in Series.Status.choices]
