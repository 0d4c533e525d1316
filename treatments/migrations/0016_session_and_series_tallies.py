"""Sessions by the quarter hour they start in (UTC) and series by status, counted by the
database itself.

The dashboard's figures and charts count a period's sessions (held, completed, missed) and
every series by status; reading every one of them on each view grew with the spa. Triggers
add or take one away whenever a session is written, changes status or moves, or is removed,
and whenever a series is written, changes status or is removed, whatever wrote it. A quarter
hour of UTC falls within one day of any time zone, so the spa's days add up from it. What is
there already is counted here.
"""

from __future__ import annotations

from django.db import migrations, models

SESSIONS = "treatments_sessionsstarting"
SERIES = "treatments_seriesbystatus"
POSTGRESQL_BUCKET = "date_bin('15 minutes', starts_at, TIMESTAMPTZ '2000-01-01 00:00+00')"
# SQLite keeps moments as UTC text, "YYYY-MM-DD HH:MM:SS[.ffffff]".
SQLITE_BUCKET = (
    "substr(starts_at, 1, 14) || printf('%02d', CAST(substr(starts_at, 15, 2) AS INTEGER)"
    " / 15 * 15) || ':00'"
)
COUNTED = {"booked": "booked", "completed": "completed", "no_show": "no_shows"}


def _sessions(bucket: str, rows: str, change: str = "1") -> str:
    """Add each row's `change` (1, or -1 for a row that went) to its quarter hour's counts.

    The quarter hours are written in order, so two statements that touch the same ones take
    their locks in the same order and never wait on each other in a circle."""
    sums = ", ".join(
        f"SUM(CASE WHEN status = '{status}' THEN {change} ELSE 0 END)" for status in COUNTED
    )
    columns = ", ".join(COUNTED.values())
    updates = ", ".join(
        f"{column} = tally.{column} + EXCLUDED.{column}" for column in COUNTED.values()
    )
    return (
        f"INSERT INTO {SESSIONS} AS tally (starts_in, {columns}) "
        f"SELECT {bucket}, {sums} FROM {rows} "
        "WHERE status IN ('booked', 'completed', 'no_show') GROUP BY 1 ORDER BY 1 "
        f"ON CONFLICT (starts_in) DO UPDATE SET {updates};"
    )


def _series(rows: str, change: str = "1") -> str:
    """Add each row's `change` to its status' count, statuses in order (as for sessions)."""
    return (
        f"INSERT INTO {SERIES} AS tally (status, series) "
        f"SELECT status, SUM({change}) FROM {rows} GROUP BY 1 ORDER BY 1 "
        "ON CONFLICT (status) DO UPDATE SET series = tally.series + EXCLUDED.series;"
    )


def _changes(columns: str, moved: str) -> str:
    """A statement's rows as changes: each row it wrote counts 1, each it replaced or removed
    -1; for an update, only the rows whose `columns` moved."""
    return (
        f"(SELECT {columns}, -1 AS change FROM old_rows WHERE {moved} "
        f"UNION ALL SELECT {columns}, 1 FROM new_rows WHERE {moved}) AS changes"
    )


def _changed(columns: str) -> str:
    """The rows of an update whose `columns` ("status, starts_at") changed."""
    names = [name.strip() for name in columns.split(",")]
    return (
        "id IN (SELECT o.id FROM old_rows AS o JOIN new_rows AS n ON n.id = o.id "
        f"WHERE ({', '.join('o.' + c for c in names)}) "
        f"IS DISTINCT FROM ({', '.join('n.' + c for c in names)}))"
    )


# The rows a statement changed have no statistics: matching old and new ones row by row
# would take minutes for a bulk write, so they are matched by hashing.
def _postgresql(name: str, table: str, add: object, columns: str) -> str:
    """One statement per change, whatever it was, so its locks are taken in one order."""
    inserted = f"(SELECT {columns}, 1 AS change FROM new_rows) AS changes"
    removed = f"(SELECT {columns}, -1 AS change FROM old_rows) AS changes"
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SET enable_nestloop = off AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {add(inserted, "change")}
    ELSIF TG_OP = 'DELETE' THEN
        {add(removed, "change")}
    ELSE
        {add(_changes(columns, _changed(columns)), "change")}
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER {name}_insert AFTER INSERT ON {table}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}();
CREATE TRIGGER {name}_update AFTER UPDATE ON {table}
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}();
CREATE TRIGGER {name}_delete AFTER DELETE ON {table}
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {name}();
"""


POSTGRESQL = [
    _postgresql(
        "treatments_sessions_starting",
        "treatments_session",
        lambda rows, change: _sessions(POSTGRESQL_BUCKET, rows, change),
        "status, starts_at",
    ),
    _postgresql("treatments_series_by_status", "treatments_series", _series, "status"),
]
POSTGRESQL_DROP = [
    f"""
DROP TRIGGER IF EXISTS {name}_insert ON {table};
DROP TRIGGER IF EXISTS {name}_update ON {table};
DROP TRIGGER IF EXISTS {name}_delete ON {table};
DROP FUNCTION IF EXISTS {name}();
"""
    for name, table in [
        ("treatments_sessions_starting", "treatments_session"),
        ("treatments_series_by_status", "treatments_series"),
    ]
]


def _sqlite_sessions(row: str, change: str) -> str:
    values = ", ".join(
        f"CASE WHEN {row}.status = '{status}' THEN {change} ELSE 0 END" for status in COUNTED
    )
    columns = ", ".join(COUNTED.values())
    updates = ", ".join(f"{column} = {column} + EXCLUDED.{column}" for column in COUNTED.values())
    bucket = SQLITE_BUCKET.replace("starts_at", f"{row}.starts_at")
    return (
        f"INSERT INTO {SESSIONS} (starts_in, {columns}) SELECT {bucket}, {values} "
        f"WHERE {row}.status IN ('booked', 'completed', 'no_show') "
        f"ON CONFLICT (starts_in) DO UPDATE SET {updates};"
    )


def _sqlite_series(row: str, change: str) -> str:
    return (
        f"INSERT INTO {SERIES} (status, series) SELECT {row}.status, {change} WHERE TRUE "
        f"ON CONFLICT (status) DO UPDATE SET series = series + {change};"
    )


SQLITE = [
    f"""CREATE TRIGGER treatments_sessions_starting_insert AFTER INSERT ON treatments_session
    BEGIN {_sqlite_sessions("NEW", "1")} END""",
    f"""CREATE TRIGGER treatments_sessions_starting_update AFTER UPDATE OF status, starts_at
    ON treatments_session
    BEGIN {_sqlite_sessions("OLD", "-1")} {_sqlite_sessions("NEW", "1")} END""",
    f"""CREATE TRIGGER treatments_sessions_starting_delete AFTER DELETE ON treatments_session
    BEGIN {_sqlite_sessions("OLD", "-1")} END""",
    f"""CREATE TRIGGER treatments_series_by_status_insert AFTER INSERT ON treatments_series
    BEGIN {_sqlite_series("NEW", "1")} END""",
    f"""CREATE TRIGGER treatments_series_by_status_update AFTER UPDATE OF status
    ON treatments_series
    BEGIN {_sqlite_series("OLD", "-1")} {_sqlite_series("NEW", "1")} END""",
    f"""CREATE TRIGGER treatments_series_by_status_delete AFTER DELETE ON treatments_series
    BEGIN {_sqlite_series("OLD", "-1")} END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}_{event}"
    for name in ("treatments_sessions_starting", "treatments_series_by_status")
    for event in ("insert", "update", "delete")
]


def add_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        return
    bucket = POSTGRESQL_BUCKET if vendor == "postgresql" else SQLITE_BUCKET
    schema_editor.execute(_sessions(bucket, "treatments_session"))
    schema_editor.execute(_series("treatments_series"))
    for statement in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("postgresql", "sqlite"):
        for statement in POSTGRESQL_DROP if vendor == "postgresql" else SQLITE_DROP:
            schema_editor.execute(statement)


def count_field():
    return models.IntegerField(default=0)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0015_dashboard_session_indexes")]

    operations = [
        migrations.CreateModel(
            name="SessionsStarting",
            fields=[
                ("starts_in", models.DateTimeField(primary_key=True, serialize=False)),
                ("booked", count_field()),
                ("completed", count_field()),
                ("no_shows", count_field()),
            ],
            options={"verbose_name_plural": "sessions starting"},
        ),
        migrations.CreateModel(
            name="SeriesByStatus",
            fields=[
                ("status", models.CharField(max_length=12, primary_key=True, serialize=False)),
                ("series", count_field()),
            ],
            options={"verbose_name_plural": "series by status"},
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
