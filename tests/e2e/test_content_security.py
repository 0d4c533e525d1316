"""The main pages, in Chromium, load and work under the Content Security Policy: nothing refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from clients.services import intake_link_create
from tests.clients.factories import DEMO_PASSWORD, ClientFactory, IntakeFactory, UserFactory
from tests.treatments.factories import (
    EstheticianFactory,
    SeriesFactory,
    SessionFactory,
    TreatmentFactory,
    WorkingHoursFactory,
)
from treatments.models import Esthetician


@pytest.fixture
def maria(transactional_db: None) -> Esthetician:
    """A manager who also treats clients, so every staff page has something to show."""
    user = UserFactory(username="maria", first_name="Maria", groups=["Manager", "Esthetician"])
    esthetician = EstheticianFactory(user=user)
    for weekday in range(7):
        WorkingHoursFactory(
            esthetician=esthetician, weekday=weekday, starts_at=dt.time(8), ends_at=dt.time(20)
        )
    return esthetician


def watch(page: Page) -> list[str]:
    """Every refusal under the policy, and every script error, as the browser reports them."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    return problems


def test_staff_pages_break_no_rule_of_the_policy(
    page: Page, live_server: LiveServer, maria: Esthetician
) -> None:
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=iris)
    today_at_ten = dt.datetime.combine(
        timezone.localdate(), dt.time(10), tzinfo=timezone.get_current_timezone()
    )
    series = SeriesFactory(client=iris, esthetician=maria, treatment=TreatmentFactory())
    session = SessionFactory(esthetician=maria, client=iris, series=series, starts_at=today_at_ten)
    problems = watch(page)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()

    for path in (
        "/calendar/",
        "/calendar/?view=day",
        f"/clients/{iris.pk}/",
        f"/series/new/?client={iris.pk}",
        f"/sessions/new/?esthetician={maria.pk}&day={timezone.localdate()}&time=18:00",
        f"/series/{series.pk}/",
        f"/series/{series.pk}/home-care/",
        f"/sessions/{session.pk}/",
        f"/sessions/{session.pk}/check-in/",
        "/dashboard/",
        "/calendar/feed/",
        f"/clients/{iris.pk}/record/",
        f"/clients/{iris.pk}/erase/",
        "/privacy/retention/",
        "/accounts/lockouts/",
        "/accounts/two-factor/",
    ):
        page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")

    # htmx swaps a region in place: the calendar's next week.
    page.goto(live_server.url + "/calendar/")
    page.get_by_role("link", name="Next").first.click()
    page.wait_for_load_state("networkidle")

    # The planner's live preview, and its script that holds the Book button meanwhile, with
    # fields changed one after another without waiting for each plan: a preview cut short
    # for a newer one would be reported as an error.
    page.goto(live_server.url + f"/series/new/?client={iris.pk}")
    days = page.get_by_role("group", name="Preferred days")
    for day in ("Mon", "Wed", "Fri"):
        days.get_by_label(day, exact=True).check()
    page.get_by_label("Sessions a week").select_option(label="Twice a week")
    page.get_by_label("Preferred time").fill("10:00")
    page.get_by_label("Number of sessions").fill("10")
    days.get_by_label("Wed", exact=True).uncheck()
    expect(page.get_by_role("button", name="Book 10 sessions")).to_be_enabled()
    expect(page).to_have_url(re.compile(r"planned_sessions=10"))

    assert problems == []


def test_the_calendar_places_sessions_by_their_time_without_style_attributes(
    page: Page, live_server: LiveServer, maria: Esthetician
) -> None:
    starts = dt.datetime.combine(
        timezone.localdate(), dt.time(10), tzinfo=timezone.get_current_timezone()
    )
    SessionFactory(esthetician=maria, starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(live_server.url + "/calendar/?view=day")
    session = page.locator(".cal-session").first
    label_ten = page.locator(".cal__times span", has_text="10:00")
    label_eleven = page.locator(".cal__times span", has_text="11:00")

    session_box = session.bounding_box()
    ten_box = label_ten.bounding_box()
    eleven_box = label_eleven.bounding_box()
    assert session_box is not None
    assert ten_box is not None
    assert eleven_box is not None
    # An hour long, from the 10:00 line to the 11:00 line (give or take a border).
    assert abs(session_box["y"] - ten_box["y"]) <= 3
    assert abs(session_box["height"] - (eleven_box["y"] - ten_box["y"])) <= 4


def test_the_clients_intake_form_breaks_no_rule_of_the_policy(
    page: Page, live_server: LiveServer, transactional_db: None
) -> None:
    url = intake_link_create(client=ClientFactory(), created_by=None, site_url=live_server.url)
    problems = watch(page)

    page.goto(url)
    page.wait_for_load_state("networkidle")

    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert problems == []
