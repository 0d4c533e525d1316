"""Every staff page that shows a client's health answers or findings logs who saw it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse

from clients.models import Client, HealthRecordAccess
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import SeriesFactory, SessionFactory, TreatmentFactory
from treatments.models import Esthetician, Session

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=LONDON)  # Tue 1 Dec 2026, 09:00 in the spa


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def iris(db: None) -> Client:
    client = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=2), epilepsy=True)
    return client


def session_of(client: Client, esthetician: Esthetician, **fields) -> Session:
    """A session of the client's, today at 10:00 unless `starts_at` says otherwise."""
    fields.setdefault("starts_at", dt.datetime(2026, 12, 1, 10, tzinfo=LONDON))
    return SessionFactory(client=client, esthetician=esthetician, **fields)


def logged(client: Client) -> list[str]:
    return list(
        HealthRecordAccess.objects.filter(
            client=client, action=HealthRecordAccess.Action.VIEWED
        ).values_list("detail", flat=True)
    )


def test_today_logs_each_client_whose_findings_it_shows(
    esthetician_client: BrowserClient, esthetician: Esthetician, iris: Client
) -> None:
    session_of(iris, esthetician)

    esthetician_client.get(reverse("today"))

    assert logged(iris) == ["Today, Tue 1 Dec: each session's findings"]


def test_today_logs_the_health_reason_of_a_flagged_session_it_shows(
    esthetician_client: BrowserClient, esthetician: Esthetician, iris: Client
) -> None:
    session_of(
        iris,
        esthetician,
        starts_at=dt.datetime(2026, 12, 3, 10, tzinfo=LONDON),
        needs_attention=True,
        attention_reason="Acne flare-up.",
        attention_kinds=["health"],
    )

    esthetician_client.get(reverse("today"))

    assert logged(iris) == ["Today, Tue 1 Dec: why a session this week needs attention"]


def test_today_does_not_log_a_flag_that_says_nothing_of_health(
    esthetician_client: BrowserClient, esthetician: Esthetician, iris: Client
) -> None:
    session_of(
        iris,
        esthetician,
        starts_at=dt.datetime(2026, 12, 3, 10, tzinfo=LONDON),
        needs_attention=True,
        attention_reason="The spa is closed on Thu 3 Dec (Flood).",
        attention_kinds=["closure"],
    )

    esthetician_client.get(reverse("today"))

    assert logged(iris) == []


def test_today_logs_a_client_whose_intake_date_it_shows(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    olive = ClientFactory()
    IntakeFactory(client=olive, submitted_at=NOW - dt.timedelta(days=89))
    session_of(olive, esthetician, starts_at=dt.datetime(2026, 12, 4, 10, tzinfo=LONDON))

    esthetician_client.get(reverse("today"))

    assert logged(olive) == ["Today, Tue 1 Dec: the date of the intake on file"]


def test_today_logs_all_it_showed_of_a_client_in_one_line(
    esthetician_client: BrowserClient, esthetician: Esthetician, iris: Client
) -> None:
    session_of(iris, esthetician)
    session_of(
        iris,
        esthetician,
        starts_at=dt.datetime(2026, 12, 3, 10, tzinfo=LONDON),
        needs_attention=True,
        attention_reason="Acne flare-up.",
        attention_kinds=["health"],
    )

    esthetician_client.get(reverse("today"))

    assert logged(iris) == [
        "Today, Tue 1 Dec: each session's findings; why a session this week needs attention"
    ]


def test_the_session_page_is_logged(
    esthetician_client: BrowserClient, esthetician: Esthetician, iris: Client
) -> None:
    session = session_of(iris, esthetician)

    esthetician_client.get(reverse("session_detail", args=[session.pk]))

    assert logged(iris) == ["Session page: findings and treatment record of Tue 1 Dec, 10:00"]


def test_the_pre_treatment_check_is_logged(
    esthetician_client: BrowserClient, esthetician: Esthetician, iris: Client
) -> None:
    session = session_of(iris, esthetician)

    esthetician_client.get(reverse("session_check_in", args=[session.pk]))

    assert logged(iris) == ["Pre-treatment check: the answers on file of Tue 1 Dec, 10:00"]


def test_the_treatment_record_form_is_logged(
    esthetician_client: BrowserClient, esthetician: Esthetician, iris: Client, clock
) -> None:
    session = session_of(iris, esthetician, checked_in_at=NOW)
    clock.move_to(NOW + dt.timedelta(hours=1, minutes=5))

    esthetician_client.get(reverse("session_complete", args=[session.pk]))

    assert logged(iris) == ["Treatment record form: the last treatment record of Tue 1 Dec, 10:00"]


def test_the_booking_page_for_a_client_is_logged(
    esthetician_client: BrowserClient, esthetician: Esthetician, iris: Client
) -> None:
    treatment = TreatmentFactory()

    esthetician_client.get(
        reverse("session_new"),
        {
            "client": iris.pk,
            "esthetician": esthetician.pk,
            "treatment": treatment.pk,
            "day": "2026-12-08",
            "time": "10:00",
        },
    )

    assert logged(iris) == ["Booking page: findings on Tue 8 Dec, 10:00"]


def test_the_booking_page_search_logs_whose_standing_it_shows(
    esthetician_client: BrowserClient, iris: Client
) -> None:
    esthetician_client.get(reverse("session_new"), {"q": "Moss"})

    assert logged(iris) == ["Booking page: client search, whether each can book today"]


def test_series_planning_for_a_client_is_logged(
    esthetician_client: BrowserClient, iris: Client
) -> None:
    TreatmentFactory()

    esthetician_client.get(reverse("series_new"), {"client": iris.pk, "starts_on": "2026-12-08"})

    assert logged(iris) == ["Series planning: findings from Tue 8 Dec"]


def test_the_series_page_is_logged(
    esthetician_client: BrowserClient, esthetician: Esthetician, iris: Client
) -> None:
    series = SeriesFactory(client=iris, esthetician=esthetician, caution_note="Epilepsy: GP ok.")

    esthetician_client.get(reverse("series_detail", args=[series.pk]))

    assert logged(iris) == [
        "Series page of Microcurrent lift: cautions noted and what needs attention"
    ]


def test_the_dashboard_logs_the_clients_in_its_needs_attention_list(
    manager_client: BrowserClient, esthetician: Esthetician, iris: Client
) -> None:
    other = IntakeFactory().client
    session_of(iris, esthetician, needs_attention=True, attention_reason="Acne flare-up.")
    session_of(other, esthetician, starts_at=dt.datetime(2026, 12, 1, 12, tzinfo=LONDON))

    manager_client.get(reverse("dashboard"))

    assert logged(iris) == ["Dashboard: why booked sessions need attention"]
    assert logged(other) == []


def test_a_page_that_shows_nobodys_health_data_logs_nothing(
    manager_client: BrowserClient, db: None
) -> None:
    manager_client.get(reverse("dashboard"))
    manager_client.get(reverse("today"))

    assert not HealthRecordAccess.objects.exists()
