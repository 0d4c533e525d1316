"""The booking race script: its plan, how it reads the booking page, its verdict, and (on
PostgreSQL) a small race run end to end."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import timezone

from scripts.booking_race import (
    Answer,
    Attempt,
    Held,
    Outcome,
    Race,
    Result,
    clashes,
    count_held,
    day_starts,
    overlap,
    race_plan,
    result_of,
    summary,
    verdict,
)
from tests.clients.factories import IntakeFactory
from tests.markers import requires_postgresql
from tests.treatments.factories import (
    EstheticianFactory,
    SessionFactory,
    TreatmentFactory,
    WorkingHoursFactory,
)
from treatments.models import Esthetician, Session

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "booking_race.py"
TEN = dt.time(10)


# The plan ------------------------------------------------------------------------------------


def test_the_day_has_twenty_starts_half_an_hour_apart_from_eight():
    starts = day_starts()

    assert len(starts) == 20
    assert (starts[0], starts[1], starts[-1]) == (dt.time(8), dt.time(8, 30), dt.time(17, 30))


@pytest.mark.parametrize(
    ("first", "second", "overlaps"),
    [
        (TEN, TEN, True),
        (TEN, dt.time(10, 30), True),
        (dt.time(10, 30), TEN, True),
        (TEN, dt.time(11), False),
        (dt.time(11), TEN, False),
    ],
)
def test_hour_long_sessions_overlap_when_they_start_less_than_an_hour_apart(
    first: dt.time, second: dt.time, overlaps: bool
):
    assert overlap(first, second) is overlaps


def plan(**changes: Any) -> list[list[Attempt]]:
    arguments = {
        "waves": 20,
        "threads": 4,
        "estheticians": [1, 2, 3],
        "clients": [11, 12, 13],
        "seed": 7,
    }
    return race_plan(**{**arguments, **changes})


def test_the_plan_has_one_attempt_per_thread_and_wave_from_the_pools_and_starts():
    waves = plan(waves=5, threads=6)

    assert [len(wave) for wave in waves] == [6] * 5
    attempts = [attempt for wave in waves for attempt in wave]
    assert {attempt.esthetician for attempt in attempts} <= {1, 2, 3}
    assert {attempt.client for attempt in attempts} <= {11, 12, 13}
    assert {attempt.starts for attempt in attempts} <= set(day_starts())


@pytest.mark.parametrize("seed", range(20))
def test_every_wave_sends_a_clash_of_each_kind_at_once(seed: int):
    for wave in plan(seed=seed):
        esthetician_clashes, client_clashes = clashes([wave])

        assert esthetician_clashes >= 1
        assert client_clashes >= 1


def test_a_plan_is_the_same_for_the_same_seed_and_differs_for_another():
    assert plan(seed=3) == plan(seed=3)
    assert plan(seed=3) != plan(seed=4)


def test_a_client_cannot_clash_with_a_single_esthetician():
    with pytest.raises(ValueError, match="2 estheticians"):
        plan(estheticians=[1])


def test_clashes_count_one_esthetician_at_once_and_one_client_with_two_estheticians():
    wave = [
        Attempt(esthetician=1, client=11, starts=TEN),
        Attempt(esthetician=1, client=12, starts=dt.time(10, 30)),  # Esthetician 1 twice.
        Attempt(esthetician=2, client=11, starts=dt.time(10, 30)),  # Client 11 with 1 and 2.
        Attempt(esthetician=3, client=13, starts=dt.time(11)),  # Back to back: no clash.
        Attempt(esthetician=3, client=13, starts=dt.time(12)),
    ]

    assert clashes([wave]) == (1, 1)


# Reading the booking page's answers ----------------------------------------------------------


@pytest.fixture
def race_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=7)


@pytest.fixture
def anna(db: None) -> Esthetician:
    """An esthetician working every day, 07:00–21:00, as in the race."""
    anna = EstheticianFactory(user__username="anna")
    for weekday in range(7):
        WorkingHoursFactory(
            esthetician=anna, weekday=weekday, starts_at=dt.time(7), ends_at=dt.time(21)
        )
    return anna


def post_booking(anna: Esthetician, client_id: int, day: dt.date, time: str) -> Answer:
    """Book as the race does, through the booking page, and keep the answer as it reads it."""
    browser = BrowserClient()
    browser.force_login(anna.user)
    response = browser.post(
        reverse("session_new"),
        {
            "client": client_id,
            "esthetician": anna.pk,
            "treatment": TreatmentFactory(minutes=60).pk,
            "day": day.isoformat(),
            "time": time,
            "caution_note": "",
        },
    )
    return Answer(response.status_code, response.get("Location", ""), response.content.decode())


def session_at(day: dt.date, time: dt.time, **fields: Any) -> Session:
    starts_at = timezone.make_aware(dt.datetime.combine(day, time))
    return SessionFactory(starts_at=starts_at, treatment=TreatmentFactory(minutes=60), **fields)


def test_a_booking_made_is_read_as_booked(anna: Esthetician, race_day: dt.date):
    answer = post_booking(anna, IntakeFactory().client.pk, race_day, "10:00")

    assert result_of(answer) == Result(Outcome.BOOKED)


def test_a_refusal_for_the_esthetician_is_read_as_slot_taken(anna: Esthetician, race_day):
    session_at(race_day, TEN, esthetician=anna, client=IntakeFactory().client)

    answer = post_booking(anna, IntakeFactory().client.pk, race_day, "10:30")

    assert result_of(answer) == Result(Outcome.SLOT_TAKEN)


def test_a_refusal_for_the_client_is_read_as_client_busy(anna: Esthetician, race_day):
    client = IntakeFactory().client
    session_at(race_day, TEN, client=client)

    answer = post_booking(anna, client.pk, race_day, "10:30")

    assert result_of(answer) == Result(Outcome.CLIENT_BUSY)


def test_a_refusal_for_both_is_read_as_both(anna: Esthetician, race_day: dt.date):
    client = IntakeFactory().client
    session_at(race_day, TEN, esthetician=anna, client=IntakeFactory().client)
    session_at(race_day, dt.time(11), client=client)

    answer = post_booking(anna, client.pk, race_day, "10:30")

    assert result_of(answer) == Result(Outcome.BOTH)


def test_a_refusal_for_another_reason_is_read_as_such(anna: Esthetician, race_day: dt.date):
    client = IntakeFactory(has_pacemaker=True).client

    answer = post_booking(anna, client.pk, race_day, "10:00")

    assert result_of(answer).outcome == Outcome.REFUSED_OTHERWISE


def test_a_form_error_is_another_answer_with_its_words(anna: Esthetician, race_day: dt.date):
    answer = post_booking(anna, IntakeFactory().client.pk, race_day, "not a time")

    result = result_of(answer)

    assert result.outcome == Outcome.OTHER
    assert result.detail.startswith("200 ")
    assert "Please check the choice marked below" in result.detail


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        (Answer(302, "/accounts/login/?next=/sessions/new/", ""), Outcome.OTHER),
        (Answer(403, "", "CSRF verification failed."), Outcome.OTHER),
        (Answer(500, "", "<h1>Server Error (500)</h1>"), Outcome.SERVER_ERROR),
        (Answer(502, "", "Bad Gateway"), Outcome.SERVER_ERROR),
    ],
)
def test_answers_other_than_the_booking_page_are_told_apart(answer: Answer, outcome: Outcome):
    assert result_of(answer).outcome == outcome


def test_a_refusal_by_the_database_constraint_is_noted():
    page = (
        '<strong>Not booked.</strong><span class="badge badge--block">Taken</span> '
        "That time was booked by someone else a moment ago."
    )

    assert result_of(Answer(200, "", page)) == Result(Outcome.SLOT_TAKEN, by_constraint=True)


# The verdict ---------------------------------------------------------------------------------


def results(**counts: int) -> list[Result]:
    return [Result(Outcome[name]) for name, count in counts.items() for _ in range(count)]


A_FAIR_RACE = {"BOOKED": 3, "SLOT_TAKEN": 5, "CLIENT_BUSY": 1, "BOTH": 1}
NOTHING_OVERLAPS = Held(sessions=3, esthetician_overlaps=0, client_overlaps=0)


def test_a_race_with_no_overlap_and_no_error_passes():
    assert verdict(Race(results(**A_FAIR_RACE), NOTHING_OVERLAPS)) == []


def test_a_refusal_for_both_counts_for_each_kind():
    race = Race(results(BOOKED=3, BOTH=2), NOTHING_OVERLAPS)

    assert verdict(race) == []


@pytest.mark.parametrize(
    ("held", "failure"),
    [
        (Held(3, 1, 0), "1 pair of one esthetician's sessions overlap."),
        (Held(3, 0, 2), "2 pairs of one client's sessions overlap."),
        (Held(4, 0, 0), "The database holds 4 sessions, but 3 answers said booked."),
    ],
)
def test_what_the_database_holds_can_fail_the_race(held: Held, failure: str):
    assert verdict(Race(results(**A_FAIR_RACE), held)) == [failure]


@pytest.mark.parametrize(
    ("extra", "failure"),
    [
        ({"SERVER_ERROR": 1}, "Server errors (500 or more): 1."),
        (
            {"OTHER": 2},
            "Answers neither a booking nor a refusal for a booked esthetician or client: 2.",
        ),
        (
            {"REFUSED_OTHERWISE": 1, "NO_ANSWER": 1},
            "Answers neither a booking nor a refusal for a booked esthetician or client: 2.",
        ),
    ],
)
def test_any_answer_but_a_booking_or_a_clash_fails_the_race(extra: dict[str, int], failure: str):
    assert verdict(Race(results(**A_FAIR_RACE, **extra), NOTHING_OVERLAPS)) == [failure]


@pytest.mark.parametrize(
    ("counts", "failure"),
    [
        ({"SLOT_TAKEN": 5, "CLIENT_BUSY": 1}, "Nothing was booked, so nothing raced."),
        (
            {"BOOKED": 3, "CLIENT_BUSY": 1},
            "No booking was refused because the esthetician was booked then.",
        ),
        (
            {"BOOKED": 3, "SLOT_TAKEN": 5},
            "No booking was refused because the client was booked then.",
        ),
    ],
)
def test_a_race_without_bookings_and_both_kinds_of_refusal_did_not_happen(
    counts: dict[str, int], failure: str
):
    held = Held(counts.get("BOOKED", 0), 0, 0)

    assert verdict(Race(results(**counts), held)) == [failure]


def test_the_summary_counts_every_kind_of_answer_and_what_is_held():
    race = Race(
        [*results(**A_FAIR_RACE), Result(Outcome.OTHER, detail="403 CSRF verification failed.")],
        NOTHING_OVERLAPS,
        seconds=2.0,
    )

    lines = summary(race, threads=4, per_thread=3)

    assert lines[0] == "11 bookings (4 threads × 3 waves) answered in 2.0 s (6 a second):"
    assert f"  {'booked':<48}{3:>6}" in lines
    assert f"  {'refused: the esthetician is booked then':<48}{5:>6}" in lines
    assert f"  {'server errors (≥ 500)':<48}{0:>6}" in lines
    assert "Held sessions in the database: 3 (3 answers said booked)" in lines
    assert "Overlapping held sessions: 0 pairs for one esthetician, 0 pairs for one client" in lines
    assert (
        lines[-1]
        == "First unexpected answer: other answers (2xx–4xx): 403 CSRF verification failed."
    )


# On PostgreSQL -------------------------------------------------------------------------------


@requires_postgresql
@pytest.mark.django_db
def test_overlapping_held_sessions_are_counted_in_pairs(esthetician: Esthetician):
    with connection.cursor() as cursor:
        # The app's role may not drop the backstop constraints, and should not. A temporary copy
        # of the table without them shadows the real one for this test's transaction only (the
        # session's temporary tables come first on the search path), so overlaps can be written.
        cursor.execute(
            "CREATE TEMPORARY TABLE treatments_session "
            "(LIKE public.treatments_session INCLUDING DEFAULTS INCLUDING IDENTITY)"
        )
    day = timezone.localdate() + dt.timedelta(days=7)
    client = IntakeFactory().client
    session_at(day, TEN, esthetician=esthetician, client=client)
    session_at(day, dt.time(10, 30), esthetician=esthetician)  # The esthetician twice.
    session_at(day, dt.time(10, 30), client=client)  # The client with someone else.
    session_at(day, dt.time(11), esthetician=esthetician)  # Back to back with 10:00.
    session_at(day, TEN, esthetician=esthetician, status=Session.Status.CANCELLED)

    with connection.cursor() as cursor:
        held = count_held(cursor)

    assert held == Held(sessions=4, esthetician_overlaps=2, client_overlaps=1)


def admin_url() -> str:
    """RACE_ADMIN_DATABASE_URL, else the tests' own PostgreSQL role on its `postgres` database."""
    if os.environ.get("RACE_ADMIN_DATABASE_URL"):
        return os.environ["RACE_ADMIN_DATABASE_URL"]
    database = settings.DATABASES["default"]
    password = f":{quote(database['PASSWORD'], safe='')}" if database.get("PASSWORD") else ""
    host = database.get("HOST") or "127.0.0.1"
    return (
        f"postgresql://{quote(database['USER'], safe='')}{password}@{host}:"
        f"{database.get('PORT') or 5432}/postgres"
    )


@requires_postgresql
def test_a_small_race_through_gunicorn_books_nobody_twice():
    finished = subprocess.run(
        [
            sys.executable,
            SCRIPT,
            "--threads=8",
            "--per-thread=5",
            "--workers=2",
            "--app-threads=4",
            f"--admin-url={admin_url()}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    said = finished.stdout + finished.stderr
    if finished.returncode == 3:
        pytest.skip(f"the race needs a role that may create a database: {said.strip()}")
    if finished.returncode == 4:
        pytest.skip(f"the race serves the app with gunicorn: {said.strip()}")

    assert finished.returncode == 0, said
    assert "40 bookings (8 threads × 5 waves)" in said
    assert "Overlapping held sessions: 0 pairs for one esthetician, 0 pairs for one client" in said
    assert "PASSED" in said
