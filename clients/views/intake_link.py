"""The pages a client sees through their intake link (no login)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def intake_link(request: HttpRequest, token: str) -> HttpResponse:
    raise NotImplementedError


def intake_thanks(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
