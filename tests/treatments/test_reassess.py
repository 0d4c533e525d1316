"""A new intake version re-assesses the client's booked sessions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from clients.models import Intake
from clients.services import intake_submit
from tests.clients.factories import IntakeFactory
from tests.treatments.factories import ClosureFactory, SessionFactory
from treatments.models import Session
from treatments.services.attention import nightly_review

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)
CLEAR = {
    "has_pacemaker": False,
    "acute_acne": False,
    "pregnant": False,
    "due_date": None,
    "last_injectable_on": None,
}


@pytest.fixture(autouse=True)
def saturday_morning():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def client_with_bookings(esthetician):
    """A cleared client with sessions on Tue 1 Dec and Tue 8 Dec, and one last week."""
    esthetician.user.email = "anna@spa.example.com"
    esthetician.user.save()
    client = IntakeFactory(submitted_at=NOW - dt.timedelta(days=30)).client
    for day in (dt.date(2026, 12, 1), dt.date(2026, 12, 8), dt.date(2026, 11, 14)):
        SessionFactory(
            client=client,
            esthetician=esthetician,
            starts_at=dt.datetime.combine(day, dt.time(10), tzinfo=LONDON),
            status=Session.Status.BOOKED if day > NOW.date() else Session.Status.COMPLETED,
        )
    return client


@pytest.fixture
def new_intake(django_capture_on_commit_callbacks):
    """Record a new version at the desk, running what waits for the commit (emails)."""

    def record(client, **answers) -> Intake:
        with django_capture_on_commit_callbacks(execute=True):
            return intake_submit(
                client=client, answers={**CLEAR, **answers}, source=Intake.Source.STAFF
            )

    return record


def flags(client) -> dict[dt.date, bool]:
    return {
        session.starts_at.astimezone(LONDON).date(): session.needs_attention
        for session in client.sessions.all()
    }


def test_a_new_filler_flags_the_sessions_it_blocks_and_no_others(client_with_bookings, new_intake):
    new_intake(client_with_bookings, last_injectable_on=dt.date(2026, 11, 20))

    assert flags(client_with_bookings) == {
        dt.date(2026, 12, 1): True,
        dt.date(2026, 12, 8): False,
        dt.date(2026, 11, 14): False,
    }
    flagged = client_with_bookings.sessions.get(needs_attention=True)
    assert "no treatment until Fri 4 Dec" in flagged.attention_reason
    assert flagged.status == Session.Status.BOOKED


def test_the_esthetician_is_emailed_about_newly_flagged_sessions(client_with_bookings, new_intake):
    new_intake(client_with_bookings, has_pacemaker=True)

    assert [message.to for message in mail.outbox] == [["anna@spa.example.com"]]
    body = mail.outbox[0].body
    assert "Tue 1 Dec, 10:00" in body
    assert "Tue 8 Dec, 10:00" in body
    assert f"/clients/{client_with_bookings.pk}/" in body


def test_an_unchanged_block_is_not_emailed_twice(client_with_bookings, new_intake):
    new_intake(client_with_bookings, has_pacemaker=True)
    new_intake(client_with_bookings, has_pacemaker=True)

    assert len(mail.outbox) == 1


def test_an_intake_that_clears_the_block_clears_the_flag(client_with_bookings, new_intake):
    new_intake(client_with_bookings, acute_acne=True)

    new_intake(client_with_bookings)

    assert not client_with_bookings.sessions.filter(needs_attention=True).exists()


def test_cancelled_sessions_are_left_alone(client_with_bookings, new_intake):
    client_with_bookings.sessions.filter(starts_at__date=dt.date(2026, 12, 8)).update(
        status=Session.Status.CANCELLED
    )

    new_intake(client_with_bookings, has_pacemaker=True)

    cancelled = client_with_bookings.sessions.get(status=Session.Status.CANCELLED)
    assert cancelled.needs_attention is False


# What kind of problem flagged a session ---------------------------------------------------


def kinds(client) -> dict[dt.date, list[str]]:
    return {
        session.starts_at.astimezone(LONDON).date(): session.attention_kinds
        for session in client.sessions.filter(status=Session.Status.BOOKED)
    }


def test_a_new_intake_that_blocks_flags_a_health_block(client_with_bookings, new_intake):
    new_intake(client_with_bookings, has_pacemaker=True)

    flagged = client_with_bookings.sessions.filter(needs_attention=True).first()
    assert flagged.attention_kinds == ["health"]
    assert flagged.attention_labels() == ["Health block"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda esthetician: ClosureFactory(
                starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 1), reason="Flood"
            ),
            {dt.date(2026, 12, 1): ["closure"], dt.date(2026, 12, 8): []},
        ),
        (
            lambda esthetician: ClosureFactory(
                esthetician=esthetician,
                starts_on=dt.date(2026, 12, 8),
                ends_on=dt.date(2026, 12, 8),
                reason="Training",
            ),
            {dt.date(2026, 12, 1): [], dt.date(2026, 12, 8): ["away"]},
        ),
        (
            lambda esthetician: esthetician.working_hours.filter(weekday=1).update(
                starts_at=dt.time(12)
            ),
            {dt.date(2026, 12, 1): ["hours"], dt.date(2026, 12, 8): ["hours"]},
        ),
    ],
    ids=["spa-closed", "esthetician-away", "hours-changed"],
)
def test_the_nightly_review_says_what_kind_of_calendar_problem_flagged_a_session(
    client_with_bookings, esthetician, change, expected
):
    change(esthetician)

    nightly_review()

    assert kinds(client_with_bookings) == expected


def test_an_intake_out_of_date_on_the_day_flags_a_new_intake_needed(esthetician, saturday_morning):
    # An intake of Tue 1 Sep is good through Mon 30 Nov and out of date on Tue 1 Dec.
    client = IntakeFactory(submitted_at=dt.datetime(2026, 9, 1, 12, tzinfo=LONDON)).client
    starts_at = dt.datetime(2026, 12, 1, 10, tzinfo=LONDON)
    session = SessionFactory(client=client, esthetician=esthetician, starts_at=starts_at)
    saturday_morning.move_to(dt.datetime(2026, 11, 30, 2, 30, tzinfo=LONDON))
    nightly_review()
    session.refresh_from_db()
    assert (session.needs_attention, session.attention_kinds) == (False, [])

    saturday_morning.move_to(dt.datetime(2026, 12, 1, 2, 30, tzinfo=LONDON))
    nightly_review()

    session.refresh_from_db()
    assert session.attention_kinds == ["intake"]
    assert session.attention_labels() == ["New intake needed"]


def test_a_health_block_on_a_closed_day_names_both_kinds_in_the_reasons_order(
    client_with_bookings, new_intake
):
    ClosureFactory(starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 1), reason="Flood")

    new_intake(client_with_bookings, has_pacemaker=True)

    assert kinds(client_with_bookings)[dt.date(2026, 12, 1)] == ["health", "closure"]
    flagged = client_with_bookings.sessions.get(starts_at__date=dt.date(2026, 12, 1))
    assert flagged.attention_labels() == ["Health block", "Spa closed"]


def test_a_flag_set_before_kinds_were_kept_gets_its_kind_without_a_second_email(
    client_with_bookings,
):
    ClosureFactory(starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 1), reason="Flood")
    nightly_review()
    mail.outbox.clear()
    client_with_bookings.sessions.filter(needs_attention=True).update(attention_kinds=[])

    assert nightly_review() == 0

    assert kinds(client_with_bookings)[dt.date(2026, 12, 1)] == ["closure"]
    assert mail.outbox == []


def test_a_cleared_flag_forgets_its_kinds(client_with_bookings, new_intake):
    new_intake(client_with_bookings, acute_acne=True)

    new_intake(client_with_bookings)

    assert kinds(client_with_bookings) == {dt.date(2026, 12, 1): [], dt.date(2026, 12, 8): []}
