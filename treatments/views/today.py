from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from clients.services import health_records_viewed
from spa.access import staff_required
from spa.dates import day_label
from treatments.selectors import sessions_for_day, with_findings


@staff_required
def today(request: HttpRequest) -> HttpResponse:
    """Today's sessions: the logged-in esthetician's own, or everyone's for a manager."""
    day = timezone.localdate()
    # A manager has no esthetician row: the missing one-to-one raises an AttributeError.
    esthetician = getattr(request.user, "esthetician", None)
    sessions = with_findings(sessions_for_day(day=day, esthetician=esthetician), today=day)
    health_records_viewed(
        user=request.user,
        clients=[item.session.client_id for item in sessions],
        seen=f"Today, {day_label(day)}: each session's findings",
    )
    return render(
        request,
        "treatments/today.html",
        {
            "day": day,
            "esthetician": esthetician,
            "sessions": sessions,
        },
    )
