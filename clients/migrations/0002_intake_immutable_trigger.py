"""On PostgreSQL, intakes cannot be updated or deleted even by raw SQL: they are health records.

The model and its queryset refuse the same in code on every database.
"""

from __future__ import annotations

from django.db import migrations

ADD = """
CREATE FUNCTION clients_intake_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Intakes are never changed or deleted; record a new intake version instead.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER clients_intake_immutable
BEFORE UPDATE OR DELETE ON clients_intake
FOR EACH ROW EXECUTE FUNCTION clients_intake_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS clients_intake_immutable ON clients_intake;
DROP FUNCTION IF EXISTS clients_intake_immutable();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_initial")]

    operations = [migrations.RunPython(add_trigger, drop_trigger)]
