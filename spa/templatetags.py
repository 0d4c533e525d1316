"""Template filters available in every template (registered as builtins in settings)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone

from spa.access import is_manager as user_is_manager
from spa.addresses import Numbered
from spa.dates import day_label, moment_label

register = template.Library()


@register.filter
def spa_day(value: date | datetime | None) -> str:
    """A day as the spa says it ("Fri 4 Dec"); a moment is taken on the spa's local date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return day_label(value, today=timezone.localdate())


@register.filter
def spa_moment(value: datetime | None) -> str:
    """A moment as the spa says it ("Tue 1 Dec, 10:00")."""
    if value is None:
        return ""
    return moment_label(value, today=timezone.localdate())


@register.filter
def numbered(address: Numbered, number: int) -> str:
    """A record's page: `{{ to.session|numbered:session.pk }}` (see `spa.addresses`)."""
    return address.at(number)


@register.filter
def is_manager(user: Any) -> bool:
    """True when the user may see the managers' pages: `{% if user|is_manager %}`."""
    return user_is_manager(user)
