"""Today's "Needs you": which sessions, clients and series each list holds, at its edges."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clients.models import Client
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import EstheticianFactory, SeriesFactory, SessionFactory
from treatments.models import Esthetician, Session
from treatments.selectors.needs_you import (
    intakes_running_out,
    series_behind,
    sessions_flagged,
    sessions_unrecorded,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=LONDON)  # Tue 24 Nov 2026, 09:00 in the spa
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def client_with_intake_of(day: dt.date) -> Client:
    client = ClientFactory()
    IntakeFactory(client=client, submitted_at=at(day, 12))
    return client


def running_out(esthetician: Esthetician | None) -> list[Client]:
    found = intakes_running_out(esthetician=esthetician, today=TODAY, now=NOW)
    return [row.client for row in found.rows]


# Intake out of date by the next session ------------------------------------------------------


@pytest.mark.parametrize(
    ("session_on", "listed"),
    [
        pytest.param(dt.date(2026, 11, 30), False, id="Mon 30 Nov: day 90, still in date"),
        pytest.param(dt.date(2026, 12, 1), True, id="Tue 1 Dec: day 91, out of date"),
    ],
)
def test_an_intake_of_1_sep_is_out_of_date_for_a_session_from_1_dec(
    esthetician: Esthetician, session_on: dt.date, listed: bool
) -> None:
    client = client_with_intake_of(dt.date(2026, 9, 1))
    SessionFactory(client=client, esthetician=esthetician, starts_at=at(session_on))

    assert (running_out(esthetician) == [client]) is listed


def test_the_intakes_day_is_the_spas_day_it_was_given(esthetician: Esthetician) -> None:
    # 00:30 on Tue 1 Sep in London (summer time) is still 31 Aug in UTC: in date on 30 Nov.
    client = ClientFactory()
    IntakeFactory(client=client, submitted_at=at(dt.date(2026, 9, 1), 0, 30))
    SessionFactory(client=client, esthetician=esthetician, starts_at=at(dt.date(2026, 11, 30)))

    assert running_out(esthetician) == []


@pytest.mark.parametrize(
    ("days", "listed"),
    [pytest.param(7, True, id="a week ahead"), pytest.param(8, False, id="eight days ahead")],
)
def test_only_a_next_session_this_week_counts(
    esthetician: Esthetician, days: int, listed: bool
) -> None:
    client = client_with_intake_of(dt.date(2026, 1, 5))
    day = TODAY + dt.timedelta(days=days)
    SessionFactory(client=client, esthetician=esthetician, starts_at=at(day, 20))

    assert (running_out(esthetician) == [client]) is listed


def test_a_client_whose_next_session_is_in_date_is_left_out(esthetician: Esthetician) -> None:
    # The check-in at Monday's visit records a new intake version, good for Tuesday's session.
    client = client_with_intake_of(dt.date(2026, 9, 1))
    for day in (dt.date(2026, 11, 30), dt.date(2026, 12, 1)):
        SessionFactory(client=client, esthetician=esthetician, starts_at=at(day))

    assert running_out(esthetician) == []


def test_a_client_with_no_intake_is_listed(esthetician: Esthetician) -> None:
    client = ClientFactory()
    SessionFactory(client=client, esthetician=esthetician, starts_at=at(TODAY, 15))

    [row] = intakes_running_out(esthetician=esthetician, today=TODAY, now=NOW).rows

    assert (row.client, row.given_on, row.out_of_date_today) == (client, None, True)


def test_an_intake_in_date_today_is_said_to_run_out_by_the_session(
    esthetician: Esthetician,
) -> None:
    client = client_with_intake_of(dt.date(2026, 9, 1))
    SessionFactory(client=client, esthetician=esthetician, starts_at=at(dt.date(2026, 12, 1)))

    [row] = intakes_running_out(esthetician=esthetician, today=TODAY, now=NOW).rows

    assert (row.given_on, row.out_of_date_today) == (dt.date(2026, 9, 1), False)


def test_a_next_session_with_another_esthetician_is_theirs_to_see(
    esthetician: Esthetician,
) -> None:
    client = client_with_intake_of(dt.date(2026, 1, 5))
    SessionFactory(client=client, esthetician=EstheticianFactory(), starts_at=at(TODAY, 15))
    SessionFactory(client=client, esthetician=esthetician, starts_at=at(TODAY, 17))

    assert running_out(esthetician) == []
    assert running_out(None) == [client]


def test_a_session_going_on_now_is_the_next_one(esthetician: Esthetician) -> None:
    client = client_with_intake_of(dt.date(2026, 1, 5))
    SessionFactory(client=client, esthetician=esthetician, starts_at=at(TODAY, 8, 30))

    assert running_out(esthetician) == [client]


# Ended and still booked ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts_at", "listed"),
    [
        # Today's sessions are in the day's own list, which says they are still booked.
        pytest.param(at(TODAY, 7, 30), False, id="ended at 08:30 today"),
        pytest.param(at(TODAY, 8, 30), False, id="ends at 09:30, going on now"),
        pytest.param(at(TODAY - dt.timedelta(days=1), 23, 0), True, id="yesterday at 23:00"),
        pytest.param(at(dt.date(2026, 11, 17), 0, 0), True, id="a week ago, at midnight"),
        pytest.param(at(dt.date(2026, 11, 16), 23, 0), False, id="eight days ago"),
    ],
)
def test_left_booked_means_ended_in_the_week_before_today(
    esthetician: Esthetician, starts_at: dt.datetime, listed: bool
) -> None:
    session = SessionFactory(esthetician=esthetician, starts_at=starts_at)

    found = sessions_unrecorded(esthetician=esthetician, today=TODAY, now=NOW)

    assert ([row.session for row in found.rows] == [session]) is listed


def test_left_booked_comes_latest_first(esthetician: Esthetician) -> None:
    earlier = SessionFactory(esthetician=esthetician, starts_at=at(dt.date(2026, 11, 20)))
    later = SessionFactory(esthetician=esthetician, starts_at=at(dt.date(2026, 11, 23)))

    found = sessions_unrecorded(esthetician=esthetician, today=TODAY, now=NOW)

    assert [row.session for row in found.rows] == [later, earlier]


# Flagged this week ---------------------------------------------------------------------------


def test_flagged_means_booked_flagged_and_still_to_come_this_week(
    esthetician: Esthetician,
) -> None:
    def flagged(starts_at: dt.datetime, **fields: object) -> Session:
        return SessionFactory(
            esthetician=esthetician, starts_at=starts_at, needs_attention=True, **fields
        )

    now_on = flagged(at(TODAY, 8, 30))
    last_day = flagged(at(dt.date(2026, 12, 1), 23))
    flagged(at(dt.date(2026, 12, 2), 0, 30))
    flagged(at(TODAY, 7, 0))
    flagged(at(TODAY, 12), status=Session.Status.CANCELLED)
    SessionFactory(esthetician=esthetician, starts_at=at(TODAY, 15))

    found = sessions_flagged(esthetician=esthetician, today=TODAY, now=NOW)

    assert list(found.rows) == [now_on, last_day]


def test_a_list_holds_at_most_its_limit_and_counts_them_all(esthetician: Esthetician) -> None:
    for hour in (10, 12, 14):
        SessionFactory(esthetician=esthetician, starts_at=at(TODAY, hour), needs_attention=True)

    found = sessions_flagged(esthetician=esthetician, today=TODAY, now=NOW, limit=2)

    assert [session.starts_at for session in found.rows] == [at(TODAY, 10), at(TODAY, 12)]
    assert (found.total, found.more) == (3, 1)


def test_the_teams_lists_come_grouped_by_esthetician_in_time_order(
    esthetician: Esthetician,
) -> None:
    zoe = EstheticianFactory(user__first_name="Zoe")
    rows = [
        SessionFactory(esthetician=who, starts_at=at(TODAY, hour), needs_attention=True)
        for who, hour in ((zoe, 10), (esthetician, 11), (zoe, 12), (esthetician, 13))
    ]

    found = sessions_flagged(esthetician=None, today=TODAY, now=NOW)

    assert list(found.rows) == [rows[1], rows[3], rows[0], rows[2]]


# Behind schedule -----------------------------------------------------------------------------


def test_behind_lists_ones_own_series_behind_schedule_saying_why(
    esthetician: Esthetician,
) -> None:
    behind = SeriesFactory(esthetician=esthetician, starts_on=dt.date(2026, 11, 3))
    SeriesFactory(esthetician=EstheticianFactory(), starts_on=dt.date(2026, 11, 3))
    on_track = SeriesFactory(esthetician=esthetician, starts_on=dt.date(2026, 11, 24))
    for number in range(8):
        SessionFactory(
            client=on_track.client,
            esthetician=esthetician,
            series=on_track,
            kind=Session.Kind.SERIES,
            starts_at=at(TODAY + dt.timedelta(weeks=number), 12),
        )

    found = series_behind(esthetician=esthetician, today=TODAY, now=NOW)

    assert [row.series for row in found.rows] == [behind]
    assert found.rows[0].why.startswith("A missed session has no make-up booked.")
    assert series_behind(esthetician=None, today=TODAY, now=NOW).total == 2
