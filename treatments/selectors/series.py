"""Reads for planning a series and following it: its sessions in order, maintenance visits."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from clients.eligibility import assess
from clients.models import Client, Intake
from clients.selectors import client_search
from treatments import scheduling
from treatments.models import MaintenanceVisit, Series, Session, Weekday

CLIENT_RESULTS = 10
# A maintenance visit is overdue once it is this many days past due and still not completed.
OVERDUE_AFTER = dt.timedelta(days=7)


def series_client_choices(query: str) -> list[Client]:
    """The first ten clients whose name, email or phone match the query; none for no query."""
    if not query.strip():
        return []
    return list(client_search(query)[:CLIENT_RESULTS])


def series_permanent_blocks(
    intake: Intake | None, *, on: dt.date, today: dt.date
) -> list[scheduling.Reason]:
    """The blocks with no end date that rule out any series for the client whose intake in
    force this is (none, a pacemaker...); dated blocks only move sessions and are left to the
    planner."""
    findings = assess(intake, on, today=today)
    reasons = scheduling.finding_reasons(findings, today=today)
    return [reason for reason in reasons if reason.until is None]


def home_care_routine(*, minutes_a_day: int, days_a_week: int) -> str:
    """ "5 minutes a day, 5 days a week", as the client is told it."""
    minutes = f"{minutes_a_day} minute{'s' if minutes_a_day != 1 else ''} a day"
    if days_a_week >= 7:
        return f"{minutes}, every day"
    if days_a_week <= 0:
        return minutes
    return f"{minutes}, {days_a_week} day{'s' if days_a_week != 1 else ''} a week"


def series_rhythm(series: Series) -> str:
    """ "once a week at 10:00, on Tue or Fri", as the series was planned."""
    how_often = "twice a week" if series.sessions_per_week == 2 else "once a week"
    days = " or ".join(Weekday(day).label[:3] for day in sorted(series.preferred_weekdays))
    return f"{how_often} at {series.preferred_time:%H:%M}, on {days}"


def series_with_people() -> QuerySet[Series]:
    """Series with their client, esthetician and treatment, for one page each."""
    return Series.objects.select_related("client", "esthetician__user", "treatment")


@dataclass(frozen=True)
class TimelineEntry:
    """A course session in its place: `number` counts the treatments held or to come,
    and is None for one that was missed (cancelled, no-show, postponed)."""

    session: Session
    number: int | None

    @property
    def is_missed(self) -> bool:
        return self.number is None


def series_timeline(series: Series) -> list[TimelineEntry]:
    """The course sessions of a series (series and make-up, not maintenance) in order."""
    sessions = series.sessions.filter(kind__in=Session.COURSE_KINDS).order_by("starts_at", "pk")
    entries = []
    held = 0
    for session in sessions:
        if session.status in Session.HELD_STATUSES:
            held += 1
            entries.append(TimelineEntry(session, held))
        else:
            entries.append(TimelineEntry(session, None))
    return entries


def completed_count(timeline: list[TimelineEntry]) -> int:
    """How many course treatments of the timeline were given."""
    return sum(entry.session.status == Session.Status.COMPLETED for entry in timeline)


@dataclass(frozen=True)
class ScheduledVisit:
    """A maintenance visit with whether it is overdue on the day it is shown."""

    visit: MaintenanceVisit
    is_overdue: bool

    @property
    def can_be_booked(self) -> bool:
        return self.visit.status == MaintenanceVisit.Status.DUE


def maintenance_schedule(series: Series, *, today: dt.date) -> list[ScheduledVisit]:
    """The series' maintenance visits in order, each with its booked session, if any."""
    visits = series.visits.select_related("session").order_by("number")
    return [
        ScheduledVisit(
            visit,
            is_overdue=visit.status != MaintenanceVisit.Status.COMPLETED
            and visit.due_on + OVERDUE_AFTER < today,
        )
        for visit in visits
    ]


def series_upcoming_sessions(series: Series, *, now: dt.datetime) -> list[Session]:
    """The series' booked sessions still to come (course and maintenance), soonest first."""
    return list(
        series.sessions.filter(status=Session.Status.BOOKED, starts_at__gte=now).order_by(
            "starts_at", "pk"
        )
    )
