"""The database keeps health records as written, on SQLite and PostgreSQL alike: the access log
and erasure records never change; an intake changes only by an erasure, and only its identity."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from clients.models import ClientErasure, HealthRecordAccess, Intake, RecordIsImmutable
from tests.clients.factories import IntakeFactory

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def log_line() -> HealthRecordAccess:
    return HealthRecordAccess.objects.create(
        client=IntakeFactory().client, action=HealthRecordAccess.Action.VIEWED, detail="Page"
    )


def test_the_access_log_refuses_a_second_save() -> None:
    line = log_line()
    line.detail = "Nothing to see"

    with pytest.raises(RecordIsImmutable):
        line.save()

    assert HealthRecordAccess.objects.get(pk=line.pk).detail == "Page"


@pytest.mark.parametrize(
    "change",
    [
        lambda line: line.delete(),
        lambda line: HealthRecordAccess.objects.filter(pk=line.pk).update(detail="x"),
        lambda line: HealthRecordAccess.objects.filter(pk=line.pk).delete(),
    ],
)
def test_the_access_log_refuses_changes_through_the_models(change) -> None:
    line = log_line()

    with pytest.raises(RecordIsImmutable):
        change(line)

    assert HealthRecordAccess.objects.filter(pk=line.pk, detail="Page").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE clients_healthrecordaccess SET detail = 'x' WHERE id = %s",
        "DELETE FROM clients_healthrecordaccess WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_changes_to_the_access_log(sql: str) -> None:
    line = log_line()

    with pytest.raises(DatabaseError, match="never changed"):
        raw(sql, [line.pk])

    assert HealthRecordAccess.objects.filter(pk=line.pk, detail="Page").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE clients_clienterasure SET reason = 'x' WHERE id = %s",
        "DELETE FROM clients_clienterasure WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_changes_to_an_erasure_record(sql: str) -> None:
    erasure = ClientErasure.objects.create(client=IntakeFactory().client, reason="Asked")

    with pytest.raises(DatabaseError, match="never changed"):
        raw(sql, [erasure.pk])

    assert ClientErasure.objects.filter(pk=erasure.pk, reason="Asked").exists()


ERASE = (
    "UPDATE clients_intake SET date_of_birth = NULL, signature = '', ip_address = NULL,"
    " erased_at = %s WHERE id = %s"
)


def signed_intake() -> Intake:
    return IntakeFactory(signature="Iris Moss", ip_address="203.0.113.9", epilepsy=True)


def test_the_database_refuses_an_erasure_of_an_intake_without_an_erasure_record() -> None:
    intake = signed_intake()

    with pytest.raises(DatabaseError, match="never changed"):
        raw(ERASE, [timezone.now(), intake.pk])

    assert Intake.objects.get(pk=intake.pk).signature == "Iris Moss"


def test_the_database_allows_an_erasure_once_it_is_recorded() -> None:
    intake = signed_intake()
    ClientErasure.objects.create(client=intake.client, reason="Asked")

    raw(ERASE, [timezone.now(), intake.pk])

    erased = Intake.objects.get(pk=intake.pk)
    assert (erased.signature, erased.ip_address, erased.date_of_birth) == ("", None, None)
    assert erased.epilepsy is True


@pytest.mark.parametrize(
    ("sql", "value"),
    [
        # An erasure that also changes a health answer, or where the answers came from.
        (ERASE.replace("erased_at = %s", "epilepsy = %s, erased_at = %s"), False),
        (ERASE.replace("erased_at = %s", "source = %s, erased_at = %s"), "client_link"),
        # One that keeps something identifying.
        (ERASE.replace("signature = ''", "signature = %s"), "Iris"),
    ],
)
def test_the_database_refuses_an_erasure_that_changes_anything_else(sql: str, value) -> None:
    intake = signed_intake()
    ClientErasure.objects.create(client=intake.client, reason="Asked")

    with pytest.raises(DatabaseError, match="never changed"):
        raw(sql, [value, timezone.now(), intake.pk])

    assert Intake.objects.get(pk=intake.pk).signature == "Iris Moss"


def test_an_erased_intake_cannot_be_changed_again() -> None:
    intake = signed_intake()
    ClientErasure.objects.create(client=intake.client, reason="Asked")
    raw(ERASE, [timezone.now(), intake.pk])

    with pytest.raises(DatabaseError, match="never changed"):
        raw(ERASE, [timezone.now(), intake.pk])


def test_erasing_through_the_model_blanks_only_what_identifies() -> None:
    intake = signed_intake()
    ClientErasure.objects.create(client=intake.client, reason="Asked")

    erased = Intake.objects.filter(client=intake.client).erase_identifying(at=timezone.now())

    intake = Intake.objects.get(pk=intake.pk)
    assert erased == 1
    assert (intake.signature, intake.ip_address, intake.date_of_birth) == ("", None, None)
    assert intake.erased_at is not None
    assert intake.epilepsy is True


def test_every_record_trigger_is_in_place() -> None:
    # A later migration that rebuilds one of these tables on SQLite would drop its triggers.
    migration = importlib.import_module("clients.migrations.0005_health_record_triggers")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            expected = set(migration.SQLITE_TRIGGERS)
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
            expected = {"clients_intake_immutable"} | {
                f"{table}_append_only" for table in migration.APPEND_ONLY
            }
        names = {name for (name,) in cursor.fetchall()}

    assert expected <= names
