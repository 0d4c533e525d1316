"""A client's right to be forgotten: erasure, the one path that may touch an intake row.

What identifies the client is replaced in place; their health answers stay, anonymous, so the
spa's figures and the access log still add up. The database lets an intake row change only in
this way, and only once the erasure is recorded (clients migration 0005).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from clients.models import Client, ClientErasure, HealthRecordAccess, Intake, IntakeLink
from clients.services import access_record
from outbox.models import Message
from treatments.models import Esthetician, MaintenanceVisit, Series, Session, TreatmentRecord
from treatments.services import messages, series_cancel

ERASED_FIRST_NAME = "Erased"
CANCELLED_BY_ERASURE = "The client's record was erased."


class AlreadyErased(Exception):
    """The client was erased before; there is nothing left to erase."""


@transaction.atomic
def client_erase(*, client: Client, by: AbstractBaseUser | None, reason: str) -> ClientErasure:
    """Erase a client: cancel their bookings to come (their reminders with them), replace what
    identifies them (names, email, phone, date of birth, notes, signatures, IP addresses, free
    text in intakes, sessions and treatment records), empty the messages about them, and record
    who erased whom, when and why."""
    # The estheticians' rows first, then the client's, the order bookings lock them in.
    upcoming = Session.objects.filter(
        client=client, status=Session.Status.BOOKED, starts_at__gt=timezone.now()
    )
    esthetician_ids = sorted(set(upcoming.values_list("esthetician_id", flat=True)))
    list(Esthetician.objects.select_for_update().filter(pk__in=esthetician_ids).order_by("pk"))
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.erased_at is not None:
        raise AlreadyErased(f"Client {client.pk} was erased on {client.erased_at:%Y-%m-%d}.")
    now = timezone.now()
    cancelled = _end_bookings(client, by=by)
    erasure = ClientErasure.objects.create(
        client=client, erased_by=by, at=now, reason=reason.strip(), sessions_cancelled=cancelled
    )
    Intake.objects.filter(client=client).erase_identifying(at=now)
    _erase_free_text(client)
    _empty_messages(client)
    IntakeLink.objects.filter(client=client, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    client.first_name, client.last_name = ERASED_FIRST_NAME, f"client {client.pk}"
    client.email = client.phone = client.notes = ""
    client.date_of_birth, client.erased_at = None, now
    client.save()
    access_record(client=client, user=by, action=HealthRecordAccess.Action.ERASED)
    return erasure


def _end_bookings(client: Client, *, by: AbstractBaseUser | None) -> int:
    """Cancel every booking to come and every maintenance visit not yet given; how many."""
    now = timezone.now()
    cancelled = 0
    for series in Series.objects.filter(client=client, status=Series.Status.ACTIVE):
        before = series.sessions.filter(status=Session.Status.BOOKED, starts_at__gt=now).count()
        series_cancel(series=series, reason=CANCELLED_BY_ERASURE, by=by)
        cancelled += before
    upcoming = Session.objects.filter(
        client=client, status=Session.Status.BOOKED, starts_at__gt=now
    )
    messages.reminders_cancel(upcoming)
    cancelled += upcoming.update(
        status=Session.Status.CANCELLED, status_reason=CANCELLED_BY_ERASURE, updated_at=now
    )
    visits = MaintenanceVisit.objects.filter(
        series__client=client,
        status__in=[MaintenanceVisit.Status.DUE, MaintenanceVisit.Status.BOOKED],
    ).filter(Q(session__isnull=True) | Q(session__status=Session.Status.CANCELLED))
    for visit in visits:
        messages.maintenance_reminder_cancel(visit)
    visits.delete()
    return cancelled


def _erase_free_text(client: Client) -> None:
    # Staff's words about the client can name them or say more than the answers do.
    sessions = Session.objects.filter(client=client)
    sessions.exclude(status_reason=CANCELLED_BY_ERASURE).update(status_reason="")
    sessions.update(caution_note="", attention_reason="")
    Series.objects.filter(client=client).update(caution_note="")
    TreatmentRecord.objects.filter(session__client=client).update(adverse_reaction="", notes="")


def _empty_messages(client: Client) -> None:
    about = Message.objects.filter(Q(client=client) | Q(session__client=client))
    about.filter(status__in=[Message.Status.PENDING, Message.Status.SENDING]).update(
        status=Message.Status.CANCELLED
    )
    about.update(subject="(erased)", body_text="", body_html="")
    if client.email:
        about.filter(to__iexact=client.email).update(to="")
