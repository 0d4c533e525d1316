"""Where the treatments app answers what the clients app announces: each calls one service."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from clients.models import Intake
from clients.signals import intake_recorded
from treatments.services import messages, sessions_reassess


@receiver(intake_recorded)
def reassess_booked_sessions(sender: type[Intake], intake: Intake, **kwargs: Any) -> None:
    """A new intake version re-assesses the client's booked sessions, and makes any earlier
    "you can book again" news out of date."""
    messages.can_book_again_cancel(intake.client)
    sessions_reassess(client=intake.client)
