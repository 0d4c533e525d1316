"""Today's sessions, each beside the findings that apply to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from clients.eligibility import Finding, assess_at, blocks, cautions
from clients.selectors import latest_intakes
from treatments.models import Esthetician, Session


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
