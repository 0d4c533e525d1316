"""Planning a series with a live preview, and following it to the end."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def series_new(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def series_client_search(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def series_home_care(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
