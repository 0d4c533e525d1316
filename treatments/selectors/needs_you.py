"""Today's "Needs you": what an esthetician (or, for a manager, the team) should see to.

- sessions of the week before today that are still booked: nothing says what happened (today's
  say so in the day's own list);
- sessions this week flagged "needs attention", with the kind of problem;
- clients whose intake will be out of date on the day of their next session, this week;
- series behind schedule (the rule is `treatments.progress.behind_schedule`).

Each list takes a fixed number of queries whatever its length (one or two) and is at most
LIMIT long; it knows how many rows there are in all, so the page can say "and 12 more".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.utils import timezone

from clients.eligibility import oldest_intake_in_date
from clients.models import Client, Intake, IntakeLink
from treatments.models import Esthetician, Series, Session
from treatments.progress import why_behind
from treatments.selectors.dashboard import (
    PROGRESS_FIELDS,
    behind_schedule_ids,
    series_progress,
    with_progress,
)
from treatments.selectors.today import WorklistSession, day_bounds

Row = TypeVar("Row")

LIMIT = 50
# "This week": today and the seven days after it.
DAYS_AHEAD = 7
# Sessions left booked longer ago than this are the dashboard's business, not today's.
DAYS_BACK = 7
# Kinds of flag whose reason tells something of the client's health (the access log's business).
HEALTH_KINDS = {Session.AttentionKind.HEALTH, Session.AttentionKind.INTAKE}


@dataclass(frozen=True)
class Bounded(Generic[Row]):
    """The first rows of a list, and how many there are in all."""

    rows: Sequence[Row]
    total: int

    @property
    def more(self) -> int:
        """How many rows were left out."""
        return self.total - len(self.rows)


@dataclass(frozen=True)
class IntakeRunningOut:
    """A client's next session, this week, on whose day their intake will be out of date."""

    session: Session
    given_on: dt.date | None
    out_of_date_today: bool
    link_sent_at: dt.datetime | None

    @property
    def client(self) -> Client:
        return self.session.client


@dataclass(frozen=True)
class BehindSeries:
    """A series behind schedule, and why."""

    series: Series
    why: str


@dataclass(frozen=True)
class NeedsYou:
    unrecorded: Bounded[WorklistSession]
    flagged: Bounded[Session]
    intakes: Bounded[IntakeRunningOut]
    behind: Bounded[BehindSeries]

    @property
    def total(self) -> int:
        return sum(
            part.total for part in (self.unrecorded, self.flagged, self.intakes, self.behind)
        )

    def flags_with_health_reasons(self) -> list[Session]:
        """The flagged sessions shown whose reason tells of the client's health (a flag from
        before kinds were kept counts: its reason may)."""
        return [
            session
            for session in self.flagged.rows
            if not session.attention_kinds or HEALTH_KINDS.intersection(session.attention_kinds)
        ]


def needs_you(*, esthetician: Esthetician | None, today: dt.date, now: dt.datetime) -> NeedsYou:
    """What needs seeing to: one esthetician's, or the whole team's when None."""
    return NeedsYou(
        unrecorded=sessions_unrecorded(esthetician=esthetician, today=today, now=now),
        flagged=sessions_flagged(esthetician=esthetician, today=today, now=now),
        intakes=intakes_running_out(esthetician=esthetician, today=today, now=now),
        behind=series_behind(esthetician=esthetician, today=today, now=now),
    )


def sessions_unrecorded(
    *, esthetician: Esthetician | None, today: dt.date, now: dt.datetime, limit: int = LIMIT
) -> Bounded[WorklistSession]:
    """Booked sessions of the week before today that have ended, the latest first (today's
    are in the day's own list, which says they are still booked)."""
    since, _ = day_bounds(today - dt.timedelta(days=DAYS_BACK))
    today_starts, _ = day_bounds(today)
    sessions = (
        _sessions(esthetician)
        .filter(status=Session.Status.BOOKED, ends_at__lte=now, starts_at__gte=since)
        .filter(starts_at__lt=today_starts)
    )
    found, total = _first(sessions.order_by("-starts_at", "-pk"), limit)
    rows = [WorklistSession(session=session, findings=[], now=now) for session in found]
    return Bounded(rows=_by_esthetician(rows, lambda row: row.session), total=total)


def sessions_flagged(
    *, esthetician: Esthetician | None, today: dt.date, now: dt.datetime, limit: int = LIMIT
) -> Bounded[Session]:
    """Booked sessions to come this week that are flagged "needs attention", soonest first."""
    sessions = _this_week(_sessions(esthetician), today=today, now=now).filter(needs_attention=True)
    found, total = _first(sessions.order_by("starts_at", "pk"), limit)
    return Bounded(rows=_by_esthetician(found, lambda session: session), total=total)


# What a client's next session shows beside their intake, and who it is with.
INTAKE_FIELDS = (
    "client_id",
    "esthetician_id",
    "starts_at",
    "client__first_name",
    "client__last_name",
    "client__email",
    "esthetician__user__first_name",
    "esthetician__user__last_name",
    "esthetician__user__username",
)


def intakes_running_out(
    *, esthetician: Esthetician | None, today: dt.date, now: dt.datetime, limit: int = LIMIT
) -> Bounded[IntakeRunningOut]:
    """Clients whose next session is this week and whose latest intake will be out of date on
    its day (or who have none), the soonest session first.

    Only the next session counts: at each visit the pre-treatment check records a new intake
    version, so a later session is judged against that one. Two queries, whatever the number
    of sessions: the database picks each client's next booking this week and judges it by their
    intakes (only its key comes back), then the rows to show are read.
    """
    week = _this_week(Session.objects.all(), today=today, now=now)
    # A client's next booking is the one no other booking of theirs this week comes before.
    earlier = week.filter(client=OuterRef("client_id")).filter(
        Q(starts_at__lt=OuterRef("starts_at"))
        | Q(starts_at=OuterRef("starts_at"), pk__lt=OuterRef("pk"))
    )
    latest = Subquery(
        Intake.objects.filter(client=OuterRef("client_id"))
        .latest_first()
        .values("submitted_at")[:1]
    )
    # Out of date: no intake of theirs given at or after the day's oldest in date (one probe of
    # the index on the client's intakes, rather than reading the latest one twice).
    in_date = Intake.objects.filter(
        client=OuterRef("client_id"), submitted_at__gte=OuterRef("in_date_from")
    )
    mine = week if esthetician is None else week.filter(esthetician=esthetician)
    out_of_date = list(
        mine.filter(~Exists(earlier))
        .annotate(in_date_from=_in_date_from(today))
        .filter(~Exists(in_date))
        .order_by("starts_at", "pk")
        .values_list("pk", flat=True)
    )
    if not out_of_date:
        return Bounded(rows=[], total=0)
    open_link = IntakeLink.objects.filter(
        client=OuterRef("client_id"), used_at__isnull=True, expires_at__gt=now
    ).order_by("-created_at")
    found = (
        Session.objects.select_related("client", "esthetician__user")
        .only(*INTAKE_FIELDS)
        .filter(pk__in=out_of_date[:limit])
        .annotate(given_at=latest, link_sent_at=Subquery(open_link.values("created_at")[:1]))
        .order_by("starts_at", "pk")
    )
    rows = []
    for session in found:
        given_on = timezone.localdate(session.given_at) if session.given_at else None
        rows.append(
            IntakeRunningOut(
                session=session,
                given_on=given_on,
                out_of_date_today=_out_of_date_on(given_on, today),
                link_sent_at=session.link_sent_at,
            )
        )
    return Bounded(rows=_by_esthetician(rows, lambda row: row.session), total=len(out_of_date))


def _in_date_from(today: dt.date) -> Case:
    """For a session this week, the moment an intake must have been given at or after to be
    in date on the session's day: the rule of `clients.eligibility`, day by day (the week's
    eight days are spelled out, so the database needs no time zone arithmetic)."""
    days = []
    for offset in range(DAYS_AHEAD + 1):
        day = today + dt.timedelta(days=offset)
        _, ends = day_bounds(day)
        in_date_from, _ = day_bounds(oldest_intake_in_date(day))
        days.append(When(starts_at__lt=ends, then=Value(in_date_from)))
    return Case(*days, output_field=DateTimeField())


def _out_of_date_on(given_on: dt.date | None, day: dt.date) -> bool:
    """The rule of `clients.eligibility`: an intake given before the day's oldest in date (or
    none at all) is out of date on that day."""
    return given_on is None or given_on < oldest_intake_in_date(day)


def _this_week(
    sessions: QuerySet[Session], *, today: dt.date, now: dt.datetime
) -> QuerySet[Session]:
    """The booked sessions not yet over that start today or in the seven days after."""
    starts, _ = day_bounds(today)
    _, week_end = day_bounds(today + dt.timedelta(days=DAYS_AHEAD))
    # The lower bound lets the index on the start narrow the search; ends_at has none.
    return sessions.filter(
        status=Session.Status.BOOKED, ends_at__gt=now, starts_at__gte=starts, starts_at__lt=week_end
    )


# What a series behind schedule shows and is judged by (its progress), and who it is with.
BEHIND_FIELDS = (
    *(field for field in PROGRESS_FIELDS if field != "next_session_at"),
    "status",
    "client__first_name",
    "client__last_name",
    "treatment__name",
    "esthetician__user__first_name",
    "esthetician__user__last_name",
    "esthetician__user__username",
)


def series_behind(
    *, esthetician: Esthetician | None, today: dt.date, now: dt.datetime, limit: int = LIMIT
) -> Bounded[BehindSeries]:
    """Series in progress that are behind schedule, the longest without a treatment first."""
    ids = behind_schedule_ids(today=today, now=now, esthetician=esthetician)
    if not ids:
        return Bounded(rows=[], total=0)
    series = with_progress(
        Series.objects.filter(pk__in=sorted(ids))
        .select_related("client", "treatment", "esthetician__user")
        .only(*BEHIND_FIELDS),
        now=now,
    ).order_by(F("last_completed_at").asc(nulls_first=True), "starts_on", "pk")[:limit]
    rows = [
        BehindSeries(series=row, why=why_behind(series_progress(row), today=today))
        for row in series
    ]
    return Bounded(rows=_by_esthetician(rows, lambda row: row.series), total=len(ids))


def _sessions(esthetician: Esthetician | None) -> QuerySet[Session]:
    sessions = Session.objects.select_related("client", "treatment", "esthetician__user")
    return sessions if esthetician is None else sessions.filter(esthetician=esthetician)


def _first(sessions: QuerySet[Session], limit: int) -> tuple[list[Session], int]:
    """The first `limit` sessions, and how many there are in all, in one query."""
    found = list(sessions.annotate(in_all=Window(Count("pk")))[:limit])
    return found, found[0].in_all if found else 0


def _by_esthetician(rows: list[Row], owner: Callable[[Row], Any]) -> list[Row]:
    """The rows grouped by their esthetician, in the estheticians' order; a stable sort, so
    each group keeps the rows' own order."""

    def key(row: Row) -> tuple[str, str, int]:
        esthetician = owner(row).esthetician
        return (esthetician.user.first_name, esthetician.user.last_name, esthetician.pk)

    return sorted(rows, key=key)
