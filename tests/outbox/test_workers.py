"""Real Celery workers on Redis deliver the outbox: once each, after Redis comes back, and
with nothing lost when a worker is killed mid-run.

Runs where PostgreSQL and Redis answer on 127.0.0.1 (CI's second run); skipped elsewhere.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from outbox.models import Message
from outbox.services import email_message_id
from outbox.tasks import deliver_due
from spa.celery import app as celery_app
from tests.clients.factories import IntakeFactory
from tests.markers import requires_postgresql
from tests.outbox.mail_sink import MailSink, message_ids
from tests.treatments.factories import TreatmentFactory
from treatments import services

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/11"
DOWN = "redis://127.0.0.1:1/0"


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


pytestmark = [
    requires_postgresql,
    pytest.mark.skipif(not redis_answers(), reason="needs Redis on 127.0.0.1:6379 (CI has it)"),
]


def use_broker(url: str) -> None:
    """Send this process's tasks through `url` for real (not in-process)."""
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = url
    celery_app._pool = None


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def start_workers(
    transactional_db: None, mail_dir: Path
) -> Iterator[Callable[..., list[subprocess.Popen]]]:
    """Start worker processes against Redis and this test's database, mailing into files
    unless told otherwise; each keyword argument is one worker's settings, by name."""
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    broker_before, eager_before = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spa.settings",
        "DATABASE_URL": (
            f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}"
            f"/{database['NAME']}"
        ),
        "REDIS_URL": BROKER,
        "EMAIL_URL": f"file://{mail_dir}",
        "SECRET_KEY": "workers-under-test",
        "DEBUG": "false",
    }
    started: list[subprocess.Popen] = []

    def start(**workers: dict[str, str]) -> list[subprocess.Popen]:
        batch = [worker_process(name, {**environment, **env}) for name, env in workers.items()]
        started.extend(batch)
        for worker in batch:
            wait_until_ready(worker)
        return batch

    try:
        yield start
    finally:
        for worker in started:
            worker.terminate()
        for worker in started:
            worker.wait(timeout=20)
        use_broker(broker_before)
        celery_app.conf.task_always_eager = eager_before


@pytest.fixture
def workers(start_workers: Callable[..., list[subprocess.Popen]]) -> list[subprocess.Popen]:
    """Two worker processes mailing into files."""
    return start_workers(worker1={}, worker2={})


def worker_process(name: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "spa",
            "worker",
            "--pool",
            "solo",
            "--hostname",
            f"{name}@%h",
            "--loglevel",
            "info",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def send_delivery(times: int = 1) -> None:
    """Ask the workers to deliver, as beat does every minute, through a fresh connection."""
    with celery_app.connection_for_write(BROKER) as broker:
        for _ in range(times):
            deliver_due.apply_async(connection=broker)


def wait_until_ready(worker: subprocess.Popen, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    assert worker.stderr is not None
    while time.monotonic() < deadline:
        line = worker.stderr.readline()
        if " ready." in line:
            # Keep reading what it logs, or a full pipe would stop the worker mid-run.
            threading.Thread(target=worker.stderr.read, daemon=True).start()
            return
        if worker.poll() is not None:
            pytest.fail(f"a worker stopped: {worker.stderr.read()}")
    pytest.fail("a worker did not get ready in time")


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail("waited in vain")


def book_session_whose_reminder_is_due(esthetician, settings) -> Message:
    settings.REMINDER_HOURS_BEFORE = 24 * 21
    client = IntakeFactory(client__email="olivia@example.com").client
    day = timezone.localdate() + dt.timedelta(days=2)
    while day.weekday() == 6:
        day += dt.timedelta(days=1)
    services.session_book(
        client=client,
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))),
        booked_by=None,
    )
    return Message.objects.get(kind=Message.Kind.REMINDER)


def emails_sent(mail_dir: Path, subject: str) -> int:
    if not mail_dir.exists():
        return 0
    return sum(file.read_text().count(f"Subject: {subject}") for file in mail_dir.iterdir())


def test_two_workers_deliver_a_due_reminder_exactly_once(workers, esthetician, settings, mail_dir):
    use_broker(BROKER)
    reminder = book_session_whose_reminder_is_due(esthetician, settings)
    send_delivery(times=6)  # as beat and several wake-ups would: both workers race for it

    wait_for(lambda: Message.objects.get(pk=reminder.pk).status == Message.Status.SENT)
    time.sleep(2)  # let the other deliveries finish: none of them may send it again

    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (Message.Status.SENT, 1)
    assert emails_sent(mail_dir, reminder.subject) == 1


def test_a_booking_with_redis_down_is_kept_and_its_reminder_goes_once_redis_is_back(
    workers, esthetician, settings, mail_dir
):
    use_broker(DOWN)
    reminder = book_session_whose_reminder_is_due(esthetician, settings)
    time.sleep(1)
    assert Message.objects.get(pk=reminder.pk).status == Message.Status.PENDING
    assert emails_sent(mail_dir, reminder.subject) == 0

    use_broker(BROKER)
    send_delivery()

    wait_for(lambda: Message.objects.get(pk=reminder.pk).status == Message.Status.SENT)
    assert emails_sent(mail_dir, reminder.subject) == 1


def messages_due_now(count: int) -> list[Message]:
    now = dt.datetime.now(dt.UTC)
    return Message.objects.bulk_create(
        Message(
            kind=Message.Kind.REMINDER,
            to=f"client{number}@example.com",
            subject=f"Message {number}",
            body_text="See you soon.",
            due_at=now,
        )
        for number in range(count)
    )


def test_a_worker_killed_mid_run_loses_no_message_and_repeats_at_most_one(start_workers):
    messages = messages_due_now(300)
    mailbox: list = []
    with (
        MailSink(mailbox, hold_email_number=30) as doomed_workers_server,
        MailSink(mailbox) as survivors_server,
    ):
        doomed, survivor = start_workers(
            doomed={"EMAIL_URL": doomed_workers_server.url, "OUTBOX_SENDING_TIMEOUT_SECONDS": "2"},
            survivor={"EMAIL_URL": survivors_server.url, "OUTBOX_SENDING_TIMEOUT_SECONDS": "2"},
        )
        use_broker(BROKER)
        send_delivery(times=2)

        # The server has taken an email; the worker waits to hear so and records nothing yet.
        assert doomed_workers_server.holding.wait(timeout=30), "the worker never got going"
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        kills = 1
        held = doomed_workers_server.held["Message-ID"]

        send_delivery()  # as beat does every minute, in case the dead worker held every task
        wait_for(lambda: not Message.objects.filter(status=Message.Status.PENDING).exists())
        time.sleep(2)  # the killed worker's claim times out
        send_delivery()
        wait_for(lambda: set(Message.objects.values_list("status", flat=True)) == {"sent"})

    assert survivor.poll() is None
    sent = message_ids(mailbox)
    assert set(sent) == {email_message_id(message) for message in messages}  # none lost
    assert sum(copies - 1 for copies in sent.values()) <= kills
    assert sent[held] == 2
    assert len(mailbox) == 301
