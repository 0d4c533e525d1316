"""What the spa holds about one client, all of it; and who is due for erasure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from clients.models import Client, HealthRecordAccess, Intake, IntakeLink
from outbox.models import Message
from treatments.models import MaintenanceVisit, Series, Session, TreatmentRecord

INTAKE_FIELDS = [
    field.name for field in Intake._meta.concrete_fields if field.name not in ("id", "client")
]
RECORD_FIELDS = [*TreatmentRecord.GIVEN_FIELDS, "recorded_at"]


def _staff(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def client_record(client: Client) -> dict[str, Any]:
    """Everything held about the client, as plain values: contact details, every intake version
    (with how it was signed), intake links, series, sessions with their treatment records,
    maintenance visits, messages, the access log and any erasure. A fixed handful of queries."""
    erasure = getattr(client, "erasure", None) if client.erased_at else None
    return {
        "exported_at": timezone.now(),
        "spa": settings.SPA_NAME,
        "client": {
            "id": client.pk,
            "first_name": client.first_name,
            "last_name": client.last_name,
            "email": client.email,
            "phone": client.phone,
            "date_of_birth": client.date_of_birth,
            "notes": client.notes,
            "created_at": client.created_at,
            "updated_at": client.updated_at,
            "erased_at": client.erased_at,
        },
        "intakes": _intakes(client),
        "intake_links": [
            {
                "created_at": link.created_at,
                "expires_at": link.expires_at,
                "used_at": link.used_at,
                "sent_by": _staff(link.created_by),
            }
            for link in IntakeLink.objects.filter(client=client)
            .select_related("created_by")
            .order_by("created_at", "pk")
        ],
        "series": _series(client),
        "sessions": _sessions(client),
        "messages": [
            {
                "kind": message.get_kind_display(),
                "to": message.to,
                "subject": message.subject,
                "status": message.get_status_display(),
                "due_at": message.due_at,
                "sent_at": message.sent_at,
            }
            for message in Message.objects.filter(client=client).order_by("due_at", "pk")
        ],
        "access_log": [
            {
                "at": line.at,
                "by": line.by_whom,
                "action": line.get_action_display(),
                "detail": line.detail,
            }
            for line in HealthRecordAccess.objects.filter(client=client)
            .select_related("user")
            .order_by("at", "pk")
        ],
        "erasure": None
        if erasure is None
        else {
            "at": erasure.at,
            "by": _staff(erasure.erased_by),
            "reason": erasure.reason,
            "sessions_cancelled": erasure.sessions_cancelled,
        },
    }


def _intakes(client: Client) -> list[dict[str, Any]]:
    versions = Intake.objects.filter(client=client).select_related("recorded_by")
    return [
        {
            "version": number,
            **{name: getattr(intake, name) for name in INTAKE_FIELDS},
            "source": intake.get_source_display(),
            "recorded_by": _staff(intake.recorded_by),
        }
        for number, intake in enumerate(versions.order_by("submitted_at", "pk"), start=1)
    ]


def _series(client: Client) -> list[dict[str, Any]]:
    visits: dict[int, list[dict[str, Any]]] = {}
    for visit in MaintenanceVisit.objects.filter(series__client=client).order_by("number"):
        visits.setdefault(visit.series_id, []).append(
            {"number": visit.number, "due_on": visit.due_on, "status": visit.get_status_display()}
        )
    return [
        {
            "id": series.pk,
            "treatment": series.treatment.name,
            "esthetician": str(series.esthetician),
            "starts_on": series.starts_on,
            "planned_sessions": series.planned_sessions,
            "sessions_per_week": series.sessions_per_week,
            "preferred_weekdays": series.preferred_weekdays,
            "preferred_time": series.preferred_time,
            "status": series.get_status_display(),
            "ended_on": series.ended_on,
            "caution_note": series.caution_note,
            "home_care": {
                "device": series.home_device,
                "minutes_a_day": series.home_minutes_a_day,
                "days_a_week": series.home_days_a_week,
            },
            "maintenance_visits": visits.get(series.pk, []),
        }
        for series in Series.objects.filter(client=client)
        .select_related("treatment", "esthetician__user")
        .order_by("starts_on", "pk")
    ]


def _sessions(client: Client) -> list[dict[str, Any]]:
    sessions = (
        Session.objects.filter(client=client)
        .select_related("treatment", "esthetician__user", "record__recorded_by", "booked_by")
        .order_by("starts_at", "pk")
    )
    return [
        {
            "id": session.pk,
            "series": session.series_id,
            "kind": session.get_kind_display(),
            "treatment": session.treatment.name,
            "esthetician": str(session.esthetician),
            "starts_at": session.starts_at,
            "ends_at": session.ends_at,
            "status": session.get_status_display(),
            "status_reason": session.status_reason,
            "caution_note": session.caution_note,
            "checked_in_at": session.checked_in_at,
            "needs_attention": session.needs_attention,
            "attention_reason": session.attention_reason,
            "booked_by": _staff(session.booked_by),
            "treatment_record": _record(session),
        }
        for session in sessions
    ]


def _record(session: Session) -> dict[str, Any] | None:
    record = getattr(session, "record", None)
    if record is None:
        return None
    return {
        **{name: getattr(record, name) for name in RECORD_FIELDS},
        "recorded_by": _staff(record.recorded_by),
    }


def retention_due(*, now: dt.datetime, years: int) -> QuerySet[Client]:
    """Clients with no visit for `years` (nor any booked to come), oldest last visit first:
    each annotated with `last_visit`, None when they never had one."""
    cutoff = now - dt.timedelta(days=round(365.25 * years))
    completed = Session.objects.filter(client=OuterRef("pk"), status=Session.Status.COMPLETED)
    booked = Session.objects.filter(
        client=OuterRef("pk"), status=Session.Status.BOOKED, starts_at__gte=now
    )
    return (
        Client.objects.filter(erased_at__isnull=True, created_at__lt=cutoff)
        .annotate(
            last_visit=Subquery(completed.order_by("-starts_at").values("starts_at")[:1]),
            has_booking=Exists(booked),
        )
        .filter(Q(last_visit__lt=cutoff) | Q(last_visit__isnull=True), has_booking=False)
        .order_by(F("last_visit").asc(nulls_first=True), "pk")
    )
