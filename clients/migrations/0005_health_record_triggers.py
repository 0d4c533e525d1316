"""The database itself keeps the health records as written, on PostgreSQL and on SQLite.

- Intakes: never deleted; the one change allowed is an erasure, which blanks what identifies
  the client (date of birth, signature, IP address), sets `erased_at` and touches nothing else,
  and only once an erasure of that client is recorded. Raw SQL is refused like the ORM.
- The access log and the erasure records: never changed, never deleted.

The models refuse the same in code (clients.models.AppendOnlyModel). On PostgreSQL the app's
role owns no table and may not disable triggers (README "Least privilege").
"""

from __future__ import annotations

from django.db import migrations

INTAKE_REFUSED = "Intakes are never changed or deleted; record a new intake version instead."
RECORD_REFUSED = "This record is kept as it was written: it is never changed or deleted."

# Everything an erasure leaves exactly as it was: the health answers and who recorded them.
KEPT = (
    "id",
    "client_id",
    "submitted_at",
    "source",
    "recorded_by_id",
    "has_pacemaker",
    "acute_acne",
    "pregnant",
    "due_date",
    "last_injectable_on",
    "epilepsy",
    "cancer",
    "metal_implants",
    "heart_condition",
    "skin_lesions",
)
APPEND_ONLY = ("clients_healthrecordaccess", "clients_clienterasure")


def _is_erasure(same: str) -> str:
    """The condition under which an UPDATE of an intake row is an erasure; `same` compares."""
    kept = " AND ".join(same.format(column=column) for column in KEPT)
    return (
        "OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL"
        " AND NEW.date_of_birth IS NULL AND NEW.signature = '' AND NEW.ip_address IS NULL"
        f" AND {kept}"
        " AND EXISTS (SELECT 1 FROM clients_clienterasure WHERE client_id = NEW.client_id)"
    )


POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION clients_intake_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {_is_erasure("NEW.{column} IS NOT DISTINCT FROM OLD.{column}")} THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '{INTAKE_REFUSED}';
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION clients_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{RECORD_REFUSED}';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"""
CREATE TRIGGER {table}_append_only
BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION clients_append_only();
"""
    for table in APPEND_ONLY
)

POSTGRESQL_UNDO = (
    "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in APPEND_ONLY)
    + f"""
DROP FUNCTION IF EXISTS clients_append_only();
CREATE OR REPLACE FUNCTION clients_intake_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{INTAKE_REFUSED}';
END;
$$ LANGUAGE plpgsql;
"""
)

SQLITE = [
    f"""CREATE TRIGGER clients_intake_no_delete BEFORE DELETE ON clients_intake
    BEGIN SELECT RAISE(ABORT, '{INTAKE_REFUSED}'); END""",
    f"""CREATE TRIGGER clients_intake_only_erasure BEFORE UPDATE ON clients_intake
    WHEN NOT ({_is_erasure("NEW.{column} IS OLD.{column}")})
    BEGIN SELECT RAISE(ABORT, '{INTAKE_REFUSED}'); END""",
] + [
    f"""CREATE TRIGGER {table}_{event.lower()} BEFORE {event} ON {table}
    BEGIN SELECT RAISE(ABORT, '{RECORD_REFUSED}'); END"""
    for table in APPEND_ONLY
    for event in ("UPDATE", "DELETE")
]
SQLITE_TRIGGERS = ["clients_intake_no_delete", "clients_intake_only_erasure"] + [
    f"{table}_{event}" for table in APPEND_ONLY for event in ("update", "delete")
]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_UNDO)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("clients", "0004_access_log_append_only_and_erasure")]

    operations = [migrations.RunPython(add_triggers, drop_triggers)]
