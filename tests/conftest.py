from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQLOperations
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations
from django.test import Client as BrowserClient
from pytest_django import DjangoDbBlocker

from spa import database_roles
from spa.celery import app as celery_app
from tests import postgres_roles
from tests.clients.factories import UserFactory
from tests.treatments.factories import EstheticianFactory, WorkingHoursFactory
from treatments.models import Esthetician


@pytest.fixture(autouse=True, scope="session")
def flushes_lift_the_record_triggers() -> Iterator[None]:
    """Between transactional tests Django empties every table. On SQLite that is a DELETE, which
    the health records' triggers refuse, so a flush lifts them and puts them back at once.
    (PostgreSQL empties tables with TRUNCATE, which row triggers do not see.)"""
    flush = SQLiteOperations.execute_sql_flush

    def execute_sql_flush(self: SQLiteOperations, sql_list: list[str]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = cursor.fetchall()
        lifted = [f'DROP TRIGGER "{name}"' for name, _ in triggers]
        flush(self, [*lifted, *sql_list, *(sql for _, sql in triggers)])

    SQLiteOperations.execute_sql_flush = execute_sql_flush
    yield
    SQLiteOperations.execute_sql_flush = flush


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings: None) -> None:
    """With two roles, the owner creates and migrates the test database, as on the server."""
    if postgres_roles.SEPARATE:
        postgres_roles.log_in_as(connection, postgres_roles.OWNER)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """Then every test connects as the app's role, which owns nothing and may not TRUNCATE."""
    if not postgres_roles.SEPARATE:
        yield
        return
    with django_db_blocker.unblock():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            database_roles.app_privileges_grant(
                cursor, owner=postgres_roles.OWNER.user, app=postgres_roles.APP.user
            )
        postgres_roles.log_in_as(connection, postgres_roles.APP)
    # Transactional tests end by emptying every table with one TRUNCATE (Django's flush), which
    # the app's role may not do: the owner does it, on a connection of its own. (Deleting rows
    # instead would not do: the health records' triggers refuse it.) The backend's class is
    # patched, not this connection: browser tests run the site in an event loop, where Django
    # hands out other connection objects.
    flush = PostgreSQLOperations.execute_sql_flush
    PostgreSQLOperations.execute_sql_flush = flush_as_owner
    yield
    PostgreSQLOperations.execute_sql_flush = flush
    with django_db_blocker.unblock():
        # The owner drops the test database it created.
        postgres_roles.log_in_as(connection, postgres_roles.OWNER)


def flush_as_owner(operations: PostgreSQLOperations, statements: list[str]) -> None:
    """Run Django's flush statements as the owner, in one transaction."""
    dbname = operations.connection.settings_dict["NAME"]
    with postgres_roles.owner_connect(dbname) as owner, owner.transaction():
        for statement in statements:
            owner.execute(statement)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Staff users come with a password; hashing it properly costs a third of a second."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def tasks_run_in_process() -> Iterator[None]:
    """Background tasks run as they are sent, so a test sees their effects (emails, flags)."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def esthetician(db: None) -> Esthetician:
    """An esthetician working Monday to Saturday, 09:00 to 17:00."""
    esthetician = EstheticianFactory(user__username="anna", user__first_name="Anna")
    for weekday in range(6):
        WorkingHoursFactory(
            esthetician=esthetician, weekday=weekday, starts_at=dt.time(9), ends_at=dt.time(17)
        )
    return esthetician


@pytest.fixture
def esthetician_client(esthetician: Esthetician) -> BrowserClient:
    """A test browser logged in as the esthetician."""
    browser = BrowserClient()
    browser.force_login(esthetician.user)
    return browser


@pytest.fixture
def manager_client(db: None) -> BrowserClient:
    """A test browser logged in as a manager."""
    browser = BrowserClient()
    browser.force_login(UserFactory(username="maria", groups=["Manager"]))
    return browser


@pytest.fixture(autouse=True)
def fresh_cache(settings: Any) -> None:
    """Each test counts guesses from nothing, in this process's memory, whatever REDIS_URL is."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
