"""Staff pages for clients: the list, a client's page, details and the front-desk intake."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def client_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def client_create(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def client_intake_new(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def client_intake_link(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def intake_detail(request: HttpRequest, pk: int, intake_pk: int) -> HttpResponse:
    raise NotImplementedError
