"""The team's day in Chromium: a column per esthetician, moving sessions by dragging them and
without a mouse or script, flagged sessions readable in narrow columns, free times to book on
a touch screen, and the way back to the calendar from booking one."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, expect
from pytest_django.live_server_helper import LiveServer

from spa.dates import day_label, moment_label
from tests.clients.factories import DEMO_PASSWORD, ClientFactory, IntakeFactory
from tests.treatments.factories import (
    EstheticianFactory,
    SessionFactory,
    TreatmentFactory,
    WorkingHoursFactory,
)
from treatments.models import Esthetician, Session

# Tall enough for a whole working day, so a drag never has to scroll.
VIEWPORT = {"width": 1280, "height": 1400}
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1024, "height": 768}
# The colours of a free time's words: faint on a touch screen, stronger when pointed at.
INK_SOFT = "rgb(91, 104, 99)"
ACCENT_STRONG = "rgb(59, 95, 83)"
TRANSPARENT = "rgba(0, 0, 0, 0)"


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


LONG_NAME = ("Bartholomew", "Featherstonehaugh-Montgomery")
# For a flagged card: whether its flag sits whole on its first line, inside the card; whether
# the client's first word shares that line, whole; which words of the client's name are broken
# across lines though they would fit on one (a word wider than the card's line has to be); and
# whether the whole name is inside the card.
CARD_LAYOUT = """card => {
    const box = card.getBoundingClientRect();
    const flag = card.querySelector(".cal-session__flag").getBoundingClientRect();
    const client = card.querySelector(".cal-session__client");
    const style = getComputedStyle(card);
    const line = card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const inside = (rect) => rect.left >= box.left && rect.right <= box.right + 0.5
        && rect.top >= box.top && rect.bottom <= box.bottom + 0.5;
    const text = client.firstChild;
    const words = [];
    const pattern = /[^\\s-]+-?/g;
    for (let found; (found = pattern.exec(text.data)) !== null; ) {
        const range = document.createRange();
        range.setStart(text, found.index);
        range.setEnd(text, found.index + found[0].length);
        const parts = [...range.getClientRects()];
        const width = parts.reduce((sum, part) => sum + part.width, 0);
        words.push({word: found[0], parts, lines: parts.length, width});
    }
    const first = words[0].parts[0];
    return {
        flagFirst: inside(flag) && flag.top - box.top < 8,
        firstWordOnFirstLine: words[0].lines === 1 && inside(first)
            && Math.abs(first.top - flag.top) < 4,
        brokenThoughTheyFit: words.filter((w) => w.lines > 1 && w.width <= line).map((w) => w.word),
        nameInside: inside(client.getBoundingClientRect()),
    };
}"""


def test_flagged_sessions_in_narrow_columns_show_their_first_line_whole(
    page: Page, live_server: LiveServer, anna: Esthetician
) -> None:
    team = [anna] + [
        working_every_day(name, name.lower()) for name in ("Bea", "Cleo", "Dee", "Eve", "Fay")
    ]
    first, last = LONG_NAME
    for hour, esthetician in enumerate(team, start=9):
        # Half an hour each, but Bea's hour: a long name in a short card and in a taller one.
        long = esthetician in team[:2]
        SessionFactory(
            esthetician=esthetician,
            starts_at=at(hour),
            ends_at=at(hour + 1) if esthetician == team[1] else at(hour, 30),
            needs_attention=True,
            **({"client__first_name": first, "client__last_name": last} if long else {}),
        )
    log_in(page, live_server)

    for width in (1024, 390):
        page.set_viewport_size({"width": width, "height": 900})
        open_team_day(page, live_server)
        cards = page.locator(".cal-session--attention")
        expect(cards).to_have_count(6)
        for flagged in cards.all():
            flagged.scroll_into_view_if_needed()
            layout = flagged.evaluate(CARD_LAYOUT)
            words = flagged.locator(".cal-session__client").inner_text()
            assert layout["flagFirst"], f"the flag is cut at {width}px: {words!r}"
            assert layout["firstWordOnFirstLine"], f"{words!r} does not start whole at {width}px"
            assert layout["brokenThoughTheyFit"] == [], f"{words!r} is broken at {width}px"
        # The hour-long card has room for the whole of the long name.
        assert cards.nth(1).evaluate(CARD_LAYOUT)["nameInside"], f"the name is cut at {width}px"
        # Only the sign shows in a narrow card; the words are there for screen readers.
        words = cards.first.locator(".cal-session__flag-words").bounding_box()
        assert words is not None
        assert words["width"] <= 1
        expect(
            page.get_by_role("link", name=re.compile(f"^Needs attention {first} {last} "))
        ).to_have_count(2)


def test_a_wide_card_spells_out_its_flag(
    page: Page, live_server: LiveServer, anna: Esthetician
) -> None:
    SessionFactory(esthetician=anna, starts_at=at(10), needs_attention=True)
    page.set_viewport_size(VIEWPORT)
    log_in(page, live_server)

    open_team_day(page, live_server)

    flag = page.locator(".cal-session__flag")
    expect(flag).to_have_text("⚠ Needs attention")
    words = flag.locator(".cal-session__flag-words").bounding_box()
    assert words is not None
    assert words["width"] > 50


@pytest.mark.browser_context_args(viewport=PHONE, has_touch=True)
def test_on_a_touch_screen_each_free_time_shows_itself(
    page: Page, live_server: LiveServer, anna: Esthetician, ben: Esthetician
) -> None:
    TreatmentFactory(minutes=60)
    log_in(page, live_server)

    open_team_day(page, live_server)

    assert page.evaluate("matchMedia('(hover: none)').matches")
    slot = column(page, ben).get_by_role("link", name=re.compile(r"^Book .*, 15:30 with Ben Berg$"))
    expect(slot).to_be_visible()
    # Readable without a pointer: axe-core checks its contrast as it checks the page's.
    expect(slot).to_have_css("color", INK_SOFT)
    assert slot.evaluate("slot => slot.innerText.replace(/\\s+/g, ' ').trim()").startswith("+ ")


def test_with_a_mouse_a_free_time_shows_itself_when_pointed_at(
    page: Page, live_server: LiveServer, anna: Esthetician, ben: Esthetician
) -> None:
    TreatmentFactory(minutes=60)
    page.set_viewport_size(VIEWPORT)
    log_in(page, live_server)
    open_team_day(page, live_server)
    slot = column(page, ben).get_by_role("link", name=re.compile(r"^Book .*, 15:30 with Ben Berg$"))
    expect(slot).to_have_css("color", TRANSPARENT)

    slot.hover()

    expect(slot).to_have_css("color", ACCENT_STRONG)


def test_the_week_on_a_phone_says_it_scrolls_sideways(
    page: Page, live_server: LiveServer, anna: Esthetician
) -> None:
    log_in(page, live_server)
    hint = page.get_by_text("Scroll sideways for the rest of the week")

    for size, shown in ((PHONE, True), (TABLET, False)):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/calendar/?view=week&date={tomorrow().isoformat()}")
        scroller = page.locator(".cal-scroll")
        runs_past = scroller.evaluate("area => area.scrollWidth > area.clientWidth")
        assert runs_past == shown
        if shown:
            expect(hint).to_be_visible()
        else:
            expect(hint).to_be_hidden()


def test_a_team_wider_than_a_phone_says_it_scrolls_sideways(
    page: Page, live_server: LiveServer, anna: Esthetician, ben: Esthetician
) -> None:
    log_in(page, live_server)
    hint = page.get_by_text("Scroll sideways for the rest of the team")
    page.set_viewport_size(PHONE)
    open_team_day(page, live_server)
    expect(hint).to_have_count(0)

    working_every_day("Cleo", "cleo")
    for size, shown in ((PHONE, True), ({"width": 600, "height": 800}, False)):
        page.set_viewport_size(size)
        open_team_day(page, live_server)
        runs_past = page.locator(".cal-scroll").evaluate(
            "area => area.scrollWidth > area.clientWidth"
        )
        assert runs_past == shown
        if shown:
            expect(hint).to_be_visible()
        else:
            expect(hint).to_be_hidden()


def test_booking_from_a_free_time_keeps_the_way_back_to_that_day(
    page: Page, live_server: LiveServer, anna: Esthetician, ben: Esthetician
) -> None:
    TreatmentFactory(minutes=60)
    IntakeFactory(client=ClientFactory(first_name="Iris", last_name="Moss"))
    page.set_viewport_size(VIEWPORT)
    problems = watch(page)
    log_in(page, live_server)
    open_team_day(page, live_server)
    day = day_label(tomorrow(), today=timezone.localdate())

    column(page, ben).get_by_role("link", name=re.compile(r", 15:30 with Ben Berg$")).click()
    breadcrumb = page.locator(".breadcrumb")
    expect(breadcrumb).to_have_text(f"Calendar › {day}")
    # The live search answers once htmx has set the page up: typing before that finds nothing.
    page.wait_for_load_state("networkidle")
    page.get_by_label("Who is the session for?").fill("Iris")
    page.locator("#client-results").get_by_role("link", name=re.compile("Iris Moss")).click()

    expect(page.get_by_text("For Iris Moss")).to_be_visible()
    expect(breadcrumb).to_have_text(f"Calendar › {day}")
    expect(page.get_by_role("region", name="The slot", exact=True)).to_contain_text(f"{day}, 15:30")
    # Filling in the time changes it: htmx checks the slot and puts the choices in the address.
    page.get_by_label("Time").fill("16:00")
    expect(page).to_have_url(re.compile(r"time=16%3A00"))
    expect(page.locator(".htmx-request")).to_have_count(0)
    assert "calendar=day" in page.url
    page.get_by_role("link", name="Cancel").click()

    expect(page.locator("#calendar-title")).to_contain_text("The team’s day")
    assert f"view=day&date={tomorrow().isoformat()}" in page.url
    assert problems == []
