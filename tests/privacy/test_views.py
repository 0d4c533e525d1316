"""Managers' privacy pages: everything held about a client, erasure, clients due for erasure."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from clients.models import Client, HealthRecordAccess
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import SeriesFactory, SessionFactory
from treatments.models import Esthetician, Session, TreatmentRecord

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def iris(esthetician: Esthetician) -> Client:
    client = ClientFactory(first_name="Iris", last_name="Moss", email="iris@example.com")
    IntakeFactory(client=client, signature="Iris Moss", ip_address="203.0.113.9", epilepsy=True)
    IntakeFactory(client=client, acute_acne=True)
    series = SeriesFactory(client=client, esthetician=esthetician, home_device="NuFACE")
    done = SessionFactory(
        client=client,
        esthetician=esthetician,
        series=series,
        kind=Session.Kind.SERIES,
        status=Session.Status.COMPLETED,
        starts_at=NOW - dt.timedelta(days=7),
    )
    TreatmentRecord.objects.create(
        session=done,
        intensity_ua=200,
        frequency_hz=300,
        waveform="square",
        areas=["jawline"],
        minutes=45,
        tolerance="comfortable",
        notes="Liked it.",
    )
    SessionFactory(client=client, esthetician=esthetician, starts_at=NOW + dt.timedelta(days=3))
    return client


def test_the_json_file_holds_everything_and_the_download_is_logged(
    manager_client: BrowserClient, iris: Client
) -> None:
    response = manager_client.get(reverse("client_record_json", args=[iris.pk]))

    assert response["Content-Disposition"] == (
        f'attachment; filename="client-{iris.pk}-2026-11-21.json"'
    )
    record = json.loads(response.content)
    assert record["client"]["email"] == "iris@example.com"
    assert [intake["version"] for intake in record["intakes"]] == [1, 2]
    assert record["intakes"][0]["signature"] == "Iris Moss"
    assert record["intakes"][0]["ip_address"] == "203.0.113.9"
    assert record["intakes"][1]["acute_acne"] is True
    assert record["series"][0]["home_care"]["device"] == "NuFACE"
    assert [session["status"] for session in record["sessions"]] == ["Completed", "Booked"]
    assert record["sessions"][0]["treatment_record"]["notes"] == "Liked it."
    assert record["erasure"] is None
    line = HealthRecordAccess.objects.get(client=iris, action=HealthRecordAccess.Action.EXPORTED)
    assert line.detail == "Everything held, as a JSON file"


def test_the_readable_page_shows_everything_and_is_logged(
    manager_client: BrowserClient, iris: Client
) -> None:
    page = manager_client.get(reverse("client_record", args=[iris.pk])).content.decode()

    assert "Everything held about Iris Moss" in page
    assert "Signed “Iris Moss” from 203.0.113.9" in page
    assert "Liked it." in page
    assert HealthRecordAccess.objects.filter(
        client=iris, action=HealthRecordAccess.Action.EXPORTED
    ).exists()


@pytest.mark.parametrize("sessions", [1, 20])
def test_the_export_takes_the_same_few_queries_however_long_the_history(
    manager_client: BrowserClient,
    iris: Client,
    esthetician: Esthetician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    sessions: int,
) -> None:
    for number in range(sessions):
        SessionFactory(
            client=iris, esthetician=esthetician, starts_at=NOW + dt.timedelta(days=10 + number)
        )

    # Session, user, groups, client; intakes, links, series, visits, sessions, messages, log;
    # the export's own log line.
    with django_assert_max_num_queries(13):
        manager_client.get(reverse("client_record_json", args=[iris.pk]))


@pytest.mark.parametrize("name", ["client_record", "client_record_json", "client_erase"])
def test_estheticians_may_not_export_or_erase(
    esthetician_client: BrowserClient, iris: Client, name: str
) -> None:
    assert esthetician_client.get(reverse(name, args=[iris.pk])).status_code == 403
    assert not HealthRecordAccess.objects.filter(client=iris).exists()


def test_the_erase_page_says_what_will_happen(manager_client: BrowserClient, iris: Client) -> None:
    page = manager_client.get(reverse("client_erase", args=[iris.pk])).content.decode()

    assert "This cannot be undone." in page
    assert "Tue 24 Nov, 09:00" in page  # the booking to come, to be cancelled


def test_a_wrong_name_erases_nothing_and_keeps_the_reason_typed(
    manager_client: BrowserClient, iris: Client
) -> None:
    response = manager_client.post(
        reverse("client_erase", args=[iris.pk]),
        {"confirm_name": "Iris Mos", "reason": "Asked by email on 20 Nov."},
    )

    page = response.content.decode()
    iris.refresh_from_db()
    assert "That is not the client&#x27;s name as recorded: type “Iris Moss”." in page
    assert 'value="Asked by email on 20 Nov."' in page
    assert iris.erased_at is None


def test_the_right_name_erases_the_client(manager_client: BrowserClient, iris: Client) -> None:
    response = manager_client.post(
        reverse("client_erase", args=[iris.pk]),
        {"confirm_name": "  iris  moss ", "reason": "Asked by email on 20 Nov."},
        follow=True,
    )

    iris.refresh_from_db()
    page = response.content.decode()
    assert iris.erased_at == NOW
    assert "Client erased. 1 booking to come cancelled; the erasure is recorded." in page
    assert "Erased on Sat 21 Nov" in page
    assert "Book a session" not in page
    assert "Can book" not in page
    assert "Check another date" not in page


def test_an_erased_client_cannot_be_edited_or_sent_a_link(
    manager_client: BrowserClient, iris: Client
) -> None:
    manager_client.post(
        reverse("client_erase", args=[iris.pk]), {"confirm_name": "Iris Moss", "reason": "Asked."}
    )

    assert manager_client.get(reverse("client_edit", args=[iris.pk])).status_code == 404
    assert manager_client.get(reverse("client_intake_new", args=[iris.pk])).status_code == 404
    assert manager_client.post(reverse("client_intake_link", args=[iris.pk])).status_code == 404


# Clients due for erasure


def client_last_seen(years_ago: float, esthetician: Esthetician, **fields) -> Client:
    client = ClientFactory(**fields)
    Client.objects.filter(pk=client.pk).update(created_at=NOW - dt.timedelta(days=365 * 12))
    SessionFactory(
        client=client,
        esthetician=esthetician,
        status=Session.Status.COMPLETED,
        starts_at=NOW - dt.timedelta(days=round(365.25 * years_ago)),
    )
    return client


def test_clients_with_no_visit_for_the_retention_years_are_listed(
    manager_client: BrowserClient, esthetician: Esthetician
) -> None:
    gone = client_last_seen(8.1, esthetician, first_name="Gone")
    recent = client_last_seen(7.9, esthetician, first_name="Recent")
    coming_back = client_last_seen(9, esthetician, first_name="Returning")
    SessionFactory(client=coming_back, esthetician=esthetician, starts_at=NOW + dt.timedelta(7))
    never = ClientFactory(first_name="Never")
    Client.objects.filter(pk=never.pk).update(created_at=NOW - dt.timedelta(days=365 * 9))

    page = manager_client.get(reverse("retention")).content.decode()

    assert "Never" in page
    assert gone.full_name in page
    assert recent.full_name not in page
    assert coming_back.full_name not in page
    assert page.index("Never") < page.index(gone.full_name)
    assert f"{reverse('client_erase', args=[gone.pk])}?reason=retention" in page


def test_the_retention_years_are_a_setting(
    manager_client: BrowserClient, esthetician: Esthetician, settings
) -> None:
    settings.RETENTION_YEARS = 5
    seen = client_last_seen(6, esthetician, first_name="Six")

    page = manager_client.get(reverse("retention")).content.decode()

    assert seen.full_name in page
    assert "No visit for 5 years" in page


def test_erasing_from_the_retention_list_suggests_the_reason(
    manager_client: BrowserClient, esthetician: Esthetician
) -> None:
    gone = client_last_seen(9, esthetician)

    page = manager_client.get(
        reverse("client_erase", args=[gone.pk]), {"reason": "retention"}
    ).content.decode()

    assert "No visit for 8 years: the spa&#x27;s retention period has passed." in page


def test_the_retention_list_is_for_managers(esthetician_client: BrowserClient) -> None:
    assert esthetician_client.get(reverse("retention")).status_code == 403


def test_an_erased_client_cannot_be_chosen_for_booking_or_planning(
    manager_client: BrowserClient, iris: Client, esthetician: Esthetician
) -> None:
    manager_client.post(
        reverse("client_erase", args=[iris.pk]), {"confirm_name": "Iris Moss", "reason": "Asked."}
    )
    chosen = {"client": iris.pk, "esthetician": esthetician.pk, "day": "2026-12-08"}

    shown = manager_client.get(reverse("session_new"), {**chosen, "time": "10:00"})
    posted = manager_client.post(
        reverse("session_new"),
        {**chosen, "time": "10:00", "treatment": Session.objects.first().treatment_id},
    )
    planned = manager_client.get(reverse("series_new"), {"client": iris.pk})

    assert "Earliest allowed" not in shown.content.decode()
    assert "Erased" not in shown.content.decode()
    assert posted.status_code == 200
    assert "Erased" not in planned.content.decode()
    assert not Session.objects.filter(client=iris, status=Session.Status.BOOKED).exists()
