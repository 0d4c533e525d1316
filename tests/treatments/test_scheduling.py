from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clients.eligibility import assess
from clients.models import Intake
from treatments.scheduling import (
    Availability,
    DaysOff,
    SeriesRequest,
    booking_problems,
    calendar_problems,
    maintenance_due_dates,
    plan_series,
    session_time,
)

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 11, 21)
TUESDAY, THURSDAY, FRIDAY, SATURDAY = 1, 3, 4, 5
NINE_TO_FIVE = {weekday: [(dt.time(9), dt.time(17))] for weekday in range(6)}


def anna(**changes: object) -> Availability:
    return Availability(**{"esthetician": "Anna", "hours": NINE_TO_FIVE, **changes})


def weekly(starts_on: dt.date = dt.date(2026, 12, 1), **changes: object) -> SeriesRequest:
    fields = {
        "starts_on": starts_on,
        "sessions": 8,
        "sessions_per_week": 1,
        "weekdays": frozenset({TUESDAY}),
        "start_time": dt.time(10),
        "minutes": 60,
        **changes,
    }
    return SeriesRequest(**fields)


def clear_intake(**answers: object) -> Intake:
    return Intake(submitted_at=dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), **answers)


def local_days(plan) -> list[dt.date]:
    return [session.starts_at.astimezone(LONDON).date() for session in plan.sessions]


def test_an_eligible_client_gets_every_session_on_the_preferred_weekday():
    plan = plan_series(weekly(), availability=anna(), intake=clear_intake(), today=TODAY)

    assert plan.reasons == ()
    assert local_days(plan) == [dt.date(2026, 12, 1) + dt.timedelta(weeks=n) for n in range(8)]
    assert all(
        session.starts_at.astimezone(LONDON).time() == dt.time(10) for session in plan.sessions
    )
    assert all(session.why_moved == "" for session in plan.sessions)


def test_twice_a_week_uses_both_preferred_days():
    request = weekly(sessions_per_week=2, weekdays=frozenset({TUESDAY, THURSDAY}), sessions=6)

    plan = plan_series(request, availability=anna(), intake=clear_intake(), today=TODAY)

    assert local_days(plan) == [
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 3),
        dt.date(2026, 12, 8),
        dt.date(2026, 12, 10),
        dt.date(2026, 12, 15),
        dt.date(2026, 12, 17),
    ]


def test_once_a_week_takes_only_the_first_free_preferred_day_of_each_week():
    request = weekly(weekdays=frozenset({TUESDAY, THURSDAY}), sessions=3)

    plan = plan_series(request, availability=anna(), intake=clear_intake(), today=TODAY)

    assert local_days(plan) == [dt.date(2026, 12, 1), dt.date(2026, 12, 8), dt.date(2026, 12, 15)]


def test_sessions_are_at_least_two_days_apart():
    request = weekly(sessions_per_week=2, weekdays=frozenset({0, TUESDAY}), sessions=3)

    plan = plan_series(request, availability=anna(), intake=clear_intake(), today=TODAY)

    # Monday and Tuesday are one day apart, so the Tuesday after each Monday is skipped.
    assert local_days(plan) == [dt.date(2026, 12, 1), dt.date(2026, 12, 7), dt.date(2026, 12, 14)]


def test_recent_filler_moves_the_first_sessions_to_the_day_it_lifts():
    request = weekly(
        starts_on=dt.date(2026, 11, 24),
        sessions_per_week=2,
        weekdays=frozenset({TUESDAY, FRIDAY}),
        sessions=3,
    )
    intake = clear_intake(last_injectable_on=dt.date(2026, 11, 20))

    plan = plan_series(request, availability=anna(), intake=intake, today=TODAY)

    assert local_days(plan) == [dt.date(2026, 12, 4), dt.date(2026, 12, 8), dt.date(2026, 12, 11)]
    first = plan.sessions[0]
    assert first.moved_from == dt.date(2026, 11, 24)
    assert first.why_moved == "moved from Tue 24 Nov: recent filler or botox until Fri 4 Dec"
    assert plan.sessions[1].why_moved == ""


def test_first_trimester_moves_sessions_past_its_end_and_then_cautions():
    intake = clear_intake(pregnant=True, due_date=dt.date(2027, 6, 1))

    plan = plan_series(
        weekly(starts_on=dt.date(2026, 11, 24), sessions=2),
        availability=anna(),
        intake=intake,
        today=TODAY,
    )

    assert local_days(plan) == [dt.date(2026, 12, 1), dt.date(2026, 12, 8)]
    assert "first trimester of pregnancy until Tue 1 Dec" in plan.sessions[0].why_moved
    assert [caution.code for caution in plan.cautions] == ["pregnancy"]


def test_a_spa_closure_moves_the_session_and_says_so():
    closure = DaysOff(dt.date(2026, 12, 8), dt.date(2026, 12, 8), reason="training day")

    plan = plan_series(
        weekly(sessions=2),
        availability=anna(days_off=[closure]),
        intake=clear_intake(),
        today=TODAY,
    )

    assert local_days(plan) == [dt.date(2026, 12, 1), dt.date(2026, 12, 15)]
    assert plan.sessions[1].why_moved == "moved from Tue 8 Dec: spa closed (training day)"


def test_the_esthetician_being_away_moves_the_session():
    away = DaysOff(dt.date(2026, 12, 1), dt.date(2026, 12, 1), esthetician_away=True)

    plan = plan_series(
        weekly(sessions=1), availability=anna(days_off=[away]), intake=clear_intake(), today=TODAY
    )

    assert local_days(plan) == [dt.date(2026, 12, 8)]
    assert plan.sessions[0].why_moved == "moved from Tue 1 Dec: Anna away"


def test_another_booking_at_that_time_moves_the_session():
    taken = (
        session_time(dt.date(2026, 12, 1), dt.time(9, 30)),
        session_time(dt.date(2026, 12, 1), dt.time(10, 30)),
    )

    plan = plan_series(
        weekly(sessions=1), availability=anna(busy=[taken]), intake=clear_intake(), today=TODAY
    )

    assert local_days(plan) == [dt.date(2026, 12, 8)]
    assert plan.sessions[0].why_moved == "moved from Tue 1 Dec: Anna already booked"


def test_a_booking_that_ends_as_the_session_starts_is_no_clash():
    before = (
        session_time(dt.date(2026, 12, 1), dt.time(9)),
        session_time(dt.date(2026, 12, 1), dt.time(10)),
    )

    plan = plan_series(
        weekly(sessions=1), availability=anna(busy=[before]), intake=clear_intake(), today=TODAY
    )

    assert local_days(plan) == [dt.date(2026, 12, 1)]


def test_a_day_with_short_hours_is_skipped_when_the_session_does_not_fit():
    hours = {**NINE_TO_FIVE, SATURDAY: [(dt.time(9), dt.time(13))]}
    request = weekly(
        starts_on=dt.date(2026, 12, 5),
        weekdays=frozenset({SATURDAY, TUESDAY}),
        sessions_per_week=2,
        start_time=dt.time(12, 30),
        sessions=1,
    )

    plan = plan_series(request, availability=anna(hours=hours), intake=clear_intake(), today=TODAY)

    assert local_days(plan) == [dt.date(2026, 12, 8)]
    assert plan.sessions[0].why_moved == "moved from Sat 5 Dec: outside Anna's hours"


def test_no_free_slot_within_a_year_gives_a_reason_instead_of_a_plan():
    request = weekly(start_time=dt.time(16, 30))

    plan = plan_series(request, availability=anna(), intake=clear_intake(), today=TODAY)

    assert plan.sessions == ()
    assert [reason.code for reason in plan.reasons] == ["no_free_slot"]


@pytest.mark.parametrize(
    ("answers", "code"),
    [
        ({"has_pacemaker": True}, "pacemaker"),
        ({"acute_acne": True}, "acute_acne"),
        ({"pregnant": True}, "pregnancy_due_date_missing"),
    ],
)
def test_a_permanent_block_gives_no_plan_only_the_reasons(answers, code):
    plan = plan_series(weekly(), availability=anna(), intake=clear_intake(**answers), today=TODAY)

    assert plan.sessions == ()
    assert [reason.code for reason in plan.reasons] == [code]
    assert plan.reasons[0].message


def test_a_client_without_an_intake_gets_no_plan():
    plan = plan_series(weekly(), availability=anna(), intake=None, today=TODAY)

    assert [reason.code for reason in plan.reasons] == ["intake_missing"]


def test_an_expired_intake_gives_no_plan():
    old = Intake(submitted_at=dt.datetime(2026, 8, 1, 12, tzinfo=dt.UTC))

    plan = plan_series(weekly(), availability=anna(), intake=old, today=TODAY)

    assert [reason.code for reason in plan.reasons] == ["intake_expired"]


def test_cautions_travel_with_the_plan():
    plan = plan_series(
        weekly(), availability=anna(), intake=clear_intake(epilepsy=True), today=TODAY
    )

    assert len(plan.sessions) == 8
    assert [caution.code for caution in plan.cautions] == ["epilepsy"]


def test_a_series_stays_at_ten_oclock_local_across_the_clock_change():
    request = weekly(starts_on=dt.date(2027, 3, 23), sessions=2)

    plan = plan_series(request, availability=anna(), intake=clear_intake(), today=TODAY)

    before, after = plan.sessions
    assert before.starts_at.astimezone(LONDON).time() == dt.time(10)
    assert after.starts_at.astimezone(LONDON).time() == dt.time(10)
    assert before.starts_at.astimezone(dt.UTC).hour == 10
    assert after.starts_at.astimezone(dt.UTC).hour == 9


def test_booking_problems_lists_every_reason_at_once():
    day = dt.date(2026, 12, 1)
    starts_at, ends_at = session_time(day, dt.time(16, 30)), session_time(day, dt.time(17, 30))
    availability = anna(
        days_off=[DaysOff(day, day, reason="training day")],
        busy=[(session_time(day, dt.time(16)), session_time(day, dt.time(17)))],
    )
    intake = clear_intake(last_injectable_on=dt.date(2026, 11, 20), epilepsy=True)
    problems = booking_problems(
        starts_at,
        ends_at,
        availability=availability,
        findings=assess(intake, day, today=TODAY),
        caution_note="  ",
    )

    assert [problem.code for problem in problems] == [
        "spa_closed",
        "outside_hours",
        "slot_taken",
        "recent_injectable",
        "caution_not_acknowledged",
    ]
    assert problems[3].until == dt.date(2026, 12, 4)


def test_a_session_on_a_day_off_is_outside_hours():
    sunday = dt.date(2026, 12, 6)

    problems = calendar_problems(
        session_time(sunday, dt.time(10)), session_time(sunday, dt.time(11)), anna()
    )

    assert [problem.message for problem in problems] == ["Anna does not work on Sundays."]


@pytest.mark.parametrize(
    ("start", "busy"),
    [
        (dt.time(9, 1), True),  # overlaps the client's 10:00 session by a minute
        (dt.time(10, 59), True),
        (dt.time(9), False),  # ends as the other session starts
        (dt.time(11), False),  # starts as the other session ends
    ],
)
def test_the_clients_other_session_stands_in_the_way_except_back_to_back(start, busy):
    day = dt.date(2026, 12, 1)
    starts_at = session_time(day, start)
    other = (session_time(day, dt.time(10)), session_time(day, dt.time(11)))

    problems = calendar_problems(
        starts_at, starts_at + dt.timedelta(hours=1), anna(client_busy=[other])
    )

    assert [problem.code for problem in problems] == (["client_busy"] if busy else [])


def test_a_series_is_moved_around_the_clients_other_session_saying_why():
    day = dt.date(2026, 12, 1)
    other = (session_time(day, dt.time(10, 30)), session_time(day, dt.time(11, 30)))
    request = SeriesRequest(
        starts_on=day,
        sessions=6,
        sessions_per_week=1,
        weekdays=frozenset({TUESDAY}),
        start_time=dt.time(10),
        minutes=60,
    )

    plan = plan_series(
        request, availability=anna(client_busy=[other]), intake=clear_intake(), today=TODAY
    )

    assert plan.sessions[0].starts_at == session_time(dt.date(2026, 12, 8), dt.time(10))
    assert plan.sessions[0].why_moved == "moved from Tue 1 Dec: client booked elsewhere"


def test_maintenance_falls_every_few_weeks_after_the_last_treatment():
    assert maintenance_due_dates(after=dt.date(2027, 1, 19), weeks=4, visits=3) == [
        dt.date(2027, 2, 16),
        dt.date(2027, 3, 16),
        dt.date(2027, 4, 13),
    ]


requests = st.builds(
    SeriesRequest,
    starts_on=st.dates(dt.date(2026, 11, 21), dt.date(2027, 12, 31)),
    sessions=st.integers(6, 12),
    sessions_per_week=st.integers(1, 2),
    weekdays=st.frozensets(st.integers(0, 5), min_size=1),
    start_time=st.sampled_from([dt.time(9), dt.time(10, 30), dt.time(14), dt.time(16)]),
    minutes=st.sampled_from([45, 60]),
)
intakes = st.builds(
    lambda injected, due, epilepsy: clear_intake(
        last_injectable_on=injected, pregnant=due is not None, due_date=due, epilepsy=epilepsy
    ),
    st.none() | st.dates(dt.date(2026, 10, 1), dt.date(2026, 11, 21)),
    st.none() | st.dates(dt.date(2027, 1, 1), dt.date(2027, 8, 31)),
    st.booleans(),
)
closures = st.lists(
    st.builds(
        lambda start, length: DaysOff(start, start + dt.timedelta(days=length), "closed"),
        st.dates(dt.date(2026, 11, 21), dt.date(2027, 12, 31)),
        st.integers(0, 10),
    ),
    max_size=4,
)


@settings(max_examples=150, deadline=None)
@given(request=requests, intake=intakes, days_off=closures)
def test_every_planned_session_respects_every_rule(request, intake, days_off):
    plan = plan_series(request, availability=anna(days_off=days_off), intake=intake, today=TODAY)

    days = local_days(plan)
    assert len(days) == request.sessions or plan.reasons
    for day, session in zip(days, plan.sessions, strict=True):
        assert day >= request.starts_on
        assert day.weekday() in request.weekdays
        assert session.starts_at.astimezone(LONDON).time() == request.start_time
        assert not any(off.starts_on <= day <= off.ends_on for off in days_off)
        assert not [finding for finding in assess(intake, day, today=TODAY) if finding.is_block]
    for earlier, later in itertools.pairwise(days):
        assert (later - earlier).days >= 2
    weeks = [day.isocalendar()[:2] for day in days]
    assert all(weeks.count(week) <= request.sessions_per_week for week in weeks)


def test_a_reason_that_strikes_several_days_says_how_many():
    days = [dt.date(2026, 12, 1) + dt.timedelta(weeks=n) for n in range(3)]
    busy = [(session_time(day, dt.time(10)), session_time(day, dt.time(11))) for day in days]

    plan = plan_series(
        weekly(sessions=1), availability=anna(busy=busy), intake=clear_intake(), today=TODAY
    )

    assert local_days(plan) == [dt.date(2026, 12, 22)]
    assert (
        plan.sessions[0].why_moved == "moved from Tue 1 Dec: Anna already booked (and 2 later days)"
    )


def test_a_reason_in_another_year_names_the_year():
    request = weekly(starts_on=dt.date(2026, 12, 29), sessions=1)
    intake = clear_intake(last_injectable_on=dt.date(2026, 12, 23))

    plan = plan_series(request, availability=anna(), intake=intake, today=dt.date(2026, 12, 28))

    assert plan.sessions[0].why_moved == (
        "moved from Tue 29 Dec: recent filler or botox until Wed 6 Jan 2027"
    )


# Around the clocks going forward (Sun 28 Mar 2027), over midnights, in any order.
AROUND_THE_CLOCK_CHANGE = dt.datetime(2027, 3, 26, tzinfo=LONDON)
stretches = st.tuples(st.integers(0, 5 * 24 * 4), st.integers(1, 24 * 4))


def quarter_hours(start: int, length: int) -> tuple[dt.datetime, dt.datetime]:
    starts_at = AROUND_THE_CLOCK_CHANGE + dt.timedelta(minutes=15 * start)
    return starts_at, starts_at + dt.timedelta(minutes=15 * length)


@settings(max_examples=200, deadline=None)
@given(sessions=st.lists(stretches, max_size=30), wanted=stretches)
def test_the_session_in_the_way_is_the_earliest_that_overlaps_whatever_days_it_spans(
    sessions: list[tuple[int, int]], wanted: tuple[int, int]
) -> None:
    busy = [quarter_hours(*session) for session in sessions]
    starts_at, ends_at = quarter_hours(*wanted)
    availability = anna(busy=busy, client_busy=list(reversed(busy)))

    overlapping = sorted((a, b) for a, b in busy if a < ends_at and starts_at < b)
    assert availability.busy_during(starts_at, ends_at) == next(iter(overlapping), None)
    assert availability.client_busy_during(starts_at, ends_at) == next(iter(overlapping), None)
