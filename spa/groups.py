"""The Manager group's permissions in the admin, kept complete as models are added."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.contrib.auth.models import Group, Permission

from spa.access import MANAGERS

# The apps whose every model a manager may see in the admin. The admin classes themselves keep
# health records, sessions, series, messages and logs read-only, whatever the permissions say.
MANAGED_APPS = ("clients", "treatments", "outbox")


def managers_see_every_record(
    app_config: AppConfig | None = None, using: str = "default", **kwargs: Any
) -> None:
    """Give the Manager group every permission of the spa's own apps (a migration made the
    group; models added since get their permissions after their migrations, so this runs
    after each migrate of one of those apps, and running it again changes nothing)."""
    if app_config is not None and app_config.label not in MANAGED_APPS:
        return
    managers = Group.objects.using(using).filter(name=MANAGERS).first()
    if managers is None:
        return
    wanted = Permission.objects.using(using).filter(content_type__app_label__in=MANAGED_APPS)
    missing = wanted.exclude(group=managers)
    if missing.exists():
        managers.permissions.add(*missing)
