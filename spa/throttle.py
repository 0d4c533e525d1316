"""Who is asking, and how many wrong secret addresses (intake links, feeds) they may try."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]

# Answers that mean "nothing (any more) at this address": a guess that missed.
MISSES = frozenset({404, 410})
WINDOW = "10m"


def client_ip(request: HttpRequest) -> str:
    """The visitor's address; behind the HTTPS proxy, the one the proxy added last."""
    if settings.HTTPS:
        # The proxy appends the address it was reached from; anything left of it the
        # visitor could have written, so only the right-most entry is believed.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        nearest = forwarded.rsplit(",", 1)[-1].strip()
        if nearest:
            return nearest
    return request.META.get("REMOTE_ADDR", "")


def _address(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def _guesses(request: HttpRequest, group: str, *, increment: bool) -> dict[str, Any] | None:
    """This address's misses in the current ten minutes (None when they cannot be counted)."""
    try:
        return get_usage(
            request,
            group=group,
            key=_address,
            rate=f"{settings.LINK_GUESS_LIMIT}/{WINDOW}",
            increment=increment,
        )
    except redis.RedisError:
        # A link that works must keep working while Redis is away; the guesses go uncounted.
        logger.warning("Could not count guesses at %s: the cache is unavailable.", group)
        return None


def limit_link_guesses(group: str, *, template: str | None = None) -> Callable[[View], View]:
    """Refuse (429) an address that asked for LINK_GUESS_LIMIT unknown links in ten minutes.

    Only misses count (the view answered 404 or 410), so a client or a phone using its own
    link is never slowed down; once refused, every link is refused, right ones too, or the
    refusal would tell a guesser when they had found one.
    """

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            usage = _guesses(request, group, increment=False)
            if usage is not None and usage["count"] >= usage["limit"]:
                return _refused(request, template, wait_seconds=usage["time_left"])
            response = view(request, *args, **kwargs)
            if response.status_code in MISSES:
                _guesses(request, group, increment=True)
            return response

        return wrapped

    return decorate


def _refused(request: HttpRequest, template: str | None, *, wait_seconds: int) -> HttpResponse:
    minutes = max(1, -(-wait_seconds // 60))
    if template is None:
        response = HttpResponse(
            "Too many wrong addresses were tried from your network. "
            f"Please try again in {minutes} minute{'' if minutes == 1 else 's'}.\n",
            content_type="text/plain; charset=utf-8",
            status=429,
        )
    else:
        context = {"minutes": minutes, "spa_name": settings.SPA_NAME}
        response = render(request, template, context, status=429)
    response["Retry-After"] = str(max(1, wait_seconds))
    return response
