from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from treatments import charts

MONDAY = dt.date(2026, 11, 16)
STATUSES = [("active", "In progress", 10), ("completed", "Course complete", 40)]


def weeks(*counts: int) -> list[tuple[dt.date, int]]:
    """Consecutive weeks from Mon 16 Nov with these counts."""
    return [(MONDAY + dt.timedelta(weeks=n), count) for n, count in enumerate(counts)]


def baseline() -> float:
    return charts.WEEKS_HEIGHT - charts.WEEKS_BOTTOM


def test_column_heights_are_in_proportion_to_the_counts():
    chart = charts.weekly_columns(weeks(10, 20, 40))

    heights = [bar.height for bar in chart.bars]

    assert heights[2] == pytest.approx(2 * heights[1], abs=0.1)
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.1)


def test_the_busiest_week_fills_the_room_above_the_baseline():
    chart = charts.weekly_columns(weeks(3, 12, 7))

    busiest = chart.bars[1]

    assert busiest.y == charts.WEEKS_TOP
    assert busiest.height == baseline() - charts.WEEKS_TOP


def test_every_column_stands_on_the_baseline_with_its_count_above_it():
    chart = charts.weekly_columns(weeks(5, 0, 9))

    for bar in chart.bars:
        assert bar.y + bar.height == pytest.approx(baseline(), abs=0.1)
        assert bar.value_at.y < bar.y
        assert bar.label_at.y > baseline()
    assert chart.axis.start.y == chart.axis.end.y == baseline()


def test_a_chart_of_zeros_draws_flat_columns_rather_than_dividing_by_zero():
    chart = charts.weekly_columns(weeks(0, 0, 0))

    assert [bar.height for bar in chart.bars] == [0, 0, 0]
    assert [bar.value for bar in chart.bars] == [0, 0, 0]
    assert chart.summary.startswith("No sessions completed in the 3 weeks")


def test_a_chart_without_weeks_is_empty():
    chart = charts.weekly_columns([])

    assert chart.bars == []
    assert chart.summary == "No weeks to show."


def test_each_week_is_named_by_its_monday_on_two_lines():
    chart = charts.weekly_columns(weeks(1, 2, 3, 4, 5, 6, 7))

    assert [bar.label for bar in chart.bars][:3] == ["16 Nov", "23 Nov", "30 Nov"]
    assert chart.bars[3].label == "7 Dec"
    assert chart.bars[3].label_lines == ["7", "Dec"]
    assert chart.bars[0].key == "2026-11-16"


def test_twelve_columns_fit_side_by_side_inside_the_chart():
    chart = charts.weekly_columns(weeks(*range(12)))

    edges = [(bar.x, bar.x + bar.width) for bar in chart.bars]
    assert edges[0][0] >= 0
    assert edges[-1][1] <= chart.width
    assert all(right < next_left for (_, right), (next_left, _) in pairwise(edges))


def test_the_summary_gives_the_total_and_the_busiest_week():
    chart = charts.weekly_columns(weeks(3, 12, 7))

    assert chart.summary == (
        "22 sessions completed in the 3 weeks from the week of 16 Nov to the week of 30 Nov; "
        "the busiest week had 12."
    )
    assert (chart.total, chart.largest) == (22, 12)


@given(st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=20))
def test_columns_never_leave_the_room_and_keep_their_order_of_size(counts: list[int]):
    chart = charts.weekly_columns(weeks(*counts))

    room = baseline() - charts.WEEKS_TOP
    for bar in chart.bars:
        assert 0 <= bar.height <= room + 0.05
    for small, large in pairwise(chart.bars):
        if small.value <= large.value:
            assert small.height <= large.height


def test_status_bars_are_in_proportion_and_the_largest_fills_the_track():
    chart = charts.status_bars([*STATUSES, ("cancelled", "Cancelled", 0)])

    active, completed, cancelled = chart.bars
    track = charts.STATUS_WIDTH - charts.STATUS_NAMES - charts.STATUS_VALUE_ROOM
    assert completed.width == track
    assert active.width == pytest.approx(track / 4, abs=0.1)
    assert cancelled.width == 0


def test_status_bars_name_each_status_left_of_the_axis_and_count_after_the_bar():
    chart = charts.status_bars(STATUSES)

    for bar in chart.bars:
        assert bar.label_at.x < chart.axis.start.x == bar.x
        assert bar.value_at.x > bar.x + bar.width
    assert [(bar.key, bar.label, bar.value) for bar in chart.bars] == [
        ("active", "In progress", 10),
        ("completed", "Course complete", 40),
    ]
    assert chart.summary == "In progress: 10; Course complete: 40."


def test_status_bars_stack_one_row_each_without_overlapping():
    chart = charts.status_bars([*STATUSES, ("cancelled", "Cancelled", 5)])

    tops = [bar.y for bar in chart.bars]
    assert tops == sorted(tops)
    assert all(lower - upper >= charts.STATUS_BAR for upper, lower in pairwise(tops))
    assert chart.height == 3 * charts.STATUS_ROW


def test_no_series_at_all_draws_empty_status_bars():
    chart = charts.status_bars([("active", "In progress", 0), ("completed", "Course complete", 0)])

    assert [bar.width for bar in chart.bars] == [0, 0]
    assert chart.summary == "No series yet."


@pytest.mark.parametrize(
    ("value", "largest", "expected"),
    [(0, 0, 0), (5, 0, 0), (5, 10, 50), (10, 10, 100), (-1, 10, 0)],
)
def test_scaled_takes_a_share_of_the_length(value: int, largest: int, expected: float):
    assert charts.scaled(value, largest, 100) == expected
