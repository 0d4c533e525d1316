"""The booking race: a burst of bookings through the real app never books anyone twice at once.

What it proves: 1,000 bookings posted at once to the booking page (`POST /sessions/new/`), by
50 signed-in staff browsers against the app served by gunicorn on PostgreSQL, leave no
esthetician and no client in two overlapping sessions, and none of them gets a server error.

How: it creates a scratch database (`spa_race_<random>`), migrates it and writes a small spa
into it (6 estheticians working 07:00–21:00 every day, 10 clients with clear intakes, one
60-minute treatment). It serves the app with gunicorn on a free local port, signs 50 browsers
in, then sends 20 waves of 50 bookings; a barrier holds each wave until every thread is ready,
so the requests of a wave arrive together. Each booking is for one day a week ahead, at one of
20 starts half an hour apart (so sessions overlap in part as well as in full), with an
esthetician and a client picked at random; each wave also carries a planned clash of each kind
(one esthetician twice at one time; one client with two estheticians half an hour apart).
Then it asks the database for overlapping held sessions per esthetician and per client.

It passes (exit 0) only when there are no overlaps of either kind, no answer of 500 or more,
every answer is a booking or a refusal for a taken esthetician or a busy client, the database
holds exactly the sessions the app said it booked, and there were bookings and refusals of
both kinds (so the race really happened). It stops the app and drops the scratch database
afterwards, whatever happened, unless `--keep`.

    .venv/bin/python scripts/booking_race.py
    .venv/bin/python scripts/booking_race.py --threads 8 --per-thread 5 --keep
    .venv/bin/python scripts/booking_race.py --without-constraints   # the row locks alone

The admin connection creates and drops the scratch database, and the app connects with its
role too: `--admin-url`, else RACE_ADMIN_DATABASE_URL, else
postgresql://postgres@127.0.0.1:5432/postgres.
Exit codes: 0 passed, 1 failed, 3 no scratch database could be created, 4 no gunicorn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSED, FAILED, NO_DATABASE, NO_GUNICORN = 0, 1, 3, 4

# The day's starts: 20 of them, half an hour apart, for 60-minute sessions, so a session
# overlaps the one starting half an hour either side of it in part.
FIRST_START = dt.time(8, 0)
STARTS = 20
STEP_MINUTES = 30
SESSION_MINUTES = 60
OPENS, CLOSES = dt.time(7, 0), dt.time(21, 0)
DAYS_AHEAD = 7

HELD_STATUSES = ("booked", "completed")
REQUEST_TIMEOUT = 120
WAVE_TIMEOUT = 300
APP_START_TIMEOUT = 60

# How the booking page says what happened (templates/treatments/session_new.html and the
# reasons of treatments/scheduling.py and treatments/services/booking.py).
BOOKED_PATH = re.compile(r"^/sessions/\d+/$")
NOT_BOOKED = "<strong>Not booked.</strong>"
TAKEN_BADGE = 'badge--block">Taken</span>'
BUSY_BADGE = 'badge--block">Client booked</span>'
# Only the database's exclusion constraints word a refusal this way: the row locks let a
# booking past them.
BY_CONSTRAINT = ("booked by someone else a moment ago", "booked at that time elsewhere a moment")


class Outcome(StrEnum):
    BOOKED = "booked"
    SLOT_TAKEN = "refused: the esthetician is booked then"
    CLIENT_BUSY = "refused: the client is booked then, elsewhere"
    BOTH = "refused: both are booked then"
    REFUSED_OTHERWISE = "refused for another reason"
    OTHER = "other answers (2xx–4xx)"
    SERVER_ERROR = "server errors (≥ 500)"
    NO_ANSWER = "no answer"


SLOT_REFUSALS = (Outcome.SLOT_TAKEN, Outcome.BOTH)
CLIENT_REFUSALS = (Outcome.CLIENT_BUSY, Outcome.BOTH)
UNEXPECTED = (Outcome.REFUSED_OTHERWISE, Outcome.OTHER, Outcome.NO_ANSWER)


class CannotCreateDatabase(Exception):
    """The admin connection could not create the scratch database."""


class NoGunicorn(Exception):
    """There is no gunicorn to serve the app with."""


class AppDidNotStart(Exception):
    """Gunicorn ran, but the app never answered /healthz."""


class SignInRefused(Exception):
    """The app would not sign the race's member of staff in."""


class Cursor(Protocol):
    def execute(self, query: str, params: Sequence[Any] = ...) -> Any: ...
    def fetchone(self) -> Any: ...


# The plan: who is booked when, wave by wave (pure) -------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One booking request: an esthetician and a client (by id) at a start on the race day."""

    esthetician: int
    client: int
    starts: dt.time


def day_starts(count: int = STARTS) -> list[dt.time]:
    """The starts a booking may pick: `count` of them, STEP_MINUTES apart from FIRST_START."""
    first = dt.datetime.combine(dt.date.min, FIRST_START)
    return [(first + dt.timedelta(minutes=STEP_MINUTES * n)).time() for n in range(count)]


def overlap(first: dt.time, second: dt.time, minutes: int = SESSION_MINUTES) -> bool:
    """True when sessions of `minutes` starting at these two times overlap on one day."""
    apart = dt.datetime.combine(dt.date.min, first) - dt.datetime.combine(dt.date.min, second)
    return abs(apart) < dt.timedelta(minutes=minutes)


def race_plan(
    *,
    waves: int,
    threads: int,
    estheticians: Sequence[int],
    clients: Sequence[int],
    seed: int,
) -> list[list[Attempt]]:
    """`waves` lists of `threads` attempts: random picks, with one planned clash of each kind
    in every wave (the same esthetician twice at one start; the same client with two
    estheticians half an hour apart), so both are in flight at the same moment."""
    if threads < 4 or len(estheticians) < 2 or len(clients) < 2:
        raise ValueError("A race needs 4 threads, 2 estheticians and 2 clients at least.")
    chance = random.Random(seed)
    starts = day_starts()
    plan = []
    for _ in range(waves):
        wave = [
            Attempt(chance.choice(estheticians), chance.choice(clients), chance.choice(starts))
            for _ in range(threads)
        ]
        first, second = chance.sample(list(clients), 2)
        someone_else = second if wave[0].client == first else first
        wave[1] = Attempt(wave[0].esthetician, someone_else, wave[0].starts)
        at = chance.randrange(len(starts) - 1)
        ours, theirs = chance.sample(list(estheticians), 2)
        wave[2] = Attempt(ours, wave[2].client, starts[at])
        wave[3] = Attempt(theirs, wave[2].client, starts[at + 1])
        plan.append(wave)
    return plan


def clashes(plan: Sequence[Sequence[Attempt]]) -> tuple[int, int]:
    """Pairs sent in one wave that cannot both be booked: (one esthetician twice at once,
    one client with two estheticians at once)."""
    estheticians = clients = 0
    for wave in plan:
        for number, one in enumerate(wave):
            for other in wave[number + 1 :]:
                if not overlap(one.starts, other.starts):
                    continue
                estheticians += one.esthetician == other.esthetician
                clients += one.client == other.client and one.esthetician != other.esthetician
    return estheticians, clients


# Reading the app's answers (pure) ------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    text: str


@dataclass(frozen=True)
class Result:
    """What one booking request came to; `detail` describes an unexpected answer."""

    outcome: Outcome
    by_constraint: bool = False
    detail: str = ""


def result_of(answer: Answer) -> Result:
    """Read the booking page's answer: a redirect to the new session, or the refusal's reasons."""
    if answer.status >= 500:
        return Result(Outcome.SERVER_ERROR, detail=f"{answer.status} {page_words(answer.text)}")
    if answer.status == 302 and BOOKED_PATH.match(urlsplit(answer.location).path):
        return Result(Outcome.BOOKED)
    if answer.status != 200 or NOT_BOOKED not in answer.text:
        said = f"{answer.status} {answer.location} {page_words(answer.text)}"
        return Result(Outcome.OTHER, detail=" ".join(said.split()))
    taken, busy = TAKEN_BADGE in answer.text, BUSY_BADGE in answer.text
    outcome = {
        (True, True): Outcome.BOTH,
        (True, False): Outcome.SLOT_TAKEN,
        (False, True): Outcome.CLIENT_BUSY,
        (False, False): Outcome.REFUSED_OTHERWISE,
    }[(taken, busy)]
    by_constraint = any(words in answer.text for words in BY_CONSTRAINT)
    return Result(outcome, by_constraint=by_constraint)


def page_words(page: str, length: int = 300) -> str:
    """The start of a page's main part, as words (what an unexpected answer said)."""
    before, main, after = page.partition("<main")
    part = main + after if main else before
    return " ".join(re.sub(r"<[^>]+>", " ", part).split())[:length]


# The verdict (pure) --------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """What the database holds after the race: held sessions and overlapping pairs of them."""

    sessions: int
    esthetician_overlaps: int
    client_overlaps: int


@dataclass
class Race:
    """The race's results, as the summary and the verdict read them."""

    results: list[Result]
    held: Held
    seconds: float = 0.0
    tally: Counter[Outcome] = field(init=False)

    def __post_init__(self) -> None:
        self.tally = Counter(result.outcome for result in self.results)

    def count(self, *outcomes: Outcome) -> int:
        return sum(self.tally[outcome] for outcome in outcomes)


def verdict(race: Race) -> list[str]:
    """Everything wrong with the race's outcome, in sentences; empty when it passed."""
    held = race.held
    failures = []
    if held.esthetician_overlaps:
        failures.append(
            f"{pairs(held.esthetician_overlaps)} of one esthetician's sessions overlap."
        )
    if held.client_overlaps:
        failures.append(f"{pairs(held.client_overlaps)} of one client's sessions overlap.")
    if race.tally[Outcome.SERVER_ERROR]:
        failures.append(f"Server errors (500 or more): {race.tally[Outcome.SERVER_ERROR]}.")
    if race.count(*UNEXPECTED):
        failures.append(
            "Answers neither a booking nor a refusal for a booked esthetician or client: "
            f"{race.count(*UNEXPECTED)}."
        )
    if held.sessions != race.tally[Outcome.BOOKED]:
        failures.append(
            f"The database holds {held.sessions} sessions, but {race.tally[Outcome.BOOKED]} "
            "answers said booked."
        )
    if not race.tally[Outcome.BOOKED]:
        failures.append("Nothing was booked, so nothing raced.")
    if not race.count(*SLOT_REFUSALS):
        failures.append("No booking was refused because the esthetician was booked then.")
    if not race.count(*CLIENT_REFUSALS):
        failures.append("No booking was refused because the client was booked then.")
    return failures


def pairs(count: int) -> str:
    return f"{count} pair" if count == 1 else f"{count} pairs"


def summary(race: Race, *, threads: int, per_thread: int) -> list[str]:
    """The printed account of the race: what was sent, every kind of answer, what is held."""
    sent = len(race.results)
    lines = [
        f"{sent} bookings ({threads} threads × {per_thread} waves) answered in "
        f"{race.seconds:.1f} s ({sent / max(race.seconds, 0.001):.0f} a second):"
    ]
    lines += [f"  {outcome.value:<48}{race.tally[outcome]:>6}" for outcome in Outcome]
    by_constraint = sum(result.by_constraint for result in race.results)
    lines.append(f"  {'of the refusals, by the database constraints':<48}{by_constraint:>6}")
    held = race.held
    lines.append(
        f"Held sessions in the database: {held.sessions} "
        f"({race.tally[Outcome.BOOKED]} answers said booked)"
    )
    lines.append(
        f"Overlapping held sessions: {pairs(held.esthetician_overlaps)} for one esthetician, "
        f"{pairs(held.client_overlaps)} for one client"
    )
    for result in race.results:
        if result.detail:
            lines.append(f"First unexpected answer: {result.outcome.value}: {result.detail}")
            break
    return lines


# The database --------------------------------------------------------------------------------


def database_url(admin_url: str, name: str) -> str:
    """The admin connection's address, pointed at database `name`."""
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


@contextmanager
def scratch_database(admin_url: str, *, keep: bool) -> Iterator[str]:
    """A new empty database for the race, dropped afterwards unless `keep`."""
    name = f"spa_race_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        raise CannotCreateDatabase(
            f"Could not create a scratch database through {without_password(admin_url)}: "
            f"{error}".strip()
        ) from error
    try:
        yield database_url(admin_url, name)
    finally:
        if keep:
            print(f"Kept the scratch database: {without_password(database_url(admin_url, name))}")
        else:
            with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as admin:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                admin.execute(drop.format(sql.Identifier(name)))


def count_held(cursor: Cursor) -> Held:
    """Held sessions, and pairs of them that overlap for one esthetician or one client."""
    held = list(HELD_STATUSES)
    cursor.execute("SELECT count(*) FROM treatments_session WHERE status = ANY(%s)", [held])
    (sessions,) = cursor.fetchone()
    overlaps = []
    for column in ("esthetician_id", "client_id"):
        cursor.execute(
            f"""
            SELECT count(*) FROM treatments_session AS one
            JOIN treatments_session AS other
              ON other.{column} = one.{column} AND other.id > one.id
             AND tstzrange(one.starts_at, one.ends_at, '[)')
                 && tstzrange(other.starts_at, other.ends_at, '[)')
            WHERE one.status = ANY(%s) AND other.status = ANY(%s)
            """,
            [held, held],
        )
        overlaps.append(cursor.fetchone()[0])
    return Held(sessions, *overlaps)


# The scratch spa (Django, in this process) ---------------------------------------------------


@dataclass(frozen=True)
class Spa:
    estheticians: list[int]
    clients: list[int]
    treatment: int
    username: str
    password: str
    day: dt.date


def app_environment(database_url: str) -> dict[str, str]:
    """The app's settings for the race: the scratch database, production mode, nothing else
    shared (no Redis, no outgoing email)."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"REDIS_URL", "EMAIL_URL", "DJANGO_SETTINGS_MODULE"}
    }
    return environment | {
        "DJANGO_SETTINGS_MODULE": "spa.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "STATIC_MANIFEST": "false",
        "REQUIRE_MANAGER_2FA": "false",
    }


def prepare_spa(
    environment: dict[str, str], *, estheticians: int, clients: int, constraints: bool
) -> Spa:
    """Set Django up on the scratch database, migrate it and write the spa into it."""
    # The settings read the environment as they load, so it is the app's before Django starts.
    os.environ.clear()
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    if not constraints:
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE treatments_session DROP CONSTRAINT session_no_overlap, "
                "DROP CONSTRAINT session_client_no_overlap"
            )
    return write_spa(estheticians=estheticians, clients=clients)


def write_spa(*, estheticians: int, clients: int) -> Spa:
    """Estheticians working every day from OPENS to CLOSES, clients with a clear intake, one
    treatment; the first esthetician signs in (with a random password) to book for everyone."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from clients.models import Intake
    from clients.services import client_create, intake_submit
    from spa.access import ESTHETICIANS
    from treatments.models import Esthetician, Treatment, WorkingHours

    group = Group.objects.get_or_create(name=ESTHETICIANS)[0]
    password = secrets.token_urlsafe(18)
    staff = []
    for number in range(1, estheticians + 1):
        user = get_user_model().objects.create_user(
            username=f"esthetician{number}",
            first_name="Esthetician",
            last_name=str(number),
            password=password if number == 1 else None,
        )
        user.groups.add(group)
        staff.append(Esthetician.objects.create(user=user))
        WorkingHours.objects.bulk_create(
            WorkingHours(esthetician=staff[-1], weekday=day, starts_at=OPENS, ends_at=CLOSES)
            for day in range(7)
        )
    desk = staff[0].user
    client_ids = []
    for number in range(1, clients + 1):
        born = dt.date(1970 + number, 1 + number % 12, 10)
        fields = {"first_name": "Client", "last_name": f"{number:02d}", "date_of_birth": born}
        client = client_create(fields=fields, created_by=desk)
        intake_submit(
            client=client,
            answers={"date_of_birth": born},
            source=Intake.Source.STAFF,
            recorded_by=desk,
        )
        client_ids.append(client.pk)
    treatment = Treatment.objects.create(name="Microcurrent lift", minutes=SESSION_MINUTES)
    return Spa(
        estheticians=[esthetician.pk for esthetician in staff],
        clients=client_ids,
        treatment=treatment.pk,
        username=desk.username,
        password=password,
        day=timezone.localdate() + dt.timedelta(days=DAYS_AHEAD),
    )


def held_after_race() -> Held:
    from django.db import connection

    with connection.cursor() as cursor:
        held = count_held(cursor)
    connection.close()
    return held


# The app under gunicorn ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(port: int, *, workers: int, threads: int) -> list[str]:
    """Gunicorn beside this Python (the project's virtualenv), or on the PATH."""
    beside = Path(sys.executable).with_name("gunicorn")
    executable = str(beside) if beside.exists() else shutil.which("gunicorn")
    if executable is None:
        raise NoGunicorn("gunicorn is not installed beside this Python or on the PATH.")
    return [
        executable,
        "spa.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--graceful-timeout=5",
    ]


@contextmanager
def serving(
    environment: dict[str, str], log_path: Path, *, workers: int, threads: int
) -> Iterator[str]:
    """The app under gunicorn (with the repository's gunicorn.conf.py), answering /healthz;
    gunicorn's log, requests and errors, goes to `log_path`."""
    port = free_port()
    command = gunicorn_command(port, workers=workers, threads=threads)
    with log_path.open("w") as log:
        app = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(app, base_url, log_path)
        yield base_url
    finally:
        app.terminate()
        try:
            app.wait(timeout=20)
        except subprocess.TimeoutExpired:
            app.kill()
            app.wait()


def wait_for_health(app: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + APP_START_TIMEOUT
    while time.monotonic() < deadline:
        if app.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    tail = "\n".join(log_path.read_text().splitlines()[-20:])
    raise AppDidNotStart(f"The app did not answer {base_url}/healthz. Gunicorn said:\n{tail}")


# Staff browsers ------------------------------------------------------------------------------


class Browser:
    """One member of staff's browser: its own cookies, a fresh connection for each request."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}

    def get(self, path: str) -> Answer:
        return self.send("GET", path)

    def post(self, path: str, fields: dict[str, str]) -> Answer:
        """Submit a form, with the CSRF token its page would carry."""
        fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields}
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.send("POST", path, urlencode(fields), headers)

    def send(
        self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None
    ) -> Answer:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(
                method, path, body=body, headers={"Cookie": cookie, **(headers or {})}
            )
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                self.keep_cookies(header)
            return Answer(response.status, response.getheader("Location", ""), text)
        finally:
            connection.close()

    def keep_cookies(self, header: str) -> None:
        """Keep what a Set-Cookie header sets; an emptied cookie is one Django deleted."""
        for name, morsel in SimpleCookie(header).items():
            if morsel.value:
                self.cookies[name] = morsel.value
            else:
                self.cookies.pop(name, None)

    def sign_in(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        answer = self.post("/accounts/login/", {"username": username, "password": password})
        if answer.status != 302 or "/accounts/login/" in answer.location:
            raise SignInRefused(f"Signing in as {username} answered {answer.status}.")


def sign_in_all(base_url: str, spa: Spa, count: int) -> list[Browser]:
    """`count` browsers, each signed in once (hashing the password takes a while each)."""
    browsers = [Browser(base_url) for _ in range(count)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda browser: browser.sign_in(spa.username, spa.password), browsers))
    return browsers


def book(browser: Browser, attempt: Attempt, spa: Spa) -> Result:
    """Post one booking as the booking page's form does."""
    fields = {
        "client": str(attempt.client),
        "esthetician": str(attempt.esthetician),
        "treatment": str(spa.treatment),
        "day": spa.day.isoformat(),
        "time": f"{attempt.starts:%H:%M}",
        "caution_note": "",
    }
    try:
        return result_of(browser.post("/sessions/new/", fields))
    except (OSError, http.client.HTTPException) as error:
        return Result(Outcome.NO_ANSWER, detail=repr(error))


def race(browsers: Sequence[Browser], plan: Sequence[Sequence[Attempt]], spa: Spa) -> list[Result]:
    """Each browser on its own thread sends its attempt of each wave once all are ready."""
    ready = threading.Barrier(len(browsers))
    results: list[list[Result]] = [[] for _ in browsers]

    def send_waves(number: int) -> None:
        try:
            for wave in plan:
                try:
                    ready.wait(timeout=WAVE_TIMEOUT)
                except threading.BrokenBarrierError:
                    fell_behind = Result(Outcome.NO_ANSWER, detail="a thread fell behind")
                    results[number].append(fell_behind)
                    continue
                results[number].append(book(browsers[number], wave[number], spa))
                if number == 0:
                    print(".", end="", flush=True)
        except BaseException:
            # The others would wait for this thread at the barrier until it timed out.
            ready.abort()
            raise

    threads = [threading.Thread(target=send_waves, args=(n,)) for n in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print()
    return [result for per_thread in results for result in per_thread]


# The whole run -------------------------------------------------------------------------------


def run(options: argparse.Namespace, scratch_url: str, log_path: Path) -> int:
    """Write the spa, serve it, race, and judge what the database holds."""
    environment = app_environment(scratch_url)
    print(f"Scratch database {urlsplit(scratch_url).path[1:]}: migrating, writing the spa")
    spa = prepare_spa(
        environment,
        estheticians=options.estheticians,
        clients=options.clients,
        constraints=not options.without_constraints,
    )
    plan = race_plan(
        waves=options.per_thread,
        threads=options.threads,
        estheticians=spa.estheticians,
        clients=spa.clients,
        seed=options.seed,
    )
    print("\n".join(plan_lines(spa, plan, options)))
    app = serving(environment, log_path, workers=options.workers, threads=options.app_threads)
    with app as base_url:
        print(f"App at {base_url} ({options.workers} workers × {options.app_threads} threads)")
        browsers = sign_in_all(base_url, spa, options.threads)
        print(f"{len(browsers)} browsers signed in; racing", end="", flush=True)
        started = time.monotonic()
        results = race(browsers, plan, spa)
        seconds = time.monotonic() - started
    outcome = Race(results, held_after_race(), seconds)
    print("\n".join(summary(outcome, threads=options.threads, per_thread=options.per_thread)))
    if options.keep:
        print(f"Sign in as {spa.username} / {spa.password} to look around.")
    failures = verdict(outcome)
    if failures:
        print("FAILED:\n" + "\n".join(f"  {failure}" for failure in failures))
        return FAILED
    print("PASSED: no esthetician and no client was booked twice at once; no server error.")
    return PASSED


def plan_lines(
    spa: Spa, plan: Sequence[Sequence[Attempt]], options: argparse.Namespace
) -> list[str]:
    """What the race is about to send."""
    starts = day_starts()
    esthetician_clashes, client_clashes = clashes(plan)
    day = f"{spa.day:%a} {spa.day.day} {spa.day:%b %Y}"
    constraints = "dropped" if options.without_constraints else "in place"
    return [
        f"{len(spa.estheticians)} estheticians, {len(spa.clients)} clients, "
        f"{SESSION_MINUTES}-minute sessions starting every {STEP_MINUTES} min from "
        f"{starts[0]:%H:%M} to {starts[-1]:%H:%M} on {day} (seed {options.seed}, "
        f"exclusion constraints {constraints})",
        f"Clashing pairs sent in the same wave, in all: {esthetician_clashes} for one "
        f"esthetician, {client_clashes} for one client with two estheticians",
    ]


def parse_options(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=50, help="staff browsers racing (50)")
    parser.add_argument("--per-thread", type=int, default=20, help="bookings each sends (20)")
    # Enough estheticians that their days do not fill before the clients' do: then many a
    # booking is refused for the client alone, the race the client's row lock decides.
    parser.add_argument("--estheticians", type=int, default=6, help="(6)")
    parser.add_argument("--clients", type=int, default=10, help="(10)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--app-threads", type=int, default=8, help="threads per worker (8)")
    parser.add_argument("--seed", type=int, default=secrets.randbelow(10**6), help="(random)")
    parser.add_argument(
        "--admin-url",
        default=os.environ.get("RACE_ADMIN_DATABASE_URL") or DEFAULT_ADMIN_URL,
        help="a PostgreSQL role that may create databases (RACE_ADMIN_DATABASE_URL, "
        f"else {DEFAULT_ADMIN_URL})",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--without-constraints",
        action="store_true",
        help="drop the two exclusion constraints first: the row locks alone must hold",
    )
    options = parser.parse_args(argv)
    if options.threads < 4 or options.estheticians < 2 or options.clients < 2:
        parser.error("a race needs --threads 4, --estheticians 2 and --clients 2 at least")
    if options.per_thread < 1:
        parser.error("--per-thread must be 1 or more")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    log_path = Path(tempfile.gettempdir()) / f"booking-race-{secrets.token_hex(4)}.log"
    code = FAILED
    try:
        with scratch_database(options.admin_url, keep=options.keep) as scratch_url:
            code = run(options, scratch_url, log_path)
    except CannotCreateDatabase as error:
        print(error, file=sys.stderr)
        code = NO_DATABASE
    except NoGunicorn as error:
        print(error, file=sys.stderr)
        code = NO_GUNICORN
    except (AppDidNotStart, SignInRefused) as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
    finally:
        if code == PASSED and not options.keep:
            log_path.unlink(missing_ok=True)
        elif log_path.exists():
            print(f"Gunicorn's log (requests and errors): {log_path}")
    return code


if __name__ == "__main__":
    sys.exit(main())
