from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, Route, expect
from pytest_django.live_server_helper import LiveServer

from clients.models import Client
from spa.dates import day_label, moment_label
from tests.clients.factories import DEMO_PASSWORD, ClientFactory, IntakeFactory
from tests.treatments.factories import EstheticianFactory, TreatmentFactory, WorkingHoursFactory
from treatments.models import Esthetician, Series, Treatment

SUNDAY = 6
TEN = dt.time(10)


@pytest.fixture
def anna(transactional_db: None) -> Esthetician:
    """An esthetician who logs in herself, working Monday to Saturday, 09:00 to 17:00."""
    esthetician = EstheticianFactory(
        user__username="anna", user__first_name="Anna", user__last_name="Berg"
    )
    for weekday in range(6):
        WorkingHoursFactory(
            esthetician=esthetician, weekday=weekday, starts_at=dt.time(9), ends_at=dt.time(17)
        )
    return esthetician


@pytest.fixture
def lift(transactional_db: None) -> Treatment:
    """The series treatment the planner offers."""
    return TreatmentFactory(name="Microcurrent lift", minutes=60)


def working_day_from(day: dt.date) -> dt.date:
    """`day`, or the Monday after when it is a Sunday (Anna's day off)."""
    return day + dt.timedelta(days=1) if day.weekday() == SUNDAY else day


def at_ten(day: dt.date) -> dt.datetime:
    """10:00 on `day` in the spa's time zone."""
    return dt.datetime.combine(day, TEN, tzinfo=timezone.get_current_timezone())


def log_in(page: Page, live_server: LiveServer) -> None:
    """Anna logs in and lands on her day."""
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()


def plan_weekly_series(
    page: Page,
    live_server: LiveServer,
    client: Client,
    *,
    esthetician: Esthetician,
    starts_on: dt.date,
) -> Locator:
    """Fill in the planning form as staff do: 8 sessions, once a week, on the start's weekday
    at 10:00; return the proposed sessions of the live preview."""
    page.goto(f"{live_server.url}/series/new/?client={client.pk}")
    expect(page.get_by_role("heading", name="Plan a series", level=1)).to_be_visible()
    page.get_by_label("Treatment").select_option(label="Microcurrent lift")
    # The planner chooses the logged-in esthetician herself; she keeps that.
    expect(page.get_by_label("Esthetician")).to_have_value(str(esthetician.pk))
    page.get_by_label("First session on or after").fill(starts_on.isoformat())
    page.get_by_label("Number of sessions").fill("8")
    page.get_by_label("Sessions a week").select_option(label="Once a week")
    page.get_by_role("group", name="Preferred days").get_by_label(
        f"{starts_on:%a}", exact=True
    ).check()
    page.get_by_label("Preferred time").fill("10:00")
    return page.get_by_role("list", name="Proposed sessions").get_by_role("listitem")


def test_esthetician_plans_a_weekly_series_and_finds_it_in_the_calendar(
    page: Page, live_server: LiveServer, anna: Esthetician, lift: Treatment
) -> None:
    today = timezone.localdate()
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=iris)
    starts_on = working_day_from(today + dt.timedelta(days=3))

    log_in(page, live_server)
    proposed = plan_weekly_series(page, live_server, iris, esthetician=anna, starts_on=starts_on)

    expect(proposed).to_have_count(8)
    weekly = [at_ten(starts_on + dt.timedelta(weeks=week)) for week in range(8)]
    expect(proposed.locator("time")).to_have_text([moment_label(at, today=today) for at in weekly])
    expect(page.locator("#preview")).not_to_contain_text("Moved")
    page.get_by_role("button", name="Book 8 sessions").click()

    expect(page.get_by_role("heading", name="Microcurrent lift series", level=1)).to_be_visible()
    expect(page.get_by_text("8 sessions booked for Iris Moss.")).to_be_visible()
    expect(page.get_by_text("0 of 8 completed")).to_be_visible()
    timeline = page.get_by_role("region", name="Sessions").get_by_role("listitem")
    expect(timeline).to_have_count(8)
    expect(timeline.first).to_contain_text(moment_label(at_ten(starts_on), today=today))

    page.goto(
        f"{live_server.url}/calendar/?view=week&date={starts_on.isoformat()}&esthetician={anna.pk}"
    )
    calendar = page.get_by_role("region", name="Anna Berg")
    monday = starts_on - dt.timedelta(days=starts_on.weekday())
    expect(calendar.get_by_role("heading", level=2)).to_contain_text(
        f"Week of {day_label(monday, today=today)}"
    )
    session = calendar.get_by_role("link").filter(has_text="Iris Moss")
    expect(session).to_have_count(1)
    expect(session).to_contain_text("10:00–11:00")
    expect(session).to_contain_text("Series 1/8 · Microcurrent lift")
    expect(session).to_contain_text(day_label(starts_on, today=today))


def test_recent_filler_moves_the_first_session_past_the_two_week_wait(
    page: Page, live_server: LiveServer, anna: Esthetician, lift: Treatment
) -> None:
    today = timezone.localdate()
    injected = today - dt.timedelta(days=5)
    allowed_from = injected + dt.timedelta(days=14)
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=iris, last_injectable_on=injected)
    # Tomorrow, or Monday when tomorrow is Sunday: well inside the wait, as is a week later
    # when the series starts tomorrow.
    starts_on = working_day_from(today + dt.timedelta(days=1))
    first_on = starts_on
    while first_on < allowed_from:
        first_on += dt.timedelta(weeks=1)

    log_in(page, live_server)
    proposed = plan_weekly_series(page, live_server, iris, esthetician=anna, starts_on=starts_on)

    expect(proposed).to_have_count(8)
    weekly = [at_ten(first_on + dt.timedelta(weeks=week)) for week in range(8)]
    times = proposed.locator("time")
    expect(times).to_have_text([moment_label(at, today=today) for at in weekly])
    expect(proposed.first.get_by_text("Moved", exact=True)).to_be_visible()
    expect(proposed.first).to_contain_text(
        f"Moved from {day_label(starts_on, today=today)}: recent filler or botox until "
        f"{day_label(allowed_from, today=today)}"
    )
    expect(page.locator("#preview").get_by_text("Moved", exact=True)).to_have_count(1)
    proposed_on = [
        dt.datetime.fromisoformat(moment).date()
        for moment in times.evaluate_all("times => times.map(time => time.dateTime)")
    ]
    assert min(proposed_on) >= allowed_from

    page.get_by_role("button", name="Book 8 sessions").click()

    expect(page.get_by_text("0 of 8 completed")).to_be_visible()
    timeline = page.get_by_role("region", name="Sessions").get_by_role("listitem")
    expect(timeline).to_have_count(8)
    expect(timeline.first).to_contain_text(moment_label(at_ten(first_on), today=today))


def hold_previews(page: Page) -> list[Route]:
    """Hold every live preview the planner asks for until the test lets it through, as a slow
    network would; return the held requests."""
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.headers.get("hx-request") == "true":
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/series/new/\?"), hold)
    return held


def wait_for(page: Page, held: list[Route], count: int) -> None:
    """Wait until `count` previews are held."""
    for _ in range(100):
        if len(held) >= count:
            return
        page.wait_for_timeout(50)
    raise AssertionError(f"{len(held)} preview requests held, expected {count}")


def test_the_book_button_waits_while_the_plan_is_updated_and_books_the_plan_shown(
    page: Page, live_server: LiveServer, anna: Esthetician, lift: Treatment
) -> None:
    today = timezone.localdate()
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=iris)
    starts_on = working_day_from(today + dt.timedelta(days=3))
    log_in(page, live_server)
    proposed = plan_weekly_series(page, live_server, iris, esthetician=anna, starts_on=starts_on)
    expect(proposed).to_have_count(8)
    book = page.get_by_role("button", name="Book 8 sessions")
    waiting = page.get_by_text("The form has changed: booking waits for the plan to match it.")
    expect(book).to_be_enabled()
    expect(waiting).to_be_hidden()

    held = hold_previews(page)
    page.get_by_label("Preferred time").fill("11:00")
    wait_for(page, held, 1)

    expect(book).to_be_disabled()
    expect(waiting).to_be_visible()
    # The old plan is still on screen, at 10:00.
    expect(proposed.locator("time").first).to_have_text(
        moment_label(at_ten(starts_on), today=today)
    )

    held[0].continue_()
    page.unroute(re.compile(r"/series/new/\?"))
    at_eleven = at_ten(starts_on) + dt.timedelta(hours=1)
    expect(proposed.locator("time").first).to_have_text(moment_label(at_eleven, today=today))
    expect(book).to_be_enabled()
    expect(waiting).to_be_hidden()
    book.click()

    expect(page.get_by_text("8 sessions booked for Iris Moss.")).to_be_visible()
    series = Series.objects.get()
    assert series.preferred_time == dt.time(11)
    first = series.sessions.order_by("starts_at").first()
    assert first is not None
    assert first.starts_at == at_eleven


def test_typing_in_the_form_holds_the_book_button_before_the_plan_is_asked_for(
    page: Page, live_server: LiveServer, anna: Esthetician, lift: Treatment
) -> None:
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=iris)
    starts_on = working_day_from(timezone.localdate() + dt.timedelta(days=3))
    log_in(page, live_server)
    proposed = plan_weekly_series(page, live_server, iris, esthetician=anna, starts_on=starts_on)
    expect(proposed).to_have_count(8)
    held = hold_previews(page)

    # The number field asks for a new plan only once typing pauses.
    page.get_by_label("Number of sessions").fill("10")

    expect(page.get_by_role("button", name="Book 8 sessions")).to_be_disabled()
    wait_for(page, held, 1)
    held[0].continue_()
    expect(page.get_by_role("button", name="Book 10 sessions")).to_be_enabled()


def test_a_plan_that_cannot_be_fetched_keeps_booking_held_until_one_arrives(
    page: Page, live_server: LiveServer, anna: Esthetician, lift: Treatment
) -> None:
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=iris)
    starts_on = working_day_from(timezone.localdate() + dt.timedelta(days=3))
    log_in(page, live_server)
    proposed = plan_weekly_series(page, live_server, iris, esthetician=anna, starts_on=starts_on)
    expect(proposed).to_have_count(8)
    held = hold_previews(page)
    page.get_by_label("Preferred time").fill("11:00")
    wait_for(page, held, 1)

    held[0].abort("internetdisconnected")

    expect(page.get_by_text("The plan could not be updated: check the connection")).to_be_visible()
    expect(page.get_by_role("button", name="Book 8 sessions")).to_be_disabled()
    page.unroute(re.compile(r"/series/new/\?"))
    page.get_by_role("button", name="Update the plan").click()
    at_eleven = at_ten(starts_on) + dt.timedelta(hours=1)
    expect(proposed.locator("time").first).to_have_text(
        moment_label(at_eleven, today=timezone.localdate())
    )
    expect(page.get_by_role("button", name="Book 8 sessions")).to_be_enabled()


def test_a_home_device_named_with_spaces_signs_and_accents_can_be_booked(
    page: Page, live_server: LiveServer, anna: Esthetician, lift: Treatment
) -> None:
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=iris)
    starts_on = working_day_from(timezone.localdate() + dt.timedelta(days=3))
    log_in(page, live_server)
    proposed = plan_weekly_series(page, live_server, iris, esthetician=anna, starts_on=starts_on)
    expect(proposed).to_have_count(8)

    page.get_by_label("Home device").fill("Zoë's NuFACE Trinity+ & ZIIP")

    expect(page.locator("#preview")).to_contain_text("Zoë's NuFACE Trinity+ & ZIIP:")
    book = page.get_by_role("button", name="Book 8 sessions")
    expect(book).to_be_enabled()
    book.click()
    expect(page.get_by_text("8 sessions booked for Iris Moss.")).to_be_visible()
    assert Series.objects.get().home_device == "Zoë's NuFACE Trinity+ & ZIIP"


def test_a_plan_that_changed_after_it_was_shown_is_refused_beside_the_new_plan(
    page: Page, live_server: LiveServer, anna: Esthetician, lift: Treatment
) -> None:
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=iris)
    starts_on = working_day_from(timezone.localdate() + dt.timedelta(days=3))
    log_in(page, live_server)
    proposed = plan_weekly_series(page, live_server, iris, esthetician=anna, starts_on=starts_on)
    expect(proposed).to_have_count(8)
    # While the plan is on screen, Iris tells the front desk about her epilepsy.
    IntakeFactory(client=iris, epilepsy=True)

    page.get_by_role("button", name="Book 8 sessions").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was booked.")
    expect(alert).to_contain_text("This is not the plan that was shown")
    expect(page.locator("#preview")).to_contain_text("Epilepsy")
    expect(page.get_by_label("Note acknowledging the client's cautions")).to_be_visible()
    assert not Series.objects.exists()
