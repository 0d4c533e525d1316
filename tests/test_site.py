from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import pytest
from django.db import connection
from django.template import loader
from django.test import Client as BrowserClient
from django.test import RequestFactory
from django.urls import reverse

from spa.views import server_error
from tests.clients.factories import DEMO_PASSWORD, UserFactory
from tests.markers import requires_postgresql
from treatments.models import Esthetician


@pytest.mark.django_db
def test_login_page_shows_labelled_fields(client: BrowserClient) -> None:
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert b'<label for="id_username">Username</label>' in response.content
    assert b'<label for="id_password">Password</label>' in response.content


@pytest.mark.django_db
def test_good_login_goes_to_today(client: BrowserClient, esthetician: Esthetician) -> None:
    response = client.post(reverse("login"), {"username": "anna", "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert response.url == reverse("today")


@pytest.mark.django_db
def test_bad_login_says_why_in_a_sentence(client: BrowserClient, esthetician: Esthetician) -> None:
    response = client.post(reverse("login"), {"username": "anna", "password": "wrong"})

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()


def test_logout_is_a_post(esthetician_client: BrowserClient) -> None:
    response = esthetician_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert esthetician_client.get(reverse("today")).status_code == 302


def test_pages_offer_a_logout_form(esthetician_client: BrowserClient) -> None:
    page = esthetician_client.get(reverse("today")).content.decode()

    assert f'<form method="post" action="{reverse("logout")}">' in page
    assert "csrfmiddlewaretoken" in page


def test_pages_load_htmx_from_our_own_static_files(esthetician_client: BrowserClient) -> None:
    page = esthetician_client.get(reverse("today")).content.decode()

    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in page
    assert '<body hx-headers=\'{"x-csrftoken": "' in page
    assert '<a class="skip-link" href="#main">' in page


def test_admin_link_is_shown_only_to_those_the_admin_admits(
    esthetician_client: BrowserClient, client: BrowserClient
) -> None:
    client.force_login(UserFactory(username="boss", groups=["Manager"], is_staff=True))

    assert reverse("admin:index") in client.get(reverse("today")).content.decode()
    assert reverse("admin:index") not in esthetician_client.get(reverse("today")).content.decode()


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client: BrowserClient) -> None:
    response = client.get(reverse("today"))

    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/"


@pytest.mark.django_db
def test_someone_outside_the_staff_groups_is_refused(client: BrowserClient) -> None:
    client.force_login(UserFactory(username="visitor"))

    response = client.get(reverse("today"))

    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is not open to you" in page
    assert "This page is for the spa" in page


@pytest.mark.django_db
def test_unknown_address_gives_the_calm_404(client: BrowserClient) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_500_page_renders_without_a_request() -> None:
    page = loader.get_template("500.html").render()

    assert "Something went wrong on our side" in page


@pytest.mark.django_db
def test_healthz_reports_the_database_alone_without_redis(
    client: BrowserClient, settings: Any
) -> None:
    settings.REDIS_URL = ""

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def redis_answers_locally() -> bool:
    """True when something listens on 127.0.0.1:6379, the machine's Redis."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.mark.django_db
def test_healthz_reports_redis_when_it_answers(client: BrowserClient, settings: Any) -> None:
    if not redis_answers_locally():
        pytest.skip("needs Redis on 127.0.0.1:6379 (CI has it)")
    settings.REDIS_URL = "redis://127.0.0.1:6379/15"

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_redis(client: BrowserClient, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "redis": "unavailable"}


@contextmanager
def unreachable_database() -> Iterator[None]:
    """Point the default connection, for real, at a database that cannot be reached."""
    original = dict(connection.settings_dict)
    kept = None
    if connection.vendor == "sqlite":
        # Closing SQLite's in-memory test database would destroy it, so Django ignores the
        # close; set the open connection aside instead and give it back afterwards.
        kept, connection.connection = connection.connection, None
        connection.settings_dict["NAME"] = "/nonexistent/dir/db.sqlite3"
    else:
        connection.close()
        connection.settings_dict["PORT"] = "1"
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
        if kept is not None:
            connection.connection = kept


@pytest.mark.django_db(transaction=True)
def test_healthz_reports_an_unreachable_database(client: BrowserClient, settings: Any) -> None:
    settings.REDIS_URL = ""

    with unreachable_database():
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
    assert client.get(reverse("healthz")).status_code == 200


@contextmanager
def silent_database(hold_seconds: float = 20) -> Iterator[None]:
    """Point the default connection at a server that accepts connections and never answers.

    Each connection is dropped after `hold_seconds`, so that a missing time limit fails the
    test rather than hanging it.
    """
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def accept_and_say_nothing() -> None:
        dropped_at: dict[socket.socket, float] = {}
        while not stop.is_set():
            with suppress(TimeoutError):
                dropped_at[listener.accept()[0]] = time.monotonic() + hold_seconds
            for held in [held for held, when in dropped_at.items() if when < time.monotonic()]:
                held.close()
                del dropped_at[held]
        for held in dropped_at:
            held.close()

    server = threading.Thread(target=accept_and_say_nothing, daemon=True)
    server.start()
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(listener.getsockname()[1]))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
        stop.set()
        server.join(timeout=5)
        listener.close()


@requires_postgresql
@pytest.mark.django_db(transaction=True)
def test_healthz_answers_within_seconds_when_the_database_never_answers(
    client: BrowserClient, settings: Any
) -> None:
    settings.REDIS_URL = ""
    started = time.monotonic()

    with silent_database():
        response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
    assert time.monotonic() - started < settings.DATABASE_CONNECT_TIMEOUT + 3
    assert client.get(reverse("healthz")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_page_answers_a_calm_503_when_the_database_is_down(
    esthetician_client: BrowserClient,
) -> None:
    # As in production: the error is answered, not raised into the test.
    esthetician_client.raise_request_exception = False
    with unreachable_database():
        response = esthetician_client.get(reverse("today"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "The planner is resting for a moment" in page
    assert "Traceback" not in page
    assert "OperationalError" not in page
    assert esthetician_client.get(reverse("today")).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_form_sent_while_the_database_is_down_gets_the_503_too(
    esthetician_client: BrowserClient,
) -> None:
    esthetician_client.raise_request_exception = False
    with unreachable_database():
        response = esthetician_client.post(reverse("client_create"), {"first_name": "Olivia"})

    assert response.status_code == 503
    assert "check that it was saved" in response.content.decode()


def test_503_page_renders_without_a_request() -> None:
    page = loader.get_template("503.html").render()

    assert "The planner is resting for a moment" in page


def test_errors_other_than_the_databases_are_left_to_the_500_page() -> None:
    request = RequestFactory().get("/")
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(request)

    assert response.status_code == 500
    assert "Retry-After" not in response
