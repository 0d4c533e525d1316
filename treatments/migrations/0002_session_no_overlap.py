"""On PostgreSQL, the database itself refuses two overlapping sessions for one esthetician.

The booking services already check under a row lock; this exclusion constraint is the
backstop. SQLite has no exclusion constraints, so there the lock alone holds the rule.
"""

from __future__ import annotations

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

ADD = """
ALTER TABLE treatments_session ADD CONSTRAINT session_no_overlap
EXCLUDE USING gist (
    esthetician_id WITH =,
    tstzrange(starts_at, ends_at, '[)') WITH &&
) WHERE (status IN ('booked', 'completed'))
"""
DROP = "ALTER TABLE treatments_session DROP CONSTRAINT IF EXISTS session_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, drop_constraint),
    ]
