"""Background jobs of the clients app."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from clients.models import Client
from clients.services import INTAKE_LINK_DAYS
from spa.mail import send_templated_email


@shared_task
def send_intake_link(*, client_id: int, url: str) -> None:
    """Email a client their intake link."""
    client = Client.objects.get(pk=client_id)
    send_templated_email(
        to=client.email,
        subject=f"{settings.SPA_NAME}: your health questions before your treatment",
        template="clients/email/intake_link",
        context={
            "client": client,
            "url": url,
            "days": INTAKE_LINK_DAYS,
            "spa_name": settings.SPA_NAME,
        },
    )
