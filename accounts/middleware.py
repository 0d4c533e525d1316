"""How long a sign-in lasts, and pages waiting for its second step (a code, or the app)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.sign_in import LAST_SEEN, RENEW_AFTER_SECONDS, note_seen
from accounts.two_factor import ENROL, SECOND_STEP, VERIFY

# Pages that need no finished sign-in: logging in and out, and what clients and phones open.
OPEN_PAGES = frozenset(
    {"login", "logout", "healthz", "intake_link", "intake_thanks", "calendar_feed"}
)
STEP_PAGES = {VERIFY: "two_factor_verify", ENROL: "two_factor_setup"}


class SecondFactorMiddleware:
    """Until a sign-in has done its second step, every other page sends the user to it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        step = request.session.get(SECOND_STEP) if hasattr(request, "session") else None
        if step not in STEP_PAGES or not request.user.is_authenticated:
            return None
        if request.user.is_verified():
            return None
        page = STEP_PAGES[step]
        if request.resolver_match.view_name in OPEN_PAGES | {page}:
            return None
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(page)}?{query}")


class IdleSignOutMiddleware:
    """A sign-in ends SESSION_COOKIE_AGE after the last page opened (within a few minutes)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and time.time() - request.session.get(LAST_SEEN, 0) >= RENEW_AFTER_SECONDS:
            note_seen(request)
        return response
