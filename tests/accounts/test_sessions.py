"""A sign-in lasts a working day of inactivity and ends with the browser; passwords are strong."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client as BrowserClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.clients.factories import DEMO_PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC), tick=False) as now:
        yield now


@pytest.fixture
def anna(db: None) -> User:
    return UserFactory(username="anna", groups=["Esthetician"])


@pytest.fixture
def signed_in(anna: User) -> BrowserClient:
    browser = BrowserClient()
    browser.post(reverse("login"), {"username": "anna", "password": DEMO_PASSWORD})
    return browser


def test_the_sign_in_cookie_ends_when_the_browser_closes(anna: User):
    browser = BrowserClient()
    browser.post(reverse("login"), {"username": "anna", "password": DEMO_PASSWORD})

    cookie = browser.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""


def test_ten_hours_without_a_page_end_the_sign_in(
    signed_in: BrowserClient, clock: time_machine.Traveller
):
    clock.shift(dt.timedelta(hours=10, minutes=1))

    response = signed_in.get(reverse("today"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_using_the_site_keeps_the_sign_in_through_a_long_day(
    signed_in: BrowserClient, clock: time_machine.Traveller
):
    for _ in range(3):
        clock.shift(dt.timedelta(hours=6))
        assert signed_in.get(reverse("today")).status_code == 200


def session_writes(browser: BrowserClient) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        browser.get(reverse("today"))
    return [q["sql"] for q in queries.captured_queries if "UPDATE" in q["sql"]]


def test_pages_a_minute_apart_do_not_write_the_session_each_time(
    signed_in: BrowserClient, clock: time_machine.Traveller
):
    clock.shift(dt.timedelta(minutes=1))

    assert session_writes(signed_in) == []


def test_pages_five_minutes_apart_push_the_end_of_the_sign_in_back(
    signed_in: BrowserClient, clock: time_machine.Traveller
):
    clock.shift(dt.timedelta(minutes=5))

    assert len(session_writes(signed_in)) == 1


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("spa-demo", "too short"),
        ("password1234", "too common"),
        ("738291046513", "entirely numeric"),
        ("anna-clarke-1", "too similar"),
    ],
)
def test_weak_passwords_are_refused(password: str, reason: str, db: None):
    user = UserFactory(username="anna.clarke", first_name="Anna", last_name="Clarke")

    with pytest.raises(ValidationError, match=reason):
        validate_password(password, user)


def test_the_demo_password_is_strong_enough(db: None):
    validate_password(DEMO_PASSWORD, UserFactory(username="manager"))
    assert settings.DEMO_PASSWORD == DEMO_PASSWORD
