"""Managers see every record of the spa in the admin, models added later included."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client as BrowserClient
from django.urls import reverse

from spa.groups import managers_see_every_record
from tests.clients.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_in_admin(db: None) -> BrowserClient:
    browser = BrowserClient()
    browser.force_login(UserFactory(username="maria", groups=["Manager"], is_staff=True))
    return browser


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:outbox_message_changelist",
        "admin:clients_clienterasure_changelist",
        "admin:clients_healthrecordaccess_changelist",
        "admin:treatments_calendarfeedfetch_changelist",
        "admin:clients_intake_changelist",
        "admin:treatments_session_changelist",
    ],
)
def test_a_manager_sees_every_list_the_readme_promises(
    manager_in_admin: BrowserClient, changelist: str
) -> None:
    assert manager_in_admin.get(reverse(changelist)).status_code == 200


def test_a_manager_may_not_change_a_message(manager_in_admin: BrowserClient) -> None:
    assert manager_in_admin.get(reverse("admin:outbox_message_add")).status_code == 403


def test_permissions_of_models_added_later_reach_the_managers(db: None) -> None:
    managers = Group.objects.get(name="Manager")
    managers.permissions.clear()

    managers_see_every_record()
    managers_see_every_record()

    granted = set(managers.permissions.values_list("codename", flat=True))
    assert {"view_message", "view_clienterasure", "view_calendarfeedfetch"} <= granted
    assert (
        managers.permissions.count()
        == Permission.objects.filter(
            content_type__app_label__in=["clients", "treatments", "outbox"]
        ).count()
    )
