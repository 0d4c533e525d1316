"""The main pages fit their screen: nothing makes the page scroll sideways on a phone or a
tablet (a wide calendar week scrolls inside its own box, not the page)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

from tests.clients.factories import DEMO_PASSWORD, ClientFactory, IntakeFactory, UserFactory

SCREENS = {"phone": {"width": 390, "height": 844}, "tablet": {"width": 1024, "height": 768}}
WIDER_THAN_THE_SCREEN = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.mark.parametrize("screen", SCREENS)
def test_the_staff_pages_fit_the_screen_with_long_names(
    page: Page, live_server: LiveServer, transactional_db: None, screen: str
) -> None:
    UserFactory(username="maria", first_name="Maria", groups=["Manager", "Esthetician"])
    longest = ClientFactory(
        first_name="Bartholomew",
        last_name="Featherstonehaugh-Montgomery",
        email="bartholomew.featherstonehaugh-montgomery@longer-than-most.example.com",
    )
    IntakeFactory(client=longest)
    page.set_viewport_size(SCREENS[screen])
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    overflowing = {}
    for path in ("/", "/clients/", f"/clients/{longest.pk}/", "/dashboard/", "/calendar/"):
        page.goto(live_server.url + path)
        wider = page.evaluate(WIDER_THAN_THE_SCREEN)
        if wider > 0:
            overflowing[path] = wider

    assert overflowing == {}


@pytest.mark.parametrize("width", [1024, 1440])
def test_a_managers_menu_and_name_share_one_line_on_a_tablet_and_a_desktop(
    page: Page, live_server: LiveServer, transactional_db: None, width: int
) -> None:
    UserFactory(
        username="maria",
        first_name="Maria",
        last_name="Castellanos",
        groups=["Manager"],
        is_staff=True,
    )
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    brand = page.locator(".brand").bounding_box()
    log_out = page.get_by_role("button", name="Log out").bounding_box()

    assert brand is not None
    assert log_out is not None
    assert abs(brand["y"] + brand["height"] / 2 - (log_out["y"] + log_out["height"] / 2)) < 12
