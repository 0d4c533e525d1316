"""Reads of clients and their intakes that views and services share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Replace
from django.utils import timezone

from clients.eligibility import Finding, assess, blocks, cautions
from clients.forms import BLOCK_QUESTIONS, CAUTION_QUESTIONS, CONTACT_FIELDS
from clients.models import Client, HealthRecordAccess, Intake
from spa.dates import day_label


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


# Staff pages -----------------------------------------------------------------------------------

CAN_BOOK, CAUTION, BLOCKED, INTAKE_NEEDED = "can_book", "caution", "blocked", "intake_needed"
INTAKE_CODES = ("intake_missing", "intake_expired")
PAST_SESSIONS = 20
ACCESS_LOG_LINES = 50
SEARCH_WORDS = 5
NAME_ORDER = ("last_name", "first_name", "pk")
# The most clients a search shows, and the most the list without a search counts and pages
# through: past these, finding a client means typing more, and a page costs the same with
# 100,000 clients as with 100.
SEARCH_LIMIT = 50
LIST_LIMIT = 1000
# A phone number matches however it was spaced when stored ("07700 900123").
PHONE_DIGITS = Replace(Replace("phone", Value(" ")), Value("-"))


@dataclass(frozen=True)
class Standing:
    """Whether a client can book on a date, in one word and one short label."""

    kind: str  # can_book, caution, blocked or intake_needed
    label: str  # "Can book", "Caution", "Blocked until Fri 4 Dec", "Blocked", "Intake needed"
    findings: list[Finding]

    @property
    def blocks(self) -> list[Finding]:
        """The findings that refuse a booking."""
        return blocks(self.findings)

    @property
    def cautions(self) -> list[Finding]:
        """The findings that need a staff note."""
        return cautions(self.findings)


@dataclass(frozen=True)
class ClientWithStanding:
    """A row of the client list: the client and whether they can book today."""

    client: Client
    standing: Standing


def standing(findings: list[Finding], *, today: date) -> Standing:
    """Sum up a client's findings on a date: the latest `until` of the blocks, when all have one."""
    refusing = blocks(findings)
    if any(finding.code in INTAKE_CODES for finding in refusing):
        return Standing(INTAKE_NEEDED, "Intake needed", findings)
    if refusing and all(finding.until is not None for finding in refusing):
        until = max(finding.until for finding in refusing if finding.until is not None)
        return Standing(BLOCKED, f"Blocked until {day_label(until, today=today)}", findings)
    if refusing:
        return Standing(BLOCKED, "Blocked", findings)
    if findings:
        return Standing(CAUTION, "Caution", findings)
    return Standing(CAN_BOOK, "Can book", findings)


def client_search(query: str) -> QuerySet[Client]:
    """Clients whose names, email or phone hold every word of the query ("Ann Cla")."""
    clients = Client.objects.filter(erased_at__isnull=True).alias(phone_digits=PHONE_DIGITS)
    for word in query.split()[:SEARCH_WORDS]:
        matches = (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__icontains=word)
        )
        digits = re.sub(r"[\s()+.-]", "", word)
        if digits.isdigit():
            matches |= Q(phone_digits__contains=digits)
        clients = clients.filter(matches)
    return clients.order_by(*NAME_ORDER)


class NamePages:
    """Clients in name order, sliced a page at a time: the page's ids come from the name
    index alone (an index-only scan, however far down the list), then only their rows."""

    def __init__(self, clients: QuerySet[Client]) -> None:
        self.clients = clients.order_by(*NAME_ORDER)

    def __getitem__(self, page: slice) -> list[Client]:
        ids = self.clients.values("pk")[page]
        return list(Client.objects.filter(pk__in=ids).order_by(*NAME_ORDER))


@dataclass(frozen=True)
class ClientsFound:
    """The clients the client list shows, in name order, and how many they are."""

    clients: NamePages
    count: int
    # More clients matched than these; then `clients` holds `limit` of them.
    more: bool
    limit: int


def clients_found(query: str) -> ClientsFound:
    """The clients matching the query, or every client without one, each list capped.

    Without a query: the first LIST_LIMIT clients by name. With one: every match when there
    are at most SEARCH_LIMIT, else the SEARCH_LIMIT added most recently, then in name order.
    Matches are found newest first rather than by name: on PostgreSQL the search indexes find
    a few matches at once, and walking the clients newest first stops after SEARCH_LIMIT of a
    common word ("07700"), whereas matches of a surname bunch together in name order, far
    along it.
    """
    if not query.split():
        everyone = Client.objects.filter(erased_at__isnull=True)
        counted = everyone.order_by()[: LIST_LIMIT + 1].count()
        return ClientsFound(
            clients=NamePages(everyone),
            count=min(counted, LIST_LIMIT),
            more=counted > LIST_LIMIT,
            limit=LIST_LIMIT,
        )
    newest = client_search(query).order_by("-pk").values_list("pk", flat=True)
    found = list(newest[: SEARCH_LIMIT + 1])
    return ClientsFound(
        clients=NamePages(Client.objects.filter(pk__in=found[:SEARCH_LIMIT])),
        count=min(len(found), SEARCH_LIMIT),
        more=len(found) > SEARCH_LIMIT,
        limit=SEARCH_LIMIT,
    )


def clients_with_standing(clients: Iterable[Client], *, today: date) -> list[ClientWithStanding]:
    """Each client beside whether they can book today, with one query for all their intakes."""
    clients = list(clients)
    intakes = latest_intakes(client.pk for client in clients)
    return [
        ClientWithStanding(
            client=client,
            standing=standing(assess(intakes.get(client.pk), today, today=today), today=today),
        )
        for client in clients
    ]


def client_standing(
    client: Client, on: date, *, today: date, intakes: Sequence[Intake] | None = None
) -> Standing:
    """Whether a client can book on the spa-local date `on`, with every finding; `intakes`
    are every version of their intake, newest first, when the caller has read them already."""
    intake = latest_intake(client) if intakes is None else next(iter(intakes), None)
    return standing(assess(intake, on, today=today), today=today)


def client_intakes(client: Client) -> QuerySet[Intake]:
    """Every intake version of a client, newest first, with who recorded it."""
    return client.intakes.select_related("recorded_by").latest_first()


def intake_number(intake: Intake) -> int:
    """Which version of the client's intake this is, counting the first as 1."""
    earlier = Q(submitted_at__lt=intake.submitted_at) | Q(
        submitted_at=intake.submitted_at, pk__lt=intake.pk
    )
    return Intake.objects.filter(earlier, client_id=intake.client_id).count() + 1


def previous_intake(intake: Intake) -> Intake | None:
    """The version in force before this one, or None for the first."""
    earlier = Q(submitted_at__lt=intake.submitted_at) | Q(
        submitted_at=intake.submitted_at, pk__lt=intake.pk
    )
    return Intake.objects.filter(earlier, client_id=intake.client_id).latest_first().first()


def intake_initial(client: Client) -> dict[str, Any]:
    """The intake form filled in from the client's details and latest answers, for the desk."""
    initial: dict[str, Any] = {name: getattr(client, name) for name in CONTACT_FIELDS}
    intake = latest_intake(client)
    if intake is None:
        return initial
    for name in (*BLOCK_QUESTIONS, *CAUTION_QUESTIONS):
        if name != "had_injectable":
            initial[name] = "yes" if getattr(intake, name) else "no"
    initial["had_injectable"] = "yes" if intake.last_injectable_on else "no"
    initial["due_date"] = intake.due_date
    initial["last_injectable_on"] = intake.last_injectable_on
    initial["date_of_birth"] = intake.date_of_birth or client.date_of_birth
    return initial


def client_series(client: Client) -> QuerySet[Any]:
    """The client's series, newest first, each with `completed`: its course treatments given
    (the tally the database keeps on each series)."""
    return (
        client.series.select_related("treatment", "esthetician__user")
        .annotate(completed=F("completed_count"))
        .order_by("-starts_on", "-pk")
    )


def client_sessions(client: Client, *, now: datetime) -> tuple[list[Any], list[Any]]:
    """The client's sessions to come (soonest first) and past ones (latest first)."""
    sessions = client.sessions.select_related("treatment", "esthetician__user")
    upcoming = sessions.filter(starts_at__gte=now).order_by("starts_at", "pk")
    past = sessions.filter(starts_at__lt=now).order_by("-starts_at", "-pk")[:PAST_SESSIONS]
    return list(upcoming), list(past)


def client_access_log(client: Client) -> QuerySet[HealthRecordAccess]:
    """The latest lines of who saw or changed the client's health record, newest first."""
    return client.access_log.select_related("user").order_by("-at", "-pk")[:ACCESS_LOG_LINES]
