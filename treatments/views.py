from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spa.access import staff_required


@staff_required
def today(request: HttpRequest) -> HttpResponse:
    """Today's sessions for the logged-in esthetician."""
    return render(request, "treatments/today.html", {})
