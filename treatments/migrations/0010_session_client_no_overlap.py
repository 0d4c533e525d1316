"""On PostgreSQL, the database itself refuses two overlapping sessions for one client.

The booking services check under a lock of the client's row (taken after the esthetician's);
this exclusion constraint is the backstop, as `session_no_overlap` is for the esthetician.
Sessions that overlap already would make the constraint fail: they are named, for staff to
cancel or move one of each pair before migrating again.
"""

from __future__ import annotations

from django.db import migrations

OVERLAPS = """
SELECT a.client_id, a.id, b.id, a.starts_at
FROM treatments_session a
JOIN treatments_session b
  ON a.client_id = b.client_id AND a.id < b.id
 AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
WHERE a.status IN ('booked', 'completed') AND b.status IN ('booked', 'completed')
ORDER BY a.starts_at
LIMIT 20
"""
ADD = """
ALTER TABLE treatments_session ADD CONSTRAINT session_client_no_overlap
EXCLUDE USING gist (
    client_id WITH =,
    tstzrange(starts_at, ends_at, '[)') WITH &&
) WHERE (status IN ('booked', 'completed'))
"""
DROP = "ALTER TABLE treatments_session DROP CONSTRAINT IF EXISTS session_client_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OVERLAPS)
        pairs = cursor.fetchall()
    if pairs:
        listed = "; ".join(
            f"client {client} has sessions {first} and {second} at once ({when:%Y-%m-%d %H:%M})"
            for client, first, second, when in pairs
        )
        raise RuntimeError(
            "A client is booked twice at the same time: cancel or move one session of each "
            f"pair, then migrate again. {listed}"
        )
    schema_editor.execute(ADD)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0009_calendar_feed_fetches")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
