"""The calendar feed as iCalendar text (RFC 5545), written out directly.

Pure: plain values in, text out. A phone fetches the feed every hour and it holds hundreds
of sessions, so it is joined from strings rather than built as objects; the lines are the
ones the `icalendar` library writes for the same calendar (escaping, folding, property order),
which the tests check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

# Lines are folded before they reach 75 octets, as the library folds them.
FOLD_AT = 75
PRODUCT = "-//Spa Planner//Esthetician calendar//EN"


class FeedEvent(NamedTuple):
    """One session as the feed carries it."""

    uid: str
    # Moments in UTC as iCalendar writes them: "20261130T080000Z" (see `utc_stamp`).
    modified_at: str
    starts_at: str
    ends_at: str
    summary: str
    description: str
    url: str


def calendar_text(*, name: str, events: Iterable[FeedEvent]) -> str:
    """The whole calendar: its name, refreshed hourly, and one VEVENT per event."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        # An extension property: written as given, as the library writes an unknown one.
        _fold(f"X-WR-CALNAME:{name}"),
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        modified = event.modified_at
        lines += (
            "BEGIN:VEVENT",
            _fold(f"SUMMARY:{_text(event.summary)}"),
            f"DTSTART:{event.starts_at}",
            f"DTEND:{event.ends_at}",
            f"DTSTAMP:{modified}",
            _fold(f"UID:{_text(event.uid)}"),
            _fold(f"DESCRIPTION:{_text(event.description)}"),
            f"LAST-MODIFIED:{modified}",
            "STATUS:CONFIRMED",
            _fold(f"URL:{event.url}"),
            "END:VEVENT",
        )
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def utc_stamp(moment: dt.datetime) -> str:
    """A moment in UTC, as iCalendar writes it: "20261130T080000Z"."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """A TEXT value escaped (backslash, semicolon, comma, line breaks), as the library does."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str) -> str:
    """A content line split before it reaches FOLD_AT octets, never inside a character or
    between a backslash and the character it escapes."""
    if len(line.encode()) < FOLD_AT:
        return line
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if current and size + width >= FOLD_AT:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                parts.append("".join(current))
                current, size = [carried], len(carried.encode())
            else:
                parts.append("".join(current))
                current, size = [], 0
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)
