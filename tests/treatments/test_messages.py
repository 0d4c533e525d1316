"""The messages bookings cause, written with the change and cancelled or re-timed with it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from clients.models import Intake
from clients.services import intake_submit
from outbox.models import Message
from outbox.services import deliver_due
from tests.clients.factories import IntakeFactory
from tests.treatments.factories import ClosureFactory, TreatmentFactory
from treatments import services
from treatments.models import MaintenanceVisit, Session
from treatments.services import BookingRefused
from treatments.services.attention import nightly_review, reminders_ensure

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def olivia(clock):
    return IntakeFactory(submitted_at=NOW, client__email="olivia@example.com").client


def book(client, esthetician, starts_at):
    return services.session_book(
        client=client,
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_at=starts_at,
        booked_by=None,
    )


def weekly_series(client, esthetician, **changes):
    """Six Tuesdays at 10:00 from Tue 1 Dec."""
    fields = {
        "client": client,
        "esthetician": esthetician,
        "treatment": TreatmentFactory(),
        "starts_on": dt.date(2026, 12, 1),
        "planned_sessions": 6,
        "sessions_per_week": 1,
        "weekdays": [1],
        "preferred_time": dt.time(10),
        "created_by": None,
        **changes,
    }
    return services.series_create(**fields)


def pending(kind: str) -> list[Message]:
    return list(Message.objects.filter(kind=kind, status=Message.Status.PENDING))


def reminders_due(session: Session) -> list[dt.datetime]:
    """When the session's waiting reminders are due."""
    return [
        message.due_at
        for message in Message.objects.filter(
            session=session, kind=Message.Kind.REMINDER, status=Message.Status.PENDING
        )
    ]


def booked_before_reminders_existed(client, esthetician, starts_at) -> Session:
    session = book(client, esthetician, starts_at)
    Message.objects.filter(session=session).delete()
    return session


def test_booking_writes_a_reminder_due_a_day_before(olivia, esthetician):
    session = book(olivia, esthetician, at(dt.date(2026, 12, 1)))

    (reminder,) = pending(Message.Kind.REMINDER)
    assert reminder.due_at == at(dt.date(2026, 11, 30))
    assert (reminder.to, reminder.session) == ("olivia@example.com", session)
    assert "Tue 1 Dec, 10:00" in reminder.body_text


def test_the_reminder_lead_time_is_a_setting(olivia, esthetician, settings):
    settings.REMINDER_HOURS_BEFORE = 48

    book(olivia, esthetician, at(dt.date(2026, 12, 1)))

    assert pending(Message.Kind.REMINDER)[0].due_at == at(dt.date(2026, 11, 29))


def test_moving_a_session_re_times_its_reminder(olivia, esthetician):
    session = book(olivia, esthetician, at(dt.date(2026, 12, 1)))

    services.session_reschedule(session=session, starts_at=at(dt.date(2026, 12, 3), 14), by=None)

    (reminder,) = pending(Message.Kind.REMINDER)
    assert reminder.due_at == at(dt.date(2026, 12, 2), 14)
    assert "Thu 3 Dec, 14:00" in reminder.body_text


def test_cancelling_a_session_cancels_its_reminder(olivia, esthetician):
    session = book(olivia, esthetician, at(dt.date(2026, 12, 1)))

    services.session_cancel(session=session, reason="Ill", by=None)

    assert pending(Message.Kind.REMINDER) == []
    assert Message.objects.get(kind=Message.Kind.REMINDER).status == Message.Status.CANCELLED


def test_a_series_writes_each_session_its_own_reminder(olivia, esthetician):
    series = weekly_series(olivia, esthetician)

    sessions = list(series.sessions.order_by("starts_at"))
    reminders = [reminders_due(session) for session in sessions]
    assert reminders == [[session.starts_at - dt.timedelta(days=1)] for session in sessions]
    topics = set(Message.objects.values_list("topic", flat=True))
    assert topics == {f"session:{session.pk}:reminder" for session in sessions}


def test_cancelling_a_series_cancels_every_reminder(olivia, esthetician):
    series = weekly_series(olivia, esthetician)
    assert len(pending(Message.Kind.REMINDER)) == 6

    services.series_cancel(series=series, reason="Moving away", by=None)

    assert pending(Message.Kind.REMINDER) == []


def test_a_refusal_for_recent_filler_tells_the_client_when_they_can_book(esthetician, clock):
    injected = IntakeFactory(
        submitted_at=NOW, last_injectable_on=dt.date(2026, 11, 20), client__email="a@example.com"
    ).client

    with pytest.raises(BookingRefused):
        book(injected, esthetician, at(dt.date(2026, 12, 1)))

    (news,) = pending(Message.Kind.CAN_BOOK_AGAIN)
    assert news.due_at == at(dt.date(2026, 12, 4), 9)
    assert "from Fri 4 Dec microcurrent is safe for you again" in news.body_text
    assert not Session.objects.exists()


def test_a_refusal_for_a_permanent_block_sends_no_such_news(esthetician, clock):
    blocked = IntakeFactory(submitted_at=NOW, has_pacemaker=True).client

    with pytest.raises(BookingRefused):
        book(blocked, esthetician, at(dt.date(2026, 12, 1)))

    assert pending(Message.Kind.CAN_BOOK_AGAIN) == []


def test_a_new_intake_cancels_earlier_book_again_news(esthetician, clock):
    injected = IntakeFactory(submitted_at=NOW, last_injectable_on=dt.date(2026, 11, 20)).client
    with pytest.raises(BookingRefused):
        book(injected, esthetician, at(dt.date(2026, 12, 1)))

    intake_submit(
        client=injected,
        answers={"last_injectable_on": dt.date(2026, 11, 21)},
        source=Intake.Source.STAFF,
    )

    assert pending(Message.Kind.CAN_BOOK_AGAIN) == []


def test_a_completed_course_writes_maintenance_news_a_week_before_each_visit(
    olivia, esthetician, clock
):
    series = weekly_series(olivia, esthetician, maintenance_visits=2)
    for session in series.sessions.order_by("starts_at"):
        clock.move_to(session.starts_at + dt.timedelta(minutes=5))
        services.session_complete(session=session, by=None)

    first, second = series.visits.order_by("number")
    news = {message.topic: message for message in pending(Message.Kind.MAINTENANCE_DUE)}
    assert news[f"visit:{first.pk}:due"].due_at == at(first.due_on - dt.timedelta(days=7), 9)
    assert f"visit:{second.pk}:due" in news

    IntakeFactory(client=olivia, submitted_at=dt.datetime.now(dt.UTC))
    book_visit = services.session_book(
        client=olivia,
        esthetician=esthetician,
        treatment=TreatmentFactory(),
        starts_at=at(first.due_on),
        booked_by=None,
        maintenance_visit=first,
    )
    assert book_visit.kind == Session.Kind.MAINTENANCE
    assert f"visit:{first.pk}:due" not in {m.topic for m in pending(Message.Kind.MAINTENANCE_DUE)}


def test_a_newly_blocked_session_writes_news_for_its_esthetician(olivia, esthetician):
    esthetician.user.email = "anna@spa.example.com"
    esthetician.user.save()
    book(olivia, esthetician, at(dt.date(2026, 12, 1)))

    intake_submit(client=olivia, answers={"has_pacemaker": True}, source=Intake.Source.STAFF)

    (news,) = Message.objects.filter(kind=Message.Kind.NEEDS_ATTENTION)
    assert news.to == "anna@spa.example.com"
    assert "Tue 1 Dec, 10:00" in news.body_text


def test_the_nightly_review_flags_a_session_on_a_day_the_spa_now_closes(olivia, esthetician):
    session = book(olivia, esthetician, at(dt.date(2026, 12, 1)))
    ClosureFactory(starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 1), reason="Flood")

    assert nightly_review() == 1
    assert nightly_review() == 0

    session.refresh_from_db()
    assert session.needs_attention
    assert "The spa is closed on Tue 1 Dec (Flood)." in session.attention_reason


def test_the_nightly_review_flags_sessions_once_the_intake_expires(olivia, esthetician, clock):
    session = book(olivia, esthetician, at(dt.date(2027, 3, 2)))

    clock.move_to(NOW + dt.timedelta(days=91))
    nightly_review()

    session.refresh_from_db()
    assert "more than 90 days old" in session.attention_reason


def test_the_nightly_review_writes_missing_maintenance_news_once(olivia, esthetician, clock):
    series = weekly_series(olivia, esthetician)
    visit = MaintenanceVisit.objects.create(series=series, number=1, due_on=dt.date(2026, 11, 25))

    nightly_review()
    nightly_review()

    assert Message.objects.filter(topic=f"visit:{visit.pk}:due").count() == 1


def test_a_reminder_email_reads_plainly_as_text_and_escaped_as_html(esthetician, clock, settings):
    settings.SPA_NAME = "Bella's Spa & Wellness"
    client = IntakeFactory(
        submitted_at=NOW,
        client__first_name="D'Arcy",
        client__last_name="O'Brien",
        client__email="darcy@example.com",
    ).client
    book(client, esthetician, at(dt.date(2026, 11, 21), 14))

    deliver_due()

    (email,) = mail.outbox
    assert email.subject == "Bella's Spa & Wellness: see you Sat 21 Nov, 14:00"
    assert email.body.startswith("Hello D'Arcy,")
    assert email.body.endswith("See you soon,\nBella's Spa & Wellness\n")
    html = email.alternatives[0].content
    assert "Hello D&#x27;Arcy," in html
    assert "Bella&#x27;s Spa &amp; Wellness" in html


def test_the_needs_attention_email_names_the_client_plainly_as_text(esthetician, clock):
    esthetician.user.email = "anna@spa.example.com"
    esthetician.user.save()
    client = IntakeFactory(
        submitted_at=NOW, client__first_name="D'Arcy", client__last_name="O'Brien"
    ).client
    book(client, esthetician, at(dt.date(2026, 12, 1)))

    intake_submit(client=client, answers={"has_pacemaker": True}, source=Intake.Source.STAFF)

    (news,) = Message.objects.filter(kind=Message.Kind.NEEDS_ATTENTION)
    assert news.subject == "Needs attention: 1 booked session now blocked"
    assert "Tue 1 Dec, 10:00: D'Arcy O'Brien (Microcurrent lift)" in news.body_text
    assert "D&#x27;Arcy O&#x27;Brien" in news.body_html


def test_the_nightly_review_writes_each_missing_reminder_once(olivia, esthetician):
    tuesday = booked_before_reminders_existed(olivia, esthetician, at(dt.date(2026, 12, 1)))
    thursday = book(olivia, esthetician, at(dt.date(2026, 12, 3), 14))
    Message.objects.filter(session=thursday).update(status=Message.Status.CANCELLED)

    nightly_review()
    nightly_review()

    assert reminders_due(tuesday) == [at(dt.date(2026, 11, 30))]
    assert reminders_due(thursday) == [at(dt.date(2026, 12, 2), 14)]
    assert len(pending(Message.Kind.REMINDER)) == 2


@pytest.mark.parametrize(
    ("starts", "reminded_at"),
    [
        (dt.time(14), NOW),  # its reminder's time has passed: due at once
        (dt.time(10, 15), NOW),
        (dt.time(10), None),  # within the hour: a reminder would come too late
        (dt.time(9, 30), None),
    ],
)
def test_a_missing_reminder_for_a_session_today(olivia, esthetician, starts, reminded_at):
    session = booked_before_reminders_existed(
        olivia, esthetician, dt.datetime.combine(NOW.date(), starts, tzinfo=LONDON)
    )

    nightly_review()

    assert reminders_due(session) == ([reminded_at] if reminded_at else [])


def test_the_nightly_review_writes_no_reminder_where_none_is_owed(olivia, esthetician):
    cancelled = booked_before_reminders_existed(olivia, esthetician, at(dt.date(2026, 12, 1)))
    services.session_cancel(session=cancelled, reason="Ill", by=None)
    failed = book(olivia, esthetician, at(dt.date(2026, 12, 3)))
    Message.objects.filter(session=failed).update(status=Message.Status.FAILED)
    without_email = IntakeFactory(submitted_at=NOW, client__email="").client
    booked_before_reminders_existed(without_email, esthetician, at(dt.date(2026, 12, 4)))

    assert reminders_ensure(now=NOW) == 0
    assert pending(Message.Kind.REMINDER) == []


def test_finding_the_sessions_without_a_reminder_is_one_query_however_many_are_booked(
    olivia, esthetician, django_assert_max_num_queries
):
    for day in range(1, 6):
        book(olivia, esthetician, at(dt.date(2026, 12, day)))

    # The one query, inside its transaction's savepoint and release.
    with django_assert_max_num_queries(3):
        assert reminders_ensure(now=NOW) == 0


def test_the_needs_attention_subject_counts_in_words(esthetician, clock):
    esthetician.user.email = "anna@spa.example.com"
    esthetician.user.save()
    client = IntakeFactory(submitted_at=NOW).client
    book(client, esthetician, at(dt.date(2026, 12, 1)))
    book(client, esthetician, at(dt.date(2026, 12, 8)))

    intake_submit(client=client, answers={"has_pacemaker": True}, source=Intake.Source.STAFF)

    (news,) = Message.objects.filter(kind=Message.Kind.NEEDS_ATTENTION)
    assert news.subject == "Needs attention: 2 booked sessions now blocked"
