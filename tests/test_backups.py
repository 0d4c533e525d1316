"""A backup made with pg_dump restores, with pg_restore, into a new database with every row.

The README's "Backups" section, run for real on a seeded copy of the spa.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client as BrowserClient
from psycopg import sql

from clients import services as client_services
from clients.models import Client
from tests import postgres_roles
from tests.markers import requires_postgresql
from treatments.models import Esthetician, Session, TreatmentRecord

pytestmark = [
    requires_postgresql,
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore")),
        reason="needs pg_dump and pg_restore on PATH (apt-get install postgresql-client)",
    ),
]

# Tables that must have rows for the comparison to mean much: the health records, the bookings
# and their history, the messages and the logins. Every table is compared, empty or not.
MUST_HAVE_ROWS = [
    "clients_client",
    "clients_intake",
    "clients_intakelink",
    "clients_healthrecordaccess",
    "treatments_esthetician",
    "treatments_workinghours",
    "treatments_closure",
    "treatments_series",
    "treatments_session",
    "treatments_maintenancevisit",
    "treatments_treatmentrecord",
    "outbox_message",
    "auth_user",
    "auth_user_groups",
    "django_session",
]


@pytest.fixture
def seeded_spa(transactional_db: None, settings: Any) -> None:
    """The demo spa with generated histories, intake links, the access log and visit records."""
    settings.DEBUG = True  # seed_demo's logins have a known password, so it insists on DEBUG
    call_command("seed_demo", "--clients", "40", stdout=io.StringIO())
    manager = Esthetician.objects.first().user
    for client in Client.objects.order_by("pk")[:3]:
        client_services.intake_link_create(
            client=client, created_by=manager, site_url="https://spa.example.com"
        )
    # The demo's completed sessions carry records; any without one gets one, as if recorded.
    without_record = Session.objects.filter(status=Session.Status.COMPLETED, record__isnull=True)
    for session in without_record.order_by("pk")[:5]:
        TreatmentRecord.objects.create(
            session=session,
            intensity_ua=200,
            frequency_hz=Decimal("0.5"),
            waveform=TreatmentRecord.Waveform.SQUARE,
            areas=["cheekbones", "jawline"],
            minutes=40,
            tolerance=TreatmentRecord.Tolerance.COMFORTABLE,
            recorded_by=manager,
        )
    BrowserClient().force_login(manager)  # a signed-in visitor's session row


@pytest.fixture
def restored(seeded_spa: None, tmp_path: Path) -> Iterator[str]:
    """The seeded test database dumped and restored into a new one, as the README says.

    Yields the new database's name; it is dropped afterwards.
    """
    name = f"{settings.MIGRATE_DATABASE['NAME']}_backup_test"
    backup = tmp_path / "spa.dump"
    with postgres_roles.owner_connect("postgres") as server:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        server.execute(drop)
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            run_as_owner("pg_dump", "-Fc", "--file", backup, connection.settings_dict["NAME"])
            run_as_owner("pg_restore", "--exit-on-error", "--dbname", name, backup)
            yield name
        finally:
            server.execute(drop)


def run_as_owner(*command: str | Path) -> None:
    """Run a PostgreSQL client program against the test server, logged in as the owner."""
    database = connection.settings_dict
    environment = {
        **os.environ,
        "PGHOST": database["HOST"] or "",
        "PGPORT": str(database["PORT"] or ""),
        "PGUSER": postgres_roles.OWNER.user,
    }
    if postgres_roles.OWNER.password:
        environment["PGPASSWORD"] = postgres_roles.OWNER.password
    finished = subprocess.run(
        [*command, "--no-password"], env=environment, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr


def row_counts(database: psycopg.Connection[Any]) -> dict[str, int]:
    """How many rows each table in the public schema holds."""
    tables = database.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return {
        table: database.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]
        for (table,) in tables
    }


def intakes_checksum(database: psycopg.Connection[Any]) -> str:
    """An md5 over every intake row, all its columns, in id order."""
    (checksum,) = database.execute(
        "SELECT md5(string_agg(intake::text, E'\\n' ORDER BY intake.id)) "
        "FROM clients_intake AS intake"
    ).fetchone()
    return checksum


def test_a_dump_restores_into_a_new_database_with_every_row(restored: str) -> None:
    with (
        postgres_roles.owner_connect() as source,
        postgres_roles.owner_connect(restored) as copy,
    ):
        counts, counts_restored = row_counts(source), row_counts(copy)
        checksum, checksum_restored = intakes_checksum(source), intakes_checksum(copy)

    assert [table for table in MUST_HAVE_ROWS if not counts.get(table)] == []
    assert counts["clients_intake"] > 60
    assert counts_restored == counts
    assert checksum_restored == checksum


def test_a_restored_database_still_refuses_to_delete_intakes(restored: str) -> None:
    with (
        postgres_roles.owner_connect(restored) as copy,
        pytest.raises(psycopg.errors.RaiseException, match="never changed"),
    ):
        copy.execute("DELETE FROM clients_intake")


@pytest.mark.skipif(
    not postgres_roles.SEPARATE,
    reason="needs the app's own role: MIGRATE_DATABASE_URL naming the owner (CI does)",
)
def test_a_restored_database_gives_the_app_role_its_privileges_back(restored: str) -> None:
    with postgres_roles.owner_connect(restored) as copy:
        (privileges,) = copy.execute(
            "SELECT array_agg(privilege ORDER BY privilege) FROM unnest("
            "ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER']) AS privilege "
            "WHERE has_table_privilege(%s, 'clients_intake', privilege)",
            [postgres_roles.APP.user],
        ).fetchone()

    assert privileges == ["DELETE", "INSERT", "SELECT", "UPDATE"]
