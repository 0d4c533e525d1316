"""Re-assessing booked sessions: after a new intake, and every night for all of them.

A booked session that can no longer go ahead as booked (a new intake blocks it, the intake
has expired, the spa now closes that day, the esthetician's hours changed) is flagged "needs
attention" with the reasons and their kinds (health, intake, closure, away, hours), never
cancelled or kept silently. Flags whose reasons have gone
are cleared. The assigned esthetician hears about newly flagged sessions.

The nightly review also writes any message that should exist and does not: the reminder of
a booked session (say, one booked before reminders existed), maintenance news.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from clients.eligibility import assess_at
from clients.models import Client, Intake
from clients.selectors import latest_intakes
from outbox.models import Message
from treatments.models import MaintenanceVisit, Session
from treatments.scheduling import Availability, calendar_problems
from treatments.selectors import calendars_without_bookings
from treatments.services import messages

log = logging.getLogger(__name__)

CHUNK = 500
# What kind of problem each reason for a flag is (Session.AttentionKind), by the reason's code.
ATTENTION_KINDS = {
    "intake_missing": Session.AttentionKind.INTAKE,
    "intake_expired": Session.AttentionKind.INTAKE,
    "spa_closed": Session.AttentionKind.CLOSURE,
    "esthetician_away": Session.AttentionKind.AWAY,
    "outside_hours": Session.AttentionKind.HOURS,
    "slot_taken": Session.AttentionKind.CLASH,
    "client_busy": Session.AttentionKind.CLASH,
}
# A reminder written later than this before the session would arrive too late to help.
REMINDER_LEAST_NOTICE = dt.timedelta(hours=1)


def _booked_ahead(now: dt.datetime):
    return (
        Session.objects.filter(status=Session.Status.BOOKED, ends_at__gt=now)
        .select_related("esthetician__user", "client", "treatment")
        .select_for_update(of=("self",))
        .order_by("pk")
    )


@transaction.atomic
def sessions_reassess(*, client: Client) -> list[Session]:
    """Re-assess the client's booked sessions to come; returns those newly flagged."""
    now = timezone.now()
    return _reassess(list(_booked_ahead(now).filter(client=client)), now=now)


def nightly_review() -> int:
    """Re-assess every booked session to come, and make sure each has its reminder and every
    maintenance visit due within the week its message. Safe to run twice. Returns the
    sessions newly flagged."""
    now = timezone.now()
    flagged, after = 0, 0
    while True:
        with transaction.atomic():
            chunk = list(_booked_ahead(now).filter(pk__gt=after)[:CHUNK])
            if chunk:
                flagged += len(_reassess(chunk, now=now))
        if len(chunk) < CHUNK:
            break
        after = chunk[-1].pk
    reminders_ensure(now=now)
    _maintenance_messages_ensure(today=timezone.localdate(now))
    return flagged


def reminders_ensure(*, now: dt.datetime) -> int:
    """Write the reminder of every booked session to come that has none; returns how many.

    A session starting within the hour is left without: a reminder would come too late. A
    reminder whose time has passed is due at once. Queues the reminders (outbox messages).
    """
    reminder = Message.objects.filter(session=OuterRef("pk"), kind=Message.Kind.REMINDER)
    lacking = (
        Session.objects.filter(
            status=Session.Status.BOOKED, starts_at__gt=now + REMINDER_LEAST_NOTICE
        )
        .exclude(client__email="")
        # A failed reminder counts: it was tried, and its error waits in the admin.
        .filter(~Exists(reminder.exclude(status=Message.Status.CANCELLED)))
        .select_related("esthetician__user", "client", "treatment")
        # Locked so that a session cancelled meanwhile is not reminded of.
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    written, after = 0, 0
    while True:
        with transaction.atomic():
            chunk = list(lacking.filter(pk__gt=after)[:CHUNK])
            for session in chunk:
                messages.reminder_schedule(session)
        written += len(chunk)
        if len(chunk) < CHUNK:
            break
        after = chunk[-1].pk
    if written:
        log.info("The nightly review wrote %d missing appointment reminder(s).", written)
    return written


def _reassess(sessions: list[Session], *, now: dt.datetime) -> list[Session]:
    if not sessions:
        return []
    today = timezone.localdate(now)
    intakes = latest_intakes({session.client_id for session in sessions})
    calendars = calendars_without_bookings(
        {session.esthetician_id for session in sessions},
        starts_on=min(timezone.localdate(session.starts_at) for session in sessions),
        ends_on=max(timezone.localdate(session.ends_at) for session in sessions),
    )
    newly_flagged, changed = [], []
    for session in sessions:
        reasons = list(_reasons(session, intakes, calendars, today=today))
        reason = " ".join(message for _, message in reasons)
        kinds = list(dict.fromkeys(kind for kind, _ in reasons))
        if (reason, kinds, bool(reason)) != (
            session.attention_reason,
            session.attention_kinds,
            session.needs_attention,
        ):
            if reason and not session.needs_attention:
                newly_flagged.append(session)
            session.needs_attention, session.attention_reason = bool(reason), reason
            session.attention_kinds = kinds
            changed.append(session)
    Session.objects.bulk_update(changed, ["needs_attention", "attention_reason", "attention_kinds"])
    if newly_flagged:
        messages.needs_attention_notify(newly_flagged)
    return newly_flagged


def _reasons(
    session: Session,
    intakes: Mapping[int, Intake],
    calendars: Mapping[int, Availability],
    *,
    today: dt.date,
) -> Iterable[tuple[str, str]]:
    """Why the session cannot go ahead as booked: (kind of problem, message) pairs."""
    for finding in assess_at(intakes.get(session.client_id), session.starts_at, today=today):
        if finding.is_block:
            yield attention_kind(finding.code), finding.message
    calendar = calendars[session.esthetician_id]
    for problem in calendar_problems(session.starts_at, session.ends_at, calendar, today=today):
        yield attention_kind(problem.code), problem.message


def attention_kind(code: str) -> str:
    """The kind of problem a block or calendar reason is, by its code; any other block of the
    intake (a new rule, say) is a health block."""
    return ATTENTION_KINDS.get(code, Session.AttentionKind.HEALTH)


def _maintenance_messages_ensure(*, today: dt.date) -> None:
    """Write the "maintenance due" message of every visit due within the week that has none."""
    days = settings.MAINTENANCE_REMINDER_DAYS_BEFORE
    due = MaintenanceVisit.objects.filter(
        status=MaintenanceVisit.Status.DUE,
        due_on__gte=today,
        due_on__lte=today + dt.timedelta(days=days),
    ).select_related("series__client")
    visits = {messages.maintenance_topic(visit): visit for visit in due}
    written = set(
        Message.objects.filter(topic__in=visits).values_list("topic", flat=True).distinct()
    )
    for topic, visit in visits.items():
        if topic not in written:
            with transaction.atomic():
                messages.maintenance_reminder_schedule(visit)
