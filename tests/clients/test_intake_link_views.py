from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client as BrowserClient
from django.test.html import Element, parse_html
from django.urls import reverse
from django.utils.html import escape

from clients.models import Client, HealthRecordAccess, Intake, IntakeLink
from clients.services import intake_link_create, token_hash
from tests.clients.factories import ClientFactory
from tests.clients.test_forms import intake_answers

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def spa_name(settings: Any) -> None:
    settings.SPA_NAME = "Willow Spa"


@pytest.fixture(autouse=True)
def fixed_clock() -> Iterator[time_machine.Coordinates]:
    """Tue 1 Dec 2026, 10:00 at the spa, for every test here."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def iris(db: None) -> Client:
    return ClientFactory(
        first_name="Iris",
        last_name="Moss",
        email="iris@example.com",
        phone="07700 900123",
        date_of_birth=dt.date(1985, 6, 15),
    )


@pytest.fixture
def link_path(iris: Client) -> str:
    """The path of a fresh intake link for Iris (the site address left out)."""
    return intake_link_create(client=iris, created_by=None, site_url="")


def element_with_id(html: str, element_id: str) -> Element:
    """The element of the page with this id, to check what sits inside it."""
    pending: list[Element | str] = [parse_html(html)]
    while pending:
        element = pending.pop()
        if isinstance(element, str):
            continue
        if ("id", element_id) in element.attributes:
            return element
        pending.extend(element.children)
    raise AssertionError(f"No element with id {element_id!r} on the page.")


def test_open_link_shows_the_form_with_contact_details_prefilled(
    client: BrowserClient, link_path: str
) -> None:
    response = client.get(link_path)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your health questions" in page
    for value in ("Iris", "Moss", "iris@example.com", "07700 900123", "1985-06-15"):
        assert f'value="{value}"' in page
    assert "checked" not in page, "the health questions start unanswered"
    assert "csrfmiddlewaretoken" in page
    assert "Send my answers" in page


def test_form_offers_the_phone_its_autofill_and_keyboards(
    client: BrowserClient, link_path: str
) -> None:
    page = client.get(link_path).content.decode()

    assert 'autocomplete="given-name"' in page
    assert 'autocomplete="family-name"' in page
    assert 'autocomplete="email"' in page
    assert 'inputmode="tel"' in page
    assert 'autocomplete="bday"' in page
    assert 'inputmode="numeric"' in page


def test_every_yes_no_question_is_a_fieldset_with_a_legend(
    client: BrowserClient, link_path: str
) -> None:
    page = client.get(link_path).content.decode()

    assert page.count("<fieldset") == page.count("<legend>") == 9
    assert "<legend>Are you pregnant?</legend>" in page


def test_valid_answers_store_one_intake_and_use_up_the_link(
    client: BrowserClient, iris: Client, link_path: str
) -> None:
    response = client.post(
        link_path,
        intake_answers(had_injectable="yes", last_injectable_on="2026-11-26"),
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 302
    assert response.url == reverse("intake_thanks")
    intake = Intake.objects.get()
    assert intake.client == iris
    assert intake.source == Intake.Source.CLIENT_LINK
    assert intake.recorded_by is None
    assert intake.signature == "Iris Moss"
    assert intake.ip_address == "203.0.113.7"
    assert intake.last_injectable_on == dt.date(2026, 11, 26)
    link = IntakeLink.objects.get()
    assert link.used_at == NOW
    assert link.intake == intake


def test_second_post_of_the_same_link_stores_nothing_more(
    client: BrowserClient, link_path: str
) -> None:
    client.post(link_path, intake_answers())

    response = client.post(link_path, intake_answers(epilepsy="yes"))

    assert response.status_code == 410
    assert "You've already answered these questions on Tue 1 Dec. Thank you!" in (
        response.content.decode()
    )
    assert Intake.objects.get().epilepsy is False


def test_a_submission_racing_another_stores_nothing_more(
    client: BrowserClient, link_path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two tabs: the second loaded the link while it was still open, and sends second."""
    stale_link = IntakeLink.objects.get()
    client.post(link_path, intake_answers())
    monkeypatch.setattr("clients.views.intake_link._intake_link_for", lambda token: stale_link)

    response = client.post(link_path, intake_answers(epilepsy="yes"))

    assert response.status_code == 410
    assert "You've already answered these questions on Tue 1 Dec." in response.content.decode()
    assert Intake.objects.count() == 1


def test_used_link_says_so_when_opened_again(client: BrowserClient, link_path: str) -> None:
    client.post(link_path, intake_answers())

    response = client.get(link_path)

    assert response.status_code == 410
    page = response.content.decode()
    assert "You've already answered these questions on Tue 1 Dec. Thank you!" in page
    assert "ask Willow Spa to send you a new link" in page


def test_expired_link_says_when_it_expired_and_stores_nothing(
    client: BrowserClient, iris: Client
) -> None:
    IntakeLink.objects.create(
        client=iris,
        token_hash=token_hash("an-old-token"),
        created_at=NOW - dt.timedelta(days=8),
        expires_at=NOW - dt.timedelta(days=1),
    )
    path = reverse("intake_link", args=["an-old-token"])

    shown = client.get(path)
    sent = client.post(path, intake_answers())

    assert shown.status_code == sent.status_code == 410
    assert "This link expired on Mon 30 Nov." in shown.content.decode()
    assert "send you a new link" in shown.content.decode()
    assert not Intake.objects.exists()


@pytest.mark.django_db
def test_unknown_link_gets_the_calm_page_not_a_404(client: BrowserClient) -> None:
    response = client.get(reverse("intake_link", args=["not-a-real-token"]))

    assert response.status_code == 410
    page = response.content.decode()
    assert "We don't recognise this link" in page
    assert "ask Willow Spa to send you a new link" in page
    assert "We could not find that page" not in page


def test_refused_answers_keep_everything_typed(client: BrowserClient, link_path: str) -> None:
    typed = intake_answers(
        first_name="Irene", pregnant="yes", due_date="2031-01-01", signature="Irene Moss"
    )

    response = client.post(link_path, typed)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Irene"' in page
    assert 'value="Irene Moss"' in page
    assert 'value="2031-01-01"' in page
    assert "checked" in str(element_with_id(page, "id_pregnant_0"))
    assert "checked" not in str(element_with_id(page, "id_pregnant_1"))
    assert "checked" in str(element_with_id(page, "id_consent"))
    assert not Intake.objects.exists()


def test_refused_answer_is_explained_next_to_its_field(
    client: BrowserClient, link_path: str
) -> None:
    response = client.post(link_path, intake_answers(pregnant="yes", due_date="2031-01-01"))

    due_date_field = str(element_with_id(response.content.decode(), "id_due_date_field"))
    assert escape("A due date can't be more than 42 weeks away: please check it.") in due_date_field
    assert 'aria-describedby="id_due_date_error"' in due_date_field


def test_refused_form_has_a_summary_linking_to_the_first_error(
    client: BrowserClient, link_path: str
) -> None:
    response = client.post(link_path, intake_answers(acute_acne=None, signature=""))

    summary = str(element_with_id(response.content.decode(), "error-summary-title"))
    assert "2 answers need another look" in summary
    assert 'href="#id_acute_acne_field"' in response.content.decode()


def test_unanswered_question_says_so_in_its_fieldset(client: BrowserClient, link_path: str) -> None:
    response = client.post(link_path, intake_answers(heart_condition=None))

    fieldset = str(element_with_id(response.content.decode(), "id_heart_condition_field"))
    assert "Please answer Yes or No." in fieldset


def test_contact_details_the_client_edits_update_the_client(
    client: BrowserClient, iris: Client, link_path: str
) -> None:
    client.post(link_path, intake_answers(email="iris.moss@example.com", phone="07700 900999"))

    iris.refresh_from_db()
    assert iris.email == "iris.moss@example.com"
    assert iris.phone == "07700 900999"
    assert HealthRecordAccess.objects.filter(
        client=iris, action=HealthRecordAccess.Action.CONTACT_CHANGED
    ).exists()


def test_the_form_needs_its_csrf_token(link_path: str) -> None:
    browser = BrowserClient(enforce_csrf_checks=True)

    response = browser.post(link_path, intake_answers())

    assert response.status_code == 403
    assert not Intake.objects.exists()


def test_thanks_page_is_warm_and_shows_no_client_data(
    client: BrowserClient, iris: Client, link_path: str
) -> None:
    response = client.post(link_path, intake_answers(), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Thank you" in page
    assert "before your treatment" in page
    for detail in ("Iris", "Moss", "iris@example.com", "07700 900123"):
        assert detail not in page


@pytest.mark.parametrize(
    "page_name", ["form", "refused form", "thanks", "used link", "unknown link"]
)
def test_public_pages_show_nothing_of_the_staff_side(
    client: BrowserClient, link_path: str, page_name: str
) -> None:
    if page_name == "form":
        response = client.get(link_path)
    elif page_name == "refused form":
        response = client.post(link_path, intake_answers(signature=""))
    elif page_name == "thanks":
        response = client.post(link_path, intake_answers(), follow=True)
    elif page_name == "used link":
        client.post(link_path, intake_answers())
        response = client.get(link_path)
    else:
        response = client.get(reverse("intake_link", args=["unknown"]))
    page = response.content.decode()

    assert "/clients/" not in page
    assert "site-nav" not in page
    assert "Log out" not in page
    assert 'href="/"' not in page
    assert "Willow Spa" in page
