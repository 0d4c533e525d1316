"""Erasing a client: who they were is replaced in place, their bookings to come are cancelled,
their health answers stay anonymous, and the erasure is recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clients.models import Client, ClientErasure, HealthRecordAccess, Intake, IntakeLink
from clients.selectors import client_search
from clients.services import intake_link_create
from outbox.models import Message
from privacy.services import AlreadyErased, client_erase
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import TreatmentFactory
from treatments import services
from treatments.models import Esthetician, MaintenanceVisit, Series, Session, TreatmentRecord
from treatments.services import BookingRefused

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)
TUESDAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def iris(db: None) -> Client:
    client = ClientFactory(
        first_name="Iris",
        last_name="Moss",
        email="iris@example.com",
        phone="07700 900123",
        date_of_birth=dt.date(1985, 6, 15),
        notes="Prefers mornings; sister of Ada Moss.",
    )
    IntakeFactory(
        client=client,
        submitted_at=NOW - dt.timedelta(days=1),
        signature="Iris Moss",
        ip_address="203.0.113.9",
        epilepsy=True,
    )
    return client


def book_series(client: Client, esthetician: Esthetician) -> Series:
    return services.series_create(
        client=client,
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_on=TUESDAY,
        planned_sessions=8,
        sessions_per_week=1,
        weekdays=[1],
        preferred_time=dt.time(10),
        created_by=esthetician.user,
        caution_note="Epilepsy: her GP says fine.",
    )


def erase(client: Client, esthetician: Esthetician) -> ClientErasure:
    return client_erase(client=client, by=esthetician.user, reason="The client asked.")


def test_what_identifies_the_client_is_replaced_in_place(iris, esthetician):
    erase(iris, esthetician)

    iris.refresh_from_db()
    assert (iris.first_name, iris.last_name) == ("Erased", f"client {iris.pk}")
    assert (iris.email, iris.phone, iris.notes, iris.date_of_birth) == ("", "", "", None)
    assert iris.erased_at == NOW


def test_the_intakes_lose_what_identifies_and_keep_the_health_answers(iris, esthetician):
    erase(iris, esthetician)

    intake = Intake.objects.get(client=iris)
    assert (intake.signature, intake.ip_address, intake.date_of_birth) == ("", None, None)
    assert intake.epilepsy is True
    assert intake.erased_at == NOW


def test_bookings_to_come_are_cancelled_with_their_reminders_and_no_make_ups(
    iris, esthetician, clock
):
    series = book_series(iris, esthetician)
    first = series.sessions.order_by("starts_at").first()
    clock.move_to(dt.datetime(2026, 12, 1, 11, tzinfo=LONDON))
    services.session_complete(session=first, by=esthetician.user)

    erasure = erase(iris, esthetician)

    series.refresh_from_db()
    assert series.status == Series.Status.CANCELLED
    statuses = list(series.sessions.order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["completed"] + ["cancelled"] * 7
    assert erasure.sessions_cancelled == 7
    assert not Session.objects.filter(kind=Session.Kind.MAKE_UP).exists()
    assert not Message.objects.filter(
        kind=Message.Kind.REMINDER, status=Message.Status.PENDING
    ).exists()


def test_maintenance_visits_not_given_are_removed_with_their_messages(iris, esthetician):
    series = book_series(iris, esthetician)
    Series.objects.filter(pk=series.pk).update(status=Series.Status.COMPLETED)
    visit = MaintenanceVisit.objects.create(series=series, number=1, due_on=dt.date(2027, 3, 1))
    services.messages.maintenance_reminder_schedule(visit)

    erase(iris, esthetician)

    assert not MaintenanceVisit.objects.filter(series=series).exists()
    assert not Message.objects.filter(status=Message.Status.PENDING).exists()


def test_staff_words_about_the_client_are_erased(iris, esthetician, clock):
    series = book_series(iris, esthetician)
    first = series.sessions.order_by("starts_at").first()
    clock.move_to(dt.datetime(2026, 12, 1, 11, tzinfo=LONDON))
    services.session_complete(
        session=first,
        by=esthetician.user,
        record={
            "intensity_ua": 200,
            "frequency_hz": 300,
            "waveform": "square",
            "areas": ["jawline"],
            "minutes": 45,
            "tolerance": "comfortable",
            "adverse_reaction": "Redness; Iris said her sister reacts too.",
            "notes": "Iris mentioned her wedding.",
        },
    )

    erase(iris, esthetician)

    record = TreatmentRecord.objects.get(session=first)
    assert (record.adverse_reaction, record.notes) == ("", "")
    assert record.intensity_ua == 200
    assert Series.objects.get(pk=series.pk).caution_note == ""
    assert not Session.objects.filter(client=iris).exclude(caution_note="").exists()


def test_messages_about_the_client_are_emptied(iris, esthetician):
    book_series(iris, esthetician)
    assert Message.objects.filter(to="iris@example.com").exists()

    erase(iris, esthetician)

    assert not Message.objects.filter(to="iris@example.com").exists()
    assert set(Message.objects.values_list("subject", flat=True)) == {"(erased)"}
    assert set(Message.objects.values_list("body_text", flat=True)) == {""}


def test_the_erasure_is_recorded_and_logged(iris, esthetician):
    erasure = erase(iris, esthetician)

    assert (erasure.client, erasure.erased_by, erasure.at) == (iris, esthetician.user, NOW)
    assert erasure.reason == "The client asked."
    line = HealthRecordAccess.objects.get(client=iris, action=HealthRecordAccess.Action.ERASED)
    assert line.user == esthetician.user


def test_open_intake_links_stop_working(iris, esthetician):
    intake_link_create(client=iris, created_by=None, site_url="http://spa.test")

    erase(iris, esthetician)

    assert IntakeLink.objects.get(client=iris).state(NOW + dt.timedelta(seconds=1)) == "expired"


def test_a_client_is_erased_only_once(iris, esthetician):
    erase(iris, esthetician)

    with pytest.raises(AlreadyErased):
        erase(iris, esthetician)

    assert ClientErasure.objects.count() == 1


def test_an_erased_client_can_be_neither_found_nor_booked(iris, esthetician):
    erase(iris, esthetician)
    iris.refresh_from_db()

    with pytest.raises(BookingRefused) as single:
        services.session_book(
            client=iris,
            esthetician=esthetician,
            treatment=TreatmentFactory(),
            starts_at=dt.datetime(2026, 12, 1, 10, tzinfo=LONDON),
            booked_by=None,
        )
    with pytest.raises(BookingRefused) as series:
        book_series(iris, esthetician)

    assert single.value.codes == series.value.codes == ["client_erased"]
    assert list(client_search("Erased")) == []


def test_other_clients_are_untouched(iris, esthetician):
    ada = IntakeFactory(client__first_name="Ada", signature="Ada Moss").client
    book_series(ada, esthetician)

    erase(iris, esthetician)

    ada.refresh_from_db()
    assert ada.first_name == "Ada"
    assert Intake.objects.get(client=ada).signature == "Ada Moss"
    assert Session.objects.filter(client=ada, status=Session.Status.BOOKED).count() == 8
