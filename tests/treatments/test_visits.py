"""At the visit: check-in with the pre-treatment check, and completing with a record."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clients.models import Intake
from clients.pretreatment import CheckAnswers
from clients.selectors import client_findings
from tests.clients.factories import IntakeFactory
from tests.treatments.factories import TreatmentFactory
from treatments import services
from treatments.models import Esthetician, Session, TreatmentRecord
from treatments.services import BookingRefused

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
BOOKED_ON = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)
FIRST_SESSION = dt.datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)
NOTHING = CheckAnswers(has_pacemaker=False, acute_acne=False, pregnant=False)


@pytest.fixture
def clock():
    with time_machine.travel(BOOKED_ON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def series_session(clock, esthetician: Esthetician) -> Session:
    """The first session of an 8-week series; the clock then stands at its check-in."""
    client = IntakeFactory(submitted_at=BOOKED_ON, metal_implants=True).client
    series = services.series_create(
        client=client,
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_on=FIRST_SESSION.date(),
        planned_sessions=8,
        sessions_per_week=1,
        weekdays=[1],
        preferred_time=dt.time(10),
        created_by=esthetician.user,
        caution_note="Plates in the jaw: keep the probes off the jawline.",
    )
    clock.move_to(FIRST_SESSION - dt.timedelta(minutes=10))
    return series.sessions.order_by("starts_at").first()


def test_a_clear_check_in_lets_the_session_go_ahead(series_session, esthetician):
    checked = services.session_check_in(
        session=series_session, answers=NOTHING, by=esthetician.user
    )

    assert not checked.postponed
    assert checked.session.checked_in_at == FIRST_SESSION - dt.timedelta(minutes=10)
    assert checked.session.status == Session.Status.BOOKED


def test_a_clear_check_in_clears_the_sessions_flag_and_its_kinds(series_session, esthetician):
    Session.objects.filter(pk=series_session.pk).update(
        needs_attention=True,
        attention_reason="The spa is closed on Tue 1 Dec (Flood).",
        attention_kinds=["closure"],
    )

    checked = services.session_check_in(
        session=series_session, answers=NOTHING, by=esthetician.user
    )

    checked.session.refresh_from_db()
    assert (checked.session.needs_attention, checked.session.attention_kinds) == (False, [])


def test_the_check_in_answers_become_a_new_intake_version(series_session, esthetician):
    services.session_check_in(session=series_session, answers=NOTHING, by=esthetician.user)

    latest = Intake.objects.filter(client=series_session.client).latest_first().first()
    assert latest.source == Intake.Source.PRE_TREATMENT_CHECK
    assert latest.recorded_by == esthetician.user
    assert latest.metal_implants is True
    assert Intake.objects.filter(client=series_session.client).count() == 2


def test_acute_acne_at_check_in_postpones_the_session_with_the_reason(series_session, esthetician):
    checked = services.session_check_in(
        session=series_session, answers=replace(NOTHING, acute_acne=True), by=esthetician.user
    )

    assert checked.postponed
    assert [block.code for block in checked.blocks] == ["acute_acne"]
    assert checked.session.status == Session.Status.POSTPONED
    assert "Acne" in checked.session.status_reason
    assert checked.make_up is None


def test_a_recent_filler_at_check_in_postpones_and_books_a_make_up(series_session, esthetician):
    injected = dt.date(2026, 11, 28)

    checked = services.session_check_in(
        session=series_session,
        answers=replace(NOTHING, injected_on=injected),
        by=esthetician.user,
    )

    assert [(block.code, block.until) for block in checked.blocks] == [
        ("recent_injectable", dt.date(2026, 12, 12))
    ]
    assert checked.make_up.kind == Session.Kind.MAKE_UP
    assert checked.make_up.starts_at == dt.datetime(2027, 1, 26, 10, tzinfo=LONDON)


def test_a_new_caution_at_check_in_needs_a_note_and_stores_nothing_without_one(clock, esthetician):
    client = IntakeFactory(submitted_at=BOOKED_ON).client
    session = services.session_book(
        client=client,
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_at=FIRST_SESSION,
        booked_by=None,
    )
    clock.move_to(FIRST_SESSION)
    second_trimester = replace(NOTHING, pregnant=True, due_date=dt.date(2027, 4, 1))

    with pytest.raises(BookingRefused) as refused:
        services.session_check_in(session=session, answers=second_trimester, by=None)

    assert refused.value.codes == ["caution_not_acknowledged"]
    assert Intake.objects.filter(client=client).count() == 1
    checked = services.session_check_in(
        session=session, answers=second_trimester, by=None, caution_note="Second trimester, GP ok."
    )
    assert checked.session.caution_note == "Second trimester, GP ok."


def test_completing_with_a_record_keeps_the_treatment_details(series_session, esthetician, clock):
    clock.move_to(FIRST_SESSION + dt.timedelta(minutes=50))
    record = {
        "intensity_ua": 200,
        "frequency_hz": Decimal("0.5"),
        "waveform": TreatmentRecord.Waveform.SQUARE,
        "areas": ["forehead_brow", "cheekbones"],
        "minutes": 45,
        "gel_used": "Conductive gel",
        "tolerance": TreatmentRecord.Tolerance.COMFORTABLE,
    }

    services.session_complete(session=series_session, by=esthetician.user, record=record)

    saved = TreatmentRecord.objects.get(session=series_session)
    assert (saved.intensity_ua, saved.frequency_hz, saved.recorded_by) == (
        200,
        Decimal("0.5"),
        esthetician.user,
    )
    assert saved.area_labels() == ["Forehead and brow", "Cheekbones"]


def test_a_new_calendar_feed_secret_replaces_the_old_one(esthetician):
    first = services.calendar_token_regenerate(esthetician=esthetician)
    second = services.calendar_token_regenerate(esthetician=esthetician)

    esthetician.refresh_from_db()
    assert first != second
    assert esthetician.calendar_token_hash == services.calendar_token_hash(second)
    assert second not in esthetician.calendar_token_hash


# What is on file survives the check ----------------------------------------------------------


def booked_for(client, esthetician, starts_at=FIRST_SESSION) -> Session:
    return services.session_book(
        client=client,
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_at=starts_at,
        booked_by=None,
    )


def test_no_new_injection_at_check_in_keeps_the_filler_date_and_its_block(clock, esthetician):
    # Filler on 26 Nov blocks until 10 Dec; a session on 8 Dec was booked in error anyway
    # (the intake came after the booking) and the client comes in on the day.
    client = IntakeFactory(submitted_at=BOOKED_ON).client
    session = booked_for(client, esthetician, dt.datetime(2026, 12, 8, 10, tzinfo=LONDON))
    clock.move_to(dt.datetime(2026, 11, 27, 9, tzinfo=LONDON))
    IntakeFactory(client=client, last_injectable_on=dt.date(2026, 11, 26))
    clock.move_to(dt.datetime(2026, 12, 8, 9, 50, tzinfo=LONDON))

    checked = services.session_check_in(session=session, answers=NOTHING, by=esthetician.user)

    latest = Intake.objects.filter(client=client).latest_first().first()
    assert latest.source == Intake.Source.PRE_TREATMENT_CHECK
    assert latest.last_injectable_on == dt.date(2026, 11, 26)
    assert checked.postponed
    assert [(block.code, block.until) for block in checked.blocks] == [
        ("recent_injectable", dt.date(2026, 12, 10))
    ]


def test_after_a_no_new_injection_check_the_block_still_applies_the_next_day(
    series_session, esthetician, clock
):
    # The series' first session is today (1 Dec); filler was on file from 20 Nov, so the
    # block lifted on 4 Dec: the check-in today postpones, and tomorrow is still blocked.
    client = series_session.client
    IntakeFactory(
        client=client,
        submitted_at=FIRST_SESSION - dt.timedelta(hours=1),
        last_injectable_on=dt.date(2026, 11, 20),
        metal_implants=True,
    )

    services.session_check_in(session=series_session, answers=NOTHING, by=esthetician.user)

    tomorrow = dt.date(2026, 12, 2)
    findings = client_findings(client, tomorrow, today=FIRST_SESSION.date())
    assert [(f.code, f.until) for f in findings if f.is_block] == [
        ("recent_injectable", dt.date(2026, 12, 4))
    ]


def test_a_newer_injection_at_check_in_replaces_the_date_on_file(series_session, esthetician):
    client = series_session.client
    IntakeFactory(client=client, last_injectable_on=dt.date(2026, 10, 1), metal_implants=True)

    services.session_check_in(
        session=series_session,
        answers=replace(NOTHING, injected_on=dt.date(2026, 11, 29)),
        by=esthetician.user,
    )

    latest = Intake.objects.filter(client=client).latest_first().first()
    assert latest.last_injectable_on == dt.date(2026, 11, 29)


def test_still_pregnant_at_check_in_keeps_the_due_date_on_file(series_session, esthetician):
    client = series_session.client
    IntakeFactory(client=client, pregnant=True, due_date=dt.date(2027, 4, 1), metal_implants=True)

    services.session_check_in(
        session=series_session,
        answers=replace(NOTHING, pregnant=True),
        by=esthetician.user,
        caution_note="Second trimester, GP ok.",
    )

    latest = Intake.objects.filter(client=client).latest_first().first()
    assert (latest.pregnant, latest.due_date) == (True, dt.date(2027, 4, 1))


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 11, 30, 23, 59, tzinfo=LONDON),  # the evening before
        dt.datetime(2026, 12, 2, 0, 1, tzinfo=LONDON),  # just after the day
        dt.datetime(2026, 11, 21, 9, tzinfo=LONDON),  # weeks ahead
    ],
)
def test_check_in_is_refused_on_any_other_day_and_writes_nothing(
    series_session, esthetician, clock, moment
):
    clock.move_to(moment)

    with pytest.raises(BookingRefused) as refused:
        services.session_check_in(session=series_session, answers=NOTHING, by=esthetician.user)

    assert refused.value.codes == ["not_today"]
    assert str(refused.value) == "Check-in is on the day of the session: Tue 1 Dec."
    assert Intake.objects.filter(client=series_session.client).count() == 1
    series_session.refresh_from_db()
    assert series_session.checked_in_at is None


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 12, 1, 0, 0, tzinfo=LONDON),  # first minute of the day
        dt.datetime(2026, 12, 1, 23, 59, tzinfo=LONDON),  # last minute of the day
    ],
)
def test_check_in_is_possible_all_through_the_sessions_own_day(
    series_session, esthetician, clock, moment
):
    clock.move_to(moment)

    checked = services.session_check_in(
        session=series_session, answers=NOTHING, by=esthetician.user
    )

    assert checked.session.checked_in_at == moment
