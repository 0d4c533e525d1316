from __future__ import annotations

import datetime as dt
import itertools
import random
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from tests.markers import requires_postgresql
from tests.treatments.factories import EstheticianFactory, SeriesFactory, SessionFactory
from treatments.models import Esthetician, MaintenanceVisit, Series, Session
from treatments.progress import behind_schedule, days_between_sessions
from treatments.selectors import dashboard

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 9, 9, 0, tzinfo=LONDON)  # Wednesday
TODAY = NOW.date()
MINUTES = itertools.count()


@pytest.fixture(autouse=True)
def wednesday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def course(esthetician, *, completed_days_ago=(), booked_days_ahead=(), missed=0, **fields):
    """A weekly series with sessions completed, booked and missed as asked."""
    series = SeriesFactory(esthetician=esthetician, **fields)
    moments = [(TODAY - dt.timedelta(days=n), Session.Status.COMPLETED) for n in completed_days_ago]
    moments += [(TODAY + dt.timedelta(days=n), Session.Status.BOOKED) for n in booked_days_ahead]
    moments += [(TODAY - dt.timedelta(days=30 + n), Session.Status.NO_SHOW) for n in range(missed)]
    for day, status in moments:
        # A minute each, a minute apart: no two sessions of the esthetician ever overlap.
        starts_at = at(day, 8) + dt.timedelta(minutes=2 * next(MINUTES))
        SessionFactory(
            client=series.client,
            esthetician=esthetician,
            treatment=series.treatment,
            series=series,
            kind=Session.Kind.SERIES,
            status=status,
            starts_at=starts_at,
            ends_at=starts_at + dt.timedelta(minutes=1),
        )
    return series


def behind() -> set[int]:
    return dashboard.behind_schedule_ids(today=TODAY, now=NOW)


def test_a_series_left_20_days_without_a_treatment_is_behind(esthetician):
    late = course(esthetician, completed_days_ago=[34, 27, 20], planned_sessions=6)
    rebooked = course(
        esthetician, completed_days_ago=[10], booked_days_ahead=[1, 8, 15, 22, 29, 36, 43]
    )

    assert behind() == {late.pk}
    assert rebooked.pk not in behind()


def test_a_first_session_moved_past_a_block_is_on_schedule(esthetician):
    # Booked 12 days ago "on or after" that day; a filler wait put the first session 4 days ahead.
    moved = course(
        esthetician,
        starts_on=TODAY - dt.timedelta(days=12),
        booked_days_ahead=[4, 11, 18, 25, 32, 39, 46, 53],
    )

    assert moved.pk not in behind()


def test_behind_schedule_can_be_one_estheticians_own_series(esthetician):
    mine = course(esthetician, completed_days_ago=[34, 27, 20], planned_sessions=6)
    theirs = course(EstheticianFactory(), completed_days_ago=[34, 27, 20], planned_sessions=6)

    assert dashboard.behind_schedule_ids(today=TODAY, now=NOW, esthetician=esthetician) == {mine.pk}
    assert behind() == {mine.pk, theirs.pk}


def test_a_missed_session_without_make_up_is_behind(esthetician):
    missed = course(
        esthetician,
        completed_days_ago=[7],
        booked_days_ahead=[1, 8, 15, 22, 29],
        missed=1,
        planned_sessions=7,
    )
    made_up = course(
        esthetician,
        completed_days_ago=[7],
        booked_days_ahead=[1, 8, 15, 22, 29, 36],
        missed=1,
        planned_sessions=7,
    )

    assert missed.pk in behind()
    assert made_up.pk not in behind()


def test_completed_and_cancelled_series_are_never_behind(esthetician):
    course(esthetician, completed_days_ago=[90], status=Series.Status.COMPLETED)
    course(esthetician, completed_days_ago=[90], status=Series.Status.CANCELLED)

    assert behind() == set()


def page(filters: dashboard.SeriesFilters) -> list[Series]:
    ids = list(
        dashboard.series_table(filters, today=TODAY, now=NOW).values_list("pk", flat=True)[:25]
    )
    return dashboard.with_progress_for_page(ids, today=TODAY, now=NOW)


def test_the_page_carries_progress_and_flags(esthetician):
    series = course(
        esthetician, completed_days_ago=[14, 7], booked_days_ahead=[7, 14, 21, 28, 35, 42]
    )
    Session.objects.filter(
        pk=series.sessions.filter(status="booked").order_by("starts_at")[0].pk
    ).update(needs_attention=True, attention_reason="Pacemaker")

    (row,) = page(dashboard.SeriesFilters())

    assert (row.completed_count, row.booked_count) == (2, 6)
    completed = series.sessions.filter(status="completed").order_by("starts_at")
    booked = series.sessions.filter(status="booked").order_by("starts_at")
    assert row.last_completed_at == completed.last().starts_at
    assert row.next_session_at == booked.first().starts_at
    assert (row.behind_schedule, row.needs_attention) == (False, True)


@pytest.mark.parametrize("flag", ["behind", "attention", "any"])
def test_flag_filters_keep_only_flagged_series(esthetician, flag):
    late = course(esthetician, completed_days_ago=[20], booked_days_ahead=[], planned_sessions=6)
    flagged = course(
        esthetician, completed_days_ago=[3], booked_days_ahead=[4, 11, 18, 25, 32, 39, 46]
    )
    flagged.sessions.filter(status="booked").update(needs_attention=True)
    course(esthetician, completed_days_ago=[3], booked_days_ahead=[4, 11, 18, 25, 32, 39, 46])

    shown = {row.pk for row in page(dashboard.SeriesFilters(flag=flag))}

    expected = {"behind": {late.pk}, "attention": {flagged.pk}, "any": {late.pk, flagged.pk}}
    assert shown == expected[flag]


@pytest.mark.parametrize("descending", [False, True])
def test_sorting_by_next_session_puts_series_without_one_last(esthetician, descending):
    soon = course(esthetician, booked_days_ahead=[1])
    later = course(esthetician, booked_days_ahead=[5])
    none = course(esthetician, completed_days_ago=[3])

    order = [row.pk for row in page(dashboard.SeriesFilters(sort="next", descending=descending))]

    assert order == ([later.pk, soon.pk, none.pk] if descending else [soon.pk, later.pk, none.pk])


def test_sorting_by_progress_orders_by_share_completed(esthetician):
    half = course(esthetician, completed_days_ago=[1, 2, 3], planned_sessions=6)
    most = course(esthetician, completed_days_ago=[1, 2, 3, 4, 5, 6, 7], planned_sessions=8)
    little = course(esthetician, completed_days_ago=[1], planned_sessions=8)

    order = [row.pk for row in page(dashboard.SeriesFilters(sort="progress", descending=True))]

    assert order == [most.pk, half.pk, little.pk]


def test_filters_by_esthetician_status_and_start(esthetician):
    from tests.treatments.factories import EstheticianFactory

    mine = course(esthetician, starts_on=dt.date(2026, 11, 2))
    course(EstheticianFactory(), starts_on=dt.date(2026, 11, 2))
    course(esthetician, starts_on=dt.date(2026, 10, 1))
    course(esthetician, starts_on=dt.date(2026, 11, 2), status=Series.Status.CANCELLED)

    shown = page(
        dashboard.SeriesFilters(
            esthetician=esthetician.pk,
            status=Series.Status.ACTIVE,
            started_from=dt.date(2026, 11, 1),
            started_to=dt.date(2026, 11, 30),
        )
    )

    assert [row.pk for row in shown] == [mine.pk]


def test_figures_count_what_happened_in_the_period(esthetician):
    course(esthetician, booked_days_ahead=[0])
    done = course(esthetician, status=Series.Status.COMPLETED, completed_days_ago=[2])
    Series.objects.filter(pk=done.pk).update(ended_on=TODAY - dt.timedelta(days=2))
    stopped = course(esthetician, status=Series.Status.CANCELLED)
    Series.objects.filter(pk=stopped.pk).update(ended_on=TODAY - dt.timedelta(days=40))
    course(esthetician, completed_days_ago=[1], missed=0)
    SessionFactory(
        esthetician=esthetician,
        status=Session.Status.NO_SHOW,
        starts_at=at(TODAY - dt.timedelta(days=3), 15),
    )
    flagged = course(esthetician, booked_days_ahead=[2])
    flagged.sessions.update(needs_attention=True)

    four_weeks = dashboard.figures(dashboard.periods(TODAY)["4weeks"], today=TODAY, now=NOW)
    year = dashboard.figures(dashboard.periods(TODAY)["year"], today=TODAY, now=NOW)

    assert four_weeks.active_series == 3
    assert (four_weeks.series_completed, four_weeks.series_ended, four_weeks.completion_rate) == (
        1,
        1,
        100,
    )
    assert (year.series_completed, year.series_ended, year.completion_rate) == (1, 2, 50)
    assert (four_weeks.no_shows, four_weeks.sessions_held_or_missed) == (1, 3)
    assert four_weeks.no_show_rate == 33
    assert four_weeks.sessions_this_week == 4
    assert four_weeks.clients_blocked_with_bookings == 1


def test_no_rates_without_anything_to_count():
    empty = dashboard.figures(dashboard.periods(TODAY)["week"], today=TODAY, now=NOW)

    assert (empty.completion_rate, empty.no_show_rate) == (None, None)


def visit(esthetician, due_on: dt.date, status=MaintenanceVisit.Status.DUE) -> MaintenanceVisit:
    series = SeriesFactory(esthetician=esthetician, status=Series.Status.COMPLETED)
    return MaintenanceVisit.objects.create(series=series, number=1, due_on=due_on, status=status)


@pytest.mark.parametrize(
    ("days", "soon", "overdue"),
    [(15, False, False), (14, True, False), (0, True, False), (-6, True, False), (-7, False, True)],
    ids=["in-15-days", "in-14-days", "today", "6-days-past", "7-days-past"],
)
def test_maintenance_lists_split_at_14_days_ahead_and_7_days_past(esthetician, days, soon, overdue):
    due = visit(esthetician, TODAY + dt.timedelta(days=days))

    assert (due in dashboard.maintenance_due_soon(today=TODAY)) is soon
    assert (due in dashboard.maintenance_overdue_visits(today=TODAY)) is overdue


def test_booked_and_completed_visits_are_not_listed(esthetician):
    visit(esthetician, TODAY, status=MaintenanceVisit.Status.BOOKED)
    visit(esthetician, TODAY - dt.timedelta(days=10), status=MaintenanceVisit.Status.COMPLETED)

    assert list(dashboard.maintenance_due_soon(today=TODAY)) == []
    assert list(dashboard.maintenance_overdue_visits(today=TODAY)) == []


def test_completed_per_week_counts_each_of_the_last_12_weeks_in_the_spas_time(esthetician):
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    SessionFactory(esthetician=esthetician, status="completed", starts_at=at(monday, 10))
    # 00:30 on a Monday in the spa belongs to that week, whatever UTC says.
    SessionFactory(
        esthetician=esthetician,
        status="completed",
        starts_at=dt.datetime.combine(monday, dt.time(0, 30), tzinfo=LONDON),
    )
    SessionFactory(
        esthetician=esthetician,
        status="completed",
        starts_at=at(monday - dt.timedelta(weeks=11), 10),
    )
    SessionFactory(
        esthetician=esthetician,
        status="completed",
        starts_at=at(monday - dt.timedelta(weeks=12), 10),
    )

    weeks = dashboard.completed_per_week(today=TODAY)

    assert len(weeks) == 12
    assert weeks[0] == (monday - dt.timedelta(weeks=11), 1)
    assert weeks[-1] == (monday, 2)
    assert sum(count for _, count in weeks) == 3


def test_series_by_status_lists_every_status(esthetician):
    course(esthetician)
    course(esthetician, status=Series.Status.CANCELLED)

    assert dashboard.series_by_status() == [
        ("active", "In progress", 1),
        ("completed", "Course complete", 0),
        ("cancelled", "Cancelled", 1),
    ]


@pytest.mark.parametrize("count", [3, 30])
def test_the_reads_take_a_fixed_number_of_queries(esthetician, django_assert_num_queries, count):
    for number in range(count):
        course(
            esthetician, completed_days_ago=[number % 20 + 1], booked_days_ahead=[number % 5 + 1]
        )

    with django_assert_num_queries(9):
        behind()
        dashboard.figures(dashboard.periods(TODAY)["4weeks"], today=TODAY, now=NOW)
        page(dashboard.SeriesFilters(sort="next"))
        list(dashboard.maintenance_due_soon(today=TODAY))
        list(dashboard.maintenance_overdue_visits(today=TODAY))
        list(dashboard.needs_attention(now=NOW))


@pytest.mark.parametrize(
    ("today", "starts_on"),
    [
        (dt.date(2026, 12, 9), dt.date(2026, 9, 10)),
        (dt.date(2026, 5, 31), dt.date(2026, 3, 1)),
        (dt.date(2027, 2, 15), dt.date(2026, 11, 16)),
    ],
)
def test_the_last_3_months_run_from_the_day_after_the_same_day_three_months_back(today, starts_on):
    period = dashboard.periods(today)["3months"]

    assert (period.starts_on, period.ends_on) == (starts_on, today)


def rules_say_behind(series: Series, *, today: dt.date, now: dt.datetime) -> bool:
    """The rules applied to the series' sessions themselves, counted here in Python."""
    sessions = list(series.sessions.all())
    course_sessions = [s for s in sessions if s.kind in Session.COURSE_KINDS]
    done = [s.starts_at for s in course_sessions if s.status == Session.Status.COMPLETED]
    upcoming = [s.starts_at for s in sessions if s.status == "booked" and s.ends_at > now]
    first = min((s.starts_at for s in course_sessions), default=None)
    progress = dashboard.CourseProgress(
        starts_on=series.starts_on,
        sessions_per_week=series.sessions_per_week,
        planned_sessions=series.planned_sessions,
        completed=len(done),
        booked=sum(s.status == Session.Status.BOOKED for s in course_sessions),
        last_completed_on=timezone.localdate(max(done)) if done else None,
        next_booked_on=timezone.localdate(min(upcoming)) if upcoming else None,
        first_session_on=timezone.localdate(first) if first else None,
    )
    return series.status == Series.Status.ACTIVE and behind_schedule(progress, today=today)


@pytest.mark.parametrize(
    "now",
    [
        NOW,
        dt.datetime(2027, 4, 2, 8, 30, tzinfo=LONDON),  # the week after the clocks went forward
        dt.datetime(2026, 11, 1, 18, 0, tzinfo=LONDON),  # the week after they went back
    ],
)
def test_behind_schedule_agrees_with_the_rules_near_every_line(esthetician, now):
    """Series either side of each line (7 days late, a gap after the last session, a missed
    session), weekly and twice weekly, with a booking left open past its end, at both turns of
    the clocks: the few the tally picks out and the rules decide are all the rules find."""
    chance = random.Random(11)
    today = timezone.localdate(now)
    with time_machine.travel(now, tick=False):
        for _ in range(80):
            series = SeriesFactory(
                esthetician=esthetician,
                planned_sessions=chance.choice([6, 8]),
                sessions_per_week=chance.choice([1, 2]),
                starts_on=today - dt.timedelta(days=chance.randint(0, 20)),
            )
            day = chance.randint(-60, 5)
            for _ in range(series.planned_sessions - chance.choice([0, 0, 0, 1])):
                day += days_between_sessions(series.sessions_per_week) + chance.randint(-1, 9)
                status = "booked" if day > 0 else chance.choice(["completed"] * 8 + ["booked"])
                if day <= 0 and chance.random() < 0.05:
                    status = "no_show"
                starts_at = now.replace(hour=0, minute=0) + dt.timedelta(
                    days=day, minutes=2 * next(MINUTES) % 1400
                )
                SessionFactory(
                    client=series.client,
                    esthetician=esthetician,
                    treatment=series.treatment,
                    series=series,
                    kind=chance.choice([Session.Kind.SERIES, Session.Kind.MAKE_UP]),
                    status=status,
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(minutes=1),
                )
        expected = {
            series.pk
            for series in Series.objects.prefetch_related("sessions")
            if rules_say_behind(series, today=today, now=now)
        }

        assert dashboard.behind_schedule_ids(today=today, now=now) == expected
        assert 10 < len(expected) < 70


def test_the_tally_counts_the_table_when_only_the_status_narrows_it(esthetician):
    course(esthetician, completed_days_ago=[3])
    course(esthetician, completed_days_ago=[90], status=Series.Status.COMPLETED)
    course(esthetician, completed_days_ago=[90], status=Series.Status.CANCELLED)

    for status in ["", *Series.Status.values]:
        filters = dashboard.SeriesFilters(status=status)
        table = dashboard.series_table(filters, today=TODAY, now=NOW)
        assert dashboard.series_count(filters) == table.count()
    assert dashboard.series_count(dashboard.SeriesFilters(esthetician=esthetician.pk)) is None
    assert dashboard.series_count(dashboard.SeriesFilters(flag="behind")) is None


@requires_postgresql
@pytest.mark.parametrize("status", ["", Series.Status.ACTIVE])
def test_a_page_in_the_default_order_is_read_from_the_start_day_index(esthetician, status):
    course(esthetician, completed_days_ago=[3])
    table = dashboard.series_table(dashboard.SeriesFilters(status=status), today=TODAY, now=NOW)
    sql, params = table.values_list("pk", flat=True)[:25].query.sql_with_params()

    with connection.cursor() as cursor:
        # A handful of rows would be sorted rather than read through an index: this asks
        # whether the index answers the table's order at all.
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "series_started_idx" in plan


def test_staff_are_named_as_everywhere_else(esthetician):
    EstheticianFactory(user__first_name="", user__last_name="", is_active=False)

    names = dashboard.staff_names()

    assert [(person.name, person.is_active) for person in names] == [
        (str(person), person.is_active) for person in Esthetician.objects.all()
    ]
