"""The tallies the database keeps (each series' sessions, the sessions starting each quarter
hour by status, the series by status) agree with a recount after every kind of change:
booking, outcomes, moves, make-ups, series cancelled, client erased, rows written in bulk."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clients.models import Client
from privacy.services import client_erase
from tests.clients.factories import IntakeFactory
from tests.treatments.factories import SeriesFactory, SessionFactory, TreatmentFactory
from treatments import services
from treatments.models import Esthetician, Series, SeriesByStatus, Session, SessionsStarting

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)  # a Saturday
TUESDAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def iris(db: None) -> Client:
    return IntakeFactory(submitted_at=NOW - dt.timedelta(days=1)).client


def recount(series: Series) -> dict[str, Any]:
    """What the tally should say, counted from the series' sessions in Python."""
    sessions = list(Session.objects.filter(series=series))
    course = [session for session in sessions if session.kind in Session.COURSE_KINDS]
    completed = [session for session in course if session.status == Session.Status.COMPLETED]
    booked = [session for session in sessions if session.status == Session.Status.BOOKED]
    return {
        "completed_count": len(completed),
        "booked_count": sum(session.status == Session.Status.BOOKED for session in course),
        "first_session_at": min((session.starts_at for session in course), default=None),
        "last_completed_at": max((session.starts_at for session in completed), default=None),
        "booked_first_starts_at": min((session.starts_at for session in booked), default=None),
        "booked_first_ends_at": min((session.ends_at for session in booked), default=None),
    }


def quarter_hour(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(dt.UTC)
    return moment.replace(minute=moment.minute // 15 * 15, second=0, microsecond=0)


def assert_every_tally_agrees() -> None:
    for series in Series.objects.all():
        tally = {field: getattr(series, field) for field in Series.TALLY_FIELDS}
        assert tally == recount(series), f"series {series.pk}"
    counted = Counter(
        (quarter_hour(starts_at), status)
        for starts_at, status in Session.objects.values_list("starts_at", "status")
        if status in ("booked", "completed", "no_show")
    )
    tallied = Counter()
    for row in SessionsStarting.objects.all():
        tallied |= {
            (row.starts_in, "booked"): row.booked,
            (row.starts_in, "completed"): row.completed,
        }
        tallied |= {(row.starts_in, "no_show"): row.no_shows}
    assert +tallied == counted
    statuses = Counter(Series.objects.values_list("status", flat=True))
    assert +Counter(dict(SeriesByStatus.objects.values_list("status", "series"))) == statuses


def plan(client: Client, esthetician: Esthetician) -> Series:
    return services.series_create(
        client=client,
        esthetician=esthetician,
        treatment=TreatmentFactory(minutes=60),
        starts_on=TUESDAY,
        planned_sessions=8,
        sessions_per_week=1,
        weekdays=[1],
        preferred_time=dt.time(10),
        created_by=esthetician.user,
    )


def booked(series: Series, number: int) -> Session:
    return series.sessions.filter(status=Session.Status.BOOKED).order_by("starts_at")[number]


def test_a_new_series_tallies_its_booked_sessions(iris, esthetician):
    series = plan(iris, esthetician)

    series.refresh_from_db()
    assert (series.booked_count, series.completed_count) == (8, 0)
    assert series.first_session_at == series.booked_first_starts_at == booked(series, 0).starts_at
    assert_every_tally_agrees()


def test_the_tally_follows_every_outcome_and_move(iris, esthetician, clock):
    series = plan(iris, esthetician)
    by = esthetician.user

    clock.move_to(dt.datetime(2026, 12, 1, 12, tzinfo=LONDON))
    services.session_complete(session=booked(series, 0), by=by)
    assert_every_tally_agrees()

    clock.move_to(dt.datetime(2026, 12, 8, 12, tzinfo=LONDON))
    services.session_mark_no_show(session=booked(series, 0), by=by)  # a make-up is booked
    assert_every_tally_agrees()

    services.session_cancel(session=booked(series, 0), reason="Away", by=by)
    assert_every_tally_agrees()

    services.session_postpone(session=booked(series, 0), reason="Sunburn", by=by)
    assert_every_tally_agrees()

    first = booked(series, 0)
    services.session_reschedule(
        session=first, starts_at=first.starts_at + dt.timedelta(days=1), by=by
    )
    assert_every_tally_agrees()

    services.session_book(
        client=iris,
        esthetician=esthetician,
        treatment=series.treatment,
        starts_at=dt.datetime(2027, 4, 6, 14, tzinfo=LONDON),
        booked_by=by,
        kind=Session.Kind.MAKE_UP,
        series=series,
    )
    assert_every_tally_agrees()

    services.series_cancel(series=series, reason="Moving away", by=by)
    assert_every_tally_agrees()
    series.refresh_from_db()
    assert (series.booked_count, series.booked_first_starts_at) == (0, None)


def test_erasing_the_client_leaves_the_tally_right(iris, esthetician, clock):
    series = plan(iris, esthetician)
    clock.move_to(dt.datetime(2026, 12, 1, 12, tzinfo=LONDON))
    services.session_complete(session=booked(series, 0), by=esthetician.user)

    client_erase(client=iris, by=esthetician.user, reason="The client asked.")

    series.refresh_from_db()
    assert (series.completed_count, series.booked_count) == (1, 0)
    assert_every_tally_agrees()


def test_rows_written_in_bulk_are_tallied_too(esthetician):
    first, second = SeriesFactory(esthetician=esthetician), SeriesFactory(esthetician=esthetician)
    moments = [dt.datetime(2026, 12, day, 10, tzinfo=LONDON) for day in range(1, 7)]
    Session.objects.bulk_create(
        SessionFactory.build(
            client=series.client,
            esthetician=esthetician,
            treatment=series.treatment,
            series=series,
            kind=Session.Kind.SERIES,
            starts_at=moment,
            ends_at=moment + dt.timedelta(hours=1),
        )
        for series, moment in zip([first, second] * 3, moments, strict=True)
    )
    assert_every_tally_agrees()

    Session.objects.filter(series=first).update(status=Session.Status.COMPLETED)
    Session.objects.filter(series=second, starts_at__day=6).update(series=first)
    assert_every_tally_agrees()

    Session.objects.filter(series=first, starts_at__day=1).update(
        starts_at=dt.datetime(2026, 12, 1, 10, 14, 59, 500000, tzinfo=LONDON)
    )
    Session.objects.filter(series=first, starts_at__day=6).delete()
    Session.objects.filter(series=second).update(needs_attention=True)
    assert_every_tally_agrees()


def test_saving_a_series_whole_keeps_the_tally_it_did_not_read(iris, esthetician):
    series = SeriesFactory(client=iris, esthetician=esthetician)
    stale = Series.objects.get(pk=series.pk)
    plan_for = dt.datetime(2026, 12, 1, 10, tzinfo=LONDON)
    SessionFactory(
        client=iris,
        esthetician=esthetician,
        series=series,
        kind=Session.Kind.SERIES,
        starts_at=plan_for,
        ends_at=plan_for + dt.timedelta(hours=1),
    )

    stale.home_device = "NuFACE Trinity"
    stale.save()

    series.refresh_from_db()
    assert (series.home_device, series.booked_count) == ("NuFACE Trinity", 1)
    assert_every_tally_agrees()
