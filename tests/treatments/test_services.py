from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from clients.selectors import latest_intake
from outbox.models import Message
from tests.clients.factories import ClientFactory, IntakeFactory
from tests.treatments.factories import (
    ClosureFactory,
    EstheticianFactory,
    TreatmentFactory,
)
from treatments import scheduling, services
from treatments.models import MaintenanceVisit, Series, Session
from treatments.services import BookingRefused

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=LONDON)
TUESDAY = 1


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


@pytest.fixture(autouse=True)
def saturday_morning():
    """The clock stands at Sat 21 Nov 2026, 09:00 in the spa."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def treatment(db):
    return TreatmentFactory(minutes=60)


@pytest.fixture
def cleared_client(db):
    """A client with a clear intake from yesterday."""
    intake = IntakeFactory(submitted_at=NOW - dt.timedelta(days=1))
    return intake.client


def book(cleared_client, esthetician, treatment, starts_at, **extra):
    return services.session_book(
        client=cleared_client,
        esthetician=esthetician,
        treatment=treatment,
        starts_at=starts_at,
        booked_by=esthetician.user,
        **extra,
    )


def refusal_codes(call) -> list[str]:
    with pytest.raises(BookingRefused) as refused:
        call()
    return refused.value.codes


def test_a_free_slot_is_booked(cleared_client, esthetician, treatment):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1)))

    assert session.status == Session.Status.BOOKED
    assert session.ends_at - session.starts_at == dt.timedelta(minutes=60)
    assert session.booked_by == esthetician.user


def test_an_overlapping_slot_is_refused_as_taken(cleared_client, esthetician, treatment):
    book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))
    other = IntakeFactory(submitted_at=NOW).client

    codes = refusal_codes(
        lambda: book(other, esthetician, treatment, at(dt.date(2026, 12, 1), 10, 30))
    )

    assert codes == ["slot_taken"]
    assert Session.objects.count() == 1


def test_another_esthetician_can_take_the_same_time(cleared_client, esthetician, treatment):
    book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1)))
    colleague = EstheticianFactory()
    colleague.working_hours.create(weekday=TUESDAY, starts_at=dt.time(9), ends_at=dt.time(17))
    other = IntakeFactory(submitted_at=NOW).client

    session = book(other, colleague, treatment, at(dt.date(2026, 12, 1)))

    assert session.pk


@pytest.fixture
def colleague(db):
    """Ben, working Tuesdays 09:00 to 17:00."""
    ben = EstheticianFactory(user__first_name="Ben")
    ben.working_hours.create(weekday=TUESDAY, starts_at=dt.time(9), ends_at=dt.time(17))
    return ben


def test_a_client_is_never_booked_with_two_estheticians_at_once(
    cleared_client, esthetician, colleague, treatment
):
    book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))

    with pytest.raises(BookingRefused) as refused:
        book(cleared_client, colleague, treatment, at(dt.date(2026, 12, 1), 10, 30))

    assert refused.value.codes == ["client_busy"]
    assert str(refused.value) == "The client already has a session from 10:00–11:00 on Tue 1 Dec."
    assert Session.objects.count() == 1


@pytest.mark.parametrize(("hour", "minute"), [(9, 0), (11, 0)])
def test_a_client_may_be_booked_back_to_back_with_another_esthetician(
    cleared_client, esthetician, colleague, treatment, hour, minute
):
    book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))

    session = book(cleared_client, colleague, treatment, at(dt.date(2026, 12, 1), hour, minute))

    assert session.pk


def test_moving_a_session_onto_the_clients_other_session_is_refused(
    cleared_client, esthetician, colleague, treatment
):
    book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))
    later = book(cleared_client, colleague, treatment, at(dt.date(2026, 12, 1), 14))

    codes = refusal_codes(
        lambda: services.session_reschedule(
            session=later, starts_at=at(dt.date(2026, 12, 1), 10, 15), by=None
        )
    )

    assert codes == ["client_busy"]


# Moving a session to another esthetician ---------------------------------------------------


def test_a_session_moves_to_another_esthetician(cleared_client, esthetician, colleague, treatment):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))

    moved = services.session_reschedule(
        session=session, starts_at=at(dt.date(2026, 12, 1), 14), by=None, esthetician=colleague
    )

    moved.refresh_from_db()
    assert (moved.esthetician, moved.starts_at) == (colleague, at(dt.date(2026, 12, 1), 14))
    assert moved.ends_at == at(dt.date(2026, 12, 1), 15)
    # The esthetician's time is free again: another client can take it.
    other = IntakeFactory(submitted_at=NOW).client
    assert book(other, esthetician, treatment, at(dt.date(2026, 12, 1), 10)).pk


def test_a_move_to_another_esthetician_tells_the_client_who_will_see_them(
    cleared_client, esthetician, colleague, treatment
):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))

    services.session_reschedule(
        session=session, starts_at=at(dt.date(2026, 12, 1), 10), by=None, esthetician=colleague
    )

    (reminder,) = Message.objects.filter(kind=Message.Kind.REMINDER, status=Message.Status.PENDING)
    assert "Tue 1 Dec, 10:00 with Ben" in reminder.body_text


def test_a_move_is_refused_when_the_other_esthetician_is_booked_then(
    cleared_client, esthetician, colleague, treatment
):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))
    book(IntakeFactory(submitted_at=NOW).client, colleague, treatment, at(dt.date(2026, 12, 1), 14))

    with pytest.raises(BookingRefused) as refused:
        services.session_reschedule(
            session=session,
            starts_at=at(dt.date(2026, 12, 1), 14, 30),
            by=None,
            esthetician=colleague,
        )

    assert refused.value.codes == ["slot_taken"]
    assert str(refused.value).startswith(f"{colleague} already has a session from 14:00")
    session.refresh_from_db()
    assert (session.esthetician, session.starts_at) == (esthetician, at(dt.date(2026, 12, 1), 10))


def test_a_move_is_refused_when_the_other_esthetician_is_away(
    cleared_client, esthetician, colleague, treatment
):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))
    ClosureFactory(
        esthetician=colleague, starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 1)
    )

    codes = refusal_codes(
        lambda: services.session_reschedule(
            session=session, starts_at=at(dt.date(2026, 12, 1), 14), by=None, esthetician=colleague
        )
    )

    assert codes == ["esthetician_away"]


def test_a_move_is_refused_outside_the_other_estheticians_hours(
    cleared_client, esthetician, colleague, treatment
):
    # Ben works Tuesdays only; Anna works Wednesdays too.
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))

    codes = refusal_codes(
        lambda: services.session_reschedule(
            session=session, starts_at=at(dt.date(2026, 12, 2), 10), by=None, esthetician=colleague
        )
    )

    assert codes == ["outside_hours"]


def test_a_move_to_another_esthetician_never_books_the_client_twice(
    cleared_client, esthetician, colleague, treatment
):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))
    third = EstheticianFactory(user__first_name="Cleo")
    third.working_hours.create(weekday=TUESDAY, starts_at=dt.time(9), ends_at=dt.time(17))
    book(cleared_client, third, treatment, at(dt.date(2026, 12, 1), 14))

    codes = refusal_codes(
        lambda: services.session_reschedule(
            session=session,
            starts_at=at(dt.date(2026, 12, 1), 13, 30),
            by=None,
            esthetician=colleague,
        )
    )

    assert codes == ["client_busy"]
    assert Session.objects.filter(esthetician=colleague).count() == 0


def test_a_move_checks_the_clients_health_on_the_new_day(esthetician, colleague, treatment):
    injected = IntakeFactory(submitted_at=NOW, last_injectable_on=dt.date(2026, 11, 20)).client
    session = book(injected, esthetician, treatment, at(dt.date(2026, 12, 8)))
    colleague.working_hours.create(weekday=0, starts_at=dt.time(9), ends_at=dt.time(17))

    codes = refusal_codes(
        lambda: services.session_reschedule(
            session=session, starts_at=at(dt.date(2026, 11, 30)), by=None, esthetician=colleague
        )
    )

    assert codes == ["recent_injectable"]


def test_a_series_is_planned_around_the_clients_other_sessions(
    cleared_client, esthetician, colleague, treatment
):
    book(cleared_client, colleague, treatment, at(dt.date(2026, 12, 8), 10, 30))

    series = create_series(cleared_client, esthetician, treatment)

    days = [timezone.localtime(s.starts_at).date() for s in series.sessions.order_by("starts_at")]
    assert dt.date(2026, 12, 8) not in days
    assert days[:3] == [dt.date(2026, 12, 1), dt.date(2026, 12, 15), dt.date(2026, 12, 22)]


def test_a_cancelled_session_frees_its_slot(cleared_client, esthetician, treatment):
    first = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1)))
    services.session_cancel(session=first, reason="Client is ill", by=None)

    again = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1)))

    assert again.status == Session.Status.BOOKED


def test_outside_working_hours_is_refused(cleared_client, esthetician, treatment):
    assert refusal_codes(
        lambda: book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 16, 30))
    ) == ["outside_hours"]


def test_a_spa_closure_is_refused(cleared_client, esthetician, treatment):
    ClosureFactory(starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 2))

    assert refusal_codes(
        lambda: book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1)))
    ) == ["spa_closed"]


def test_a_time_already_past_is_refused(cleared_client, esthetician, treatment):
    assert refusal_codes(
        lambda: book(cleared_client, esthetician, treatment, NOW - dt.timedelta(hours=1))
    ) == ["in_the_past"]


BLOCKS = [
    ({"has_pacemaker": True}, "pacemaker", None),
    ({"acute_acne": True}, "acute_acne", None),
    (
        {"pregnant": True, "due_date": dt.date(2027, 6, 1)},
        "pregnancy_first_trimester",
        dt.date(2026, 12, 1),
    ),
    ({"pregnant": True}, "pregnancy_due_date_missing", None),
    ({"last_injectable_on": dt.date(2026, 11, 20)}, "recent_injectable", dt.date(2026, 12, 4)),
]


@pytest.mark.parametrize(("answers", "code", "until"), BLOCKS, ids=[row[1] for row in BLOCKS])
def test_each_block_refuses_booking_with_its_date(answers, code, until, esthetician, treatment):
    blocked = IntakeFactory(submitted_at=NOW, **answers).client

    with pytest.raises(BookingRefused) as refused:
        book(blocked, esthetician, treatment, at(dt.date(2026, 11, 30)))

    assert [(reason.code, reason.until) for reason in refused.value.reasons] == [(code, until)]


def test_a_client_without_an_intake_is_refused(esthetician, treatment):
    assert refusal_codes(
        lambda: book(ClientFactory(), esthetician, treatment, at(dt.date(2026, 12, 1)))
    ) == ["intake_missing"]


def test_an_expired_intake_is_refused(esthetician, treatment):
    stale = IntakeFactory(submitted_at=NOW - dt.timedelta(days=91)).client

    assert refusal_codes(lambda: book(stale, esthetician, treatment, at(dt.date(2026, 12, 1)))) == [
        "intake_expired"
    ]


def test_every_reason_is_given_at_once(esthetician, treatment):
    blocked = IntakeFactory(submitted_at=NOW, has_pacemaker=True, epilepsy=True).client
    ClosureFactory(starts_on=dt.date(2026, 12, 1), ends_on=dt.date(2026, 12, 1))

    codes = refusal_codes(
        lambda: book(blocked, esthetician, treatment, at(dt.date(2026, 12, 1), 16, 30))
    )

    assert codes == ["spa_closed", "outside_hours", "pacemaker", "caution_not_acknowledged"]


def test_a_caution_needs_a_note_and_books_with_one(esthetician, treatment):
    cautious = IntakeFactory(submitted_at=NOW, epilepsy=True).client

    assert refusal_codes(
        lambda: book(cautious, esthetician, treatment, at(dt.date(2026, 12, 1)))
    ) == ["caution_not_acknowledged"]
    session = book(
        cautious,
        esthetician,
        treatment,
        at(dt.date(2026, 12, 1)),
        caution_note="Seizure-free for 5 years; GP letter seen.",
    )
    assert session.caution_note == "Seizure-free for 5 years; GP letter seen."


def test_the_day_a_filler_block_lifts_can_be_booked(esthetician, treatment):
    injected = IntakeFactory(submitted_at=NOW, last_injectable_on=dt.date(2026, 11, 20)).client

    assert refusal_codes(
        lambda: book(injected, esthetician, treatment, at(dt.date(2026, 12, 3)))
    ) == ["recent_injectable"]
    assert book(injected, esthetician, treatment, at(dt.date(2026, 12, 4))).pk


def create_series(cleared_client, esthetician, treatment, **changes):
    fields = {
        "client": cleared_client,
        "esthetician": esthetician,
        "treatment": treatment,
        "starts_on": dt.date(2026, 12, 1),
        "planned_sessions": 8,
        "sessions_per_week": 1,
        "weekdays": [TUESDAY],
        "preferred_time": dt.time(10),
        "created_by": esthetician.user,
        **changes,
    }
    return services.series_create(**fields)


def test_a_series_books_every_planned_session(cleared_client, esthetician, treatment):
    series = create_series(cleared_client, esthetician, treatment)

    sessions = list(series.sessions.order_by("starts_at"))
    assert len(sessions) == 8
    assert {session.kind for session in sessions} == {Session.Kind.SERIES}
    assert sessions[0].starts_at == at(dt.date(2026, 12, 1))
    assert sessions[-1].starts_at == at(dt.date(2027, 1, 19))


def test_a_series_books_exactly_the_previewed_slots(cleared_client, esthetician, treatment):
    plan = [at(dt.date(2026, 12, 1)) + dt.timedelta(weeks=n) for n in range(8)]

    series = create_series(cleared_client, esthetician, treatment, slots=plan)

    assert [session.starts_at for session in series.sessions.order_by("starts_at")] == plan


def test_a_slot_taken_since_the_preview_refuses_the_whole_series(
    cleared_client, esthetician, treatment
):
    plan = [at(dt.date(2026, 12, 1)) + dt.timedelta(weeks=n) for n in range(8)]
    other = IntakeFactory(submitted_at=NOW).client
    book(other, esthetician, treatment, at(dt.date(2026, 12, 15)))

    with pytest.raises(BookingRefused) as refused:
        create_series(cleared_client, esthetician, treatment, slots=plan)

    assert refused.value.codes == ["slot_taken"]
    assert "Tue 15 Dec, 10:00" in refused.value.reasons[0].message
    assert not Series.objects.exists()
    assert Session.objects.count() == 1


def fingerprint_of_plan(client, esthetician, treatment, **changes) -> str:
    """The fingerprint of the plan a preview of these choices shows now."""
    choices = {
        "client": client,
        "esthetician": esthetician,
        "treatment": treatment,
        "starts_on": dt.date(2026, 12, 1),
        "planned_sessions": 8,
        "sessions_per_week": 1,
        "weekdays": [TUESDAY],
        "preferred_time": dt.time(10),
        "maintenance_weeks": 4,
        "maintenance_visits": 6,
        "home_device": "",
        "home_minutes_a_day": 5,
        "home_days_a_week": 0,
        **changes,
    }
    request = scheduling.SeriesRequest(
        starts_on=choices["starts_on"],
        sessions=choices["planned_sessions"],
        sessions_per_week=choices["sessions_per_week"],
        weekdays=frozenset(choices["weekdays"]),
        start_time=choices["preferred_time"],
        minutes=treatment.minutes,
    )
    plan = services.series_plan(
        client=client, esthetician=esthetician, request=request, intake=latest_intake(client)
    )
    return services.series_fingerprint(plan, **choices)


def test_a_series_is_booked_when_the_plan_is_the_one_shown(cleared_client, esthetician, treatment):
    shown = fingerprint_of_plan(cleared_client, esthetician, treatment)

    series = create_series(cleared_client, esthetician, treatment, shown=shown)

    assert series.sessions.count() == 8


@pytest.mark.parametrize(
    "shown_with",
    [{"preferred_time": dt.time(11)}, {"maintenance_visits": 4}, {"home_device": "ZIIP"}],
    ids=["another-time", "other-maintenance", "other-home-care"],
)
def test_a_series_other_than_the_one_shown_books_nothing(
    cleared_client, esthetician, treatment, shown_with
):
    shown = fingerprint_of_plan(cleared_client, esthetician, treatment, **shown_with)

    codes = refusal_codes(
        lambda: create_series(cleared_client, esthetician, treatment, shown=shown)
    )

    assert codes == ["plan_changed"]
    assert not Series.objects.exists()


def test_a_caution_that_appeared_since_the_plan_was_shown_books_nothing(
    cleared_client, esthetician, treatment
):
    shown = fingerprint_of_plan(cleared_client, esthetician, treatment)
    IntakeFactory(client=cleared_client, submitted_at=NOW, epilepsy=True)

    codes = refusal_codes(
        lambda: create_series(
            cleared_client, esthetician, treatment, shown=shown, caution_note="Seen by her GP."
        )
    )

    assert codes == ["plan_changed"]
    assert not Series.objects.exists()


def test_a_series_for_a_permanently_blocked_client_books_nothing(esthetician, treatment):
    blocked = IntakeFactory(submitted_at=NOW, has_pacemaker=True).client

    assert refusal_codes(lambda: create_series(blocked, esthetician, treatment)) == ["pacemaker"]
    assert not Session.objects.exists()


def test_a_series_with_cautions_needs_a_note(esthetician, treatment):
    cautious = IntakeFactory(submitted_at=NOW, metal_implants=True).client

    assert refusal_codes(lambda: create_series(cautious, esthetician, treatment)) == [
        "caution_not_acknowledged"
    ]
    series = create_series(
        cautious, esthetician, treatment, caution_note="Plates in the jaw: avoid."
    )
    assert set(series.sessions.values_list("caution_note", flat=True)) == {
        "Plates in the jaw: avoid."
    }


@pytest.mark.parametrize("planned", [5, 13])
def test_a_series_has_six_to_twelve_sessions(cleared_client, esthetician, treatment, planned):
    assert refusal_codes(
        lambda: create_series(cleared_client, esthetician, treatment, planned_sessions=planned)
    ) == ["invalid_series"]


def first_session(series) -> Session:
    return series.sessions.order_by("starts_at").first()


@pytest.mark.parametrize(
    "end",
    [
        lambda session: services.session_cancel(session=session, reason="Ill", by=None),
        lambda session: services.session_mark_no_show(session=session, by=None),
        lambda session: services.session_postpone(session=session, reason="Cold sore", by=None),
    ],
    ids=["cancelled", "no-show", "postponed"],
)
def test_a_course_session_not_completed_gets_a_make_up_at_the_end(
    cleared_client, esthetician, treatment, saturday_morning, end
):
    series = create_series(cleared_client, esthetician, treatment)
    session = first_session(series)
    saturday_morning.move_to(at(dt.date(2026, 12, 1), 11))

    make_up = end(session)

    assert make_up.kind == Session.Kind.MAKE_UP
    assert make_up.starts_at == at(dt.date(2027, 1, 26))
    assert series.sessions.filter(status=Session.Status.BOOKED).count() == 8


def test_no_make_up_when_the_client_is_now_permanently_blocked(
    cleared_client, esthetician, treatment, saturday_morning
):
    series = create_series(cleared_client, esthetician, treatment)
    saturday_morning.move_to(at(dt.date(2026, 12, 1), 9, 55))
    IntakeFactory(client=cleared_client, acute_acne=True, submitted_at=dt.datetime.now(dt.UTC))

    make_up = services.session_postpone(
        session=first_session(series), reason="Acne flare-up", by=None
    )

    assert make_up is None
    assert first_session(series).status == Session.Status.POSTPONED


def test_a_single_session_gets_no_make_up(cleared_client, esthetician, treatment):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1)))

    assert services.session_cancel(session=session, reason="Ill", by=None) is None


def test_a_session_can_end_only_once(cleared_client, esthetician, treatment):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1)))
    services.session_cancel(session=session, reason="Ill", by=None)

    assert refusal_codes(
        lambda: services.session_cancel(session=session, reason="Ill", by=None)
    ) == ["not_booked"]


def test_a_session_cannot_be_completed_before_it_starts(cleared_client, esthetician, treatment):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1)))

    assert refusal_codes(lambda: services.session_complete(session=session, by=None)) == [
        "not_started"
    ]


def complete_course(series, traveller) -> list[Session]:
    sessions = list(series.sessions.order_by("starts_at"))
    for session in sessions:
        traveller.move_to(session.starts_at + dt.timedelta(minutes=5))
        services.session_complete(session=session, by=None)
    return sessions


def test_completing_the_last_session_sets_the_maintenance_visits_due(
    cleared_client, esthetician, treatment, saturday_morning
):
    series = create_series(
        cleared_client, esthetician, treatment, maintenance_weeks=4, maintenance_visits=6
    )

    complete_course(series, saturday_morning)

    series.refresh_from_db()
    assert series.status == Series.Status.COMPLETED
    due = list(series.visits.values_list("due_on", flat=True))
    assert due == [dt.date(2027, 1, 19) + dt.timedelta(weeks=4 * n) for n in range(1, 7)]
    assert set(series.visits.values_list("status", flat=True)) == {MaintenanceVisit.Status.DUE}


def test_maintenance_counts_from_the_latest_treatment_by_date_whatever_the_recording_order(
    cleared_client, esthetician, treatment, saturday_morning
):
    series = create_series(
        cleared_client, esthetician, treatment, maintenance_weeks=4, maintenance_visits=2
    )
    sessions = list(series.sessions.order_by("starts_at"))
    saturday_morning.move_to(sessions[-1].starts_at + dt.timedelta(minutes=5))
    # The last session (Tue 19 Jan) is recorded first; the seventh (Tue 12 Jan) last of all.
    for session in [sessions[-1], *sessions[:-2], sessions[-2]]:
        services.session_complete(session=session, by=None)

    series.refresh_from_db()
    assert series.ended_on == dt.date(2027, 1, 19)
    assert list(series.visits.values_list("due_on", flat=True)) == [
        dt.date(2027, 2, 16),
        dt.date(2027, 3, 16),
    ]


def test_the_course_is_not_complete_while_a_make_up_is_outstanding(
    cleared_client, esthetician, treatment, saturday_morning
):
    series = create_series(cleared_client, esthetician, treatment)
    sessions = list(series.sessions.order_by("starts_at"))
    saturday_morning.move_to(sessions[0].starts_at)
    services.session_mark_no_show(session=sessions[0], by=None)
    for session in sessions[1:]:
        saturday_morning.move_to(session.starts_at + dt.timedelta(minutes=5))
        services.session_complete(session=session, by=None)

    series.refresh_from_db()
    assert series.status == Series.Status.ACTIVE
    make_up = series.sessions.get(kind=Session.Kind.MAKE_UP)
    saturday_morning.move_to(make_up.starts_at + dt.timedelta(minutes=5))
    services.session_complete(session=make_up, by=None)
    series.refresh_from_db()
    assert series.status == Series.Status.COMPLETED


def test_a_completed_maintenance_visit_retimes_the_later_ones(
    cleared_client, esthetician, treatment, saturday_morning
):
    series = create_series(
        cleared_client, esthetician, treatment, maintenance_weeks=4, maintenance_visits=3
    )
    complete_course(series, saturday_morning)
    first_visit = series.visits.get(number=1)
    assert first_visit.due_on == dt.date(2027, 2, 16)
    visit_session = book(
        cleared_client,
        esthetician,
        treatment,
        at(dt.date(2027, 2, 23)),
        maintenance_visit=first_visit,
    )
    saturday_morning.move_to(visit_session.starts_at + dt.timedelta(minutes=5))
    IntakeFactory(client=cleared_client, submitted_at=dt.datetime.now(dt.UTC))

    services.session_complete(session=visit_session, by=None)

    visits = {visit.number: visit for visit in series.visits.all()}
    assert visits[1].status == MaintenanceVisit.Status.COMPLETED
    assert visits[2].due_on == dt.date(2027, 3, 23)
    assert visits[3].due_on == dt.date(2027, 4, 20)


def test_a_maintenance_no_show_is_missed_and_a_cancellation_is_due_again(
    cleared_client, esthetician, treatment, saturday_morning
):
    series = create_series(cleared_client, esthetician, treatment, maintenance_visits=2)
    complete_course(series, saturday_morning)
    IntakeFactory(client=cleared_client, submitted_at=dt.datetime.now(dt.UTC))
    first, second = series.visits.order_by("number")
    cancelled = book(
        cleared_client, esthetician, treatment, at(first.due_on), maintenance_visit=first
    )
    missed = book(
        cleared_client, esthetician, treatment, at(second.due_on), maintenance_visit=second
    )

    services.session_cancel(session=cancelled, reason="Holiday", by=None)
    saturday_morning.move_to(missed.starts_at + dt.timedelta(minutes=15))
    services.session_mark_no_show(session=missed, by=None)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.session) == (MaintenanceVisit.Status.DUE, None)
    assert second.status == MaintenanceVisit.Status.MISSED


def test_rescheduling_checks_the_new_time_but_not_against_itself(
    cleared_client, esthetician, treatment
):
    session = book(cleared_client, esthetician, treatment, at(dt.date(2026, 12, 1), 10))

    moved = services.session_reschedule(
        session=session, starts_at=at(dt.date(2026, 12, 1), 10, 30), by=None
    )

    assert moved.starts_at == at(dt.date(2026, 12, 1), 10, 30)
    assert moved.ends_at == at(dt.date(2026, 12, 1), 11, 30)
    assert refusal_codes(
        lambda: services.session_reschedule(
            session=session, starts_at=at(dt.date(2026, 12, 1), 16, 30), by=None
        )
    ) == ["outside_hours"]


def test_rescheduling_into_a_block_is_refused(esthetician, treatment):
    injected = IntakeFactory(submitted_at=NOW, last_injectable_on=dt.date(2026, 11, 20)).client
    session = book(injected, esthetician, treatment, at(dt.date(2026, 12, 8)))

    assert refusal_codes(
        lambda: services.session_reschedule(
            session=session, starts_at=at(dt.date(2026, 12, 1)), by=None
        )
    ) == ["recent_injectable"]


def test_cancelling_a_series_cancels_its_future_sessions(cleared_client, esthetician, treatment):
    series = create_series(cleared_client, esthetician, treatment)

    services.series_cancel(series=series, reason="Moving away", by=None)

    series.refresh_from_db()
    assert series.status == Series.Status.CANCELLED
    assert set(series.sessions.values_list("status", flat=True)) == {Session.Status.CANCELLED}


def test_a_series_remembers_the_day_it_ended(
    cleared_client, esthetician, treatment, saturday_morning
):
    completed = create_series(cleared_client, esthetician, treatment)
    complete_course(completed, saturday_morning)
    cancelled = create_series(cleared_client, esthetician, treatment, starts_on=dt.date(2027, 3, 2))

    services.series_cancel(series=cancelled, reason="Moving away", by=None)

    completed.refresh_from_db()
    cancelled.refresh_from_db()
    assert completed.ended_on == dt.date(2027, 1, 19)
    assert cancelled.ended_on == dt.date(2027, 1, 19)


def test_a_maintenance_visit_recorded_late_does_not_retime_those_after_a_later_one(
    cleared_client, esthetician, treatment, saturday_morning
):
    series = create_series(
        cleared_client, esthetician, treatment, maintenance_weeks=4, maintenance_visits=3
    )
    complete_course(series, saturday_morning)
    first, second = series.visits.get(number=1), series.visits.get(number=2)
    IntakeFactory(client=cleared_client, submitted_at=dt.datetime(2027, 2, 1, tzinfo=dt.UTC))
    saturday_morning.move_to(dt.datetime(2027, 2, 1, 9, tzinfo=LONDON))
    given_first = book(
        cleared_client, esthetician, treatment, at(dt.date(2027, 2, 16)), maintenance_visit=first
    )
    given_second = book(
        cleared_client, esthetician, treatment, at(dt.date(2027, 3, 16)), maintenance_visit=second
    )
    saturday_morning.move_to(dt.datetime(2027, 3, 16, 11, tzinfo=LONDON))

    services.session_complete(session=given_second, by=None)
    services.session_complete(session=given_first, by=None)

    assert series.visits.get(number=3).due_on == dt.date(2027, 4, 13)
