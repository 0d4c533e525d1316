"""Sign-ins locked after too many wrong passwords (django-axes), and unlocking them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db.models import Max, Sum


@dataclass(frozen=True)
class Lockout:
    """A username refused from one address until `until`, after `failures` wrong passwords."""

    username: str
    ip_address: str
    failures: int
    last_attempt: dt.datetime
    until: dt.datetime


def current_lockouts(*, now: dt.datetime) -> list[Lockout]:
    """Every username and address locked out now, the latest first."""
    cool_off: dt.timedelta = settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(attempt_time__gt=now - cool_off)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last_attempt=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last_attempt")
    )
    return [
        Lockout(
            username=row["username"] or "",
            ip_address=row["ip_address"] or "",
            failures=row["failures"],
            last_attempt=row["last_attempt"],
            until=row["last_attempt"] + cool_off,
        )
        for row in rows
    ]


def lockout_clear(*, username: str, ip_address: str) -> int:
    """Let this username sign in from this address again; returns the attempts forgotten."""
    if not username or not ip_address:
        # axes' reset() without both would forget every lockout, not this one.
        raise ValueError("Unlocking needs both the username and the address.")
    return reset(ip=ip_address, username=username)
