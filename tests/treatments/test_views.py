from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries, Settings

from clients.eligibility import assess_at
from clients.models import Client
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import EstheticianFactory, SeriesFactory, SessionFactory
from treatments.models import Esthetician, Session


def today_at(hour: int, minute: int = 0, *, days: int = 0) -> dt.datetime:
    """An aware moment on today's spa-local date (or `days` later), at a spa-local time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def cleared_client(first_name: str = "Iris", last_name: str = "Moss") -> Client:
    """A client with a clear intake on file, so no finding shows."""
    client = ClientFactory(first_name=first_name, last_name=last_name)
    IntakeFactory(client=client)
    return client


def today_page(browser: BrowserClient) -> str:
    """The main part of the Today page, without the header's names."""
    response = browser.get(reverse("today"))
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


def test_today_shows_the_estheticians_sessions_of_today(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Iris", last_name="Moss"),
        treatment__name="Microcurrent lift",
        starts_at=today_at(10),
    )

    page = today_page(esthetician_client)

    assert "Iris Moss" in page
    assert "10:00–11:00" in page
    assert "Microcurrent lift" in page
    assert "Single treatment" in page
    assert "Booked" in page


def test_today_leaves_out_tomorrow_and_other_estheticians(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician, client=cleared_client(first_name="Iris"), starts_at=today_at(10)
    )
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Tomorrow"),
        starts_at=today_at(10, days=1),
    )
    SessionFactory(
        esthetician=EstheticianFactory(),
        client=cleared_client(first_name="Elsewhere"),
        starts_at=today_at(12),
    )

    page = today_page(esthetician_client)

    assert "Iris" in page
    assert "Tomorrow" not in page
    assert "Elsewhere" not in page


def test_today_lists_sessions_in_time_order(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician, client=cleared_client(first_name="Later"), starts_at=today_at(15)
    )
    SessionFactory(
        esthetician=esthetician, client=cleared_client(first_name="Early"), starts_at=today_at(9)
    )

    page = today_page(esthetician_client)

    assert page.index("Early") < page.index("Later")


def test_today_says_when_there_are_no_sessions(esthetician_client: BrowserClient) -> None:
    page = today_page(esthetician_client)

    assert "No sessions today." in page


def test_session_at_half_past_midnight_spa_time_counts_as_today(
    settings: Settings, esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    # Auckland is 12 or 13 hours ahead of UTC: 00:30 there is the previous day in UTC.
    settings.TIME_ZONE = "Pacific/Auckland"
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Night", last_name="Owl"),
        starts_at=today_at(0, 30),
    )
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Yesterday"),
        starts_at=today_at(23, 30, days=-1),
    )

    page = today_page(esthetician_client)

    assert "Night Owl" in page
    assert "00:30–01:30" in page
    assert "Yesterday" not in page


def test_third_session_of_a_series_says_series_3_of_8(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = cleared_client()
    series = SeriesFactory(client=client, esthetician=esthetician, planned_sessions=8)
    for days, status in ((-14, Session.Status.COMPLETED), (-7, Session.Status.COMPLETED)):
        SessionFactory(
            client=client,
            esthetician=esthetician,
            series=series,
            kind=Session.Kind.SERIES,
            status=status,
            starts_at=today_at(10, days=days),
        )
    SessionFactory(
        client=client,
        esthetician=esthetician,
        series=series,
        kind=Session.Kind.SERIES,
        starts_at=today_at(10),
    )

    page = today_page(esthetician_client)

    assert "Series 3 of 8" in page


def test_blocked_session_says_blocked_with_the_reason(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = ClientFactory(first_name="Paula")
    IntakeFactory(client=client, has_pacemaker=True)
    SessionFactory(esthetician=esthetician, client=client, starts_at=today_at(11))

    page = today_page(esthetician_client)

    assert "Blocked" in page
    assert "Pacemaker or other implanted electronic device" in page


def test_client_without_an_intake_is_blocked_until_one_is_filled_in(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(esthetician=esthetician, client=ClientFactory(), starts_at=today_at(11))
    [intake_missing] = assess_at(None, today_at(11), today=timezone.localdate())

    page = today_page(esthetician_client)

    assert intake_missing.code == "intake_missing"
    assert "Blocked" in page
    assert intake_missing.message in page


def test_caution_says_caution_with_the_reason(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = ClientFactory()
    IntakeFactory(client=client, epilepsy=True)
    SessionFactory(esthetician=esthetician, client=client, starts_at=today_at(11))

    page = today_page(esthetician_client)

    assert "Caution" in page
    assert "Epilepsy" in page
    assert "Blocked" not in page


def test_cancelled_session_is_struck_through_and_says_cancelled(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician,
        client=ClientFactory(first_name="Gone"),
        starts_at=today_at(14),
        status=Session.Status.CANCELLED,
        status_reason="Client is unwell.",
    )

    page = today_page(esthetician_client)

    assert "session--cancelled" in page
    assert "Cancelled" in page
    assert "Client is unwell." in page
    # Nothing to check before a treatment that will not happen.
    assert "Blocked" not in page


def test_manager_sees_every_estheticians_sessions_grouped(
    manager_client: BrowserClient, esthetician: Esthetician
) -> None:
    other = EstheticianFactory(user__first_name="Zoe", user__last_name="Reed")
    SessionFactory(
        esthetician=esthetician, client=cleared_client(first_name="Iris"), starts_at=today_at(15)
    )
    SessionFactory(
        esthetician=other, client=cleared_client(first_name="Olive"), starts_at=today_at(9)
    )

    page = today_page(manager_client)

    assert "Zoe Reed" in page
    assert page.index("Anna") < page.index("Iris") < page.index("Zoe Reed") < page.index("Olive")


@pytest.mark.parametrize("sessions", [1, 20])
def test_today_query_count_does_not_grow_with_sessions(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    sessions: int,
) -> None:
    for number in range(sessions):
        client = ClientFactory()
        IntakeFactory(client=client, has_pacemaker=number % 2 == 0)
        series = SeriesFactory(client=client, esthetician=esthetician)
        SessionFactory(
            esthetician=esthetician,
            client=client,
            series=series,
            kind=Session.Kind.SERIES,
            starts_at=today_at(8) + dt.timedelta(minutes=30 * number),
            ends_at=today_at(8) + dt.timedelta(minutes=30 * (number + 1)),
        )

    # Session, user, staff groups, esthetician, today's sessions, latest intakes, access log.
    with django_assert_max_num_queries(7):
        response = esthetician_client.get(reverse("today"))

    assert response.content.decode().count('<li class="session') == sessions


def test_flagged_booked_session_says_needs_attention_with_the_reason(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician,
        client=cleared_client(first_name="Fern"),
        starts_at=today_at(15),
        needs_attention=True,
        attention_reason="Pacemaker or other implanted electronic device: never.",
    )

    page = today_page(esthetician_client)

    assert "Needs attention" in page
    assert "Pacemaker or other implanted electronic device: never." in page
    assert "session--attention" in page
