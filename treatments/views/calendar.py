"""The calendar: day and week views, and each esthetician's subscription feed."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def calendar(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def calendar_feed_regenerate(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError
