from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from spa.access import staff_required
from treatments.selectors import sessions_for_day, with_findings


@staff_required
def today(request: HttpRequest) -> HttpResponse:
    """Today's sessions: the logged-in esthetician's own, or everyone's for a manager."""
    day = timezone.localdate()
    # A manager has no esthetician row: the missing one-to-one raises an AttributeError.
    esthetician = getattr(request.user, "esthetician", None)
    sessions = sessions_for_day(day=day, esthetician=esthetician)
    return render(
        request,
        "treatments/today.html",
        {
            "day": day,
            "esthetician": esthetician,
            "sessions": with_findings(sessions, today=day),
        },
    )
