from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client as BrowserClient
from django.urls import reverse

from clients.models import Client, HealthRecordAccess, Intake
from tests.admin_forms import posted_back
from tests.clients.factories import ClientFactory, IntakeFactory, UserFactory

pytestmark = pytest.mark.django_db


# Clients


def test_client_changelist_lists_clients(admin_client: BrowserClient) -> None:
    ClientFactory(first_name="Odile", last_name="Marchetti")

    response = admin_client.get(reverse("admin:clients_client_changelist"))

    assert response.status_code == 200
    assert "Odile Marchetti" in response.text


def test_client_add_page_opens(admin_client: BrowserClient) -> None:
    response = admin_client.get(reverse("admin:clients_client_add"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    "query", ["Marchetti", "odile", "odile.m@example.com", "07700 912345", "Odile Marchetti"]
)
def test_client_search_finds_by_name_email_or_phone(
    admin_client: BrowserClient, query: str
) -> None:
    ClientFactory(
        first_name="Odile", last_name="Marchetti", email="odile.m@example.com", phone="07700 912345"
    )
    ClientFactory(first_name="Bea", last_name="Lund")

    response = admin_client.get(reverse("admin:clients_client_changelist"), {"q": query})

    assert list(response.context["cl"].result_list.values_list("last_name", flat=True)) == [
        "Marchetti"
    ]


def test_client_changelist_queries_are_bounded(
    admin_client: BrowserClient, django_assert_max_num_queries: Any
) -> None:
    IntakeFactory.create_batch(30)

    with django_assert_max_num_queries(5):
        response = admin_client.get(reverse("admin:clients_client_changelist"))

    assert len(response.context["cl"].result_list) == 30


def test_client_change_page_shows_intake_versions_newest_first(
    admin_client: BrowserClient,
) -> None:
    client = ClientFactory()
    older = IntakeFactory(client=client, submitted_at=dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC))
    newer = IntakeFactory(
        client=client,
        submitted_at=dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC),
        source=Intake.Source.PRE_TREATMENT_CHECK,
        recorded_by=UserFactory(first_name="Anna", last_name="Berg"),
    )

    response = admin_client.get(reverse("admin:clients_client_change", args=[client.pk]))

    [intakes] = [
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Intake
    ]
    assert [form.instance for form in intakes.formset.forms] == [newer, older]
    assert "Pre-treatment check" in response.text


def test_client_change_page_shows_intake_answers_read_only(admin_client: BrowserClient) -> None:
    intake = IntakeFactory(last_injectable_on=dt.date(2026, 11, 20))

    response = admin_client.get(reverse("admin:clients_client_change", args=[intake.client.pk]))

    assert "20 Nov 2026" in response.text
    assert 'name="intakes-0-last_injectable_on"' not in response.text


def test_client_can_be_edited_with_intake_versions_on_the_page(
    admin_client: BrowserClient,
) -> None:
    intake = IntakeFactory(client__phone="07700 900001")
    url = reverse("admin:clients_client_change", args=[intake.client.pk])
    data = posted_back(admin_client.get(url))
    data["phone"] = "07700 900002"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    intake.client.refresh_from_db()
    assert intake.client.phone == "07700 900002"
    assert Intake.objects.get() == intake


# Intakes: read-only everywhere


def test_intake_changelist_lists_intakes(admin_client: BrowserClient) -> None:
    IntakeFactory(client__first_name="Odile", client__last_name="Marchetti")

    response = admin_client.get(reverse("admin:clients_intake_changelist"))

    assert response.status_code == 200
    assert "Odile Marchetti" in response.text


def test_intake_changelist_filters_on_a_block_answer(admin_client: BrowserClient) -> None:
    with_pacemaker = IntakeFactory(has_pacemaker=True)
    IntakeFactory()

    response = admin_client.get(
        reverse("admin:clients_intake_changelist"), {"has_pacemaker__exact": "1"}
    )

    assert list(response.context["cl"].result_list) == [with_pacemaker]


def test_intake_changelist_filters_on_source(admin_client: BrowserClient) -> None:
    from_link = IntakeFactory(source=Intake.Source.CLIENT_LINK)
    IntakeFactory(source=Intake.Source.STAFF)

    response = admin_client.get(
        reverse("admin:clients_intake_changelist"), {"source__exact": "client_link"}
    )

    assert list(response.context["cl"].result_list) == [from_link]


def test_intake_search_finds_by_client_email(admin_client: BrowserClient) -> None:
    wanted = IntakeFactory(client__email="odile.m@example.com")
    IntakeFactory()

    response = admin_client.get(reverse("admin:clients_intake_changelist"), {"q": "odile.m@"})

    assert list(response.context["cl"].result_list) == [wanted]


def test_intake_changelist_queries_are_bounded(
    admin_client: BrowserClient, django_assert_max_num_queries: Any
) -> None:
    IntakeFactory.create_batch(30, recorded_by=UserFactory())

    with django_assert_max_num_queries(7):
        response = admin_client.get(reverse("admin:clients_intake_changelist"))

    assert len(response.context["cl"].result_list) == 30


def test_intake_add_page_is_refused(admin_client: BrowserClient) -> None:
    response = admin_client.get(reverse("admin:clients_intake_add"))

    assert response.status_code == 403


def test_intake_change_page_shows_answers_read_only(admin_client: BrowserClient) -> None:
    intake = IntakeFactory(pregnant=True, due_date=dt.date(2027, 6, 1))

    response = admin_client.get(reverse("admin:clients_intake_change", args=[intake.pk]))

    assert response.status_code == 200
    assert "1 Jun 2027" in response.text
    assert 'name="due_date"' not in response.text
    assert 'name="_save"' not in response.text


def test_posting_to_intake_change_page_changes_nothing(admin_client: BrowserClient) -> None:
    intake = IntakeFactory()
    url = reverse("admin:clients_intake_change", args=[intake.pk])

    response = admin_client.post(url, {"has_pacemaker": "on", "source": "client_link"})

    assert response.status_code == 403
    intake.refresh_from_db()
    assert (intake.has_pacemaker, intake.source) == (False, Intake.Source.STAFF)


def test_intake_delete_page_is_refused(admin_client: BrowserClient) -> None:
    intake = IntakeFactory()

    response = admin_client.post(reverse("admin:clients_intake_delete", args=[intake.pk]))

    assert response.status_code == 403
    assert Intake.objects.filter(pk=intake.pk).exists()


def test_intake_changelist_offers_no_delete_action(admin_client: BrowserClient) -> None:
    IntakeFactory()

    response = admin_client.get(reverse("admin:clients_intake_changelist"))

    assert response.context["action_form"] is None
    assert "delete_selected" not in response.text


def test_staff_with_view_permission_can_read_intakes(db: None) -> None:
    manager = UserFactory(is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="view_intake"))
    browser = BrowserClient()
    browser.force_login(manager)
    intake = IntakeFactory()

    response = browser.get(reverse("admin:clients_intake_change", args=[intake.pk]))

    assert response.status_code == 200


def test_client_without_intakes_can_be_deleted(admin_client: BrowserClient) -> None:
    client = ClientFactory()

    response = admin_client.post(
        reverse("admin:clients_client_delete", args=[client.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Client.objects.exists()


def test_client_with_intakes_cannot_be_deleted(admin_client: BrowserClient) -> None:
    intake = IntakeFactory()

    admin_client.post(
        reverse("admin:clients_client_delete", args=[intake.client.pk]), {"post": "yes"}
    )

    assert Client.objects.filter(pk=intake.client.pk).exists()


def test_intake_links_and_the_access_log_are_read_only_in_the_admin(admin_client: Any) -> None:
    from clients.services import access_record, intake_link_create

    client = ClientFactory()
    intake_link_create(client=client, created_by=None, site_url="https://spa.example.com")
    access_record(client=client, user=None, action="viewed")

    for name in ("intakelink", "healthrecordaccess"):
        changelist = admin_client.get(f"/admin/clients/{name}/")
        assert changelist.status_code == 200
        assert client.last_name in changelist.content.decode()
        assert admin_client.get(f"/admin/clients/{name}/add/").status_code == 403
    link_page = admin_client.get(
        f"/admin/clients/intakelink/{client.intake_links.get().pk}/change/"
    )
    assert client.intake_links.get().token_hash not in link_page.content.decode()


# Every look at a health record in the admin is logged


def test_opening_a_client_in_the_admin_is_logged(admin_client: BrowserClient, admin_user) -> None:
    client = IntakeFactory().client

    admin_client.get(reverse("admin:clients_client_change", args=[client.pk]))

    line = HealthRecordAccess.objects.get(client=client)
    assert (line.user, line.action) == (admin_user, HealthRecordAccess.Action.VIEWED)
    assert line.detail == "Admin: the client with every intake version"


def test_opening_an_intake_in_the_admin_is_logged(admin_client: BrowserClient) -> None:
    intake = IntakeFactory()

    admin_client.get(reverse("admin:clients_intake_change", args=[intake.pk]))

    assert HealthRecordAccess.objects.get(client=intake.client).detail.startswith(
        "Admin: intake of "
    )


def test_the_intake_list_in_the_admin_logs_each_client_shown_in_one_insert(
    admin_client: BrowserClient, django_assert_max_num_queries: Any
) -> None:
    intakes = IntakeFactory.create_batch(3)
    # As many as the list takes without the log (test above), the log lines in one INSERT.
    with django_assert_max_num_queries(7):
        admin_client.get(reverse("admin:clients_intake_changelist"))

    logged = HealthRecordAccess.objects.values_list("client_id", flat=True)
    assert sorted(logged) == sorted(intake.client_id for intake in intakes)


def test_an_unknown_client_in_the_admin_logs_nothing(admin_client: BrowserClient) -> None:
    admin_client.get(reverse("admin:clients_client_change", args=[999]))

    assert not HealthRecordAccess.objects.exists()


def test_the_access_log_and_erasures_are_read_only_in_the_admin(
    admin_client: BrowserClient,
) -> None:
    client = IntakeFactory().client
    line = HealthRecordAccess.objects.create(client=client, action="viewed")

    change = admin_client.post(
        reverse("admin:clients_healthrecordaccess_change", args=[line.pk]), {"detail": "x"}
    )
    delete = admin_client.post(
        reverse("admin:clients_healthrecordaccess_delete", args=[line.pk]), {"post": "yes"}
    )

    assert change.status_code == 403
    assert delete.status_code == 403
    assert HealthRecordAccess.objects.filter(pk=line.pk, detail="").exists()
