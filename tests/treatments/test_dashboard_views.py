from __future__ import annotations

import csv
import datetime as dt
import html
import io
import itertools
import re
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client as BrowserClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.clients.factories import ClientFactory, UserFactory
from tests.treatments.factories import (
    EstheticianFactory,
    SeriesFactory,
    SessionFactory,
    TreatmentFactory,
)
from treatments.models import Esthetician, MaintenanceVisit, Series, Session
from treatments.views import dashboard as views

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 9, 9, 0, tzinfo=LONDON)  # a Wednesday
TODAY = NOW.date()
URL = reverse("dashboard")
EXPORT_URL = reverse("dashboard_export")
TABLE = {"HX-Request": "true", "HX-Target": "series-table"}
BOARD = {"HX-Request": "true", "HX-Target": "dashboard-board"}
MINUTES = itertools.count()


@pytest.fixture(autouse=True)
def wednesday_morning() -> Iterator[None]:
    """The clock stands at Wed 9 Dec 2026, 09:00 in the spa."""
    with time_machine.travel(NOW, tick=False):
        yield


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def course(
    esthetician: Esthetician,
    *,
    completed_days_ago: tuple[int, ...] | list[int] = (),
    booked_days_ahead: tuple[int, ...] | list[int] = (),
    **fields: Any,
) -> Series:
    """A weekly series with sessions completed and booked as asked."""
    series = SeriesFactory(esthetician=esthetician, **fields)
    moments = [(days(-n), Session.Status.COMPLETED) for n in completed_days_ago]
    moments += [(days(n), Session.Status.BOOKED) for n in booked_days_ahead]
    for day, status in moments:
        # A minute each, a minute apart: no two sessions of the esthetician ever overlap.
        starts_at = at(day, 8) + dt.timedelta(minutes=2 * next(MINUTES))
        SessionFactory(
            client=series.client,
            esthetician=esthetician,
            treatment=series.treatment,
            series=series,
            kind=Session.Kind.SERIES,
            status=status,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=1),
        )
    return series


def behind_schedule(esthetician: Esthetician, **fields: Any) -> Series:
    """Last treated 20 days ago, nothing booked since."""
    return course(esthetician, completed_days_ago=[20], planned_sessions=6, **fields)


def on_track(esthetician: Esthetician, **fields: Any) -> Series:
    """Treated 3 days ago, the other seven booked a week apart."""
    return course(
        esthetician, completed_days_ago=[3], booked_days_ahead=[4, 11, 18, 25, 32, 39, 46], **fields
    )


def ended(esthetician: Esthetician, status: str, ended_on: dt.date) -> Series:
    series = course(esthetician, status=status)
    Series.objects.filter(pk=series.pk).update(ended_on=ended_on)
    return series


def text(response: HttpResponse | str) -> str:
    """What a person reads: the tags left out, entities decoded, whitespace squeezed."""
    content = response if isinstance(response, str) else response.content.decode()
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def markup(response: HttpResponse) -> str:
    """The HTML with entities decoded and whitespace squeezed."""
    return " ".join(html.unescape(response.content.decode()).split())


def figure(response: HttpResponse, label: str) -> str:
    """The value shown under a figure's label."""
    found = re.search(
        rf'<dt class="figure__label">{re.escape(label)}.*?</dt>\s*'
        r'<dd class="figure__value">(.*?)</dd>',
        response.content.decode(),
        re.S,
    )
    assert found, f"no figure labelled {label!r}"
    return found.group(1).strip()


def table_order(response: HttpResponse) -> list[int]:
    """The series in the table, top to bottom, by the links to their pages."""
    return [int(pk) for pk in re.findall(r'href="/series/(\d+)/"', response.content.decode())]


def links(response: HttpResponse, pattern: str) -> list[str]:
    return [html.unescape(href) for href in re.findall(pattern, response.content.decode())]


def csv_rows(response: StreamingHttpResponse) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


# Who may see it


@pytest.mark.parametrize("url", [URL, EXPORT_URL])
def test_a_manager_may_open_the_dashboard_and_its_export(manager_client: BrowserClient, url):
    assert manager_client.get(url).status_code == 200


@pytest.mark.parametrize("url", [URL, EXPORT_URL])
def test_an_esthetician_is_refused_the_dashboard_and_its_export(
    esthetician_client: BrowserClient, url
):
    response = esthetician_client.get(url)

    assert response.status_code == 403
    assert "This page is for the spa&#x27;s managers." in response.content.decode()


@pytest.mark.parametrize("url", [URL, EXPORT_URL])
def test_an_anonymous_visitor_is_sent_to_log_in(client: BrowserClient, db: None, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_the_menu_offers_the_dashboard_to_managers(manager_client: BrowserClient):
    response = manager_client.get(reverse("today"))

    assert f'<a href="{URL}"' in response.content.decode()


def test_the_menu_does_not_offer_the_dashboard_to_estheticians(esthetician_client: BrowserClient):
    response = esthetician_client.get(reverse("today"))

    assert f'href="{URL}"' not in response.content.decode()


# Figures


@pytest.fixture
def a_busy_autumn(esthetician: Esthetician) -> None:
    """Two courses completed in the last 4 weeks, one cancelled then and one completed in
    the summer; one series in progress; a no-show; a booking a newer intake blocks."""
    ended(esthetician, Series.Status.COMPLETED, days(-2))
    ended(esthetician, Series.Status.COMPLETED, days(-20))
    ended(esthetician, Series.Status.CANCELLED, days(-10))
    ended(esthetician, Series.Status.COMPLETED, dt.date(2026, 7, 1))
    active = course(esthetician, completed_days_ago=[2, 9], booked_days_ahead=[1, 5])
    SessionFactory(esthetician=esthetician, status=Session.Status.NO_SHOW, starts_at=at(days(-1)))
    active.sessions.filter(status=Session.Status.BOOKED).update(needs_attention=True)


@pytest.mark.usefixtures("a_busy_autumn")
def test_the_figures_count_the_last_4_weeks(manager_client: BrowserClient):
    response = manager_client.get(URL)

    assert figure(response, "Series in progress") == "1"
    assert figure(response, "Series completed") == "2"
    assert figure(response, "Completion rate") == "67%"
    assert figure(response, "Sessions this week") == "2"
    assert figure(response, "No-show rate") == "33%"
    assert figure(response, "Clients blocked with sessions still booked") == "1"
    assert "Last 4 weeks Thu 12 Nov – Wed 9 Dec" in text(response)


@pytest.mark.usefixtures("a_busy_autumn")
def test_choosing_the_year_counts_the_summer_too(manager_client: BrowserClient):
    response = manager_client.get(URL, {"period": "year"})

    assert figure(response, "Series completed") == "3"
    assert figure(response, "Completion rate") == "75%"
    assert "This year Thu 1 Jan – Wed 9 Dec" in text(response)


@pytest.mark.usefixtures("a_busy_autumn")
def test_choosing_this_week_leaves_out_what_ended_before_monday(manager_client: BrowserClient):
    response = manager_client.get(URL, {"period": "week"})

    assert figure(response, "Series completed") == "1"
    assert figure(response, "Completion rate") == "100%"


def test_no_rates_are_made_up_when_nothing_ended(manager_client: BrowserClient):
    response = manager_client.get(URL)

    assert figure(response, "Completion rate") == "–"
    assert figure(response, "No-show rate") == "–"


def test_an_unknown_period_shows_the_last_4_weeks_and_says_so(manager_client: BrowserClient):
    response = manager_client.get(URL, {"period": "decade"})

    assert response.status_code == 200
    assert "“decade” is not a period; showing the last 4 weeks." in text(response)
    current = re.search(r'<a href="[^"]*"[^>]*>Last 4 weeks', markup(response))
    assert 'aria-current="true"' in current[0]


def test_the_period_links_keep_the_table_as_it_is(manager_client: BrowserClient):
    response = manager_client.get(URL, {"flag": "behind", "sort": "client", "dir": "asc"})

    hrefs = links(response, r'<a href="([^"]*)"[^>]*\s+hx-get="/dashboard/" hx-vals')
    assert f"{URL}?period=week&flag=behind&sort=client&dir=asc" in hrefs
    assert f"{URL}?flag=behind&sort=client&dir=asc" in hrefs


def test_an_htmx_period_switch_redraws_the_figures_and_the_table(manager_client: BrowserClient):
    response = manager_client.get(URL, {"period": "year", "flag": "behind"}, headers=BOARD)

    content = response.content.decode().strip()
    assert content.startswith('<div id="dashboard-board"')
    assert 'id="series-table"' in content
    assert "<html" not in content
    assert "Maintenance due" not in content
    assert response["HX-Push-Url"] == f"{URL}?period=year&flag=behind"
    assert '<input type="hidden" name="period" value="year">' in content


# The series table


def test_the_table_shows_series_in_progress_by_default(
    manager_client: BrowserClient, esthetician: Esthetician
):
    active = on_track(esthetician)
    ended(esthetician, Series.Status.COMPLETED, days(-3))
    ended(esthetician, Series.Status.CANCELLED, days(-3))

    assert table_order(manager_client.get(URL)) == [active.pk]


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("active", ["active"]),
        ("completed", ["completed"]),
        ("cancelled", ["cancelled"]),
        ("all", ["active", "completed", "cancelled"]),
    ],
)
def test_the_status_filter_keeps_series_in_that_status(
    manager_client: BrowserClient, esthetician: Esthetician, status: str, shown: list[str]
):
    made = {
        "active": on_track(esthetician, starts_on=days(-3)),
        "completed": ended(esthetician, Series.Status.COMPLETED, days(-3)),
        "cancelled": ended(esthetician, Series.Status.CANCELLED, days(-3)),
    }
    Series.objects.filter(pk=made["completed"].pk).update(starts_on=days(-60))
    Series.objects.filter(pk=made["cancelled"].pk).update(starts_on=days(-90))

    response = manager_client.get(URL, {"status": status})

    assert table_order(response) == [made[name].pk for name in shown]


def test_the_esthetician_filter_keeps_their_series(
    manager_client: BrowserClient, esthetician: Esthetician
):
    mine = on_track(esthetician)
    on_track(EstheticianFactory())

    response = manager_client.get(URL, {"esthetician": esthetician.pk})

    assert table_order(response) == [mine.pk]
    assert f'<option value="{esthetician.pk}" selected>' in response.content.decode()


def test_the_esthetician_filter_names_everyone_and_who_no_longer_works(
    manager_client: BrowserClient, esthetician: Esthetician
):
    gone = EstheticianFactory(is_active=False, user__first_name="Ann", user__last_name="<Old>")

    page = manager_client.get(URL).content.decode()

    assert f'<option value="{esthetician.pk}">{html.escape(str(esthetician))}</option>' in page
    assert f'<option value="{gone.pk}">Ann &lt;Old&gt; (no longer working)</option>' in page


def test_the_behind_schedule_filter_keeps_the_series_left_20_days(
    manager_client: BrowserClient, esthetician: Esthetician
):
    late = behind_schedule(esthetician)
    on_track(esthetician)

    response = manager_client.get(URL, {"flag": "behind"})

    assert table_order(response) == [late.pk]
    assert "Behind schedule</span>" in response.content.decode()


def test_the_needs_attention_filter_keeps_series_with_a_blocked_booking(
    manager_client: BrowserClient, esthetician: Esthetician
):
    blocked = on_track(esthetician)
    blocked.sessions.filter(status=Session.Status.BOOKED).update(needs_attention=True)
    on_track(esthetician)

    response = manager_client.get(URL, {"flag": "attention"})

    assert table_order(response) == [blocked.pk]
    assert "Needs attention</span>" in response.content.decode()


def first_session_on(esthetician: Esthetician, day: dt.date) -> Series:
    """A series asked for "on or after" 5 days earlier, its first session booked on `day`."""
    series = course(esthetician, starts_on=day - dt.timedelta(days=5))
    SessionFactory(
        client=series.client,
        esthetician=esthetician,
        treatment=series.treatment,
        series=series,
        kind=Session.Kind.SERIES,
        starts_at=at(day, 8) + dt.timedelta(minutes=2 * next(MINUTES)),
    )
    return series


def test_the_start_dates_keep_series_whose_first_session_falls_between_them(
    manager_client: BrowserClient, esthetician: Esthetician
):
    first_session_on(esthetician, dt.date(2026, 10, 31))
    first = first_session_on(esthetician, dt.date(2026, 11, 1))
    last = first_session_on(esthetician, dt.date(2026, 11, 30))
    first_session_on(esthetician, dt.date(2026, 12, 1))

    response = manager_client.get(URL, {"started_from": "2026-11-01", "started_to": "2026-11-30"})

    assert table_order(response) == [last.pk, first.pk]


def test_a_series_without_sessions_is_kept_by_its_start_date(
    manager_client: BrowserClient, esthetician: Esthetician
):
    inside = course(esthetician, starts_on=dt.date(2026, 11, 30))
    course(esthetician, starts_on=dt.date(2026, 12, 1))

    response = manager_client.get(URL, {"started_from": "2026-11-01", "started_to": "2026-11-30"})

    assert table_order(response) == [inside.pk]


def test_started_shows_the_first_session_not_the_on_or_after_date(
    manager_client: BrowserClient, esthetician: Esthetician
):
    first_session_on(esthetician, dt.date(2026, 11, 20))

    response = manager_client.get(URL)

    assert "Started Fri 20 Nov" in text(response)
    assert "Sun 15 Nov" not in text(response)


def test_a_series_without_sessions_shows_its_start_date_and_says_so(
    manager_client: BrowserClient, esthetician: Esthetician
):
    course(esthetician, starts_on=dt.date(2026, 12, 14))

    response = manager_client.get(URL)

    assert "Started Mon 14 Dec (start date: no session yet)" in text(response)


def test_sorting_by_started_follows_the_first_sessions(
    manager_client: BrowserClient, esthetician: Esthetician
):
    # Asked for from 1 Nov, but the planner moved the first session to 20 Nov.
    moved = first_session_on(esthetician, dt.date(2026, 11, 20))
    Series.objects.filter(pk=moved.pk).update(starts_on=dt.date(2026, 11, 1))
    between = first_session_on(esthetician, dt.date(2026, 11, 10))

    response = manager_client.get(URL, {"sort": "started", "dir": "desc"})

    assert table_order(response) == [moved.pk, between.pk]


@pytest.fixture
def three_series(db: None) -> dict[str, Series]:
    """Three series that each column sorts differently, with no ties and nothing missing."""
    made = {}
    people = [
        ("A", "Adams", "Cara", "Lift", "active", dt.date(2026, 11, 1), [2], [1]),
        ("B", "Brown", "Bea", "Tone", "completed", dt.date(2026, 10, 1), [10, 17, 24], [3]),
        ("C", "Clark", "Ada", "Glow", "cancelled", dt.date(2026, 11, 15), [5, 12], [2]),
    ]
    for name, last_name, esthetician_name, treatment, status, starts_on, done, booked in people:
        made[name] = course(
            EstheticianFactory(user__first_name=esthetician_name, user__last_name="Berg"),
            client=ClientFactory(first_name="Iris", last_name=last_name),
            treatment=TreatmentFactory(name=treatment),
            status=status,
            starts_on=starts_on,
            completed_days_ago=done,
            booked_days_ahead=booked,
        )
    return made


ASCENDING = {
    "client": "ABC",
    "esthetician": "CBA",
    "treatment": "CAB",
    "progress": "ACB",
    "next": "ACB",
    "last": "BCA",
    "status": "ACB",
    # By the first session (B's 24, C's 12 and A's 2 days ago), not the start dates.
    "started": "BCA",
}


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("sort", list(ASCENDING))
def test_each_column_sorts_both_ways(
    manager_client: BrowserClient, three_series: dict[str, Series], sort: str, direction: str
):
    expected = ASCENDING[sort] if direction == "asc" else ASCENDING[sort][::-1]

    response = manager_client.get(URL, {"status": "all", "sort": sort, "dir": direction})

    assert table_order(response) == [three_series[name].pk for name in expected]


def test_the_sorted_column_says_so_and_its_heading_turns_it_round(
    manager_client: BrowserClient, esthetician: Esthetician
):
    on_track(esthetician)

    response = manager_client.get(URL, {"sort": "client", "dir": "asc", "status": "all"})

    heading = re.search(r'<th scope="col" aria-sort="(\w+)"> <a href="([^"]*)"', markup(response))
    assert heading[1] == "ascending"
    assert heading[2] == f"{URL}?status=all&sort=client&dir=desc"
    assert f'<a href="{URL}?status=all&amp;sort=next&amp;dir=asc"' in response.content.decode()
    # Newest first is the table's own order: the address need not say it.
    assert f'<a href="{URL}?status=all" hx-get' in response.content.decode()
    assert response.content.decode().count("aria-sort=") == 1


def test_an_htmx_request_from_the_table_gets_only_the_table(
    manager_client: BrowserClient, esthetician: Esthetician
):
    late = behind_schedule(esthetician)
    on_track(esthetician)

    response = manager_client.get(
        URL, {"flag": "behind", "esthetician": "", "started_from": ""}, headers=TABLE
    )

    content = response.content.decode().strip()
    assert content.startswith('<section id="series-table"')
    assert "<html" not in content
    assert "figure__value" not in content
    assert table_order(response) == [late.pk]
    assert response["HX-Push-Url"] == f"{URL}?flag=behind"
    assert {"HX-Request", "HX-Target"} <= {name.strip() for name in response["Vary"].split(",")}


def test_a_history_restore_gets_the_whole_page(manager_client: BrowserClient):
    headers = TABLE | {"HX-History-Restore-Request": "true"}

    response = manager_client.get(URL, {"flag": "behind"}, headers=headers)

    assert "<html" in response.content.decode()
    assert "HX-Push-Url" not in response


def test_the_table_shows_25_series_a_page_and_the_page_links_keep_the_filters(
    manager_client: BrowserClient, esthetician: Esthetician
):
    for _ in range(30):
        behind_schedule(esthetician)

    first = manager_client.get(URL, {"flag": "behind", "esthetician": esthetician.pk})
    second = manager_client.get(URL, {"flag": "behind", "esthetician": esthetician.pk, "page": 2})

    assert len(table_order(first)) == 25
    assert len(table_order(second)) == 5
    assert set(table_order(first)).isdisjoint(table_order(second))
    query = f"esthetician={esthetician.pk}&flag=behind"
    assert links(first, r'rel="next" href="([^"]*)"') == [f"{URL}?{query}&page=2"]
    assert links(second, r'rel="prev" href="([^"]*)"') == [f"{URL}?{query}"]
    assert "26–30 of 30 series" in text(second)


def test_a_row_links_to_its_series_and_its_client(
    manager_client: BrowserClient, esthetician: Esthetician
):
    series = course(
        esthetician,
        client=ClientFactory(first_name="Iris", last_name="Moss"),
        completed_days_ago=[3],
        booked_days_ahead=[6],
    )

    response = manager_client.get(URL)

    content = response.content.decode()
    assert f'<a href="{reverse("series_detail", args=[series.pk])}">' in content
    assert f'<a href="{reverse("client_detail", args=[series.client.pk])}">Iris Moss</a>' in content
    assert "1 of 8" in text(response)
    assert re.search(r"Next Tue 15 Dec, \d\d:\d\d Last completed Sun 6 Dec", text(response))
    assert "In progress" in text(response)


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"sort": "price"}, "The table cannot be sorted by “price”; it is sorted by start date."),
        ({"started_from": "2026-13-01"}, "“2026-13-01” is not a date; the “started on or after”"),
        ({"started_to": "soon"}, "“soon” is not a date; the “started on or before” filter"),
        ({"esthetician": "anna"}, "There is no esthetician “anna”; showing everyone's series."),
        ({"esthetician": "999999"}, "There is no esthetician “999999”"),
        ({"esthetician": "9" * 40}, "There is no esthetician"),
        ({"esthetician": "²"}, "There is no esthetician “²”"),
        ({"esthetician": "-1"}, "There is no esthetician “-1”"),
        ({"status": "paused"}, "“paused” is not a status; showing series in progress."),
        ({"flag": "red"}, "“red” is not a flag; showing series with and without flags."),
        ({"page": "two"}, "There is no page “two”; showing page 1."),
        ({"page": "9" * 40}, "There is no page"),
        ({"started_from": "2026-12-01", "started_to": "2026-11-01"}, "wrong way round"),
    ],
)
def test_an_unusable_value_is_left_out_and_named(
    manager_client: BrowserClient, esthetician: Esthetician, params: dict[str, str], notice: str
):
    series = first_session_on(esthetician, dt.date(2026, 11, 15))

    response = manager_client.get(URL, params)

    assert response.status_code == 200
    assert notice in text(response)
    assert table_order(response) == [series.pk]


def test_an_unknown_direction_sorts_the_usual_way(
    manager_client: BrowserClient, three_series: dict[str, Series]
):
    response = manager_client.get(URL, {"status": "all", "sort": "client", "dir": "sideways"})

    assert response.status_code == 200
    assert table_order(response) == [three_series[name].pk for name in "ABC"]


def test_the_download_link_carries_the_filters_and_sort(manager_client: BrowserClient):
    response = manager_client.get(URL, {"flag": "behind", "sort": "next", "dir": "asc", "page": 1})

    assert links(response, r'href="([^"]*)" download') == [
        f"{EXPORT_URL}?flag=behind&sort=next&dir=asc"
    ]


# Maintenance and problems


def visit(
    esthetician: Esthetician, due_on: dt.date, *, number: int = 2, **client: Any
) -> MaintenanceVisit:
    series = SeriesFactory(
        esthetician=esthetician,
        status=Series.Status.COMPLETED,
        client=ClientFactory(**client),
        maintenance_visits=6,
    )
    return MaintenanceVisit.objects.create(series=series, number=number, due_on=due_on)


def section(response: HttpResponse, title_id: str) -> str:
    """The HTML of the section a heading names."""
    content = response.content.decode()
    start = content.index(f'aria-labelledby="{title_id}"')
    return content[start : content.index("</section>", start)]


@pytest.mark.parametrize(
    ("days_ahead", "due_soon", "overdue"),
    [(15, False, False), (14, True, False), (0, True, False), (-6, True, False), (-7, False, True)],
    ids=["in-15-days", "in-14-days", "today", "6-days-past", "7-days-past"],
)
def test_maintenance_visits_are_due_soon_up_to_14_days_ahead_and_overdue_from_7_days_past(
    manager_client: BrowserClient,
    esthetician: Esthetician,
    days_ahead: int,
    due_soon: bool,
    overdue: bool,
):
    visit(esthetician, days(days_ahead), first_name="Iris", last_name="Moss")

    response = manager_client.get(URL)

    assert ("Iris Moss" in section(response, "due-soon-title")) is due_soon
    assert ("Iris Moss" in section(response, "overdue-title")) is overdue


def test_a_maintenance_visit_offers_the_clients_phone_email_and_a_booking(
    manager_client: BrowserClient, esthetician: Esthetician
):
    due = visit(
        esthetician,
        days(3),
        first_name="Iris",
        last_name="Moss",
        phone="07700 900123",
        email="iris@example.com",
    )
    client = due.series.client

    response = manager_client.get(URL)

    listed = html.unescape(section(response, "due-soon-title"))
    assert f'<a href="{reverse("client_detail", args=[client.pk])}">Iris Moss</a>' in listed
    assert '<a href="tel:07700900123">07700 900123</a>' in listed
    assert '<a href="mailto:iris@example.com">iris@example.com</a>' in listed
    assert f"Maintenance 2 of 6 · {esthetician}" in listed
    assert "Due Sat 12 Dec, in 3 days" in text(listed)
    assert f'href="{reverse("session_new")}?client={client.pk}&visit={due.pk}"' in listed


def test_an_overdue_visit_says_how_long_ago_it_was_due(
    manager_client: BrowserClient, esthetician: Esthetician
):
    visit(esthetician, days(-10), first_name="Iris", last_name="Moss")

    response = manager_client.get(URL)

    assert "Due Sun 29 Nov, 1 week, 3 days ago" in text(section(response, "overdue-title"))


def test_needs_attention_lists_blocked_bookings_with_why_and_a_link(
    manager_client: BrowserClient, esthetician: Esthetician
):
    session = SessionFactory(
        client=ClientFactory(first_name="Iris", last_name="Moss"),
        esthetician=esthetician,
        starts_at=at(days(2), 11),
        needs_attention=True,
        attention_reason="Pacemaker: microcurrent is never given.",
        attention_kinds=[Session.AttentionKind.HEALTH],
    )
    SessionFactory(esthetician=esthetician, starts_at=at(days(3), 11))

    response = manager_client.get(URL)

    listed = section(response, "attention-title")
    assert f"Fri 11 Dec, 11:00 Iris Moss · Microcurrent lift with {esthetician}" in text(listed)
    assert "Health block: Pacemaker: microcurrent is never given." in text(listed)
    assert f'href="{reverse("session_detail", args=[session.pk])}"' in listed
    assert listed.count("attention-item__when") == 1


def test_needs_attention_names_each_kind_of_problem_not_only_health_blocks(
    manager_client: BrowserClient, esthetician: Esthetician
):
    SessionFactory(
        esthetician=esthetician,
        starts_at=at(days(2), 11),
        needs_attention=True,
        attention_reason="Anna is away on Fri 11 Dec (Training course).",
        attention_kinds=[Session.AttentionKind.AWAY],
    )

    listed = text(section(manager_client.get(URL), "attention-title"))

    assert "Esthetician away: Anna is away on Fri 11 Dec (Training course)." in listed
    assert "Blocked" not in listed


# Charts


def test_the_page_draws_both_charts_with_a_title_a_description_and_their_numbers(
    manager_client: BrowserClient, esthetician: Esthetician
):
    course(esthetician, completed_days_ago=[8, 9])

    response = manager_client.get(URL)

    content = response.content.decode()
    assert content.count('<svg class="chart__svg') == 2
    assert 'role="img" aria-labelledby="weeks-svg-title weeks-svg-desc"' in content
    assert (
        '<title id="weeks-svg-title">Sessions completed per week, last 12 weeks</title>' in content
    )
    assert '<desc id="weeks-svg-desc">2 sessions completed in the 12 weeks' in content
    assert '<title id="status-svg-title">Series by status</title>' in content
    assert content.count('<rect x="') == 12 + 3
    page = text(response)
    assert "Week of 30 Nov 2 completed" in page
    assert "Week of 7 Dec 0 completed" in page
    assert "In progress 1 series" in page


# The CSV export


def test_the_csv_has_a_header_and_one_row_a_series_with_spa_local_dates_and_times(
    manager_client: BrowserClient, esthetician: Esthetician
):
    series = course(
        esthetician,
        client=ClientFactory(first_name="Iris", last_name="Moss", email="iris@example.com"),
        starts_on=dt.date(2026, 11, 1),
        completed_days_ago=[20],
        planned_sessions=6,
    )
    SessionFactory(
        client=series.client,
        esthetician=esthetician,
        series=series,
        kind=Session.Kind.SERIES,
        starts_at=at(days(1), 10),
        needs_attention=True,
    )

    last = series.sessions.get(status=Session.Status.COMPLETED).starts_at

    rows = csv_rows(manager_client.get(EXPORT_URL))

    assert rows[0] == views.EXPORT_COLUMNS
    assert rows[1:] == [
        [
            str(series.pk),
            "Iris Moss",
            "iris@example.com",
            str(esthetician),
            "Microcurrent lift",
            "2026-11-19",
            "6",
            "1",
            "2026-12-10",
            "10:00",
            "2026-11-19",
            f"{last.astimezone(LONDON):%H:%M}",
            "In progress",
            "yes",
            "yes",
        ]
    ]


def test_the_csv_gives_spa_local_dates_and_times_in_summer_too(
    manager_client: BrowserClient, esthetician: Esthetician
):
    series = course(esthetician, starts_on=dt.date(2027, 7, 1))
    SessionFactory(
        client=series.client,
        esthetician=esthetician,
        series=series,
        kind=Session.Kind.SERIES,
        starts_at=dt.datetime(2027, 7, 6, 9, 30, tzinfo=LONDON),  # 08:30 UTC
    )

    (row,) = csv_rows(manager_client.get(EXPORT_URL))[1:]

    columns = dict(zip(views.EXPORT_COLUMNS, row, strict=True))
    assert (columns["next_session_date"], columns["next_session_time"]) == ("2027-07-06", "09:30")


def test_the_csv_follows_the_filters_and_the_sort(
    manager_client: BrowserClient, three_series: dict[str, Series]
):
    response = manager_client.get(EXPORT_URL, {"status": "all", "sort": "next", "dir": "desc"})

    assert [int(row[0]) for row in csv_rows(response)[1:]] == [
        three_series[name].pk for name in "BCA"
    ]
    filtered = manager_client.get(EXPORT_URL, {"status": "cancelled"})
    assert [int(row[0]) for row in csv_rows(filtered)[1:]] == [three_series["C"].pk]


def test_the_csv_holds_every_matching_series_not_just_a_page(
    manager_client: BrowserClient, esthetician: Esthetician, monkeypatch: pytest.MonkeyPatch
):
    # Read 7 at a time: the chunks must join up in the table's order.
    monkeypatch.setattr(views, "EXPORT_CHUNK", 7)
    made = [
        on_track(esthetician, starts_on=dt.date(2026, 11, 1) + dt.timedelta(days=n))
        for n in range(30)
    ]

    rows = csv_rows(manager_client.get(EXPORT_URL, {"sort": "started", "dir": "asc"}))

    assert [int(row[0]) for row in rows[1:]] == [series.pk for series in made]


def test_the_csv_streams_as_a_dated_attachment(manager_client: BrowserClient):
    response = manager_client.get(EXPORT_URL)

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="series-2026-12-09.csv"'


def test_the_csv_keeps_a_name_that_looks_like_a_formula_as_text(
    manager_client: BrowserClient, esthetician: Esthetician
):
    on_track(esthetician, client=ClientFactory(first_name="=SUM(A1)", last_name="Moss"))

    rows = csv_rows(manager_client.get(EXPORT_URL))

    assert rows[1][1] == "'=SUM(A1) Moss"


# Queries


def many_series(esthetician: Esthetician, count: int) -> None:
    """Series of every kind: behind, flagged, on track, completed with maintenance due."""
    for number in range(count):
        kind = number % 4
        if kind == 0:
            behind_schedule(esthetician)
        elif kind == 1:
            on_track(esthetician).sessions.filter(status="booked").update(needs_attention=True)
        elif kind == 2:
            on_track(esthetician)
        else:
            visit(esthetician, days(number % 30 - 15))


@pytest.mark.parametrize("count", [3, 40])
def test_the_page_takes_the_same_few_queries_however_many_series(
    manager_client: BrowserClient,
    esthetician: Esthetician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    count: int,
):
    many_series(esthetician, count)

    with django_assert_max_num_queries(17):
        response = manager_client.get(URL, {"status": "all", "sort": "progress"})

    assert len(table_order(response)) == min(count, 25)


@pytest.mark.parametrize("count", [3, 40])
def test_the_table_region_takes_the_same_few_queries_however_many_series(
    manager_client: BrowserClient,
    esthetician: Esthetician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    count: int,
):
    many_series(esthetician, count)

    with django_assert_max_num_queries(8):
        response = manager_client.get(URL, {"status": "all", "sort": "last"}, headers=TABLE)

    assert len(table_order(response)) == min(count, 25)


@pytest.mark.parametrize("count", [3, 40])
def test_the_csv_takes_the_same_few_queries_however_many_series(
    manager_client: BrowserClient,
    esthetician: Esthetician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    count: int,
):
    many_series(esthetician, count)

    with django_assert_max_num_queries(7):
        rows = csv_rows(manager_client.get(EXPORT_URL, {"status": "all"}))

    assert len(rows) == count + 1


def test_a_manager_without_the_group_but_superuser_may_open_it(db: None):
    browser = BrowserClient()
    browser.force_login(UserFactory(username="owner", is_superuser=True))

    assert browser.get(URL).status_code == 200
