from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from clients.forms import BLOCK_QUESTIONS, CAUTION_QUESTIONS, IntakeForm
from clients.services import intake_link_create
from spa.dates import day_label
from tests.clients.factories import DEMO_PASSWORD, ClientFactory
from tests.treatments.factories import EstheticianFactory

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A phone: the intake link is opened from an email, on the client's own phone."""
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


def question(page: Page, name: str) -> Any:
    """A yes/no question of the intake, found by what it asks."""
    return page.get_by_role("group", name=IntakeForm.base_fields[name].label)


def test_client_answers_on_their_phone_and_staff_see_the_block(
    page: Page, live_server: LiveServer, transactional_db: None
) -> None:
    EstheticianFactory(user__username="anna", user__first_name="Anna")
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    url = intake_link_create(client=iris, created_by=None, site_url=live_server.url)
    today = timezone.localdate()
    injected = today - dt.timedelta(days=5)

    page.goto(url)
    expect(page.get_by_role("heading", name="Your health questions", level=1)).to_be_visible()
    expect(page.get_by_label("First name")).to_have_value("Iris")
    injection_date = page.get_by_label("Date of your most recent injection")
    expect(injection_date).to_be_hidden()
    for name in (*BLOCK_QUESTIONS, *CAUTION_QUESTIONS):
        answer = "Yes" if name == "had_injectable" else "No"
        question(page, name).get_by_label(answer, exact=True).check()
    expect(injection_date).to_be_visible()
    expect(page.get_by_label("Your due date")).to_be_hidden()
    injection_date.fill(injected.isoformat())
    page.get_by_label("I confirm these answers are true and complete").check()
    page.get_by_label("Type your full name to sign").fill("Iris Moss")
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", name="Thank you", level=1)).to_be_visible()

    page.goto(url)
    expect(page.get_by_text("You've already answered these questions on")).to_be_visible()

    # Staff now see the injection block on the client's page.
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/clients/{iris.pk}/")
    allowed_from = injected + dt.timedelta(days=14)
    expect(page.locator("main")).to_contain_text(
        f"Blocked until {day_label(allowed_from, today=today)}"
    )
