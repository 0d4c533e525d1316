"""Requests per second under gunicorn (2 workers): the floor, the busiest week, the dashboard.

gunicorn serves the site with the floor's address (spa.bench.wsgi) on a free local port, with
the product's gunicorn.conf.py; a few threads here ask for one page at a time, for a fixed
number of seconds each. A sign-in is made for the manager (one session row, deleted at the
end); the pages asked for write nothing else. gunicorn is always stopped at the end."""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from accounts.sign_in import LAST_SEEN
from clients.models import Client
from spa.bench.floor import FLOOR_PATH
from spa.bench.subjects import EMPTY, busiest_esthetician, busiest_week, manager
from treatments.models import Session

WORKERS, THREADS = 2, 4
WARM_UP_SECONDS = 1.0
STARTUP_SECONDS = 30
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Rate:
    page: str
    requests: int
    seconds: float
    statuses: Counter[int]
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0


def throughput(*, seconds: float, write: Callable[[str], object]) -> None:
    """Start gunicorn, time the three pages one after another, stop gunicorn."""
    if not Client.objects.exists() or not Session.objects.exists():
        raise CommandError(EMPTY)
    today = timezone.localdate()
    esthetician = busiest_esthetician(today=today)
    week = busiest_week(esthetician, today=today)
    calendar = f"{reverse('calendar')}?view=week&date={week.isoformat()}"
    pages = [
        ("Floor", f"/{FLOOR_PATH}"),
        ("Calendar, week (busiest)", f"{calendar}&esthetician={esthetician.pk}"),
        ("Dashboard", reverse("dashboard")),
    ]
    with signed_in(manager()) as cookie, gunicorn() as port:
        write(
            f"gunicorn, {WORKERS} workers, {os.cpu_count()} cores; {THREADS} client threads "
            f"in this process; {seconds:g} s per page after {WARM_UP_SECONDS:g} s of warm-up."
        )
        write(f"{'page':28} {'requests/s':>11} {'% of floor':>11} {'median ms':>10}  statuses")
        floor_rate = None
        for name, path in pages:
            hammer(port, path, cookie, seconds=WARM_UP_SECONDS)
            rate = hammer(port, path, cookie, seconds=seconds, name=name)
            floor_rate = floor_rate or rate.per_second
            statuses = ", ".join(f"{count}× {status}" for status, count in rate.statuses.items())
            write(
                f"{name:28} {rate.per_second:11.1f} {100 * rate.per_second / floor_rate:10.0f}% "
                f"{rate.median_ms:10.1f}  {statuses}"
            )


@contextmanager
def signed_in(user: object) -> Iterator[str]:
    """A session cookie for the user, as a sign-in would leave (without touching the user)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)  # type: ignore[attr-defined]
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()  # type: ignore[attr-defined]
    store[LAST_SEEN] = int(time.time())
    store.save(must_create=True)
    try:
        yield f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    finally:
        store.delete()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn() -> Iterator[int]:
    """gunicorn serving spa.bench.wsgi on a free port, stopped (killed if need be) at the end."""
    port = free_port()
    environment = os.environ | {
        "DEBUG": "false",
        # The same key, or the sign-in made here would not be believed there.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": HOST,
        "WEB_CONCURRENCY": str(WORKERS),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "spa.bench.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(WORKERS),
    ]
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=log
        )
        try:
            _wait_until_up(server, port, log)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_up(server: subprocess.Popen[bytes], port: int, log: object) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            log.seek(0)  # type: ignore[attr-defined]
            said = log.read().decode(errors="replace")[-2000:]  # type: ignore[attr-defined]
            raise CommandError(f"gunicorn stopped at once:\n{said}")
        try:
            status, _ = _get(port, reverse("healthz"), cookie="")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            return
        time.sleep(0.2)
    raise CommandError(f"gunicorn did not answer on port {port} within {STARTUP_SECONDS} s.")


def _get(port: int, path: str, *, cookie: str) -> tuple[int, float]:
    """One request on a new connection (gunicorn's sync workers close each one)."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response.status, (time.perf_counter() - started) * 1000
    finally:
        connection.close()


def hammer(port: int, path: str, cookie: str, *, seconds: float, name: str = "") -> Rate:
    """THREADS threads asking for the page one request after another, for `seconds`."""
    deadline = time.perf_counter() + seconds
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def ask() -> None:
        while time.perf_counter() < deadline:
            try:
                status, ms = _get(port, path, cookie=cookie)
            except OSError:
                status, ms = 0, 0.0
            with lock:
                statuses[status] += 1
                latencies.append(ms)

    started = time.perf_counter()
    threads = [threading.Thread(target=ask) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return Rate(name or path, sum(statuses.values()), elapsed, statuses, latencies)
