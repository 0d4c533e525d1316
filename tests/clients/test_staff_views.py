"""The staff's client pages: the list, a client's page, details, the desk intake, links."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client as BrowserClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from clients import selectors
from clients.models import Client, HealthRecordAccess, Intake, IntakeLink
from tests.clients.factories import ClientFactory, IntakeFactory, UserFactory
from tests.treatments.factories import SeriesFactory, SessionFactory
from treatments.models import Esthetician, Session

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
# Wednesday 25 November 2026, mid-morning at the spa.
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def wednesday_morning() -> Iterator[time_machine.Traveller]:
    """A fixed clock, set before anyone logs in so their session is still fresh."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """An aware spa-local moment."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def main_of(response) -> str:
    """The page's main region as text, without the header's names."""
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


def is_checked(page: str, name: str, value: str) -> bool:
    """True when the page's radio button `name` = `value` is chosen."""
    return re.search(rf'<input[^>]*name="{name}" value="{value}"[^>]*\bchecked', page) is not None


def cleared(**fields) -> Client:
    """A client with a clear intake given a week ago."""
    client = ClientFactory(**fields)
    IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=7))
    return client


def desk_answers(client: Client, **changes: str) -> dict[str, str]:
    """A complete front-desk intake post with every answer No, changed by `changes`."""
    answers = {
        "first_name": client.first_name,
        "last_name": client.last_name,
        "email": client.email,
        "phone": client.phone,
        "date_of_birth": "1985-06-15",
        "has_pacemaker": "no",
        "acute_acne": "no",
        "pregnant": "no",
        "due_date": "",
        "weeks_pregnant": "",
        "had_injectable": "no",
        "last_injectable_on": "",
        "epilepsy": "no",
        "cancer": "no",
        "metal_implants": "no",
        "heart_condition": "no",
        "skin_lesions": "no",
        "consent": "on",
        "signature": client.full_name,
    }
    return {**answers, **changes}


# The client list ------------------------------------------------------------------------------


def list_page(browser: BrowserClient, **params: str) -> str:
    return main_of(browser.get(reverse("client_list"), params))


@pytest.mark.parametrize(
    "query",
    ["Annabel", "clarkson", "Ann Cla", "annabel.c@example", "07700 900123", "07700900123"],
    ids=["first name", "last name", "full name", "email", "phone", "phone without spaces"],
)
def test_list_finds_a_client_by(esthetician_client: BrowserClient, query: str) -> None:
    cleared(
        first_name="Annabel",
        last_name="Clarkson",
        email="annabel.c@example.com",
        phone="07700 900123",
    )
    cleared(first_name="Zoe", last_name="Reed", email="zoe@example.com", phone="07700 111222")

    page = list_page(esthetician_client, q=query)

    assert "Annabel Clarkson" in page
    assert "Zoe Reed" not in page


def test_list_without_a_query_shows_every_client(esthetician_client: BrowserClient) -> None:
    cleared(first_name="Annabel", last_name="Clarkson")
    cleared(first_name="Zoe", last_name="Reed")

    page = list_page(esthetician_client)

    assert "Annabel Clarkson" in page
    assert "Zoe Reed" in page
    assert "2 clients" in page


def test_list_says_when_nobody_matches(esthetician_client: BrowserClient) -> None:
    cleared(first_name="Zoe", last_name="Reed")

    page = list_page(esthetician_client, q="Nobody")

    assert "No client matches “Nobody”" in page


def test_htmx_search_returns_only_the_results(esthetician_client: BrowserClient) -> None:
    cleared(first_name="Annabel", last_name="Clarkson")
    cleared(first_name="Zoe", last_name="Reed")

    response = esthetician_client.get(
        reverse("client_list"), {"q": "Ann"}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "Search clients" not in body
    assert body.lstrip().startswith('<section id="client-results"')
    assert "Annabel Clarkson" in body
    assert "Zoe Reed" not in body
    assert "HX-Request" in response["Vary"]


def test_list_shows_25_clients_a_page_with_the_next_page_keeping_the_query(
    esthetician_client: BrowserClient,
) -> None:
    for number in range(30):
        ClientFactory(first_name="Ann", last_name=f"Lee{number:02d}")

    first = list_page(esthetician_client, q="Ann")
    second = list_page(esthetician_client, q="Ann", page="2")

    assert first.count('<th scope="row"') == 25
    assert "Page 1 of 2" in first
    assert "?q=Ann&amp;page=2" in first
    assert second.count('<th scope="row"') == 5
    assert "Ann Lee29" in second
    assert "Ann Lee29" not in first


def test_list_page_number_out_of_range_shows_the_last_page(
    esthetician_client: BrowserClient,
) -> None:
    cleared(first_name="Zoe", last_name="Reed")

    assert "Zoe Reed" in list_page(esthetician_client, page="99")
    assert "Zoe Reed" in list_page(esthetician_client, page="two")


def test_a_search_matching_more_than_the_limit_says_so_and_asks_for_more(
    esthetician_client: BrowserClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "SEARCH_LIMIT", 2)
    for first in ("Ann", "Anna", "Annie"):
        cleared(first_name=first, last_name="Lee")

    page = list_page(esthetician_client, q="Ann")

    assert "More than 2 clients match “Ann”" in page
    assert "Showing the 2 added most recently: type more of the name" in page
    assert page.count('<th scope="row"') == 2
    assert "Ann Lee" not in page


def test_the_list_of_more_clients_than_the_limit_says_so_and_asks_for_a_search(
    esthetician_client: BrowserClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "LIST_LIMIT", 2)
    for last in ("Carter", "Able", "Zeller"):
        cleared(last_name=last)

    page = list_page(esthetician_client)
    beyond = list_page(esthetician_client, page="2")

    assert "More than 2 clients. Showing the first 2 by name: search to find anyone else." in page
    assert page.count('<th scope="row"') == 2
    assert "Zeller" not in page + beyond


@pytest.mark.parametrize(
    ("intake", "word"),
    [
        ({}, "Can book"),
        ({"epilepsy": True}, "Caution"),
        ({"last_injectable_on": dt.date(2026, 11, 20)}, "Blocked until Fri 4 Dec"),
        (
            {"last_injectable_on": dt.date(2026, 11, 20), "has_pacemaker": True},
            "Blocked</span>",
        ),
        (None, "Intake needed"),
        ({"submitted_at": NOW - dt.timedelta(days=91)}, "Intake needed"),
    ],
    ids=["clear", "caution", "dated block", "permanent block", "no intake", "expired intake"],
)
def test_list_says_whether_each_client_can_book_today(
    esthetician_client: BrowserClient, intake: dict | None, word: str
) -> None:
    client = ClientFactory(first_name="Iris", last_name="Moss")
    if intake is not None:
        IntakeFactory(client=client, **{"submitted_at": NOW - dt.timedelta(days=7), **intake})

    page = list_page(esthetician_client)

    assert word in page


def test_list_says_blocked_until_the_latest_of_several_dated_blocks(
    esthetician_client: BrowserClient,
) -> None:
    client = ClientFactory()
    # Filler until Fri 4 Dec; first trimester until Tue 8 Dec (due 2027-06-08).
    IntakeFactory(
        client=client,
        submitted_at=NOW - dt.timedelta(days=7),
        last_injectable_on=dt.date(2026, 11, 20),
        pregnant=True,
        due_date=dt.date(2027, 6, 8),
    )

    page = list_page(esthetician_client)

    assert "Blocked until Tue 8 Dec" in page


@pytest.mark.parametrize("clients", [1, 25])
def test_list_query_count_does_not_grow_with_clients(
    esthetician_client: BrowserClient,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    clients: int,
) -> None:
    for number in range(clients):
        client = ClientFactory()
        IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=number))
        IntakeFactory(client=client, epilepsy=number % 2 == 0, submitted_at=NOW)

    # Session, user, staff groups, count, the page's clients, their latest intakes.
    with django_assert_max_num_queries(11):
        response = esthetician_client.get(reverse("client_list"))

    assert response.content.decode().count('<th scope="row"') == clients


@pytest.mark.parametrize("clients", [1, 25])
def test_search_query_count_does_not_grow_with_matches(
    esthetician_client: BrowserClient,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    clients: int,
) -> None:
    for _ in range(clients):
        IntakeFactory(client=ClientFactory(phone="07700 900123"), submitted_at=NOW)

    # Session, user, staff groups, the matches, the page's clients, their latest intakes.
    with django_assert_max_num_queries(11):
        response = esthetician_client.get(reverse("client_list"), {"q": "07700 900"})

    assert response.content.decode().count('<th scope="row"') == clients


# The client page ------------------------------------------------------------------------------


def filler_client() -> Client:
    """A client whose filler of Fri 20 Nov blocks treatment until Fri 4 Dec."""
    client = ClientFactory(first_name="Fern", last_name="Hale")
    IntakeFactory(
        client=client,
        submitted_at=NOW - dt.timedelta(days=2),
        last_injectable_on=dt.date(2026, 11, 20),
        epilepsy=True,
    )
    return client


def detail_url(client: Client) -> str:
    return reverse("client_detail", args=[client.pk])


def test_client_page_shows_contact_details_and_notes(esthetician_client: BrowserClient) -> None:
    client = cleared(
        first_name="Iris",
        last_name="Moss",
        email="iris@example.com",
        phone="07700 900555",
        notes="Prefers mornings.",
    )

    page = main_of(esthetician_client.get(detail_url(client)))

    assert "Iris Moss" in page
    assert "iris@example.com" in page
    assert "07700 900555" in page
    assert "Prefers mornings." in page


def test_client_page_banner_lists_every_finding_with_its_until(
    esthetician_client: BrowserClient,
) -> None:
    page = main_of(esthetician_client.get(detail_url(filler_client())))

    assert "Today, Wed 25 Nov" in page
    assert "Blocked until Fri 4 Dec" in page
    assert (
        "Filler or botox injected Fri 20 Nov: no treatment until Fri 4 Dec, 14 days after." in page
    )
    assert "Caution</span> Epilepsy: book only with a staff note acknowledging it." in page


def test_client_page_banner_says_can_book_today_for_a_clear_client(
    esthetician_client: BrowserClient,
) -> None:
    page = main_of(esthetician_client.get(detail_url(cleared())))

    assert "Can book today" in page


@pytest.mark.parametrize(
    ("on", "headline"),
    [("2026-12-03", "Blocked until Fri 4 Dec"), ("2026-12-04", "Caution")],
)
def test_date_picker_returns_the_banner_assessed_for_that_date(
    esthetician_client: BrowserClient, on: str, headline: str
) -> None:
    response = esthetician_client.get(
        detail_url(filler_client()), {"on": on}, headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="banner"')
    assert "<html" not in body
    assert "Intake history" not in body
    assert headline in body


def test_date_picker_on_a_clear_day_says_can_book_on_that_day(
    esthetician_client: BrowserClient,
) -> None:
    client = ClientFactory()
    IntakeFactory(client=client, submitted_at=NOW, last_injectable_on=dt.date(2026, 11, 20))

    body = esthetician_client.get(
        detail_url(client), {"on": "2026-12-04"}, headers={"HX-Request": "true"}
    ).content.decode()

    assert "Can book on Fri 4 Dec" in body


def test_date_picker_works_without_javascript(esthetician_client: BrowserClient) -> None:
    page = main_of(esthetician_client.get(detail_url(filler_client()), {"on": "2026-12-03"}))

    assert "On Thu 3 Dec" in page
    assert "Blocked until Fri 4 Dec" in page
    assert 'value="2026-12-03"' in page
    assert "Intake history" in page


@pytest.mark.parametrize("on", ["tomorrow", "2026-13-45", "2026-02-30", "9" * 40])
def test_malformed_date_says_so_and_shows_today(esthetician_client: BrowserClient, on: str) -> None:
    page = main_of(esthetician_client.get(detail_url(filler_client()), {"on": on}))

    assert "is not a date the spa can check" in page
    assert "Today, Wed 25 Nov" in page


def test_intake_history_shows_what_changed_and_who_recorded_it(
    esthetician_client: BrowserClient,
) -> None:
    client = ClientFactory()
    desk = UserFactory(first_name="Dora", last_name="Desk")
    IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=30), recorded_by=desk)
    IntakeFactory(
        client=client,
        submitted_at=NOW - dt.timedelta(days=1),
        source=Intake.Source.CLIENT_LINK,
        pregnant=True,
        due_date=dt.date(2027, 6, 1),
    )

    page = main_of(esthetician_client.get(detail_url(client)))

    assert "Pregnant: No → Yes; Due date: – → 1 Jun 2027" in page
    assert "First intake" in page
    assert "Client, through an intake link" in page
    assert "recorded by Dora Desk" in page
    assert page.index("Version 2") < page.index("Version 1")


def test_intake_history_links_each_version_to_its_answers(
    esthetician_client: BrowserClient,
) -> None:
    client = ClientFactory()
    intake = IntakeFactory(client=client)

    page = main_of(esthetician_client.get(detail_url(client)))

    assert reverse("intake_detail", args=[client.pk, intake.pk]) in page


def test_client_page_shows_series_progress_and_sessions_upcoming_first(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = cleared()
    series = SeriesFactory(
        client=client, esthetician=esthetician, treatment__name="Lift course", planned_sessions=8
    )
    for days in (-21, -14, -7):
        SessionFactory(
            client=client,
            esthetician=esthetician,
            series=series,
            treatment=series.treatment,
            kind=Session.Kind.SERIES,
            status=Session.Status.COMPLETED,
            starts_at=at(TODAY + dt.timedelta(days=days)),
        )
    SessionFactory(
        client=client,
        esthetician=esthetician,
        series=series,
        treatment=series.treatment,
        kind=Session.Kind.SERIES,
        starts_at=at(dt.date(2026, 12, 2)),
    )

    page = main_of(esthetician_client.get(detail_url(client)))

    assert "Lift course" in page
    assert "In progress" in page
    assert "3 of 8 completed" in page
    assert page.index("Wed 2 Dec, 10:00") < page.index("Wed 18 Nov, 10:00")
    assert page.index("Wed 18 Nov, 10:00") < page.index("Wed 11 Nov, 10:00")
    assert "Completed" in page
    assert "Booked" in page


def test_flagged_session_says_needs_attention_with_the_reason(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = cleared()
    SessionFactory(
        client=client,
        esthetician=esthetician,
        starts_at=at(dt.date(2026, 12, 2)),
        needs_attention=True,
        attention_reason="Pacemaker or other implanted electronic device.",
    )

    page = main_of(esthetician_client.get(detail_url(client)))

    assert "Needs attention" in page
    assert "Pacemaker or other implanted electronic device." in page


def test_access_log_is_shown_to_managers(manager_client: BrowserClient) -> None:
    client = cleared()
    HealthRecordAccess.objects.create(
        client=client,
        user=UserFactory(first_name="Dora", last_name="Desk"),
        action=HealthRecordAccess.Action.RECORDED,
        detail="Staff, at the front desk",
    )

    page = main_of(manager_client.get(detail_url(client)))

    assert "Access log" in page
    assert "Dora Desk" in page
    assert "Recorded a new intake: Staff, at the front desk" in page


def test_access_log_is_not_shown_to_estheticians(esthetician_client: BrowserClient) -> None:
    page = main_of(esthetician_client.get(detail_url(cleared())))

    assert "Access log" not in page


def test_viewing_the_client_page_writes_an_access_log_line(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = cleared()

    esthetician_client.get(detail_url(client))

    line = HealthRecordAccess.objects.get(client=client)
    assert line.user == esthetician.user
    assert line.action == HealthRecordAccess.Action.VIEWED


def test_checking_another_date_with_htmx_logs_what_was_seen(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = cleared()

    esthetician_client.get(detail_url(client), {"on": "2026-12-04"}, headers={"HX-Request": "true"})

    line = HealthRecordAccess.objects.get(client=client)
    assert (line.user, line.action) == (esthetician.user, HealthRecordAccess.Action.VIEWED)
    assert line.detail == "Client page: findings on Fri 4 Dec"


def test_the_client_list_logs_each_client_whose_standing_it_shows(
    esthetician_client: BrowserClient,
) -> None:
    shown = [cleared(), cleared()]

    esthetician_client.get(reverse("client_list"))

    lines = HealthRecordAccess.objects.filter(client__in=shown)
    assert sorted(line.client_id for line in lines) == sorted(client.pk for client in shown)
    assert {line.detail for line in lines} == {"Client list: whether each can book today"}


def test_the_desk_intake_form_logs_that_the_answers_on_file_were_shown(
    esthetician_client: BrowserClient,
) -> None:
    client = cleared()

    esthetician_client.get(reverse("client_intake_new", args=[client.pk]))

    line = HealthRecordAccess.objects.get(client=client)
    assert line.detail == "Intake form at the desk, filled in with the answers on file"


def test_client_page_of_an_unknown_client_is_not_found(
    esthetician_client: BrowserClient,
) -> None:
    assert esthetician_client.get(reverse("client_detail", args=[999_999])).status_code == 404


# Intake detail --------------------------------------------------------------------------------


def test_intake_detail_shows_every_answer_who_and_the_signature(
    esthetician_client: BrowserClient,
) -> None:
    client = ClientFactory()
    IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=10))
    intake = IntakeFactory(
        client=client,
        submitted_at=NOW - dt.timedelta(days=1),
        source=Intake.Source.CLIENT_LINK,
        has_pacemaker=True,
        signature="Iris Moss",
        ip_address="203.0.113.9",
    )

    page = main_of(esthetician_client.get(reverse("intake_detail", args=[client.pk, intake.pk])))

    assert "Intake version 2" in page
    assert "Client, through an intake link" in page
    assert "Iris Moss" in page
    assert "203.0.113.9" in page
    assert "Pacemaker or other implanted electronic device" in page
    assert "Pacemaker or other implanted electronic device: No → Yes" in page
    assert page.count("<dt>") >= 11


def test_intake_detail_writes_an_access_log_line_naming_the_version(
    esthetician_client: BrowserClient,
) -> None:
    intake = IntakeFactory(submitted_at=NOW - dt.timedelta(days=1))

    esthetician_client.get(reverse("intake_detail", args=[intake.client_id, intake.pk]))

    line = HealthRecordAccess.objects.get(client=intake.client)
    assert line.action == HealthRecordAccess.Action.VIEWED
    assert line.detail == "Intake version 1 of Tue 24 Nov, 10:00"


def test_intake_detail_of_another_clients_intake_is_not_found(
    esthetician_client: BrowserClient,
) -> None:
    intake = IntakeFactory()
    other = ClientFactory()

    response = esthetician_client.get(reverse("intake_detail", args=[other.pk, intake.pk]))

    assert response.status_code == 404


# Create and edit ------------------------------------------------------------------------------


def client_fields(**changes: str) -> dict[str, str]:
    fields = {
        "first_name": "Nora",
        "last_name": "Vale",
        "email": "nora@example.com",
        "phone": "07700 900777",
        "date_of_birth": "1990-04-02",
        "notes": "Sensitive skin.",
    }
    return {**fields, **changes}


def test_create_adds_the_client_and_goes_to_their_page(
    esthetician_client: BrowserClient,
) -> None:
    response = esthetician_client.post(reverse("client_create"), client_fields())

    client = Client.objects.get(email="nora@example.com")
    assert response.status_code == 302
    assert response["Location"] == detail_url(client)
    assert client.full_name == "Nora Vale"


def test_create_refuses_a_taken_email_beside_the_field_keeping_what_was_typed(
    esthetician_client: BrowserClient,
) -> None:
    ClientFactory(email="Nora@Example.com")

    page = main_of(esthetician_client.post(reverse("client_create"), client_fields()))

    email_field = page.split('for="id_email"', 1)[1].split('for="id_phone"', 1)[0]
    assert "Another client already has this email address." in email_field
    assert 'value="Nora"' in page
    assert 'value="07700 900777"' in page
    assert "Sensitive skin." in page
    assert Client.objects.count() == 1


def test_edit_saves_and_logs_the_contact_change(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = ClientFactory(phone="07700 900000")

    response = esthetician_client.post(
        reverse("client_edit", args=[client.pk]),
        client_fields(email=client.email, phone="07700 900999"),
    )

    client.refresh_from_db()
    line = HealthRecordAccess.objects.get(client=client)
    assert response.status_code == 302
    assert response["Location"] == detail_url(client)
    assert client.phone == "07700 900999"
    assert line.action == HealthRecordAccess.Action.CONTACT_CHANGED
    assert line.user == esthetician.user
    assert "phone" in line.detail


def test_edit_keeps_the_clients_own_email(esthetician_client: BrowserClient) -> None:
    client = ClientFactory(email="own@example.com")

    response = esthetician_client.post(
        reverse("client_edit", args=[client.pk]), client_fields(email="OWN@example.com")
    )

    assert response.status_code == 302


def test_edit_refuses_another_clients_email(esthetician_client: BrowserClient) -> None:
    ClientFactory(email="taken@example.com")
    client = ClientFactory(email="own@example.com")

    page = main_of(
        esthetician_client.post(
            reverse("client_edit", args=[client.pk]), client_fields(email="TAKEN@example.com")
        )
    )

    client.refresh_from_db()
    assert "Another client already has this email address." in page
    assert 'value="TAKEN@example.com"' in page
    assert client.email == "own@example.com"


# Intake at the desk ---------------------------------------------------------------------------


def test_desk_intake_starts_from_the_latest_answers(esthetician_client: BrowserClient) -> None:
    client = ClientFactory(first_name="Iris")
    IntakeFactory(client=client, epilepsy=True, last_injectable_on=dt.date(2026, 11, 2))

    page = main_of(esthetician_client.get(reverse("client_intake_new", args=[client.pk])))

    assert 'value="Iris"' in page
    assert is_checked(page, "epilepsy", "yes")
    assert is_checked(page, "had_injectable", "yes")
    assert is_checked(page, "has_pacemaker", "no")
    assert 'value="2026-11-02"' in page


def test_desk_intake_records_a_new_version_by_the_staff_member(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    client = cleared()

    response = esthetician_client.post(
        reverse("client_intake_new", args=[client.pk]), desk_answers(client, epilepsy="yes")
    )

    newest = client.intakes.latest_first().first()
    assert response.status_code == 302
    assert response["Location"] == detail_url(client)
    assert client.intakes.count() == 2
    assert newest.epilepsy is True
    assert newest.source == Intake.Source.STAFF
    assert newest.recorded_by == esthetician.user
    assert newest.signature == client.full_name


def test_desk_intake_with_an_error_keeps_every_answer(esthetician_client: BrowserClient) -> None:
    client = cleared()

    page = main_of(
        esthetician_client.post(
            reverse("client_intake_new", args=[client.pk]),
            desk_answers(client, epilepsy="yes", had_injectable="yes", last_injectable_on=""),
        )
    )

    assert "Please give the date of your most recent injection." in page
    assert is_checked(page, "epilepsy", "yes")
    assert f'value="{client.full_name}"' in page
    assert client.intakes.count() == 1


def test_desk_intake_that_blocks_a_booked_session_flags_it_and_emails_the_esthetician(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    django_capture_on_commit_callbacks,
) -> None:
    esthetician.user.email = "anna@spa.example.com"
    esthetician.user.save()
    client = cleared()
    session = SessionFactory(
        client=client, esthetician=esthetician, starts_at=at(dt.date(2026, 12, 1))
    )

    with django_capture_on_commit_callbacks(execute=True):
        esthetician_client.post(
            reverse("client_intake_new", args=[client.pk]),
            desk_answers(client, had_injectable="yes", last_injectable_on="2026-11-24"),
        )

    session.refresh_from_db()
    assert session.needs_attention is True
    assert "no treatment until Tue 8 Dec" in session.attention_reason
    assert [message.to for message in mail.outbox] == [["anna@spa.example.com"]]


# Intake links ---------------------------------------------------------------------------------


def test_send_link_creates_a_link_emails_it_and_shows_it(
    esthetician_client: BrowserClient, django_capture_on_commit_callbacks
) -> None:
    client = cleared(email="iris@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = esthetician_client.post(
            reverse("client_intake_link", args=[client.pk]), follow=True
        )

    page = main_of(response)
    [email] = mail.outbox
    url = next(word for word in email.body.split() if "/intake/" in word)
    assert IntakeLink.objects.filter(client=client).count() == 1
    assert email.to == ["iris@example.com"]
    assert f'value="{url}"' in page
    assert "Emailed to iris@example.com" in page


def test_send_link_to_a_client_without_email_says_to_send_it_another_way(
    esthetician_client: BrowserClient,
) -> None:
    client = cleared(email="")

    page = main_of(
        esthetician_client.post(reverse("client_intake_link", args=[client.pk]), follow=True)
    )

    assert "this client has no email address: copy the link and send it another way" in (
        page.replace("This client", "this client")
    )
    assert 'value="http' in page
    assert not mail.outbox


def test_send_link_from_today_goes_back_to_today_saying_it_is_on_its_way(
    esthetician_client: BrowserClient, django_capture_on_commit_callbacks
) -> None:
    client = cleared(email="iris@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = esthetician_client.post(
            reverse("client_intake_link", args=[client.pk]),
            {"next": reverse("today")},
            follow=True,
        )

    assert response.redirect_chain == [(reverse("today"), 302)]
    assert "A new intake link is on its way to" in main_of(response)
    assert [email.to for email in mail.outbox] == [["iris@example.com"]]
    # Not kept to show on the client's page later: that link went by email.
    assert "Intake link ready" not in main_of(esthetician_client.get(detail_url(client)))


def test_send_link_never_goes_back_to_another_site(esthetician_client: BrowserClient) -> None:
    client = cleared(email="iris@example.com")

    response = esthetician_client.post(
        reverse("client_intake_link", args=[client.pk]), {"next": "https://elsewhere.example/"}
    )

    assert response["Location"] == detail_url(client)


def test_send_link_from_today_for_a_client_without_email_opens_the_link_to_copy(
    esthetician_client: BrowserClient,
) -> None:
    client = cleared(email="")

    response = esthetician_client.post(
        reverse("client_intake_link", args=[client.pk]), {"next": reverse("today")}, follow=True
    )

    assert response.redirect_chain == [(detail_url(client), 302)]
    assert 'value="http' in main_of(response)


def test_sent_link_shows_only_once(esthetician_client: BrowserClient) -> None:
    client = cleared()
    esthetician_client.post(reverse("client_intake_link", args=[client.pk]), follow=True)

    page = main_of(esthetician_client.get(detail_url(client)))

    assert "Intake link ready" not in page


def test_send_link_refuses_get(esthetician_client: BrowserClient) -> None:
    client = cleared()

    response = esthetician_client.get(reverse("client_intake_link", args=[client.pk]))

    assert response.status_code == 405
    assert not IntakeLink.objects.exists()


# Who may see the pages ------------------------------------------------------------------------


def staff_urls() -> list[tuple[str, str]]:
    client = ClientFactory()
    intake = IntakeFactory(client=client)
    return [
        ("get", reverse("client_list")),
        ("get", reverse("client_create")),
        ("get", reverse("client_detail", args=[client.pk])),
        ("get", reverse("client_edit", args=[client.pk])),
        ("get", reverse("client_intake_new", args=[client.pk])),
        ("post", reverse("client_intake_link", args=[client.pk])),
        ("get", reverse("intake_detail", args=[client.pk, intake.pk])),
    ]


def test_anonymous_visitors_are_sent_to_log_in_from_every_staff_page() -> None:
    browser = BrowserClient()

    for method, url in staff_urls():
        response = getattr(browser, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_people_in_no_staff_group_are_refused_every_staff_page() -> None:
    browser = BrowserClient()
    browser.force_login(UserFactory(username="visitor"))

    for method, url in staff_urls():
        assert getattr(browser, method)(url).status_code == 403, url
    assert not IntakeLink.objects.exists()
    assert not HealthRecordAccess.objects.exists()


@pytest.mark.parametrize("sessions", [1, 30])
def test_client_page_query_count_does_not_grow_with_history(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    sessions: int,
) -> None:
    client = cleared()
    for version in range(3):
        IntakeFactory(client=client, submitted_at=NOW - dt.timedelta(days=3 - version))
    series = SeriesFactory(client=client, esthetician=esthetician)
    for number in range(sessions):
        SessionFactory(
            client=client,
            esthetician=esthetician,
            series=series,
            treatment=series.treatment,
            kind=Session.Kind.SERIES,
            starts_at=at(TODAY + dt.timedelta(days=number - sessions // 2)),
        )

    with django_assert_max_num_queries(11):
        page = main_of(esthetician_client.get(detail_url(client)))

    assert page.count("Booked") >= min(sessions, 20)
