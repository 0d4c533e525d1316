from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests.clients.factories import DEMO_PASSWORD, ClientFactory, IntakeFactory
from tests.treatments.factories import EstheticianFactory, SessionFactory


def test_esthetician_logs_in_and_sees_todays_client(
    page: Page, live_server: LiveServer, transactional_db: None
) -> None:
    esthetician = EstheticianFactory(user__username="anna", user__first_name="Anna")
    client = ClientFactory(first_name="Iris", last_name="Moss")
    IntakeFactory(client=client)
    starts_at = dt.datetime.combine(
        timezone.localdate(), dt.time(10), tzinfo=timezone.get_current_timezone()
    )
    SessionFactory(esthetician=esthetician, client=client, starts_at=starts_at)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Today", level=1)).to_be_visible()
    expect(page.get_by_text("Iris Moss")).to_be_visible()
    expect(page.get_by_text("10:00–11:00")).to_be_visible()
