"""What the bench measures, picked from the data itself: the busiest esthetician and week, a
client with a course under way and a history, a client free to plan a course for."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from clients.models import Client, Intake
from clients.selectors import latest_intakes
from spa.access import ESTHETICIANS, MANAGERS
from treatments import services
from treatments.models import Esthetician, Series, Session, Treatment, WorkingHours
from treatments.scheduling import SeriesRequest, session_time
from treatments.selectors import series_permanent_blocks

# How far ahead "busiest" looks: the esthetician over four weeks, their week over eight.
BUSY_DAYS, WEEKS_AHEAD = 28, 8
PLANNED_SESSIONS = 12
PREFERRED_TIME = dt.time(10)
# Clients tried, most recent intake first, until one can be offered a 12-session course.
PLANNING_CANDIDATES = 40
EMPTY = "This database has no clients or sessions to measure: run `manage.py seed_demo` first."


@dataclass(frozen=True)
class Planning:
    """A course that can be planned and booked as it stands: 12 sessions, nothing to note."""

    client: Client
    esthetician: Esthetician
    treatment: Treatment
    starts_on: dt.date
    weekdays: tuple[int, ...]
    first_slot: dt.datetime

    def choices(self) -> dict[str, Any]:
        """The planning form's fields, as the page sends them."""
        return {
            "client": str(self.client.pk),
            "treatment": str(self.treatment.pk),
            "esthetician": str(self.esthetician.pk),
            "starts_on": self.starts_on.isoformat(),
            "planned_sessions": str(PLANNED_SESSIONS),
            "sessions_per_week": "1",
            "weekdays": [str(day) for day in self.weekdays],
            "preferred_time": f"{PREFERRED_TIME:%H:%M}",
            "maintenance_weeks": "4",
            "maintenance_visits": "6",
            "home_device": "",
            "home_minutes_a_day": "5",
            "home_days_a_week": "5",
        }


@dataclass(frozen=True)
class Subjects:
    esthetician: Esthetician
    manager: Any
    week: dt.date
    client: Client
    series: Series
    session: Session
    planning: Planning | None
    # A session that has started, booked or completed, to record (reopened first if completed).
    to_complete: Session | None
    clients: int
    sessions: int

    @property
    def surname(self) -> str:
        return self.client.last_name

    @property
    def phone_start(self) -> str:
        """The first digits of the client's phone, as the front desk starts typing them."""
        digits = "".join(char for char in self.client.phone if char.isdigit())
        return digits[: max(len(digits) - 4, 4)]


def subjects_pick(*, now: dt.datetime) -> Subjects:
    """Pick what to measure from the data, or refuse when there is nothing to measure."""
    clients, sessions = Client.objects.count(), Session.objects.count()
    if not clients or not sessions:
        raise CommandError(EMPTY)
    today = timezone.localdate(now)
    esthetician = busiest_esthetician(today=today)
    series = series_with_history()
    return Subjects(
        esthetician=esthetician,
        manager=manager(),
        week=busiest_week(esthetician, today=today),
        client=series.client,
        series=series,
        session=series_session(series, now=now),
        planning=planning(esthetician, today=today),
        to_complete=session_to_complete(esthetician, now=now),
        clients=clients,
        sessions=sessions,
    )


def _from(day: dt.date) -> dt.datetime:
    return session_time(day, dt.time(0))


def busiest_esthetician(*, today: dt.date) -> Esthetician:
    """The working esthetician with the most sessions in the coming four weeks (or ever)."""
    working = Esthetician.objects.filter(
        is_active=True, user__is_active=True, user__groups__name=ESTHETICIANS
    )
    held = Q(sessions__status__in=Session.HELD_STATUSES)
    soon = held & Q(
        sessions__starts_at__gte=_from(today),
        sessions__starts_at__lt=_from(today + dt.timedelta(days=BUSY_DAYS)),
    )
    for busy in (soon, held):
        ranked = working.annotate(held=Count("sessions", filter=busy)).order_by("-held", "pk")
        found = ranked.select_related("user").first()
        if found is not None and found.held:
            return found
    raise CommandError(f"No esthetician with sessions. {EMPTY}")


def busiest_week(esthetician: Esthetician, *, today: dt.date) -> dt.date:
    """The Monday of the esthetician's fullest week among the coming eight (this one if none)."""
    monday = today - dt.timedelta(days=today.weekday())
    weeks = (
        Session.objects.filter(
            esthetician=esthetician,
            status__in=Session.HELD_STATUSES,
            starts_at__gte=_from(monday),
            starts_at__lt=_from(monday + dt.timedelta(weeks=WEEKS_AHEAD)),
        )
        .annotate(week=TruncWeek("starts_at", tzinfo=timezone.get_current_timezone()))
        .values("week")
        .annotate(held=Count("pk"))
        .order_by("-held", "week")
    )
    fullest = weeks.first()
    return timezone.localtime(fullest["week"]).date() if fullest else monday


def manager() -> Any:
    """A manager who can sign in (a superuser when no one is in the Manager group)."""
    users = get_user_model().objects.filter(is_active=True)
    found = users.filter(groups__name=MANAGERS).order_by("pk").first()
    found = found or users.filter(is_superuser=True).order_by("pk").first()
    if found is None:
        raise CommandError(f"No manager to sign in as. {EMPTY}")
    return found


def series_with_history() -> Series:
    """The course under way with the most sessions done: its client has the longest history."""
    done = Count("sessions", filter=Q(sessions__status=Session.Status.COMPLETED))
    found = (
        Series.objects.filter(status=Series.Status.ACTIVE, client__erased_at__isnull=True)
        .annotate(done=done)
        .order_by("-done", "-pk")
        .select_related("client")
        .first()
    )
    if found is None:
        raise CommandError(f"No series in progress. {EMPTY}")
    return found


def series_session(series: Series, *, now: dt.datetime) -> Session:
    """The series' next booked session, else its latest."""
    sessions = series.sessions.order_by("starts_at", "pk")
    upcoming = sessions.filter(status=Session.Status.BOOKED, starts_at__gte=now).first()
    found = upcoming or sessions.last()
    if found is None:
        raise CommandError(f"Series {series.pk} has no sessions. {EMPTY}")
    return found


def session_to_complete(esthetician: Esthetician, *, now: dt.datetime) -> Session | None:
    """The esthetician's latest session that has started and is booked (else completed)."""
    started = Session.objects.filter(esthetician=esthetician, starts_at__lte=now)
    for status in (Session.Status.BOOKED, Session.Status.COMPLETED):
        found = started.filter(status=status).order_by("-starts_at", "-pk").first()
        if found is not None:
            return found
    return None


def planning(esthetician: Esthetician, *, today: dt.date) -> Planning | None:
    """A client with a recent intake to whom a 12-session course can be offered as it stands:
    nothing blocks them, no caution to note, a free slot every week (None if none is found)."""
    treatment = (
        Treatment.objects.filter(is_active=True, kind=Treatment.Kind.SERIES)
        .annotate(used=Count("series"))
        .order_by("-used", "pk")
        .first()
    )
    hours = WorkingHours.objects.filter(esthetician=esthetician)
    days = tuple(sorted(set(hours.values_list("weekday", flat=True))))
    if treatment is None or not days:
        return None
    starts_on = today + dt.timedelta(days=1)
    request = SeriesRequest(
        starts_on=starts_on,
        sessions=PLANNED_SESSIONS,
        sessions_per_week=1,
        weekdays=frozenset(days),
        start_time=PREFERRED_TIME,
        minutes=treatment.minutes,
    )
    recent = (
        Intake.objects.filter(client__erased_at__isnull=True)
        .order_by("-submitted_at", "-pk")
        .values_list("client_id", flat=True)[: PLANNING_CANDIDATES * 3]
    )
    candidates = list(dict.fromkeys(recent))[:PLANNING_CANDIDATES]
    intakes = latest_intakes(candidates)
    for client in Client.objects.filter(pk__in=candidates).order_by("pk"):
        intake = intakes.get(client.pk)
        if series_permanent_blocks(intake, on=starts_on, today=today):
            continue
        plan = services.series_plan(
            client=client, esthetician=esthetician, request=request, intake=intake
        )
        if not plan.reasons and not plan.cautions and len(plan.sessions) == PLANNED_SESSIONS:
            first = plan.sessions[0].starts_at
            return Planning(client, esthetician, treatment, starts_on, days, first)
    return None
