"""Reads of the session screens: the live booking check, the session page, the last record."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clients.models import Client
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import (
    ClosureFactory,
    SeriesFactory,
    SessionFactory,
    TreatmentFactory,
)
from treatments import services
from treatments.models import Esthetician, MaintenanceVisit, Session, TreatmentRecord
from treatments.selectors import (
    booking_check,
    make_up_obstacles,
    previous_intensity,
    session_for_page,
    session_page,
)

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)  # Sat 21 Nov 2026, 09:00 in the spa
TODAY = NOW.date()
TUESDAY = dt.date(2026, 12, 1)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client_with(**answers: Any) -> Client:
    """A client whose intake of yesterday holds these answers (clear otherwise)."""
    return IntakeFactory(submitted_at=NOW - dt.timedelta(days=1), **answers).client


def check(client: Client, esthetician: Esthetician, starts_at: dt.datetime, **extra: Any):
    return booking_check(
        client=client, esthetician=esthetician, starts_at=starts_at, minutes=60, **extra
    )


def record_for(session: Session, intensity_ua: int) -> TreatmentRecord:
    return TreatmentRecord.objects.create(
        session=session,
        intensity_ua=intensity_ua,
        frequency_hz=300,
        waveform="square",
        areas=["cheekbones"],
        minutes=45,
        tolerance="comfortable",
    )


# The live booking check ------------------------------------------------------------------------


def test_a_free_slot_for_a_clear_client_can_be_booked(esthetician):
    result = check(client_with(), esthetician, at(TUESDAY))

    assert result.allowed
    assert result.slot == "free"
    assert result.earliest is None


def test_a_slot_overlapping_a_session_is_taken(esthetician):
    SessionFactory(esthetician=esthetician, starts_at=at(TUESDAY, 9, 30))

    result = check(client_with(), esthetician, at(TUESDAY))

    assert result.slot == "taken"
    assert [reason.code for reason in result.problems] == ["slot_taken"]


def test_the_session_being_moved_does_not_take_its_own_slot(esthetician):
    session = SessionFactory(esthetician=esthetician, starts_at=at(TUESDAY))

    result = check(session.client, esthetician, at(TUESDAY, 10, 30), ignoring=session)

    assert result.slot == "free"


def test_a_time_already_past_is_refused_and_the_next_working_day_offered(esthetician, clock):
    clock.move_to(at(TODAY, 12))

    result = check(client_with(), esthetician, at(TODAY, 10))

    assert result.slot == "past"
    assert [reason.code for reason in result.problems] == ["in_the_past"]
    assert result.earliest.starts_at == at(dt.date(2026, 11, 23), 10)


def test_a_recent_filler_offers_the_day_the_block_lifts(esthetician):
    injected = client_with(last_injectable_on=dt.date(2026, 11, 20))

    result = check(injected, esthetician, at(dt.date(2026, 11, 30)))

    assert [(block.code, block.until) for block in result.blocks] == [
        ("recent_injectable", dt.date(2026, 12, 4))
    ]
    assert result.earliest.starts_at == at(dt.date(2026, 12, 4))


def test_the_earliest_date_skips_days_the_spa_is_closed(esthetician):
    ClosureFactory(starts_on=dt.date(2026, 12, 4), ends_on=dt.date(2026, 12, 4))
    injected = client_with(last_injectable_on=dt.date(2026, 11, 20))

    result = check(injected, esthetician, at(dt.date(2026, 11, 30)))

    assert result.earliest.starts_at == at(dt.date(2026, 12, 5))


def test_a_permanent_block_offers_no_date_and_says_why(esthetician):
    result = check(client_with(has_pacemaker=True), esthetician, at(TUESDAY))

    assert result.earliest is None
    assert [reason.code for reason in result.no_date_because] == ["pacemaker"]


def test_a_caution_alone_offers_no_other_date(esthetician):
    result = check(client_with(epilepsy=True), esthetician, at(TUESDAY))

    assert [reason.code for reason in result.problems] == ["caution_not_acknowledged"]
    assert result.earliest is None
    assert result.no_date_because == ()


def test_a_caution_with_a_note_can_be_booked(esthetician):
    result = check(client_with(epilepsy=True), esthetician, at(TUESDAY), caution_note="GP ok.")

    assert result.allowed
    assert [caution.code for caution in result.cautions] == ["epilepsy"]


# The session page ------------------------------------------------------------------------------


def page_of(session: Session):
    shown = session_for_page(session.pk)
    assert shown is not None
    return session_page(shown, today=TODAY)


def test_a_series_session_has_its_place_in_the_course(esthetician):
    series = services.series_create(
        client=client_with(),
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_on=TUESDAY,
        planned_sessions=8,
        sessions_per_week=1,
        weekdays=[1],
        preferred_time=dt.time(10),
        created_by=None,
    )

    page = page_of(series.sessions.order_by("starts_at")[1])

    assert page.place == "Series 2 of 8"


def test_a_maintenance_session_says_which_visit_it_is(esthetician):
    series = SeriesFactory(esthetician=esthetician, maintenance_visits=6)
    session = SessionFactory(
        esthetician=esthetician,
        client=series.client,
        series=series,
        kind=Session.Kind.MAINTENANCE,
        starts_at=at(TUESDAY),
    )
    MaintenanceVisit.objects.create(
        series=series, number=2, due_on=TUESDAY, status="booked", session=session
    )

    assert page_of(session).place == "Maintenance visit 2 of 6"


def test_a_booked_session_carries_the_days_findings(esthetician):
    session = SessionFactory(
        esthetician=esthetician, client=client_with(epilepsy=True), starts_at=at(TUESDAY)
    )

    page = page_of(session)

    assert [caution.code for caution in page.cautions] == ["epilepsy"]
    assert page.blocks == []


def test_an_ended_session_carries_no_findings(esthetician):
    session = SessionFactory(
        esthetician=esthetician,
        client=client_with(has_pacemaker=True),
        starts_at=at(TUESDAY),
        status=Session.Status.CANCELLED,
    )

    assert page_of(session).findings == []


def test_the_session_page_reads_in_a_few_queries(esthetician, django_assert_max_num_queries):
    session = SessionFactory(esthetician=esthetician, client=client_with(), starts_at=at(TUESDAY))

    with django_assert_max_num_queries(3):
        page_of(session)


# The last treatment record --------------------------------------------------------------------


def test_a_first_treatment_has_no_previous_intensity(esthetician):
    assert previous_intensity(ClientFactory()) is None


def test_the_previous_intensity_is_the_latest_sessions(esthetician):
    client = client_with()
    later = SessionFactory(client=client, esthetician=esthetician, starts_at=at(TODAY, 10))
    earlier = SessionFactory(
        client=client, esthetician=esthetician, starts_at=at(TODAY - dt.timedelta(days=7))
    )
    record_for(later, 220)
    record_for(earlier, 180)  # recorded last, but given first

    assert previous_intensity(client) == 220


def test_another_clients_record_is_not_the_previous_intensity(esthetician):
    record_for(SessionFactory(esthetician=esthetician), 300)

    assert previous_intensity(client_with()) is None


# Why no make-up ------------------------------------------------------------------------------


def test_no_make_up_for_a_now_blocked_client_says_why(esthetician):
    client = client_with()
    series = services.series_create(
        client=client,
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_on=TUESDAY,
        planned_sessions=6,
        sessions_per_week=1,
        weekdays=[1],
        preferred_time=dt.time(10),
        created_by=None,
    )
    IntakeFactory(client=client, submitted_at=NOW, has_pacemaker=True)

    assert [reason.code for reason in make_up_obstacles(series)] == ["pacemaker"]


def test_a_make_up_that_fits_has_no_obstacles(esthetician):
    series = services.series_create(
        client=client_with(),
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_on=TUESDAY,
        planned_sessions=6,
        sessions_per_week=1,
        weekdays=[1],
        preferred_time=dt.time(10),
        created_by=None,
    )

    assert make_up_obstacles(series) == []
