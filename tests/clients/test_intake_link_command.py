from __future__ import annotations

from io import StringIO
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as BrowserClient
from django.urls import reverse

from clients.models import Client, HealthRecordAccess, IntakeLink
from clients.services import token_hash
from tests.clients.factories import ClientFactory


@pytest.fixture
def iris(db: None, settings: Any) -> Client:
    settings.SITE_URL = "https://spa.example"
    return ClientFactory(first_name="Iris", email="iris@example.com")


def intake_link(*args: str) -> str:
    stdout = StringIO()
    call_command("intake_link", *args, stdout=stdout)
    return stdout.getvalue()


def test_prints_a_link_that_opens_the_form(iris: Client, client: BrowserClient) -> None:
    printed = intake_link("IRIS@Example.com")

    url = printed.removesuffix("\n")
    assert printed == url + "\n", "the link and nothing else"
    assert url.startswith("https://spa.example/intake/")
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert 'value="Iris"' in response.content.decode()


def test_stores_only_the_tokens_hash(iris: Client) -> None:
    token = intake_link("iris@example.com").strip().rstrip("/").rsplit("/", 1)[-1]

    link = IntakeLink.objects.get(client=iris)
    assert link.token_hash == token_hash(token)
    assert token not in link.token_hash
    assert link.created_by is None


def test_a_new_link_replaces_the_clients_open_one(iris: Client, client: BrowserClient) -> None:
    first = urlsplit(intake_link("iris@example.com").strip()).path
    intake_link("iris@example.com")

    assert client.get(first).status_code == 410


@pytest.mark.django_db
def test_unknown_email_is_refused() -> None:
    with pytest.raises(CommandError) as refused:
        intake_link("nobody@example.com")

    assert str(refused.value) == "No client has the email address 'nobody@example.com'."


@pytest.mark.django_db
def test_an_empty_email_matches_no_client() -> None:
    ClientFactory(email="")

    with pytest.raises(CommandError, match="No client has the email address"):
        intake_link("  ")
    assert not IntakeLink.objects.exists()


def test_the_access_log_says_the_link_came_from_the_command_line_not_the_client(
    iris: Client, manager_client: BrowserClient
) -> None:
    intake_link("iris@example.com")

    line = HealthRecordAccess.objects.get(client=iris)
    page = manager_client.get(reverse("client_detail", args=[iris.pk])).content.decode()
    assert line.detail == "Made from the command line (manage.py intake_link)"
    assert line.by_whom == "The spa's system"
    assert "<td>The spa&#x27;s system</td>" in page
    assert "<td>Client</td>" not in page
