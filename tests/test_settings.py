"""Settings come from the environment; a production start without a secret key is refused."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHOW = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'zone': settings.TIME_ZONE, 'intake': settings.INTAKE_VALID_DAYS, "
    "'injectable': settings.INJECTABLE_WAIT_DAYS, 'hosts': settings.ALLOWED_HOSTS}))"
)
SHOW_NAMED = (
    "import json, sys, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({name: getattr(settings, name, None) for name in sys.argv[1:]}))"
)
# A request of each kind, as a visitor's browser would send it, through the whole middleware.
ASK_OVER_PLAIN_HTTP = (
    "import django; django.setup(); from django.test import Client; "
    "print(Client().get('/healthz', headers={'host': 'localhost'}).status_code, "
    "Client().get('/accounts/login/', headers={'host': 'localhost'}).status_code)"
)
# The default database's role and time limits, as a process started for `command` sees them.
SHOW_CONNECTION = (
    "import json, sys; command = sys.argv[1]; sys.argv = ['manage.py', command]; "
    "import django; from django.conf import settings; django.setup(); "
    "database = settings.DATABASES['default']; "
    "print(json.dumps([database['USER'], database['OPTIONS']]))"
)
SETTINGS_VARIABLES = [
    "DATABASE_URL",
    "MIGRATE_DATABASE_URL",
    "DATABASE_CONNECT_TIMEOUT",
    "DATABASE_STATEMENT_TIMEOUT_MS",
    "REDIS_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "TIME_ZONE",
    "INTAKE_VALID_DAYS",
    "INJECTABLE_WAIT_DAYS",
    "CSRF_TRUSTED_ORIGINS",
    "EMAIL_URL",
    "HTTPS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "STATIC_MANIFEST",
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_LOCKOUT_MINUTES",
    "LINK_GUESS_LIMIT",
    "REQUIRE_MANAGER_2FA",
]

# Set for the test run only (pyproject's pytest env); a real start has none of them.
TEST_RUN_VARIABLES = ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def start(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    """Run Python (SHOW by default) in a fresh process with exactly these settings variables."""
    return run([sys.executable, "-c", *(arguments or [SHOW])], **environment)


def run(command: list[str], **environment: str) -> subprocess.CompletedProcess[str]:
    """Run a command in a fresh process with exactly these settings variables."""
    left_out = {*SETTINGS_VARIABLES, *TEST_RUN_VARIABLES}
    env = {key: value for key, value in os.environ.items() if key not in left_out}
    env |= {"DJANGO_SETTINGS_MODULE": "spa.settings", **environment}
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def read_settings(*names: str, **environment: str) -> dict[str, Any]:
    """These settings' values, as a fresh start with this environment gives them."""
    started = start(SHOW_NAMED, *names, **environment)
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout)


def test_without_debug_a_missing_secret_key_stops_the_start_with_a_clear_message():
    started = start(DEBUG="false")

    assert started.returncode != 0
    assert "SECRET_KEY is not set" in started.stderr


def test_defaults_are_sqlite_in_process_tasks_and_london():
    started = start(DEBUG="true")

    shown = json.loads(started.stdout)
    assert shown["engine"] == "django.db.backends.sqlite3"
    assert shown["eager"] is True
    assert shown["zone"] == "Europe/London"
    assert (shown["intake"], shown["injectable"]) == (90, 14)


def test_the_environment_sets_database_broker_zone_and_rules():
    started = start(
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgresql://postgres@127.0.0.1:5432/spa",
        REDIS_URL="redis://127.0.0.1:6379/0",
        TIME_ZONE="Europe/Dublin",
        INTAKE_VALID_DAYS="60",
        INJECTABLE_WAIT_DAYS="21",
        ALLOWED_HOSTS="spa.example.com, www.spa.example.com",
    )

    shown = json.loads(started.stdout)
    assert shown["engine"] == "django.db.backends.postgresql"
    assert (shown["eager"], shown["broker"]) == (False, "redis://127.0.0.1:6379/0")
    assert shown["zone"] == "Europe/Dublin"
    assert (shown["intake"], shown["injectable"]) == (60, 21)
    assert shown["hosts"] == ["spa.example.com", "www.spa.example.com"]


def test_a_rule_setting_that_is_not_a_number_is_named_in_the_error():
    started = start(DEBUG="true", INTAKE_VALID_DAYS="ninety")

    assert started.returncode != 0
    assert "INTAKE_VALID_DAYS must be a whole number" in started.stderr


def test_email_is_printed_to_the_console_unless_email_url_is_set():
    shown = read_settings("EMAIL_BACKEND", DEBUG="true")

    assert shown["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"


def test_email_url_gives_the_smtp_server_its_login_and_starttls():
    shown = read_settings(
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_HOST_USER",
        "EMAIL_HOST_PASSWORD",
        "EMAIL_USE_TLS",
        "EMAIL_USE_SSL",
        DEBUG="true",
        EMAIL_URL="smtp://bookings%40spa.example:p%40ss%2Fword@smtp.example.com:587?tls=true",
    )

    assert shown == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "bookings@spa.example",
        "EMAIL_HOST_PASSWORD": "p@ss/word",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
    }


def test_an_unknown_email_scheme_stops_the_start_without_showing_the_password():
    started = start(DEBUG="true", EMAIL_URL="smpt://bookings:hunter2@smtp.example.com")

    assert started.returncode != 0
    assert "EMAIL_URL has an unknown scheme 'smpt'" in started.stderr
    assert "hunter2" not in started.stderr


SECURITY = (
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
)


def test_https_makes_cookies_secure_redirects_plain_http_and_sends_a_years_hsts():
    shown = read_settings(*SECURITY, SECRET_KEY="x" * 50, HTTPS="true")

    assert shown == {
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
    }


def test_the_deploy_checks_find_nothing_to_warn_about_with_https():
    checked = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY=secrets.token_urlsafe(50),
    )

    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_the_deploy_checks_find_nothing_with_redis_either():
    checked = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY=secrets.token_urlsafe(50),
        REDIS_URL="redis://127.0.0.1:6379/0",
    )

    assert checked.returncode == 0, checked.stderr
    assert "System check identified no issues" in checked.stdout


def test_guesses_are_counted_in_redis_when_there_is_one_else_in_memory():
    with_redis = read_settings("CACHES", DEBUG="true", REDIS_URL="redis://127.0.0.1:6379/3")
    without = read_settings("CACHES", DEBUG="true")

    assert with_redis["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
    }
    assert without["CACHES"]["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )


def test_sign_in_limits_come_from_the_environment():
    defaults = read_settings(
        "AXES_FAILURE_LIMIT", "LINK_GUESS_LIMIT", "REQUIRE_MANAGER_2FA", DEBUG="true"
    )
    chosen = read_settings(
        "AXES_FAILURE_LIMIT",
        "LINK_GUESS_LIMIT",
        "REQUIRE_MANAGER_2FA",
        DEBUG="true",
        LOGIN_FAILURE_LIMIT="8",
        LINK_GUESS_LIMIT="50",
        REQUIRE_MANAGER_2FA="true",
    )

    assert defaults == {
        "AXES_FAILURE_LIMIT": 5,
        "LINK_GUESS_LIMIT": 20,
        "REQUIRE_MANAGER_2FA": False,
    }
    assert chosen == {"AXES_FAILURE_LIMIT": 8, "LINK_GUESS_LIMIT": 50, "REQUIRE_MANAGER_2FA": True}


def test_a_sign_in_lasts_a_working_day_of_inactivity_and_ends_with_the_browser():
    shown = read_settings("SESSION_COOKIE_AGE", "SESSION_EXPIRE_AT_BROWSER_CLOSE", DEBUG="true")

    assert shown["SESSION_COOKIE_AGE"] == 10 * 60 * 60
    assert shown["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True


def test_without_https_the_site_works_over_plain_http():
    shown = read_settings(*SECURITY, SECRET_KEY="x" * 50)

    assert shown == {
        "SECURE_PROXY_SSL_HEADER": None,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
    }


def test_https_leaves_a_development_machine_alone():
    shown = read_settings(*SECURITY, DEBUG="true", HTTPS="true")

    assert shown["SESSION_COOKIE_SECURE"] is False
    assert shown["SECURE_SSL_REDIRECT"] is False


def test_the_redirect_to_https_can_be_left_to_the_proxy():
    shown = read_settings(*SECURITY, SECRET_KEY="x" * 50, HTTPS="true", SECURE_SSL_REDIRECT="false")

    assert shown["SECURE_SSL_REDIRECT"] is False
    assert shown["SESSION_COOKIE_SECURE"] is True


def test_with_https_pages_redirect_but_healthz_answers_plain_http():
    started = start(
        ASK_OVER_PLAIN_HTTP,
        SECRET_KEY="x" * 50,
        HTTPS="true",
        DATABASE_URL="sqlite:///:memory:",
    )

    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["200", "301"]


def test_static_files_are_served_by_whitenoise_hashed_only_when_collected():
    plain = read_settings("STORAGES", "MIDDLEWARE", DEBUG="true")
    manifest = read_settings("STORAGES", DEBUG="true", STATIC_MANIFEST="true")

    assert plain["MIDDLEWARE"][:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]
    assert plain["STORAGES"]["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    assert manifest["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


APP_URL = "postgresql://spa_app:app-secret@db:5432/spa"
OWNER_URL = "postgresql://spa_owner:owner-secret@db:5432/spa"


def connection_for(command: str, **environment: str) -> list[Any]:
    """The role and connection options the default database has when running `command`."""
    started = start(SHOW_CONNECTION, command, SECRET_KEY="x" * 50, **environment)
    assert started.returncode == 0, started.stderr
    return json.loads(started.stdout)


def test_postgresql_connections_wait_5_seconds_to_connect_and_30_for_a_statement():
    user, options = connection_for("runserver", DATABASE_URL=APP_URL)

    assert user == "spa_app"
    assert options == {"connect_timeout": 5, "options": "-c statement_timeout=30000 -c jit=off"}


def test_the_time_limits_come_from_the_environment():
    _, options = connection_for(
        "celery",
        DATABASE_URL=APP_URL,
        DATABASE_CONNECT_TIMEOUT="2",
        DATABASE_STATEMENT_TIMEOUT_MS="1500",
    )

    assert options == {"connect_timeout": 2, "options": "-c statement_timeout=1500 -c jit=off"}


def test_migrate_connects_as_the_owner_without_a_statement_time_limit():
    user, options = connection_for("migrate", DATABASE_URL=APP_URL, MIGRATE_DATABASE_URL=OWNER_URL)

    assert user == "spa_owner"
    assert options == {"connect_timeout": 5, "options": "-c statement_timeout=0 -c jit=off"}


def test_every_other_command_connects_as_the_app_role():
    user, _ = connection_for("shell", DATABASE_URL=APP_URL, MIGRATE_DATABASE_URL=OWNER_URL)

    assert user == "spa_app"


def test_without_migrate_database_url_migrate_uses_database_url():
    user, _ = connection_for("migrate", DATABASE_URL=APP_URL)

    assert user == "spa_app"
