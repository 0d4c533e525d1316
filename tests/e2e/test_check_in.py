from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from clients.forms import BLOCK_QUESTIONS, PreTreatmentCheckForm
from clients.models import Intake
from tests.clients.factories import DEMO_PASSWORD, ClientFactory, IntakeFactory
from tests.treatments.factories import EstheticianFactory, SessionFactory
from treatments.models import Session

TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """The front desk's tablet."""
    return {**browser_context_args, "viewport": TABLET, "has_touch": True}


def answer(page: Page, form: PreTreatmentCheckForm, name: str, value: str) -> None:
    """Choose an answer to a question of the pre-treatment check, both found by their words."""
    field = form.fields[name]
    group = page.get_by_role("group", name=field.label)
    group.get_by_label(dict(field.choices)[value], exact=True).check()


def test_acne_at_check_in_postpones_the_session(
    page: Page, live_server: LiveServer, transactional_db: None
) -> None:
    esthetician = EstheticianFactory(user__username="anna", user__first_name="Anna")
    iris = ClientFactory(first_name="Iris", last_name="Moss")
    intake = IntakeFactory(client=iris)
    # The browser talks to the live server on the real clock: a session in a few minutes, today
    # (check-in is only possible on the session's own day).
    now = timezone.localtime()
    starts_at = min(now + dt.timedelta(minutes=5), now.replace(hour=23, minute=59))
    session = SessionFactory(esthetician=esthetician, client=iris, starts_at=starts_at)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    page.get_by_role("link", name="Check in", exact=True).click()

    expect(page.get_by_role("heading", name="Check in Iris Moss", level=1)).to_be_visible()
    form = PreTreatmentCheckForm(on_file=intake, today=timezone.localdate())
    for name in BLOCK_QUESTIONS:
        answer(page, form, name, "yes" if name == "acute_acne" else "no")
    page.get_by_role("button", name="Check in").click()

    status = page.get_by_role("status").filter(has_text="Postponed:")
    expect(status.first).to_be_visible()
    expect(page.locator(".session-status")).to_contain_text(
        "Postponed: Acne flare-up or acutely inflamed skin"
    )
    session.refresh_from_db()
    assert session.status == Session.Status.POSTPONED
    latest = Intake.objects.filter(client=iris).latest_first().first()
    assert (latest.source, latest.acute_acne) == (Intake.Source.PRE_TREATMENT_CHECK, True)
