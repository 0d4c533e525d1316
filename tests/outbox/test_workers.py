"""Real Celery workers on Redis deliver the outbox: once each, and after Redis comes back.

Runs where PostgreSQL and Redis answer on 127.0.0.1 (CI's second run); skipped elsewhere.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from outbox.models import Message
from outbox.tasks import deliver_due
from spa.celery import app as celery_app
from tests.clients.factories import IntakeFactory
from tests.markers import requires_postgresql
from tests.treatments.factories import TreatmentFactory
from treatments import services

ROOT = Path(__file__).resolve().parents[2]
BROKER = "redis://127.0.0.1:6379/13"
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
def workers(transactional_db: None, mail_dir: Path) -> Iterator[list[subprocess.Popen]]:
    """Two worker processes against Redis and this test's database, mailing into files."""
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    broker_before, eager_before = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    database = connection.settings_dict
    env = {
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
    started = [
        subprocess.Popen(
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
                f"worker{number}@%h",
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
        for number in (1, 2)
    ]
    try:
        for worker in started:
            wait_until_ready(worker)
        yield started
    finally:
        for worker in started:
            worker.terminate()
        for worker in started:
            worker.wait(timeout=20)
        use_broker(broker_before)
        celery_app.conf.task_always_eager = eager_before


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
