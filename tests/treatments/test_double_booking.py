"""Two people booking one slot at the same moment get exactly one session (PostgreSQL)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from outbox.models import Message
from tests.clients.factories import IntakeFactory
from tests.markers import requires_postgresql
from tests.treatments.factories import (
    EstheticianFactory,
    SessionFactory,
    TreatmentFactory,
    WorkingHoursFactory,
)
from treatments import services
from treatments.models import Esthetician, Series, Session
from treatments.selectors import availability_for
from treatments.services import BookingRefused, booking

pytestmark = [requires_postgresql, pytest.mark.django_db(transaction=True)]

TEN = dt.time(10)
ONE_DAY = dt.timedelta(days=1)


def next_tuesday_at_ten() -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=7)
    while day.weekday() != 1:
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def book_at_once(*bookings: dict) -> list[BookingRefused | None]:
    """Run each booking (session_book's arguments) in its own thread, all released together:
    None for a booking that went through, the refusal for one that did not."""
    ready = threading.Barrier(len(bookings))
    outcomes: list[BookingRefused | None] = []

    def book(booking: dict) -> None:
        try:
            ready.wait()
            services.session_book(**booking, booked_by=None)
            outcomes.append(None)
        except BookingRefused as refused:
            outcomes.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(booking,)) for booking in bookings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def codes_of(outcomes: list[BookingRefused | None]) -> list[str]:
    return sorted("booked" if refused is None else ",".join(refused.codes) for refused in outcomes)


def test_two_bookings_of_one_slot_from_two_threads_give_exactly_one(esthetician):
    treatment = TreatmentFactory(minutes=60)
    starts_at = next_tuesday_at_ten()

    outcomes = book_at_once(
        *(
            {
                "client": IntakeFactory().client,
                "esthetician": esthetician,
                "treatment": treatment,
                "starts_at": starts_at,
            }
            for _ in range(2)
        )
    )

    assert codes_of(outcomes) == ["booked", "slot_taken"]
    # The row lock, not the constraint, turned the second one away: it saw the first booking.
    (refused,) = [outcome for outcome in outcomes if outcome is not None]
    assert "already has a session" in str(refused)
    assert Session.objects.filter(esthetician=esthetician, starts_at=starts_at).count() == 1


def test_the_database_holds_the_no_overlap_constraint():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            ["session_no_overlap"],
        )
        (definition,) = cursor.fetchone()

    assert definition.startswith("EXCLUDE USING gist")
    assert "tstzrange(starts_at, ends_at" in definition


def test_the_database_refuses_an_overlap_written_past_the_services(esthetician):
    starts_at = next_tuesday_at_ten()
    SessionFactory(esthetician=esthetician, starts_at=starts_at)

    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(esthetician=esthetician, starts_at=starts_at + dt.timedelta(minutes=30))


def test_the_database_allows_back_to_back_and_cancelled_overlaps(esthetician):
    starts_at = next_tuesday_at_ten()
    SessionFactory(esthetician=esthetician, starts_at=starts_at)

    SessionFactory(esthetician=esthetician, starts_at=starts_at + dt.timedelta(hours=1))
    SessionFactory(esthetician=esthetician, starts_at=starts_at, status=Session.Status.CANCELLED)

    assert Session.objects.filter(esthetician=esthetician).count() == 3


# One client, never in two places at once ----------------------------------------------------


def other_esthetician() -> Esthetician:
    ben = EstheticianFactory(user__username="ben", user__first_name="Ben")
    for weekday in range(6):
        WorkingHoursFactory(
            esthetician=ben, weekday=weekday, starts_at=dt.time(9), ends_at=dt.time(17)
        )
    return ben


def test_one_client_booked_at_once_with_two_estheticians_from_two_threads_gets_one(esthetician):
    treatment = TreatmentFactory(minutes=60)
    client = IntakeFactory().client
    starts_at = next_tuesday_at_ten()

    outcomes = book_at_once(
        *(
            {"client": client, "esthetician": who, "treatment": treatment, "starts_at": starts_at}
            for who in (esthetician, other_esthetician())
        )
    )

    assert codes_of(outcomes) == ["booked", "client_busy"]
    assert Session.objects.filter(client=client).count() == 1


def test_the_database_holds_the_client_no_overlap_constraint():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = %s",
            ["session_client_no_overlap"],
        )
        (definition,) = cursor.fetchone()

    assert definition.startswith("EXCLUDE USING gist (client_id WITH =")


def test_the_database_refuses_a_client_overlap_written_past_the_services(esthetician):
    ben = other_esthetician()
    starts_at = next_tuesday_at_ten()
    first = SessionFactory(esthetician=esthetician, starts_at=starts_at)

    with pytest.raises(IntegrityError, match="session_client_no_overlap"), transaction.atomic():
        SessionFactory(
            esthetician=ben, client=first.client, starts_at=starts_at + dt.timedelta(minutes=30)
        )

    SessionFactory(
        esthetician=ben, client=first.client, starts_at=starts_at + dt.timedelta(hours=1)
    )
    assert Session.objects.filter(client=first.client).count() == 2


# Moving a session to another esthetician ----------------------------------------------------


def at_once(*calls) -> list[Exception | None]:
    """Run each call in its own thread, all released together: None for a call that went
    through, the exception for one that did not."""
    ready = threading.Barrier(len(calls))
    outcomes: list[Exception | None] = []

    def run(call) -> None:
        try:
            ready.wait()
            call()
            outcomes.append(None)
        except Exception as error:
            # A deadlock, or any other error, is an outcome the test can see, not a hang.
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_a_move_and_a_booking_of_one_slot_from_two_threads_give_exactly_one(esthetician):
    treatment = TreatmentFactory(minutes=60)
    ben = other_esthetician()
    starts_at = next_tuesday_at_ten()
    session = SessionFactory(
        esthetician=esthetician,
        client=IntakeFactory().client,
        treatment=treatment,
        starts_at=starts_at - dt.timedelta(hours=1),
    )
    newcomer = IntakeFactory().client

    outcomes = at_once(
        lambda: services.session_reschedule(
            session=session, starts_at=starts_at, by=None, esthetician=ben
        ),
        lambda: services.session_book(
            client=newcomer,
            esthetician=ben,
            treatment=treatment,
            starts_at=starts_at,
            booked_by=None,
        ),
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["BookingRefused", "NoneType"]
    (refused,) = [outcome for outcome in outcomes if outcome is not None]
    assert refused.codes == ["slot_taken"]
    assert Session.objects.filter(esthetician=ben, starts_at=starts_at).count() == 1


def test_two_moves_between_two_estheticians_the_opposite_way_round_both_go_through(
    esthetician,
):
    treatment = TreatmentFactory(minutes=60)
    ben = other_esthetician()
    ten = next_tuesday_at_ten()
    annas = SessionFactory(
        esthetician=esthetician, client=IntakeFactory().client, treatment=treatment, starts_at=ten
    )
    bens = SessionFactory(
        esthetician=ben,
        client=IntakeFactory().client,
        treatment=treatment,
        starts_at=ten + dt.timedelta(hours=2),
    )

    # Each locks both estheticians: in the order of the sessions' own estheticians, the two
    # would each hold one row and wait for the other's.
    outcomes = at_once(
        lambda: services.session_reschedule(
            session=annas, starts_at=ten + dt.timedelta(hours=4), by=None, esthetician=ben
        ),
        lambda: services.session_reschedule(
            session=bens, starts_at=ten + dt.timedelta(hours=4), by=None, esthetician=esthetician
        ),
    )

    assert outcomes == [None, None]
    annas.refresh_from_db()
    bens.refresh_from_db()
    assert (annas.esthetician, bens.esthetician) == (ben, esthetician)


def test_the_database_refuses_a_move_onto_a_booked_esthetician_written_past_the_services(
    esthetician,
):
    ben = other_esthetician()
    starts_at = next_tuesday_at_ten()
    SessionFactory(esthetician=ben, starts_at=starts_at)
    moving = SessionFactory(esthetician=esthetician, starts_at=starts_at)

    with pytest.raises(IntegrityError, match="session_no_overlap"), transaction.atomic():
        Session.objects.filter(pk=moving.pk).update(esthetician=ben)


# A series: every session under the locks, all or none ---------------------------------------


def series_of_six(client, esthetician: Esthetician, **changes) -> dict:
    """series_create's arguments: six Tuesdays at 10:00 from next Tuesday."""
    return {
        "client": client,
        "esthetician": esthetician,
        "treatment": TreatmentFactory(minutes=60),
        "starts_on": timezone.localdate(next_tuesday_at_ten()),
        "planned_sessions": 6,
        "sessions_per_week": 1,
        "weekdays": [1],
        "preferred_time": dt.time(10),
        "created_by": None,
        **changes,
    }


def weekly(first: dt.datetime, count: int) -> list[dt.datetime]:
    return [
        timezone.make_aware(dt.datetime.combine(first.date() + dt.timedelta(weeks=week), TEN))
        for week in range(count)
    ]


def test_two_series_over_one_slot_from_two_threads_book_one_and_nothing_of_the_other(
    esthetician,
):
    shown = weekly(timezone.localtime(next_tuesday_at_ten()), 6)
    first, second = IntakeFactory().client, IntakeFactory().client

    outcomes = at_once(
        *(
            lambda client=client: services.series_create(
                **series_of_six(client, esthetician), slots=shown
            )
            for client in (first, second)
        )
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["BookingRefused", "NoneType"]
    (refused,) = [outcome for outcome in outcomes if outcome is not None]
    assert set(refused.codes) == {"slot_taken"}
    booked = Session.objects.filter(esthetician=esthetician)
    assert sorted(booked.values_list("starts_at", flat=True)) == shown
    assert len({session.client_id for session in booked}) == 1
    assert Series.objects.count() == 1
    assert Message.objects.filter(kind=Message.Kind.REMINDER).count() == 6


def test_a_series_the_database_refuses_past_the_locks_books_nothing(esthetician, monkeypatch):
    client = IntakeFactory().client
    shown = weekly(timezone.localtime(next_tuesday_at_ten()), 6)
    SessionFactory(esthetician=esthetician, starts_at=shown[3])
    # As if the calendar had been read before that session was written.
    blind = availability_for
    monkeypatch.setattr(
        booking,
        "availability_for",
        lambda *args, **kwargs: dataclasses.replace(blind(*args, **kwargs), busy=[]),
    )

    with pytest.raises(BookingRefused) as refused:
        services.series_create(**series_of_six(client, esthetician))

    assert refused.value.codes == ["slot_taken"]
    assert "a moment ago" in str(refused.value)
    assert not Series.objects.exists()
    assert not Session.objects.filter(client=client).exists()
    assert not Message.objects.filter(client=client).exists()


# No session longer than a day ----------------------------------------------------------------


def test_the_database_refuses_a_session_longer_than_a_day(esthetician):
    starts_at = next_tuesday_at_ten()
    SessionFactory(esthetician=esthetician, starts_at=starts_at, ends_at=starts_at + ONE_DAY)

    with pytest.raises(IntegrityError, match="session_within_a_day"), transaction.atomic():
        SessionFactory(
            esthetician=esthetician,
            starts_at=starts_at + 2 * ONE_DAY,
            ends_at=starts_at + 3 * ONE_DAY + dt.timedelta(minutes=1),
        )
