"""Each series carries a tally of its sessions, kept by the database itself.

The dashboard sorts and filters every series by its progress (sessions completed, the last
one, the first, the next booked); counting every series' sessions on each view grew with the
spa. Triggers on the sessions table recount a series whenever one of its sessions is added,
removed, or changes series, kind, status or time, whatever wrote it (a service, a bulk
insert, an update of many rows). On PostgreSQL one recount per statement covers all its rows
(transition tables); SQLite recounts per row. The existing series are counted once here.
"""

from __future__ import annotations

from django.db import migrations, models

COURSE_KINDS = "('series', 'make_up')"


def _of(column: str, where: str) -> str:
    return (
        f"(SELECT {column} FROM treatments_session AS s "
        f"WHERE s.series_id = treatments_series.id AND {where})"
    )


# The one recount, the same on both databases: what a series' sessions add up to.
RECOUNT = f"""
UPDATE treatments_series SET
    completed_count = {_of("COUNT(*)", f"s.kind IN {COURSE_KINDS} AND s.status = 'completed'")},
    booked_count = {_of("COUNT(*)", f"s.kind IN {COURSE_KINDS} AND s.status = 'booked'")},
    first_session_at = {_of("MIN(s.starts_at)", f"s.kind IN {COURSE_KINDS}")},
    last_completed_at = {_of("MAX(s.starts_at)", f"s.kind IN {COURSE_KINDS} AND s.status = 'completed'")},
    booked_first_starts_at = {_of("MIN(s.starts_at)", "s.status = 'booked'")},
    booked_first_ends_at = {_of("MIN(s.ends_at)", "s.status = 'booked'")}
"""
# What a change to a session can move in its series' tally.
TALLIED = ("series_id", "kind", "status", "starts_at", "ends_at")


def _touched(rows: str, others: str) -> str:
    """The series of the rows in `rows` whose tallied columns are not the same in `others`."""
    columns = ", ".join(("id", *TALLIED))
    return (
        f"SELECT series_id FROM (SELECT {columns} FROM {rows} "
        f"EXCEPT SELECT {columns} FROM {others}) AS c"
    )


# The series a statement touched are recounted together, each through the index on the
# sessions' series: one pass, whatever wrote the rows (a booking, or a COPY of thousands that
# arrive before their table has statistics). Rows changed in a statement are compared as sets
# (by hashing), never row by row.
RECOUNT_TOUCHED = f"""
UPDATE treatments_series SET
    completed_count = tally.completed_count,
    booked_count = tally.booked_count,
    first_session_at = tally.first_session_at,
    last_completed_at = tally.last_completed_at,
    booked_first_starts_at = tally.booked_first_starts_at,
    booked_first_ends_at = tally.booked_first_ends_at
FROM (
    SELECT touched.id,
        COUNT(s.id) FILTER (WHERE s.kind IN {COURSE_KINDS} AND s.status = 'completed')
            AS completed_count,
        COUNT(s.id) FILTER (WHERE s.kind IN {COURSE_KINDS} AND s.status = 'booked')
            AS booked_count,
        MIN(s.starts_at) FILTER (WHERE s.kind IN {COURSE_KINDS}) AS first_session_at,
        MAX(s.starts_at) FILTER (WHERE s.kind IN {COURSE_KINDS} AND s.status = 'completed')
            AS last_completed_at,
        MIN(s.starts_at) FILTER (WHERE s.status = 'booked') AS booked_first_starts_at,
        MIN(s.ends_at) FILTER (WHERE s.status = 'booked') AS booked_first_ends_at
    FROM unnest(touched) AS touched(id)
    LEFT JOIN treatments_session AS s ON s.series_id = touched.id
    GROUP BY touched.id
) AS tally
WHERE treatments_series.id = tally.id
"""
POSTGRESQL = f"""
CREATE FUNCTION treatments_session_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT series_id) INTO touched FROM new_rows
            WHERE series_id IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT series_id) INTO touched FROM old_rows
            WHERE series_id IS NOT NULL;
    ELSE
        SELECT array_agg(DISTINCT series_id) INTO touched FROM (
            {_touched("old_rows", "new_rows")}
            UNION {_touched("new_rows", "old_rows")}
        ) AS changed WHERE series_id IS NOT NULL;
    END IF;
    IF touched IS NOT NULL THEN
        {RECOUNT_TOUCHED};
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER session_tally_insert AFTER INSERT ON treatments_session
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION treatments_session_tally();
CREATE TRIGGER session_tally_update AFTER UPDATE ON treatments_session
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION treatments_session_tally();
CREATE TRIGGER session_tally_delete AFTER DELETE ON treatments_session
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION treatments_session_tally();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS session_tally_insert ON treatments_session;
DROP TRIGGER IF EXISTS session_tally_update ON treatments_session;
DROP TRIGGER IF EXISTS session_tally_delete ON treatments_session;
DROP FUNCTION IF EXISTS treatments_session_tally();
"""
SQLITE = [
    f"""CREATE TRIGGER session_tally_insert AFTER INSERT ON treatments_session
    WHEN NEW.series_id IS NOT NULL
    BEGIN {RECOUNT} WHERE id = NEW.series_id; END""",
    f"""CREATE TRIGGER session_tally_update AFTER UPDATE OF {", ".join(TALLIED)}
    ON treatments_session
    BEGIN {RECOUNT} WHERE id IN (OLD.series_id, NEW.series_id); END""",
    f"""CREATE TRIGGER session_tally_delete AFTER DELETE ON treatments_session
    WHEN OLD.series_id IS NOT NULL
    BEGIN {RECOUNT} WHERE id = OLD.series_id; END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS session_tally_insert",
    "DROP TRIGGER IF EXISTS session_tally_update",
    "DROP TRIGGER IF EXISTS session_tally_delete",
]


def add_triggers(apps, schema_editor):
    schema_editor.execute(RECOUNT)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


def tally_field(**options):
    return models.PositiveSmallIntegerField(default=0, editable=False, **options)


def moment_field():
    return models.DateTimeField(null=True, blank=True, editable=False)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0013_session_booked_indexes")]

    operations = [
        migrations.AddField("series", "completed_count", tally_field()),
        migrations.AddField("series", "booked_count", tally_field()),
        migrations.AddField("series", "first_session_at", moment_field()),
        migrations.AddField("series", "last_completed_at", moment_field()),
        migrations.AddField("series", "booked_first_starts_at", moment_field()),
        migrations.AddField("series", "booked_first_ends_at", moment_field()),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
