"""On PostgreSQL, an index in the series table's default order: by the day each series
started (its first session's day in the spa's time zone, or its start date while it has no
session), latest first. A page of the table then reads 25 entries of the index instead of
sorting every series, whichever statuses it shows.

The day is taken in the time zone the spa is set to when this runs, as the table's query
writes it; should the setting change, the query no longer matches the index (the table is
still right, only slower) until the index is made again. SQLite sorts as before.
"""

from __future__ import annotations

from django.conf import settings
from django.db import migrations

NAME = "series_started_idx"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    time_zone = schema_editor.quote_value(settings.TIME_ZONE)
    started_on = f"COALESCE((first_session_at AT TIME ZONE {time_zone})::date, starts_on)"
    schema_editor.execute(
        f"CREATE INDEX {NAME} ON treatments_series (({started_on}) DESC NULLS LAST, id DESC)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("treatments", "0016_session_and_series_tallies")]

    operations = [migrations.RunPython(add_index, drop_index, elidable=False)]
