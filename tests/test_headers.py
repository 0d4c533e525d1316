"""What responses tell browsers: never store health records; load only from this site."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse

from clients.services import intake_link_create
from tests.clients.factories import ClientFactory, IntakeFactory

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def iris(db: None):
    client = ClientFactory(first_name="Iris")
    IntakeFactory(client=client)
    return client


def policy_of(response) -> dict[str, str]:
    directives = (
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return {name: value for name, value in (d if len(d) == 2 else (d[0], "") for d in directives)}


@pytest.mark.parametrize("page", ["today", "calendar", "client_list", "dashboard"])
def test_staff_pages_are_never_stored(manager_client: BrowserClient, page: str):
    response = manager_client.get(reverse(page))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_a_clients_health_record_is_never_stored(esthetician_client: BrowserClient, iris):
    response = esthetician_client.get(reverse("client_detail", args=[iris.pk]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_clients_intake_form_is_never_stored(client: BrowserClient, iris):
    path = intake_link_create(client=iris, created_by=None, site_url="")

    response = client.get(path)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("page", ["today", "calendar", "client_list", "dashboard", "login"])
def test_every_page_allows_only_our_own_scripts_and_styles(
    manager_client: BrowserClient, page: str
):
    policy = policy_of(manager_client.get(reverse(page)))

    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert "unsafe-inline" not in " ".join(policy.values())


def test_the_clients_intake_form_carries_the_policy_too(client: BrowserClient, iris):
    path = intake_link_create(client=iris, created_by=None, site_url="")

    policy = policy_of(client.get(path))

    assert policy["default-src"] == "'self'"
    assert policy["style-src"] == "'self'"


def test_no_template_has_an_inline_script_style_or_event_handler():
    offences = []
    for template in TEMPLATES.rglob("*.html"):
        if "email" in template.parts:
            continue  # Emails are read in mail programs, which take only inline styles.
        text = template.read_text()
        for pattern in (
            r"\sstyle=",
            r"<style",
            r"<script(?![^>]*\ssrc=)",
            r"\son[a-z]+=",
            r"hx-on",
        ):
            if re.search(pattern, text):
                offences.append(f"{template.relative_to(TEMPLATES)}: {pattern}")

    assert offences == []


def htmx_config(page: str) -> dict[str, object]:
    found = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", page)
    assert found, "no htmx-config meta tag"
    return json.loads(found.group(1))


def test_htmx_is_told_not_to_add_its_own_inline_styles(esthetician_client: BrowserClient):
    page = esthetician_client.get(reverse("today")).content.decode()

    assert htmx_config(page)["includeIndicatorStyles"] is False


def test_htmx_keeps_no_copies_of_pages_for_back_and_forward(esthetician_client: BrowserClient):
    page = esthetician_client.get(reverse("today")).content.decode()

    assert htmx_config(page)["historyCacheSize"] == 0
