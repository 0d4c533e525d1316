"""Reads of clients and their intakes that views and services share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from clients.eligibility import Finding, assess
from clients.models import Client, Intake


def latest_intake(client: Client) -> Intake | None:
    """The intake in force for a client: the newest version, or None when there is none."""
    return Intake.objects.filter(client=client).latest_first().first()


def latest_intakes(client_ids: Iterable[int]) -> dict[int, Intake]:
    """The intake in force for each client, by client id, in one query; none, no entry."""
    newest_of_client = (
        Intake.objects.filter(client=OuterRef("client")).latest_first().values("pk")[:1]
    )
    intakes = Intake.objects.filter(client_id__in=list(client_ids), pk=Subquery(newest_of_client))
    return {intake.client_id: intake for intake in intakes}


def client_findings(client: Client, on: date, *, today: date | None = None) -> list[Finding]:
    """The findings for a client's session on the spa-local date `on`; today defaults to now."""
    if today is None:
        today = timezone.localdate(timezone=timezone.get_default_timezone())
    return assess(latest_intake(client), on, today=today)
