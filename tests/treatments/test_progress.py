from __future__ import annotations

import datetime as dt

import pytest

from treatments.progress import CourseProgress, behind_schedule, maintenance_overdue, why_behind

TUE_1_DEC = dt.date(2026, 12, 1)


def progress(**changes: object) -> CourseProgress:
    fields = {
        "starts_on": dt.date(2026, 11, 3),
        "sessions_per_week": 1,
        "planned_sessions": 8,
        "completed": 4,
        "booked": 4,
        "last_completed_on": TUE_1_DEC,
        "next_booked_on": None,
        **changes,
    }
    return CourseProgress(**fields)


@pytest.mark.parametrize(
    ("changes", "today", "behind"),
    [
        # Weekly: the next treatment was planned for Tue 8 Dec; more than 7 days later is behind.
        ({}, dt.date(2026, 12, 14), False),
        ({}, dt.date(2026, 12, 15), False),
        ({}, dt.date(2026, 12, 16), True),
        # A booked next session counts instead of today.
        ({"next_booked_on": dt.date(2026, 12, 15)}, dt.date(2026, 12, 2), False),
        ({"next_booked_on": dt.date(2026, 12, 16)}, dt.date(2026, 12, 2), True),
        # Twice a week: planned four days after the last one, Sat 5 Dec.
        ({"sessions_per_week": 2}, dt.date(2026, 12, 11), False),
        ({"sessions_per_week": 2}, dt.date(2026, 12, 12), False),
        ({"sessions_per_week": 2}, dt.date(2026, 12, 13), True),
        # Nothing completed, the first session's day not given: planned for the start date.
        ({"completed": 0, "booked": 8, "last_completed_on": None}, dt.date(2026, 11, 10), False),
        ({"completed": 0, "booked": 8, "last_completed_on": None}, dt.date(2026, 11, 11), True),
    ],
    ids=[
        "weekly-6-days-late",
        "weekly-7-days-late",
        "weekly-8-days-late",
        "booked-7-days-late",
        "booked-8-days-late",
        "twice-weekly-6-days-late",
        "twice-weekly-7-days-late",
        "twice-weekly-8-days-late",
        "not-started-7-days-late",
        "not-started-8-days-late",
    ],
)
def test_behind_schedule_is_more_than_7_days_later_than_planned(changes, today, behind):
    assert behind_schedule(progress(**changes), today=today) is behind


# Booked from Tue 3 Nov, but the planner moved the first session past a filler wait to Fri 20 Nov.
MOVED_PAST_A_BLOCK = {
    "starts_on": dt.date(2026, 11, 3),
    "first_session_on": dt.date(2026, 11, 20),
    "completed": 0,
    "booked": 8,
    "last_completed_on": None,
}


def test_a_first_session_moved_past_a_block_is_on_schedule_once_booked():
    booked = progress(**MOVED_PAST_A_BLOCK, next_booked_on=dt.date(2026, 11, 20))

    assert behind_schedule(booked, today=dt.date(2026, 11, 12)) is False


@pytest.mark.parametrize(
    ("next_booked_on", "today", "behind"),
    [
        # Planned for the first session's day, Fri 20 Nov, not the start date.
        (dt.date(2026, 11, 26), dt.date(2026, 11, 12), False),
        (dt.date(2026, 11, 27), dt.date(2026, 11, 12), False),
        (dt.date(2026, 11, 28), dt.date(2026, 11, 12), True),
        # Nothing booked ahead (the first session passed unrecorded): today counts.
        (None, dt.date(2026, 11, 26), False),
        (None, dt.date(2026, 11, 27), False),
        (None, dt.date(2026, 11, 28), True),
    ],
    ids=[
        "next-booked-6-days-after-the-first",
        "next-booked-7-days-after-the-first",
        "next-booked-8-days-after-the-first",
        "6-days-after-the-first",
        "7-days-after-the-first",
        "8-days-after-the-first",
    ],
)
def test_before_any_treatment_lateness_counts_from_the_first_session_as_booked(
    next_booked_on, today, behind
):
    moved = progress(**MOVED_PAST_A_BLOCK, next_booked_on=next_booked_on)

    assert behind_schedule(moved, today=today) is behind


def test_once_a_session_is_completed_the_first_session_no_longer_counts():
    treated = progress(first_session_on=dt.date(2026, 11, 3), next_booked_on=dt.date(2026, 12, 8))

    assert behind_schedule(treated, today=dt.date(2026, 12, 2)) is False


def test_a_missed_session_with_no_make_up_booked_is_behind_schedule():
    missed = progress(booked=3, next_booked_on=dt.date(2026, 12, 8))

    assert behind_schedule(missed, today=dt.date(2026, 12, 2)) is True


def test_a_missed_session_with_its_make_up_booked_is_on_track():
    made_up = progress(booked=4, next_booked_on=dt.date(2026, 12, 8))

    assert behind_schedule(made_up, today=dt.date(2026, 12, 2)) is False


def test_a_completed_course_is_never_behind():
    done = progress(completed=8, booked=0)

    assert behind_schedule(done, today=dt.date(2027, 6, 1)) is False


@pytest.mark.parametrize(
    ("changes", "today", "why"),
    [
        ({}, dt.date(2026, 12, 15), ""),
        (
            {},
            dt.date(2026, 12, 16),
            "The next treatment was planned for Tue 8 Dec; none is booked.",
        ),
        (
            {"next_booked_on": dt.date(2026, 12, 16)},
            dt.date(2026, 12, 2),
            "The next treatment was planned for Tue 8 Dec; it is booked for Wed 16 Dec.",
        ),
        (
            {"booked": 3, "next_booked_on": dt.date(2026, 12, 8)},
            dt.date(2026, 12, 2),
            "A missed session has no make-up booked.",
        ),
        (
            {"booked": 3},
            dt.date(2027, 1, 5),
            "A missed session has no make-up booked. "
            "The next treatment was planned for Tue 8 Dec 2026; none is booked.",
        ),
    ],
    ids=["on-track", "late-none-booked", "late-booked", "missed", "missed-and-late"],
)
def test_why_behind_says_what_is_late_or_missing(changes, today, why):
    assert why_behind(progress(**changes), today=today) == why


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (dt.date(2026, 12, 7), False),
        (dt.date(2026, 12, 8), True),
        (dt.date(2026, 12, 9), True),
    ],
    ids=["6-days-past-due", "7-days-past-due", "8-days-past-due"],
)
def test_a_maintenance_visit_is_overdue_7_days_past_due(today, overdue):
    assert maintenance_overdue(TUE_1_DEC, completed=False, today=today) is overdue


def test_a_completed_maintenance_visit_is_never_overdue():
    assert maintenance_overdue(TUE_1_DEC, completed=True, today=dt.date(2027, 1, 1)) is False
