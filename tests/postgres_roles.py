"""The test database's two roles on PostgreSQL, as on the spa's server.

With MIGRATE_DATABASE_URL naming another role than DATABASE_URL (CI does), the owner creates
and migrates the test database and the tests connect as the app's role, which owns nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper


@dataclass(frozen=True)
class Login:
    user: str
    password: str


def login_from(database: dict[str, Any]) -> Login:
    return Login(user=database["USER"], password=database["PASSWORD"])


# Read before any fixture switches the connection's login (settings.DATABASES is its dict).
APP = login_from(settings.DATABASES["default"])
OWNER = login_from(settings.MIGRATE_DATABASE)
SEPARATE = connection.vendor == "postgresql" and APP.user != OWNER.user


def log_in_as(database: BaseDatabaseWrapper, login: Login) -> None:
    """Make `database`'s next connection log in as `login`."""
    database.close()
    database.settings_dict.update(USER=login.user, PASSWORD=login.password)


def owner_connect(dbname: str | None = None) -> psycopg.Connection[Any]:
    """A connection, as the owner, to `dbname` (the test database by default), in autocommit."""
    database = connection.settings_dict
    return psycopg.connect(
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        dbname=dbname or database["NAME"],
        user=OWNER.user,
        password=OWNER.password or None,
        autocommit=True,
    )
