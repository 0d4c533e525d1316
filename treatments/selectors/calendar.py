"""The calendar's reads: one esthetician's week, the team's day, and the subscription feed.

Each takes a fixed number of queries however many sessions (or estheticians) it holds. The
layout is in treatments/calendar_grid.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db.models import CharField, Func, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from clients.models import Client
from treatments.calendar_grid import Timetable
from treatments.models import (
    CalendarFeedFetch,
    Closure,
    Esthetician,
    Series,
    Session,
    Treatment,
    WorkingHours,
)
from treatments.scheduling import DaysOff
from treatments.selectors.today import day_bounds

FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 180
FEED_FETCHES_SHOWN = 10


# Reads ------------------------------------------------------------------------------------


def _clock(moment: dt.datetime) -> str:
    """A moment's time of day as the spa reads it ("09:30")."""
    return f"{timezone.localtime(moment):%H:%M}"


@dataclass(frozen=True)
class CalendarSession:
    """A session as the calendar labels it."""

    session: Session
    place: str

    @property
    def starts_at(self) -> dt.datetime:
        return self.session.starts_at

    @property
    def ends_at(self) -> dt.datetime:
        return self.session.ends_at

    @property
    def status(self) -> str:
        return self.session.status

    @property
    def hours(self) -> str:
        """From and until, as the spa reads them ("10:00–11:00")."""
        return f"{_clock(self.starts_at)}–{_clock(self.ends_at)}"

    @property
    def starts_clock(self) -> str:
        return _clock(self.starts_at)

    @property
    def flagged(self) -> bool:
        """A booked session a newer intake now blocks: staff must decide before the visit."""
        return self.session.needs_attention and self.status == Session.Status.BOOKED


@dataclass(frozen=True)
class CalendarData:
    """What the calendar shows for one esthetician between two dates."""

    hours: dict[int, list[tuple[dt.time, dt.time]]]
    days_off: list[DaysOff]
    sessions: list[CalendarSession]


def calendar_estheticians() -> list[Esthetician]:
    """The estheticians whose calendars staff can pick, in the estheticians' own order: what
    names them and no more (the whole team is read for every calendar page)."""
    return list(
        Esthetician.objects.filter(is_active=True)
        .select_related("user")
        .only("is_active", "user__first_name", "user__last_name", "user__username")
    )


def shortest_treatment_minutes() -> int | None:
    """How long the shortest treatment on offer lasts, in minutes (None: none is on offer):
    a free time shorter than that cannot be booked."""
    return Treatment.objects.filter(is_active=True).aggregate(shortest=Min("minutes"))["shortest"]


# A session's fields the calendar reads, and those of what its label names.
CALENDAR_FIELDS = (
    "client_id",
    "esthetician_id",
    "treatment_id",
    "series_id",
    "kind",
    "starts_at",
    "ends_at",
    "status",
    "needs_attention",
    "client__first_name",
    "client__last_name",
    "treatment__name",
    "series__planned_sessions",
    "series__maintenance_visits",
    "maintenance_visit__number",
)


def calendar_sessions(
    *, starts_on: dt.date, ends_on: dt.date, esthetician: Esthetician | None = None
) -> QuerySet[Session]:
    """Every session starting on these spa-local days (the esthetician's, when one is given),
    whatever its status, with what its label needs: client, treatment, series, place in the
    series, visit number."""
    start, _ = day_bounds(starts_on)
    _, end = day_bounds(ends_on)
    sessions = Session.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if esthetician is not None:
        sessions = sessions.filter(esthetician=esthetician)
    return (
        sessions.select_related("client", "treatment", "series", "maintenance_visit")
        # What the label and the grid read, no more: a busy day has hundreds of sessions.
        .only(*CALENDAR_FIELDS)
        .with_series_position()
        .order_by("starts_at", "pk")
    )


def calendar_for(esthetician: Esthetician, *, starts_on: dt.date, ends_on: dt.date) -> CalendarData:
    """The esthetician's hours, days off (theirs and the spa's) and sessions, in three queries."""
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for stretch in esthetician.working_hours.order_by("weekday", "starts_at"):
        hours.setdefault(stretch.weekday, []).append((stretch.starts_at, stretch.ends_at))
    days_off = [
        _days_off(closure)
        for closure in Closure.objects.filter(
            Q(esthetician__isnull=True) | Q(esthetician=esthetician),
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
    ]
    sessions = calendar_sessions(esthetician=esthetician, starts_on=starts_on, ends_on=ends_on)
    return CalendarData(
        hours=hours,
        days_off=days_off,
        sessions=[CalendarSession(session, session_place(session)) for session in sessions],
    )


def team_for_day(day: dt.date, *, estheticians: Sequence[Esthetician]) -> list[Esthetician]:
    """The team's columns for a day, in order: the estheticians working here, then anyone no
    longer working who still has a session that day (so no session goes missing from it)."""
    start, end = day_bounds(day)
    former = Esthetician.objects.filter(
        pk__in=Session.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(esthetician__in=[esthetician.pk for esthetician in estheticians])
        .values("esthetician")
    ).select_related("user")
    return [
        *estheticians,
        *sorted(former, key=lambda esthetician: (str(esthetician), esthetician.pk)),
    ]


def team_calendar_for(
    day: dt.date, *, estheticians: Sequence[Esthetician]
) -> list[Timetable[CalendarSession]]:
    """Each of these estheticians' hours, days off and sessions on one day, in three queries
    whatever the size of the team."""
    team = {esthetician.pk: esthetician for esthetician in estheticians}
    sessions = list(
        calendar_sessions(starts_on=day, ends_on=day).filter(esthetician__in=list(team))
    )
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {pk: [] for pk in team}
    for stretch in WorkingHours.objects.filter(
        esthetician__in=list(team), weekday=day.weekday()
    ).order_by("starts_at"):
        hours[stretch.esthetician_id].append((stretch.starts_at, stretch.ends_at))
    closures = list(
        Closure.objects.filter(
            Q(esthetician__isnull=True) | Q(esthetician__in=list(team)),
            starts_on__lte=day,
            ends_on__gte=day,
        )
    )
    return [
        Timetable(
            who=esthetician,
            hours={day.weekday(): hours[pk]},
            days_off=[
                _days_off(closure) for closure in closures if closure.esthetician_id in (None, pk)
            ],
            sessions=[
                CalendarSession(session, session_place(session))
                for session in sessions
                if session.esthetician_id == pk
            ],
        )
        for pk, esthetician in team.items()
    ]


def _days_off(closure: Closure) -> DaysOff:
    return DaysOff(
        starts_on=closure.starts_on,
        ends_on=closure.ends_on,
        reason=closure.reason,
        esthetician_away=closure.esthetician_id is not None,
    )


def esthetician_for_feed(token_hash: str) -> Esthetician | None:
    """The active esthetician whose feed address holds the secret with this hash, if any."""
    if not token_hash:
        return None
    return (
        Esthetician.objects.filter(is_active=True, calendar_token_hash=token_hash)
        .select_related("user")
        .first()
    )


def feed_fetches(
    esthetician: Esthetician, *, limit: int = FEED_FETCHES_SHOWN
) -> list[CalendarFeedFetch]:
    """The latest fetches of the esthetician's feed, newest first."""
    return list(esthetician.feed_fetches.all()[:limit])


class UtcStamp(Func):
    """A moment as iCalendar writes one in UTC ("20261130T080000Z"), formatted by the database:
    a feed holds a thousand sessions with three moments each, too many to parse and format."""

    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"')",
            **extra,
        )

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite keeps moments as UTC text. Each % is doubled twice: once for this template,
        # once for the query's parameters.
        template = "strftime('%%%%Y%%%%m%%%%dT%%%%H%%%%M%%%%SZ', %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


class FeedSession(NamedTuple):
    """A session as the feed carries it: a few plain values, its moments already in iCalendar's
    UTC form, no model objects."""

    pk: int
    updated_at: str
    starts_at: str
    ends_at: str
    kind: str
    status: str
    needs_attention: bool
    client_name: str
    treatment: str
    place: str


def feed_sessions(esthetician: Esthetician, *, now: dt.datetime) -> list[FeedSession]:
    """The booked and completed sessions a phone's calendar shows: a month back, half a year on."""
    # The client's and the series' values one row at a time, by key: the planner would rather
    # join by reading every client and every series to find a thousand of them.
    client = Client.objects.filter(pk=OuterRef("client_id")).order_by()
    series = Series.objects.filter(pk=OuterRef("series_id")).order_by()
    rows = (
        Session.objects.filter(
            esthetician=esthetician,
            status__in=Session.HELD_STATUSES,
            starts_at__gte=now - dt.timedelta(days=FEED_DAYS_BACK),
            starts_at__lt=now + dt.timedelta(days=FEED_DAYS_AHEAD),
        )
        .with_series_position()
        .annotate(
            updated_stamp=UtcStamp("updated_at"),
            starts_stamp=UtcStamp("starts_at"),
            ends_stamp=UtcStamp("ends_at"),
            client_first_name=Subquery(client.values("first_name")),
            client_last_name=Subquery(client.values("last_name")),
            planned_sessions=Subquery(series.values("planned_sessions")),
            maintenance_visits=Subquery(series.values("maintenance_visits")),
        )
        .order_by("starts_at", "pk")
        .values_list(
            "pk",
            "updated_stamp",
            "starts_stamp",
            "ends_stamp",
            "kind",
            "status",
            "needs_attention",
            "client_first_name",
            "client_last_name",
            "treatment__name",
            "planned_sessions",
            "maintenance_visits",
            "maintenance_visit__number",
            "series_position",
        )
    )
    return [
        FeedSession(
            pk,
            updated_at,
            starts_at,
            ends_at,
            kind,
            status,
            needs_attention,
            f"{first_name} {last_name}".strip(),
            treatment,
            place_words(
                kind=kind,
                status=status,
                position=position,
                planned=planned,
                visit=visit,
                visits=visits,
            ),
        )
        for (
            pk,
            updated_at,
            starts_at,
            ends_at,
            kind,
            status,
            needs_attention,
            first_name,
            last_name,
            treatment,
            planned,
            visits,
            visit,
            position,
        ) in rows
    ]


def session_place(session: Session) -> str:
    """Where a session sits in the client's plan: "Series 3/8", "Maintenance 2/6", "Make-up"."""
    series = session.series
    # The reverse one-to-one raises an AttributeError subclass when there is no visit.
    visit = getattr(session, "maintenance_visit", None)
    return place_words(
        kind=session.kind,
        status=session.status,
        position=getattr(session, "series_position", 0),
        planned=series.planned_sessions if series is not None else None,
        visit=visit.number if visit is not None else None,
        visits=series.maintenance_visits if series is not None else None,
    )


def place_words(
    *,
    kind: str,
    status: str,
    position: int,
    planned: int | None,
    visit: int | None,
    visits: int | None,
) -> str:
    """ "Series 3/8", "Maintenance 2/6", "Make-up": a session's place from plain values (the
    series' planned sessions and maintenance visits are None without a series)."""
    if kind == Session.Kind.SERIES:
        # A cancelled or postponed session holds no place in the course; its make-up does.
        if planned is not None and position and status in Session.HELD_STATUSES:
            return f"Series {position}/{planned}"
        return "Series"
    if kind == Session.Kind.MAINTENANCE:
        if visits is not None and visit is not None:
            return f"Maintenance {visit}/{visits}"
        return "Maintenance"
    if kind == Session.Kind.MAKE_UP:
        return "Make-up"
    return "Single"
