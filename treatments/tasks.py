"""Background jobs of the treatments app."""

from __future__ import annotations

from itertools import groupby

from celery import shared_task
from django.conf import settings

from spa.mail import send_templated_email
from treatments.models import Session


@shared_task
def email_needs_attention(*, session_ids: list[int]) -> None:
    """Tell each esthetician which of their booked sessions a new intake now blocks."""
    sessions = (
        Session.objects.filter(
            pk__in=session_ids, needs_attention=True, status=Session.Status.BOOKED
        )
        .select_related("client", "treatment", "esthetician__user")
        .order_by("esthetician", "starts_at")
    )
    for _, group in groupby(sessions, key=lambda session: session.esthetician_id):
        flagged = list(group)
        user = flagged[0].esthetician.user
        if not user.email:
            continue
        send_templated_email(
            to=user.email,
            subject=f"Needs attention: {len(flagged)} booked session(s) now blocked",
            template="treatments/email/needs_attention",
            context={"esthetician": user, "sessions": flagged, "site_url": settings.SITE_URL},
        )
