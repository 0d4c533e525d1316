"""Print a fresh intake link for a client, to send them by hand (a text message, a chat)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clients.models import Client
from clients.services import intake_link_create


class Command(BaseCommand):
    help = (
        "Print a fresh single-use intake link for the client with this email address. "
        "The client's earlier open links stop working."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="the client's email address (any capitalisation)")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        email = email.strip()
        # An empty address would match every client without one.
        client = Client.objects.with_email(email).first() if email else None
        if client is None:
            raise CommandError(f"No client has the email address {email!r}.")
        self.stdout.write(
            intake_link_create(
                client=client,
                created_by=None,
                site_url=settings.SITE_URL,
                via="Made from the command line (manage.py intake_link)",
            )
        )
