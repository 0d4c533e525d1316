"""On PostgreSQL, trigram indexes find the clients a search asks for without reading them all.

The client search (clients.selectors.client_search) asks, for each word, whether a name, the
email or the phone holds it, ignoring case: `UPPER(column) LIKE UPPER('%word%')`, and whether
the phone's digits, spaced or not, hold a number. Each index below is on exactly the expression
the search compares, so PostgreSQL combines them (a bitmap OR) and reads only the matches.
pg_trgm is a trusted extension (PostgreSQL 13 and later): the database's owner may create it.
SQLite has neither; there the search reads every client, as it always did.
"""

from __future__ import annotations

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# index name: the expression the search compares (see client_search)
INDEXES = {
    "client_first_name_trgm_idx": 'UPPER("first_name")',
    "client_last_name_trgm_idx": 'UPPER("last_name")',
    "client_email_trgm_idx": 'UPPER("email")',
    "client_phone_trgm_idx": 'UPPER("phone")',
    "client_phone_digits_trgm_idx": """REPLACE(REPLACE("phone", ' ', ''), '-', '')""",
}


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, expression in INDEXES.items():
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "clients_client" '
                f"USING gin (({expression}) gin_trgm_ops)"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("clients", "0006_client_erased_at")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(add_indexes, drop_indexes),
    ]
