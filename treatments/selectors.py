"""Reads that treatment screens share, with the joins they need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from clients.eligibility import Finding, assess_at, blocks, cautions
from clients.selectors import latest_intakes
from treatments import scheduling
from treatments.models import Closure, Esthetician, Session


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The aware start of a spa-local day and the start of the next one."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def sessions_for_day(*, day: dt.date, esthetician: Esthetician | None) -> QuerySet[Session]:
    """The sessions starting on a spa-local day: one esthetician's, or everyone's when None.

    Everyone's come grouped by esthetician (in the estheticians' own order), each in time order.
    """
    start, end = day_bounds(day)
    sessions = (
        Session.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("client", "treatment", "series", "esthetician__user")
        .with_series_position()
    )
    if esthetician is not None:
        return sessions.filter(esthetician=esthetician).order_by("starts_at", "pk")
    return sessions.order_by(
        "esthetician__user__first_name",
        "esthetician__user__last_name",
        "esthetician",
        "starts_at",
        "pk",
    )


@dataclass(frozen=True)
class SessionWithFindings:
    """A session beside the contraindications that apply to it on its date."""

    session: Session
    findings: list[Finding]

    @property
    def blocks(self) -> list[Finding]:
        """The findings that refuse the treatment."""
        return blocks(self.findings)

    @property
    def cautions(self) -> list[Finding]:
        """The findings that need a staff note."""
        return cautions(self.findings)

    @property
    def place(self) -> str:
        """Where the session sits in the client's plan: "Series 3 of 8", "Maintenance"."""
        session = self.session
        position = session.series_position
        # A cancelled or postponed session holds no place in the course; its make-up does.
        held = session.status in Session.HELD_STATUSES
        if session.series is not None and held and position:
            planned = session.series.planned_sessions
            if session.kind == Session.Kind.SERIES:
                return f"Series {position} of {planned}"
            if session.kind == Session.Kind.MAKE_UP:
                return f"Make-up, {position} of {planned}"
        return session.get_kind_display()


def with_findings(sessions: Iterable[Session], *, today: dt.date) -> list[SessionWithFindings]:
    """Pair each session with its client's findings on the session's date, in one query.

    Only booked sessions are assessed: a finding matters before a treatment, not after one
    was given, cancelled or postponed.
    """
    sessions = list(sessions)
    intakes = latest_intakes({session.client_id for session in sessions})
    return [
        SessionWithFindings(
            session=session,
            findings=(
                assess_at(intakes.get(session.client_id), session.starts_at, today=today)
                if session.status == Session.Status.BOOKED
                else []
            ),
        )
        for session in sessions
    ]


def availability_for(
    esthetician: Esthetician,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    ignoring: Session | None = None,
) -> scheduling.Availability:
    """An esthetician's hours, days off and booked sessions between two spa-local dates."""
    hours: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for stretch in esthetician.working_hours.order_by("weekday", "starts_at"):
        hours.setdefault(stretch.weekday, []).append((stretch.starts_at, stretch.ends_at))
    days_off = [
        scheduling.DaysOff(
            starts_on=closure.starts_on,
            ends_on=closure.ends_on,
            reason=closure.reason,
            esthetician_away=closure.esthetician_id is not None,
        )
        for closure in Closure.objects.filter(
            Q(esthetician__isnull=True) | Q(esthetician=esthetician),
            starts_on__lte=ends_on,
            ends_on__gte=starts_on,
        )
    ]
    start, _ = day_bounds(starts_on)
    _, end = day_bounds(ends_on)
    busy = (
        Session.objects.filter(
            esthetician=esthetician,
            status__in=Session.HELD_STATUSES,
            starts_at__lt=end,
            ends_at__gt=start,
        )
        .exclude(pk=getattr(ignoring, "pk", None))
        .values_list("starts_at", "ends_at")
    )
    return scheduling.Availability(
        esthetician=str(esthetician), hours=hours, days_off=days_off, busy=list(busy)
    )
