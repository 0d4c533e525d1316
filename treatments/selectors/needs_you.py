"""Today's "Needs you": what an esthetician (or, for a manager, the team) should see to.

- sessions that ended, today or in the week before, and are still booked: nothing says what
  happened;
- sessions this week flagged "needs attention", with the kind of problem;
- clients whose intake will be out of date on the day of their next session, this week;
- series behind schedule (the rule is `treatments.progress.behind_schedule`).

Each list is one query whatever its length, and at most LIMIT long; it knows how many rows
there are in all, so the page can say "and 12 more".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.utils import timezone

from clients.eligibility import oldest_intake_in_date
from clients.models import Client, Intake, IntakeLink
from treatments.models import Esthetician, Series, Session
from treatments.progress import why_behind
from treatments.selectors.dashboard import behind_schedule_ids, series_progress, with_progress
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
    """Booked sessions that have ended, today or in the week before, the latest first."""
    since, _ = day_bounds(today - dt.timedelta(days=DAYS_BACK))
    sessions = _sessions(esthetician).filter(
        status=Session.Status.BOOKED, ends_at__lte=now, starts_at__gte=since
    )
    found, total = _first(sessions.order_by("-starts_at", "-pk"), limit)
    rows = [WorklistSession(session=session, findings=[], now=now) for session in found]
    return Bounded(rows=_by_esthetician(rows, lambda row: row.session), total=total)


def sessions_flagged(
    *, esthetician: Esthetician | None, today: dt.date, now: dt.datetime, limit: int = LIMIT
) -> Bounded[Session]:
    """Booked sessions to come this week that are flagged "needs attention", soonest first."""
    _, week_end = day_bounds(today + dt.timedelta(days=DAYS_AHEAD))
    sessions = _sessions(esthetician).filter(
        status=Session.Status.BOOKED, needs_attention=True, ends_at__gt=now, starts_at__lt=week_end
    )
    found, total = _first(sessions.order_by("starts_at", "pk"), limit)
    return Bounded(rows=_by_esthetician(found, lambda session: session), total=total)


def intakes_running_out(
    *, esthetician: Esthetician | None, today: dt.date, now: dt.datetime, limit: int = LIMIT
) -> Bounded[IntakeRunningOut]:
    """Clients whose next session is this week and whose latest intake will be out of date on
    its day (or who have none), the soonest session first.

    Only the next session counts: at each visit the pre-treatment check records a new intake
    version, so a later session is judged against that one.
    """
    _, week_end = day_bounds(today + dt.timedelta(days=DAYS_AHEAD))
    earlier = Session.objects.filter(
        client=OuterRef("client_id"),
        status=Session.Status.BOOKED,
        ends_at__gt=now,
        starts_at__lt=OuterRef("starts_at"),
    )
    latest = Intake.objects.filter(client=OuterRef("client_id")).latest_first()
    open_link = IntakeLink.objects.filter(
        client=OuterRef("client_id"), used_at__isnull=True, expires_at__gt=now
    ).order_by("-created_at")
    sessions = (
        _sessions(esthetician)
        .filter(status=Session.Status.BOOKED, ends_at__gt=now, starts_at__lt=week_end)
        .filter(~Exists(earlier))
        .annotate(
            intake_given_at=Subquery(latest.values("submitted_at")[:1]),
            link_sent_at=Subquery(open_link.values("created_at")[:1]),
        )
        .filter(_intake_out_of_date_on_its_day(today))
    )
    found, total = _first(sessions.order_by("starts_at", "pk"), limit)
    oldest_today, _ = day_bounds(oldest_intake_in_date(today))
    rows = [_running_out(session, oldest_today=oldest_today) for session in found]
    return Bounded(rows=_by_esthetician(rows, lambda row: row.session), total=total)


def _running_out(session: Session, *, oldest_today: dt.datetime) -> IntakeRunningOut:
    given_at = session.intake_given_at
    return IntakeRunningOut(
        session=session,
        given_on=timezone.localdate(given_at) if given_at else None,
        out_of_date_today=given_at is None or given_at < oldest_today,
        link_sent_at=session.link_sent_at,
    )


def _intake_out_of_date_on_its_day(today: dt.date) -> Q:
    """The session's day is one of the week's, and the intake is older than that day allows:
    filled in (in the spa's time) before that day's oldest intake in date, or never."""
    out_of_date = Q(intake_given_at__isnull=True)
    for days in range(DAYS_AHEAD + 1):
        day = today + dt.timedelta(days=days)
        starts, ends = day_bounds(day)
        oldest, _ = day_bounds(oldest_intake_in_date(day))
        out_of_date |= Q(starts_at__gte=starts, starts_at__lt=ends, intake_given_at__lt=oldest)
    return out_of_date


def series_behind(
    *, esthetician: Esthetician | None, today: dt.date, now: dt.datetime, limit: int = LIMIT
) -> Bounded[BehindSeries]:
    """Series in progress that are behind schedule, the longest without a treatment first."""
    ids = behind_schedule_ids(today=today, now=now, esthetician=esthetician)
    if not ids:
        return Bounded(rows=[], total=0)
    series = with_progress(
        Series.objects.filter(pk__in=sorted(ids)).select_related(
            "client", "treatment", "esthetician__user"
        ),
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
