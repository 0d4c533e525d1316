"""PostgreSQL's two roles for the app: the owner, who migrates, and the app's, which uses rows.

The owner owns the database and every table, sequence and function in its public schema. The
app's role owns nothing: it may SELECT, INSERT, UPDATE and DELETE rows and use sequences, but
never TRUNCATE, add triggers or reference tables, and it is never a superuser. So it cannot
empty a table past its row triggers, switch them off (only an owner may) or set
`session_replication_role` (only a superuser may). Which rows of a health record may change is
the triggers' rule: the intake trigger refuses UPDATE and DELETE whoever asks.

Everything here can run again at any time and leaves the same result (`manage.py db_roles`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

# What the app's role may do with every table and sequence, now and in tables made later.
APP_TABLE_PRIVILEGES = sql.SQL("SELECT, INSERT, UPDATE, DELETE")
APP_SEQUENCE_PRIVILEGES = sql.SQL("USAGE, SELECT")

# Objects in the public schema that are not the owner's: tables first, as handing over a table
# also hands over the sequences and indexes that belong to it. Extensions' own objects stay
# with the extension (btree_gist puts its functions in public).
NOT_OWNERS = """
SELECT c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = %s
  AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = %s)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.relname
"""
FUNCTIONS_NOT_OWNERS = """
SELECT p.oid::regprocedure::text
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public'
  AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = %s)
  AND NOT EXISTS (
      SELECT 1 FROM pg_depend d
      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
ORDER BY 1
"""
RELATION_KINDS = [
    ("r", "TABLE"),
    ("p", "TABLE"),
    ("v", "VIEW"),
    ("m", "MATERIALIZED VIEW"),
    ("S", "SEQUENCE"),
]


class RoleRefused(Exception):
    """The roles cannot be set up as asked; the message says why."""


@dataclass(frozen=True)
class Role:
    """A login role; `password` None leaves the role's password as it is (trust or peer)."""

    name: str
    password: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What `roles_set_up` found and did."""

    database: str
    created_database: bool
    handed_over: list[str]
    tables: int


def role_from(database: dict[str, Any]) -> Role:
    """The role a Django DATABASES entry logs in as."""
    return Role(name=database["USER"], password=database["PASSWORD"] or None)


def role_ensure(cursor: psycopg.Cursor[Any], role: Role, *, createdb: bool = False) -> None:
    """Create `role`, or bring it to these attributes: it logs in, and is no superuser."""
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role.name])
    verb = "ALTER" if cursor.fetchone() else "CREATE"
    statement = sql.SQL(
        "{verb} ROLE {role} WITH LOGIN INHERIT NOSUPERUSER NOCREATEROLE NOREPLICATION "
        "NOBYPASSRLS {createdb}"
    ).format(
        verb=sql.SQL(verb),
        role=sql.Identifier(role.name),
        createdb=sql.SQL("CREATEDB" if createdb else "NOCREATEDB"),
    )
    if role.password is not None:
        # Role statements take no bound parameters: the password goes in as a quoted literal.
        statement += sql.SQL(" PASSWORD {}").format(sql.Literal(role.password))
    cursor.execute(statement)


def superusers_refuse(cursor: psycopg.Cursor[Any], *roles: Role) -> None:
    """Refuse to go on when any of `roles` is a superuser, before anything is changed."""
    cursor.execute(
        "SELECT rolname FROM pg_roles WHERE rolsuper AND rolname = ANY(%s) ORDER BY rolname",
        [[role.name for role in roles]],
    )
    found = [name for (name,) in cursor.fetchall()]
    if found:
        # Taking a superuser's powers away could lock the server's administrators out.
        raise RoleRefused(
            f"{', '.join(found)} is a superuser: the app and the owner need roles of their own."
        )


def memberships_revoke(cursor: psycopg.Cursor[Any], role: str) -> None:
    """Take `role` out of every role it belongs to: it must not borrow another role's rights."""
    cursor.execute(
        "SELECT granted.rolname FROM pg_auth_members m "
        "JOIN pg_roles granted ON granted.oid = m.roleid "
        "JOIN pg_roles member ON member.oid = m.member WHERE member.rolname = %s",
        [role],
    )
    for (granted,) in cursor.fetchall():
        cursor.execute(
            sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(granted), sql.Identifier(role))
        )


def database_ensure(cursor: psycopg.Cursor[Any], *, name: str, owner: str) -> bool:
    """Create the database `name` owned by `owner`, or hand it to `owner`; True if created."""
    cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
    exists = cursor.fetchone() is not None
    template = (
        "ALTER DATABASE {name} OWNER TO {owner}"
        if exists
        else "CREATE DATABASE {name} OWNER {owner}"
    )
    cursor.execute(sql.SQL(template).format(name=sql.Identifier(name), owner=sql.Identifier(owner)))
    return not exists


def ownership_hand_over(cursor: psycopg.Cursor[Any], *, owner: str) -> list[str]:
    """Give `owner` whatever in the public schema another role owns; say what moved.

    A database first migrated as another role (the superuser, before there were two roles)
    keeps working: its tables, sequences and trigger functions become the owner's.
    """
    moved = []
    for kind, keyword in RELATION_KINDS:
        cursor.execute(NOT_OWNERS, [kind, owner])
        for (name,) in cursor.fetchall():
            cursor.execute(
                sql.SQL("ALTER {} {} OWNER TO {}").format(
                    sql.SQL(keyword), sql.Identifier("public", name), sql.Identifier(owner)
                )
            )
            moved.append(name)
    cursor.execute(FUNCTIONS_NOT_OWNERS, [owner])
    for (signature,) in cursor.fetchall():
        # regprocedure's text is the function's quoted name with its argument types.
        cursor.execute(
            sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(
                sql.SQL(signature), sql.Identifier(owner)
            )
        )
        moved.append(signature)
    return moved


def schema_privileges_set(
    cursor: psycopg.Cursor[Any], *, database: str, owner: Role, app: Role
) -> None:
    """Only the owner creates in the public schema; the app's role may connect and use it."""
    owner_name, app_name = sql.Identifier(owner.name), sql.Identifier(app.name)
    # PostgreSQL 15 no longer lets everyone create in public; older servers still do.
    cursor.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    cursor.execute(sql.SQL("GRANT USAGE, CREATE ON SCHEMA public TO {}").format(owner_name))
    cursor.execute(sql.SQL("REVOKE CREATE ON SCHEMA public FROM {}").format(app_name))
    cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(app_name))
    cursor.execute(
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), app_name)
    )


def app_privileges_grant(cursor: psycopg.Cursor[Any], *, owner: str, app: str) -> None:
    """Let `app` use the rows of `owner`'s tables and sequences, now and in those made later.

    Runs as the owner or a superuser. Whatever else `app` held on them is withdrawn first.
    """
    names = {"owner": sql.Identifier(owner), "app": sql.Identifier(app)}
    # Tables and sequences that later migrations create, as the owner, get the same.
    later = "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public"
    statements = [
        "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {app}",
        "GRANT {tables} ON ALL TABLES IN SCHEMA public TO {app}",
        "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {app}",
        "GRANT {sequences} ON ALL SEQUENCES IN SCHEMA public TO {app}",
        f"{later} REVOKE ALL ON TABLES FROM {{app}}",
        f"{later} GRANT {{tables}} ON TABLES TO {{app}}",
        f"{later} REVOKE ALL ON SEQUENCES FROM {{app}}",
        f"{later} GRANT {{sequences}} ON SEQUENCES TO {{app}}",
    ]
    for statement in statements:
        cursor.execute(
            sql.SQL(statement).format(
                tables=APP_TABLE_PRIVILEGES, sequences=APP_SEQUENCE_PRIVILEGES, **names
            )
        )


def connect_as(
    superuser: str, database: dict[str, Any], *, dbname: str, autocommit: bool
) -> psycopg.Connection[Any]:
    """Connect to `dbname` on `database`'s server as `superuser` (password as libpq finds it)."""
    options = {key: value for key, value in database["OPTIONS"].items() if key != "options"}
    return psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        dbname=dbname,
        user=superuser,
        autocommit=autocommit,
        **options,
    )


def roles_set_up(
    *, app: dict[str, Any], owner: dict[str, Any], superuser: str, createdb: bool = False
) -> Outcome:
    """Create or update both roles, the database, its owner and the app's privileges.

    `app` and `owner` are Django DATABASES entries for one database; `createdb` also lets the
    owner create databases (a machine that runs the tests, which create their own).
    """
    app_role, owner_role, name = role_from(app), role_from(owner), owner["NAME"]
    with connect_as(superuser, owner, dbname="postgres", autocommit=True) as server:
        cursor = server.cursor()
        superusers_refuse(cursor, owner_role, app_role)
        role_ensure(cursor, owner_role, createdb=createdb)
        role_ensure(cursor, app_role)
        memberships_revoke(cursor, app_role.name)
        created = database_ensure(cursor, name=name, owner=owner_role.name)
    # One transaction: the app never sees its privileges half withdrawn and half granted.
    with connect_as(superuser, owner, dbname=name, autocommit=False) as database:
        cursor = database.cursor()
        schema_privileges_set(cursor, database=name, owner=owner_role, app=app_role)
        moved = ownership_hand_over(cursor, owner=owner_role.name)
        app_privileges_grant(cursor, owner=owner_role.name, app=app_role.name)
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = %s",
            [owner_role.name],
        )
        (tables,) = cursor.fetchone()
    return Outcome(database=name, created_database=created, handed_over=moved, tables=tables)
