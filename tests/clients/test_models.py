"""Intakes are health records: never changed, never deleted. Clients' emails are unique."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError

from clients.models import Client, Intake, IntakeIsImmutable
from tests.clients.factories import ClientFactory, IntakeFactory

pytestmark = pytest.mark.django_db


def test_saving_an_intake_again_is_refused() -> None:
    intake = IntakeFactory()
    intake.pregnant = True

    with pytest.raises(IntakeIsImmutable):
        intake.save()

    assert Intake.objects.get(pk=intake.pk).pregnant is False


def test_deleting_an_intake_is_refused() -> None:
    intake = IntakeFactory()

    with pytest.raises(IntakeIsImmutable):
        intake.delete()

    assert Intake.objects.filter(pk=intake.pk).exists()


def test_updating_intakes_through_a_queryset_is_refused() -> None:
    intake = IntakeFactory()

    with pytest.raises(IntakeIsImmutable):
        Intake.objects.filter(pk=intake.pk).update(has_pacemaker=True)

    assert Intake.objects.get(pk=intake.pk).has_pacemaker is False


def test_bulk_updating_intakes_is_refused() -> None:
    intake = IntakeFactory()
    intake.epilepsy = True

    with pytest.raises(IntakeIsImmutable):
        Intake.objects.bulk_update([intake], ["epilepsy"])


def test_deleting_intakes_through_a_queryset_is_refused() -> None:
    intake = IntakeFactory()

    with pytest.raises(IntakeIsImmutable):
        Intake.objects.filter(pk=intake.pk).delete()

    assert Intake.objects.filter(pk=intake.pk).exists()


def test_a_client_with_intakes_cannot_be_deleted() -> None:
    intake = IntakeFactory()

    with pytest.raises(ProtectedError):
        intake.client.delete()


def test_a_new_version_is_a_new_row() -> None:
    first = IntakeFactory()
    IntakeFactory(client=first.client, acute_acne=True)

    assert first.client.intakes.count() == 2


def test_saving_a_new_intake_over_an_existing_id_is_refused() -> None:
    stored = IntakeFactory()
    impostor = Intake(pk=stored.pk, client=stored.client, source=stored.source, cancer=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()

    assert Intake.objects.get(pk=stored.pk).cancer is False


def test_the_database_refuses_a_raw_update_of_an_intake() -> None:
    intake = IntakeFactory()

    with (
        pytest.raises(DatabaseError, match="never changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE clients_intake SET has_pacemaker = %s WHERE id = %s", [True, intake.pk]
        )

    assert Intake.objects.get(pk=intake.pk).has_pacemaker is False


def test_the_database_refuses_a_raw_delete_of_an_intake() -> None:
    intake = IntakeFactory()

    with (
        pytest.raises(DatabaseError, match="never changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM clients_intake WHERE id = %s", [intake.pk])

    assert Intake.objects.filter(pk=intake.pk).exists()


def test_a_due_date_needs_a_pregnancy() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        IntakeFactory(pregnant=False, due_date=dt.date(2027, 6, 1))


def test_a_pregnancy_may_have_a_due_date() -> None:
    intake = IntakeFactory(pregnant=True, due_date=dt.date(2027, 6, 1))

    assert intake.due_date == dt.date(2027, 6, 1)


def test_two_clients_cannot_share_an_email_whatever_its_case() -> None:
    ClientFactory(email="ada@example.com")

    with pytest.raises(IntegrityError), transaction.atomic():
        ClientFactory(email="Ada@Example.COM")


def test_a_shared_email_is_reported_in_words_when_validated() -> None:
    ClientFactory(email="ada@example.com")

    with pytest.raises(ValidationError, match="Another client already has this email address"):
        ClientFactory.build(email="ADA@example.com").validate_constraints()


def test_many_clients_may_have_no_email() -> None:
    ClientFactory(email="")
    ClientFactory(email="")

    assert Client.objects.filter(email="").count() == 2


def test_with_email_finds_the_client_whatever_the_case() -> None:
    iris = ClientFactory(email="Iris.Moss@Example.com")
    ClientFactory(email="ivy@example.com")

    assert list(Client.objects.with_email("iris.moss@EXAMPLE.com")) == [iris]


def test_with_email_finds_nobody_for_a_blank_address() -> None:
    ClientFactory(email="")

    assert not Client.objects.with_email("").exists()
