"""Re-assessing booked sessions when a client's health answers change."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from clients.eligibility import assess_at
from clients.models import Client
from clients.selectors import latest_intake
from treatments.models import (
    Session,
)


@transaction.atomic
def sessions_reassess(*, client: Client) -> list[Session]:
    """Check the client's booked sessions to come against their latest intake.

    Sessions it now blocks are flagged "needs attention" with the reason (never cancelled or
    kept silently); flags it no longer supports are cleared. The assigned estheticians are
    emailed about newly flagged sessions. Returns those sessions.
    """
    from treatments.tasks import email_needs_attention

    intake = latest_intake(client)
    now = timezone.now()
    today = timezone.localdate(now)
    newly_flagged, changed = [], []
    upcoming = Session.objects.filter(client=client, status=Session.Status.BOOKED, ends_at__gt=now)
    for session in upcoming.select_for_update():
        reason = " ".join(
            finding.message
            for finding in assess_at(intake, session.starts_at, today=today)
            if finding.is_block
        )
        if bool(reason) != session.needs_attention or reason != session.attention_reason:
            if reason and not session.needs_attention:
                newly_flagged.append(session)
            session.needs_attention, session.attention_reason = bool(reason), reason
            changed.append(session)
    Session.objects.bulk_update(changed, ["needs_attention", "attention_reason"])
    if newly_flagged:
        ids = [session.pk for session in newly_flagged]
        transaction.on_commit(lambda: email_needs_attention.delay(session_ids=ids))
    return newly_flagged
