"""Background jobs of the clients app."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from clients.models import Client
from clients.services import INTAKE_LINK_DAYS


@shared_task
def send_intake_link(*, client_id: int, url: str) -> None:
    """Email a client their intake link."""
    client = Client.objects.get(pk=client_id)
    context = {
        "client": client,
        "url": url,
        "days": INTAKE_LINK_DAYS,
        "spa_name": settings.SPA_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"{settings.SPA_NAME}: your health questions before your treatment",
        body=render_to_string("clients/email/intake_link.txt", context),
        to=[client.email],
    )
    message.attach_alternative(
        render_to_string("clients/email/intake_link.html", context), "text/html"
    )
    message.send()
