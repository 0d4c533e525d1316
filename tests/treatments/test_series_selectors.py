from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clients.models import Intake
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import (
    EstheticianFactory,
    SeriesFactory,
    SessionFactory,
    WorkingHoursFactory,
)
from treatments import scheduling
from treatments.models import Esthetician, MaintenanceVisit, Series, Session
from treatments.selectors import (
    availability_for,
    completed_count,
    home_care_routine,
    maintenance_schedule,
    series_client_choices,
    series_permanent_blocks,
    series_rhythm,
    series_timeline,
    series_upcoming_sessions,
)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 11, 21)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def session_of(series: Series, day: dt.date, **fields: Any) -> Session:
    fields.setdefault("kind", Session.Kind.SERIES)
    return SessionFactory(
        series=series,
        client=series.client,
        esthetician=series.esthetician,
        treatment=series.treatment,
        starts_at=at(day),
        **fields,
    )


@pytest.fixture
def series(db: None) -> Series:
    return SeriesFactory()


def test_timeline_numbers_the_treatments_and_leaves_missed_ones_unnumbered(
    series: Series,
) -> None:
    session_of(series, dt.date(2026, 11, 3), status=Session.Status.COMPLETED)
    session_of(series, dt.date(2026, 11, 10), status=Session.Status.NO_SHOW)
    session_of(series, dt.date(2026, 11, 17), status=Session.Status.COMPLETED)
    session_of(series, dt.date(2026, 12, 29), kind=Session.Kind.MAKE_UP)

    timeline = series_timeline(series)

    assert [entry.number for entry in timeline] == [1, None, 2, 3]
    assert [entry.is_missed for entry in timeline] == [False, True, False, False]


def test_timeline_is_in_date_order_whatever_the_booking_order(series: Series) -> None:
    later = session_of(series, dt.date(2026, 12, 8))
    earlier = session_of(series, dt.date(2026, 12, 1))

    assert [entry.session for entry in series_timeline(series)] == [earlier, later]


def test_timeline_leaves_out_maintenance_sessions(series: Series) -> None:
    session_of(series, dt.date(2026, 12, 1))
    session_of(series, dt.date(2027, 2, 2), kind=Session.Kind.MAINTENANCE)

    assert len(series_timeline(series)) == 1


def test_completed_count_counts_only_completed_treatments(series: Series) -> None:
    session_of(series, dt.date(2026, 11, 3), status=Session.Status.COMPLETED)
    session_of(series, dt.date(2026, 11, 10), status=Session.Status.CANCELLED)
    session_of(series, dt.date(2026, 11, 24))

    assert completed_count(series_timeline(series)) == 1


@pytest.mark.parametrize(
    ("days_past_due", "status", "overdue"),
    [
        (0, MaintenanceVisit.Status.DUE, False),
        (7, MaintenanceVisit.Status.DUE, False),
        (8, MaintenanceVisit.Status.DUE, True),
        (8, MaintenanceVisit.Status.BOOKED, True),
        (8, MaintenanceVisit.Status.MISSED, True),
        (30, MaintenanceVisit.Status.COMPLETED, False),
    ],
)
def test_a_visit_is_overdue_more_than_7_days_past_due_until_completed(
    series: Series, days_past_due: int, status: str, overdue: bool
) -> None:
    series.visits.create(number=1, due_on=TODAY - dt.timedelta(days=days_past_due), status=status)

    [scheduled] = maintenance_schedule(series, today=TODAY)

    assert scheduled.is_overdue is overdue


@pytest.mark.parametrize(
    ("status", "can_be_booked"),
    [
        (MaintenanceVisit.Status.DUE, True),
        (MaintenanceVisit.Status.BOOKED, False),
        (MaintenanceVisit.Status.COMPLETED, False),
        (MaintenanceVisit.Status.MISSED, False),
    ],
)
def test_only_a_due_visit_can_be_booked(series: Series, status: str, can_be_booked: bool) -> None:
    series.visits.create(number=1, due_on=TODAY, status=status)

    [scheduled] = maintenance_schedule(series, today=TODAY)

    assert scheduled.can_be_booked is can_be_booked


def test_maintenance_schedule_is_in_visit_order(series: Series) -> None:
    series.visits.create(number=2, due_on=dt.date(2027, 2, 16))
    series.visits.create(number=1, due_on=dt.date(2027, 1, 19))

    schedule = maintenance_schedule(series, today=TODAY)

    assert [scheduled.visit.number for scheduled in schedule] == [1, 2]


def test_upcoming_sessions_are_the_booked_ones_to_come_soonest_first(series: Series) -> None:
    now = at(TODAY, 9)
    session_of(series, dt.date(2026, 11, 17), status=Session.Status.COMPLETED)
    session_of(series, dt.date(2026, 11, 24), status=Session.Status.CANCELLED)
    maintenance = session_of(series, dt.date(2027, 1, 5), kind=Session.Kind.MAINTENANCE)
    next_one = session_of(series, dt.date(2026, 12, 1))

    assert series_upcoming_sessions(series, now=now) == [next_one, maintenance]


@pytest.mark.parametrize(
    ("answers", "codes"),
    [
        ({}, []),
        ({"has_pacemaker": True}, ["pacemaker"]),
        ({"acute_acne": True}, ["acute_acne"]),
        ({"pregnant": True}, ["pregnancy_due_date_missing"]),
        ({"last_injectable_on": dt.date(2026, 11, 20)}, []),
        ({"epilepsy": True}, []),
    ],
)
def test_permanent_blocks_are_the_blocks_without_an_end(
    db: None, answers: dict[str, Any], codes: list[str]
) -> None:
    intake = IntakeFactory(submitted_at=at(TODAY - dt.timedelta(days=1)), **answers)

    blocks = series_permanent_blocks(intake, on=TODAY, today=TODAY)

    assert [reason.code for reason in blocks] == codes


def test_no_intake_is_a_permanent_block(db: None) -> None:
    blocks = series_permanent_blocks(None, on=TODAY, today=TODAY)

    assert [reason.code for reason in blocks] == ["intake_missing"]


def test_client_choices_are_at_most_ten(db: None) -> None:
    for number in range(12):
        ClientFactory(first_name="Ann", last_name=f"Smith{number:02d}")

    assert len(series_client_choices("ann")) == 10


def test_client_choices_for_no_query_are_none(db: None) -> None:
    ClientFactory(first_name="Ann")

    assert series_client_choices("   ") == []


@pytest.mark.parametrize(
    ("minutes", "days", "routine"),
    [
        (5, 5, "5 minutes a day, 5 days a week"),
        (1, 1, "1 minute a day, 1 day a week"),
        (10, 7, "10 minutes a day, every day"),
        (5, 0, "5 minutes a day"),
    ],
)
def test_home_care_routine_in_words(minutes: int, days: int, routine: str) -> None:
    assert home_care_routine(minutes_a_day=minutes, days_a_week=days) == routine


def test_series_rhythm_in_words() -> None:
    series = Series(sessions_per_week=2, preferred_weekdays=[3, 0], preferred_time=dt.time(9, 30))

    assert series_rhythm(series) == "twice a week at 09:30, on Mon or Thu"


# The calendar a series plan reads -------------------------------------------------------------


def a_busy_calendar_around_the_clock_changes(seed: int) -> Esthetician:
    """An esthetician working round the clock every day, with a few hundred sessions from 15
    minutes to fifteen hours long (many across midnight), around both changes of the clocks."""
    rng = random.Random(seed)
    esthetician = EstheticianFactory()
    for weekday in range(7):
        WorkingHoursFactory(
            esthetician=esthetician, weekday=weekday, starts_at=dt.time(0), ends_at=dt.time(23, 59)
        )
    for first in (
        dt.datetime(2027, 3, 20, tzinfo=LONDON),
        dt.datetime(2027, 10, 23, tzinfo=LONDON),
    ):
        moment = first
        while moment < first + dt.timedelta(days=16):
            moment += dt.timedelta(minutes=15 * rng.randrange(0, 24))
            length = dt.timedelta(minutes=15 * rng.choice([1, 2, 4, 8, 40, 60]))
            SessionFactory(esthetician=esthetician, starts_at=moment, ends_at=moment + length)
            moment += length
    return esthetician


@pytest.mark.parametrize("seed", [1, 2])
def test_a_plan_from_the_sessions_in_its_way_is_the_plan_from_every_session(
    db: None, seed: int
) -> None:
    esthetician = a_busy_calendar_around_the_clock_changes(seed)
    clear = Intake(submitted_at=at(TODAY))
    rng = random.Random(seed)
    for starts_on in (dt.date(2027, 3, 20), dt.date(2027, 10, 23)):
        for start_time in (dt.time(0, 30), dt.time(1, 15), dt.time(9), dt.time(22, 30)):
            request = scheduling.SeriesRequest(
                starts_on=starts_on,
                sessions=12,
                sessions_per_week=2,
                weekdays=frozenset(rng.sample(range(7), 3)),
                start_time=start_time,
                minutes=rng.choice([30, 45, 60]),
            )
            days = {"starts_on": starts_on, "ends_on": starts_on + dt.timedelta(days=366)}
            narrowed = availability_for(esthetician, request=request, **days)
            every = availability_for(esthetician, **days)

            assert len(narrowed.busy) < len(every.busy)
            plans = [
                scheduling.plan_series(request, availability=calendar, intake=clear, today=TODAY)
                for calendar in (narrowed, every)
            ]
            assert plans[0] == plans[1]
            assert not plans[0].reasons


def test_on_the_night_the_clocks_go_back_a_session_in_the_way_is_read_whatever_its_times(
    db: None,
) -> None:
    esthetician = a_busy_calendar_around_the_clock_changes(seed=3)
    sunday = dt.date(2027, 10, 31)
    # 01:50 (summer time) to 01:10 (winter time): by the clock it ends before 01:15.
    Session.objects.filter(esthetician=esthetician, starts_at__date=sunday).delete()
    SessionFactory(
        esthetician=esthetician,
        starts_at=dt.datetime(2027, 10, 31, 0, 50, tzinfo=dt.UTC),
        ends_at=dt.datetime(2027, 10, 31, 1, 10, tzinfo=dt.UTC),
    )
    request = scheduling.SeriesRequest(
        starts_on=sunday,
        sessions=6,
        sessions_per_week=1,
        weekdays=frozenset({6}),
        start_time=dt.time(1, 15),
        minutes=45,
    )

    narrowed = availability_for(
        esthetician, starts_on=sunday, ends_on=sunday + dt.timedelta(days=366), request=request
    )

    assert narrowed.busy_during(scheduling.session_time(sunday, dt.time(1, 15)), at(sunday, 2))
