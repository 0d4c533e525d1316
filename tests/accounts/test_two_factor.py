"""Two-factor sign-in: a manager sets up an authenticator app, then signs in with its codes."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client as BrowserClient
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.clients.factories import DEMO_PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False) as now:
        yield now


@pytest.fixture
def maria(db: None) -> User:
    return UserFactory(username="maria", groups=["Manager"])


@pytest.fixture
def anna(db: None) -> User:
    return UserFactory(username="anna", groups=["Esthetician"])


def code_of(device: TOTPDevice, *, later: int = 0) -> str:
    """The code the app shows now (or `later` steps of 30 seconds on)."""
    number = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=later)
    return f"{number:0{device.digits}d}"


def app_of(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def sign_in(browser: BrowserClient, user: User) -> Any:
    return browser.post(reverse("login"), {"username": user.username, "password": DEMO_PASSWORD})


def test_a_manager_sees_a_qr_code_and_the_key_to_set_up_the_app(
    manager_client: BrowserClient,
):
    page = manager_client.get(reverse("two_factor_setup")).content.decode()

    device = TOTPDevice.objects.get(user__username="maria")
    assert device.confirmed is False
    assert '<div class="two-factor__qr" role="img"' in page
    assert "<svg" in page
    assert "<path" in page
    assert "style=" not in page
    shown = page.split("<code>")[1].split("</code>")[0].replace(" ", "")
    assert shown == base64.b32encode(device.bin_key).decode()


def test_the_setup_keeps_the_same_key_until_it_is_confirmed(manager_client: BrowserClient):
    manager_client.get(reverse("two_factor_setup"))
    manager_client.get(reverse("two_factor_setup"))

    assert TOTPDevice.objects.filter(user__username="maria").count() == 1


def test_a_right_code_turns_two_factor_sign_in_on(manager_client: BrowserClient):
    manager_client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user__username="maria")

    response = manager_client.post(reverse("two_factor_setup"), {"code": code_of(device)})

    device.refresh_from_db()
    assert response.status_code == 302
    assert device.confirmed is True
    # The sign-in that set it up counts as confirmed: pages open at once.
    assert manager_client.get(reverse("today")).status_code == 200


def test_a_wrong_code_leaves_it_off_and_says_so(manager_client: BrowserClient):
    manager_client.get(reverse("two_factor_setup"))

    response = manager_client.post(reverse("two_factor_setup"), {"code": "000000"})

    assert "That code is not right." in response.content.decode()
    assert not TOTPDevice.objects.filter(confirmed=True).exists()


def test_estheticians_have_no_two_factor_setup(esthetician_client: BrowserClient):
    assert esthetician_client.get(reverse("two_factor_setup")).status_code == 403


def test_with_an_app_the_password_leads_to_the_code_and_no_further(
    client: BrowserClient, maria: User
):
    app_of(maria)

    response = sign_in(client, maria)
    assert response.status_code == 302
    page = client.get(reverse("today"))

    assert page.status_code == 302
    assert page.url == f"{reverse('two_factor_verify')}?next=%2F"
    assert client.get(reverse("client_list")).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_right_code_opens_the_pages(client: BrowserClient, maria: User):
    device = app_of(maria)
    sign_in(client, maria)

    response = client.post(
        reverse("two_factor_verify"), {"code": code_of(device), "next": reverse("client_list")}
    )

    assert response.status_code == 302
    assert response.url == reverse("client_list")
    assert client.get(reverse("today")).status_code == 200


def test_a_code_from_the_previous_half_minute_still_counts(client: BrowserClient, maria: User):
    device = app_of(maria)
    sign_in(client, maria)

    response = client.post(reverse("two_factor_verify"), {"code": code_of(device, later=-1)})

    assert response.status_code == 302


def test_a_wrong_code_is_refused_with_a_sentence(client: BrowserClient, maria: User):
    app_of(maria)
    sign_in(client, maria)

    response = client.post(reverse("two_factor_verify"), {"code": "123456"})

    assert response.status_code == 200
    assert "That code is not right." in response.content.decode()
    assert client.get(reverse("today")).status_code == 302


def test_after_wrong_codes_even_the_right_one_waits(
    client: BrowserClient, maria: User, clock: time_machine.Traveller
):
    device = app_of(maria)
    sign_in(client, maria)
    for _ in range(3):
        client.post(reverse("two_factor_verify"), {"code": "123456"})

    refused = client.post(reverse("two_factor_verify"), {"code": code_of(device)})
    assert "Too many wrong codes in a row." in refused.content.decode()
    clock.shift(dt.timedelta(seconds=10))
    accepted = client.post(reverse("two_factor_verify"), {"code": code_of(device)})

    assert accepted.status_code == 302


def test_a_code_is_not_accepted_twice(client: BrowserClient, maria: User):
    device = app_of(maria)
    code = code_of(device)
    sign_in(client, maria)
    client.post(reverse("two_factor_verify"), {"code": code})
    client.post(reverse("logout"))
    sign_in(client, maria)

    response = client.post(reverse("two_factor_verify"), {"code": code})

    assert "That code is not right." in response.content.decode()


def test_a_manager_without_an_app_signs_in_with_the_password_alone(
    client: BrowserClient, maria: User
):
    sign_in(client, maria)

    assert client.get(reverse("dashboard")).status_code == 200


def test_when_required_a_manager_without_an_app_sets_it_up_before_any_page(
    client: BrowserClient, maria: User, settings: Any
):
    settings.REQUIRE_MANAGER_2FA = True
    sign_in(client, maria)

    response = client.get(reverse("dashboard"))

    assert response.status_code == 302
    assert response.url == f"{reverse('two_factor_setup')}?next=%2Fdashboard%2F"
    page = client.get(response.url).content.decode()
    assert "The spa asks managers to sign in with a code" in page
    device = TOTPDevice.objects.get(user=maria)
    client.post(reverse("two_factor_setup"), {"code": code_of(device), "next": "/dashboard/"})
    assert client.get(reverse("dashboard")).status_code == 200


def test_when_required_estheticians_still_sign_in_with_the_password(
    client: BrowserClient, anna: User, settings: Any
):
    settings.REQUIRE_MANAGER_2FA = True
    sign_in(client, anna)

    assert client.get(reverse("today")).status_code == 200


def test_a_manager_turns_it_off_with_a_code(manager_client: BrowserClient):
    device = app_of(UserFactory(username="maria"))
    manager_client.post(reverse("two_factor_verify"), {"code": code_of(device)})

    response = manager_client.post(reverse("two_factor_setup"), {"code": code_of(device, later=1)})

    assert response.status_code == 302
    assert not TOTPDevice.objects.exists()


def test_when_required_it_cannot_be_turned_off(client: BrowserClient, maria: User, settings: Any):
    settings.REQUIRE_MANAGER_2FA = True
    device = app_of(maria)
    sign_in(client, maria)
    client.post(reverse("two_factor_verify"), {"code": code_of(device)})

    response = client.post(reverse("two_factor_setup"), {"code": code_of(device, later=1)})

    assert response.status_code == 200
    assert "it stays on" in response.content.decode()
    assert TOTPDevice.objects.filter(user=maria).exists()


def test_the_next_address_after_the_code_stays_on_this_site(client: BrowserClient, maria: User):
    device = app_of(maria)
    sign_in(client, maria)

    response = client.post(
        reverse("two_factor_verify"), {"code": code_of(device), "next": "https://evil.example/"}
    )

    assert response.url == reverse("today")
