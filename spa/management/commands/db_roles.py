"""Create or update the database's owner and app roles and the app's privileges (PostgreSQL)."""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from spa import database_roles

POSTGRESQL = "django.db.backends.postgresql"


class Command(BaseCommand):
    help = (
        "As a PostgreSQL superuser, create or update MIGRATE_DATABASE_URL's role (the owner, who "
        "migrates) and DATABASE_URL's (the app's: reads and writes rows, owns nothing), the "
        "database, and the app's privileges. Safe to run again at any time."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--superuser",
            default="postgres",
            help="The superuser to connect as; its password comes from PGPASSWORD or ~/.pgpass.",
        )
        parser.add_argument(
            "--createdb",
            action="store_true",
            help="Also let the owner create databases (a machine that runs the tests).",
        )

    def handle(self, *args: Any, superuser: str, createdb: bool, **options: Any) -> None:
        app, owner = settings.DATABASES["default"], settings.MIGRATE_DATABASE
        refusal = setup_refusal(app, owner)
        if refusal:
            raise CommandError(refusal)
        try:
            outcome = database_roles.roles_set_up(
                app=app, owner=owner, superuser=superuser, createdb=createdb
            )
        except database_roles.RoleRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        except psycopg.Error as error:
            raise CommandError(f"PostgreSQL refused: {error}") from error
        if outcome.created_database:
            self.stdout.write(f"Created the database {outcome.database}.")
        if outcome.handed_over:
            self.stdout.write(f"Handed to {owner['USER']}: {', '.join(outcome.handed_over)}.")
        self.stdout.write(
            f"{owner['USER']} owns {outcome.database} and its {outcome.tables} tables, and "
            f"migrates; {app['USER']} may read and write their rows, and owns nothing."
        )


def setup_refusal(app: dict[str, Any], owner: dict[str, Any]) -> str:
    """Why these two connections cannot be given two roles, or "" when they can."""
    if app["ENGINE"] != POSTGRESQL or owner["ENGINE"] != POSTGRESQL:
        return "Database roles are for PostgreSQL: set DATABASE_URL and MIGRATE_DATABASE_URL."
    if not app["USER"] or not owner["USER"]:
        return "DATABASE_URL and MIGRATE_DATABASE_URL must each name their role (user@host)."
    if app["USER"] == owner["USER"]:
        return (
            "DATABASE_URL and MIGRATE_DATABASE_URL name the same role: the app must connect "
            "as a role other than the tables' owner."
        )
    where = ("HOST", "PORT", "NAME")
    if [app[key] for key in where] != [owner[key] for key in where]:
        return "DATABASE_URL and MIGRATE_DATABASE_URL must point at the same database."
    return ""
