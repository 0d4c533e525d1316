"""Dates and times in the spa's words: "Fri 4 Dec", "Tue 1 Dec, 10:00"."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def day_label(day: date, *, today: date | None = None) -> str:
    """Name a day the way the spa says it; the year is added when it is not this year."""
    label = f"{day:%a} {day.day} {day:%b}"
    if today is not None and day.year != today.year:
        label += f" {day.year}"
    return label


def moment_label(moment: datetime, *, today: date | None = None) -> str:
    """Name a moment in the spa's time zone: "Tue 1 Dec, 10:00"."""
    local = timezone.localtime(moment)
    return f"{day_label(local.date(), today=today)}, {local:%H:%M}"
