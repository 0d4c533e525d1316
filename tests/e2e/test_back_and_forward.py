"""Back and Forward show each page as its address says: the search box holds the words that
found the results beside it, and the planning form the choices of the plan beside it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from clients.models import Client
from spa.dates import moment_label
from tests.clients.factories import DEMO_PASSWORD, ClientFactory, IntakeFactory
from tests.treatments.factories import EstheticianFactory, TreatmentFactory, WorkingHoursFactory
from treatments.models import Esthetician

SUNDAY = 6
# What the address says once the search box holds "Iris", then "Iris Mo".
IRIS = re.compile(r"[?&]q=Iris$")
IRIS_MO = re.compile(r"[?&]q=Iris(\+|%20)Mo$")


@pytest.fixture
def anna(transactional_db: None) -> Esthetician:
    """An esthetician who signs in herself, working every day but Sunday, 09:00 to 17:00."""
    esthetician = EstheticianFactory(
        user__username="anna", user__first_name="Anna", user__last_name="Berg"
    )
    for weekday in range(6):
        WorkingHoursFactory(
            esthetician=esthetician, weekday=weekday, starts_at=dt.time(9), ends_at=dt.time(17)
        )
    return esthetician


@pytest.fixture
def iris(transactional_db: None) -> Client:
    """Iris Moss, with Iris Lane and Ivy Moss to tell her apart from; all can book."""
    for first_name, last_name in [("Iris", "Lane"), ("Ivy", "Moss")]:
        IntakeFactory(client=ClientFactory(first_name=first_name, last_name=last_name))
    client = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=client)
    return client


def working_day_from(day: dt.date) -> dt.date:
    """`day`, or the Monday after when it is a Sunday (Anna's day off)."""
    return day + dt.timedelta(days=1) if day.weekday() == SUNDAY else day


def log_in(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()


def search_back_and_forth(page: Page, box: Locator, names: Locator) -> None:
    """Type "Iris", then "Iris Mo"; go Back and Forward: the box always says what was found."""
    box.press_sequentially("Iris", delay=20)
    expect(page).to_have_url(IRIS)
    expect(names).to_have_text(["Iris Lane", "Iris Moss"])
    box.press_sequentially(" Mo", delay=20)
    expect(page).to_have_url(IRIS_MO)
    expect(names).to_have_text(["Iris Moss"])

    page.go_back()
    expect(page).to_have_url(IRIS)
    expect(box).to_have_value("Iris")
    expect(names).to_have_text(["Iris Lane", "Iris Moss"])

    page.go_forward()
    expect(page).to_have_url(IRIS_MO)
    expect(box).to_have_value("Iris Mo")
    expect(names).to_have_text(["Iris Moss"])


def test_the_client_list_search_shows_its_words_after_back_and_forward(
    page: Page, live_server: LiveServer, anna: Esthetician, iris: Client
) -> None:
    log_in(page, live_server)
    page.goto(live_server.url + "/clients/")
    box = page.get_by_label("Search clients")
    names = page.locator("#client-results .client-table__name")

    search_back_and_forth(page, box, names)
    names.get_by_role("link", name="Iris Moss").click()
    expect(page.get_by_role("heading", name="Iris Moss", level=1)).to_be_visible()
    page.go_back()

    expect(page).to_have_url(IRIS_MO)
    expect(box).to_have_value("Iris Mo")
    expect(names).to_have_text(["Iris Moss"])


def test_booking_from_a_free_slot_keeps_the_slot_and_the_search_through_back_and_forward(
    page: Page, live_server: LiveServer, anna: Esthetician, iris: Client
) -> None:
    today = timezone.localdate()
    day = working_day_from(today + dt.timedelta(days=2))
    at_ten = dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone())
    log_in(page, live_server)
    page.goto(f"{live_server.url}/sessions/new/?esthetician={anna.pk}&day={day}&time=10:00")
    slot = page.get_by_role("region", name="The slot")
    expect(slot).to_contain_text(f"{moment_label(at_ten, today=today)} with Anna Berg")
    expect(page.locator(".breadcrumb")).to_contain_text("Calendar")
    box = page.get_by_label("Who is the session for?")
    names = page.locator("#client-results .pick__name")

    search_back_and_forth(page, box, names)
    page.get_by_role("link", name=re.compile("Iris Moss")).click()
    expect(page.get_by_text("For Iris Moss")).to_be_visible()
    expect(page.get_by_label("Date")).to_have_value(day.isoformat())
    expect(page.get_by_label("Time")).to_have_value("10:00")
    page.go_back()

    expect(page).to_have_url(IRIS_MO)
    expect(slot).to_contain_text(moment_label(at_ten, today=today))
    expect(box).to_have_value("Iris Mo")
    expect(names).to_have_text(["Iris Moss"])


def test_the_planners_client_search_shows_its_words_after_back_and_forward(
    page: Page, live_server: LiveServer, anna: Esthetician, iris: Client
) -> None:
    log_in(page, live_server)
    page.goto(live_server.url + "/series/new/")
    box = page.get_by_label("Find the client")
    names = page.locator("#client-results .client-choice__name")

    search_back_and_forth(page, box, names)


def test_the_planning_form_shows_the_plan_beside_it_after_back_and_forward(
    page: Page, live_server: LiveServer, anna: Esthetician, iris: Client
) -> None:
    TreatmentFactory(name="Microcurrent lift", minutes=60)
    today = timezone.localdate()
    starts_on = working_day_from(today + dt.timedelta(days=3))
    day_box = page.get_by_role("group", name="Preferred days").get_by_label(
        f"{starts_on:%a}", exact=True
    )
    log_in(page, live_server)
    page.goto(f"{live_server.url}/series/new/?client={iris.pk}")
    proposed = page.get_by_role("list", name="Proposed sessions").locator("time")
    first_at = dt.datetime.combine(starts_on, dt.time(10), tzinfo=timezone.get_current_timezone())

    page.get_by_label("Treatment").select_option(label="Microcurrent lift")
    page.get_by_label("First session on or after").fill(starts_on.isoformat())
    day_box.check()
    page.get_by_label("Preferred time").fill("10:00")
    expect(proposed.first).to_have_text(moment_label(first_at, today=today))
    page.get_by_label("Preferred time").fill("11:30")
    expect(proposed.first).to_have_text(
        moment_label(first_at + dt.timedelta(minutes=90), today=today)
    )

    page.go_back()
    expect(page).to_have_url(re.compile(r"preferred_time=10%3A00"))
    expect(page.get_by_label("Preferred time")).to_have_value("10:00")
    expect(day_box).to_be_checked()
    expect(page.get_by_label("First session on or after")).to_have_value(starts_on.isoformat())
    expect(proposed.first).to_have_text(moment_label(first_at, today=today))

    page.go_forward()
    expect(page).to_have_url(re.compile(r"preferred_time=11%3A30"))
    expect(page.get_by_label("Preferred time")).to_have_value("11:30")
    expect(day_box).to_be_checked()
    expect(proposed.first).to_have_text(
        moment_label(first_at + dt.timedelta(minutes=90), today=today)
    )


def open_a_plan(page: Page, live_server: LiveServer, client: Client) -> str:
    """Open the planner at an address holding every choice of an 8-session weekly plan at 10:00;
    return that address once the plan can be booked."""
    treatment = TreatmentFactory(name="Microcurrent lift", minutes=60)
    starts_on = working_day_from(timezone.localdate() + dt.timedelta(days=3))
    address = (
        f"{live_server.url}/series/new/?client={client.pk}&treatment={treatment.pk}"
        f"&starts_on={starts_on}&weekdays={starts_on.weekday()}&preferred_time=10%3A00"
    )
    page.goto(address)
    expect(page.get_by_role("button", name="Book 8 sessions")).to_be_enabled()
    return address


def type_a_number(field: Locator, number: str) -> None:
    """Type over the field's value key by key, as staff do; the cursor stays in the field."""
    field.click()
    field.press("Control+a")
    field.press_sequentially(number, delay=50)


def test_typing_a_number_and_leaving_the_field_is_one_step_back(
    page: Page, live_server: LiveServer, anna: Esthetician, iris: Client
) -> None:
    log_in(page, live_server)
    address = open_a_plan(page, live_server, iris)
    entries = page.evaluate("history.length")
    sessions = page.get_by_label("Number of sessions")

    type_a_number(sessions, "10")
    expect(page.get_by_role("button", name="Book 10 sessions")).to_be_enabled()
    sessions.press("Tab")
    # Leaving the field is a change too: whatever it asked for has arrived before Back.
    page.wait_for_function("() => document.querySelector('.htmx-request') === null")

    assert page.evaluate("history.length") == entries + 1
    page.go_back()
    expect(page).to_have_url(address)
    expect(sessions).to_have_value("8")
    expect(page.get_by_role("button", name="Book 8 sessions")).to_be_enabled()

    page.go_forward()
    expect(page).to_have_url(re.compile(r"planned_sessions=10"))
    expect(sessions).to_have_value("10")
    expect(page.get_by_role("button", name="Book 10 sessions")).to_be_enabled()


def test_back_from_the_field_just_typed_in_on_a_phone_leaves_the_plan_bookable(
    page: Page, live_server: LiveServer, anna: Esthetician, iris: Client
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server)
    address = open_a_plan(page, live_server, iris)
    sessions = page.get_by_label("Number of sessions")
    type_a_number(sessions, "10")
    expect(page.get_by_role("button", name="Book 10 sessions")).to_be_enabled()
    expect(sessions).to_be_focused()

    page.go_back()

    expect(page).to_have_url(address)
    expect(sessions).to_have_value("8")
    book = page.get_by_role("button", name="Book 8 sessions")
    expect(book).to_be_enabled()
    expect(page.get_by_text("The form has changed")).to_be_hidden()
    book.click()
    expect(page.get_by_text("8 sessions booked for Iris Moss.")).to_be_visible()


# Set once htmx has put the address of a late plan in the history, or chosen not to.
LATE_PLAN_LANDED = """() => {
    window.latePlanLanded = false;
    for (const type of ["htmx:pushedIntoHistory", "htmx:replacedInHistory"]) {
        document.addEventListener(type, () => { window.latePlanLanded = true; }, { once: true });
    }
}"""


def test_a_plan_still_on_its_way_at_back_leaves_the_address_of_the_page_shown(
    page: Page, live_server: LiveServer, anna: Esthetician, iris: Client
) -> None:
    log_in(page, live_server)
    address = open_a_plan(page, live_server, iris)
    sessions = page.get_by_label("Number of sessions")
    type_a_number(sessions, "9")
    expect(page.get_by_role("button", name="Book 9 sessions")).to_be_enabled()
    # A slow network: the plan for 10 sessions is held until Back has brought the 8 back.
    held: list[Route] = []

    def hold_previews(route: Route) -> None:
        asked = route.request.headers
        if asked.get("hx-request") == "true" and "hx-history-restore-request" not in asked:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/series/new/\?"), hold_previews)
    type_a_number(sessions, "10")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1

    page.go_back()
    expect(sessions).to_have_value("8")
    page.evaluate(LATE_PLAN_LANDED)
    held[0].continue_()
    page.wait_for_function("() => window.latePlanLanded === true")

    expect(page).to_have_url(address)
    expect(page.get_by_role("button", name="Book 8 sessions")).to_be_enabled()
    page.go_forward()
    expect(page).to_have_url(re.compile(r"planned_sessions=9"))
    expect(sessions).to_have_value("9")
