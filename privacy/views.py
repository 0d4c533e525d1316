"""For managers: everything held about a client (page and JSON file), erasure, retention."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clients.models import Client, HealthRecordAccess
from clients.services import access_record
from privacy.forms import EraseForm
from privacy.selectors import client_record, retention_due
from privacy.services import client_erase
from spa.access import manager_required
from spa.views import page_links
from treatments.models import Session

RETENTION_PER_PAGE = 50
RETENTION_REASON = "No visit for {years} years: the spa's retention period has passed."


@require_GET
@manager_required
def client_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about a client, as a page to read or print (to PDF)."""
    client = get_object_or_404(Client, pk=pk)
    record = client_record(client)
    _log_export(request, client, "a page to read or print")
    return render(request, "privacy/record.html", {"client": client, "record": record})


@require_GET
@manager_required
def client_record_json(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything held about a client, as one JSON file to hand to them."""
    client = get_object_or_404(Client, pk=pk)
    record = client_record(client)
    _log_export(request, client, "a JSON file")
    response = HttpResponse(
        json.dumps(record, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    filename = f"client-{client.pk}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _log_export(request: HttpRequest, client: Client, what: str) -> None:
    access_record(
        client=client,
        user=request.user,
        action=HealthRecordAccess.Action.EXPORTED,
        detail=f"Everything held, as {what}",
    )


@require_http_methods(["GET", "POST"])
@manager_required
def client_erase_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase a client, once the manager has seen what it does and typed their name."""
    client = get_object_or_404(Client, pk=pk)
    if client.erased_at is not None:
        messages.info(request, "This client was erased already.")
        return redirect("client_detail", pk=client.pk)
    initial = {}
    if request.GET.get("reason") == "retention":
        initial["reason"] = RETENTION_REASON.format(years=settings.RETENTION_YEARS)
    form = EraseForm(request.POST or None, client=client, initial=initial)
    if form.is_valid():
        erasure = client_erase(client=client, by=request.user, reason=form.cleaned_data["reason"])
        cancelled = erasure.sessions_cancelled
        messages.success(
            request,
            f"Client erased. {cancelled} booking{'s' if cancelled != 1 else ''} to come "
            "cancelled; the erasure is recorded.",
        )
        return redirect("client_detail", pk=client.pk)
    upcoming = Session.objects.filter(
        client=client, status=Session.Status.BOOKED, starts_at__gt=timezone.now()
    ).select_related("esthetician__user", "treatment")
    context = {"client": client, "form": form, "upcoming": upcoming}
    return render(request, "privacy/erase.html", context)


@require_GET
@manager_required
def retention(request: HttpRequest) -> HttpResponse:
    """Clients with no visit for RETENTION_YEARS, for a manager to erase."""
    years = settings.RETENTION_YEARS
    clients = retention_due(now=timezone.now(), years=years)
    page = Paginator(clients, RETENTION_PER_PAGE).get_page(request.GET.get("page"))
    context = {"years": years, "page": page, "page_links": page_links(request, page)}
    return render(request, "privacy/retention.html", context)
