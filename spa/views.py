"""Views that belong to the whole site rather than one app."""

from __future__ import annotations

import sys
from typing import Any

import redis
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from redis.backoff import NoBackoff
from redis.retry import Retry


def wants_partial(request: HttpRequest) -> bool:
    """True when htmx asks for one region of a page rather than the whole page."""
    htmx = getattr(request, "htmx", None)
    # A boosted link and a back-button restore that missed htmx's cache both need the page.
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render the page, or only its `partial` region (`page.html#partial`) for htmx."""
    if partial is not None and wants_partial(request):
        template = f"{template}#{partial}"
    response = render(request, template, context, status=status)
    # One URL gives two answers: caches must keep the page and the region apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


class CountedPaginator(Paginator):
    """A paginator told how many objects there are, so it asks the database for pages only."""

    def __init__(self, object_list: Any, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


def page_links(request: HttpRequest, page: Page) -> dict[str, str]:
    """The addresses of the previous and next pages: this one's query with another page."""
    links = {}
    for name, has, number in (
        ("previous", page.has_previous, page.previous_page_number),
        ("next", page.has_next, page.next_page_number),
    ):
        if has():
            query = request.GET.copy()
            query["page"] = number()
            links[name] = f"{request.path}?{query.urlencode()}"
    return links


def database_state() -> str:
    """Say whether the database answers a query: "ok" or "unavailable"."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return "unavailable"
    return "ok"


def redis_state(url: str) -> str:
    """Say whether Redis at `url` answers a ping: "ok" or "unavailable"."""
    # A health check must answer quickly even when Redis hangs: one try, a second at most
    # to connect and a second to reply (redis-py otherwise retries with growing waits).
    client = redis.Redis.from_url(
        url, socket_connect_timeout=1, socket_timeout=1, retry=Retry(NoBackoff(), retries=0)
    )
    try:
        client.ping()
    except redis.RedisError:
        return "unavailable"
    finally:
        client.close()
    return "ok"


# Seconds a browser or proxy is told to wait before asking again while the database is down.
RETRY_AFTER = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """The answer to an error no view handled: a calm 503 when the database is down,
    unreachable or too slow, the 500 page for anything else (a bug).

    Errors raised in middleware (the session, the signed-in user, lockouts) reach this handler
    as well as those of views. Both pages render without the request: its context, the
    signed-in user, needs the database."""
    error = sys.exc_info()[1]
    # OperationalError covers a refused or timed-out connection and a cancelled statement;
    # InterfaceError a connection that broke under us.
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return defaults.server_error(request)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Report the state of what the app depends on; 503 when any part is down."""
    checks = {"database": database_state()}
    if settings.REDIS_URL:
        checks["redis"] = redis_state(settings.REDIS_URL)
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )
