"""Today's sessions, each beside the findings that apply to it and what can be done next."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from clients.eligibility import Finding, assess_at, blocks, cautions
from clients.selectors import latest_intakes
from spa.dates import moment_label
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
class TeamMemberDay:
    """One esthetician's day in numbers, for a team too big to list session by session."""

    esthetician_pk: int
    name: str
    sessions: int
    checked_in: int
    completed: int
    not_held: int
    flagged: int
    first_starts_at: dt.datetime
    last_ends_at: dt.datetime

    @property
    def from_time(self) -> str:
        """When the first session starts, as the spa reads it ("09:00")."""
        return f"{timezone.localtime(self.first_starts_at):%H:%M}"

    @property
    def until_time(self) -> str:
        """When the last session ends, as the spa reads it."""
        return f"{timezone.localtime(self.last_ends_at):%H:%M}"

    @property
    def to_come(self) -> int:
        """Booked and not yet checked in: still to come, or still to be recorded."""
        return self.sessions - self.checked_in - self.completed - self.not_held


def team_day(day: dt.date) -> list[TeamMemberDay]:
    """Each esthetician with a session that day, with how their day stands, in the
    estheticians' own order: one query, a row per esthetician."""
    start, end = day_bounds(day)
    booked = Q(status=Session.Status.BOOKED)
    rows = (
        Session.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .order_by()
        .values(
            "esthetician",
            "esthetician__user__first_name",
            "esthetician__user__last_name",
            "esthetician__user__username",
        )
        .annotate(
            sessions=Count("pk"),
            checked_in=Count("pk", filter=booked & Q(checked_in_at__isnull=False)),
            completed=Count("pk", filter=Q(status=Session.Status.COMPLETED)),
            not_held=Count("pk", filter=~Q(status__in=Session.HELD_STATUSES)),
            flagged=Count("pk", filter=booked & Q(needs_attention=True)),
            first_starts_at=Min("starts_at"),
            last_ends_at=Max("ends_at"),
        )
        .order_by("esthetician__user__first_name", "esthetician__user__last_name", "esthetician")
    )
    return [
        TeamMemberDay(
            esthetician_pk=row["esthetician"],
            name=Esthetician.name_of(
                row["esthetician__user__first_name"],
                row["esthetician__user__last_name"],
                row["esthetician__user__username"],
            ),
            sessions=row["sessions"],
            checked_in=row["checked_in"],
            completed=row["completed"],
            not_held=row["not_held"],
            flagged=row["flagged"],
            first_starts_at=row["first_starts_at"],
            last_ends_at=row["last_ends_at"],
        )
        for row in rows
    ]


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


@dataclass(frozen=True)
class WorklistSession(SessionWithFindings):
    """A session on the worklist at `now`: what state it is in and which step of the visit
    comes next (check in, record and complete, or no-show)."""

    now: dt.datetime

    @property
    def is_booked(self) -> bool:
        return self.session.status == Session.Status.BOOKED

    @property
    def has_started(self) -> bool:
        return self.session.starts_at <= self.now

    @property
    def is_unrecorded(self) -> bool:
        """Still booked once it has ended: nothing says what happened."""
        return self.is_booked and self.session.ends_at <= self.now

    @property
    def state(self) -> str:
        """The session's state in words: "Booked", "Checked in 09:55", "Still booked", "No-show"."""
        session = self.session
        if not self.is_booked:
            return session.get_status_display()
        if session.checked_in_at is not None:
            return f"Checked in {timezone.localtime(session.checked_in_at):%H:%M}"
        return "Still booked" if self.is_unrecorded else "Booked"

    @property
    def ended_words(self) -> str:
        """When it ended: "14:00" today, "Mon 30 Nov, 14:00" on an earlier day."""
        ended = timezone.localtime(self.session.ends_at)
        if ended.date() == timezone.localdate(self.now):
            return f"{ended:%H:%M}"
        return moment_label(ended, today=timezone.localdate(self.now))

    @property
    def can_check_in(self) -> bool:
        """Booked and not yet checked in, on the session's own day (the only day check-in is)."""
        session = self.session
        on_its_day = timezone.localdate(session.starts_at) == timezone.localdate(self.now)
        return self.is_booked and session.checked_in_at is None and on_its_day

    @property
    def can_complete(self) -> bool:
        """Checked in and started: the treatment can be recorded."""
        checked_in = self.session.checked_in_at is not None
        return self.is_booked and checked_in and self.has_started

    @property
    def waits_for_start(self) -> bool:
        """Checked in early: the treatment is recorded once the session has started."""
        checked_in = self.session.checked_in_at is not None
        return self.is_booked and checked_in and not self.has_started

    @property
    def can_mark_no_show(self) -> bool:
        """Started and the client never checked in."""
        return self.is_booked and self.session.checked_in_at is None and self.has_started


def worklist(
    sessions: Iterable[Session], *, today: dt.date, now: dt.datetime
) -> list[WorklistSession]:
    """The sessions with their findings (one query) and their next steps at `now`."""
    return [
        WorklistSession(session=item.session, findings=item.findings, now=now)
        for item in with_findings(sessions, today=today)
    ]
