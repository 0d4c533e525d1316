"""The pages a client sees through their intake link (no login)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from clients.forms import CONTACT_FIELDS, IntakeForm
from clients.models import Client, Intake, IntakeLink
from clients.services import IntakeLinkUnusable, intake_submit, token_hash
from spa.throttle import client_ip, limit_link_guesses

# What a phone needs to offer the client's own details and the right keyboard. Only on the
# client's page: at the front desk the browser would offer the staff member's own details.
CLIENT_INPUT_ATTRS = {
    "first_name": {"autocomplete": "given-name"},
    "last_name": {"autocomplete": "family-name"},
    "email": {"autocomplete": "email"},
    "phone": {"autocomplete": "tel", "inputmode": "tel"},
    "date_of_birth": {"autocomplete": "bday"},
    "weeks_pregnant": {"inputmode": "numeric"},
    "signature": {"autocomplete": "name", "autocapitalize": "words"},
}


@require_http_methods(["GET", "POST"])
@never_cache
@limit_link_guesses("intake-link", template="clients/intake_link_throttled.html")
def intake_link(request: HttpRequest, token: str) -> HttpResponse:
    """The health intake, filled in by the client through their single-use link."""
    link = _intake_link_for(token)
    if link is None or link.state(timezone.now()) != "open":
        return _unusable(request, link)
    form = _intake_form(request, client=link.client)
    if form.is_valid():
        try:
            intake_submit(
                client=link.client,
                answers=form.health_answers(),
                contact=form.contact(),
                source=Intake.Source.CLIENT_LINK,
                signature=form.cleaned_data["signature"],
                ip_address=client_ip(request),
                link=link,
            )
        except IntakeLinkUnusable:
            # A double click, the back button or a second tab: the first answers are kept.
            return _unusable(request, link)
        return redirect("intake_thanks")
    first_error = next((field for field in form if field.errors), None)
    return _public(request, "clients/intake_form.html", {"form": form, "first_error": first_error})


@require_GET
def intake_thanks(request: HttpRequest) -> HttpResponse:
    """Where a client lands after sending their answers; it shows none of them."""
    return _public(request, "clients/intake_thanks.html")


def _intake_form(request: HttpRequest, *, client: Client) -> IntakeForm:
    """The intake on the client's own phone: their details filled in, every question blank."""
    form = IntakeForm(
        request.POST if request.method == "POST" else None,
        today=timezone.localdate(),
        client=client,
        initial={name: getattr(client, name) for name in CONTACT_FIELDS},
    )
    for name, attrs in CLIENT_INPUT_ATTRS.items():
        form.fields[name].widget.attrs.update(attrs)
    return form


def _intake_link_for(token: str) -> IntakeLink | None:
    return IntakeLink.objects.select_related("client").filter(token_hash=token_hash(token)).first()


def _unusable(request: HttpRequest, link: IntakeLink | None) -> HttpResponse:
    """A calm page saying why the link no longer works and how to get a new one (410 Gone)."""
    state = "unknown" if link is None else link.state(timezone.now())
    context = {"state": state, "link": link}
    return _public(request, "clients/intake_link_unusable.html", context, status=410)


def _public(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request, template, {**(context or {}), "spa_name": settings.SPA_NAME}, status=status
    )
