"""The team's day: a column per esthetician, as a grid of plain values and as a page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from clients.models import HealthRecordAccess
from tests.treatments.factories import (
    ClosureFactory,
    EstheticianFactory,
    SeriesFactory,
    SessionFactory,
    TreatmentFactory,
    WorkingHoursFactory,
)
from treatments.calendar_grid import Timetable, team_grid
from treatments.models import Esthetician, MaintenanceVisit, Session
from treatments.scheduling import DaysOff

LONDON = ZoneInfo("Europe/London")
# Monday 30 November 2026, before the spa opens.
NOW = dt.datetime(2026, 11, 30, 8, 0, tzinfo=LONDON)
TUESDAY = dt.date(2026, 12, 1)


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


def hours(start: int, end: int) -> dict[int, list[tuple[dt.time, dt.time]]]:
    return {TUESDAY.weekday(): [(dt.time(start), dt.time(end))]}


def test_the_team_day_has_a_column_per_esthetician_in_the_order_given() -> None:
    grid = team_grid(
        day=TUESDAY,
        timetables=[
            Timetable("Anna", hours(9, 17), [], []),
            Timetable("Ben", hours(9, 17), [], []),
            Timetable("Cleo", hours(9, 17), [], []),
        ],
        shortest_treatment=30,
        now=NOW,
    )

    assert [column.who for column in grid.columns] == ["Anna", "Ben", "Cleo"]
    assert {column.day for column in grid.columns} == {TUESDAY}


def test_the_team_day_runs_from_the_earliest_start_to_the_latest_end_among_them() -> None:
    grid = team_grid(
        day=TUESDAY,
        timetables=[
            Timetable("Anna", hours(9, 17), [], []),
            Timetable("Ben", hours(11, 19), [], []),
        ],
        shortest_treatment=30,
        now=NOW,
    )

    assert grid.first_minute == 9 * 60
    assert grid.rows == (19 - 9) * 4
    anna, ben = grid.columns
    assert [(band.row, band.span) for band in anna.working] == [(1, 32)]
    assert [(band.row, band.span) for band in ben.working] == [(9, 32)]


def test_each_column_offers_only_its_own_free_time() -> None:
    anna_busy = Booking(at(TUESDAY, 10), at(TUESDAY, 11))
    grid = team_grid(
        day=TUESDAY,
        timetables=[
            Timetable("Anna", hours(9, 12), [], [anna_busy]),
            Timetable("Ben", hours(9, 12), [], []),
        ],
        shortest_treatment=30,
        now=NOW,
    )

    anna, ben = grid.columns
    assert [slot.starts_at for slot in anna.free_slots] == [
        dt.time(9),
        dt.time(9, 30),
        dt.time(11),
        dt.time(11, 30),
    ]
    assert len(ben.free_slots) == 6
    assert [entry.item for entry in anna.sessions] == [anna_busy]
    assert ben.sessions == []


def test_each_column_offers_a_start_only_where_the_shortest_treatment_fits_its_own_day() -> None:
    anna_busy = Booking(at(TUESDAY, 10), at(TUESDAY, 11))
    grid = team_grid(
        day=TUESDAY,
        timetables=[
            Timetable("Anna", hours(9, 12), [], [anna_busy]),
            Timetable("Ben", hours(9, 12), [], []),
        ],
        shortest_treatment=60,
        now=NOW,
    )

    anna, ben = grid.columns
    assert [f"{slot.starts_at:%H:%M}" for slot in anna.free_slots] == ["09:00", "11:00"]
    assert [f"{slot.starts_at:%H:%M}" for slot in ben.free_slots] == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
    ]


def test_a_day_away_closes_only_that_estheticians_column() -> None:
    away = DaysOff(TUESDAY, TUESDAY, "Training", esthetician_away=True)
    grid = team_grid(
        day=TUESDAY,
        timetables=[
            Timetable("Anna", hours(9, 17), [away], []),
            Timetable("Ben", hours(9, 17), [], []),
        ],
        shortest_treatment=30,
        now=NOW,
    )

    anna, ben = grid.columns
    assert (anna.days_off, anna.free_slots) == ([away], [])
    assert (ben.days_off, bool(ben.free_slots)) == ([], True)


def test_someone_who_does_not_work_that_day_gets_a_column_with_no_free_time() -> None:
    grid = team_grid(
        day=TUESDAY,
        timetables=[Timetable("Anna", hours(9, 17), [], []), Timetable("Ben", {}, [], [])],
        shortest_treatment=30,
        now=NOW,
    )

    ben = grid.columns[1]
    assert (ben.working, ben.free_slots) == ([], [])


# The page -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def monday_morning() -> Iterator[time_machine.Traveller]:
    """A fixed clock, set before anyone logs in so their session is still fresh."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def team_day(browser: BrowserClient, day: dt.date = TUESDAY, **params: object) -> str:
    """The main region of the team's day."""
    query = "&".join(f"{name}={value}" for name, value in params.items())
    response = browser.get(f"{reverse('calendar')}?view=day&date={day.isoformat()}&{query}")
    assert response.status_code == 200
    return response.content.decode().split("<main", 1)[1]


def colleague(first_name: str, start: int = 9, end: int = 17, **fields: object) -> Esthetician:
    """An esthetician working Monday to Saturday from `start` to `end` o'clock."""
    esthetician = EstheticianFactory(user__first_name=first_name, user__last_name="Lee", **fields)
    for weekday in range(6):
        WorkingHoursFactory(
            esthetician=esthetician,
            weekday=weekday,
            starts_at=dt.time(start),
            ends_at=dt.time(end),
        )
    return esthetician


def columns_of(page: str) -> dict[str, str]:
    """Each column's heading (the esthetician's name) and what follows it up to the next."""
    parts = re.split(r'<h3 class="cal__day cal__who[^"]*">', page)[1:]
    named = {}
    for part in parts:
        name = re.search(r">([^<]+)<span", part)
        assert name is not None
        named[name.group(1).strip()] = part
    return named


def test_the_team_day_shows_a_column_per_esthetician_with_their_sessions(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    ben = colleague("Ben")
    SessionFactory(
        esthetician=esthetician,
        client__first_name="Iris",
        client__last_name="Moss",
        starts_at=at(TUESDAY, 10),
    )
    SessionFactory(
        esthetician=ben,
        client__first_name="Olive",
        client__last_name="Hart",
        starts_at=at(TUESDAY, 11),
    )

    page = team_day(esthetician_client)

    assert 'The team’s day <span class="cal-title__range">Tue 1 Dec</span>' in page
    columns = columns_of(page)
    assert list(columns) == [str(esthetician), "Ben Lee"]
    assert "Iris" in columns[str(esthetician)]
    assert "Olive" not in columns[str(esthetician)]
    assert "Olive" in columns["Ben Lee"]


@pytest.mark.parametrize(
    ("colleagues", "hint"),
    [(1, None), (2, "cal-scroll-hint--team-3"), (7, "cal-scroll-hint--team-many")],
)
def test_a_team_too_wide_for_a_narrow_screen_says_it_scrolls_sideways(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    colleagues: int,
    hint: str | None,
) -> None:
    for number in range(colleagues):
        colleague(f"Colleague {number}")

    page = team_day(esthetician_client)

    found = re.search(r'<p class="cal-scroll-hint ([^"]+)">(.*?)</p>', page, re.DOTALL)
    if hint is None:
        assert found is None
    else:
        assert found is not None
        assert found.group(1) == hint
        assert "Scroll sideways for the rest of the team" in found.group(2)


def test_my_own_column_says_so(esthetician_client: BrowserClient, esthetician: Esthetician) -> None:
    colleague("Ben")

    columns = columns_of(team_day(esthetician_client))

    mine = columns[str(esthetician)]
    assert '<span class="cal__me">Me</span>' in mine[: mine.index("</h3>")]
    assert "cal__me" not in columns["Ben Lee"][: columns["Ben Lee"].index("</h3>")]


def test_a_manager_sees_every_esthetician(manager_client: BrowserClient, db: None) -> None:
    colleague("Zoe")
    colleague("Ada")

    assert list(columns_of(team_day(manager_client))) == ["Ada Lee", "Zoe Lee"]


def test_a_column_heading_links_to_that_estheticians_week(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    ben = colleague("Ben")

    heading = columns_of(team_day(esthetician_client))["Ben Lee"]

    week = f"?view=week&amp;date=2026-12-01&amp;esthetician={ben.pk}"
    assert f'href="{week}"' in heading
    assert f'hx-get="{week}"' in heading


def test_the_week_link_keeps_the_esthetician_of_the_address(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    ben = colleague("Ben")

    page = team_day(esthetician_client, esthetician=ben.pk)

    assert f'href="/calendar/?view=week&amp;date=2026-12-01&amp;esthetician={ben.pk}"' in page


def test_free_time_in_a_column_books_that_esthetician(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    TreatmentFactory(name="Express", minutes=30)
    ben = colleague("Ben", start=12, end=18)

    columns = columns_of(team_day(esthetician_client))

    booking = (
        f"{reverse('session_new')}?esthetician={ben.pk}&amp;day=2026-12-01&amp;time=17:30"
        "&amp;calendar=day"
    )
    assert f'href="{booking}"' in columns["Ben Lee"]
    assert (
        'Book Tue 1 Dec, </span>17:30<span class="visually-hidden"> with Ben Lee'
        in (columns["Ben Lee"])
    )
    assert "time=17:30" not in columns[str(esthetician)]
    assert f"esthetician={ben.pk}&amp;day=2026-12-01&amp;time=11:30" not in columns["Ben Lee"]


def test_each_column_is_shaded_by_its_own_hours(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    colleague("Ben", start=12, end=18)

    columns = columns_of(team_day(esthetician_client))

    # One grid from 09:00 to 18:00: Anna's hours from its first row, Ben's from its 13th.
    assert (
        'class="cal__band cal-row-1 cal-span-32" data-hours="09:00–17:00"'
        in columns[str(esthetician)]
    )
    assert (
        'class="cal__band cal-row-13 cal-span-24" data-hours="12:00–18:00"' in (columns["Ben Lee"])
    )


def test_a_day_away_shows_in_that_estheticians_column_and_a_closure_in_every_one(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    TreatmentFactory(minutes=60)
    colleague("Ben")
    ClosureFactory(esthetician=esthetician, starts_on=TUESDAY, ends_on=TUESDAY, reason="Course")
    ClosureFactory(starts_on=dt.date(2026, 12, 2), ends_on=dt.date(2026, 12, 2), reason="Boiler")

    tuesday = columns_of(team_day(esthetician_client))
    wednesday = columns_of(team_day(esthetician_client, day=dt.date(2026, 12, 2)))

    assert "<strong>Away</strong>" in tuesday[str(esthetician)]
    assert "cal__closure" not in tuesday["Ben Lee"]
    assert "time=10:00" not in tuesday[str(esthetician)]
    assert "time=10:00" in tuesday["Ben Lee"]
    for column in wednesday.values():
        assert "<strong>Spa closed</strong>" in column
        assert "Boiler" in column


def test_someone_no_longer_working_keeps_a_column_on_a_day_they_have_sessions(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    former = colleague("Fay", is_active=False)
    SessionFactory(esthetician=former, client__first_name="Olive", starts_at=at(TUESDAY, 10))

    tuesday = columns_of(team_day(esthetician_client))
    wednesday = columns_of(team_day(esthetician_client, day=dt.date(2026, 12, 2)))

    assert list(tuesday) == [str(esthetician), "Fay Lee"]
    assert "No longer working" in tuesday["Fay Lee"]
    assert "Olive" in tuesday["Fay Lee"]
    assert list(wednesday) == [str(esthetician)]


def a_team_of_five(monkeypatch: pytest.MonkeyPatch, esthetician: Esthetician) -> list[Esthetician]:
    """Anna and four colleagues, each with a session on Tuesday, two columns at a time."""
    monkeypatch.setattr("treatments.views.calendar.TEAM_COLUMNS", 2)
    team = [esthetician] + [colleague(name) for name in ("Bea", "Cleo", "Dora", "Eve")]
    for number, who in enumerate(team):
        SessionFactory(
            esthetician=who, client__first_name=f"Client{number}", starts_at=at(TUESDAY, 10)
        )
    return team


def test_a_big_team_shows_the_columns_around_the_chosen_esthetician(
    esthetician_client: BrowserClient, esthetician: Esthetician, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = a_team_of_five(monkeypatch, esthetician)

    page = team_day(esthetician_client, esthetician=team[3].pk)

    assert list(columns_of(page)) == ["Cleo Lee", "Dora Lee"]
    assert "Client2" in page
    assert "Client0" not in page
    words = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "Estheticians 3–4 of 5, 2 side by side: ‹ The previous ones · The next ones ›" in words
    assert f"view=day&amp;date=2026-12-01&amp;esthetician={team[0].pk}" in page
    assert f"view=day&amp;date=2026-12-01&amp;esthetician={team[4].pk}" in page


def test_the_last_columns_of_a_big_team_lead_back_only(
    esthetician_client: BrowserClient, esthetician: Esthetician, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = a_team_of_five(monkeypatch, esthetician)

    page = team_day(esthetician_client, esthetician=team[4].pk)

    assert list(columns_of(page)) == ["Eve Lee"]
    assert 'id="cal-team-earlier"' in page
    assert 'id="cal-team-later"' not in page


def test_a_team_that_fits_side_by_side_is_not_paged(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    colleague("Bea")

    assert "side by side:" not in team_day(esthetician_client)


def test_a_booked_session_can_be_dragged_and_an_ended_one_cannot(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    booked = SessionFactory(esthetician=esthetician, starts_at=at(TUESDAY, 10))
    cancelled = SessionFactory(
        esthetician=esthetician, starts_at=at(TUESDAY, 12), status=Session.Status.CANCELLED
    )

    page = team_day(esthetician_client)

    move = reverse("calendar_move", args=[booked.pk])
    query = f"view=day&amp;date=2026-12-01&amp;esthetician={esthetician.pk}"
    assert f'draggable="true" data-move-url="{move}?{query}"' in page
    assert reverse("calendar_move", args=[cancelled.pk]) not in page


def test_each_column_says_where_a_drop_lands(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    ben = colleague("Ben")

    page = team_day(esthetician_client)

    assert 'data-first-minute="540" data-rows="32"' in page
    assert f'data-day="2026-12-01" data-esthetician="{esthetician.pk}"' in page
    assert f'data-day="2026-12-01" data-esthetician="{ben.pk}"' in page


def test_a_flagged_session_comes_first_with_its_flag_and_never_why(
    esthetician_client: BrowserClient, esthetician: Esthetician
) -> None:
    SessionFactory(
        esthetician=esthetician,
        starts_at=at(TUESDAY, 10),
        needs_attention=True,
        attention_reason="The new intake says pregnant.",
    )

    page = team_day(esthetician_client)

    card = page[page.index('class="cal-session ') :]
    card = card[: card.index("</a>")]
    assert card.index("Needs attention") < card.index("10:00–11:00")
    assert "pregnant" not in page
    assert not HealthRecordAccess.objects.exists()


def fill_day(estheticians: list[Esthetician], count: int) -> None:
    """`count` half-hour sessions of every kind shared out among the estheticians."""
    series = SeriesFactory(esthetician=estheticians[0], planned_sessions=12, maintenance_visits=24)
    kinds = [Session.Kind.SINGLE, Session.Kind.SERIES, Session.Kind.MAINTENANCE]
    for number in range(count):
        who = estheticians[number % len(estheticians)]
        slot = number // len(estheticians)
        starts_at = at(TUESDAY, 8) + dt.timedelta(minutes=15 * slot)
        kind = kinds[number % 3]
        session = SessionFactory(
            esthetician=who,
            series=None if kind == Session.Kind.SINGLE else series,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=15),
            needs_attention=number % 4 == 0,
            status=Session.Status.CANCELLED if number % 7 == 0 else Session.Status.BOOKED,
        )
        if kind == Session.Kind.MAINTENANCE:
            MaintenanceVisit.objects.create(
                series=series, number=number + 1, due_on=TUESDAY, session=session
            )
        ClosureFactory(esthetician=who, starts_on=TUESDAY, ends_on=TUESDAY)
    ClosureFactory(starts_on=TUESDAY, ends_on=TUESDAY)


@pytest.mark.parametrize("team_size", [2, 6])
@pytest.mark.parametrize("count", [5, 60])
def test_the_team_day_takes_the_same_few_queries_however_full_and_however_many(
    esthetician_client: BrowserClient,
    esthetician: Esthetician,
    django_assert_num_queries: DjangoAssertNumQueries,
    count: int,
    team_size: int,
) -> None:
    team = [esthetician] + [colleague(f"Colleague {n}") for n in range(team_size - 1)]
    fill_day(team, count)

    # The ninth: how long the shortest treatment on offer is, so that only a start where it
    # fits is offered; the tenth: anyone no longer working with a session that day.
    with django_assert_num_queries(10):
        page = team_day(esthetician_client)

    assert page.count('<h3 class="cal__day cal__who') == team_size
    assert page.count('class="cal-session ') + page.count('class="cal-apart ') == count
