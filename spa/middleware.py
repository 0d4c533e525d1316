"""Middleware for the whole site."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

# Seconds a browser or proxy is told to wait before asking again.
RETRY_AFTER = 30


class DatabaseUnavailableMiddleware:
    """A page whose database is down, unreachable or too slow answers a calm 503, not a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Answer 503 for a database that cannot be reached or answered in time."""
        # OperationalError covers a refused or timed-out connection and a cancelled statement;
        # InterfaceError a connection that broke under us. Other errors are bugs: a 500.
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("The database is unavailable: %s", exception, exc_info=exception)
        # Rendered without the request: its context (the signed-in user) needs the database.
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response


class NoStoreMiddleware:
    """Pages for signed-in staff carry health records: no browser or proxy may keep them.

    With `no-store`, the back button after logging out on a shared computer shows nothing.
    The client's own intake pages say the same through their views (`never_cache`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
