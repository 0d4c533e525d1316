"""Single sessions: booking, moving, ending, and the visit itself (check-in, record)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def session_new(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def session_no_show(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def session_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def session_complete(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
