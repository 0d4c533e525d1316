"""Queueing messages with the change that causes them, and delivering the ones due.

The database is the source of truth: a message is a row written in the same transaction as
the booking (or intake, or flag) it is about. The broker only wakes a worker up; if Redis or
every worker is down, the rows wait and the beat task delivers them once things are back.

Delivery takes one message at a time: claim it ("sending") and commit, send it outside any
transaction, then mark it sent. A worker that dies holds at most one message, which goes
again once its claim times out: never lost, at most one copy too many per dead worker, and
that copy has the same Message-ID, so mail servers and clients can tell it is a repeat.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Mapping
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import punycode

from outbox.models import Message

log = logging.getLogger(__name__)

LINK_REMOVED = "(The link in this email was removed from our records once it was sent.)"
WORKER_STOPPED = (
    "The worker sending it stopped before recording the result; it may have gone already."
)


def message_queue(**draft: Any) -> Message | None:
    """Write a message (`message_draft`'s arguments) to send at `due_at`, now when not given;
    None when there is no address.

    A message due now wakes a worker once the surrounding transaction commits.
    """
    written = messages_queue([message_draft(**draft)])
    return written[0] if written else None


def message_draft(
    *,
    kind: str,
    to: str,
    subject: str,
    template: str,
    context: Mapping[str, Any],
    due_at: dt.datetime | None = None,
    topic: str = "",
    client: Any = None,
    session: Any = None,
) -> Message | None:
    """A message rendered and ready to write with `messages_queue` (not saved yet); None when
    there is no address."""
    if not to:
        return None
    now = timezone.now()
    return Message(
        kind=kind,
        topic=topic,
        to=to,
        subject=subject,
        body_text=render_plain_text(f"{template}.txt", context),
        body_html=render_to_string(f"{template}.html", context),
        client=client,
        session=session,
        due_at=max(due_at or now, now),
    )


def messages_queue(drafts: Iterable[Message | None]) -> list[Message]:
    """Write drafted messages in one INSERT, leaving out those with no address (None); any due
    now wakes a worker once the surrounding transaction commits."""
    written = Message.objects.bulk_create([draft for draft in drafts if draft is not None])
    now = timezone.now()
    if any(message.due_at <= now for message in written):
        transaction.on_commit(wake_workers)
    return written


def render_plain_text(template_name: str, context: Mapping[str, Any]) -> str:
    """Render a plain-text body as written: "Bella's Spa & Wellness", not HTML's escapes."""
    template = Engine.get_default().get_template(template_name)
    return template.render(Context(dict(context), autoescape=False))


def messages_cancel(*, topic: str, kind: str | None = None) -> int:
    """Cancel the pending messages about `topic`; returns how many."""
    pending = Message.objects.filter(topic=topic, status=Message.Status.PENDING)
    if kind is not None:
        pending = pending.filter(kind=kind)
    return pending.update(status=Message.Status.CANCELLED)


def wake_workers() -> None:
    """Ask a worker to deliver now. If the broker is down, the beat task will do it later."""
    from outbox.tasks import deliver_due

    if current_app.conf.task_always_eager:
        # No broker (no REDIS_URL): the task runs here and now, as every task does then.
        deliver_due.delay()
        return
    try:
        with current_app.connection_for_write() as broker:
            # One quick try: a booking must never wait on a broker that is down.
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            deliver_due.apply_async(connection=broker, retry=False)
    except Exception:  # The broker is down: nothing is lost, the row is in the database.
        log.warning("Could not reach the task broker; messages wait for the next delivery run.")


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait longer after each failed attempt: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(dt.timedelta(minutes=2 ** (attempts - 1)), dt.timedelta(hours=1))


def email_message_id(message: Message) -> str:
    """The email's Message-ID: the same on every try, so a repeat is known as one.

    The creation time beside the row's number keeps two databases (staging and production, a
    restored copy) from ever giving two different emails the same id.
    """
    created = message.created_at.astimezone(dt.UTC)
    return f"<outbox-{message.pk}.{created:%Y%m%d%H%M%S%f}@{_sender_domain()}>"


def _sender_domain() -> str:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] or urlsplit(settings.SITE_URL).hostname or "localhost"
    return punycode(domain)


def deliver_due() -> int:
    """Send every message that is due, one at a time; returns how many were sent.

    Any number of workers may run this at once: each claims its next message with
    SELECT ... FOR UPDATE SKIP LOCKED, so two never take the same one.
    """
    stale_claims_release()
    sent = 0
    while (message := _claim_next()) is not None:
        sent += _send(message)
    return sent


def stale_claims_release() -> int:
    """Put back the messages whose worker stopped while sending them; returns how many.

    They may have gone out already (the worker died between sending and recording it), so
    each goes again with the same Message-ID. A claim counts as an attempt: a message that
    keeps killing its worker ends failed instead of going round for ever.
    """
    timeout = dt.timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
    stale = Message.objects.filter(
        status=Message.Status.SENDING, claimed_at__lte=timezone.now() - timeout
    )
    released = stale.update(
        status=Case(
            When(attempts__gte=settings.OUTBOX_MAX_ATTEMPTS, then=Value(Message.Status.FAILED)),
            default=Value(Message.Status.PENDING),
        ),
        last_error=WORKER_STOPPED,
    )
    if released:
        log.warning("%d message(s) left by a stopped worker will be sent again.", released)
    return released


def _claim_next() -> Message | None:
    """Take the message due first that no other worker holds, and commit the claim."""
    while True:
        with transaction.atomic():
            now = timezone.now()
            message = (
                Message.objects.select_for_update(skip_locked=True)
                .filter(status=Message.Status.PENDING, due_at__lte=now)
                .order_by("due_at", "pk")
                .first()
            )
            if message is None:
                return None
            # The row lock makes this certain on PostgreSQL; the status condition keeps
            # it true on a database without row locks.
            claimed = Message.objects.filter(pk=message.pk, status=Message.Status.PENDING).update(
                status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
        if claimed:
            message.status, message.claimed_at = Message.Status.SENDING, now
            message.attempts += 1
            return message


def _send(message: Message) -> int:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.to],
        headers={"Message-ID": email_message_id(message)},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    try:
        email.send()
    except Exception as error:  # Any failure of the mail server: try again later.
        _record_failure(message, error)
        return 0
    _record_sent(message)
    return 1


def _record_sent(message: Message) -> None:
    changes: dict[str, Any] = {
        "status": Message.Status.SENT,
        "sent_at": timezone.now(),
        "last_error": "",
    }
    if message.kind == Message.Kind.INTAKE_LINK:
        # The link's token is kept only as a hash; its one copy leaves with the email.
        changes.update(body_text=LINK_REMOVED, body_html="")
    # Whatever happened to the row meanwhile (a send slower than the timeout, released and
    # claimed again), this email did go: saying so spares the client another copy.
    Message.objects.filter(pk=message.pk).exclude(status=Message.Status.SENT).update(**changes)


def _record_failure(message: Message, error: Exception) -> None:
    failed_for_good = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS
    retry_at = message.due_at if failed_for_good else timezone.now() + retry_delay(message.attempts)
    # Only while this worker's claim stands (its attempt number): another worker may have
    # taken the message since and be sending it.
    Message.objects.filter(
        pk=message.pk, status=Message.Status.SENDING, attempts=message.attempts
    ).update(
        status=Message.Status.FAILED if failed_for_good else Message.Status.PENDING,
        due_at=retry_at,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
