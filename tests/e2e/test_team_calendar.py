"""The team's day in Chromium: a column per esthetician, moving sessions by dragging them and
without a mouse or script, and flagged sessions readable in narrow columns."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from spa.dates import moment_label
from tests.clients.factories import DEMO_PASSWORD, ClientFactory, IntakeFactory
from tests.treatments.factories import EstheticianFactory, SessionFactory, WorkingHoursFactory
from treatments.models import Esthetician, Session

# Tall enough for a whole working day, so a drag never has to scroll.
VIEWPORT = {"width": 1280, "height": 1400}


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def at(hour: int, minute: int = 0) -> dt.datetime:
    """Tomorrow at this time, in the spa's zone."""
    return dt.datetime.combine(
        tomorrow(), dt.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )


def working_every_day(first_name: str, username: str) -> Esthetician:
    """An esthetician (surname Berg) working every day from 09:00 to 17:00."""
    esthetician = EstheticianFactory(
        user__username=username, user__first_name=first_name, user__last_name="Berg"
    )
    for weekday in range(7):
        WorkingHoursFactory(
            esthetician=esthetician, weekday=weekday, starts_at=dt.time(9), ends_at=dt.time(17)
        )
    return esthetician


@pytest.fixture
def anna(transactional_db: None) -> Esthetician:
    return working_every_day("Anna", "anna")


@pytest.fixture
def ben(transactional_db: None) -> Esthetician:
    return working_every_day("Ben", "ben")


@pytest.fixture
def iris_with_anna(anna: Esthetician) -> Session:
    """Iris Moss (a clear intake) with Anna tomorrow, 10:00 to 11:00."""
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=iris)
    return SessionFactory(esthetician=anna, client=iris, starts_at=at(10))


def watch(page: Page) -> list[str]:
    """Every refusal under the Content Security Policy and every script error."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def log_in(page: Page, live_server: LiveServer, username: str = "anna") -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()


def open_team_day(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/calendar/?view=day&date={tomorrow().isoformat()}")
    expect(page.locator("#calendar-title")).to_contain_text("The team’s day")


def column(page: Page, esthetician: Esthetician) -> Locator:
    return page.locator(f'.cal__col[data-esthetician="{esthetician.pk}"]')


def card(page: Page, client_name: str) -> Locator:
    return page.locator(".cal-session", has_text=client_name)


def place_in(page: Page, session_card: Locator, target: Locator) -> tuple[float, float]:
    """Where the card sits in the column: its offset from the column's top, and its height."""
    card_box, column_box = session_card.bounding_box(), target.bounding_box()
    assert card_box is not None
    assert column_box is not None
    return card_box["y"] - column_box["y"], card_box["height"]


def drag(page: Page, session_card: Locator, target: Locator, *, hour: int, minute: int = 0):
    """Drag the card by its top edge so that it starts at this time in the target column."""
    grid = page.locator(".cal")
    first_minute = int(grid.get_attribute("data-first-minute") or 0)
    rows = int(grid.get_attribute("data-rows") or 1)
    box = target.bounding_box()
    assert box is not None
    row_height = box["height"] / rows
    grab = 6
    row = (hour * 60 + minute - first_minute) / 15
    session_card.drag_to(
        target,
        source_position={"x": 20, "y": grab},
        target_position={"x": box["width"] / 2, "y": row * row_height + grab},
    )


def test_the_team_day_shows_a_column_per_esthetician_with_their_sessions(
    page: Page, live_server: LiveServer, anna: Esthetician, ben: Esthetician
) -> None:
    SessionFactory(esthetician=anna, client__first_name="Iris", starts_at=at(10))
    SessionFactory(esthetician=ben, client__first_name="Olive", starts_at=at(14))
    page.set_viewport_size(VIEWPORT)
    problems = watch(page)
    log_in(page, live_server)

    open_team_day(page, live_server)

    headings = page.locator(".cal").get_by_role("heading", level=3)
    expect(headings).to_have_text([re.compile("Anna Berg"), re.compile("Ben Berg")])
    expect(column(page, anna)).to_contain_text("Iris")
    expect(column(page, anna)).not_to_contain_text("Olive")
    expect(column(page, ben)).to_contain_text("Olive")
    expect(
        column(page, ben).get_by_role("link", name=re.compile(r"Book .*, 15:30 with Ben Berg$"))
    ).to_have_count(1)
    # Ben's heading leads to his week, and the back button to the team's day again.
    headings.nth(1).get_by_role("link").click()
    expect(page.locator("#calendar-title")).to_contain_text("Ben Berg")
    assert f"view=week&date={tomorrow().isoformat()}&esthetician={ben.pk}" in page.url
    page.go_back()
    expect(page.locator("#calendar-title")).to_contain_text("The team’s day")
    assert problems == []


def test_a_session_dragged_to_free_time_in_another_column_moves_there(
    page: Page, live_server: LiveServer, ben: Esthetician, iris_with_anna: Session
) -> None:
    page.set_viewport_size(VIEWPORT)
    problems = watch(page)
    log_in(page, live_server)
    open_team_day(page, live_server)

    drag(page, card(page, "Iris Moss"), column(page, ben), hour=14, minute=30)

    expect(page.get_by_role("status")).to_have_text(
        f"Moved Iris Moss to {moment_label(at(14, 30))} with Ben Berg."
    )
    expect(column(page, ben).locator(".cal-session")).to_contain_text("14:30–15:30")
    expect(column(page, ben)).to_contain_text("Iris Moss")
    # The keyboard's focus stays with the session, in the calendar swapped in.
    expect(card(page, "Iris Moss")).to_be_focused()
    iris_with_anna.refresh_from_db()
    assert (iris_with_anna.esthetician, iris_with_anna.starts_at) == (ben, at(14, 30))
    assert problems == []


def test_a_session_dragged_onto_a_taken_time_goes_back_and_says_why(
    page: Page, live_server: LiveServer, anna: Esthetician, ben: Esthetician, iris_with_anna
) -> None:
    SessionFactory(esthetician=ben, client__first_name="Olive", starts_at=at(14))
    page.set_viewport_size(VIEWPORT)
    problems = watch(page)
    log_in(page, live_server)
    open_team_day(page, live_server)
    before = place_in(page, card(page, "Iris Moss"), column(page, anna))

    drag(page, card(page, "Iris Moss"), column(page, ben), hour=14, minute=30)

    expect(page.get_by_role("status")).to_contain_text(
        "Not moved: Ben Berg already has a session from 14:00"
    )
    expect(column(page, anna).locator(".cal-session")).to_contain_text("Iris Moss")
    expect(column(page, ben)).not_to_contain_text("Iris Moss")
    expect(card(page, "Iris Moss")).to_be_focused()
    assert place_in(page, card(page, "Iris Moss"), column(page, anna)) == before
    iris_with_anna.refresh_from_db()
    assert (iris_with_anna.esthetician, iris_with_anna.starts_at) == (anna, at(10))
    assert problems == []


def test_a_session_dragged_outside_an_estheticians_hours_is_refused(
    page: Page, live_server: LiveServer, anna: Esthetician, iris_with_anna: Session
) -> None:
    cleo = EstheticianFactory(user__first_name="Cleo", user__last_name="Berg")
    WorkingHoursFactory(
        esthetician=cleo,
        weekday=tomorrow().weekday(),
        starts_at=dt.time(13),
        ends_at=dt.time(17),
    )
    page.set_viewport_size(VIEWPORT)
    log_in(page, live_server)
    open_team_day(page, live_server)

    drag(page, card(page, "Iris Moss"), column(page, cleo), hour=11)

    expect(page.get_by_role("status")).to_contain_text(
        "Not moved: 11:00–12:00 is outside Cleo Berg's hours"
    )
    expect(column(page, anna)).to_contain_text("Iris Moss")
    iris_with_anna.refresh_from_db()
    assert (iris_with_anna.esthetician, iris_with_anna.starts_at) == (anna, at(10))


def test_without_a_mouse_or_script_a_session_moves_from_its_page(
    browser: Browser, live_server: LiveServer, ben: Esthetician, iris_with_anna: Session
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=VIEWPORT)
    page = context.new_page()
    log_in(page, live_server)
    open_team_day(page, live_server)

    session_card = card(page, "Iris Moss")
    session_card.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Iris Moss")
    page.get_by_text("Reschedule", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_label("New time").fill("15:00")
    page.get_by_label("Esthetician").select_option(label="Ben Berg")
    page.get_by_role("button", name="Move the session").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text(f"Moved to {moment_label(at(15))} with Ben Berg.")).to_be_visible()
    iris_with_anna.refresh_from_db()
    assert (iris_with_anna.esthetician, iris_with_anna.starts_at) == (ben, at(15))
    context.close()


def test_flagged_sessions_in_narrow_columns_show_their_first_line_whole(
    page: Page, live_server: LiveServer, anna: Esthetician
) -> None:
    team = [anna] + [
        working_every_day(name, name.lower()) for name in ("Bea", "Cleo", "Dee", "Eve", "Fay")
    ]
    for hour, esthetician in enumerate(team, start=9):
        SessionFactory(
            esthetician=esthetician,
            starts_at=at(hour),
            ends_at=at(hour, 30),
            needs_attention=True,
        )
    log_in(page, live_server)

    for width in (1024, 390):
        page.set_viewport_size({"width": width, "height": 900})
        open_team_day(page, live_server)
        flags = page.locator(".cal-session__flag")
        expect(flags).to_have_count(6)
        for flag in flags.all():
            flag.scroll_into_view_if_needed()
            fits = flag.evaluate(
                """flag => {
                    const card = flag.closest(".cal-session").getBoundingClientRect();
                    const box = flag.getBoundingClientRect();
                    return flag.scrollWidth <= flag.clientWidth
                        && box.right <= card.right && box.bottom <= card.bottom
                        && box.top - card.top < 8;
                }"""
            )
            assert fits, f"the flag is cut at {width}px: {flag.inner_text()!r}"
