"""Sessions completed, counted by the quarter hour they started in (UTC), kept by the database.

The dashboard charts the sessions completed in each of the last 12 weeks; reading every one of
them on each view grew with the spa. Triggers on the sessions table add or take one away
whenever a session becomes completed, stops being completed, moves, or is written or removed,
whatever wrote it. A quarter hour of UTC falls in one day of any time zone, so the spa's days
add up from it. The sessions completed so far are counted here.
"""

from __future__ import annotations

from django.db import migrations, models

POSTGRESQL_BUCKET = "date_bin('15 minutes', {moment}, TIMESTAMPTZ '2000-01-01 00:00+00')"
# SQLite keeps moments as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
SQLITE_BUCKET = (
    "substr({moment}, 1, 14) || printf('%02d', CAST(substr({moment}, 15, 2) AS INTEGER)"
    " / 15 * 15) || ':00'"
)
TABLE = "treatments_completedsessions"


def _add(bucket: str, rows: str, sign: str, where: str = "TRUE") -> str:
    return (
        f"INSERT INTO {TABLE} AS tally (starts_in, sessions) "
        f"SELECT {bucket.format(moment='starts_at')}, {sign}COUNT(*) FROM {rows} "
        f"WHERE status = 'completed' AND {where} GROUP BY 1 "
        "ON CONFLICT (starts_in) DO UPDATE SET sessions = tally.sessions + EXCLUDED.sessions;"
    )


MOVED = "id IN (SELECT o.id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id \
WHERE (o.status, o.starts_at) IS DISTINCT FROM (n.status, n.starts_at))"
POSTGRESQL = f"""
CREATE FUNCTION treatments_completed_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_add(POSTGRESQL_BUCKET, "new_rows", "")}
    ELSIF TG_OP = 'DELETE' THEN
        {_add(POSTGRESQL_BUCKET, "old_rows", "-")}
    ELSE
        {_add(POSTGRESQL_BUCKET, "old_rows", "-", MOVED)}
        {_add(POSTGRESQL_BUCKET, "new_rows", "", MOVED)}
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER session_completed_insert AFTER INSERT ON treatments_session
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION treatments_completed_tally();
CREATE TRIGGER session_completed_update AFTER UPDATE ON treatments_session
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION treatments_completed_tally();
CREATE TRIGGER session_completed_delete AFTER DELETE ON treatments_session
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION treatments_completed_tally();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS session_completed_insert ON treatments_session;
DROP TRIGGER IF EXISTS session_completed_update ON treatments_session;
DROP TRIGGER IF EXISTS session_completed_delete ON treatments_session;
DROP FUNCTION IF EXISTS treatments_completed_tally();
"""


def _sqlite_add(row: str, change: str) -> str:
    bucket = SQLITE_BUCKET.format(moment=f"{row}.starts_at")
    return (
        f"INSERT INTO {TABLE} (starts_in, sessions) SELECT {bucket}, {change} "
        f"WHERE {row}.status = 'completed' "
        f"ON CONFLICT (starts_in) DO UPDATE SET sessions = sessions + {change};"
    )


SQLITE = [
    f"""CREATE TRIGGER session_completed_insert AFTER INSERT ON treatments_session
    BEGIN {_sqlite_add("NEW", "1")} END""",
    f"""CREATE TRIGGER session_completed_update AFTER UPDATE OF status, starts_at
    ON treatments_session
    BEGIN {_sqlite_add("OLD", "-1")} {_sqlite_add("NEW", "1")} END""",
    f"""CREATE TRIGGER session_completed_delete AFTER DELETE ON treatments_session
    BEGIN {_sqlite_add("OLD", "-1")} END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS session_completed_insert",
    "DROP TRIGGER IF EXISTS session_completed_update",
    "DROP TRIGGER IF EXISTS session_completed_delete",
]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_add(POSTGRESQL_BUCKET, "treatments_session", ""))
        schema_editor.execute(POSTGRESQL)
    elif vendor == "sqlite":
        schema_editor.execute(_add(SQLITE_BUCKET, "treatments_session", ""))
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0013_dashboard_session_indexes")]

    operations = [
        migrations.CreateModel(
            name="CompletedSessions",
            fields=[
                ("starts_in", models.DateTimeField(primary_key=True, serialize=False)),
                ("sessions", models.IntegerField()),
            ],
            options={"verbose_name_plural": "completed sessions"},
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
