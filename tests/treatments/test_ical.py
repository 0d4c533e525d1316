"""The feed's iCalendar text, written directly, is the one the icalendar library writes."""

from __future__ import annotations

import datetime as dt

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from treatments.ical import FeedEvent, calendar_text, utc_stamp

MOMENT = dt.datetime(2026, 11, 30, 8, 0, 7, 123456, tzinfo=dt.UTC)


def moment(stamp: str) -> dt.datetime:
    return dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def library_text(name: str, events: list[FeedEvent]) -> bytes:
    """The same calendar built with the icalendar library, property by property."""
    feed = icalendar.Calendar()
    feed.add("prodid", "-//Spa Planner//Esthetician calendar//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", name)
    feed.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", icalendar.vDuration(dt.timedelta(hours=1)))
    for item in events:
        event = icalendar.Event()
        event.add("uid", item.uid)
        event.add("dtstamp", moment(item.modified_at))
        event.add("last-modified", moment(item.modified_at))
        event.add("dtstart", moment(item.starts_at))
        event.add("dtend", moment(item.ends_at))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("status", "CONFIRMED")
        event.add("url", item.url)
        feed.add_component(event)
    return feed.to_ical()


def event(summary: str, description: str = "Series · Booked", pk: int = 12) -> FeedEvent:
    return FeedEvent(
        uid=f"session-{pk}@spa-planner",
        modified_at=utc_stamp(MOMENT),
        starts_at=utc_stamp(MOMENT + dt.timedelta(days=1)),
        ends_at=utc_stamp(MOMENT + dt.timedelta(days=1, minutes=75)),
        summary=summary,
        description=description,
        url=f"https://spa.example.com/sessions/{pk}/",
    )


def test_an_empty_calendar_is_the_librarys() -> None:
    assert calendar_text(name="Anna Clarke – Spa Planner", events=[]).encode() == library_text(
        "Anna Clarke – Spa Planner", []
    )


def test_an_event_with_commas_semicolons_backslashes_and_a_flag_is_the_librarys() -> None:
    events = [
        event(
            "Iris Moß, Jr; \\ – Microcurrent lift (Series 3/8)", "Series · Booked\nNeeds attention"
        )
    ]

    assert calendar_text(name="Anna – Spa Planner", events=events).encode() == library_text(
        "Anna – Spa Planner", events
    )


def test_long_lines_fold_as_the_librarys_do_even_across_wide_characters() -> None:
    events = [
        event("Ærøskøbing " * 12 + "– Lift (Maintenance 2/6)", pk=1),
        event("A" * 62 + "\\;" + "B" * 30, pk=2),
        event("x" * 200, "y," * 90, pk=3),
    ]

    assert calendar_text(name="N" * 100, events=events).encode() == library_text("N" * 100, events)


names = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), max_size=120)


@given(summary=names, description=st.text(max_size=160), name=names)
def test_any_text_is_written_as_the_library_writes_it(
    summary: str, description: str, name: str
) -> None:
    events = [event(summary, description)]

    assert calendar_text(name=name, events=events).encode() == library_text(name, events)


def test_a_moment_is_written_in_utc_to_the_second() -> None:
    spa_time = dt.datetime(
        2026, 7, 1, 10, 30, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=1))
    )

    assert utc_stamp(spa_time) == "20260701T093059Z"
