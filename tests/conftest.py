from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQLOperations
from django.test import Client as BrowserClient
from pytest_django import DjangoDbBlocker

from spa import database_roles
from spa.celery import app as celery_app
from tests import postgres_roles
from tests.clients.factories import UserFactory
from tests.treatments.factories import EstheticianFactory, WorkingHoursFactory
from treatments.models import Esthetician


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
