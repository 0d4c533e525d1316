"""Queueing messages with the change that causes them, and delivering the ones due.

The database is the source of truth: a message is a row written in the same transaction as
the booking (or intake, or flag) it is about. The broker only wakes a worker up; if Redis or
every worker is down, the rows wait and the beat task delivers them once things are back.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import timezone

from outbox.models import Message

log = logging.getLogger(__name__)

BATCH = 50
LINK_REMOVED = "(The link in this email was removed from our records once it was sent.)"


def message_queue(
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
    """Write a message to send at `due_at` (now when not given); None when there is no address.

    A message due now wakes a worker once the surrounding transaction commits.
    """
    if not to:
        return None
    now = timezone.now()
    message = Message.objects.create(
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
    if message.due_at <= now:
        transaction.on_commit(wake_workers)
    return message


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


def deliver_due(*, batch: int = BATCH) -> int:
    """Send every message that is due, batch by batch; returns how many were sent.

    Each batch is claimed with SELECT ... FOR UPDATE SKIP LOCKED, so two workers running at
    once never take the same message.
    """
    sent = 0
    while True:
        with transaction.atomic():
            claimed = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(status=Message.Status.PENDING, due_at__lte=timezone.now())
                .order_by("due_at", "pk")[:batch]
            )
            for message in claimed:
                sent += _deliver(message)
        if len(claimed) < batch:
            return sent


def _deliver(message: Message) -> int:
    now = timezone.now()
    email = EmailMultiAlternatives(subject=message.subject, body=message.body_text, to=[message.to])
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    message.attempts += 1
    try:
        email.send()
    except Exception as error:  # Any failure of the mail server: try again later.
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            message.status = Message.Status.FAILED
        else:
            message.due_at = now + retry_delay(message.attempts)
        message.save(update_fields=["attempts", "last_error", "status", "due_at"])
        return 0
    message.status, message.sent_at, message.last_error = Message.Status.SENT, now, ""
    if message.kind == Message.Kind.INTAKE_LINK:
        # The link's token is kept only as a hash; its one copy leaves with the email.
        message.body_text, message.body_html = LINK_REMOVED, ""
    message.save(
        update_fields=["attempts", "status", "sent_at", "last_error", "body_text", "body_html"]
    )
    return 1
