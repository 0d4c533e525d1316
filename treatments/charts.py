"""The dashboard's two charts, drawn on the server as SVG: numbers in, shapes out.

Pure: the builders say where each bar, value and label goes in the chart's own units (its
`viewBox`); the template draws them. Every bar is scaled to the largest value, and a chart of
zeros is a row of empty bars rather than a division by zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# The sessions-per-week chart: columns over a baseline, the week's Monday written below.
WEEKS_WIDTH = 360
WEEKS_HEIGHT = 200
WEEKS_TOP = 24  # room for the value above the tallest column
WEEKS_BOTTOM = 44  # room for the two-line week label under the baseline
WEEKS_SIDE = 4
COLUMN_SHARE = 0.62  # of each week's slot; the rest is the gap between columns

# The series-by-status chart: one bar a row, its name on the left, its count after it.
STATUS_WIDTH = 360
STATUS_ROW = 40
STATUS_BAR = 22
STATUS_NAMES = 128  # room for "Course complete"
STATUS_VALUE_ROOM = 44


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class Line:
    start: Point
    end: Point


@dataclass(frozen=True)
class Bar:
    """One bar: what it stands for, its value, its rectangle and where its words go."""

    key: str
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    value_at: Point
    label_at: Point

    @property
    def label_lines(self) -> list[str]:
        """The label split at its first space, for the narrow week columns ("16", "Nov")."""
        return self.label.split(" ", 1)


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    axis: Line
    summary: str

    @property
    def largest(self) -> int:
        return max((bar.value for bar in self.bars), default=0)

    @property
    def total(self) -> int:
        return sum(bar.value for bar in self.bars)


def scaled(value: int, largest: int, length: float) -> float:
    """The share of `length` that `value` takes when `largest` fills it (0 when all are 0)."""
    if largest <= 0:
        return 0.0
    return length * max(value, 0) / largest


def week_label(monday: dt.date) -> str:
    """A week named by its Monday, the way the spa writes a day: "16 Nov"."""
    return f"{monday.day} {monday:%b}"


def weekly_columns(weeks: Sequence[tuple[dt.date, int]]) -> BarChart:
    """Sessions completed in each week as columns, oldest first, scaled to the busiest week."""
    baseline = WEEKS_HEIGHT - WEEKS_BOTTOM
    room = baseline - WEEKS_TOP
    slot = (WEEKS_WIDTH - 2 * WEEKS_SIDE) / max(len(weeks), 1)
    width = slot * COLUMN_SHARE
    largest = max((count for _, count in weeks), default=0)
    bars = []
    for index, (monday, count) in enumerate(weeks):
        height = scaled(count, largest, room)
        x = WEEKS_SIDE + index * slot + (slot - width) / 2
        middle = x + width / 2
        bars.append(
            Bar(
                key=monday.isoformat(),
                label=week_label(monday),
                value=count,
                x=_round(x),
                y=_round(baseline - height),
                width=_round(width),
                height=_round(height),
                value_at=Point(_round(middle), _round(baseline - height - 6)),
                label_at=Point(_round(middle), baseline + 17),
            )
        )
    axis = Line(Point(WEEKS_SIDE, baseline), Point(WEEKS_WIDTH - WEEKS_SIDE, baseline))
    return BarChart(WEEKS_WIDTH, WEEKS_HEIGHT, bars, axis, _weeks_summary(weeks))


def status_bars(statuses: Sequence[tuple[str, str, int]]) -> BarChart:
    """How many series are in each status (status, label, count) as horizontal bars."""
    height = STATUS_ROW * max(len(statuses), 1)
    room = STATUS_WIDTH - STATUS_NAMES - STATUS_VALUE_ROOM
    largest = max((count for _, _, count in statuses), default=0)
    bars = []
    for index, (status, label, count) in enumerate(statuses):
        length = scaled(count, largest, room)
        top = index * STATUS_ROW + (STATUS_ROW - STATUS_BAR) / 2
        middle = top + STATUS_BAR / 2 + 5  # text sits on its baseline: a third of it below
        bars.append(
            Bar(
                key=status,
                label=label,
                value=count,
                x=STATUS_NAMES,
                y=_round(top),
                width=_round(length),
                height=STATUS_BAR,
                value_at=Point(_round(STATUS_NAMES + length + 6), _round(middle)),
                label_at=Point(STATUS_NAMES - 8, _round(middle)),
            )
        )
    axis = Line(Point(STATUS_NAMES, 0), Point(STATUS_NAMES, height))
    return BarChart(STATUS_WIDTH, height, bars, axis, _status_summary(statuses))


def _weeks_summary(weeks: Sequence[tuple[dt.date, int]]) -> str:
    if not weeks:
        return "No weeks to show."
    total = sum(count for _, count in weeks)
    busiest = max(count for _, count in weeks)
    span = (
        f"the {len(weeks)} weeks from the week of {week_label(weeks[0][0])} "
        f"to the week of {week_label(weeks[-1][0])}"
    )
    if not total:
        return f"No sessions completed in {span}."
    return (
        f"{total} session{'s' if total != 1 else ''} completed in {span}; "
        f"the busiest week had {busiest}."
    )


def _status_summary(statuses: Sequence[tuple[str, str, int]]) -> str:
    if not any(count for _, _, count in statuses):
        return "No series yet."
    return "; ".join(f"{label}: {count}" for _, label, count in statuses) + "."


def _round(value: float) -> float:
    return round(value, 1)
