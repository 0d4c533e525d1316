"""Writes to clients and their health record: intake links, intake versions, the access log."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, HealthRecordAccess, Intake, IntakeLink
from clients.signals import intake_recorded
from outbox.models import Message
from outbox.services import message_queue

INTAKE_LINK_DAYS = 7


class IntakeLinkUnusable(Exception):
    """The link was used already or has expired; `state` says which."""

    def __init__(self, state: str) -> None:
        self.state = state
        super().__init__(f"This intake link is {state}.")


def token_hash(token: str) -> str:
    """The stored form of an intake link's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def intake_link_path(token: str) -> str:
    return reverse("intake_link", args=[token])


def access_record(
    *, client: Client, user: AbstractBaseUser | None, action: str, detail: str = ""
) -> HealthRecordAccess:
    """Write one line of the client's health record access log."""
    return HealthRecordAccess.objects.create(
        client=client,
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        detail=detail[:300],
    )


def health_records_viewed(
    *, user: AbstractBaseUser | None, clients: Iterable[Client | int], seen: str
) -> None:
    """Log that `user` saw these clients' health data on one page: a line each, one INSERT.

    `seen` says what was on the page ("Client page: findings on Tue 8 Dec").
    """
    health_records_viewed_each(user=user, seen={client: seen for client in clients})


def health_records_viewed_each(
    *, user: AbstractBaseUser | None, seen: Mapping[Client | int, str]
) -> None:
    """Log that `user` saw these clients' health data on one page, each with what was shown of
    them ("Today, Tue 1 Dec: each session's findings"): a line each, one INSERT."""
    details = {getattr(client, "pk", client): detail for client, detail in seen.items()}
    if not details:
        return
    viewer = user if user is not None and user.is_authenticated else None
    HealthRecordAccess.objects.bulk_create(
        HealthRecordAccess(
            client_id=client_id,
            user=viewer,
            action=HealthRecordAccess.Action.VIEWED,
            detail=details[client_id][:300],
        )
        for client_id in sorted(details)
    )


@transaction.atomic
def intake_link_create(
    *, client: Client, created_by: AbstractBaseUser | None, site_url: str, via: str = ""
) -> str:
    """Make a fresh single-use intake link for the client and return its full address.

    The token carries 256 random bits; only its hash is stored. Earlier open links of the
    client stop working, so only the newest link sent is ever valid. `via` says how a link no
    member of staff made was made, for the access log.
    """
    now = timezone.now()
    IntakeLink.objects.filter(client=client, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    IntakeLink.objects.create(
        client=client,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=INTAKE_LINK_DAYS),
        created_by=created_by,
    )
    access_record(
        client=client, user=created_by, action=HealthRecordAccess.Action.LINK_SENT, detail=via
    )
    return site_url.rstrip("/") + intake_link_path(token)


@transaction.atomic
def intake_link_send(*, client: Client, created_by: AbstractBaseUser | None, site_url: str) -> str:
    """Make a fresh intake link and write the email that takes it to the client."""
    url = intake_link_create(client=client, created_by=created_by, site_url=site_url)
    message_queue(
        kind=Message.Kind.INTAKE_LINK,
        to=client.email,
        subject=f"{settings.SPA_NAME}: your health questions before your treatment",
        template="clients/email/intake_link",
        context={
            "client": client,
            "url": url,
            "days": INTAKE_LINK_DAYS,
            "spa_name": settings.SPA_NAME,
        },
        topic=f"client:{client.pk}:intake-link",
        client=client,
    )
    return url


@transaction.atomic
def intake_submit(
    *,
    client: Client,
    answers: Mapping[str, Any],
    source: str,
    contact: Mapping[str, Any] | None = None,
    recorded_by: AbstractBaseUser | None = None,
    signature: str = "",
    ip_address: str | None = None,
    link: IntakeLink | None = None,
) -> Intake:
    """Record a new intake version; the client's future sessions are re-assessed against it.

    Through a link, the link is used up in the same transaction: a second submission of the
    same link (a double click, the back button) raises IntakeLinkUnusable and stores nothing.
    """
    now = timezone.now()
    if link is not None:
        used = IntakeLink.objects.filter(
            pk=link.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now)
        if not used:
            link.refresh_from_db()
            raise IntakeLinkUnusable(link.state(now))
    if contact:
        _update_contact(client, contact, by=recorded_by)
    intake = Intake.objects.create(
        client=client,
        submitted_at=now,
        source=source,
        recorded_by=recorded_by,
        signature=signature.strip(),
        ip_address=ip_address,
        **answers,
    )
    if link is not None:
        IntakeLink.objects.filter(pk=link.pk).update(intake=intake)
    action = (
        HealthRecordAccess.Action.CLIENT_SUBMITTED
        if source == Intake.Source.CLIENT_LINK
        else HealthRecordAccess.Action.RECORDED
    )
    access_record(
        client=client, user=recorded_by, action=action, detail=intake.get_source_display()
    )
    intake_recorded.send(sender=Intake, intake=intake)
    return intake


def _update_contact(client: Client, contact: Mapping[str, Any], *, by: AbstractBaseUser | None):
    changed = [name for name, value in contact.items() if getattr(client, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(client, name, contact[name])
    client.save(update_fields=[*changed, "updated_at"])
    access_record(
        client=client,
        user=by,
        action=HealthRecordAccess.Action.CONTACT_CHANGED,
        detail="Changed " + ", ".join(name.replace("_", " ") for name in changed),
    )


@transaction.atomic
def client_create(*, fields: Mapping[str, Any], created_by: AbstractBaseUser | None) -> Client:
    """Add a client."""
    return Client.objects.create(**fields)


@transaction.atomic
def client_update(*, client: Client, fields: Mapping[str, Any], by: AbstractBaseUser | None):
    """Change a client's contact details; the change is logged."""
    _update_contact(client, fields, by=by)
    return client
