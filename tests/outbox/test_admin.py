from __future__ import annotations

import datetime as dt
import html

import pytest
from django.test import Client as BrowserClient
from django.urls import reverse

from outbox.models import Message
from outbox.services import email_message_id

pytestmark = pytest.mark.django_db


def test_a_messages_page_shows_the_message_id_to_look_for_in_the_mail_logs(
    admin_client: BrowserClient,
) -> None:
    message = Message.objects.create(
        kind=Message.Kind.REMINDER,
        to="olivia@example.com",
        subject="See you tomorrow",
        body_text="See you soon.",
        due_at=dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC),
    )

    response = admin_client.get(reverse("admin:outbox_message_change", args=[message.pk]))

    assert html.escape(email_message_id(message)) in response.text
    assert 'name="_save"' not in response.text


def test_messages_being_sent_can_be_listed(admin_client: BrowserClient) -> None:
    Message.objects.create(
        kind=Message.Kind.REMINDER,
        to="olivia@example.com",
        subject="See you tomorrow",
        body_text="See you soon.",
        status=Message.Status.SENDING,
        due_at=dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC),
        claimed_at=dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC),
    )

    response = admin_client.get(reverse("admin:outbox_message_changelist"), {"status": "sending"})

    assert [message.status for message in response.context["cl"].result_list] == ["sending"]
    assert "Being sent" in response.text
