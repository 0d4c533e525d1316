"""Staff pages for clients: the list, a client's page, details and the front-desk intake."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clients import history, services
from clients.forms import EMAIL_TAKEN, ClientForm, IntakeForm
from clients.models import Client, Intake
from clients.selectors import (
    client_access_log,
    client_intakes,
    client_series,
    client_sessions,
    client_standing,
    clients_found,
    clients_with_standing,
    intake_initial,
    intake_number,
    previous_intake,
)
from spa.access import is_manager, staff_required
from spa.dates import day_label, moment_label
from spa.redirects import next_page
from spa.views import CountedPaginator, page_links, render_page, wants_partial

CLIENTS_PER_PAGE = 25
SENT_LINK = "sent_intake_link"


@require_http_methods(["GET"])
@staff_required
def client_list(request: HttpRequest) -> HttpResponse:
    """Every client, searchable, 25 a page, each saying whether they can book today; past a
    limit, the page says how many it shows and asks for more of the name."""
    query = request.GET.get("q", "").strip()[:100]
    found = clients_found(query)
    paginator = CountedPaginator(found.clients, CLIENTS_PER_PAGE, count=found.count)
    page = paginator.get_page(request.GET.get("page"))
    rows = clients_with_standing(page, today=timezone.localdate())
    services.health_records_viewed(
        user=request.user,
        clients=[row.client for row in rows],
        seen="Client list: whether each can book today",
    )
    context = {
        "query": query,
        "found": found,
        "page": page,
        "rows": rows,
        "page_links": page_links(request, page),
    }
    return render_page(request, "clients/client_list.html", context, partial="results")


@require_http_methods(["GET", "POST"])
@staff_required
def client_create(request: HttpRequest) -> HttpResponse:
    """Add a client."""
    form = ClientForm(request.POST or None)
    if form.is_valid():
        try:
            client = services.client_create(fields=form.cleaned_data, created_by=request.user)
        except IntegrityError:  # Another desk added the same email a moment ago.
            form.add_error("email", EMAIL_TAKEN)
        else:
            messages.success(request, f"{client.full_name} added.")
            return redirect("client_detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": None})


@require_http_methods(["GET"])
@staff_required
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's page: can they book (today or another date), history, series and sessions."""
    client = get_object_or_404(Client, pk=pk)
    today = timezone.localdate()
    on, date_error = _chosen_date(request.GET.get("on", ""), today=today)
    # The full page lists every intake version: the latest of them is the one assessed.
    intakes = None if wants_partial(request) else list(client_intakes(client))
    context: dict[str, Any] = {
        "client": client,
        "today": today,
        "on": on,
        "date_error": date_error,
        "standing": client_standing(client, on, today=today, intakes=intakes),
    }
    seen = f"Client page: findings on {day_label(on, today=today)}"
    if intakes is not None:
        seen += ", intake history, sessions and treatment records"
        context |= _client_page(request, client, intakes)
    services.health_records_viewed(user=request.user, clients=[client], seen=seen)
    return render_page(request, "clients/client_detail.html", context, partial="banner")


@require_http_methods(["GET", "POST"])
@staff_required
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a client's contact details and notes."""
    client = get_object_or_404(Client, pk=pk, erased_at__isnull=True)
    # The form writes onto its instance; the service must compare against the stored values.
    form = ClientForm(request.POST or None, instance=copy.copy(client))
    if form.is_valid():
        try:
            services.client_update(client=client, fields=form.cleaned_data, by=request.user)
        except IntegrityError:
            form.add_error("email", EMAIL_TAKEN)
        else:
            messages.success(request, "Details saved.")
            return redirect("client_detail", pk=client.pk)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@require_http_methods(["GET", "POST"])
@staff_required
def client_intake_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a new intake version at the front desk, starting from the latest answers."""
    client = get_object_or_404(Client, pk=pk, erased_at__isnull=True)
    form = IntakeForm(
        request.POST or None,
        today=timezone.localdate(),
        client=client,
        initial=intake_initial(client),
    )
    if not form.is_bound:
        services.health_records_viewed(
            user=request.user,
            clients=[client],
            seen="Intake form at the desk, filled in with the answers on file",
        )
    if form.is_valid():
        services.intake_submit(
            client=client,
            answers=form.health_answers(),
            contact=form.contact(),
            source=Intake.Source.STAFF,
            recorded_by=request.user,
            signature=form.cleaned_data["signature"],
        )
        messages.success(request, "New intake recorded.")
        return redirect("client_detail", pk=client.pk)
    return render(request, "clients/intake_new.html", {"form": form, "client": client})


@require_http_methods(["POST"])
@staff_required
def client_intake_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the client a fresh intake link; the client page then shows it for copying, or, when
    sent from another page (`next`: Today, say), that page says it is on its way."""
    client = get_object_or_404(Client, pk=pk, erased_at__isnull=True)
    url = services.intake_link_send(
        client=client, created_by=request.user, site_url=settings.SITE_URL
    )
    back = next_page(request)
    # Without an email the link reaches the client only if staff copy it from the client page.
    if back and client.email:
        messages.success(
            request, f"A new intake link is on its way to {client.full_name} ({client.email})."
        )
        return redirect(back)
    # Shown once on the next page, from the server-side session, then forgotten.
    request.session[SENT_LINK] = {"client": client.pk, "url": url, "email": client.email}
    return redirect("client_detail", pk=client.pk)


@require_http_methods(["GET"])
@staff_required
def intake_detail(request: HttpRequest, pk: int, intake_pk: int) -> HttpResponse:
    """Every answer of one intake version, who recorded it and how it was signed."""
    intake = get_object_or_404(
        Intake.objects.select_related("client", "recorded_by"), pk=intake_pk, client_id=pk
    )
    number = intake_number(intake)
    previous = previous_intake(intake)
    services.health_records_viewed(
        user=request.user,
        clients=[intake.client],
        seen=f"Intake version {number} of {moment_label(intake.submitted_at)}",
    )
    context = {
        "client": intake.client,
        "intake": intake,
        "version": history.IntakeVersion(
            intake=intake,
            number=number,
            changes=history.changes(previous, intake) if previous else None,
        ),
        "answers": history.answers(intake),
    }
    return render(request, "clients/intake_detail.html", context)


def _chosen_date(value: str, *, today: dt.date) -> tuple[dt.date, str]:
    """The date asked for in `?on=`, or today with a sentence saying what was wrong."""
    if not value.strip():
        return today, ""
    try:
        return dt.date.fromisoformat(value.strip()), ""
    except ValueError:
        return today, (
            f"“{value[:20]}” is not a date the spa can check. Pick a day from the calendar; "
            "showing today instead."
        )


def _client_page(request: HttpRequest, client: Client, intakes: list[Intake]) -> dict[str, Any]:
    """What the full client page shows beyond the banner."""
    upcoming, past = client_sessions(client, now=timezone.now())
    sent = request.session.pop(SENT_LINK, None)
    manager = is_manager(request.user)
    return {
        "versions": history.versions(intakes),
        "series": client_series(client),
        "upcoming": upcoming,
        "past": past,
        "sent_link": sent if sent and sent["client"] == client.pk else None,
        "access_log": client_access_log(client) if manager else None,
    }
