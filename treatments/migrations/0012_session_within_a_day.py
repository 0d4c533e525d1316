"""On PostgreSQL, the database itself refuses a session longer than a day.

Every session lies inside one stretch of an esthetician's hours (a treatment lasts at most
four hours), so none ever comes near it. It is what lets the calendar's reads look for the
sessions in a range from a day before it only, instead of through every earlier session:
the check makes that exact. SQLite would need one of Django's own functions in the table's
definition for it, so there the booking services alone hold the rule.
"""

from __future__ import annotations

from django.db import migrations

ADD = """
ALTER TABLE treatments_session ADD CONSTRAINT session_within_a_day
CHECK (ends_at <= starts_at + interval '1 day')
"""
DROP = "ALTER TABLE treatments_session DROP CONSTRAINT IF EXISTS session_within_a_day"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0011_session_attention_kinds")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
