"""The calendar: the grid's layout as plain values, and the day and week pages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.clients.factories import UserFactory
from tests.treatments.factories import (
    ClosureFactory,
    EstheticianFactory,
    SeriesFactory,
    SessionFactory,
    TreatmentFactory,
    WorkingHoursFactory,
)
from treatments.calendar_grid import week_grid
from treatments.models import Esthetician, MaintenanceVisit, Session
from treatments.scheduling import DaysOff

LONDON = ZoneInfo("Europe/London")
# Monday 30 November 2026, before the spa opens.
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=LONDON)
MONDAY = NOW.date()
TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)
NINE_TO_FIVE = {weekday: [(dt.time(9), dt.time(17))] for weekday in range(6)}


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """An aware spa-local moment."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


# The grid, without the database ---------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    """A stand-in for a session: the grid needs only its times and status."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str = Session.Status.BOOKED


def booking(day: dt.date, start: tuple[int, int], end: tuple[int, int], **fields: str) -> Booking:
    return Booking(at(day, *start), at(day, *end), **fields)


def grid_of(
    *bookings: Booking,
    days: tuple[dt.date, ...] = (TUESDAY,),
    hours: dict | None = None,
    days_off: tuple[DaysOff, ...] = (),
    now: dt.datetime = NOW,
    shortest_treatment: int | None = 30,
):
    return week_grid(
        days=list(days),
        hours=NINE_TO_FIVE if hours is None else hours,
        sessions=list(bookings),
        days_off=list(days_off),
        shortest_treatment=shortest_treatment,
        now=now,
    )


def test_grid_runs_from_the_earliest_working_hour_to_the_latest() -> None:
    hours = {1: [(dt.time(9, 30), dt.time(12))], 2: [(dt.time(13), dt.time(18, 15))]}

    grid = grid_of(days=(TUESDAY, WEDNESDAY), hours=hours)

    assert grid.labels[0].label == "09:00"
    assert grid.labels[-1].label == "18:00"
    assert grid.rows == (19 - 9) * 4


def test_grid_without_working_hours_shows_eight_to_seven() -> None:
    grid = grid_of(hours={})

    assert [grid.labels[0].label, grid.labels[-1].label] == ["08:00", "18:00"]
    assert grid.rows == 11 * 4


def test_grid_widens_to_show_a_session_outside_working_hours() -> None:
    grid = grid_of(booking(TUESDAY, (18, 30), (19, 15)))

    assert grid.labels[-1].label == "19:00"
    assert grid.rows == (20 - 9) * 4


def test_session_is_placed_by_its_start_and_length() -> None:
    grid = grid_of(booking(TUESDAY, (10, 0), (11, 0)), booking(TUESDAY, (13, 15), (13, 45)))

    placed = [(entry.row, entry.span) for entry in grid.columns[0].sessions]

    assert placed == [(5, 4), (18, 2)]


def test_a_ten_minute_session_still_takes_a_row() -> None:
    grid = grid_of(booking(TUESDAY, (10, 0), (10, 10)))

    assert grid.columns[0].sessions[0].span == 1


def test_overlapping_sessions_sit_side_by_side() -> None:
    grid = grid_of(booking(TUESDAY, (10, 0), (11, 0)), booking(TUESDAY, (10, 30), (11, 30)))

    lanes = [(entry.lane, entry.lanes) for entry in grid.columns[0].sessions]

    assert lanes == [(0, 2), (1, 2)]


def test_back_to_back_sessions_share_one_lane() -> None:
    grid = grid_of(booking(TUESDAY, (10, 0), (11, 0)), booking(TUESDAY, (11, 0), (12, 0)))

    lanes = [(entry.lane, entry.lanes) for entry in grid.columns[0].sessions]

    assert lanes == [(0, 1), (0, 1)]


def test_a_cancelled_session_is_set_apart_and_leaves_its_booking_whole() -> None:
    cancelled = booking(TUESDAY, (10, 0), (11, 0), status=Session.Status.CANCELLED)
    rebooked = booking(TUESDAY, (10, 0), (11, 0))

    column = grid_of(cancelled, rebooked).columns[0]

    assert [(entry.item, entry.lanes) for entry in column.sessions] == [(rebooked, 1)]
    assert column.set_apart == [cancelled]


def test_working_hours_become_bands_apart_from_the_lunch_break() -> None:
    hours = {1: [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(17))]}

    bands = grid_of(hours=hours).columns[0].working

    assert [(band.row, band.span) for band in bands] == [(1, 12), (17, 16)]


def test_free_slots_every_half_hour_of_working_time_around_sessions() -> None:
    hours = {1: [(dt.time(9), dt.time(11))]}

    column = grid_of(booking(TUESDAY, (9, 30), (10, 15)), hours=hours).columns[0]

    assert [slot.starts_at for slot in column.free_slots] == [dt.time(9), dt.time(10, 30)]


# Working 09:00–12:00 and 13:00–15:00 with a session from 10:00 to 11:00, a start is free for
# 60 minutes at 09:00 (then the session), 30 at 09:30, 60 at 11:00 (then the break), 30 at
# 11:30, and 120, 90, 60 and 30 from 13:00 to 14:30 (then closing).
@pytest.mark.parametrize(
    ("shortest", "offered"),
    [
        (30, ["09:00", "09:30", "11:00", "11:30", "13:00", "13:30", "14:00", "14:30"]),
        (31, ["09:00", "11:00", "13:00", "13:30", "14:00"]),
        (60, ["09:00", "11:00", "13:00", "13:30", "14:00"]),
        (61, ["13:00", "13:30"]),
        (90, ["13:00", "13:30"]),
        (91, ["13:00"]),
        (120, ["13:00"]),
        (121, []),
        (None, []),
    ],
    ids=lambda value: f"{value}" if not isinstance(value, list) else "",
)
def test_a_free_start_is_offered_only_where_the_shortest_treatment_fits(
    shortest: int | None, offered: list[str]
) -> None:
    hours = {1: [(dt.time(9), dt.time(12)), (dt.time(13), dt.time(15))]}

    column = grid_of(
        booking(TUESDAY, (10, 0), (11, 0)), hours=hours, shortest_treatment=shortest
    ).columns[0]

    assert [f"{slot.starts_at:%H:%M}" for slot in column.free_slots] == offered


def test_a_free_start_shorter_than_half_an_hour_covers_only_its_free_time() -> None:
    hours = {1: [(dt.time(9), dt.time(10))]}

    column = grid_of(
        booking(TUESDAY, (9, 45), (10, 0)), hours=hours, shortest_treatment=15
    ).columns[0]

    assert [(slot.starts_at, slot.row, slot.span) for slot in column.free_slots] == [
        (dt.time(9), 1, 2),
        (dt.time(9, 30), 3, 1),
    ]


def test_a_session_that_ran_over_from_before_takes_the_start_it_covers() -> None:
    hours = {1: [(dt.time(9), dt.time(11))]}

    column = grid_of(
        booking(TUESDAY, (8, 30), (9, 30)), hours=hours, shortest_treatment=60
    ).columns[0]

    assert [slot.starts_at for slot in column.free_slots] == [dt.time(9, 30), dt.time(10)]


def test_no_free_slots_before_now() -> None:
    column = grid_of(now=at(TUESDAY, 15, 10)).columns[0]

    assert [slot.starts_at for slot in column.free_slots] == [
        dt.time(15, 30),
        dt.time(16),
        dt.time(16, 30),
    ]


def test_a_closed_day_is_marked_and_offers_nothing_to_book() -> None:
    christmas = DaysOff(starts_on=MONDAY, ends_on=TUESDAY, reason="Training day")

    monday, tuesday, wednesday = grid_of(
        days=(MONDAY, TUESDAY, WEDNESDAY), days_off=(christmas,)
    ).columns

    assert monday.days_off == [christmas]
    assert tuesday.days_off == [christmas]
    assert tuesday.free_slots == []
    assert wednesday.days_off == []
    assert wednesday.free_slots


def test_a_session_on_a_closed_day_still_shows() -> None:
    closed = DaysOff(starts_on=TUESDAY, ends_on=TUESDAY, reason="Spa closed")

    column = grid_of(booking(TUESDAY, (10, 0), (11, 0)), days_off=(closed,)).columns[0]

    assert len(column.sessions) == 1


def test_sessions_go_to_the_column_of_their_day() -> None:
    tuesday_session = booking(TUESDAY, (10, 0), (11, 0))
    wednesday_session = booking(WEDNESDAY, (10, 0), (11, 0))

    tuesday, wednesday = grid_of(
        wednesday_session, tuesday_session, days=(TUESDAY, WEDNESDAY)
    ).columns

    assert [entry.item for entry in tuesday.sessions] == [tuesday_session]
    assert [entry.item for entry in wednesday.sessions] == [wednesday_session]


def test_entries_come_in_time_order() -> None:
    hours = {1: [(dt.time(9), dt.time(11))]}

    column = grid_of(booking(TUESDAY, (9, 30), (10, 0)), hours=hours).columns[0]

    assert [entry.row for entry in column.entries] == sorted(e.row for e in column.entries)
    assert [entry.is_free for entry in column.entries] == [True, False, True, True]


def test_today_is_marked() -> None:
    columns = grid_of(days=(MONDAY, TUESDAY)).columns

    assert [column.is_today for column in columns] == [True, False]


# The pages ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def monday_morning() -> Iterator[time_machine.Traveller]:
    """A fixed clock, set before anyone logs in so their session is still fresh."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def calendar_url(**params: object) -> str:
    query = "&".join(f"{name}={value}" for name, value in params.items())
    return f"{reverse('calendar')}?{query}" if query else reverse("calendar")


def main_of(response) -> str:
    """The page's main region, without the header's names."""
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


def session_link(session: Session) -> str:
    return f'href="{reverse("session_detail", args=[session.pk])}"'


def block_of(page: str, session: Session) -> str:
    """The session's block on the page: its link, from the opening tag to the closing one."""
    start = page.rindex("<a", 0, page.index(session_link(session)))
    return page[start : page.index("</a>", start)]


def test_the_calendar_shows_my_week_by_default(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    EstheticianFactory(user__first_name="Aaron")

    page = main_of(esthetician_client.get(reverse("calendar")))

    assert f'<option value="{esthetician.pk}" selected>' in page
    assert "Week of Mon 30 Nov – Sat 5 Dec" in page


def test_a_manager_sees_the_first_esthetician(manager_client: BrowserClient, db: None) -> None:
    first = EstheticianFactory(user__first_name="Aaron")
    EstheticianFactory(user__first_name="Zoe")

    page = main_of(manager_client.get(reverse("calendar")))

    assert f'<option value="{first.pk}" selected>' in page


def test_without_estheticians_the_page_says_what_to_do(
    manager_client: BrowserClient,
) -> None:
    page = main_of(manager_client.get(reverse("calendar")))

    assert "No estheticians yet." in page


def test_the_esthetician_parameter_shows_anothers_calendar(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    other = EstheticianFactory(user__first_name="Priya", user__last_name="Shah")
    SessionFactory(esthetician=other, client__first_name="Olive", starts_at=at(TUESDAY, 10))
    SessionFactory(esthetician=esthetician, client__first_name="Mine", starts_at=at(TUESDAY, 12))

    page = main_of(esthetician_client.get(calendar_url(esthetician=other.pk)))

    assert "Priya Shah" in page
    assert "Olive" in page
    assert "Mine" not in page


def test_an_unknown_esthetician_is_404(esthetician_client: BrowserClient) -> None:
    response = esthetician_client.get(calendar_url(esthetician=987654))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "date=2026-13-45",
        "date=tuesday",
        "date=9999-12-31",
        "date=0001-01-01",
        "view=month",
        "view=",
        "esthetician=anna",
        "esthetician=99999999999999999999999",
        "esthetician=-1",
        "view=day&date=2026-02-30&esthetician=",
    ],
)
def test_bad_parameters_never_break_the_page(esthetician_client: BrowserClient, query: str) -> None:
    response = esthetician_client.get(f"{reverse('calendar')}?{query}")

    assert response.status_code in (200, 404)


def test_a_malformed_date_shows_today_and_says_why(esthetician_client: BrowserClient) -> None:
    page = main_of(esthetician_client.get(calendar_url(date="2026-13-45")))

    assert "“2026-13-45” is not a date the calendar can show; showing today." in page
    assert "Week of Mon 30 Nov – Sat 5 Dec" in page


def test_an_unknown_view_shows_the_week(esthetician_client: BrowserClient) -> None:
    page = main_of(esthetician_client.get(calendar_url(view="month", date="2026-12-09")))

    assert "Week of Mon 7 Dec – Sat 12 Dec" in page


def link(page: str, element_id: str) -> str:
    """The address of the link with this id."""
    match = re.search(rf'id="{element_id}"[^>]*href="([^"]+)"', page)
    assert match is not None, element_id
    return match.group(1).replace("&amp;", "&")


@pytest.mark.parametrize(
    ("view", "prev", "next_"),
    [("week", "2026-12-02", "2026-12-16"), ("day", "2026-12-08", "2026-12-10")],
)
def test_previous_and_next_move_by_the_view(
    esthetician_client: BrowserClient, esthetician: Esthetician, view: str, prev: str, next_: str
) -> None:
    page = main_of(esthetician_client.get(calendar_url(view=view, date="2026-12-09")))

    mine = f"esthetician={esthetician.pk}"
    assert link(page, "cal-prev") == f"/calendar/?view={view}&date={prev}&{mine}"
    assert link(page, "cal-next") == f"/calendar/?view={view}&date={next_}&{mine}"
    assert link(page, "cal-today") == f"/calendar/?view={view}&date=2026-11-30&{mine}"


def test_day_and_week_switch_keep_the_date(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    page = main_of(esthetician_client.get(calendar_url(view="week", date="2026-12-09")))

    mine = f"esthetician={esthetician.pk}"
    assert link(page, "cal-view-day") == f"/calendar/?view=day&date=2026-12-09&{mine}"
    assert link(page, "cal-view-week") == f"/calendar/?view=week&date=2026-12-09&{mine}"


def test_navigation_is_htmx_that_pushes_the_address(esthetician_client: BrowserClient) -> None:
    page = main_of(esthetician_client.get(reverse("calendar")))

    nav = page[page.index('id="cal-next"') : page.index("</a>", page.index('id="cal-next"'))]
    assert 'hx-get="/calendar/?view=week&amp;date=2026-12-07' in nav
    assert 'hx-target="#calendar"' in nav
    assert 'hx-push-url="true"' in nav


def test_htmx_gets_only_the_calendar_region(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(esthetician=esthetician, client__first_name="Iris", starts_at=at(TUESDAY, 10))

    response = esthetician_client.get(
        calendar_url(view="day", date="2026-12-01", esthetician=esthetician.pk),
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="calendar"')
    assert "<html" not in html
    assert "Subscribe from your phone" not in html
    assert "Iris" in html
    assert f"/calendar/?view=day&amp;date=2026-12-02&amp;esthetician={esthetician.pk}" in html
    assert "HX-Request" in response["Vary"]


def test_a_history_restore_gets_the_whole_page(esthetician_client: BrowserClient) -> None:
    response = esthetician_client.get(
        calendar_url(view="day", date="2026-12-01"),
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )

    assert "<html" in response.content.decode()


def test_the_week_leaves_out_sunday_when_nobody_works_it(
    esthetician_client: BrowserClient,
) -> None:
    page = main_of(esthetician_client.get(reverse("calendar")))

    assert "Sat 5 Dec" in page
    assert "Sun 6 Dec" not in page


def test_the_week_shows_sunday_when_there_is_a_session(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(esthetician=esthetician, starts_at=at(MONDAY + dt.timedelta(days=6), 11))

    page = main_of(esthetician_client.get(reverse("calendar")))

    assert "Week of Mon 30 Nov – Sun 6 Dec" in page


def test_the_week_shows_sunday_when_the_esthetician_works_sundays(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    WorkingHoursFactory(esthetician=esthetician, weekday=6)

    page = main_of(esthetician_client.get(reverse("calendar")))

    assert "Sun 6 Dec" in page


def test_a_session_shows_time_client_treatment_and_status(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        client__first_name="Iris",
        client__last_name="Moss",
        treatment__name="Microcurrent lift",
        starts_at=at(TUESDAY, 10),
    )

    block = block_of(main_of(esthetician_client.get(reverse("calendar"))), session)

    assert "10:00–11:00" in block
    assert "Iris Moss" in block
    assert "Single · Microcurrent lift" in block
    assert "Booked" in block


def test_a_session_links_to_its_page(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    session = SessionFactory(esthetician=esthetician, starts_at=at(TUESDAY, 10))

    page = main_of(esthetician_client.get(reverse("calendar")))

    assert f'href="/sessions/{session.pk}/"' in page


def test_a_session_sits_in_the_rows_of_its_time(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        starts_at=at(TUESDAY, 10, 30),
        ends_at=at(TUESDAY, 11, 15),
    )

    block = block_of(main_of(esthetician_client.get(reverse("calendar"))), session)

    assert "cal-row-7 cal-span-3 " in block


def test_a_series_session_shows_its_place_in_the_series(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = SeriesFactory(esthetician=esthetician, planned_sessions=8)
    for day in (MONDAY, TUESDAY):
        SessionFactory(
            esthetician=esthetician,
            client=series.client,
            series=series,
            kind=Session.Kind.SERIES,
            starts_at=at(day, 10),
        )
    third = SessionFactory(
        esthetician=esthetician,
        client=series.client,
        series=series,
        kind=Session.Kind.SERIES,
        starts_at=at(WEDNESDAY + dt.timedelta(days=1), 10),
    )

    block = block_of(main_of(esthetician_client.get(reverse("calendar"))), third)

    assert "Series 3/8" in block


def test_a_maintenance_visit_shows_its_number(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = SeriesFactory(esthetician=esthetician, maintenance_visits=6)
    session = SessionFactory(
        esthetician=esthetician,
        client=series.client,
        series=series,
        kind=Session.Kind.MAINTENANCE,
        starts_at=at(TUESDAY, 10),
    )
    MaintenanceVisit.objects.create(
        series=series,
        number=2,
        due_on=TUESDAY,
        status=MaintenanceVisit.Status.BOOKED,
        session=session,
    )

    block = block_of(main_of(esthetician_client.get(reverse("calendar"))), session)

    assert "Maintenance 2/6" in block


def test_a_make_up_session_says_so(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    series = SeriesFactory(esthetician=esthetician)
    session = SessionFactory(
        esthetician=esthetician,
        client=series.client,
        series=series,
        kind=Session.Kind.MAKE_UP,
        starts_at=at(TUESDAY, 10),
    )

    block = block_of(main_of(esthetician_client.get(reverse("calendar"))), session)

    assert "Make-up" in block


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (Session.Status.BOOKED, "Booked"),
        (Session.Status.COMPLETED, "Completed"),
        (Session.Status.CANCELLED, "Cancelled"),
        (Session.Status.NO_SHOW, "No-show"),
        (Session.Status.POSTPONED, "Postponed"),
    ],
)
def test_a_session_says_its_status_in_words(
    esthetician_client: BrowserClient, esthetician: Esthetician, status: str, words: str
) -> None:
    session = SessionFactory(esthetician=esthetician, status=status, starts_at=at(MONDAY, 10))

    block = block_of(main_of(esthetician_client.get(reverse("calendar"))), session)

    assert words in block
    assert f"--{status}" in block


def test_a_flagged_session_says_it_needs_attention_but_not_why(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    session = SessionFactory(
        esthetician=esthetician,
        starts_at=at(TUESDAY, 10),
        needs_attention=True,
        attention_reason="The new intake says pregnant.",
    )

    block = block_of(main_of(esthetician_client.get(reverse("calendar"))), session)

    assert "cal-session--attention" in block
    assert "Needs attention" in block
    # Why is health data: it is on the session's page, where each look is logged.
    assert "The new intake says pregnant." not in block


def test_a_cancelled_session_does_not_hide_the_booking_in_its_place(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    cancelled = SessionFactory(
        esthetician=esthetician,
        client__first_name="Gone",
        status=Session.Status.CANCELLED,
        starts_at=at(TUESDAY, 10),
    )
    booked = SessionFactory(
        esthetician=esthetician, client__first_name="Here", starts_at=at(TUESDAY, 10)
    )

    page = main_of(esthetician_client.get(reverse("calendar")))

    assert "cal-lane-0 cal-lanes-1" in block_of(page, booked)
    apart = "".join(re.findall(r'<ul class="cal__apart".*?</ul>', page, re.DOTALL))
    assert session_link(cancelled) in apart
    assert session_link(booked) not in apart


def test_a_spa_closure_shows_across_the_day_with_its_reason(
    esthetician_client: BrowserClient,
) -> None:
    TreatmentFactory(minutes=60)
    ClosureFactory(starts_on=TUESDAY, ends_on=TUESDAY, reason="Boiler repair")

    page = main_of(esthetician_client.get(reverse("calendar")))

    closure = page[page.index('class="cal__closure"') :]
    assert "Spa closed" in closure
    assert "Boiler repair" in closure
    assert "day=2026-12-01&amp;time=" not in page
    assert "day=2026-12-02&amp;time=10:00" in page


def test_the_estheticians_own_day_off_shows_as_away(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    ClosureFactory(esthetician=esthetician, starts_on=TUESDAY, ends_on=TUESDAY, reason="Training")
    ClosureFactory(
        esthetician=EstheticianFactory(), starts_on=WEDNESDAY, ends_on=WEDNESDAY, reason="Other's"
    )

    page = main_of(esthetician_client.get(reverse("calendar")))

    assert "Away" in page
    assert "Training" in page
    assert "Other's" not in page


def test_working_hours_are_shaded_apart(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    WorkingHoursFactory(
        esthetician=esthetician, weekday=6, starts_at=dt.time(10), ends_at=dt.time(14)
    )

    page = main_of(esthetician_client.get(reverse("calendar")))

    assert page.count('data-hours="09:00–17:00"') == 6
    assert 'class="cal__band cal-row-5 cal-span-16" data-hours="10:00–14:00"' in page


@pytest.mark.parametrize("view", ["day", "week"])
def test_a_free_slot_links_to_booking_that_time_from_the_view_it_is_on(
    esthetician_client: BrowserClient, esthetician: Esthetician, view: str
) -> None:
    TreatmentFactory(minutes=60)

    page = main_of(esthetician_client.get(calendar_url(view=view, date="2026-12-01")))

    booking_url = (
        f"{reverse('session_new')}?esthetician={esthetician.pk}&amp;day=2026-12-01&amp;time=14:30"
        f"&amp;calendar={view}"
    )
    assert f'href="{booking_url}"' in page
    assert "Book Tue 1 Dec, </span>14:30" in page


def test_a_free_slots_plus_is_kept_from_screen_readers(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    TreatmentFactory(minutes=60)

    page = main_of(esthetician_client.get(calendar_url(view="day", date="2026-12-01")))

    slot = page[page.index('<a class="cal__slot') :]
    slot = slot[: slot.index("</a>")]
    assert '<span class="cal__slot-plus" aria-hidden="true">+</span>' in slot
    # Everything else in the link is its name: "Book Tue 1 Dec, 09:00 with Anna …".
    named = re.sub(r'<span class="cal__slot-plus"[^>]*>\+</span>', "", slot.split(">", 1)[1])
    words = re.sub(r"<[^>]+>", " ", named).split()
    assert words == ["Book", "Tue", "1", "Dec,", "09:00", "with", *str(esthetician).split()]


def test_the_last_half_hour_before_closing_is_not_offered_for_an_hours_treatment(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    TreatmentFactory(minutes=60)
    TreatmentFactory(name="Retired express", minutes=30, is_active=False)

    page = main_of(esthetician_client.get(calendar_url(view="day", date="2026-12-01")))

    assert "day=2026-12-01&amp;time=16:00" in page
    assert "day=2026-12-01&amp;time=16:30" not in page


def test_the_shortest_treatment_on_offer_decides_what_is_free(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    TreatmentFactory(minutes=60)
    TreatmentFactory(name="Express", minutes=30)

    page = main_of(esthetician_client.get(calendar_url(view="day", date="2026-12-01")))

    assert "day=2026-12-01&amp;time=16:30" in page


def test_without_a_treatment_on_offer_no_time_is_offered_and_the_page_says_why(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    TreatmentFactory(minutes=60, is_active=False)

    page = main_of(esthetician_client.get(calendar_url(view="day", date="2026-12-01")))

    assert 'class="cal__slot' not in page
    assert "No treatment is on offer, so no time can be booked" in page
    assert "Pick a free time" not in page


def test_the_week_says_it_scrolls_sideways_on_a_narrow_screen(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    page = main_of(esthetician_client.get(calendar_url(view="week", date="2026-12-01")))

    hint = re.search(r'<p class="cal-scroll-hint cal-scroll-hint--week">(.*?)</p>', page, re.S)
    assert hint is not None
    assert "Scroll sideways for the rest of the week" in hint.group(1)
    # The stylesheet shows it only on a phone, where the week runs past the screen's edge.
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "calendar.css").read_text()
    phone = css[css.index("@media (max-width: 40rem)") :]
    assert ".cal-scroll-hint--week {\n    display: block;" in phone


def test_busy_time_offers_no_booking_link(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(esthetician=esthetician, starts_at=at(TUESDAY, 10))

    page = main_of(esthetician_client.get(calendar_url(view="day", date="2026-12-01")))

    assert "day=2026-12-01&amp;time=10:00" not in page
    assert "day=2026-12-01&amp;time=10:30" not in page
    assert "day=2026-12-01&amp;time=11:00" in page


def test_today_is_highlighted_and_says_so(esthetician_client: BrowserClient) -> None:
    page = main_of(esthetician_client.get(reverse("calendar")))

    today = page[page.index('class="cal__day cal__day--today"') :]
    assert today.index("Mon 30 Nov") < today.index("Today") < today.index("Tue 1 Dec")
    assert 'aria-current="date"' in today[:100]


def test_the_day_view_shows_one_day(esthetician_client: BrowserClient) -> None:
    page = main_of(esthetician_client.get(calendar_url(view="day", date="2026-12-01")))

    assert page.count('class="cal__day') == 1
    assert "Tue 1 Dec" in page


def test_anonymous_visitors_are_sent_to_log_in(client: BrowserClient) -> None:
    response = client.get(reverse("calendar"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_someone_outside_the_staff_is_refused(client: BrowserClient, db: None) -> None:
    client.force_login(UserFactory(username="visitor"))

    assert client.get(reverse("calendar")).status_code == 403


def fill_week(esthetician: Esthetician, count: int) -> None:
    """`count` half-hour sessions of every kind, from Monday 09:00, ten a day."""
    series = SeriesFactory(esthetician=esthetician, planned_sessions=12, maintenance_visits=24)
    kinds = [Session.Kind.SINGLE, Session.Kind.SERIES, Session.Kind.MAINTENANCE]
    for number in range(count):
        day, slot = divmod(number, 10)
        starts_at = at(MONDAY + dt.timedelta(days=day), 9) + dt.timedelta(minutes=30 * slot)
        kind = kinds[number % 3]
        session = SessionFactory(
            esthetician=esthetician,
            client=series.client,
            series=None if kind == Session.Kind.SINGLE else series,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=30),
            needs_attention=number % 4 == 0,
            status=Session.Status.CANCELLED if number % 7 == 0 else Session.Status.BOOKED,
        )
        if kind == Session.Kind.MAINTENANCE:
            MaintenanceVisit.objects.create(
                series=series, number=number + 1, due_on=starts_at.date(), session=session
            )
    ClosureFactory(starts_on=MONDAY + dt.timedelta(days=5), ends_on=MONDAY + dt.timedelta(days=5))


@pytest.mark.parametrize("count", [5, 60])
def test_the_week_takes_the_same_few_queries_however_full(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    django_assert_max_num_queries: DjangoAssertNumQueries,
    count: int,
) -> None:
    fill_week(esthetician, count)

    # The ninth: how long the shortest treatment on offer is, so that only a start where it
    # fits is offered.
    with django_assert_max_num_queries(9):
        page = main_of(esthetician_client.get(reverse("calendar")))

    assert page.count('class="cal-session ') + page.count('class="cal-apart ') == count


GRID_CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "calendar-grid.css"
GRID_CLASS = re.compile(r"\bcal-(?:rows|row|span|lane|lanes)-\d+\b")


def test_every_grid_position_on_the_page_has_its_class_in_the_stylesheet(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    # One in working hours and one late in the evening, past the working day.
    SessionFactory(esthetician=esthetician, starts_at=at(TUESDAY, 10), ends_at=at(TUESDAY, 11))
    SessionFactory(esthetician=esthetician, starts_at=at(TUESDAY, 22), ends_at=at(TUESDAY, 23))

    page = main_of(esthetician_client.get(reverse("calendar")))

    used = set(GRID_CLASS.findall(page))
    defined = set(re.findall(r"^\.(cal-[a-z]+-\d+) ", GRID_CSS.read_text(), re.MULTILINE))
    assert {"cal-lane-0", "cal-lanes-1", "cal-rows-56"} <= used
    assert used - defined == set()


def test_the_stylesheet_places_anything_a_whole_day_can_hold() -> None:
    defined = set(re.findall(r"^\.(cal-[a-z]+-\d+) ", GRID_CSS.read_text(), re.MULTILINE))
    rows_in_a_day = 24 * 60 // 15

    for number in range(1, rows_in_a_day + 1):
        assert {f"cal-row-{number}", f"cal-span-{number}", f"cal-rows-{number}"} <= defined
    # Side by side only where old sessions overlap (PostgreSQL refuses new overlaps).
    assert {f"cal-lane-{number}" for number in range(4)} <= defined
    assert {f"cal-lanes-{number}" for number in range(1, 5)} <= defined
