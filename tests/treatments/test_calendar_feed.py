"""Each esthetician's calendar feed for their phone, and making a new feed address."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.treatments.factories import EstheticianFactory, SeriesFactory, SessionFactory
from treatments.models import CalendarFeedFetch, Esthetician, MaintenanceVisit, Session
from treatments.services.visits import calendar_token_regenerate

LONDON = ZoneInfo("Europe/London")
# Monday 30 November 2026, before the spa opens.
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=LONDON)
TUESDAY = NOW.date() + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def monday_morning() -> Iterator[time_machine.Traveller]:
    """A fixed clock, set before anyone logs in so their session is still fresh."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware spa-local moment."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def feed_url(token: str) -> str:
    return reverse("calendar_feed", args=[token])


@pytest.fixture
def token(esthetician: Esthetician) -> str:
    """The secret in the esthetician's feed address."""
    return calendar_token_regenerate(esthetician=esthetician)


def feed_of(client: BrowserClient, token: str) -> icalendar.Calendar:
    response = client.get(feed_url(token))
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def events_of(feed: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["uid"]): event for event in feed.walk("VEVENT")}


def test_the_feed_is_an_icalendar_named_for_the_esthetician(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    response = client.get(feed_url(token))

    feed = icalendar.Calendar.from_ical(response.content)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(feed["version"]) == "2.0"
    assert "Spa Planner" in str(feed["prodid"])
    assert str(feed["x-wr-calname"]) == f"{esthetician} – Spa Planner"


def test_the_feed_holds_a_booked_session_with_its_times_and_summary(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        client__first_name="Iris",
        client__last_name="Moss",
        treatment__name="Microcurrent lift",
        starts_at=at(TUESDAY, 10),
        ends_at=at(TUESDAY, 11, 15),
    )

    event = events_of(feed_of(client, token))[f"session-{session.pk}@spa-planner"]

    assert event.start == at(TUESDAY, 10)
    assert event.end == at(TUESDAY, 11, 15)
    assert str(event["summary"]) == "Iris Moss – Microcurrent lift (Single)"
    assert "Single treatment · Booked" in str(event["description"])


def test_the_feeds_moments_are_in_utc_to_the_second(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    summer = dt.date(2027, 5, 4)
    session = SessionFactory(
        esthetician=esthetician,
        starts_at=at(summer, 10, 30) + dt.timedelta(seconds=59, microseconds=999),
        ends_at=at(summer, 11, 30),
    )
    Session.objects.filter(pk=session.pk).update(updated_at=at(summer, 9) + dt.timedelta(seconds=7))

    text = client.get(feed_url(token)).content.decode()

    assert "DTSTART:20270504T093059Z\r\n" in text
    assert "DTEND:20270504T103000Z\r\n" in text
    assert "DTSTAMP:20270504T080007Z\r\n" in text
    assert "LAST-MODIFIED:20270504T080007Z\r\n" in text


def test_a_series_session_names_its_place_in_the_summary(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    series = SeriesFactory(esthetician=esthetician, planned_sessions=8)
    sessions = [
        SessionFactory(
            esthetician=esthetician,
            client=series.client,
            series=series,
            kind=Session.Kind.SERIES,
            starts_at=at(TUESDAY + dt.timedelta(days=7 * week), 10),
        )
        for week in range(3)
    ]

    event = events_of(feed_of(client, token))[f"session-{sessions[2].pk}@spa-planner"]

    assert str(event["summary"]).endswith("(Series 3/8)")


def test_a_maintenance_visit_names_its_number_in_the_summary(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    series = SeriesFactory(esthetician=esthetician, maintenance_visits=6)
    session = SessionFactory(
        esthetician=esthetician,
        client=series.client,
        series=series,
        kind=Session.Kind.MAINTENANCE,
        starts_at=at(TUESDAY, 10),
    )
    MaintenanceVisit.objects.create(series=series, number=2, due_on=TUESDAY, session=session)

    event = events_of(feed_of(client, token))[f"session-{session.pk}@spa-planner"]

    assert str(event["summary"]).endswith("(Maintenance 2/6)")


def test_a_flagged_session_says_it_needs_attention_but_never_why(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        starts_at=at(TUESDAY, 10),
        needs_attention=True,
        attention_reason="The new intake says pregnant.",
    )

    feed = feed_of(client, token)
    event = events_of(feed)[f"session-{session.pk}@spa-planner"]

    assert str(event["description"]).splitlines()[-1] == "Needs attention"
    assert "pregnant" not in feed.to_ical().decode()


def test_a_completed_session_stays_in_the_feed(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        status=Session.Status.COMPLETED,
        starts_at=at(NOW.date() - dt.timedelta(days=7), 10),
    )

    assert f"session-{session.pk}@spa-planner" in events_of(feed_of(client, token))


@pytest.mark.parametrize(
    "status", [Session.Status.CANCELLED, Session.Status.NO_SHOW, Session.Status.POSTPONED]
)
def test_a_session_not_held_is_left_out(
    client: BrowserClient, esthetician: Esthetician, token: str, status: str
) -> None:
    SessionFactory(esthetician=esthetician, status=status, starts_at=at(TUESDAY, 10))

    assert events_of(feed_of(client, token)) == {}


def test_other_estheticians_sessions_are_left_out(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    SessionFactory(esthetician=EstheticianFactory(), starts_at=at(TUESDAY, 10))

    assert events_of(feed_of(client, token)) == {}


@pytest.mark.parametrize(("days", "shown"), [(-31, False), (-29, True), (179, True), (181, False)])
def test_the_feed_reaches_a_month_back_and_half_a_year_ahead(
    client: BrowserClient, esthetician: Esthetician, token: str, days: int, shown: bool
) -> None:
    SessionFactory(esthetician=esthetician, starts_at=NOW + dt.timedelta(days=days))

    assert bool(events_of(feed_of(client, token))) is shown


def test_an_unknown_token_is_404(client: BrowserClient, esthetician: Esthetician) -> None:
    response = client.get(feed_url("not-the-secret"))

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")


def test_an_esthetician_without_a_feed_cannot_be_reached_with_an_empty_hash(
    client: BrowserClient, esthetician: Esthetician
) -> None:
    assert client.get("/calendar/.ics").status_code == 404


def test_a_former_estheticians_feed_is_404(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    Esthetician.objects.filter(pk=esthetician.pk).update(is_active=False)

    assert client.get(feed_url(token)).status_code == 404


@pytest.mark.parametrize("count", [5, 40])
def test_the_feed_takes_the_same_few_queries_however_full(
    client: BrowserClient,
    esthetician: Esthetician,
    token: str,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    series = SeriesFactory(esthetician=esthetician, maintenance_visits=24)
    for number in range(count):
        starts_at = at(TUESDAY + dt.timedelta(days=number), 10)
        session = SessionFactory(
            esthetician=esthetician,
            client=series.client,
            series=series,
            kind=Session.Kind.MAINTENANCE,
            starts_at=starts_at,
        )
        MaintenanceVisit.objects.create(
            series=series, number=number + 1, due_on=starts_at.date(), session=session
        )

    # The esthetician, the sessions, the fetch logged.
    with django_assert_max_num_queries(3):
        feed = feed_of(client, token)

    assert len(events_of(feed)) == count


# The subscription page: a new address, turning it off, the fetches ---------------------


def test_a_new_link_stops_the_old_one(
    esthetician_client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    response = esthetician_client.post(reverse("calendar_subscription"))

    new_url = esthetician_client.session["calendar_feed_link"]["url"]
    assert response.status_code == 302
    assert esthetician_client.get(feed_url(token)).status_code == 404
    assert esthetician_client.get(new_url).status_code == 200


def test_the_subscription_page_shows_the_new_link_once(
    esthetician_client: BrowserClient, token: str
) -> None:
    esthetician_client.post(reverse("calendar_subscription"))
    url = esthetician_client.session["calendar_feed_link"]["url"]

    first = esthetician_client.get(reverse("calendar_subscription")).content.decode()
    second = esthetician_client.get(reverse("calendar_subscription")).content.decode()

    assert url.startswith("http://testserver/calendar/")
    assert url.endswith(".ics")
    assert f'value="{url}"' in first
    assert "Any link you made before has stopped working." in first
    assert url not in second


def test_a_first_link_does_not_speak_of_links_before(esthetician_client: BrowserClient) -> None:
    esthetician_client.post(reverse("calendar_subscription"))

    page = esthetician_client.get(reverse("calendar_subscription")).content.decode()

    assert "Your new subscription link." in page
    assert "Any link you made before" not in page


def test_turning_the_subscription_off_stops_the_link_at_once(
    esthetician_client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    response = esthetician_client.post(reverse("calendar_subscription_off"), follow=True)

    esthetician.refresh_from_db()
    assert esthetician.calendar_token_hash == ""
    assert esthetician_client.get(feed_url(token)).status_code == 404
    assert "Your calendar subscription is off: its link no longer works." in (
        response.content.decode()
    )


def test_turning_off_is_post_only(esthetician_client: BrowserClient) -> None:
    assert esthetician_client.get(reverse("calendar_subscription_off")).status_code == 405


def test_each_fetch_is_logged_with_where_from_and_what_it_carried(
    client: BrowserClient, esthetician: Esthetician, token: str
) -> None:
    SessionFactory(esthetician=esthetician, starts_at=at(TUESDAY, 10))
    SessionFactory(esthetician=esthetician, starts_at=at(TUESDAY, 12), needs_attention=True)

    client.get(feed_url(token), headers={"User-Agent": "iOS/18.1 dataaccessd/1.0"})
    client.get(feed_url(token), REMOTE_ADDR="203.0.113.9")

    fetches = list(CalendarFeedFetch.objects.filter(esthetician=esthetician))
    assert [(f.ip_address, f.sessions, f.flagged) for f in fetches] == [
        ("203.0.113.9", 2, 1),
        ("127.0.0.1", 2, 1),
    ]
    assert fetches[1].user_agent == "iOS/18.1 dataaccessd/1.0"


def test_an_unknown_address_logs_no_fetch(client: BrowserClient, db: None) -> None:
    assert client.get(feed_url("not-a-token")).status_code == 404
    assert not CalendarFeedFetch.objects.exists()


def test_the_subscription_page_lists_the_recent_fetches(
    client: BrowserClient, esthetician_client: BrowserClient, token: str
) -> None:
    client.get(feed_url(token), REMOTE_ADDR="203.0.113.9", headers={"User-Agent": "Calendar"})

    page = esthetician_client.get(reverse("calendar_subscription")).content.decode()

    assert "Mon 30 Nov, 08:00" in page
    assert "203.0.113.9" in page
    assert "Turn the subscription off" in page


def test_a_manager_without_a_calendar_has_no_subscription(manager_client: BrowserClient) -> None:
    assert manager_client.get(reverse("calendar_subscription")).status_code == 404
    assert manager_client.post(reverse("calendar_subscription")).status_code == 404


def test_anonymous_visitors_cannot_make_a_link(client: BrowserClient, db: None) -> None:
    response = client.post(reverse("calendar_subscription"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_subscribe_section_is_only_for_estheticians(
    esthetician_client: BrowserClient, manager_client: BrowserClient, esthetician: Esthetician
) -> None:
    mine = esthetician_client.get(reverse("calendar")).content.decode()
    managers = manager_client.get(reverse("calendar")).content.decode()

    assert "Subscribe from your phone" in mine
    assert reverse("calendar_subscription") in mine
    assert "Subscribe from your phone" not in managers
