"""Managers may use the admin for every client and treatment model.

The admin itself still refuses to change or delete intakes, sessions and series.
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("clients", "treatments")


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now to grant them.
    for label in APPS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    managers, _ = Group.objects.get_or_create(name="Manager")
    managers.permissions.add(*Permission.objects.filter(content_type__app_label__in=APPS))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for managers in Group.objects.filter(name="Manager"):
        managers.permissions.remove(*managers.permissions.filter(content_type__app_label__in=APPS))


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0003_staff_groups"),
        ("clients", "0002_intake_immutable_trigger"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
