from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection

from outbox.models import Message
from outbox.services import (
    LINK_REMOVED,
    WORKER_STOPPED,
    deliver_due,
    email_message_id,
    message_queue,
    messages_cancel,
)
from spa.celery import app as celery_app
from tests.markers import requires_postgresql

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
TIMEOUT = dt.timedelta(seconds=300)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def queue(**changes: object) -> Message:
    fields = {
        "kind": Message.Kind.REMINDER,
        "to": "olivia@example.com",
        "subject": "See you tomorrow",
        "template": "treatments/email/can_book_again",
        "context": {"client": {"first_name": "Olivia"}, "from_day": "Fri 4 Dec"},
        **changes,
    }
    return message_queue(**fields)


class RefusingMailServer:
    """An email backend whose server refuses every message, as a down SMTP server would."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        raise ConnectionRefusedError("Connection refused by smtp.example.com:587")


class WorkerKilledOnTheSecondEmail:
    """The mail server takes every email; the worker dies before it hears back about the second."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        mail.outbox.extend(messages)
        if len(mail.outbox) == 2:
            raise SystemExit("killed")
        return len(messages)


class WorkerKilledWhileConnecting:
    """Every send kills the worker before the mail server has the email."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        raise SystemExit("killed")


class ServerDropsTheConnectionAfterTakingIt:
    """The mail server keeps the email but the connection drops before it says so."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def send_messages(self, messages: list) -> int:
        mail.outbox.extend(messages)
        raise ConnectionResetError("Connection reset by smtp.example.com:587")


def message_ids(emails: list) -> list[str]:
    return [email.extra_headers["Message-ID"] for email in emails]


def test_a_message_is_written_rendered_and_due_now_by_default(clock):
    message = queue()

    assert message.status == Message.Status.PENDING
    assert message.due_at == NOW
    assert "from Fri 4 Dec microcurrent is safe for you again" in message.body_text
    assert "<strong>Fri 4 Dec</strong>" in message.body_html


def test_a_plain_text_body_keeps_apostrophes_and_ampersands_the_html_body_escapes_them(clock):
    message = queue(
        context={
            "client": {"first_name": "O'Brien"},
            "from_day": "Fri 4 Dec",
            "spa_name": "Bella's Spa & Wellness",
        }
    )

    assert "Hello O'Brien," in message.body_text
    assert message.body_text.endswith("Bella's Spa & Wellness\n")
    assert "Hello O&#x27;Brien," in message.body_html
    assert "Bella&#x27;s Spa &amp; Wellness" in message.body_html


def test_no_message_without_an_address():
    assert queue(to="") is None
    assert not Message.objects.exists()


def test_delivery_sends_what_is_due_and_leaves_the_rest(clock):
    due = queue()
    later = queue(due_at=NOW + dt.timedelta(hours=2))

    assert deliver_due() == 1

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, due.sent_at, due.attempts) == (Message.Status.SENT, NOW, 1)
    assert later.status == Message.Status.PENDING
    assert [message.subject for message in mail.outbox] == ["See you tomorrow"]
    assert mail.outbox[0].alternatives[0][1] == "text/html"


def test_delivering_twice_sends_once(clock):
    queue()

    deliver_due()
    deliver_due()

    assert len(mail.outbox) == 1


def test_cancelled_messages_are_not_sent(clock):
    queue(topic="session:1:reminder")

    assert messages_cancel(topic="session:1:reminder") == 1
    assert deliver_due() == 0
    assert mail.outbox == []


def test_a_failed_send_is_tried_again_later_with_the_error_kept(clock, settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_services.RefusingMailServer"
    message = queue()

    deliver_due()

    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert message.attempts == 1
    assert (
        message.last_error == "ConnectionRefusedError: Connection refused by smtp.example.com:587"
    )
    assert message.due_at == NOW + dt.timedelta(minutes=1)


def test_each_retry_waits_longer_and_the_limit_leaves_it_failed(clock, settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_services.RefusingMailServer"
    settings.OUTBOX_MAX_ATTEMPTS = 4
    message = queue()
    waits = []

    for _ in range(4):
        clock.move_to(message.due_at)
        deliver_due()
        before = message.due_at
        message.refresh_from_db()
        waits.append(message.due_at - before)

    assert waits[:3] == [dt.timedelta(minutes=1), dt.timedelta(minutes=2), dt.timedelta(minutes=4)]
    assert (message.status, message.attempts) == (Message.Status.FAILED, 4)
    clock.move_to(NOW + dt.timedelta(days=1))
    assert deliver_due() == 0


def test_an_intake_links_address_is_removed_once_sent(clock):
    message = queue(kind=Message.Kind.INTAKE_LINK)

    deliver_due()

    message.refresh_from_db()
    assert (message.body_text, message.body_html) == (LINK_REMOVED, "")
    assert "Fri 4 Dec" in mail.outbox[0].body


def test_each_email_carries_a_message_id_naming_its_row_and_the_senders_domain(clock, settings):
    settings.DEFAULT_FROM_EMAIL = "Bella's Spa <bookings@bellas-spa.example>"
    message = queue()

    deliver_due()

    assert message_ids(mail.outbox) == [
        f"<outbox-{message.pk}.20261121090000000000@bellas-spa.example>"
    ]


def test_a_retried_email_has_the_same_message_id_so_the_repeat_is_known(clock, settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_services.ServerDropsTheConnectionAfterTakingIt"
    message = queue()
    deliver_due()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.move_to(NOW + dt.timedelta(minutes=1))
    deliver_due()

    first, second = message_ids(mail.outbox)
    assert first == second == email_message_id(message)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)


def test_a_worker_killed_mid_run_loses_nothing_and_repeats_at_most_the_email_it_held(
    clock, settings
):
    settings.EMAIL_BACKEND = "tests.outbox.test_services.WorkerKilledOnTheSecondEmail"
    first, second, third = (queue(subject=f"Message {number}") for number in (1, 2, 3))

    with pytest.raises(SystemExit):
        deliver_due()

    statuses = [Message.objects.get(pk=message.pk).status for message in (first, second, third)]
    assert statuses == [Message.Status.SENT, Message.Status.SENDING, Message.Status.PENDING]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.move_to(NOW + TIMEOUT)
    assert deliver_due() == 2

    assert [email.subject for email in mail.outbox] == [
        "Message 1",
        "Message 2",
        "Message 2",
        "Message 3",
    ]
    assert len(set(message_ids(mail.outbox))) == 3
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


def test_a_message_held_by_a_killed_worker_waits_for_the_timeout(clock, settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_services.WorkerKilledWhileConnecting"
    message = queue()
    with pytest.raises(SystemExit):
        deliver_due()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.move_to(NOW + TIMEOUT - dt.timedelta(seconds=1))
    assert deliver_due() == 0
    message.refresh_from_db()
    assert (message.status, message.claimed_at) == (Message.Status.SENDING, NOW)

    clock.move_to(NOW + TIMEOUT)
    assert deliver_due() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.SENT, 2)


def test_the_sending_timeout_is_a_setting(clock, settings):
    settings.OUTBOX_SENDING_TIMEOUT_SECONDS = 30
    settings.EMAIL_BACKEND = "tests.outbox.test_services.WorkerKilledWhileConnecting"
    queue()
    with pytest.raises(SystemExit):
        deliver_due()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    clock.move_to(NOW + dt.timedelta(seconds=30))
    assert deliver_due() == 1


def test_a_message_that_keeps_killing_its_worker_ends_failed(clock, settings):
    settings.EMAIL_BACKEND = "tests.outbox.test_services.WorkerKilledWhileConnecting"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = queue()
    for tries in range(2):
        clock.move_to(NOW + tries * TIMEOUT)
        with pytest.raises(SystemExit):
            deliver_due()

    clock.move_to(NOW + 2 * TIMEOUT)
    assert deliver_due() == 0

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Message.Status.FAILED, 2)
    assert message.last_error == WORKER_STOPPED


def test_booking_goes_on_when_the_broker_is_down(clock, django_capture_on_commit_callbacks):
    saved = (celery_app.conf.task_always_eager, celery_app.conf.broker_url)
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"
    celery_app._pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = queue()
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.broker_url = saved
        celery_app._pool = None

    message.refresh_from_db()
    assert message.status == Message.Status.PENDING
    assert deliver_due() == 1


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_never_send_a_message_twice():
    Message.objects.bulk_create(
        Message(
            kind=Message.Kind.REMINDER,
            to="olivia@example.com",
            subject=f"Message {number}",
            body_text="See you soon.",
            due_at=dt.datetime.now(dt.UTC),
        )
        for number in range(40)
    )
    ready = threading.Barrier(2)
    counts: list[int] = []

    def deliver() -> None:
        try:
            ready.wait()
            counts.append(deliver_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(counts) == 40
    assert sorted(message.subject for message in mail.outbox) == sorted(
        f"Message {number}" for number in range(40)
    )
