"""How sessions end (completed, cancelled, no-show, postponed) and what follows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from clients.selectors import latest_intake
from spa.dates import moment_label
from treatments import scheduling
from treatments.models import MaintenanceVisit, Series, Session, TreatmentRecord
from treatments.scheduling import Reason
from treatments.services import messages
from treatments.services.booking import (
    BookingRefused,
    booked_session,
    create_session,
    lock_client,
    lock_esthetician,
    series_plan,
)


def _end(session: Session, status: str, reason: str = "") -> Session:
    # The esthetician's row first, as in booking, so two writers never wait on each other.
    lock_esthetician(session.esthetician)
    session = booked_session(session)
    if status in (Session.Status.COMPLETED, Session.Status.NO_SHOW) and (
        session.starts_at > timezone.now()
    ):
        raise BookingRefused(
            [Reason("not_started", f"This session starts {moment_label(session.starts_at)}.")]
        )
    session.status, session.status_reason = status, reason.strip()
    session.save(update_fields=["status", "status_reason", "updated_at"])
    messages.reminder_cancel(session)
    return session


@transaction.atomic
def session_cancel(*, session: Session, reason: str, by: AbstractBaseUser | None) -> Session | None:
    """Cancel a booked session; a course session gets a make-up, which is returned."""
    session = _end(session, Session.Status.CANCELLED, reason)
    _release_maintenance_visit(session, MaintenanceVisit.Status.DUE)
    return _book_make_up(session, by)


@transaction.atomic
def session_mark_no_show(*, session: Session, by: AbstractBaseUser | None) -> Session | None:
    """Record that the client did not come; a course session gets a make-up."""
    session = _end(session, Session.Status.NO_SHOW, "The client did not come.")
    _release_maintenance_visit(session, MaintenanceVisit.Status.MISSED)
    return _book_make_up(session, by)


@transaction.atomic
def session_postpone(
    *, session: Session, reason: str, by: AbstractBaseUser | None
) -> Session | None:
    """Postpone a session a contraindication rules out today; a course session gets a make-up."""
    session = _end(session, Session.Status.POSTPONED, reason)
    _release_maintenance_visit(session, MaintenanceVisit.Status.DUE)
    return _book_make_up(session, by)


def _release_maintenance_visit(session: Session, status: str) -> None:
    for visit in MaintenanceVisit.objects.filter(session=session).select_related("series"):
        visit.status, visit.session = status, None
        visit.save(update_fields=["status", "session"])
        messages.maintenance_reminder_schedule(visit)


def _book_make_up(session: Session, by: AbstractBaseUser | None) -> Session | None:
    """Book a make-up at the end of the series, if any slot allows; else None."""
    series = session.series
    if session.kind not in Session.COURSE_KINDS or series is None:
        return None
    lock_esthetician(series.esthetician)
    lock_client(series.client)
    last = series.sessions.filter(status__in=Session.HELD_STATUSES).order_by("-starts_at").first()
    after = max(
        timezone.localdate(last.starts_at) if last else series.starts_on, timezone.localdate()
    )
    plan = series_plan(
        client=series.client,
        esthetician=series.esthetician,
        request=scheduling.SeriesRequest(
            starts_on=after + dt.timedelta(days=scheduling.MIN_DAYS_APART),
            sessions=1,
            sessions_per_week=series.sessions_per_week,
            weekdays=frozenset(series.preferred_weekdays),
            start_time=series.preferred_time,
            minutes=series.treatment.minutes,
        ),
        intake=latest_intake(series.client),
    )
    if plan.reasons or (plan.cautions and not series.caution_note):
        return None
    proposed = plan.sessions[0]
    return create_session(
        client=series.client,
        esthetician=series.esthetician,
        treatment=series.treatment,
        series=series,
        kind=Session.Kind.MAKE_UP,
        starts_at=proposed.starts_at,
        ends_at=proposed.ends_at,
        caution_note=series.caution_note,
        booked_by=by,
    )


@transaction.atomic
def session_complete(
    *,
    session: Session,
    by: AbstractBaseUser | None,
    record: Mapping[str, Any] | None = None,
) -> Session:
    """Record a session as given, with its treatment record; the course's last session sets
    the maintenance visits due."""
    session = _end(session, Session.Status.COMPLETED)
    if record is not None:
        TreatmentRecord.objects.create(session=session, recorded_by=by, **record)
    series = session.series
    if series is None:
        return session
    if session.kind in Session.COURSE_KINDS:
        given = series.sessions.filter(
            kind__in=Session.COURSE_KINDS, status=Session.Status.COMPLETED
        ).aggregate(count=Count("pk"), last=Max("starts_at"))
        if given["count"] >= series.planned_sessions and series.status == Series.Status.ACTIVE:
            # From the latest treatment by date, whatever order they were recorded in.
            _complete_course(series, timezone.localdate(given["last"]))
    elif session.kind == Session.Kind.MAINTENANCE:
        _complete_maintenance_visit(session)
    return session


def _complete_course(series: Series, completed_on: dt.date) -> None:
    series.status, series.ended_on = Series.Status.COMPLETED, completed_on
    series.save(update_fields=["status", "ended_on"])
    due_dates = scheduling.maintenance_due_dates(
        after=completed_on, weeks=series.maintenance_weeks, visits=series.maintenance_visits
    )
    visits = MaintenanceVisit.objects.bulk_create(
        MaintenanceVisit(series=series, number=number, due_on=due_on)
        for number, due_on in enumerate(due_dates, start=1)
    )
    messages.maintenance_reminders_schedule(visits)


def _complete_maintenance_visit(session: Session) -> None:
    # Every visit of the series in one read, with what the messages of those due say.
    visits = list(
        MaintenanceVisit.objects.filter(series_id=session.series_id)
        .select_related("session", "series__client", "series__treatment")
        .order_by("number")
    )
    visit = next((one for one in visits if one.session_id == session.pk), None)
    if visit is None:
        return
    visit.status = MaintenanceVisit.Status.COMPLETED
    visit.save(update_fields=["status"])
    # The visits after the latest one given, by date (a visit recorded late changes nothing
    # for those after a later one), fall due from that visit's actual date.
    given = [one for one in visits if one.status == MaintenanceVisit.Status.COMPLETED]
    latest = max(given, key=lambda one: (one.session.starts_at, one.number))
    later = [
        one
        for one in visits
        if one.number > latest.number and one.status != MaintenanceVisit.Status.COMPLETED
    ]
    due_dates = scheduling.maintenance_due_dates(
        after=timezone.localdate(latest.session.starts_at),
        weeks=visit.series.maintenance_weeks,
        visits=len(later),
    )
    for due_visit, due_on in zip(later, due_dates, strict=True):
        due_visit.due_on = due_on
    MaintenanceVisit.objects.bulk_update(later, ["due_on"])
    messages.maintenance_reminders_schedule(later)


@transaction.atomic
def series_cancel(*, series: Series, reason: str, by: AbstractBaseUser | None) -> Series:
    """Stop a series: its future booked sessions are cancelled, no make-ups are booked."""
    series = Series.objects.select_for_update().get(pk=series.pk)
    upcoming = series.sessions.filter(status=Session.Status.BOOKED, starts_at__gt=timezone.now())
    messages.reminders_cancel(upcoming)
    upcoming.update(
        status=Session.Status.CANCELLED, status_reason=reason.strip(), updated_at=timezone.now()
    )
    for visit in series.visits.filter(status=MaintenanceVisit.Status.DUE):
        messages.maintenance_reminder_cancel(visit)
    series.visits.filter(status=MaintenanceVisit.Status.DUE).delete()
    series.status, series.ended_on = Series.Status.CANCELLED, timezone.localdate()
    series.save(update_fields=["status", "ended_on"])
    return series
