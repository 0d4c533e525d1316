"""Guessing secret addresses: intake links and feeds refuse an address that misses often."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.test import RequestFactory
from django.urls import reverse

from clients.services import intake_link_create
from spa.throttle import client_ip
from tests.clients.factories import ClientFactory
from treatments.models import Esthetician
from treatments.services.visits import calendar_token_regenerate

GUESSER = "198.51.100.7"
NEIGHBOUR = "198.51.100.8"


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC), tick=False) as now:
        yield now


def guess_intake_links(browser: BrowserClient, times: int, *, address: str = GUESSER) -> Any:
    response = None
    for _ in range(times):
        path = reverse("intake_link", args=[secrets.token_urlsafe(32)])
        response = browser.get(path, REMOTE_ADDR=address)
    return response


def guess_feeds(browser: BrowserClient, times: int, *, address: str = GUESSER) -> Any:
    response = None
    for _ in range(times):
        path = reverse("calendar_feed", args=[secrets.token_urlsafe(32)])
        response = browser.get(path, REMOTE_ADDR=address)
    return response


@pytest.fixture
def intake_path(db: None) -> str:
    return intake_link_create(client=ClientFactory(), created_by=None, site_url="")


@pytest.fixture
def feed_path(esthetician: Esthetician) -> str:
    return reverse("calendar_feed", args=[calendar_token_regenerate(esthetician=esthetician)])


def test_twenty_unknown_intake_links_are_each_answered_as_unknown(client: BrowserClient, db: None):
    response = guess_intake_links(client, 20)

    assert response.status_code == 410
    assert "We don't recognise this link" in response.content.decode()


def test_after_twenty_unknown_intake_links_the_address_waits_even_with_a_real_link(
    client: BrowserClient, intake_path: str
):
    guess_intake_links(client, 20)

    response = client.get(intake_path, REMOTE_ADDR=GUESSER)

    wait = int(response["Retry-After"])
    assert response.status_code == 429
    assert 0 < wait <= 600
    assert f"Please try your link again in {-(-wait // 60)} minutes" in response.content.decode()


def test_another_address_still_opens_its_intake_link(client: BrowserClient, intake_path: str):
    guess_intake_links(client, 20)

    response = client.get(intake_path, REMOTE_ADDR=NEIGHBOUR)

    assert response.status_code == 200


def test_opening_a_real_intake_link_again_and_again_is_never_refused(
    client: BrowserClient, intake_path: str
):
    for _ in range(30):
        response = client.get(intake_path, REMOTE_ADDR=GUESSER)

    assert response.status_code == 200


def test_the_address_may_guess_again_ten_minutes_later(
    client: BrowserClient, intake_path: str, clock: time_machine.Traveller
):
    guess_intake_links(client, 20)

    clock.shift(dt.timedelta(minutes=10, seconds=5))

    assert client.get(intake_path, REMOTE_ADDR=GUESSER).status_code == 200


def test_the_limit_is_a_setting(client: BrowserClient, intake_path: str, settings: Any):
    settings.LINK_GUESS_LIMIT = 3
    guess_intake_links(client, 3)

    assert client.get(intake_path, REMOTE_ADDR=GUESSER).status_code == 429


def test_after_twenty_unknown_feeds_the_address_gets_a_plain_refusal(
    client: BrowserClient, feed_path: str
):
    assert guess_feeds(client, 20).status_code == 404

    response = client.get(feed_path, REMOTE_ADDR=GUESSER)

    assert response.status_code == 429
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Please try again in " in response.content.decode()
    assert client.get(feed_path, REMOTE_ADDR=NEIGHBOUR).status_code == 200


def test_feed_and_intake_guesses_are_counted_apart(client: BrowserClient, feed_path: str):
    guess_intake_links(client, 20)

    assert client.get(feed_path, REMOTE_ADDR=GUESSER).status_code == 200


def test_without_https_the_address_is_the_connections_and_forwarded_for_is_ignored(
    settings: Any,
):
    settings.HTTPS = False
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert client_ip(request) == "127.0.0.1"


def test_behind_the_https_proxy_the_address_is_the_one_the_proxy_added_last(settings: Any):
    settings.HTTPS = True
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9"
    )

    assert client_ip(request) == "203.0.113.9"


def test_behind_the_https_proxy_a_request_without_forwarded_for_uses_the_connection(
    settings: Any,
):
    settings.HTTPS = True
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")

    assert client_ip(request) == "127.0.0.1"
