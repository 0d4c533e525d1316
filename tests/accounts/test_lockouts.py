"""Wrong passwords: a username is locked out from one address, and a manager can unlock it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as BrowserClient
from django.urls import reverse
from django.utils import timezone

from accounts.lockouts import current_lockouts, lockout_clear
from tests.clients.factories import DEMO_PASSWORD, UserFactory

FRONT_DESK = "192.0.2.10"
BACK_OFFICE = "192.0.2.20"


@pytest.fixture
def anna(db: None) -> User:
    return UserFactory(username="anna", groups=["Esthetician"])


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False) as now:
        yield now


def sign_in(
    browser: BrowserClient, username: str, password: str, *, address: str = FRONT_DESK
) -> object:
    return browser.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def fail(browser: BrowserClient, username: str, times: int, *, address: str = FRONT_DESK) -> object:
    response = None
    for _ in range(times):
        response = sign_in(browser, username, "not-the-password", address=address)
    return response


def test_four_wrong_passwords_only_say_the_password_is_wrong(client: BrowserClient, anna: User):
    response = fail(client, "anna", 4)

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_the_fifth_wrong_password_locks_the_username_with_a_clear_message(
    client: BrowserClient, anna: User
):
    response = fail(client, "anna", 5)

    page = response.content.decode()
    assert response.status_code == 429
    assert "Too many failed sign-ins." in page
    assert "Try again in 30 minutes, or ask a manager to unlock it." in page
    # The typed username stays in its field; the password does not.
    assert 'name="username" value="anna"' in page
    assert "not-the-password" not in page


def test_a_locked_username_is_refused_even_with_the_right_password(
    client: BrowserClient, anna: User
):
    fail(client, "anna", 5)

    response = sign_in(client, "anna", DEMO_PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_holds_one_username_from_one_address(client: BrowserClient, anna: User):
    UserFactory(username="priya")
    fail(client, "anna", 5)

    elsewhere = sign_in(BrowserClient(), "anna", DEMO_PASSWORD, address=BACK_OFFICE)
    colleague = sign_in(BrowserClient(), "priya", DEMO_PASSWORD)

    assert elsewhere.status_code == 302
    assert colleague.status_code == 302


def test_the_lockout_ends_thirty_minutes_after_the_last_wrong_password(
    client: BrowserClient, anna: User, clock: time_machine.Traveller
):
    fail(client, "anna", 5)

    clock.shift(dt.timedelta(minutes=29))
    # A try while locked out is refused, and does not start the thirty minutes again.
    assert sign_in(BrowserClient(), "anna", DEMO_PASSWORD).status_code == 429
    clock.shift(dt.timedelta(minutes=2))
    assert sign_in(BrowserClient(), "anna", DEMO_PASSWORD).status_code == 302


def test_signing_in_forgets_the_wrong_passwords_before(client: BrowserClient, anna: User):
    fail(client, "anna", 4)
    assert sign_in(BrowserClient(), "anna", DEMO_PASSWORD).status_code == 302

    response = fail(client, "anna", 4)

    assert response.status_code == 200


def test_the_admins_login_is_locked_out_too(client: BrowserClient, anna: User):
    for _ in range(5):
        response = client.post(
            reverse("admin:login"),
            {"username": "anna", "password": "not-the-password"},
            REMOTE_ADDR=FRONT_DESK,
        )

    assert response.status_code == 429
    assert sign_in(BrowserClient(), "anna", DEMO_PASSWORD).status_code == 429


def test_current_lockouts_list_each_locked_username_and_address(client: BrowserClient, anna: User):
    fail(client, "anna", 5)
    fail(client, "nobody", 2)

    [lockout] = current_lockouts(now=timezone.now())

    assert (lockout.username, lockout.ip_address, lockout.failures) == ("anna", FRONT_DESK, 5)
    assert lockout.until == lockout.last_attempt + dt.timedelta(minutes=30)


def test_unlocking_needs_both_the_username_and_the_address(db: None):
    with pytest.raises(ValueError, match="both"):
        lockout_clear(username="anna", ip_address="")


def test_a_manager_sees_a_lockout_and_unlocks_it(
    client: BrowserClient, manager_client: BrowserClient, anna: User
):
    fail(client, "anna", 5)

    page = manager_client.get(reverse("lockout_list")).content.decode()
    assert "anna" in page
    assert FRONT_DESK in page
    response = manager_client.post(
        reverse("lockout_clear"), {"username": "anna", "ip_address": FRONT_DESK}, follow=True
    )

    assert "anna can sign in again." in response.content.decode()
    assert current_lockouts(now=timezone.now()) == []
    assert sign_in(BrowserClient(), "anna", DEMO_PASSWORD).status_code == 302


def test_unlocking_one_address_leaves_another_locked(client: BrowserClient, anna: User):
    fail(client, "anna", 5)
    fail(client, "anna", 5, address=BACK_OFFICE)

    lockout_clear(username="anna", ip_address=FRONT_DESK)

    assert sign_in(BrowserClient(), "anna", DEMO_PASSWORD).status_code == 302
    assert sign_in(BrowserClient(), "anna", DEMO_PASSWORD, address=BACK_OFFICE).status_code == 429


def test_estheticians_cannot_see_or_unlock_lockouts(
    esthetician_client: BrowserClient, client: BrowserClient, anna: User
):
    fail(client, "anna", 5)

    assert esthetician_client.get(reverse("lockout_list")).status_code == 403
    response = esthetician_client.post(
        reverse("lockout_clear"), {"username": "anna", "ip_address": FRONT_DESK}
    )

    assert response.status_code == 403
    assert len(current_lockouts(now=timezone.now())) == 1


def test_managers_find_the_lockouts_in_the_menu(manager_client: BrowserClient):
    page = manager_client.get(reverse("today")).content.decode()

    assert f'<a href="{reverse("lockout_list")}">Sign-ins</a>' in page
