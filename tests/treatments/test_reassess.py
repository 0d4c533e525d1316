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
from tests.treatments.factories import SessionFactory
from treatments.models import Session

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
