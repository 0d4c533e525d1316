"""On PostgreSQL the app connects as a role that owns nothing and cannot get past the triggers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from clients.models import Intake
from spa import database_roles
from spa.management.commands.db_roles import setup_refusal
from tests import postgres_roles
from tests.clients.factories import IntakeFactory
from tests.markers import requires_postgresql

as_the_app_role = pytest.mark.skipif(
    not postgres_roles.SEPARATE,
    reason="needs the app's own role: MIGRATE_DATABASE_URL naming the owner (CI does)",
)


def rows(query: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


@requires_postgresql
@as_the_app_role
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("TRUNCATE clients_intake", "permission denied for table clients_intake"),
        ("ALTER TABLE clients_intake DISABLE TRIGGER ALL", "must be owner of table"),
        ("SET session_replication_role = replica", "permission denied to set parameter"),
    ],
)
def test_the_app_role_can_neither_empty_intakes_nor_switch_off_their_trigger(
    statement: str, refusal: str
) -> None:
    intake = IntakeFactory()

    with (
        pytest.raises(DatabaseError, match=refusal),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)

    assert list(Intake.objects.values_list("pk", flat=True)) == [intake.pk]
    with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
        rows("DELETE FROM clients_intake RETURNING id")


@requires_postgresql
@as_the_app_role
@pytest.mark.django_db
def test_the_app_role_owns_nothing_and_is_no_superuser() -> None:
    owned = rows(
        "WITH me AS (SELECT oid FROM pg_roles WHERE rolname = current_user) "
        "SELECT relname FROM pg_class WHERE relowner = (SELECT oid FROM me) "
        "UNION ALL SELECT proname FROM pg_proc WHERE proowner = (SELECT oid FROM me) "
        "UNION ALL SELECT nspname FROM pg_namespace WHERE nspowner = (SELECT oid FROM me) "
        "UNION ALL SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM me)"
    )
    powers = rows(
        "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
        "FROM pg_roles WHERE rolname = current_user"
    )

    assert owned == []
    assert powers == [(postgres_roles.APP.user, False, False, False, False, False)]


@requires_postgresql
@as_the_app_role
@pytest.mark.django_db
def test_the_app_role_uses_the_rows_of_every_table_and_nothing_more() -> None:
    tables = (
        "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r'"
    )
    short_of_rows = rows(
        f"SELECT relname FROM ({tables}) AS t WHERE NOT ("
        "has_table_privilege(oid, 'SELECT') AND has_table_privilege(oid, 'INSERT') "
        "AND has_table_privilege(oid, 'UPDATE') AND has_table_privilege(oid, 'DELETE'))"
    )
    beyond_rows = rows(
        f"SELECT relname, privilege FROM ({tables}) AS t "
        "CROSS JOIN (VALUES ('TRUNCATE'), ('TRIGGER'), ('REFERENCES')) AS p (privilege) "
        "WHERE has_table_privilege(oid, privilege)"
    )

    assert ("clients_intake",) in rows(f"SELECT relname FROM ({tables}) AS t")
    assert short_of_rows == []
    assert beyond_rows == []


@requires_postgresql
@as_the_app_role
@pytest.mark.django_db
def test_tables_a_later_migration_creates_are_open_to_the_app_role_at_once() -> None:
    app = postgres_roles.APP.user
    with postgres_roles.owner_connect() as owner, owner.transaction(force_rollback=True):
        owner.execute("CREATE TABLE later_table (id bigserial PRIMARY KEY, note text)")
        granted = owner.execute(
            "SELECT bool_and(has_table_privilege(%(app)s, 'later_table', privilege)),"
            " has_table_privilege(%(app)s, 'later_table', 'TRUNCATE'),"
            " has_sequence_privilege(%(app)s, 'later_table_id_seq', 'USAGE')"
            " FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS privilege",
            {"app": app},
        ).fetchone()

    assert granted == (True, False, True)


@pytest.mark.parametrize(
    ("app_url", "owner_url", "refusal"),
    [
        ("sqlite:///db.sqlite3", "sqlite:///db.sqlite3", "for PostgreSQL"),
        ("postgresql://spa@db/spa", "postgresql://spa@db/spa", "name the same role"),
        ("postgresql://db/spa", "postgresql://spa_owner@db/spa", "must each name their role"),
        ("postgresql://spa_app@db/spa", "postgresql://spa_owner@db/other", "same database"),
    ],
)
def test_db_roles_refuses_connections_that_cannot_be_two_roles(
    app_url: str, owner_url: str, refusal: str
) -> None:
    assert refusal in setup_refusal(
        dj_database_url.parse(app_url), dj_database_url.parse(owner_url)
    )


def test_db_roles_accepts_two_roles_on_one_database() -> None:
    app = dj_database_url.parse("postgresql://spa_app:a@db:5432/spa")
    owner = dj_database_url.parse("postgresql://spa_owner:o@db:5432/spa")

    assert setup_refusal(app, owner) == ""


def superuser_connect(dbname: str = "postgres") -> psycopg.Connection[Any]:
    database = connection.settings_dict
    return psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        dbname=dbname,
        user="postgres",
        autocommit=True,
        connect_timeout=5,
    )


@pytest.fixture
def old_database() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """A database migrated as the superuser, with the app's role given too much: as before roles.

    Yields the app's and the owner's DATABASES entries; the database and roles go afterwards.
    """
    try:
        superuser = superuser_connect()
    except psycopg.OperationalError as error:
        pytest.skip(f"needs the postgres superuser without a password (CI has it): {error}")
    name = f"{settings.MIGRATE_DATABASE['NAME']}_roles_test"
    app, owner = f"{name}_app", f"{name}_owner"
    entries = [
        {**connection.settings_dict, "NAME": name, "USER": user, "PASSWORD": "", "OPTIONS": {}}
        for user in (app, owner)
    ]
    with superuser:
        drop(superuser, name, app, owner)
        superuser.execute(f'CREATE ROLE "{owner}" LOGIN')
        superuser.execute(f'CREATE ROLE "{app}" LOGIN IN ROLE "{owner}"')
        superuser.execute(f'CREATE DATABASE "{name}"')
        with superuser_connect(name) as old:
            old.execute(
                "CREATE TABLE clients_intake (id bigint GENERATED BY DEFAULT AS IDENTITY "
                "PRIMARY KEY, answers text);"
                "CREATE TABLE django_session (session_key text PRIMARY KEY, data text);"
                "CREATE FUNCTION clients_intake_immutable() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'Intakes are never changed or deleted'; END; $$ "
                "LANGUAGE plpgsql;"
                "CREATE TRIGGER clients_intake_immutable BEFORE UPDATE OR DELETE ON "
                "clients_intake FOR EACH ROW EXECUTE FUNCTION clients_intake_immutable();"
                "INSERT INTO clients_intake (answers) VALUES ('{}');"
                f'GRANT ALL ON clients_intake TO "{app}"'
            )
        try:
            yield entries[0], entries[1]
        finally:
            drop(superuser, name, app, owner)


def drop(superuser: psycopg.Connection[Any], name: str, *roles: str) -> None:
    superuser.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for role in roles:
        superuser.execute(f'DROP ROLE IF EXISTS "{role}"')


@requires_postgresql
def test_db_roles_hands_a_database_first_migrated_as_the_superuser_to_the_owner(
    old_database: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    app, owner = old_database

    first = database_roles.roles_set_up(app=app, owner=owner, superuser="postgres")
    again = database_roles.roles_set_up(app=app, owner=owner, superuser="postgres")

    assert first.handed_over == [
        "clients_intake",
        "django_session",
        "clients_intake_immutable()",
    ]
    assert (again.handed_over, again.tables, again.created_database) == ([], 2, False)
    with superuser_connect(app["NAME"]) as database:
        state = database.execute(
            "SELECT (SELECT datdba::regrole::text FROM pg_database WHERE datname = %(name)s),"
            " (SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables"
            "  WHERE schemaname = 'public'),"
            " pg_has_role(%(app)s, %(owner)s, 'MEMBER'),"
            " has_table_privilege(%(app)s, 'clients_intake', 'TRUNCATE'),"
            " has_table_privilege(%(app)s, 'clients_intake', 'UPDATE')",
            {"name": app["NAME"], "app": app["USER"], "owner": owner["USER"]},
        ).fetchone()
    assert state == (owner["USER"], owner["USER"], False, False, True)


@requires_postgresql
def test_after_db_roles_the_app_role_cannot_get_past_the_intake_trigger(
    old_database: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    app, owner = old_database
    database_roles.roles_set_up(app=app, owner=owner, superuser="postgres")

    refusals = []
    with psycopg.connect(
        host=app["HOST"] or None, port=app["PORT"] or None, dbname=app["NAME"], user=app["USER"]
    ) as as_app:
        for statement in (
            "TRUNCATE clients_intake",
            "ALTER TABLE clients_intake DISABLE TRIGGER ALL",
            "SET session_replication_role = replica",
            "DELETE FROM clients_intake",
            "SET ROLE " + owner["USER"],
        ):
            with pytest.raises(psycopg.Error) as refused:
                as_app.execute(statement)
            as_app.rollback()
            refusals.append(type(refused.value).__name__)
        (intakes,) = as_app.execute("SELECT count(*) FROM clients_intake").fetchone()

    assert refusals == [
        "InsufficientPrivilege",
        "InsufficientPrivilege",
        "InsufficientPrivilege",
        "RaiseException",
        "InsufficientPrivilege",
    ]
    assert intakes == 1


@requires_postgresql
def test_db_roles_leaves_a_superuser_named_as_the_app_role_alone(
    old_database: tuple[dict[str, Any], dict[str, Any]],
) -> None:
    app, owner = old_database

    with pytest.raises(database_roles.RoleRefused, match="postgres is a superuser"):
        database_roles.roles_set_up(
            app={**app, "USER": "postgres"}, owner=owner, superuser="postgres"
        )

    with superuser_connect() as server:
        powers = server.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'"
        ).fetchone()
    assert powers == (True,)
