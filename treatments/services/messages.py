"""The messages bookings cause: reminders, maintenance due, needs attention, book again.

Each is an outbox row written with the change; a later change cancels or re-times it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from itertools import groupby

from django.conf import settings
from django.utils import timezone

from clients.models import Client
from outbox.models import Message
from outbox.services import message_draft, message_queue, messages_cancel, messages_queue
from spa.dates import day_label, moment_label
from treatments.models import MaintenanceVisit, Session
from treatments.scheduling import Reason, session_time

# The blocks that end on a date: when one refused a booking, the client hears when it lifts.
DATED_BLOCKS = {"recent_injectable", "pregnancy_first_trimester"}
MORNING = dt.time(9)


def reminder_topic(session: Session) -> str:
    return f"session:{session.pk}:reminder"


def reminder_schedule(session: Session) -> None:
    """(Re)write the client's reminder for a booked session, due a day before it."""
    messages_cancel(topic=reminder_topic(session))
    messages_queue([_reminder(session)])


def reminders_schedule_new(sessions: Iterable[Session]) -> None:
    """Write the reminders of sessions just booked, in one INSERT: a new session has none to
    cancel (a session's number is never used twice)."""
    messages_queue(_reminder(session) for session in sessions)


def _reminder(session: Session) -> Message | None:
    client = session.client
    hours = settings.REMINDER_HOURS_BEFORE
    return message_draft(
        kind=Message.Kind.REMINDER,
        to=client.email,
        subject=f"{settings.SPA_NAME}: see you {moment_label(session.starts_at)}",
        template="treatments/email/reminder",
        context={"session": session, "client": client, "spa_name": settings.SPA_NAME},
        due_at=session.starts_at - dt.timedelta(hours=hours),
        topic=reminder_topic(session),
        client=client,
        session=session,
    )


def reminder_cancel(session: Session) -> None:
    messages_cancel(topic=reminder_topic(session))


def reminders_cancel(sessions: Iterable[Session]) -> None:
    Message.objects.filter(
        topic__in=[reminder_topic(session) for session in sessions],
        status=Message.Status.PENDING,
    ).update(status=Message.Status.CANCELLED)


def maintenance_topic(visit: MaintenanceVisit) -> str:
    return f"visit:{visit.pk}:due"


def maintenance_reminder_schedule(visit: MaintenanceVisit) -> None:
    """(Re)write the "maintenance due" message for a visit not booked, a week before it."""
    maintenance_reminders_schedule([visit])


def maintenance_reminders_schedule(visits: Iterable[MaintenanceVisit]) -> None:
    """(Re)write the "maintenance due" messages of visits not booked, each a week before it:
    the pending ones cancelled in one UPDATE, the new ones written in one INSERT."""
    visits = list(visits)
    if not visits:
        return
    Message.objects.filter(
        topic__in=[maintenance_topic(visit) for visit in visits],
        status=Message.Status.PENDING,
    ).update(status=Message.Status.CANCELLED)
    messages_queue(
        _maintenance_due(visit) for visit in visits if visit.status == MaintenanceVisit.Status.DUE
    )


def _maintenance_due(visit: MaintenanceVisit) -> Message | None:
    series = visit.series
    client = series.client
    days = settings.MAINTENANCE_REMINDER_DAYS_BEFORE
    return message_draft(
        kind=Message.Kind.MAINTENANCE_DUE,
        to=client.email,
        subject=f"{settings.SPA_NAME}: time for your maintenance facial",
        template="treatments/email/maintenance_due",
        context={
            "visit": visit,
            "series": series,
            "client": client,
            "due": day_label(visit.due_on),
            "spa_name": settings.SPA_NAME,
        },
        due_at=session_time(visit.due_on - dt.timedelta(days=days), MORNING),
        topic=maintenance_topic(visit),
        client=client,
    )


def maintenance_reminder_cancel(visit: MaintenanceVisit) -> None:
    messages_cancel(topic=maintenance_topic(visit))


def needs_attention_notify(sessions: Sequence[Session]) -> None:
    """Tell each esthetician which of their booked sessions a new intake now blocks."""
    ordered = sorted(sessions, key=lambda session: (session.esthetician_id, session.starts_at))
    for _, group in groupby(ordered, key=lambda session: session.esthetician_id):
        flagged = list(group)
        user = flagged[0].esthetician.user
        message_queue(
            kind=Message.Kind.NEEDS_ATTENTION,
            to=user.email,
            subject=f"Needs attention: {_sessions_now_blocked(len(flagged))}",
            template="treatments/email/needs_attention",
            context={"esthetician": user, "sessions": flagged, "site_url": settings.SITE_URL},
            client=flagged[0].client,
            session=flagged[0],
        )


def _sessions_now_blocked(count: int) -> str:
    """ "1 booked session now blocked", "3 booked sessions now blocked"."""
    return f"{count} booked session{'' if count == 1 else 's'} now blocked"


def can_book_again_topic(client: Client) -> str:
    return f"client:{client.pk}:can-book-again"


def can_book_again_schedule(client: Client, reasons: Sequence[Reason]) -> None:
    """After a refusal for a block that ends on a date, tell the client when it lifts."""
    lifts = [reason.until for reason in reasons if reason.code in DATED_BLOCKS and reason.until]
    if not lifts:
        return
    lifted_on = max(lifts)
    messages_cancel(topic=can_book_again_topic(client))
    message_queue(
        kind=Message.Kind.CAN_BOOK_AGAIN,
        to=client.email,
        subject=f"{settings.SPA_NAME}: you can book your facial again",
        template="treatments/email/can_book_again",
        context={
            "client": client,
            "from_day": day_label(lifted_on, today=timezone.localdate()),
            "spa_name": settings.SPA_NAME,
        },
        due_at=session_time(lifted_on, MORNING),
        topic=can_book_again_topic(client),
        client=client,
    )


def can_book_again_cancel(client: Client) -> None:
    """A new intake changes what blocks the client: earlier "book again" news may be wrong."""
    messages_cancel(topic=can_book_again_topic(client))
