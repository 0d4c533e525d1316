"""The floor: the least a signed-in page can cost here (a session and a user, a tiny template).

Every page is timed against it in the same run, so a figure reads "5× what Django itself
needs", whatever the machine's speed and load at that moment."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

FLOOR_PATH = "bench/floor/"


@login_required
def floor(request: HttpRequest) -> HttpResponse:
    """A signed-in page with nothing on it: two queries (the session, the user)."""
    return render(request, "bench/floor.html", {"user": request.user})
